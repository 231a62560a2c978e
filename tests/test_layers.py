"""The layering of docs/architecture.md holds: model imports nothing of ours but errors; analysis,
network and scenario import model; ingest imports scenario; outputs imports analysis; serve and
batch import the rooms above; cli imports everything; no two modules import each other
(``tools/import_graph.py`` prints the graph)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

TOOL = Path(__file__).parents[1] / "tools" / "import_graph.py"


def tool() -> dict[str, Any]:
    return runpy.run_path(str(TOOL))


def test_no_layer_imports_one_it_may_not() -> None:
    assert tool()["violations"]() == []


def test_no_two_modules_import_each_other() -> None:
    assert tool()["circles"]() == []


def test_the_circle_finder_finds_a_circle(tmp_path: Path) -> None:
    t = tool()
    pkg = tmp_path / "src" / "corridor"
    (pkg / "a").mkdir(parents=True)
    (tmp_path / "bench").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a" / "__init__.py").write_text("")
    (pkg / "a" / "x.py").write_text("def f():\n    from corridor.a.y import g\n")
    (pkg / "a" / "y.py").write_text("from corridor.a import z\n")
    (pkg / "a" / "z.py").write_text("import corridor.a.x\n")
    (tmp_path / "bench" / "p.py").write_text("from bench.q import h\n")
    (tmp_path / "bench" / "q.py").write_text("from bench import p\n")
    t["circles"].__globals__.update(ROOT=tmp_path, SRC=pkg, BENCH=tmp_path / "bench")
    assert sorted(t["circles"]()) == [
        ["bench.p", "bench.q"],
        ["corridor.a.x", "corridor.a.y", "corridor.a.z"],
    ]


def test_the_checker_sees_imports_inside_functions() -> None:
    graph = tool()["imports"]()
    # cli imports analysis only inside its command functions (to start fast)
    assert "analysis" in graph["cli"] and "model" in graph["analysis"]


def test_serve_may_not_import_cli() -> None:
    allowed = tool()["ALLOWED"]
    assert "cli" not in allowed["serve"] and "serve" in allowed["cli"]


def test_batch_is_a_layer_below_cli() -> None:
    t = tool()
    allowed = t["ALLOWED"]
    assert "batch" in allowed["cli"] and not {"cli", "serve"} & allowed["batch"]
    assert "batch" in t["imports"]()["cli"], "corridor batch runs corridor.batch"


def test_nothing_of_ours_imports_the_old_io_package() -> None:
    graph = tool()["imports"]()
    assert not [room for room, targets in graph.items() if "io" in targets and room != "io"]


def test_the_old_io_names_still_import_for_one_release() -> None:
    import importlib
    import warnings

    import corridor.io

    for old, new in corridor.io.MOVED.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.reload(importlib.import_module(f"corridor.io.{old}"))
        assert any(new in str(w.message) for w in caught), f"corridor.io.{old} does not warn"
        target = importlib.import_module(new)
        name = next(n for n in vars(target) if not n.startswith("__"))
        assert getattr(module, name) is getattr(target, name), f"corridor.io.{old}.{name}"
    from corridor.io.osm import load_osm
    from corridor.network.osm import load_osm as moved

    assert load_osm is moved
