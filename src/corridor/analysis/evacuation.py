"""Evacuation time: the quickest flow of a population from the origin to the exits.

Model (continuous time, Ford and Fulkerson's temporally repeated flows): every road edge has a
capacity u_e (persons per hour entering it) and a transit time tau_e (hours). A static origin-exit
flow x, repeated from time 0 and stopped in time for the last departures to arrive by T, moves
``T * |x| - sum_e tau_e * x_e`` people by time T; temporally repeated flows are optimal among all
dynamic flows (Ford and Fulkerson 1958). Hence the minimum time to move D people is

    T*(D) = min over static flows x of (D + sum_e tau_e x_e) / |x|

(Burkard, Dlaska and Klinz 1993, "The quickest flow problem"). With c(v) the least cost
``sum tau x`` of a flow of value v (convex and piecewise linear in v), T*(D) = min_v
(D + c(v)) / v, reached at a breakpoint of c. Successive shortest paths (one Dijkstra per
augmentation, scipy.sparse.csgraph, with Johnson potentials) walk those breakpoints in order of
increasing path time, and the search stops as soon as the next path is slower than the best time
so far. Sanity check on one road: T = tau + D / u. Checked in the tests against a brute-force
time-expanded network.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from corridor.analysis.contract import SINK, SOURCE, flow_graph
from corridor.analysis.results import EvacuationResult
from corridor.model.situation import Situation

_EPS = 1e-12
METHOD = "quickest flow by temporally repeated flows (successive shortest paths)"


def _useful_arcs(
    n: int, u: np.ndarray, v: np.ndarray, capacity: np.ndarray, source: int, sink: int
) -> np.ndarray:
    """Arcs with capacity on some source-to-sink path (both ends reachable from the source and
    reaching the sink); the others can never carry flow."""
    live = capacity > 0
    g = sp.csr_matrix((np.ones(int(live.sum()), dtype=np.int8), (u[live], v[live])), shape=(n, n))
    seen_fwd = np.zeros(n, dtype=bool)
    seen_fwd[breadth_first_order(g, source, directed=True, return_predecessors=False)] = True
    seen_bwd = np.zeros(n, dtype=bool)
    seen_bwd[breadth_first_order(g.T.tocsr(), sink, directed=True, return_predecessors=False)] = (
        True
    )
    useful = seen_fwd & seen_bwd
    return np.flatnonzero(live & useful[u] & useful[v])


def quickest_time(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    capacity: np.ndarray,
    transit: np.ndarray,
    demand: float,
    *,
    source: int = SOURCE,
    sink: int = SINK,
    max_paths: int = 100_000,
) -> tuple[float | None, int, int]:
    """Quickest time to send ``demand`` from ``source`` to ``sink`` over arcs (u, v).

    Capacities are flow per time unit, transit times in the same time unit. Returns
    ``(time, flow rate of the optimal static flow, augmenting paths used)``; time is None when
    the sink cannot be reached, 0.0 when the demand is 0.

    The residual graph keeps one CSR layout (arcs sorted by tail) for the whole search; each
    augmentation only recomputes the reduced costs (infinite on saturated arcs), then runs one
    Dijkstra (C). Arcs off every source-to-sink path are dropped first.
    """
    if demand <= 0:
        return 0.0, 0, 0
    keep = _useful_arcs(n, np.asarray(u), np.asarray(v), np.asarray(capacity), source, sink)
    m = len(keep)
    if m == 0:
        return None, 0, 0
    # residual arcs: forward i in [0, m), backward m + i; sorted by tail once
    tail0 = np.concatenate([u[keep], v[keep]]).astype(np.int64)
    order = np.argsort(tail0, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(2 * m)
    tail = tail0[order]
    head = np.concatenate([v[keep], u[keep]]).astype(np.int64)[order]
    cost = np.concatenate([transit[keep], -transit[keep]]).astype(np.float64)[order]
    resid = np.concatenate([capacity[keep], np.zeros(m)]).astype(np.float64)[order]
    twin = rank[(order + m) % (2 * m)]  # sorted position of each arc's reverse
    pot = np.zeros(n)
    flow_value = 0.0
    total_cost = 0.0
    best: float | None = None
    best_rate = 0.0
    paths = 0
    # one CSR layout for the whole search; a saturated arc gets an infinite weight, which
    # csgraph's Dijkstra never relaxes
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    red = np.empty(2 * m)
    g = sp.csr_matrix((red, head, indptr), shape=(n, n))
    while paths < max_paths:
        np.add(cost, pot[tail] - pot[head], out=red)
        np.maximum(red, 0.0, out=red)
        red += _EPS
        red[resid <= 0] = np.inf
        g.data = red
        dist, pred = dijkstra(g, directed=True, indices=source, return_predecessors=True)
        if not np.isfinite(dist[sink]):
            break
        arcs = []
        x = sink
        while x != source:
            p = int(pred[x])
            lo, hi = indptr[p], indptr[p + 1]
            cand = lo + np.flatnonzero(head[lo:hi] == x)
            arcs.append(int(cand[int(np.argmin(red[cand]))]))
            x = p
        arcs_a = np.array(arcs, dtype=np.int64)
        path_cost = float(cost[arcs_a].sum())
        if best is not None and path_cost >= best:
            break
        delta = float(resid[arcs_a].min())
        resid[arcs_a] -= delta
        resid[twin[arcs_a]] += delta
        flow_value += delta
        total_cost += delta * path_cost
        paths += 1
        t = (demand + total_cost) / flow_value
        if best is None or t < best:
            best, best_rate = t, flow_value
        finite = np.isfinite(dist)
        pot[finite] += dist[finite]
        pot[~finite] += dist[sink]
    return best, round(best_rate), paths


def evacuation_time(situation: Situation, population: int) -> EvacuationResult:
    """Hours to move ``population`` people from the origin to the exits (None when sealed).

    Uses the road capacities (persons per hour) and travel times of the open edges; see the
    module docstring for the model and its sources.
    """
    fg = flow_graph(situation)
    net = situation.network
    hours, rate, paths = quickest_time(
        fg.n,
        fg.u,
        fg.v,
        net.capacity_pph[fg.edge].astype(np.float64),
        fg.transit_s / 3600.0,
        float(population),
    )
    return EvacuationResult(
        population=int(population), hours=hours, flow_pph=rate, paths_used=paths, method=METHOD
    )
