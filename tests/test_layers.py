"""The layering of ../shared/DESIGN.md holds: model imports nothing of ours but errors, analysis
and io import model, outputs imports model and analysis, serve imports model, analysis, io and
outputs, cli imports everything above
(``tools/import_graph.py`` prints the graph)."""

from __future__ import annotations

import runpy
from pathlib import Path

TOOL = Path(__file__).parents[1] / "tools" / "import_graph.py"


def test_no_layer_imports_one_it_may_not() -> None:
    tool = runpy.run_path(str(TOOL))
    assert tool["violations"]() == []


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    tool = runpy.run_path(str(TOOL))
    graph = tool["imports"]()
    # cli imports analysis only inside its command functions (to start fast)
    assert "analysis" in graph["cli"] and "model" in graph["analysis"]


def test_serve_may_not_import_cli() -> None:
    tool = runpy.run_path(str(TOOL))
    assert "cli" not in tool["ALLOWED"]["serve"] and "serve" in tool["ALLOWED"]["cli"]


def test_batch_is_a_layer_below_cli() -> None:
    tool = runpy.run_path(str(TOOL))
    allowed = tool["ALLOWED"]
    assert "batch" in allowed["cli"] and not {"cli", "serve"} & allowed["batch"]
    assert "batch" in tool["imports"]()["cli"], "corridor batch runs corridor.batch"
