"""Turn costs on paths, after OSRM's car profile (``process_turn`` in ``profiles/car.lua``).

A vehicle that turns at a junction slows down: at a node where three or more roads meet, a turn
of angle ``a`` (degrees; 0 straight on, positive to the right, negative to the left) costs a
sigmoid of the angle that reaches ``TURN_PENALTY_S`` for the sharpest turns, biased so that right
turns cost less than left ones (``TURN_BIAS``, right-hand traffic); a left turn also waits for a
gap in the oncoming traffic (``ONCOMING_TURN_PENALTY_S``, scaled by the same kind of sigmoid);
a u-turn, anywhere, adds ``U_TURN_PENALTY_S``. Bends of one road (a node with two roads) cost
nothing, as in OSRM. Constants below, with their sources (also in ``docs/defaults.md``).

The network is node-based (one node per OSM node), so turns are weighed by a second search over
its directed edges (:func:`turn_graph`, :func:`turn_route`): a route is a sequence of edges, and
going from one edge onto the next costs the next edge's time plus the turn between them
(:func:`pair_turn_costs_s`, the same function :func:`turn_costs_s` charges a path with, so the
times reported are those the search minimised). The search never takes a turn that an OSM turn
restriction bans (``RoadNetwork.banned_turns``, read by :mod:`corridor.network.osm`), and, as OSRM,
makes u-turns only at dead ends. The routes and times corridor reports for vehicles come from it
(:mod:`corridor.analysis.routes`). Walkers turn freely and ignore restrictions.

Reachability (open or sealed, what the origin still reaches), cuts and flows stay node-based: a
closure is a road, not a turn, and a restriction is a rule that people fleeing may break. Where
restrictions leave no legal route to an exit the roads still reach, the road route is reported
with its turns costed (:attr:`corridor.analysis.prepared.SituationWork.turn_routes`).

Angles are read between the points ``LOOKAHEAD_M`` before and after the junction along the two
roads (walked through their bends, stopped at the next junction, as OSRM's coordinate extractor
does without lane data), on a local flat approximation. OSRM reads the side of the road per way;
corridor assumes right-hand traffic everywhere and does not know roundabouts here (OSRM spares
their exits the oncoming-traffic penalty).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from weakref import WeakKeyDictionary

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.model.network import RoadNetwork

# car.lua (osrm-bindings 26.10.0): ``turn_penalty``, ``turn_bias``, ``oncoming_turn_penalty``,
# ``properties.u_turn_penalty``. car.lua: the sigmoid's "values here were chosen by fitting the
# function to some turn penalty samples from real driving".
TURN_PENALTY_S: Final[float] = 7.5
TURN_BIAS: Final[float] = 1.075
ONCOMING_TURN_PENALTY_S: Final[float] = 2.0
U_TURN_PENALTY_S: Final[float] = 20.0
# OSRM's coordinate extractor (``LOOKAHEAD_DISTANCE_WITHOUT_LANES``, extractor/intersection/
# coordinate_extractor.cpp): a turn's angle is read between points this far (metres) along the
# roads on either side of the junction
LOOKAHEAD_M: Final[float] = 10.0


Points = tuple[NDArray[np.float64], NDArray[np.float64]]
"""Per edge, the points back from its end and ahead from its start where turn angles are read."""


def turn_angles(network: RoadNetwork, path: NDArray[np.integer[Any]]) -> NDArray[np.float64]:
    """The turn angle (degrees in (-180, 180], positive to the right) at each node between two
    consecutive edges of ``path``; 180 for a u-turn.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments(
    ...     [(0.0, 0.0), (0.001, 0.0), (0.001, -0.001), (0.002, 0.0)], [(0, 1), (1, 2), (1, 3)]
    ... )
    >>> e = {(int(net.src[i]), int(net.dst[i])): i for i in range(net.n_edges)}
    >>> turn_angles(net, np.array([e[0, 1], e[1, 2]])).round().tolist()  # east, then south
    [90.0]
    >>> turn_angles(net, np.array([e[0, 1], e[1, 0]])).tolist()
    [180.0]
    """
    path = np.asarray(path, dtype=np.int64)
    if len(path) < 2:
        return np.zeros(0)
    return pair_turn_angles(network, path[:-1], path[1:])


def pair_turn_angles(
    network: RoadNetwork,
    a: NDArray[np.integer[Any]],
    b: NDArray[np.integer[Any]],
    points: Points | None = None,
) -> NDArray[np.float64]:
    """The turn angle (degrees, positive to the right; 180 for a u-turn) from each edge of ``a``
    onto the edge of ``b`` at the same place (``network.dst[a] == network.src[b]``).

    The angle is read between the point ``LOOKAHEAD_M`` back along the incoming road and the
    point that far along the outgoing one, each walked through the bends of its road (nodes
    where two roads meet) and stopped at the next junction or dead end: a function of the two
    edges alone, so that a search over edges weighs the same turns as a path is charged.
    ``points``: those points of every edge, computed once (:func:`edge_points`; the same values).
    """
    ins = np.asarray(a, dtype=np.int64)
    outs = np.asarray(b, dtype=np.int64)
    via = network.dst[ins]
    pts = np.column_stack([network.lon[via], network.lat[via]])
    if points is None:
        back, ahead = _along(network, ins, backward=True), _along(network, outs, backward=False)
    else:
        back, ahead = points[0][ins], points[1][outs]
    return _turn_angle(network, ins, outs, _heading(back, pts), _heading(pts, ahead))


def _turn_angle(
    network: RoadNetwork,
    ins: NDArray[np.int64],
    outs: NDArray[np.int64],
    h_in: NDArray[np.float64],
    h_out: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The turn angle from each edge of ``ins`` (arriving on heading ``h_in``) onto the edge of
    ``outs`` (leaving on heading ``h_out``); 180 for a u-turn."""
    angle = (h_out - h_in + 180.0) % 360.0 - 180.0
    angle = np.where(angle == -180.0, 180.0, angle)
    return np.where(network.src[ins] == network.dst[outs], 180.0, angle)


def edge_headings(
    network: RoadNetwork, points: Points
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per edge, the heading a vehicle arrives on at its end (from the point ``LOOKAHEAD_M``
    back) and the one it leaves its start on (to the point that far ahead): what
    :func:`pair_turn_angles` computes per pair, computed once per edge (the same numbers)."""
    lon, lat = network.lon, network.lat
    at_end = np.column_stack([lon[network.dst], lat[network.dst]])
    at_start = np.column_stack([lon[network.src], lat[network.src]])
    return _heading(points[0], at_end), _heading(at_start, points[1])


# a walk along a road's bends stops after this many edges (a ring of zero-length edges)
_MAX_WALK = 64


def _next_along(
    network: RoadNetwork, edges: NDArray[np.int64], *, backward: bool
) -> NDArray[np.int64]:
    """The edge that continues each of ``edges`` along its road through a bend (backward: the
    edge before it; forward: the one after it), -1 where its end is a junction or a dead end."""
    if backward:
        node, other = network.src[edges], network.dst[edges]
        indptr, ids = network.in_edges
        ends = network.src
    else:
        node, other = network.dst[edges], network.src[edges]
        indptr, ids = network.indptr, None  # the edges leaving a node are numbered in a row
        ends = network.dst
    lo, hi = indptr[node], indptr[node + 1]
    bend = (network.road_count[node] == 2) & (hi > lo)
    # at a bend at most two neighbours; the node's edges are sorted by neighbour, so the first
    # or the last one leads to the other neighbour, if any
    lo, hi = np.where(bend, lo, 0), np.where(bend, hi - 1, 0)
    first = lo if ids is None else ids[lo]
    last = hi if ids is None else ids[hi]
    pick = np.where(ends[first] != other, first, np.where(ends[last] != other, last, -1))
    return np.where(bend, pick, -1)


def _along(
    network: RoadNetwork, edges: NDArray[np.int64], *, backward: bool
) -> NDArray[np.float64]:
    """The point (rows of lon, lat) ``LOOKAHEAD_M`` back from the end of each of ``edges``
    (backward) or ahead from its start, along its road through bends, stopped at a junction."""
    length = network.length_m
    cur = edges.copy()
    left = np.full(len(edges), LOOKAHEAD_M)
    active = np.ones(len(edges), dtype=bool)
    for _ in range(_MAX_WALK):
        active &= left > length[cur]
        if not active.any():
            break
        idx = np.flatnonzero(active)
        nxt = _next_along(network, cur[idx], backward=backward)
        go = nxt >= 0
        moved = idx[go]
        left[moved] -= length[cur[moved]]
        cur[moved] = nxt[go]
        active[idx[~go]] = False
    seg = length[cur]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(seg > 0, np.minimum(left / seg, 1.0), 1.0)
    near = network.dst[cur] if backward else network.src[cur]
    far = network.src[cur] if backward else network.dst[cur]
    lon = network.lon[near] + t * (network.lon[far] - network.lon[near])
    lat = network.lat[near] + t * (network.lat[far] - network.lat[near])
    return np.column_stack([lon, lat])


def _heading(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Compass heading (degrees clockwise from north) from points ``a`` to points ``b`` (rows of
    lon, lat), on a local flat approximation."""
    lat = np.radians((a[:, 1] + b[:, 1]) / 2.0)
    return np.degrees(np.arctan2((b[:, 0] - a[:, 0]) * np.cos(lat), b[:, 1] - a[:, 1]))


def turn_costs_s(network: RoadNetwork, path: NDArray[np.integer[Any]]) -> NDArray[np.float64]:
    """Seconds each turn of ``path`` costs a vehicle (one value per node between two of its
    edges); zeros for walkers, who turn freely.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments(
    ...     [(0.0, 0.0), (0.001, 0.0), (0.001, -0.001), (0.002, 0.0), (0.001, 0.001)],
    ...     [(0, 1), (1, 2), (1, 3), (1, 4)],
    ... )
    >>> e = {(int(net.src[i]), int(net.dst[i])): i for i in range(net.n_edges)}
    >>> def cost(k):
    ...     return round(float(turn_costs_s(net, np.array([e[0, 1], e[1, k]]))[0]), 2)
    >>> cost(3), cost(2), cost(4)  # straight on, right, left (across the oncoming traffic)
    (0.01, 2.11, 7.32)
    """
    path = np.asarray(path, dtype=np.int64)
    if len(path) < 2:
        return np.zeros(0)
    return pair_turn_costs_s(network, path[:-1], path[1:])


def pair_turn_costs_s(
    network: RoadNetwork,
    a: NDArray[np.integer[Any]],
    b: NDArray[np.integer[Any]],
    points: Points | None = None,
    headings: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> NDArray[np.float64]:
    """Seconds the turn from each edge of ``a`` onto the edge of ``b`` costs (zeros for walkers):
    the cost :func:`turn_costs_s` charges a path, and the search of :func:`turn_graph` weighs.
    ``headings``: every edge's (:func:`edge_headings`, for many pairs; the same values)."""
    ins = np.asarray(a, dtype=np.int64)
    outs = np.asarray(b, dtype=np.int64)
    if len(ins) == 0 or not network.mover.honours_oneway:
        return np.zeros(len(ins))
    junction = network.road_count[network.dst[ins]] > 2
    u_turn = network.src[ins] == network.dst[outs]
    cost = np.zeros(len(ins))
    costed = np.flatnonzero(junction | u_turn)  # a bend of one road costs nothing
    ins, outs = ins[costed], outs[costed]
    if headings is None:
        angle = pair_turn_angles(network, ins, outs, points)
    else:
        angle = _turn_angle(network, ins, outs, headings[0][ins], headings[1][outs])
    cost[costed] = turn_cost_s(angle, u_turn=u_turn[costed], junction=junction[costed])
    return cost


def turn_cost_s(
    angle: NDArray[np.float64],
    *,
    u_turn: NDArray[np.bool_],
    junction: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """car.lua's turn duration for turn angles in degrees (positive to the right), at a junction
    of three or more roads or a u-turn; right-hand traffic."""
    p, bias = TURN_PENALTY_S, TURN_BIAS
    a = np.asarray(angle, dtype=np.float64)
    u_turn, junction = np.asarray(u_turn), np.asarray(junction)
    # each sigmoid where it applies (the same numbers as computing both everywhere)
    cost = np.empty(a.shape)
    to_right = a >= 0.0
    r, left = a[to_right], a[~to_right]
    cost[to_right] = p / (1.0 + np.exp(-((13.0 / bias) * r / 180.0 - 6.5 * bias)))
    cost[~to_right] = p / (1.0 + np.exp(-((13.0 * bias) * -left / 180.0 - 6.5 / bias)))
    oncoming = ~to_right & ~u_turn & junction
    o = a[oncoming]
    sharpness = 1.0 / (1.0 + np.exp(-(13.0 * np.abs(o) / 180.0 - 3.25)))
    cost[oncoming] = cost[oncoming] + ONCOMING_TURN_PENALTY_S * sharpness
    return cost + np.where(u_turn, U_TURN_PENALTY_S, 0.0)


def path_time_s(
    network: RoadNetwork, path: NDArray[np.integer[Any]], points: Points | None = None
) -> float:
    """Seconds to drive ``path``: its edges' travel times plus its turns (``points``: as
    :func:`pair_turn_angles` takes them, e.g. a :class:`TurnGraph`'s)."""
    path = np.asarray(path, dtype=np.int64)
    turns = pair_turn_costs_s(network, path[:-1], path[1:], points) if len(path) > 1 else 0.0
    return float(network.travel_time_s[path].sum() + np.sum(turns))


def edge_points(network: RoadNetwork) -> Points:
    """Per edge, the points its turns' angles are read at: ``LOOKAHEAD_M`` back from its end
    along its road, and that far ahead from its start (rows of lon, lat)."""
    every = np.arange(network.n_edges, dtype=np.int64)
    return _along(network, every, backward=True), _along(network, every, backward=False)


@dataclass(frozen=True, eq=False)
class TurnGraph:
    """The turns a vehicle may take, for a search over edges (:func:`turn_route`): per edge
    ``b``, the edges ``a`` it may be entered from are ``head[indptr[b]:indptr[b + 1]]``, each
    turn costing ``turn`` seconds (:func:`pair_turn_costs_s`). Left out: the network's
    ``banned_turns`` and u-turns except at dead ends (as OSRM allows them)."""

    indptr: NDArray[np.int64]
    head: NDArray[np.int64]
    turn: NDArray[np.float64]
    points: Points  # :func:`edge_points`


def turn_graph(network: RoadNetwork) -> TurnGraph:
    """The :class:`TurnGraph` of a network (every turn at every node, vectorised).

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments([(0.0, 0.0), (0.001, 0.0), (0.002, 0.0)], [(0, 1), (1, 2)])
    >>> g = turn_graph(net)  # a road with one bend node and two dead ends
    >>> len(g.head)  # straight on either way at the bend; a u-turn at each dead end
    4
    """
    m = network.n_edges
    src, dst = network.src.astype(np.int64), network.dst.astype(np.int64)
    in_ptr, in_ids = network.in_edges
    # every (a, b) with dst[a] == src[b], grouped by b
    count = in_ptr[src + 1] - in_ptr[src]
    b = np.repeat(np.arange(m, dtype=np.int64), count)
    first = np.repeat(in_ptr[src], count)
    offset = np.arange(len(b), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    a = in_ids[first + offset]
    keep = (src[a] != dst[b]) | _dead_end(network)[src[b]]
    banned = network.banned_turns
    if len(banned):
        keep &= ~np.isin(a * m + b, banned[:, 0] * m + banned[:, 1])
    a, b = a[keep], b[keep]
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(b, minlength=m), out=indptr[1:])
    points = edge_points(network)
    turn = pair_turn_costs_s(network, a, b, points, edge_headings(network, points))
    return TurnGraph(indptr, a, turn.astype(np.float64), points)


_GRAPHS: WeakKeyDictionary[RoadNetwork, TurnGraph] = WeakKeyDictionary()


def turn_graph_of(network: RoadNetwork) -> TurnGraph:
    """:func:`turn_graph`, made once per network while it lives (read only): every origin and
    set of exits on one network (the dates of a workbench, a scan's hubs) shares it."""
    found = _GRAPHS.get(network)
    if found is None:
        found = turn_graph(network)
        for a in (found.indptr, found.head, found.turn, *found.points):
            a.flags.writeable = False
        _GRAPHS[network] = found
    return found


def _dead_end(network: RoadNetwork) -> NDArray[np.bool_]:
    """Per node: whether it has one neighbour in the network (either direction): the least and
    the greatest neighbour over its edges in and out are the same node, not itself."""
    n = network.n_nodes
    src, dst = network.src.astype(np.int64), network.dst.astype(np.int64)
    low = np.full(n, n, dtype=np.int64)
    high = np.full(n, -1, dtype=np.int64)
    for node, other in ((src, dst), (dst, src)):
        np.minimum.at(low, node, other)
        np.maximum.at(high, node, other)
    return (low == high) & (low != np.arange(n))


def turn_bound(
    network: RoadNetwork, graph: TurnGraph, is_origin: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Per edge, a lower bound of the time from the origin to the edge's tail over any route
    that weighs turns and obeys restrictions, in any situation (``inf``: no such route even with
    every road open): the all-open least time from the origin to where the edge begins, turns
    included. One forward Dijkstra over the turn graph
    (:func:`corridor.analysis.kernels.dijkstra_from`) from the edges that leave the origin, a
    turn from ``a`` onto ``b`` weighing ``a``'s time plus the turn's. It is exact with every
    road open, so the search of :func:`turn_route` goes straight to the fastest route there, and
    strays from it only as far as a closure's or a penalty's detours cost. Scaled by
    ``1 - 1e-9``, which keeps it consistent under rounding: the search stays exact.
    """
    m = network.n_edges
    a = graph.head  # the turns grouped by the edge they enter; the search here runs forward
    b = np.repeat(np.arange(m, dtype=np.int64), np.diff(graph.indptr))
    order = np.argsort(a, kind="stable")
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(a, minlength=m), out=indptr[1:])
    weight = network.travel_time_s.astype(np.float64)[a[order]] + graph.turn[order]
    starts = np.flatnonzero(is_origin[network.src]).astype(np.int64)
    least: NDArray[np.float64] = kernels.dijkstra_from(indptr, b[order], weight, starts)
    return least * (1.0 - 1e-9)


def turn_route(
    network: RoadNetwork,
    graph: TurnGraph,
    weight: NDArray[np.float64],
    edge_bound: NDArray[np.float64],
    is_origin: NDArray[np.bool_],
    exit_nodes: NDArray[np.int64],
    *,
    edge_origin: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64] | None:
    """The road edges of the fastest route from the origin to ``exit_nodes``, turns weighed and
    banned turns never taken (None: no such route; empty: the origin holds an exit node).

    A backward A* over edges (:func:`corridor.analysis.kernels.turn_astar`) from the edges that
    enter an exit to the first edge that leaves the origin. ``weight`` is per edge (``inf``:
    closed); ``edge_bound`` per edge a consistent lower bound of the time from the origin to the
    edge's tail (:func:`turn_bound`, or any bound that closures and penalties only loosen).
    ``edge_origin``, when given, is ``is_origin`` at each edge's tail (gathered once by the
    caller, for many searches).
    """
    exit_nodes = np.asarray(exit_nodes, dtype=np.int64)
    if is_origin[exit_nodes].any():
        return np.zeros(0, dtype=np.int64)
    at_exit = np.zeros(network.n_nodes, dtype=bool)
    at_exit[exit_nodes] = True
    starts = np.flatnonzero(at_exit[network.dst]).astype(np.int64)
    goal, parent = kernels.turn_astar(
        graph.indptr,
        graph.head,
        graph.turn,
        weight,
        edge_bound,
        starts,
        is_origin[network.src] if edge_origin is None else edge_origin,
    )
    if goal < 0:
        return None
    out = [int(goal)]
    while parent[out[-1]] >= 0:
        out.append(int(parent[out[-1]]))
    return np.array(out, dtype=np.int64)
