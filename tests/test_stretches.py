"""Named road stretches: critical and cut segments merged by road, named by place or junction,
checked against networkx (each stretch's segments form one path; the stretches cover the
critical segments exactly; no two stretches of one road could be joined)."""

from __future__ import annotations

from functools import cache

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.replay import mover_network, replay
from corridor.analysis.report import CorridorReport, analyze
from corridor.analysis.stretches import (
    NamedPlace,
    Stretch,
    critical_stretches,
    cut_stretches,
    road_key,
)
from corridor.model.areas import Area
from corridor.model.network import RoadNetwork
from corridor.model.situation import build_situation
from corridor.network.ways import WayTable, network_from_ways
from corridor.testing import bundled
from strategies import edge_subsets, examples, situations


@cache
def mosul() -> tuple[RoadNetwork, list[CorridorReport]]:
    sc, networks = bundled("mosul-2016")
    return mover_network(sc, networks, "isis-fighters"), replay(sc, networks)


def assert_valid_stretches(net: RoadNetwork, edges: np.ndarray, stretches: tuple) -> None:
    """Invariants of a set of stretches merged from ``edges``, checked with networkx."""
    segs = {int(net.segment[e]) for e in edges}
    covered: list[int] = []
    for s in stretches:
        g = nx.MultiGraph()
        g.add_edges_from((int(net.src[e]), int(net.dst[e])) for e in s.edges)
        # one road
        assert len({road_key(net, int(e)) for e in s.edges}) == 1, s.label
        # a simple path (or a loop): connected, every node of degree <= 2
        assert nx.is_connected(g), s.label
        assert max(d for _, d in g.degree()) <= 2, s.label
        assert g.number_of_edges() in (g.number_of_nodes() - 1, g.number_of_nodes()), s.label
        # in order, end to end
        ends = [int(net.node_osm_id[n]) for n, d in g.degree() if d == 1]
        if ends:
            assert sorted(ends) == sorted([s.from_node, s.to_node]), s.label
        assert s.length_m == pytest.approx(float(net.length_m[s.edges].sum()), abs=0.1)
        assert s.segments == len(s.edges)
        assert set(s.osm_ways) == set(net.way_id[s.edges].tolist())
        covered += [int(net.segment[e]) for e in s.edges]
    assert sorted(covered) == sorted(segs), "stretches cover each segment exactly once"
    # maximal: two stretches of one road never meet at a node that only they share
    by_node: dict[tuple[tuple[str, str], int], int] = {}
    for s in stretches:
        key = road_key(net, int(s.edges[0]))
        for e in s.edges:
            for n in (int(net.src[e]), int(net.dst[e])):
                by_node[(key, n)] = by_node.get((key, n), 0) + 1
    for s in stretches:
        if s.from_node == s.to_node:
            continue
        key = road_key(net, int(s.edges[0]))
        for osm in (s.from_node, s.to_node):
            n = int(np.flatnonzero(net.node_osm_id == osm)[0])
            assert by_node[(key, n)] != 2, f"{s.label} could be joined at node {osm}"


def test_mosul_critical_stretch_on_25_november() -> None:
    _net, reports = mosul()
    r = next(x for x in reports if x.date == "2016-11-23")  # in force on 25 November
    assert [s.label for s in r.critical_stretches] == [
        "Mosul–Tal Afar highway (R1) from Syria Gate (Bab Sham) to Tal Afar"
    ]
    s = r.critical_stretches[0]
    assert (s.ref, s.segments, s.osm_ways) == ("R1", 5, (1101, 1102))
    assert s.length_m == pytest.approx(57217.3, abs=1)
    assert [c.label for c in r.cut_stretches] == [s.label]


@pytest.mark.parametrize("i", range(8))
def test_mosul_stretches_hold_their_invariants_on_every_date(i: int) -> None:
    net, reports = mosul()
    for r in reports[i::8]:
        assert_valid_stretches(net, r.critical, r.critical_stretches)
        # every cut segment lies on exactly one cut stretch, of its own road
        for e in r.min_cut.edges:
            hits = [c for c in r.cut_stretches if int(net.segment[e]) in set(net.segment[c.edges])]
            assert len(hits) == 1, (r.date, int(e))
        for c in r.cut_stretches:
            assert_valid_stretches(net, c.edges, (c,))


def _road_network() -> RoadNetwork:
    """A main road A1 of four ways through nodes 0..6 (two-way), crossed at node 3 by B2, with
    an unnamed track from node 6."""
    lon = np.array([0.00, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.03, 0.03, 0.07])
    lat = np.array([0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.01, -0.01, 0.00])
    ways = [
        ([0, 1, 2], {"highway": "primary", "ref": "A1", "name": "High Street"}),
        ([2, 3], {"highway": "primary", "ref": "A1", "name": "Bridge Road"}),
        ([3, 4, 5], {"highway": "primary", "ref": "A1"}),
        ([5, 6], {"highway": "primary", "ref": "A1"}),
        ([7, 3, 8], {"highway": "secondary", "ref": "B2", "name": "Cross Street"}),
        ([6, 9], {"highway": "track"}),
    ]
    refs = np.concatenate([np.array(n, dtype=np.int64) for n, _ in ways])
    ptr = np.cumsum([0] + [len(n) for n, _ in ways])
    table = WayTable(
        way_id=np.arange(1, len(ways) + 1, dtype=np.int64),
        way_ptr=ptr.astype(np.int64),
        node_ref=refs + 1,
        node_lon=lon[refs],
        node_lat=lat[refs],
        way_tags=[t for _, t in ways],
    )
    return network_from_ways(table, "car", source="test")


def _edges(net: RoadNetwork, pairs: list[tuple[int, int]]) -> np.ndarray:
    """The directed edge between each pair of nodes (OSM ids minus one)."""
    out = []
    for a, b in pairs:
        e = np.flatnonzero(
            (net.node_osm_id[net.src] == a + 1) & (net.node_osm_id[net.dst] == b + 1)
        )
        out.append(int(e[0]))
    return np.array(out, dtype=np.int64)


def test_one_road_across_names_named_by_places_and_junctions() -> None:
    net = _road_network()
    a1 = _edges(net, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6)])
    places = [NamedPlace("Westham", Area("Westham", point=(0.0, 0.0), radius_m=300))]
    (s,) = critical_stretches(net, a1, places=places)
    assert s.road == "A1"  # several names along it, no common start
    assert s.from_name == "Westham"
    assert s.segments == 6 and s.osm_ways == (1, 2, 3, 4)
    # the far end: no place near, the track is unnamed, so: the distance from the place
    assert s.to_name.endswith("km E of Westham"), s.to_name
    # split by the cross road's junction? No: B2 is another road, A1 runs on through node 3
    part = critical_stretches(net, a1[3:], places=places)
    assert [x.from_name for x in part] == ["junction with Cross Street (B2)"]


def test_stretches_orient_along_the_given_edges() -> None:
    net = _road_network()
    back = _edges(net, [(6, 5), (5, 4), (4, 3)])
    (s,) = critical_stretches(net, back)
    assert (s.from_node, s.to_node) == (7, 4)
    assert s.label.startswith("A1 from ")


def test_gaps_and_other_roads_make_separate_stretches() -> None:
    net = _road_network()
    edges = _edges(net, [(0, 1), (2, 3), (3, 4), (7, 3)])
    out = critical_stretches(net, edges)
    assert_valid_stretches(net, edges, out)
    assert sorted((s.road, s.segments) for s in out) == [
        ("A1", 2),  # Bridge Road, then a piece without a name: the ref
        ("Cross Street (B2)", 1),
        ("High Street (A1)", 1),  # one name along it
    ]


def test_a_cut_segment_off_every_critical_stretch_runs_to_the_junctions() -> None:
    net = _road_network()
    (c,) = cut_stretches(net, _edges(net, [(4, 5)]))
    assert isinstance(c, Stretch)
    # extended along A1 from node 3 (the B2 junction) to node 6 (where the track starts)
    assert sorted([c.from_node, c.to_node]) == [4, 7]
    assert c.from_name == "junction with Cross Street (B2)"


def test_two_towns_bridge_is_one_critical_stretch() -> None:
    from corridor.testing import two_towns_one_bridge

    s = two_towns_one_bridge()
    r = analyze(s)
    assert [x.osm_ways for x in r.critical_stretches] == [(13,)]
    assert r.cut_stretches[0] is r.critical_stretches[0]
    plain = analyze(s, describe=False)
    assert plain.critical_stretches == () and plain.pocket is None


def test_untouched_by_an_empty_input() -> None:
    net = _road_network()
    assert critical_stretches(net, np.zeros(0, dtype=np.int64)) == ()
    assert cut_stretches(net, np.zeros(0, dtype=np.int64)) == ()
    situation = build_situation(
        net,
        Area("W", point=(0.0, 0.0), radius_m=100),
        [Area("E", point=(0.06, 0.0), radius_m=100)],
    )
    assert analyze(situation).critical_stretches  # the whole road is critical


def test_hostile_names_are_shown_as_text() -> None:
    """Stretch ends and roads come from scenario and OSM text: markup in them is shown, not run."""
    from rich.console import Console

    from corridor.outputs.text import report_renderable

    net = _road_network()
    hostile = "[bold red]Evil[/] <script>x</script>"
    situation = build_situation(
        net,
        Area(hostile, point=(0.0, 0.0), radius_m=100),
        [Area("E", point=(0.06, 0.0), radius_m=100)],
    )
    r = analyze(situation)
    assert any(s.from_name == hostile for s in r.critical_stretches)
    console = Console(width=200, record=True)
    console.print(report_renderable(r, net))
    # the header, the cut's and the stretches' titles, the stretch's end, the pocket
    # (a title wraps at its table's width: count the markup, which must stay as it is)
    assert console.export_text().count("Evil[/]") == 5


@settings(max_examples=examples(0.5), deadline=None)
@given(situation=situations(), data=st.data())
def test_stretches_of_any_edge_set_hold_their_invariants(situation, data) -> None:  # type: ignore[no-untyped-def]
    """On random networks: the report's critical and cut stretches, and the stretches of any set
    of edges, are paths of one road each that cover their segments exactly (networkx)."""
    net = situation.network
    r = analyze(situation, k=0)
    assert_valid_stretches(net, r.critical, r.critical_stretches)
    for c in r.cut_stretches:
        assert_valid_stretches(net, c.edges, (c,))
    covered = {int(net.segment[e]) for c in r.cut_stretches for e in c.edges}
    assert {int(net.segment[e]) for e in r.min_cut.edges} <= covered
    edges = np.array(data.draw(edge_subsets(net, max_size=12)), dtype=np.int64)
    assert_valid_stretches(net, edges, critical_stretches(net, edges))
