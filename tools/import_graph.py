"""The import graph between corridor's subpackages, and the layering rules it must keep.

Run ``python tools/import_graph.py`` (or ``make imports``) to print, per subpackage, which others
it imports (at module level and inside functions alike) and the size of its modules; the test
suite checks the same rules (tests/test_layers.py).

The rules (docs: ../shared/DESIGN.md, "Who may import whom"): ``model`` imports nothing of ours
but ``errors``; ``analysis`` imports ``model``; ``io`` imports ``model``; ``outputs`` imports
``model`` and ``analysis`` (and ``io.files``, the one atomic writer, for charts); ``serve`` (the
web server of ``corridor serve``) imports ``model``, ``analysis``, ``io`` and ``outputs``; ``batch``
(the Dask runner of ``corridor batch``) imports ``model``, ``analysis``, ``io`` and ``outputs``;
``cli`` imports everything above. The top-level helpers (``errors``, ``bundled``, ``testing``) and the front door
(``corridor/__init__.py``, whose ``__version__`` the network cache keys on) are not layers.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "corridor"
LAYERS = ("model", "analysis", "io", "outputs", "serve", "batch", "cli")
# single modules a layer may use beyond its rules
EXCEPT: dict[str, set[str]] = {"outputs": {"corridor.io.files"}}
ALLOWED: dict[str, set[str]] = {
    "model": {"errors"},
    "analysis": {"errors", "model"},
    "io": {"errors", "model", "bundled", "corridor"},
    "outputs": {"errors", "model", "analysis"},
    "serve": {"errors", "model", "analysis", "io", "outputs", "bundled", "corridor"},
    "batch": {"errors", "model", "analysis", "io", "outputs", "bundled"},
    "cli": {
        "errors",
        "model",
        "analysis",
        "io",
        "outputs",
        "serve",
        "batch",
        "bundled",
        "corridor",
    },
}


def _unit(module: str) -> str:
    """``corridor.analysis.cut`` -> ``analysis``; ``corridor.errors`` -> ``errors``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "corridor"


def imports() -> dict[str, dict[str, set[str]]]:
    """Per subpackage, the other subpackages it imports, with the files that do (modules a
    layer may use by exception, :data:`EXCEPT`, are left out)."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent)
        here = _unit(".".join(rel.with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name == "corridor" or name.startswith("corridor."):
                    if name in EXCEPT.get(here, ()):
                        continue
                    there = _unit(name)
                    if there != here:
                        graph[here][there].add(str(rel))
    return graph


def violations() -> list[str]:
    """Imports that break the layering rules, one line each."""
    out = []
    for here, targets in imports().items():
        if here not in ALLOWED:
            continue
        for there, files in sorted(targets.items()):
            if there not in ALLOWED[here]:
                out.append(f"{here} imports {there} ({', '.join(sorted(files))})")
    return out


def main() -> int:
    graph = imports()
    print("subpackage -> the subpackages it imports (modules, lines)")
    for unit in (*LAYERS, *sorted(set(graph) - set(LAYERS))):
        files = sorted((SRC / unit).rglob("*.py")) if (SRC / unit).is_dir() else []
        lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
        size = f"({len(files)} modules, {lines} lines)" if files else ""
        print(f"  {unit:9} -> {', '.join(sorted(graph.get(unit, {}))) or '-'}  {size}")
    bad = violations()
    for line in bad:
        print(f"VIOLATION: {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
