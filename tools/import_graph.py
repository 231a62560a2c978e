"""The import graph between corridor's rooms (subpackages and top-level helpers), the layering
rules it must keep, and the circles it must not have.

Run ``python tools/import_graph.py`` to print, per room, which others it imports (at module level
and inside functions alike) and the size of its modules; the test suite checks the same rules
(tests/test_layers.py). The rules are written out in ``docs/architecture.md``:

- ``model`` imports nothing of ours but ``errors``; ``analysis`` imports ``model``;
- ``network`` (road networks from OSM, GeoJSON, networkx) and ``scenario`` (scenario files)
  import ``model``; ``ingest`` (reports to candidates to events) imports ``model`` and
  ``scenario``; ``outputs`` imports ``model`` and ``analysis``;
- ``serve`` and ``batch`` import the rooms above; ``cli`` imports everything;
- the top-level helpers (``errors``, ``text``, ``files``, ``_version``) import only ``errors``;
  ``bundled`` and ``testing`` are helpers for users and doctests;
- ``io`` is the old home, kept for one release as forwards into ``network``, ``scenario``,
  ``ingest``, ``files`` and ``text``; nothing of ours imports it.

There are no exceptions: a room imports exactly what its line allows. Beyond the rooms, no two
modules (corridor's or the benchmarks') import each other, directly or around a circle.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "corridor"
BENCH = ROOT / "bench"
LAYERS = ("model", "analysis", "network", "scenario", "ingest", "outputs", "serve", "batch", "cli")
HELPERS = ("errors", "text", "files", "_version", "bundled", "testing", "corridor", "io")
_BASE = {"errors", "text", "files", "_version"}
ALLOWED: dict[str, set[str]] = {
    "model": {"errors"},
    "analysis": {"errors", "model"},
    "network": _BASE | {"model"},
    "scenario": _BASE | {"model"},
    "ingest": _BASE | {"model", "scenario"},
    "outputs": _BASE | {"model", "analysis"},
    "serve": _BASE | {"model", "analysis", "network", "scenario", "ingest", "outputs", "bundled"},
    "batch": _BASE | {"model", "analysis", "network", "scenario", "outputs", "bundled"},
    "cli": _BASE
    | {
        "model",
        "analysis",
        "network",
        "scenario",
        "ingest",
        "outputs",
        "serve",
        "batch",
        "bundled",
        "corridor",
    },
    "errors": set(),
    "_version": set(),
    "text": {"errors"},
    "files": {"errors"},
    "bundled": {"errors"},
    "testing": {"errors", "model", "network", "scenario", "bundled"},
    "io": {"network", "scenario", "ingest", "files", "text"},
    # the front door: a lazy map of names to the modules that own them
    "corridor": _BASE | {"model", "analysis", "network", "scenario", "outputs", "bundled"},
}


def _unit(module: str) -> str:
    """``corridor.analysis.cut`` -> ``analysis``; ``corridor.errors`` -> ``errors``; the front
    door (``corridor`` itself) -> ``corridor``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] != "__init__" else "corridor"


def _module_name(path: Path) -> str:
    """``src/corridor/analysis/cut.py`` -> ``corridor.analysis.cut``; ``bench/run.py`` ->
    ``bench.run``; a package's ``__init__.py`` is the package."""
    base = SRC.parent if path.is_relative_to(SRC) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.AST, here: str, known: set[str]) -> set[str]:
    """The modules a module's code imports (at module level and inside functions).

    ``from corridor.network import tags`` imports the module ``corridor.network.tags``, not the
    package's ``__init__`` as a dependency of its own; a name that is not a module of ours
    (``from corridor.network.osm import load_osm``) counts as its module."""
    out: set[str] = set()
    package = here if here.count(".") == 0 else here.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            for a in node.names:
                sub = f"{module}.{a.name}"
                out.add(sub if sub in known else module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py")) + sorted(BENCH.rglob("*.py"))


def module_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours (corridor's and the benchmarks') it imports."""
    files = {_module_name(p): p for p in _sources()}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found = _imported(ast.parse(path.read_text(encoding="utf-8")), name, set(files))
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def imports() -> dict[str, dict[str, set[str]]]:
    """Per room, the other rooms it imports, with the files that do."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    known = {_module_name(p) for p in _sources()}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent)
        here = _unit(_module_name(path))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imported(tree, _module_name(path), known):
            if name == "corridor" or name.startswith("corridor."):
                there = _unit(name)
                if there != here:
                    graph[here][there].add(str(rel))
    return graph


def violations() -> list[str]:
    """Imports that break the layering rules, one line each (a room without a rule is one)."""
    out = []
    for here, targets in imports().items():
        if here not in ALLOWED:
            out.append(f"{here} is not a room of the rules (add it to ALLOWED)")
            continue
        for there, files in sorted(targets.items()):
            if there not in ALLOWED[here]:
                out.append(f"{here} imports {there} ({', '.join(sorted(files))})")
    return out


def circles() -> list[list[str]]:
    """Groups of modules that import each other, directly or around a circle (Tarjan's strongly
    connected components of :func:`module_graph` with more than one module)."""
    graph = module_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def main() -> int:
    graph = imports()
    print("room -> the rooms it imports (modules, lines)")
    for unit in (*LAYERS, *sorted(set(graph) - set(LAYERS))):
        files = sorted((SRC / unit).rglob("*.py")) if (SRC / unit).is_dir() else []
        lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
        size = f"({len(files)} modules, {lines} lines)" if files else ""
        print(f"  {unit:9} -> {', '.join(sorted(graph.get(unit, {}))) or '-'}  {size}")
    bad = violations()
    for line in bad:
        print(f"VIOLATION: {line}")
    rings = circles()
    for ring in rings:
        print(f"CIRCLE: {' <-> '.join(ring)}")
    return 1 if bad or rings else 0


if __name__ == "__main__":
    sys.exit(main())
