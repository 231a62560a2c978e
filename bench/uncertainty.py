"""Timings of the uncertainty and ranking work (issue 14): ``python -m bench.uncertainty``.

Targets: 1,000 samples of one date on the 100k-edge synthetic grid in at most 60 s on two
cores; ``timeline --samples 1000`` on mosul-2016 in at most 30 s; every way of the bundled
scenario's network ranked; ``corridor batch`` 1.7 times faster on 2 workers than on 1.
``bench.run`` may call :func:`bench_uncertainty` and print its lines.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def synthetic_samples(
    n_edges: int = 100_000, samples: int = 1000, events: int = 12, *, workers: int = 1
) -> float:
    """Seconds for ``samples`` samples of one date on the synthetic grid, with ``events``
    uncertain closures (confidence 0.5) of ways along the fastest route and the bridges."""
    from bench import synthetic
    from corridor.analysis.routes import routes
    from corridor.analysis.uncertainty import sample_at
    from corridor.model.scenario import Event, Scenario
    from corridor.model.situation import Closure, build_situation
    from corridor.network.ways import network_from_ways

    case = synthetic.generate(n_edges, seed=0)
    net = network_from_ways(case.table, "car", source=case.name)
    sit = build_situation(net, case.origin, list(case.exits))
    route_ways = np.unique(net.way_id[np.concatenate([r.edges for r in routes(sit, k=2)])])
    ways = np.random.default_rng(0).choice(
        route_ways, size=min(events, len(route_ways)), replace=False
    )
    day = dt.date(2020, 1, 1)
    sc = Scenario(
        name=case.name,
        network_path="",
        network_kind="osm",
        mover="car",
        origin=case.origin,
        exits=case.exits,
        start=day,
        events=tuple(
            Event(
                id=f"cut-{w}",
                date=day,
                kind="close",
                closure=Closure(ways=(int(w),), label=f"way {w}"),
                confidence=0.5,
            )
            for w in ways
        ),
    )
    seconds, _ = _timed(
        lambda: sample_at(sc, lambda _m: net, day, samples=samples, seed=1, workers=workers)
    )
    return seconds


def mosul_timeline_samples(samples: int = 1000, *, workers: int = 1) -> float:
    """Seconds for the whole mosul-2016 timeline over ``samples`` samples (isis-fighters)."""
    from corridor.analysis.uncertainty import sample_timeline
    from corridor.testing import bundled

    sc, networks = bundled("mosul-2016")
    seconds, _ = _timed(
        lambda: sample_timeline(
            sc, networks, samples=samples, seed=1, mover="isis-fighters", workers=workers
        )
    )
    return seconds


def mosul_rank_ways() -> tuple[float, int]:
    """Seconds to rank every way of the isis-fighters network on 17 Oct 2016, and how many."""
    from corridor.analysis.ranking import rank_roads
    from corridor.analysis.replay import mover_network
    from corridor.model.timeline import situation_at
    from corridor.testing import bundled

    sc, networks = bundled("mosul-2016")
    net = mover_network(sc, networks, "isis-fighters")
    sit, _ = situation_at(sc, net, dt.date(2016, 10, 17), mover="isis-fighters", adapted=True)
    seconds, ranking = _timed(lambda: rank_roads(sit, by_way=True))
    return seconds, len(ranking.roads)


def batch_scaling(samples: int = 200, *, repeat: int = 2) -> tuple[float, float, bool, str]:
    """Seconds of one batch (mosul-2016: every mover x what happened and both plans, every
    change date, ``samples`` samples) on 1 and on 2 local worker processes, the best of
    ``repeat`` runs each (alternating 1, 2, 1, 2, ...: the same conditions for both), whether
    every Parquet file is byte-identical whatever the number of workers, and the conditions: CPU
    seconds spent (this process and the workers), each run's seconds, and the load averages
    (``os.getloadavg``) before and after, since the 2 cores are shared."""
    import os
    import tempfile
    from pathlib import Path

    from corridor.batch.runner import Task, run_batch
    from corridor.bundled import bundled_scenario
    from corridor.scenario.load import load_scenario

    path = bundled_scenario("mosul-2016")
    sc = load_scenario(path)
    tasks = [Task(str(path), m, p, None, samples, 1) for m in sc.movers for p in (None, *sc.plans)]
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    files: dict[int, dict[str, bytes]] = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        for k in range(repeat):
            for w in (1, 2):
                out = Path(tmp) / f"w{w}-{k}"
                cpu0 = _cpu_s()
                t, _ = _timed(lambda out=out, w=w: run_batch(tasks, out, workers=w))
                times[w].append(t)
                cpu[w].append(_cpu_s() - cpu0)
                written = {f.name: f.read_bytes() for f in sorted(out.glob("*.parquet"))}
                files.setdefault(w, written)
                if written != files[w]:
                    files[w] = {}  # a rerun with as many workers differs: not identical
    same = bool(files[1]) and files[1] == files[2] and len(files[1]) == len(tasks)
    conditions = (
        f"CPU {min(cpu[1]):.0f} s on 1 worker, {min(cpu[2]):.0f} s on 2; runs "
        f"{', '.join(f'{t:.1f}' for t in times[1])} s and "
        f"{', '.join(f'{t:.1f}' for t in times[2])} s; "
        f"load {load:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    return min(times[1]), min(times[2]), same, conditions


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the Dask workers)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bench_uncertainty(*, quick: bool = False) -> list[str]:
    """The lines to print: each timing against its target."""
    n = 100 if quick else 1000
    lines = []
    for w in (1, 2):
        t = mosul_timeline_samples(n, workers=w)
        lines.append(
            f"mosul-2016 timeline, {n} samples, {w} worker(s): {t:.1f} s (target for 1000: 30 s)"
        )
    t, count = mosul_rank_ways()
    lines.append(f"mosul-2016 rank --by-way ({count} ways): {t:.2f} s")
    size = 20_000 if quick else 100_000
    t = synthetic_samples(size, n, workers=2)
    lines.append(
        f"synthetic {size:,} edges, {n} samples of one date, 2 workers: {t:.1f} s (target 60 s)"
    )
    t1, t2, same, conditions = batch_scaling(20 if quick else 200)
    lines.append(
        f"batch mosul-2016 (movers x plans, every date, samples): 1 worker {t1:.1f} s, "
        f"2 workers {t2:.1f} s, speed-up {t1 / t2:.2f}x (target 1.7x), Parquet files "
        f"byte-identical: {same} ({conditions})"
    )
    return lines


if __name__ == "__main__":
    for line in bench_uncertainty(quick="--quick" in sys.argv):
        print(line, flush=True)
