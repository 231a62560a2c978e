"""The front door: ``import corridor`` is light, every public name resolves, and the reference
page names them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import corridor

API_DOC = Path(__file__).parents[1] / "docs" / "api.md"


def test_every_public_name_resolves_and_is_documented() -> None:
    doc = API_DOC.read_text(encoding="utf-8")
    for name in corridor.__all__:
        assert getattr(corridor, name) is not None, name
        if name != "__version__":
            assert f"`{name}" in doc, f"docs/api.md does not mention {name}"
    assert sorted(dir(corridor)) == sorted(corridor.__all__)


def test_import_corridor_defines_names_only() -> None:
    code = (
        "import sys, corridor; heavy = {'numpy', 'numba', 'shapely', 'scipy', 'pydantic', 'yaml'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"import corridor loaded {out.stdout.strip()}"


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        corridor.no_such_thing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("corridor.no_such_thing did not raise")


def test_names_an_earlier_readme_showed_keep_working() -> None:
    from corridor.analysis.report import analyze
    from corridor.analysis.session import ClosureSession
    from corridor.model.areas import Area
    from corridor.model.situation import build_situation
    from corridor.network.nx import from_networkx, to_networkx
    from corridor.network.osm import load_osm

    assert corridor.analyze is analyze and corridor.ClosureSession is ClosureSession
    assert corridor.load_osm is load_osm and corridor.Area is Area
    assert corridor.build_situation is build_situation
    assert corridor.to_networkx is to_networkx and corridor.from_networkx is from_networkx


def test_nothing_keeps_a_dropped_situation_alive() -> None:
    """Regression: module-level caches keyed by identity kept every analysed situation (and its
    network) alive. Now what an analysis builds belongs to objects the caller holds."""
    import gc
    import weakref

    from corridor.testing import two_towns_one_bridge

    s = two_towns_one_bridge()
    report = corridor.analyze(s, population=100)
    session = corridor.ClosureSession(s)
    session.answer(report.min_cut.edges)
    network = weakref.ref(s.network)
    situation = weakref.ref(s)
    del s, session
    gc.collect()
    assert situation() is None and network() is None, "an analysis kept the situation alive"
    assert report.status == "open", "the report stands on its own"


def test_a_report_pickles_without_its_network() -> None:
    import pickle

    from corridor.testing import two_towns_one_bridge

    s = two_towns_one_bridge()
    report = corridor.analyze(s)
    data = pickle.dumps(report)
    assert b"RoadNetwork" not in data and b"Situation" not in data
    assert pickle.loads(data).min_cut.count == 1
