"""Encirclement and routes: which exits the origin still reaches, and by which roads.

The search runs over the chains of the whole network (:mod:`corridor.analysis.chains`: shape
nodes contracted away), with the chains a situation closes weighted ``inf``, so the graph is built
once per network, origin and exits and every situation only changes weights:

* one forward Dijkstra over the whole network (every road open) gives a lower bound of the time
  from the origin to every node, built once like an index;
* the fastest route to each exit is a backward A* from the exit's nodes to the origin (compiled,
  :func:`corridor.analysis.kernels.astar`) guided by that bound, which closures and penalties
  can only make looser, never wrong: it stays near the fastest route and leaves it only as far as
  the detours a closure forces cost;
* what the origin still reaches is one breadth-first search over the open chains;
* for vehicles, the route reported to each exit and its time come from a second search, over
  edges, that weighs every turn (:mod:`corridor.analysis.turns`) and never takes a turn that an
  OSM restriction bans (``RoadNetwork.banned_turns``), guided by the all-open least time from the
  origin. Where the restrictions leave no legal route to an exit the road network still reaches,
  the route of the search over chains is reported, its turns added (a restriction is a traffic
  rule, which people fleeing may break; a closed road is not): the exit stays reachable.

Alternatives come from re-running the search with the roads already used made very expensive,
so each new route shares as little road as possible with the ones before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.prepared import EPS_S, Prepared, SituationWork
from corridor.analysis.results import ExitReach, ReachResult, Route, Status
from corridor.analysis.turns import Points, path_time_s, turn_route
from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation

ALTERNATIVE_PENALTY = 1000.0


def fastest_path(
    situation: Situation, exit_index: int = 0, *, prepared: Prepared | None = None
) -> NDArray[np.int64] | None:
    """The road edges of the fastest route over roads from the origin to one exit (None:
    unreachable), without the rest of the report. Turns are not weighed here; the routes and
    times of :func:`reach` and :func:`routes` weigh them and obey turn restrictions.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> s.network.roads_along(fastest_path(s))
    ('unnamed primary',)
    """
    work = SituationWork(situation, prepared)
    return work.route(work.weights, situation.exits[exit_index])


def exit_reach(
    network: RoadNetwork,
    names: Sequence[str],
    paths: Sequence[NDArray[np.int64] | None],
    points: Points | None = None,
) -> tuple[Status, tuple[ExitReach, ...]]:
    """The status and, per exit, whether it is reachable and the travel time and distance of
    its fastest route (``paths``: road edges per exit, None where unreachable). The time adds
    the route's turns to its edges' times (:mod:`corridor.analysis.turns`).
    (:attr:`SituationWork.turn_routes` gives the routes that weigh turns and obey restrictions.)"""
    exits = tuple(
        one_exit_reach(network, name, path, points) for name, path in zip(names, paths, strict=True)
    )
    return status_of(exits), exits


def one_exit_reach(
    network: RoadNetwork, name: str, path: NDArray[np.int64] | None, points: Points | None = None
) -> ExitReach:
    """:func:`exit_reach` of one exit."""
    if path is None:
        return ExitReach(name, False, None, None)
    time_s = path_time_s(network, path, points)
    return ExitReach(name, True, time_s, float(network.length_m[path].sum()))


def status_of(exits: Sequence[ExitReach]) -> Status:
    """Open while the origin reaches any exit; sealed otherwise."""
    return "open" if any(x.reachable for x in exits) else "sealed"


def reach(situation: Situation, *, prepared: Prepared | None = None) -> ReachResult:
    """Status and, per exit, whether it is reachable and the fastest travel time and distance.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> r = reach(s)
    >>> r.status, r.exits[0].reachable
    ('open', True)
    >>> reach(s.with_closed(np.flatnonzero(s.network.way_id == 13))).status
    'sealed'
    """
    return reach_of(SituationWork(situation, prepared))


def reach_of(work: SituationWork) -> ReachResult:
    """:func:`reach` from a situation's shared work."""
    situation = work.situation
    turns = work.prepared.turns
    points = None if turns is None else turns.graph.points
    status, exits = exit_reach(situation.network, situation.exit_names, work.turn_routes, points)
    return ReachResult(status=status, exits=exits, reached_nodes=reached_nodes_of(work))


def is_open_of(work: SituationWork) -> bool:
    """Whether the origin still reaches an exit (the status of :func:`reach_of` is "open"),
    from the search over chains alone (the turn-aware routes reach the same exits)."""
    return any(path is not None for path in work.search.routes)


def reached_nodes_of(work: SituationWork) -> NDArray[np.int64]:
    """The road nodes the origin reaches over open roads (:attr:`ReachResult.reached_nodes`)."""
    situation = work.situation
    # junctions from one breadth-first search over the open chains; then the nodes along every
    # chain whose start it reached, up to the chain's first closed segment
    graph = work.prepared.chain_graph
    junction_reached = kernels.reach_from(
        graph.fwd_indptr, graph.fwd_head, work.open_chains, situation.origin
    )
    reached_mask = junction_reached.copy()
    base = graph.chains
    kernels.mark_along_chains(
        base.ptr,
        base.members,
        base.tail,
        situation.open,
        junction_reached,
        situation.network.dst,
        reached_mask,
    )
    return np.flatnonzero(reached_mask).astype(np.int64)


def routes(
    situation: Situation,
    *,
    k: int = 2,
    max_stretch: float = 4.0,
    prepared: Prepared | None = None,
) -> list[Route]:
    """The fastest route to each reachable exit, plus up to ``k`` alternatives per exit.

    Parameters
    ----------
    situation
        Open-edge mask, origin nodes and exit nodes.
    k
        Alternatives per exit. Each is found with the road segments of the routes before it
        made ``ALTERNATIVE_PENALTY`` times slower, so it shares as little road as possible;
        it is kept only if it adds road not used before and takes at most ``max_stretch`` times
        the fastest route's travel time.
    max_stretch
        The slowest alternative kept, as a multiple of the fastest route's travel time.
    prepared
        The structures of the situation's network, origin and exits, when the caller holds them.

    Returns
    -------
    list of Route
        Sorted by exit order then rank; rank 0 is the fastest, the alternatives follow in
        increasing travel time.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> [(r.exit, r.rank) for r in routes(two_towns_one_bridge(), k=1)]
    [('East', 0), ('East', 1)]
    """
    return routes_of(SituationWork(situation, prepared), k=k, max_stretch=max_stretch)


def routes_of(
    work: SituationWork,
    *,
    k: int = 2,
    max_stretch: float = 4.0,
    kept: Mapping[int, Sequence[Route]] | None = None,
) -> list[Route]:
    """:func:`routes` from a situation's shared work; ``kept``: per exit index, its routes as
    found before and still the answer (:func:`kept_routes`), taken as they are."""
    situation = work.situation
    net = situation.network
    out: list[Route] = []
    search = work.search  # rank 0 of every exit shares one search
    turns = work.prepared.turns
    for i, (name, nodes, node_first) in enumerate(
        zip(situation.exit_names, situation.exits, search.routes, strict=True)
    ):
        if kept is not None and i in kept:
            out += kept[i]
            continue
        first = work.turn_route_of(i)
        weight = work.open_weight.copy()  # penalised in place for the alternatives
        # alternatives weigh turns too, unless the fastest route had to ignore a restriction
        aware = turns is not None and first is not node_first
        w = search.weights.copy()  # per chain; only the chains of penalised roads change
        used_segments: set[int] = set()
        fastest: Route | None = None
        for rank in range(k + 1):
            if rank == 0:
                path = first
            elif aware and turns is not None:
                path = turn_route(
                    net,
                    turns.graph,
                    weight,
                    turns.edge_bound,
                    work.prepared.is_origin,
                    nodes,
                    edge_origin=turns.edge_origin,
                )
            else:
                path = work.route(w, nodes)
            if path is None or len(path) == 0:
                break
            segs = set(net.segment[path].tolist())
            if rank > 0 and segs <= used_segments:
                break
            tt = path_time_s(net, path, None if turns is None else turns.graph.points)
            if fastest is not None and tt > max_stretch * fastest.travel_time_s:
                break
            length = float(net.length_m[path].sum())
            shared = 0.0
            if fastest is not None:
                in_fastest = np.isin(net.segment[path], net.segment[fastest.edges])
                shared = float(net.length_m[path][in_fastest].sum())
            route = Route(
                exit=name,
                rank=rank,
                edges=path,
                travel_time_s=tt,
                distance_m=length,
                shared_m=shared,
                roads=net.roads_along(path),
                gate=int(path[0]),
            )
            out.append(route)
            fastest = fastest or route
            used_segments |= segs
            if rank < k:
                _penalise(work, weight, w, path)
    return _fastest_first(out)


def kept_routes(
    previous: tuple[Situation, Sequence[ExitReach], Sequence[Route]],
    situation: Situation,
    k: int,
) -> dict[int, tuple[ExitReach, tuple[Route, ...]]]:
    """The exits whose answer an earlier analysis of the same network, origin and exits still
    gives, with that answer (its reach and its routes), by exit index.

    ``previous`` is that situation with its report's ``reach.exits`` and ``routes`` (found with
    ``k`` alternatives and the default ``max_stretch``). When ``situation`` only closes more
    roads (every road open in it was open before), an exit that had all ``k`` alternatives, none
    of whose routes uses a road closed since, keeps them: closures only lengthen other routes,
    so the fastest route is still the fastest, and each alternative, the fastest with the roads
    before it penalised, still is too. An exit with fewer is searched again: the candidate that
    was rejected there (too slow, or adding no road) is not known, and a closure on it can let
    a better one through. So is every exit when a road reopened, or the network, origin or
    exits differ. Exits out of reach stay so. (Where two routes take exactly the same time, a
    search from scratch may pick the other one.)
    """
    before, reaches, found = previous
    if (
        before.network is not situation.network
        or not np.array_equal(before.origin, situation.origin)
        or len(before.exits) != len(situation.exits)
        or not all(np.array_equal(a, b) for a, b in zip(before.exits, situation.exits, strict=True))
        or bool((situation.open & ~before.open).any())
    ):
        return {}
    closed_since = before.open & ~situation.open
    out: dict[int, tuple[ExitReach, tuple[Route, ...]]] = {}
    for i, (name, reached) in enumerate(zip(situation.exit_names, reaches, strict=True)):
        mine = tuple(r for r in found if r.exit == name)
        # none (out of reach, or the origin holds the exit) or all of them
        complete = len(mine) in (0, k + 1)
        if complete and not any(closed_since[r.edges].any() for r in mine):
            out[i] = (reached, mine)
    return out


def _fastest_first(routes: list[Route]) -> list[Route]:
    """Each exit's alternatives in increasing travel time (found in another order: each is the
    fastest with the roads before it penalised), ranked 1, 2, ... after the fastest (rank 0)."""
    out: list[Route] = []
    i = 0
    while i < len(routes):
        j = i + 1
        while j < len(routes) and routes[j].exit == routes[i].exit and routes[j].rank > 0:
            j += 1
        alternatives = sorted(routes[i + 1 : j], key=lambda r: (r.travel_time_s, r.rank))
        out.append(routes[i])
        out += [replace(r, rank=n + 1) for n, r in enumerate(alternatives)]
        i = j
    return out


def _penalise(
    work: SituationWork,
    weight: NDArray[np.float64],
    w: NDArray[np.float64],
    path: NDArray[np.int64],
) -> None:
    """Make the segments of ``path`` ``ALTERNATIVE_PENALTY`` times slower in the per-edge
    ``weight`` and in the per-chain ``w`` (in place; closed chains stay ``inf``)."""
    edges = np.flatnonzero(work.situation.network.segment_mask(path))
    weight[edges] *= ALTERNATIVE_PENALTY
    base = work.prepared.chains
    touched = np.unique(base.chain_of_edge[edges])
    touched = touched[(touched >= 0) & np.isfinite(w[touched])]
    if len(touched):
        starts = base.ptr[touched]
        members = base.edges_of(touched)
        offsets = np.r_[0, np.cumsum(base.ptr[touched + 1] - starts)[:-1]]
        w[touched] = np.add.reduceat(weight[members], offsets) + EPS_S
