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
from scipy.sparse.csgraph import dijkstra

from corridor.analysis.contract import SINK, SOURCE, flow_graph
from corridor.analysis.results import EvacuationResult
from corridor.model.situation import Situation

_EPS = 1e-12
METHOD = "quickest flow by temporally repeated flows (successive shortest paths)"


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
    """
    m = len(u)
    if demand <= 0:
        return 0.0, 0, 0
    # residual arcs: forward a in [0, m), backward m + a
    tail = np.concatenate([u, v]).astype(np.int64)
    head = np.concatenate([v, u]).astype(np.int64)
    cost = np.concatenate([transit, -transit]).astype(np.float64)
    resid = np.concatenate([capacity, np.zeros(m)]).astype(np.float64)
    pot = np.zeros(n)
    flow_value = 0.0
    total_cost = 0.0
    best: float | None = None
    best_rate = 0.0
    paths = 0
    while paths < max_paths:
        live = resid > 0
        ai = np.flatnonzero(live)
        red = np.maximum(cost[ai] + pot[tail[ai]] - pot[head[ai]], 0.0) + _EPS
        # keep the cheapest live arc per (tail, head) pair
        order = np.lexsort((red, head[ai], tail[ai]))
        ai, red = ai[order], red[order]
        first = np.ones(len(ai), dtype=bool)
        first[1:] = (tail[ai][1:] != tail[ai][:-1]) | (head[ai][1:] != head[ai][:-1])
        ai, red = ai[first], red[first]
        g = sp.csr_matrix((red, (tail[ai], head[ai])), shape=(n, n))
        dist, pred = dijkstra(g, directed=True, indices=source, return_predecessors=True)
        if not np.isfinite(dist[sink]):
            break
        # the arcs of the path
        lookup = {(int(tail[a]), int(head[a])): int(a) for a in ai}
        arcs = []
        x = sink
        while x != source:
            p = int(pred[x])
            arcs.append(lookup[(p, x)])
            x = p
        arcs_a = np.array(arcs, dtype=np.int64)
        path_cost = float(cost[arcs_a].sum())
        if best is not None and path_cost >= best:
            break
        delta = float(resid[arcs_a].min())
        resid[arcs_a] -= delta
        twin = np.where(arcs_a < m, arcs_a + m, arcs_a - m)
        resid[twin] += delta
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
        net.travel_time_s[fg.edge] / 3600.0,
        float(population),
    )
    return EvacuationResult(
        population=int(population), hours=hours, flow_pph=rate, paths_used=paths, method=METHOD
    )
