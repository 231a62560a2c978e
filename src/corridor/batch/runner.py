"""Batch runs (``corridor batch``): every scenario x mover x plan of a spec
(:mod:`corridor.batch.spec`), over its dates, as Dask tasks.

One task per (scenario, mover, plan) replays its dates; it runs on a Dask worker, which loads
each scenario and network once (never shipped from the client). Each finished task is written at
once as one Parquet file (one row per date) in the output directory; a rerun skips the tasks
whose file exists (resume after a crash); a failed task is reported with its inputs and the
others' results are kept. The rows and their columns are :data:`COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor.batch.spec import Task, read_spec
from corridor.errors import CorridorError

__all__ = ["COLUMNS", "BatchResult", "Task", "read_spec", "run_batch", "run_task"]

COLUMNS: dict[str, str] = {
    "scenario": "the scenario's name",
    "mover": "the mover's id",
    "plan": "the plan's id, or '' for what happened",
    "date": "YYYY-MM-DD",
    "status": "open or sealed",
    "exits_reachable": "how many exits the origin reaches",
    "capacity_pph": "maximum flow out, persons per hour",
    "min_cut_count": "fewest segments whose closure seals the origin (0 when sealed)",
    "evacuation_hours": "hours to move the population out (null when sealed)",
    "samples": "samples drawn (0: none; the columns below are null)",
    "seed": "their seed",
    "p_open": "share of samples in which the origin is open",
    "capacity_pph_p10": "10 % quantile of the capacity over the samples (likewise p50, p90)",
    "capacity_pph_p50": "",
    "capacity_pph_p90": "",
}


_LOADED: dict[str, Any] = {}  # per worker process: scenarios and network loaders, loaded once


def run_task(task: Task) -> list[dict[str, Any]]:
    """The rows of one task (runs on a worker)."""
    from corridor.analysis.replay import replay
    from corridor.io.network import NetworkLoader
    from corridor.io.scenario import load_scenario

    if task.scenario not in _LOADED:
        sc = load_scenario(Path(task.scenario))
        _LOADED[task.scenario] = (sc, NetworkLoader(sc.network_path, kind=sc.network_kind))
    sc, networks = _LOADED[task.scenario]
    days = [dt.date.fromisoformat(d) for d in task.dates] if task.dates is not None else None
    reports = replay(sc, networks, mover=task.mover, plan=task.plan, dates=days)
    summaries: list[Any] = [None] * len(reports)
    if task.samples > 0:
        from corridor.analysis.uncertainty import sample_timeline

        summaries = sample_timeline(
            sc,
            networks,
            samples=task.samples,
            seed=task.seed,
            mover=task.mover,
            plan=task.plan,
            dates=days,
        )
    mover = sc.mover_profile(task.mover).id
    rows = []
    for r, s in zip(reports, summaries, strict=True):
        hours = r.evacuation.hours
        rows.append(
            {
                "scenario": sc.name,
                "mover": mover,
                "plan": task.plan or "",
                "date": r.date or "",
                "status": r.status,
                "exits_reachable": sum(x.reachable for x in r.reach.exits),
                "capacity_pph": int(r.flow.value_pph),
                "min_cut_count": int(r.min_cut.count) if r.status == "open" else 0,
                "evacuation_hours": None if hours is None else float(hours),
                "samples": task.samples,
                "seed": task.seed,
                "p_open": None if s is None else s.p_open,
                "capacity_pph_p10": None if s is None else s.capacity_pph.p10,
                "capacity_pph_p50": None if s is None else s.capacity_pph.p50,
                "capacity_pph_p90": None if s is None else s.capacity_pph.p90,
            }
        )
    return rows


def _write_rows(rows: list[dict[str, Any]], file: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows, schema=_schema())
    tmp = file.with_name(f".{file.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, file)


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("scenario", pa.string()),
            ("mover", pa.string()),
            ("plan", pa.string()),
            ("date", pa.string()),
            ("status", pa.string()),
            ("exits_reachable", pa.int64()),
            ("capacity_pph", pa.int64()),
            ("min_cut_count", pa.int64()),
            ("evacuation_hours", pa.float64()),
            ("samples", pa.int64()),
            ("seed", pa.int64()),
            ("p_open", pa.float64()),
            ("capacity_pph_p10", pa.float64()),
            ("capacity_pph_p50", pa.float64()),
            ("capacity_pph_p90", pa.float64()),
        ]
    )


@dataclass(frozen=True)
class BatchResult:
    """Tasks written now, tasks skipped (already written), and failures (task, message)."""

    written: int
    skipped: int
    failed: tuple[tuple[Task, str], ...]


def run_batch(
    tasks: list[Task],
    output: Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    processes: bool = True,
    on_task: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Run ``tasks`` on Dask and write one Parquet file per task into the directory ``output``.

    ``scheduler`` is the address of a running cluster (``tcp://host:8786``); without it, a
    ``LocalCluster`` of ``workers`` processes (threads with ``processes=False``) runs them.
    """
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        msg = "corridor batch needs Dask and pyarrow: pip install 'corridor[batch]'"
        raise CorridorError(msg) from None
    output.mkdir(parents=True, exist_ok=True)
    todo = [t for t in tasks if not (output / f"{t.key()}.parquet").exists()]
    skipped = len(tasks) - len(todo)
    failed: list[tuple[Task, str]] = []
    written = 0
    if not todo:
        return BatchResult(0, skipped, ())
    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
    )
    try:
        with Client(scheduler or cluster) as client:
            futures = client.map(run_task, todo, pure=False)
            by_future = dict(zip(futures, todo, strict=True))
            for i, fut in enumerate(as_completed(futures)):
                task = by_future[fut]
                try:
                    rows = fut.result()
                except Exception as exc:
                    failed.append((task, f"{type(exc).__name__}: {exc}"))
                else:
                    _write_rows(rows, output / f"{task.key()}.parquet")
                    written += 1
                if on_task is not None:
                    on_task(i + 1, len(todo))
    finally:
        if cluster is not None:
            cluster.close()
    return BatchResult(written, skipped, tuple(failed))
