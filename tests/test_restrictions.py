"""Turn restrictions and the turn-aware route search (issue 11).

The search over edges (:func:`corridor.analysis.turns.turn_route`, used by the routes and the
time to each exit) is checked against networkx on the line graph: one node per directed edge,
one arc per turn weighted by the next edge's time plus the turn's cost, banned turns and u-turns
away from dead ends left out. Restrictions are read from OSM XML written here, with pyosmium.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.routes import reach, routes
from corridor.analysis.turns import path_time_s, turn_costs_s
from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation
from corridor.network.osm import Restrictions, banned_turns, load_osm
from corridor.testing import network_from_segments
from strategies import examples, make_situation, road_networks, situation_parts


def turn_pairs(net: RoadNetwork) -> list[tuple[int, int]]:
    """Every (a, b) with ``dst[a] == src[b]``, in a fixed order."""
    return [
        (a, b)
        for a in range(net.n_edges)
        for b in range(int(net.indptr[net.dst[a]]), int(net.indptr[net.dst[a] + 1]))
    ]


def line_graph_time(situation: Situation, nodes: np.ndarray) -> float:
    """networkx's least time from the origin to ``nodes``, turns weighed, bans obeyed."""
    net = situation.network
    lg = nx.line_graph(
        nx.MultiDiGraph([(int(net.src[e]), int(net.dst[e]), e) for e in range(net.n_edges)])
    )
    banned = {(int(a), int(b)) for a, b in net.banned_turns}
    neighbours: dict[int, set[int]] = {}
    for e in range(net.n_edges):
        u, v = int(net.src[e]), int(net.dst[e])
        neighbours.setdefault(u, set()).add(v)
        neighbours.setdefault(v, set()).add(u)
    g = nx.DiGraph()
    is_open = situation.open
    for (u1, v1, a), (u2, v2, b) in lg.edges(keys=False):
        assert v1 == u2
        if (a, b) in banned or not (is_open[a] and is_open[b]):
            continue
        if u1 == v2 and len(neighbours[v1]) > 1:  # a u-turn away from a dead end
            continue
        turn = float(turn_costs_s(net, np.array([a, b]))[0])
        g.add_edge(a, b, weight=float(net.travel_time_s[b]) + turn)
    origin = set(situation.origin.tolist())
    exits = set(nodes.tolist())
    if origin & exits:
        return 0.0
    for e in range(net.n_edges):
        if is_open[e] and int(net.src[e]) in origin:
            g.add_edge("S", e, weight=float(net.travel_time_s[e]))
        if is_open[e] and int(net.dst[e]) in exits:
            g.add_edge(e, "T", weight=0.0)
    if "S" not in g or "T" not in g:
        return math.inf
    try:
        return float(nx.dijkstra_path_length(g, "S", "T"))
    except nx.NetworkXNoPath:
        return math.inf


@st.composite
def restricted_situations(draw: st.DrawFn) -> Situation:
    """A random situation whose network bans some of its turns."""
    net, origin, exits, closed = draw(situation_parts(max_exits=2))
    pairs = turn_pairs(net)
    banned = draw(st.sets(st.sampled_from(pairs), max_size=6)) if pairs else set()
    rows = np.array(sorted(banned), dtype=np.int64).reshape(-1, 2)
    net = dataclasses.replace(net, banned_turns=rows)
    return make_situation(net, origin, exits, closed)


def assert_legal(net: RoadNetwork, path: np.ndarray) -> None:
    banned = {(int(a), int(b)) for a, b in net.banned_turns}
    for a, b in zip(path[:-1].tolist(), path[1:].tolist(), strict=True):
        assert net.dst[a] == net.src[b]
        assert (a, b) not in banned, f"route takes banned turn {a} -> {b}"


@settings(max_examples=examples(1.0), deadline=None)
@given(restricted_situations())
def test_route_times_are_the_line_graph_optimum(situation: Situation) -> None:
    net = situation.network
    r = reach(situation)
    found = {x.exit: x for x in routes(situation, k=1) if x.rank == 0}
    for name, nodes, x in zip(situation.exit_names, situation.exits, r.exits, strict=True):
        best = line_graph_time(situation, nodes)
        if not x.reachable:
            assert best == math.inf
            continue
        assert x.travel_time_s is not None
        if best < math.inf:  # a legal route exists: the reported one is the fastest
            assert math.isclose(x.travel_time_s, best, rel_tol=1e-9, abs_tol=1e-6), name
            assert_legal(net, found[name].edges)
        # else: only an illegal route reaches the exit; it is reported (routes.py docstring)
        assert math.isclose(
            found[name].travel_time_s, path_time_s(net, found[name].edges), rel_tol=1e-12
        )
    for route in routes(situation, k=2):
        if (
            line_graph_time(situation, situation.exits[situation.exit_names.index(route.exit)])
            < math.inf
        ):
            assert_legal(net, route.edges)


# a cross: node 1 in the middle, arms to the west (0), south (2), east (3) and north (4);
# an outer ring lets a car that may not turn left go round
CROSS = [(0.0, 0.0), (0.001, 0.0), (0.001, -0.001), (0.002, 0.0), (0.001, 0.001)]


def cross_with_ring() -> RoadNetwork:
    coords = [*CROSS, (0.002, 0.001)]
    # ways 1..4: the arms; 5, 6: the ring north-east (4 -> 5 -> 3)
    return network_from_segments(coords, [(0, 1), (1, 2), (1, 3), (1, 4), (4, 5), (5, 3)])


def edge(net: RoadNetwork, u: int, v: int) -> int:
    return next(e for e in range(net.n_edges) if net.src[e] == u and net.dst[e] == v)


def situation_on(net: RoadNetwork, origin: int, exit_node: int) -> Situation:
    return make_situation(net, [origin], [[exit_node]])


def test_a_banned_left_turn_forces_the_detour() -> None:
    net = cross_with_ring()
    s = situation_on(net, 0, 4)  # west to north: a left turn at the cross
    direct = reach(s).exits[0].travel_time_s
    banned = dataclasses.replace(net, banned_turns=np.array([[edge(net, 0, 1), edge(net, 1, 4)]]))
    r = routes(situation_on(banned, 0, 4), k=0)[0]
    assert [int(banned.dst[e]) for e in r.edges] == [1, 3, 5, 4]  # straight on, round the ring
    assert direct is not None and r.travel_time_s > direct
    assert r.travel_time_s == pytest.approx(
        line_graph_time(situation_on(banned, 0, 4), np.array([4]))
    )


def test_a_ban_that_leaves_no_legal_route_reports_the_road_route() -> None:
    net = network_from_segments(CROSS, [(0, 1), (1, 2), (1, 3), (1, 4)])
    west_in = edge(net, 0, 1)
    rows = [[west_in, edge(net, 1, k)] for k in (2, 3, 4)]  # no way on from the west arm
    banned = dataclasses.replace(net, banned_turns=np.array(rows))
    s = situation_on(banned, 0, 4)
    assert line_graph_time(s, s.exits[0]) == math.inf
    r = reach(s)
    assert r.status == "open" and r.exits[0].reachable  # a closure is a road, not a turn
    route = routes(s, k=0)[0]
    assert [int(net.dst[e]) for e in route.edges] == [1, 4]
    assert route.travel_time_s == pytest.approx(path_time_s(net, route.edges))


OSM_NODES = "\n".join(
    f'<node id="{i + 1}" version="1" lat="{lat}" lon="{lon}"/>'
    for i, (lon, lat) in enumerate(
        [(24.0, 60.0), (24.001, 60.0), (24.001, 59.999), (24.002, 60.0), (24.001, 60.001)]
    )
)
# ways: 10 west arm (1-2), 11 south (2-3), 12 east (2-4), 13 north (2-5)
OSM_WAYS = "\n".join(
    f'<way id="{w}" version="1"><nd ref="{a}"/><nd ref="{b}"/><tag k="highway" v="primary"/></way>'
    for w, a, b in [(10, 1, 2), (11, 2, 3), (12, 2, 4), (13, 2, 5)]
)


def write_osm(tmp_path: Path, relations: str) -> Path:
    path = tmp_path / "cross.osm"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        f"{OSM_NODES}\n{OSM_WAYS}\n{relations}\n</osm>\n"
    )
    return path


def relation(rid: int, tags: dict[str, str], members: list[tuple[str, int, str]]) -> str:
    m = "".join(f'<member type="{t}" ref="{r}" role="{role}"/>' for t, r, role in members)
    k = "".join(f'<tag k="{a}" v="{b}"/>' for a, b in tags.items())
    return f'<relation id="{rid}" version="1">{m}{k}</relation>'


def turns_of(net: RoadNetwork) -> set[tuple[int, int]]:
    """Banned turns as (from way, to way)."""
    return {(int(net.way_id[a]), int(net.way_id[b])) for a, b in net.banned_turns}


def test_restrictions_are_read_from_osm(tmp_path: Path) -> None:
    rels = "\n".join(
        [
            relation(
                1,
                {"type": "restriction", "restriction": "no_left_turn"},
                [("way", 10, "from"), ("node", 2, "via"), ("way", 13, "to")],
            ),
            relation(
                2,
                {"type": "restriction", "restriction": "only_straight_on"},
                [("way", 11, "from"), ("node", 2, "via"), ("way", 13, "to")],
            ),
            # exempts cars
            relation(
                3,
                {"type": "restriction", "restriction": "no_right_turn", "except": "psv;motorcar"},
                [("way", 10, "from"), ("node", 2, "via"), ("way", 11, "to")],
            ),
            # only at some times: left out
            relation(
                4,
                {
                    "type": "restriction",
                    "restriction:conditional": "no_left_turn @ (Mo-Fr 07:00-09:00)",
                },
                [("way", 12, "from"), ("node", 2, "via"), ("way", 11, "to")],
            ),
            # via a way: left out
            relation(
                5,
                {"type": "restriction", "restriction": "no_u_turn"},
                [("way", 10, "from"), ("way", 12, "via"), ("way", 10, "to")],
            ),
            # cars only, by type
            relation(
                6,
                {"type": "restriction:motorcar", "restriction": "no_right_turn"},
                [("way", 12, "from"), ("node", 2, "via"), ("way", 13, "to")],
            ),
        ]
    )
    path = write_osm(tmp_path, rels)
    net = load_osm(path, "car", use_cache=False)
    # only_straight_on from the south arm bans every other way out, the u-turn included
    assert turns_of(net) == {(10, 13), (11, 10), (11, 12), (11, 11), (12, 13)}
    stats = net.meta["turn_restrictions"]
    assert (stats["conditional"], stats["via_way"], stats["except_car"]) == (1, 1, 1)
    assert load_osm(path, "walkers", use_cache=False).banned_turns.shape == (0, 2)
    # west to north: the left turn is banned, and so is the right turn from the east arm; the
    # one legal way turns right into the south arm, u-turns at its dead end and goes straight on
    node = net.nodes_by_osm_id(np.array([1, 2, 3, 5]))
    s = situation_on(net, int(node[0]), int(node[3]))
    route = routes(s, k=0)[0]
    assert net.node_osm_id[net.dst[route.edges]].tolist() == [2, 3, 2, 5]
    assert route.travel_time_s == pytest.approx(line_graph_time(s, s.exits[0]))


def test_banned_turns_survive_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    rels = relation(
        1,
        {"type": "restriction", "restriction": "no_left_turn"},
        [("way", 10, "from"), ("node", 2, "via"), ("way", 13, "to")],
    )
    path = write_osm(tmp_path, rels)
    built = load_osm(path, "car")
    cached = load_osm(path, "car")
    assert "cache" in cached.meta and "cache" not in built.meta
    assert cached.banned_turns.dtype == np.int64
    assert np.array_equal(cached.banned_turns, built.banned_turns)
    assert turns_of(cached) == {(10, 13)}


def reference_bans(net: RoadNetwork, table: Restrictions) -> set[tuple[int, int]]:
    """The banned (incoming, outgoing) edge pairs, restriction by restriction, in plain Python."""
    out: set[tuple[int, int]] = set()
    for frm, via_id, to, only in zip(
        table.from_way.tolist(),
        table.via_node.tolist(),
        table.to_way.tolist(),
        table.only.tolist(),
        strict=True,
    ):
        via = int(net.nodes_by_osm_id(np.array([via_id]))[0])
        if via < 0:
            continue
        ins = [e for e in range(net.n_edges) if net.dst[e] == via and net.way_id[e] == frm]
        outs = [e for e in range(net.n_edges) if net.src[e] == via]
        if not any(net.way_id[e] == to for e in outs):
            continue
        bans = [e for e in outs if (net.way_id[e] == to) != only]
        out |= {(a, b) for a in ins for b in bans}
    return out


@settings(max_examples=examples(1.0), deadline=None)
@given(road_networks(), st.data())
def test_banned_turns_match_a_plain_reading(net: RoadNetwork, data: st.DataObject) -> None:
    n_ways, n_nodes = int(net.way_id.max()), net.n_nodes
    rows = data.draw(
        st.lists(
            st.tuples(
                st.integers(1, n_ways + 1),  # n_ways + 1, n_nodes + 1: not in the network
                st.integers(1, n_nodes + 1),
                st.integers(1, n_ways + 1),
                st.booleans(),
            ),
            max_size=8,
        )
    )
    table = Restrictions(
        from_way=np.array([r[0] for r in rows], dtype=np.int64),
        via_node=np.array([r[1] for r in rows], dtype=np.int64),
        to_way=np.array([r[2] for r in rows], dtype=np.int64),
        only=np.array([r[3] for r in rows], dtype=bool),
        skipped={},
    )
    got = banned_turns(net, table)
    assert got.dtype == np.int64 and got.shape[1:] == (2,)
    assert {(int(a), int(b)) for a, b in got} == reference_bans(net, table)


@settings(max_examples=examples(1.0), deadline=None)
@given(road_networks())
def test_dead_ends_are_the_nodes_with_one_neighbour(net: RoadNetwork) -> None:
    """Where u-turns are allowed (``turns._dead_end``), against a plain reading: a node whose
    edges in and out all lead to one other node."""
    from corridor.analysis.turns import _dead_end

    neighbours: list[set[int]] = [set() for _ in range(net.n_nodes)]
    for u, v in zip(net.src.tolist(), net.dst.tolist(), strict=True):
        neighbours[u].add(v)
        neighbours[v].add(u)
    expected = [len(x) == 1 and i not in x for i, x in enumerate(neighbours)]
    assert _dead_end(net).tolist() == expected


def test_the_turn_graph_is_made_once_per_network() -> None:
    """Every origin and set of exits on one network share its turn graph
    (``turns.turn_graph_of``), read only; another network has its own."""
    from corridor.analysis.prepared import Prepared
    from corridor.analysis.turns import turn_graph, turn_graph_of

    net = cross_with_ring()
    a = Prepared.of(situation_on(net, 0, 3)).turns
    b = Prepared.of(situation_on(net, 2, 4)).turns
    assert a is not None and b is not None and a.graph is b.graph is turn_graph_of(net)
    assert not a.graph.turn.flags.writeable
    fresh = turn_graph(net)
    assert np.array_equal(fresh.head, a.graph.head) and np.array_equal(fresh.turn, a.graph.turn)
    assert turn_graph_of(cross_with_ring()) is not a.graph
