"""Encirclement and routes: which exits the origin still reaches, and by which roads.

One multi-source Dijkstra (scipy.sparse.csgraph, C) from every origin node over the open chains
(:mod:`corridor.analysis.chains`: shape nodes contracted away) answers reachability and fastest travel time for every exit at once. Alternatives come from
re-running it with the roads already used made very expensive, so each new route shares as little
road as possible with the ones before.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from corridor.analysis.chains import Chains, chains
from corridor.analysis.results import ExitReach, ReachResult, Route, Status
from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation

# csgraph drops explicit zeros in some code paths; keep every open edge strictly positive.
_EPS_S = 1e-6
ALTERNATIVE_PENALTY = 1000.0


@dataclass(frozen=True, eq=False)
class _Weighted:
    matrix: sp.csr_matrix  # chains (see corridor.analysis.chains) as arcs; parallel arcs kept
    entry_chain: NDArray[np.int64]  # the chain behind each CSR entry
    chains: Chains


def _weighted(situation: Situation, weight: NDArray[np.float64]) -> _Weighted:
    """The open chains as a CSR matrix weighted by the sum of ``weight`` along each chain
    (csgraph relaxes parallel entries and keeps the cheapest)."""
    net = situation.network
    c = chains(situation)
    w = np.bincount(c.chain_of_edge[c.members], weights=weight[c.members], minlength=c.n)
    indptr = np.zeros(net.n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(c.tail, minlength=net.n_nodes), out=indptr[1:])
    # chains come sorted by tail, so chain i is CSR entry i
    m = sp.csr_matrix((w + _EPS_S, c.head, indptr), shape=(net.n_nodes, net.n_nodes))
    return _Weighted(matrix=m, entry_chain=np.arange(c.n, dtype=np.int64), chains=c)


def _path_edges(wg: _Weighted, pred: NDArray[np.int32], target: int) -> NDArray[np.int64]:
    """The road edges of the shortest-path tree's path to ``target`` (cheapest of parallels)."""
    nodes = [target]
    while pred[nodes[-1]] >= 0:
        nodes.append(int(pred[nodes[-1]]))
    nodes.reverse()
    m = wg.matrix
    path = np.empty(len(nodes) - 1, dtype=np.int64)
    for i, (a, b) in enumerate(itertools.pairwise(nodes)):
        lo, hi = m.indptr[a], m.indptr[a + 1]
        cand = lo + np.flatnonzero(m.indices[lo:hi] == b)
        path[i] = wg.entry_chain[cand[int(np.argmin(m.data[cand]))]]
    return wg.chains.edges_of(path)


def _fastest(
    situation: Situation, weight: NDArray[np.float64]
) -> tuple[_Weighted, NDArray[np.float64], NDArray[np.int32]]:
    wg = _weighted(situation, weight)
    dist, pred, _src = dijkstra(
        wg.matrix,
        directed=True,
        indices=situation.origin,
        return_predecessors=True,
        min_only=True,
    )
    return wg, dist, pred


@lru_cache(maxsize=8)
def _base_search(
    situation: Situation,
) -> tuple[_Weighted, NDArray[np.float64], NDArray[np.int32]]:
    """The fastest-time search from the origin, shared by ``reach`` and ``routes``."""
    return _fastest(situation, situation.network.travel_time_s)


def reach(situation: Situation) -> ReachResult:
    """Status and, per exit, whether it is reachable and the fastest travel time and distance."""
    net = situation.network
    wg, dist, pred = _base_search(situation)
    exits = []
    for name, nodes in zip(situation.exit_names, situation.exits, strict=True):
        d = dist[nodes]
        j = int(np.argmin(d))
        if not np.isfinite(d[j]):
            exits.append(ExitReach(name, False, None, None))
            continue
        path = _path_edges(wg, pred, int(nodes[j]))
        exits.append(
            ExitReach(
                name,
                True,
                float(net.travel_time_s[path].sum()),
                float(net.length_m[path].sum()),
            )
        )
    status: Status = "open" if any(x.reachable for x in exits) else "sealed"
    # junctions come from the search; the shape nodes inside chains whose start it reached
    c = wg.chains
    reached_mask = np.isfinite(dist)
    junction_reached = reached_mask.copy()
    inside = c.members[junction_reached[c.tail][c.chain_of_edge[c.members]]]
    reached_mask[net.dst[inside]] = True
    reached_mask[net.dst[c.stub_members[junction_reached[c.stub_tail]]]] = True
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
    base = _base_search(situation)  # rank 0 of every exit shares one search
    for name, nodes in zip(situation.exit_names, situation.exits, strict=True):
        weight = net.travel_time_s.copy()
        used_segments: set[int] = set()
        fastest: Route | None = None
        for rank in range(k + 1):
            wg, dist, pred = base if rank == 0 else _fastest(situation, weight)
            d = dist[nodes]
            j = int(np.argmin(d))
            if not np.isfinite(d[j]):
                break
            path = _path_edges(wg, pred, int(nodes[j]))
            if len(path) == 0:
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
            weight[net.segment_mask(path)] *= ALTERNATIVE_PENALTY
    return out
