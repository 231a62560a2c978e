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
* what the origin still reaches is one breadth-first search over the open chains.

Alternatives come from re-running the search with the roads already used made very expensive,
so each new route shares as little road as possible with the ones before.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.chains import ChainGraph, chain_graph, open_chains
from corridor.analysis.results import ExitReach, ReachResult, Route, Status
from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation

# every chain costs a little more than its travel time, so that zero-time roads stay edges and
# the A* bound (plain travel times) stays strictly below the search's weights
_EPS_S = 1e-6
ALTERNATIVE_PENALTY = 1000.0


@lru_cache(maxsize=4)
def _bound_for(graph: ChainGraph, origin: bytes) -> NDArray[np.float64]:
    return kernels.dijkstra_from(
        graph.fwd_indptr,
        graph.fwd_head,
        graph.chains.travel_time_s,
        np.frombuffer(origin, dtype=np.int64),
    )


def _bound(situation: Situation) -> NDArray[np.float64]:
    """Least time from the origin to every node with every road open (cached per network and
    origin): a lower bound for any situation, and for any penalised weights."""
    return _bound_for(chain_graph(situation), situation.origin.tobytes())


def _chain_weights(situation: Situation) -> NDArray[np.float64]:
    """Per chain of the whole network: its travel time plus a hair, ``inf`` where the situation
    closes it."""
    base = chain_graph(situation).chains
    return np.where(open_chains(situation), base.travel_time_s + _EPS_S, np.inf)


def _route_chains(
    situation: Situation, w: NDArray[np.float64], exit_nodes: NDArray[np.int64]
) -> NDArray[np.int64] | None:
    """The road edges of the fastest route from the origin to ``exit_nodes`` under chain
    weights ``w`` (None: unreachable)."""
    graph = chain_graph(situation)
    bound = _bound(situation)
    is_origin = np.zeros(len(bound), dtype=bool)
    is_origin[situation.origin] = True
    start, pred = kernels.astar(
        graph.bwd_indptr, graph.bwd_head, w[graph.bwd_chain], exit_nodes, is_origin, bound
    )
    if start < 0:
        return None
    out = []
    x = start
    while pred[x] >= 0:
        c = int(graph.bwd_chain[pred[x]])
        out.append(c)
        x = int(graph.chains.head[c])
    return graph.chains.edges_of(np.array(out, dtype=np.int64))


def fastest_path(situation: Situation, exit_index: int = 0) -> NDArray[np.int64] | None:
    """The road edges of the fastest route from the origin to one exit (None: unreachable),
    without the rest of the report."""
    return _route_chains(situation, _chain_weights(situation), situation.exits[exit_index])


@dataclass(frozen=True, eq=False)
class _Search:
    weights: NDArray[np.float64]  # per chain of the whole network
    routes: tuple[NDArray[np.int64] | None, ...]  # per exit: road edges of the fastest route


@lru_cache(maxsize=8)
def _base_search(situation: Situation) -> _Search:
    """The fastest route to every exit, shared by ``reach`` and ``routes``."""
    w = _chain_weights(situation)
    found = tuple(_route_chains(situation, w, nodes) for nodes in situation.exits)
    return _Search(weights=w, routes=found)


def reach(situation: Situation) -> ReachResult:
    """Status and, per exit, whether it is reachable and the fastest travel time and distance."""
    net = situation.network
    search = _base_search(situation)
    exits = []
    for name, path in zip(situation.exit_names, search.routes, strict=True):
        if path is None:
            exits.append(ExitReach(name, False, None, None))
            continue
        exits.append(
            ExitReach(
                name, True, float(net.travel_time_s[path].sum()), float(net.length_m[path].sum())
            )
        )
    status: Status = "open" if any(x.reachable for x in exits) else "sealed"
    # junctions from one breadth-first search over the open chains; then the nodes along every
    # chain whose start it reached, up to the chain's first closed segment
    graph = chain_graph(situation)
    junction_reached = kernels.reach_from(
        graph.fwd_indptr, graph.fwd_head, np.isfinite(search.weights), situation.origin
    )
    reached_mask = junction_reached.copy()
    base = graph.chains
    kernels.mark_along_chains(
        base.ptr, base.members, base.tail, situation.open, junction_reached, net.dst, reached_mask
    )
    reached = np.flatnonzero(reached_mask).astype(np.int64)
    return ReachResult(status=status, exits=tuple(exits), reached_nodes=reached)


def road_label(net: RoadNetwork, e: int) -> str:
    """How a road is named in reports: "name (ref)", the name, the ref, or its class."""
    name, ref = net.edge_name(e), net.edge_ref(e)
    if name and ref:
        return f"{name} ({ref})"
    return name or ref or f"unnamed {net.edge_highway(e) or 'road'}"


def roads_along(net: RoadNetwork, edges: NDArray[np.int64]) -> tuple[str, ...]:
    labels: list[str] = []
    for e in edges:
        label = road_label(net, int(e))
        if not labels or labels[-1] != label:
            labels.append(label)
    return tuple(labels)


def routes(situation: Situation, *, k: int = 2, max_stretch: float = 4.0) -> list[Route]:
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

    Returns
    -------
    list of Route
        Sorted by exit order then rank; rank 0 is the fastest.
    """
    net = situation.network
    out: list[Route] = []
    search = _base_search(situation)  # rank 0 of every exit shares one search
    for name, nodes, first in zip(
        situation.exit_names, situation.exits, search.routes, strict=True
    ):
        weight = net.travel_time_s.copy()
        w = search.weights.copy()  # per chain; only the chains of penalised roads change
        used_segments: set[int] = set()
        fastest: Route | None = None
        for rank in range(k + 1):
            path = first if rank == 0 else _route_chains(situation, w, nodes)
            if path is None or len(path) == 0:
                break
            segs = set(net.segment[path].tolist())
            if rank > 0 and segs <= used_segments:
                break
            tt = float(net.travel_time_s[path].sum())
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
                roads=roads_along(net, path),
                gate=int(path[0]),
            )
            out.append(route)
            fastest = fastest or route
            used_segments |= segs
            if rank < k:
                _penalise(situation, weight, w, path)
    return out


def _penalise(
    situation: Situation,
    weight: NDArray[np.float64],
    w: NDArray[np.float64],
    path: NDArray[np.int64],
) -> None:
    """Make the segments of ``path`` ``ALTERNATIVE_PENALTY`` times slower in the per-edge
    ``weight`` and in the per-chain ``w`` (in place; closed chains stay ``inf``)."""
    edges = np.flatnonzero(situation.network.segment_mask(path))
    weight[edges] *= ALTERNATIVE_PENALTY
    base = chain_graph(situation).chains
    touched = np.unique(base.chain_of_edge[edges])
    touched = touched[(touched >= 0) & np.isfinite(w[touched])]
    if len(touched):
        starts = base.ptr[touched]
        members = base.edges_of(touched)
        offsets = np.r_[0, np.cumsum(base.ptr[touched + 1] - starts)[:-1]]
        w[touched] = np.add.reduceat(weight[members], offsets) + _EPS_S
