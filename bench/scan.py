"""The scan (issue 26): every community at once on the synthetic grid, against one ``analyze``
and against the per-community loop with networkx.

- **One date**: 10,000 communities (seeded random points, 150 m each) on the grid, the
  refuges its three exits east of the river: :func:`corridor.analysis.scan.scan_situation`
  (median of 3) against one full ``analyze`` of the grid's own origin on the same roads
  (goal: scan <= 1 s and <= 3x the analyze).
- **A year**: 365 daily dates of an in-memory scenario (a random road closed each week, all but
  one bridge closed on day 200, the last on day 300): :func:`corridor.analysis.scan.scan`
  (goal: <= 60 s at 1M edges).
- **The peer**: the per-community loop, one networkx multi-source Dijkstra from each
  community's nodes (as one ``analyze`` per community would search), timed on a sample and
  extrapolated to every community; the sample's statuses (reached or not) must agree.

Run ``python -m bench.scan [--size 1M] [--communities 10000]``; ``bench.run`` runs it too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from typing import Any

import numpy as np

from bench import synthetic

START = dt.date(2020, 1, 1)
DAYS = 365
SAMPLE = 5  # communities the networkx loop is timed on


def _bridges(net: Any, case: synthetic.SyntheticCase) -> list[int]:
    """The way ids of the roads across the river (the edges whose ends lie on either side)."""
    side = case.side
    river = int(side * 0.6)
    lo, hi = float(net.lon.min()), float(net.lon.max())
    boundary = lo + (river + 0.5) * (hi - lo) / (side - 1)
    a, b = net.lon[net.src] - boundary, net.lon[net.dst] - boundary
    return sorted(set(np.unique(net.way_id[(a * b) < 0]).tolist()))


def communities(net: Any, k: int, seed: int = 1) -> list[Any]:
    from corridor.model.communities import Community

    rng = np.random.default_rng(seed)
    lon = rng.uniform(net.lon.min(), net.lon.max(), k)
    lat = rng.uniform(net.lat.min(), net.lat.max(), k)
    pop = rng.integers(100, 50_000, k)
    return [
        Community(f"c{i}", f"community {i}", float(lon[i]), float(lat[i]), int(pop[i]), 150.0)
        for i in range(k)
    ]


def year_scenario(case: synthetic.SyntheticCase, net: Any, seed: int = 0) -> Any:
    from corridor.model.scenario import Event, Scenario
    from corridor.model.situation import Closure

    rng = np.random.default_rng(seed)
    ways = np.unique(net.way_id)
    events = [
        Event(
            id=f"close-{w}",
            date=START + dt.timedelta(days=7 * w + 3),
            kind="close",
            closure=Closure(ways=(int(rng.choice(ways)),)),
        )
        for w in range(52)
    ]
    bridges = _bridges(net, case)
    events.append(
        Event(
            id="bridges",
            date=START + dt.timedelta(days=200),
            kind="close",
            closure=Closure(ways=tuple(bridges[1:])),
        )
    )
    events.append(
        Event(
            id="last-bridge",
            date=START + dt.timedelta(days=300),
            kind="close",
            closure=Closure(ways=(bridges[0],)),
        )
    )
    return Scenario(
        name=case.name,
        network_path="",
        network_kind="geojson",
        mover="car",
        origin=case.origin,
        exits=case.exits,
        start=START,
        end=START + dt.timedelta(days=DAYS - 1),
        events=tuple(events),
    )


def nx_loop(
    net: Any, open_edges: Any, bound: Any, refuge_nodes: set[int], sample: list[int]
) -> tuple[float, list[bool]]:
    """Seconds per community of one networkx search from its nodes, and whether each reached a
    refuge."""
    import networkx as nx

    g = nx.DiGraph()
    e = np.flatnonzero(open_edges)
    g.add_weighted_edges_from(
        zip(net.src[e].tolist(), net.dst[e].tolist(), net.travel_time_s[e].tolist(), strict=True)
    )
    times, reached = [], []
    for i in sample:
        nodes = [int(x) for x in bound.members[bound.ptr[i] : bound.ptr[i + 1]] if int(x) in g]
        t0 = time.perf_counter()
        dist = nx.multi_source_dijkstra_path_length(g, nodes) if nodes else {}
        times.append(time.perf_counter() - t0)
        reached.append(any(x in refuge_nodes for x in dist))
    return statistics.median(times), reached


def bench_scan(
    size: int = 1_000_000, n_communities: int = 10_000, *, year: bool = True
) -> dict[str, Any]:
    from corridor.analysis import kernels
    from corridor.analysis.report import analyze
    from corridor.analysis.scan import OFF_NETWORK, STATUSES, bind_communities, scan, scan_situation
    from corridor.model.situation import build_situation
    from corridor.network.ways import network_from_ways

    kernels.compile_all()
    case = synthetic.generate(size, seed=0)
    net = network_from_ways(case.table, "car", source=case.name)
    situation = build_situation(net, case.origin, list(case.exits))
    chosen = communities(net, n_communities)
    t0 = time.perf_counter()
    bound = bind_communities(net, chosen)
    bind_s = time.perf_counter() - t0
    scan_situation(net, situation.open, situation.exits, bound)  # warm (compiled code loaded)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        day = scan_situation(net, situation.open, situation.exits, bound)
        times.append(time.perf_counter() - t0)
    scan_s = statistics.median(times)
    # the same with all but one bridge closed: every community west of the river hangs on it
    one_bridge = situation.with_closed(np.flatnonzero(np.isin(net.way_id, _bridges(net, case)[1:])))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        day1 = scan_situation(net, one_bridge.open, one_bridge.exits, bound)
        times.append(time.perf_counter() - t0)
    scan1_s = statistics.median(times)
    at_risk_1 = int((day1.status == 1).sum())
    analyze(situation)  # warm
    t0 = time.perf_counter()
    analyze(situation)
    analyze_s = time.perf_counter() - t0
    counts = {s: int((day.status == c).sum()) for c, s in enumerate(STATUSES)}
    on = [i for i in range(len(chosen)) if day.status[i] != OFF_NETWORK]
    rng = np.random.default_rng(2)
    sample = sorted(rng.choice(on, size=min(SAMPLE, len(on)), replace=False).tolist())
    refuge_nodes = {int(x) for r in situation.exits for x in r}
    per_s, reached = nx_loop(net, situation.open, bound, refuge_nodes, sample)
    agree = all(
        r == (STATUSES[day.status[i]] in ("open", "at-risk"))
        for i, r in zip(sample, reached, strict=True)
    )
    out: dict[str, Any] = {
        "edges": net.n_edges,
        "communities": len(chosen),
        "bind_s": bind_s,
        "scan_s": scan_s,
        "scan_one_bridge_s": scan1_s,
        "at_risk_one_bridge": at_risk_1,
        "analyze_s": analyze_s,
        "statuses": counts,
        "nx_per_community_s": per_s,
        "nx_loop_s": per_s * len(on),
        "nx_sample": len(sample),
        "nx_agree": agree,
    }
    if year:
        sc = year_scenario(case, net)
        days = [START + dt.timedelta(days=i) for i in range(DAYS)]
        t0 = time.perf_counter()
        result = scan(sc, lambda _m: net, chosen, dates=days)
        out["year_s"] = time.perf_counter() - t0
        out["year_dates"] = len(days)
        out["year_computed"] = result.computed
        out["year_cut_off_last"] = int((result.status[-1] == 2).sum())
    return out


def lines(r: dict[str, Any]) -> list[str]:
    s = r["statuses"]
    text = [
        f"Scan of {r['communities']:,} communities on {r['edges']:,} edges: "
        f"{r['scan_s'] * 1e3:,.0f} ms per date (goal <= 1 s), {r['scan_s'] / r['analyze_s']:.2f}x one "
        f"analyze ({r['analyze_s'] * 1e3:,.0f} ms; goal <= 3x); binding the communities once "
        f"{r['bind_s'] * 1e3:,.0f} ms; open {s['open']:,}, at-risk {s['at-risk']:,}, "
        f"cut-off {s['cut-off']:,}, off-network {s['off-network']:,}",
        f"  with all but one bridge closed: {r['scan_one_bridge_s'] * 1e3:,.0f} ms "
        f"({r['at_risk_one_bridge']:,} communities at-risk, hanging on that bridge)",
        f"  networkx per-community loop: {r['nx_per_community_s'] * 1e3:,.0f} ms per community "
        f"(median of {r['nx_sample']}), {r['nx_loop_s']:,.0f} s for all: the scan is "
        f"{r['nx_loop_s'] / r['scan_s']:,.0f}x faster; sample agrees: {r['nx_agree']}",
    ]
    if "year_s" in r:
        text.append(
            f"  a year of daily dates ({r['year_dates']} dates, {r['year_computed']} searched, the "
            f"others reused): {r['year_s']:.1f} s (goal <= 60 s at 1M edges); "
            f"{r['year_cut_off_last']:,} communities cut off on the last date"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__)
    ap.add_argument("--size", default="1M", help="synthetic edges, e.g. 100k or 1M")
    ap.add_argument("--communities", type=int, default=10_000)
    ap.add_argument("--no-year", action="store_true", help="skip the year of daily dates")
    args = ap.parse_args(argv)
    text = args.size.lower().replace("k", "000").replace("m", "000000")
    r = bench_scan(int(text), args.communities, year=not args.no_year)
    for line in lines(r):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
