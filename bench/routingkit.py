"""RoutingKit's customizable contraction hierarchies (pyroutingkit) as the routing peer.

The performance issue's yardstick for "a one-road closure plus fastest route": RoutingKit
preprocesses the topology once (not counted against either side), customises the travel-time
metric, then absorbs a closure as a partial weight update and answers a point-to-point query.
corridor does the same closure as a mask change (``Situation.with_closed``) and answers twice:
with ``fastest_path`` to the same exit (RoutingKit's task, though from the whole origin area to
the whole exit area), and with ``reach``: the fastest route to every exit (a backward A* from
each, bounded by travel times with every road open, computed once per network like an index)
and every node the origin still reaches, so it answers more than the one query RoutingKit is
timed on.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np


def bench_routingkit(situation: Any, closed: np.ndarray, repeats: int) -> dict[str, Any] | None:
    """Timings of RoutingKit and corridor for one closure plus the fastest route (None when
    pyroutingkit is not installed)."""
    try:
        from pyroutingkit import INF_WEIGHT, CCHMetric, CCHTopology
    except ImportError:
        return None
    from corridor.analysis.prepared import Prepared
    from corridor.analysis.routes import fastest_path, reach

    net = situation.network
    # corridor's index, built once per network, origin and exits (like RoutingKit's preprocessing)
    prepared = Prepared.of(situation)
    _ = prepared.chain_graph, prepared.bound, prepared.turns
    keep = np.flatnonzero(situation.open)
    tail = net.src[keep].astype(np.uint32)
    head = net.dst[keep].astype(np.uint32)
    weights = np.maximum(np.rint(net.travel_time_s[keep] * 1000), 1).astype(np.uint32)
    t0 = time.perf_counter()
    topo = CCHTopology()
    topo.build(tail, head, net.lat.astype(np.float32), net.lon.astype(np.float32), net.n_nodes)
    metric = CCHMetric(topo)
    metric.customize(weights)
    prep_s = time.perf_counter() - t0
    arc_of_edge = np.full(net.n_edges, -1, dtype=np.int64)
    arc_of_edge[keep] = np.arange(len(keep))
    segs = net.segment_mask(closed)
    arcs = arc_of_edge[segs & situation.open]
    arcs = arcs[arcs >= 0].astype(np.uint32)
    source = int(situation.origin[0])
    target = int(situation.exits[0][0])
    rk_times, ours_times, path_times = [], [], []
    rk_answer = ours_answer = path_answer = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        metric.update_weights(arcs, np.full(len(arcs), INF_WEIGHT, dtype=np.uint32))
        dist, _nodes, _arcs = metric.query(source, target)
        rk_times.append(time.perf_counter() - t0)
        rk_answer = dist < INF_WEIGHT
        metric.update_weights(arcs, weights[arcs])  # reopen for the next repeat
        t0 = time.perf_counter()
        path = fastest_path(
            situation.with_closed(closed, reason="bench closure"), 0, prepared=prepared
        )
        path_times.append(time.perf_counter() - t0)
        path_answer = path is not None
        t0 = time.perf_counter()
        r = reach(situation.with_closed(closed, reason="bench closure"), prepared=prepared)
        ours_times.append(time.perf_counter() - t0)
        ours_answer = r.exits[0].reachable
    rk = statistics.median(rk_times)
    ours = statistics.median(ours_times)
    one = statistics.median(path_times)
    return {
        "routingkit_preprocess_s": prep_s,
        "routingkit_update_query_s": rk,
        "corridor_closure_route_s": one,
        "ratio_route_over_routingkit": one / rk if rk else None,
        "corridor_closure_reach_s": ours,
        "ratio_corridor_over_routingkit": ours / rk if rk else None,
        "corridor_route_reaches_exit": bool(path_answer),
        "closed_arcs": len(arcs),
        "routingkit_reaches_exit": bool(rk_answer),
        "corridor_reaches_exit": bool(ours_answer),
    }
