"""corridor's analysis against networkx, built independently from the raw edge arrays.

networkx is the reference here, never the engine: every graph below is built in plain Python
from ``network.src``, ``network.dst``, the open mask and the attribute columns, without
corridor's own merging (``corridor.analysis.flow_graph``), so a bug there shows up as a difference.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
from hypothesis import given, settings

from corridor.analysis.cut import max_flow, min_cut
from corridor.analysis.routes import fastest_path, reach, routes
from corridor.analysis.turns import turn_costs_s
from corridor.model.situation import Situation
from strategies import examples, situations

SOURCE, SINK = "origin", "exits"


def nx_open_graph(situation: Situation) -> nx.DiGraph:
    """The open edges as a DiGraph; parallel edges keep the least ``travel_time_s``."""
    net = situation.network
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    for e in np.flatnonzero(situation.open):
        u, v, t = int(net.src[e]), int(net.dst[e]), float(net.travel_time_s[e])
        if not g.has_edge(u, v) or t < g[u][v]["travel_time_s"]:
            g.add_edge(u, v, travel_time_s=t)
    return g


def nx_merged_graph(situation: Situation, weight: str) -> nx.DiGraph:
    """Origin nodes contracted into ``SOURCE``, exit nodes into ``SINK``; open edges only.

    ``weight`` is "count" (capacity 1 per directed edge) or "capacity" (``capacity_pph``);
    parallel edges between two contracted nodes sum their capacities; self-loops are dropped.
    """
    net = situation.network
    label: dict[int, str | int] = {v: v for v in range(net.n_nodes)}
    for nodes in situation.exits:
        for v in nodes.tolist():
            label[v] = SINK
    for v in situation.origin.tolist():
        assert label[v] != SINK, f"origin node {v} is also an exit node; the strategy is broken"
        label[v] = SOURCE
    g = nx.DiGraph()
    g.add_nodes_from([SOURCE, SINK])
    for e in np.flatnonzero(situation.open):
        a, b = label[int(net.src[e])], label[int(net.dst[e])]
        if a == b:
            continue
        c = 1 if weight == "count" else int(net.capacity_pph[e])
        if g.has_edge(a, b):
            g[a][b]["capacity"] += c
        else:
            g.add_edge(a, b, capacity=c)
    return g


def _path_tolerance_s(n_edges: int) -> float:
    # routes.py adds 1e-6 s to every edge so that csgraph keeps zero weights; that may pick a
    # path with fewer edges over one faster by less than 1e-6 s per extra edge.
    return 1e-6 * max(n_edges, 1)


# --------------------------------------------------------------------------------- 1. reach
@settings(max_examples=examples(2.0))
@given(situations())
def test_reach_matches_networkx(situation: Situation) -> None:
    g = nx_open_graph(situation)
    origin = set(situation.origin.tolist())
    dist = nx.multi_source_dijkstra_path_length(g, origin, weight="travel_time_s")
    result = reach(situation)

    reached = set(result.reached_nodes.tolist())
    assert reached == set(dist), (
        f"reached nodes differ: corridor only {sorted(reached - set(dist))}, "
        f"networkx only {sorted(set(dist) - reached)}"
    )
    fastest = {r.exit: r for r in routes(situation, k=0)}
    for name, nodes, got in zip(situation.exit_names, situation.exits, result.exits, strict=True):
        assert got.name == name, f"exit {name!r} reported as {got.name!r}"
        ref_reachable = any(nx.has_path(g, o, x) for o in origin for x in nodes.tolist())
        assert got.reachable == ref_reachable, (
            f"{name}: corridor says reachable={got.reachable}, networkx has_path says "
            f"{ref_reachable}"
        )
        if not ref_reachable:
            assert got.travel_time_s is None and got.distance_m is None, (
                f"{name} is unreachable but has travel time {got.travel_time_s} and distance "
                f"{got.distance_m}"
            )
            continue
        ref_t = min(dist[x] for x in nodes.tolist() if x in dist)
        route = fastest[name]
        # the reported time adds the route's turns (corridor.analysis.turns) to its edges, which
        # are what networkx's node-based search weighs
        turns = float(turn_costs_s(situation.network, route.edges).sum())
        assert math.isclose(
            got.travel_time_s - turns,
            ref_t,
            rel_tol=1e-6,
            abs_tol=_path_tolerance_s(len(route.edges)),
        ), f"{name}: fastest travel time {got.travel_time_s} s, networkx dijkstra {ref_t} s"
        route_length = float(situation.network.length_m[route.edges].sum())
        assert math.isclose(got.distance_m, route_length, rel_tol=1e-12), (
            f"{name}: distance {got.distance_m} m but the fastest route {route.edges.tolist()} "
            f"is {route_length} m long"
        )
    expected_status = "open" if any(x.reachable for x in result.exits) else "sealed"
    assert result.status == expected_status, (
        f"status {result.status!r} but exits reachable: {[x.reachable for x in result.exits]}"
    )


# -------------------------------------------------------------------------------- 2. routes
@settings(max_examples=examples(2.0))
@given(situations())
def test_rank0_route_is_fastest(situation: Situation) -> None:
    g = nx_open_graph(situation)
    dist = nx.multi_source_dijkstra_path_length(
        g, set(situation.origin.tolist()), weight="travel_time_s"
    )
    net = situation.network
    found = routes(situation, k=2)
    for name, nodes in zip(situation.exit_names, situation.exits, strict=True):
        ref = [dist[x] for x in nodes.tolist() if x in dist]
        mine = [r for r in found if r.exit == name]
        if not ref:
            assert mine == [], f"{name} is unreachable in networkx but has routes {mine}"
            continue
        assert mine and mine[0].rank == 0, f"{name} is reachable but has no rank-0 route"
        r0 = mine[0]
        tt = float(net.travel_time_s[r0.edges].sum())
        turns = float(turn_costs_s(net, r0.edges).sum())
        assert math.isclose(r0.travel_time_s, tt + turns, rel_tol=1e-12), (
            f"{name}: rank-0 route reports {r0.travel_time_s} s, its edges sum to {tt} s and "
            f"its turns to {turns} s"
        )
        # the route weighs turns, so its edges alone may take longer than the fastest path
        # without turns, never less (its turn-aware optimality: tests/test_restrictions.py)
        assert tt >= min(ref) - _path_tolerance_s(len(r0.edges)), (
            f"{name}: rank-0 route's edges take {tt} s, networkx's fastest {min(ref)} s"
        )
        for alt in mine[1:]:
            assert alt.travel_time_s >= min(ref) - _path_tolerance_s(len(alt.edges)), (
                f"{name}: alternative rank {alt.rank} ({alt.travel_time_s} s) is faster than "
                f"the fastest possible ({min(ref)} s)"
            )
        times = [r.travel_time_s for r in mine[1:]]
        assert times == sorted(times) and [r.rank for r in mine] == list(range(len(mine))), (
            f"{name}: alternatives out of time order under 'fastest first': "
            f"{[(r.rank, r.travel_time_s) for r in mine]}"
        )


@settings(max_examples=examples(1.0))
@given(situations())
def test_fastest_path_is_a_fastest_open_route_to_its_exit(situation: Situation) -> None:
    g = nx_open_graph(situation)
    dist = nx.multi_source_dijkstra_path_length(
        g, set(situation.origin.tolist()), weight="travel_time_s"
    )
    net = situation.network
    for i, nodes in enumerate(situation.exits):
        ref = [dist[x] for x in nodes.tolist() if x in dist]
        path = fastest_path(situation, i)
        if not ref:
            assert path is None, f"exit {i} is unreachable in networkx, yet a path {path}"
            continue
        assert path is not None and len(path) > 0, f"exit {i} is reachable but has no path"
        assert situation.open[path].all(), "the path uses a closed edge"
        assert np.isin(net.src[path[0]], situation.origin), "the path does not start at the origin"
        assert np.isin(net.dst[path[-1]], nodes), "the path does not end at the exit"
        assert (net.dst[path[:-1]] == net.src[path[1:]]).all(), "the edges do not join up"
        tt = float(net.travel_time_s[path].sum())
        assert math.isclose(tt, min(ref), rel_tol=1e-6, abs_tol=_path_tolerance_s(len(path)))


# ------------------------------------------------------------------------ 3. min cut (count)
@settings(max_examples=examples(2.0))
@given(situations())
def test_min_cut_count_matches_networkx(situation: Situation) -> None:
    net = situation.network
    cut = min_cut(situation)
    ref = nx.minimum_cut_value(nx_merged_graph(situation, "count"), SOURCE, SINK)
    assert cut.count == ref, f"min cut count {cut.count}, networkx minimum_cut_value {ref}"
    assert cut.count == len(cut.edges), f"count {cut.count} but {len(cut.edges)} cut edges"
    segments = np.unique(net.segment[cut.edges])
    assert cut.count == len(segments), (
        f"count {cut.count} but the cut edges {cut.edges.tolist()} span {len(segments)} "
        f"segments {segments.tolist()}"
    )
    assert situation.open[cut.edges].all(), (
        f"cut edges {cut.edges[~situation.open[cut.edges]].tolist()} are already closed"
    )
    assert reach(situation.with_closed(cut.edges)).status == "sealed", (
        f"closing the cut segments {segments.tolist()} leaves the origin open"
    )
    if reach(situation).status == "sealed":
        assert cut.count == 0 and len(cut.edges) == 0, (
            f"already sealed, yet the cut is {cut.edges.tolist()}"
        )


# ---------------------------------------------------------------------- 4. capacity and flow
@settings(max_examples=examples(2.0))
@given(situations())
def test_min_cut_capacity_and_max_flow_match_networkx(situation: Situation) -> None:
    net = situation.network
    cut = min_cut(situation, weight="capacity")
    flow = max_flow(situation)
    ref = nx.maximum_flow_value(nx_merged_graph(situation, "capacity"), SOURCE, SINK)
    assert flow.value_pph == ref, (
        f"max flow {flow.value_pph} pph, networkx maximum_flow_value {ref} pph"
    )
    assert cut.capacity_pph == ref, (
        f"min cut capacity {cut.capacity_pph} pph, networkx maximum_flow_value {ref} pph"
    )
    cut_capacity = int(net.capacity_pph[cut.edges].sum())
    assert cut.capacity_pph == cut_capacity, (
        f"min cut reports {cut.capacity_pph} pph, its edges {cut.edges.tolist()} carry "
        f"{cut_capacity} pph"
    )
    assert reach(situation.with_closed(cut.edges)).status == "sealed", (
        f"closing the capacity cut {cut.edges.tolist()} leaves the origin open"
    )
