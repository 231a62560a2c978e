"""Batch runs (``corridor batch``): every scenario x mover x plan of a spec, over its dates,
as Dask tasks.

A spec (YAML) lists what to run::

    scenarios: [mosul-2016, valley.yaml]   # bundled names or files (relative to the spec)
    dates: change                          # every change date; or a list of dates; or
                                           # {from: 2016-10-17, to: 2016-12-31, every_days: 7}
    movers: [isis-fighters]                # default: each scenario's own mover
    plans: [null, corridor]                # null: what happened (default [null])
    samples: 0                             # > 0: add the answers over that many samples
    seed: 0

One task per (scenario, mover, plan) replays its dates; it runs on a Dask worker, which loads
each scenario and network once (never shipped from the client). Each finished task is written at
once as one Parquet file (one row per date) in the output directory; a rerun skips the tasks
whose file exists (resume after a crash); a failed task is reported with its inputs and the
others' results are kept. The rows and their columns are :data:`COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corridor.errors import CorridorError, ScenarioError

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


@dataclass(frozen=True)
class Task:
    """One scenario file, mover and plan, over its dates."""

    scenario: str  # a path
    mover: str | None
    plan: str | None
    dates: tuple[str, ...] | None  # None: every change date
    samples: int
    seed: int

    def key(self) -> str:
        """A name for its Parquet file, from its inputs."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def read_spec(path: Path) -> list[Task]:
    """The tasks a spec file asks for (see the module docstring)."""
    import yaml

    from corridor.bundled import bundled_scenarios

    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        msg = f"{path}: cannot read the batch spec ({exc})"
        raise ScenarioError(msg) from None
    if not isinstance(spec, dict) or not spec.get("scenarios"):
        msg = f"{path}: a batch spec is a mapping with `scenarios: [name or file, ...]`"
        raise ScenarioError(msg)
    bundled = bundled_scenarios()
    files = []
    for name in spec["scenarios"]:
        p = path.parent / str(name)
        if p.is_file():
            files.append(str(p))
        elif str(name) in bundled:
            files.append(str(bundled[str(name)]))
        else:
            msg = f"{path}: scenario {name!r} is neither a file next to the spec nor bundled"
            raise ScenarioError(msg)
    dates = _dates(spec.get("dates", "change"), path)
    movers = spec.get("movers") or [None]
    plans = spec.get("plans") or [None]
    samples, seed = int(spec.get("samples", 0)), int(spec.get("seed", 0))
    return [Task(f, m, p, dates, samples, seed) for f in files for m in movers for p in plans]


def _dates(value: Any, path: Path) -> tuple[str, ...] | None:
    if value in ("change", None):
        return None
    if isinstance(value, list):
        return tuple(dt.date.fromisoformat(str(d)).isoformat() for d in value)
    if isinstance(value, dict) and {"from", "to"} <= set(value):
        a, b = (dt.date.fromisoformat(str(value[k])) for k in ("from", "to"))
        step = dt.timedelta(days=int(value.get("every_days", 1)))
        out = []
        while a <= b:
            out.append(a.isoformat())
            a += step
        return tuple(out)
    msg = f"{path}: dates is `change`, a list of dates, or {{from, to, every_days}}"
    raise ScenarioError(msg)


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
