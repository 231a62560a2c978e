"""The corridor report computed the natural networkx way, as a peer to time against.

The input is what a networkx/OSMnx user holds: a ``DiGraph`` of the open roads (built once from
the arrays by :func:`open_digraph`, not timed). :func:`nx_report` then does what
``corridor.analysis.report.analyze`` does, with networkx's own algorithms:

- reach: ``multi_source_dijkstra_path_length`` from the origin nodes (travel time); for movers
  that turn as vehicles do, the exit times come from the same Dijkstra on the **turn-expanded
  graph** (:func:`turn_digraph`: one node per open road edge, one arc per turn a vehicle may take
  at a node, weighing the next edge's travel time plus the turn's cost; u-turns only at dead
  ends; OSM's banned turns left out), which is the exact turn-aware optimum that corridor's
  search reports (its cost function, ``corridor.analysis.turns.pair_turn_costs_s``, is the
  model, checked against car.lua in tests/test_timing.py; the search is what is compared);
- routes: per exit, ``multi_source_dijkstra`` to a temporary super-sink (on the turn-expanded
  graph where turns count), then ``k`` more runs with the segments already used made
  ``ALTERNATIVE_PENALTY`` times slower;
- minimum cut (count and capacity): ``minimum_cut`` on the graph with the origin contracted into
  one source and the exits into one sink (parallel edges summed);
- critical segments: when the unit max flow is 1, the saturated unit edges whose ends lie in
  different strongly connected components of the residual network (``preflow_push``'s residual);
- capacity: ``maximum_flow_value`` over ``capacity_pph``;
- evacuation: successive shortest paths (``single_source_dijkstra`` with Johnson potentials on a
  residual ``MultiDiGraph``) walking the quickest-flow breakpoints, as corridor does.

The numbers are compared with corridor's in the benchmark output (``agree``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from networkx.algorithms.flow import preflow_push

from corridor.analysis.routes import ALTERNATIVE_PENALTY
from corridor.model.situation import Situation

SOURCE, SINK, TARGET = "origin", "exits", "target"


@dataclass
class NxReport:
    status: str
    exit_times_s: list[float | None]
    routes: int
    cut_count: int
    cut_capacity_pph: int
    critical: int
    flow_pph: int
    evacuation_hours: float | None


def open_digraph(situation: Situation) -> nx.DiGraph:
    """The open edges as a DiGraph (parallel edges keep the fastest), attributes per edge."""
    net = situation.network
    e = np.flatnonzero(situation.open)
    order = np.lexsort((net.travel_time_s[e], net.dst[e], net.src[e]))[::-1]
    e = e[order]  # slowest first, so the fastest of parallel edges is added last and wins
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    g.add_edges_from(
        (int(u), int(v), {"tt": float(t), "seg": int(s), "cap": int(c)})
        for u, v, t, s, c in zip(
            net.src[e].tolist(),
            net.dst[e].tolist(),
            net.travel_time_s[e].tolist(),
            net.segment[e].tolist(),
            net.capacity_pph[e].tolist(),
            strict=True,
        )
    )
    g.graph["turns"] = turn_digraph(situation)  # the turn-expanded graph, where turns count
    return g


def turn_digraph(situation: Situation) -> nx.DiGraph | None:
    """The open roads as networkx's turn-expanded graph (None for movers who turn freely).

    Nodes are open road edges; an arc ``a -> b`` is a turn from ``a`` onto ``b`` at the node
    between them, with ``tt`` (``b``'s travel time), ``turn`` (the turn's cost, seconds) and
    ``seg`` (``b``'s segment). Left out: u-turns (``b`` back to where ``a`` came from) except at
    dead ends (nodes with one neighbour), and the network's banned turns. Built here from the
    edge arrays, independently of ``corridor.analysis.turns.turn_graph``."""
    from corridor.analysis.turns import edge_points, pair_turn_costs_s

    net = situation.network
    if not net.mover.honours_oneway:
        return None
    src, dst = net.src.astype(np.int64), net.dst.astype(np.int64)
    neighbours: dict[int, set[int]] = {}
    for u, v in zip(src.tolist(), dst.tolist(), strict=True):
        neighbours.setdefault(u, set()).add(v)
        neighbours.setdefault(v, set()).add(u)
    banned = {(int(a), int(b)) for a, b in net.banned_turns.tolist()}
    into: dict[int, list[int]] = {}
    out: dict[int, list[int]] = {}
    for e in np.flatnonzero(situation.open).tolist():
        into.setdefault(int(dst[e]), []).append(e)
        out.setdefault(int(src[e]), []).append(e)
    pairs = [
        (a, b)
        for v, ins in into.items()
        for a in ins
        for b in out.get(v, ())
        if (src[a] != dst[b] or len(neighbours[v]) == 1) and (a, b) not in banned
    ]
    a_arr = np.array([p[0] for p in pairs], dtype=np.int64)
    b_arr = np.array([p[1] for p in pairs], dtype=np.int64)
    turn = pair_turn_costs_s(net, a_arr, b_arr, edge_points(net)) if pairs else np.zeros(0)
    g = nx.DiGraph()
    g.add_nodes_from(np.flatnonzero(situation.open).tolist())
    g.add_edges_from(
        (a, b, {"tt": float(net.travel_time_s[b]), "turn": float(t), "seg": int(net.segment[b])})
        for (a, b), t in zip(pairs, turn.tolist(), strict=True)
    )
    return g


def _turn_times(
    lg: nx.DiGraph, situation: Situation, node_times: list[float | None]
) -> list[float | None]:
    """Per exit, the least turn-aware time: Dijkstra on the turn-expanded graph from a super
    source into every open edge leaving the origin (costing that edge's time) to any open edge
    entering the exit. Where turns leave no legal way but roads do, corridor reports the route
    that ignores them (corridor.analysis.turns): so does this, with its plain time."""
    net = situation.network
    origin = set(situation.origin.tolist())
    starts = [e for e in lg if int(net.src[e]) in origin]
    lg.add_edges_from(
        ("s", e, {"tt": float(net.travel_time_s[e]), "turn": 0.0, "seg": -1}) for e in starts
    )
    dist = nx.single_source_dijkstra_path_length(lg, "s", weight=_turn_weight)
    lg.remove_node("s")
    out: list[float | None] = []
    for nodes, plain in zip(situation.exits, node_times, strict=True):
        at = set(nodes.tolist())
        if plain is None or at & origin:
            out.append(plain)
            continue
        d = [dist[e] for e in dist if e != "s" and int(net.dst[e]) in at]
        out.append(min(d) if d else plain)
    return out


def _turn_weight(u: Any, v: Any, d: dict[str, Any]) -> float:
    return float(d["tt"] + d["turn"])


def _all_parallel_caps(situation: Situation) -> list[tuple[int, int, int, float]]:
    """Every open edge (u, v, capacity, travel time), parallels included (flow needs them)."""
    net = situation.network
    e = np.flatnonzero(situation.open)
    return list(
        zip(
            net.src[e].tolist(),
            net.dst[e].tolist(),
            net.capacity_pph[e].tolist(),
            net.travel_time_s[e].tolist(),
            strict=True,
        )
    )


def _merged(
    situation: Situation, edges: list[tuple[int, int, int, float]], weight: str
) -> nx.DiGraph:
    label: dict[int, Any] = {}
    for nodes in situation.exits:
        label.update(dict.fromkeys(nodes.tolist(), SINK))
    label.update(dict.fromkeys(situation.origin.tolist(), SOURCE))
    g = nx.DiGraph()
    g.add_nodes_from([SOURCE, SINK])
    for u, v, cap, _ in edges:
        a, b = label.get(u, u), label.get(v, v)
        if a in (b, SINK) or b == SOURCE:
            continue
        c = 1 if weight == "count" else cap
        if g.has_edge(a, b):
            g[a][b]["capacity"] += c
        else:
            g.add_edge(a, b, capacity=c)
    return g


def _turn_routes(lg: nx.DiGraph, situation: Situation, k: int, max_stretch: float = 4.0) -> int:
    """:func:`_routes` on the turn-expanded graph: penalties multiply the edges' travel times,
    not the turns'."""
    net = situation.network
    origin = set(situation.origin.tolist())
    starts = [e for e in lg if e != "s" and int(net.src[e]) in origin]
    found = 0
    for nodes in situation.exits:
        at = set(nodes.tolist())
        if at & origin:
            continue
        lg.add_edges_from(
            ("s", e, {"tt": float(net.travel_time_s[e]), "turn": 0.0, "seg": int(net.segment[e])})
            for e in starts
        )
        ends = [e for e in lg if e != "s" and int(net.dst[e]) in at]
        lg.add_edges_from((e, TARGET, {"tt": 0.0, "turn": 0.0, "seg": -1}) for e in ends)
        penalty: dict[int, float] = {}

        def w(u: Any, v: Any, d: dict[str, Any], penalty: dict[int, float] = penalty) -> float:
            return float(d["tt"] * penalty.get(d["seg"], 1.0) + d["turn"])

        used: set[int] = set()
        fastest = None
        for rank in range(k + 1):
            try:
                _, path = nx.single_source_dijkstra(lg, "s", target=TARGET, weight=w)
            except nx.NetworkXNoPath:
                break
            edges = path[1:-1]
            segs = {int(net.segment[e]) for e in edges}
            if not segs or (rank > 0 and segs <= used):
                break
            tt = float(net.travel_time_s[edges[0]]) + sum(
                lg[a][b]["tt"] + lg[a][b]["turn"] for a, b in itertools.pairwise(edges)
            )
            if fastest is not None and tt > max_stretch * fastest:
                break
            fastest = fastest if fastest is not None else tt
            found += 1
            used |= segs
            for s in segs:
                penalty[s] = penalty.get(s, 1.0) * ALTERNATIVE_PENALTY
        lg.remove_nodes_from(["s", TARGET])
    return found


def _routes(g: nx.DiGraph, situation: Situation, k: int, max_stretch: float = 4.0) -> int:
    origin = set(situation.origin.tolist())
    found = 0
    for nodes in situation.exits:
        g.add_edges_from((int(x), TARGET, {"tt": 0.0, "seg": -1}) for x in nodes)
        penalty: dict[int, float] = {}

        def w(u: Any, v: Any, d: dict[str, Any], penalty: dict[int, float] = penalty) -> float:
            return d["tt"] * penalty.get(d["seg"], 1.0)

        used: set[int] = set()
        fastest = None
        for rank in range(k + 1):
            try:
                _, path = nx.multi_source_dijkstra(g, origin, target=TARGET, weight=w)
            except nx.NetworkXNoPath:
                break
            segs = {g[a][b]["seg"] for a, b in itertools.pairwise(path[:-1])}
            if not segs or (rank > 0 and segs <= used):
                break
            tt = sum(g[a][b]["tt"] for a, b in itertools.pairwise(path[:-1]))
            if fastest is not None and tt > max_stretch * fastest:
                break
            fastest = fastest if fastest is not None else tt
            found += 1
            used |= segs
            for s in segs:
                penalty[s] = penalty.get(s, 1.0) * ALTERNATIVE_PENALTY
        g.remove_node(TARGET)
    return found


def _critical(gm: nx.DiGraph) -> int:
    r = preflow_push(gm, SOURCE, SINK, capacity="capacity")
    if r.graph["flow_value"] != 1:
        return 0
    live = nx.DiGraph((u, v) for u, v, d in r.edges(data=True) if d["capacity"] - d["flow"] > 0)
    live.add_nodes_from(r)
    comp = {}
    for i, c in enumerate(nx.strongly_connected_components(live)):
        comp.update(dict.fromkeys(c, i))
    return sum(
        1
        for u, v, d in gm.edges(data=True)
        if d["capacity"] == 1 and r[u][v]["flow"] == 1 and comp[u] != comp[v]
    )


def quickest_hours(situation: Situation, edges: list[tuple[int, int, int, float]], demand: float):
    """Quickest-flow time by successive shortest paths on a residual MultiDiGraph."""
    if demand <= 0:
        return 0.0
    label: dict[int, Any] = {}
    for nodes in situation.exits:
        label.update(dict.fromkeys(nodes.tolist(), SINK))
    label.update(dict.fromkeys(situation.origin.tolist(), SOURCE))
    resid: list[float] = []
    cost: list[float] = []
    g = nx.MultiDiGraph()
    for u, v, cap, tt in edges:
        a, b = label.get(u, u), label.get(v, v)
        if a in (b, SINK) or b == SOURCE:
            continue
        arc = len(resid)
        g.add_edge(a, b, key=arc)
        g.add_edge(b, a, key=arc + 1)
        resid += [float(cap), 0.0]
        cost += [tt / 3600.0, -tt / 3600.0]
    pot: dict[Any, float] = {}

    def red(a: Any, b: Any, arc: int) -> float:
        return max(cost[arc] + pot.get(a, 0.0) - pot.get(b, 0.0), 0.0) + 1e-12

    def w(a: Any, b: Any, keys: dict[int, Any]) -> float | None:
        live = [red(a, b, arc) for arc in keys if resid[arc] > 0]
        return min(live) if live else None

    best: float | None = None
    flow = total = 0.0
    while True:
        try:
            dist, paths = nx.single_source_dijkstra(g, SOURCE, weight=w)
        except nx.NetworkXNoPath:
            break
        if SINK not in dist:
            break
        arcs = []
        for a, b in zip(paths[SINK][:-1], paths[SINK][1:], strict=True):
            arcs.append(min((arc for arc in g[a][b] if resid[arc] > 0), key=lambda x: red(a, b, x)))
        path_cost = sum(cost[a] for a in arcs)
        if best is not None and path_cost >= best:
            break
        delta = min(resid[a] for a in arcs)
        for a in arcs:
            resid[a] -= delta
            resid[a ^ 1] += delta
        flow += delta
        total += delta * path_cost
        t = (demand + total) / flow
        best = t if best is None or t < best else best
        for node, d in dist.items():
            pot[node] = pot.get(node, 0.0) + d
        for node in g:
            if node not in dist:
                pot[node] = pot.get(node, 0.0) + dist[SINK]
    return best


def nx_report(g: nx.DiGraph, situation: Situation, *, k: int = 2, population: int = 0) -> NxReport:
    """The full corridor report with networkx (see the module docstring)."""
    origin = set(situation.origin.tolist())
    dist = nx.multi_source_dijkstra_path_length(g, origin, weight="tt")
    times: list[float | None] = []
    for nodes in situation.exits:
        d = [dist[x] for x in nodes.tolist() if x in dist]
        times.append(min(d) if d else None)
    status = "open" if any(t is not None for t in times) else "sealed"
    lg = g.graph.get("turns")
    if lg is not None:
        times = _turn_times(lg, situation, times)
        n_routes = _turn_routes(lg, situation, k) if status == "open" else 0
    else:
        n_routes = _routes(g, situation, k) if status == "open" else 0
    edges = _all_parallel_caps(situation)
    g_count = _merged(situation, edges, "count")
    g_cap = _merged(situation, edges, "capacity")
    cut_count, _ = nx.minimum_cut(g_count, SOURCE, SINK, capacity="capacity")
    cut_cap, _ = nx.minimum_cut(g_cap, SOURCE, SINK, capacity="capacity")
    critical = _critical(g_count)
    flow = nx.maximum_flow_value(g_cap, SOURCE, SINK, capacity="capacity")
    hours = quickest_hours(situation, edges, float(population))
    return NxReport(
        status=status,
        exit_times_s=times,
        routes=n_routes,
        cut_count=int(cut_count),
        cut_capacity_pph=int(cut_cap),
        critical=critical,
        flow_pph=int(flow),
        evacuation_hours=hours,
    )


def agrees(report: Any, ref: NxReport) -> list[str]:
    """Where corridor's report differs from the networkx one (empty when they agree)."""
    out = []
    if report.status != ref.status:
        out.append(f"status {report.status} vs {ref.status}")
    for x, t in zip(report.reach.exits, ref.exit_times_s, strict=True):
        a = x.travel_time_s
        if (a is None) != (t is None) or (
            a is not None and t is not None and not math.isclose(a, t, rel_tol=1e-6, abs_tol=1e-3)
        ):
            out.append(f"exit {x.name} time {a} vs {t}")
    pairs = [
        ("cut count", report.min_cut.count, ref.cut_count),
        ("capacity cut", report.capacity_cut.capacity_pph, ref.cut_capacity_pph),
        ("critical", len(report.critical), ref.critical),
        ("max flow", report.flow.value_pph, ref.flow_pph),
    ]
    out += [f"{n} {a} vs {b}" for n, a, b in pairs if a != b]
    h, rh = report.evacuation.hours, ref.evacuation_hours
    if (h is None) != (rh is None) or (
        h is not None and rh is not None and not math.isclose(h, rh, rel_tol=1e-6)
    ):
        out.append(f"evacuation {h} vs {rh} h")
    return out
