"""The evacuation over time (issue 25): ``python -m bench.timed [SIZES]``.

Target: on the synthetic grid of 1M edges (:mod:`bench.synthetic`), 14 days, 3 windows (on
three of the bridges, different hours) and 2 checkpoints (on the other two bridges), one timed evacuation
in at most 2 s on two cores. The peer is networkx's maximum flow on the time-expanded network
(the tests' reference), timed on the sizes it can do; both must agree on the finish.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

import numpy as np

POPULATION = 100_000
START = dt.datetime(2024, 3, 4, 8, 0)
WINDOW_HOURS = ((600, 840), (540, 1020), (360, 720))  # 10-14, 09-17, 06-12
CHECKPOINT_RATES = (1200.0, 800.0)
NX_LIMIT_ARCS = 400_000  # time-expanded arcs networkx is given at most


def case(n_edges: int) -> tuple[Any, list[Any], list[Any]]:
    """The synthetic situation, its 3 windows (bridges) and 2 checkpoints (exits)."""
    from bench import synthetic
    from corridor.model.areas import Area
    from corridor.model.scenario import Checkpoint, Event
    from corridor.model.situation import Closure, build_situation
    from corridor.network.ways import network_from_ways

    c = synthetic.generate(n_edges, seed=0)
    net = network_from_ways(c.table, "car", source=c.name)
    sit = build_situation(net, c.origin, list(c.exits))
    bridge_ways = [i + 1 for i, t in enumerate(c.table.way_tags) if t.get("bridge") == "yes"]
    bridge_ways = [w for w in bridge_ways if np.isin(w, net.way_id)]
    # every way across the river passes a gate: windows on three bridges, checkpoints on the rest
    picks = bridge_ways[:3]

    dlon = synthetic.SPACING_M / (synthetic._M_PER_DEG_LAT * np.cos(np.radians(synthetic.LAT0)))
    river = int(c.side * 0.6) + 0.5  # between grid columns int(0.6 side) and the next

    def crossing(w: int) -> int:
        """The segment of way ``w`` that crosses the river."""
        e = np.flatnonzero(net.way_id == w)
        j0 = (net.lon[net.src[e]] - synthetic.LON0) / dlon
        j1 = (net.lon[net.dst[e]] - synthetic.LON0) / dlon
        return int(
            e[np.flatnonzero((np.minimum(j0, j1) < river) & (np.maximum(j0, j1) > river))[0]]
        )

    def span(w: int) -> Any:
        """The bridge itself: the segment of way ``w`` that crosses the river."""
        e = crossing(w)
        mid = (
            (net.lon[net.src[e]] + net.lon[net.dst[e]]) / 2,
            (net.lat[net.src[e]] + net.lat[net.dst[e]]) / 2,
        )
        return Area(f"bridge {w}", point=(float(mid[0]), float(mid[1])), radius_m=5.0)

    windows = [
        Event(
            f"window-{k}",
            START.date(),
            "window",
            closure=Closure(area=span(w), label=f"bridge way {w}"),
            hours=h,
            until=START.date() + dt.timedelta(days=14),
        )
        for k, (w, h) in enumerate(zip(picks, WINDOW_HOURS, strict=False))
    ]
    posts = []
    for w in bridge_ways[3:5] or bridge_ways[:2]:  # small grids have only two bridges
        e = crossing(w)  # its west end holds the post
        west = int(net.src[e]) if net.lon[net.src[e]] < net.lon[net.dst[e]] else int(net.dst[e])
        posts.append(
            Area(f"bridge {w}", point=(float(net.lon[west]), float(net.lat[west])), radius_m=1.0)
        )
    checkpoints = [
        Checkpoint(f"post-{k}", f"{x.name} post", x, rate, hours=(360, 1320))
        for k, (x, rate) in enumerate(zip(posts, CHECKPOINT_RATES, strict=True))
    ]
    return sit, windows, checkpoints


def nx_finish(tg: Any, steps: Any, gate_open: Any, demand: int, horizon: int) -> int | None:
    """networkx: the first step by whose start all ``demand`` are out, by bisection over
    maximum flows on the full time-expanded network (no pruning)."""
    import networkx as nx

    from corridor.analysis.timed import step_capacity

    def out_by(last: int) -> int:
        g = nx.DiGraph()
        for a in range(len(tg.u)):
            for t in range(last + 1 - int(steps[a])):
                if tg.gate[a] >= 0 and not gate_open[tg.gate[a], t]:
                    continue
                cap = int(step_capacity(tg.rate_pph[a : a + 1], np.array([t]), 300.0, demand)[0])
                if cap > 0:
                    key = ((int(tg.u[a]), t), (int(tg.v[a]), t + int(steps[a])))
                    g.add_edge(
                        *key, capacity=g.edges[key]["capacity"] + cap if g.has_edge(*key) else cap
                    )
        for x in range(tg.n):
            if x != 1 and tg.wait[x]:
                for t in range(last):
                    g.add_edge((x, t), (x, t + 1), capacity=demand)
        for t in range(last + 1):
            g.add_edge((1, t), "out", capacity=demand)
        if (0, 0) not in g:
            return 0
        return int(nx.maximum_flow_value(g, (0, 0), "out"))

    lo, hi = 0, horizon
    if out_by(hi) < demand:
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if out_by(mid) >= demand:
            hi = mid
        else:
            lo = mid + 1
    return lo + 1


def bench_peer(n_edges: int = 600, population: int = 3000) -> dict[str, Any]:
    """corridor against networkx's time-expanded maximum flow on a small grid (both exact)."""
    from corridor.analysis.prepared import SituationWork
    from corridor.analysis.timed import (
        _gate_matrix,
        earliest_arrivals,
        timed_graph,
        transit_steps,
    )

    sit, windows, checkpoints = case(n_edges)
    work = SituationWork(sit)
    horizon = 2 * 288
    tg = timed_graph(work, windows, checkpoints)
    steps = transit_steps(tg.n, tg.u, tg.v, tg.transit_s, 300.0)
    opened = _gate_matrix(tg, windows, checkpoints, START, horizon, 300.0)
    t0 = time.perf_counter()
    ours = earliest_arrivals(
        tg.n, tg.u, tg.v, steps, tg.rate_pph, tg.gate, opened, population,
        horizon_steps=horizon, wait=tg.wait,
    )  # fmt: skip
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = nx_finish(tg, steps, opened, population, horizon)
    nx_s = time.perf_counter() - t0
    return {
        "edges": sit.network.n_edges,
        "arcs": len(tg.u),
        "population": population,
        "corridor_s": ours_s,
        "networkx_s": nx_s,
        "corridor_finish_step": ours.finish_step,
        "networkx_finish_step": theirs,
        "agree": ours.finish_step == theirs,
    }


def bench_timed(sizes: list[int], *, repeats: int = 3) -> list[dict[str, Any]]:
    from corridor.analysis.prepared import Prepared, SituationWork
    from corridor.analysis.timed import timed_evacuation

    out = []
    for n in sizes:
        sit, windows, checkpoints = case(n)
        prepared = Prepared.of(sit)
        _ = prepared.flow_graph  # built once per network, origin and exits, like every analysis
        best = float("inf")
        result = None
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = timed_evacuation(
                SituationWork(sit, prepared), POPULATION, START, windows=windows,
                checkpoints=checkpoints, bottleneck=False, method="gates",
            )  # fmt: skip
            best = min(best, time.perf_counter() - t0)
        assert result is not None
        out.append(
            {
                "edges": sit.network.n_edges,
                "arcs": len(prepared.flow_graph.u),
                "seconds": best,
                "finish": result.finish.isoformat() if result.finish else None,
                "persons_out": result.persons_out,
                "exact": result.exact,
                "earliest": result.earliest.isoformat() if result.earliest else None,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sizes = [int(float(a.lower().replace("k", "e3").replace("m", "e6"))) for a in args] or [
        10_000,
        100_000,
        1_000_000,
    ]
    for line in lines(bench_timed(sizes), bench_peer()):
        print(line)
    return 0


def lines(results: list[dict[str, Any]], peer: dict[str, Any] | None) -> list[str]:
    """What bench.run prints."""
    out = []
    for r in results:
        verdict = "exact" if r["exact"] else f"feasible; no flow before {r['earliest']}"
        out.append(
            f"timed evacuation of {POPULATION:,} on {r['edges']:,} edges, 14 days, 3 windows, "
            f"2 checkpoints (gate graph): {r['seconds']:.2f} s (target <= 2 s at 1M edges); "
            f"finish {r['finish']} ({verdict})"
        )
    if peer is None:
        out.append("networkx time-expanded reference: skipped (networkx missing)")
    else:
        ratio = peer["networkx_s"] / max(peer["corridor_s"], 1e-9)
        out.append(
            f"networkx time-expanded max flow (bisection) on {peer['edges']:,} edges, "
            f"{peer['population']:,} people: {peer['networkx_s']:.1f} s; corridor (whole "
            f"time-expanded graph) {peer['corridor_s']:.3f} s, {ratio:,.0f}x faster; same "
            f"finish: {peer['agree']}"
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
