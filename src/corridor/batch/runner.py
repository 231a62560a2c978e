"""Batch runs (``corridor batch``): every scenario x mover x plan of a spec
(:mod:`corridor.batch.spec`), over its dates, as Dask tasks.

Each (scenario, mover, plan) of the spec is a few Dask tasks: one replays its dates, one per
block of :data:`SAMPLES_PER_TASK` samples draws and analyses them (so that the work spreads
evenly over the workers), and one joins the blocks into the rows. Each worker loads each
scenario and network once and keeps one warm sampler per (scenario, mover, plan); nothing large
is shipped from the client. Each finished (scenario, mover, plan) is written at once as one
Parquet file (one row per date) in the output directory, named by :meth:`Task.key` (its
scenario file, mover and plan) and holding :meth:`Task.identity` in its metadata. A rerun skips
the tasks whose file holds the same identity (resume after a crash) and redoes, in place, those
whose scenario, files, dates, samples or corridor version changed: one (scenario, mover, plan,
date) is never written twice. A task that fails on a worker returns a :class:`TaskFailed`
(message and traceback) instead of raising, so Dask logs no traceback; it is reported with its
inputs and the others' results are kept. Files are written through
:func:`corridor.files.write_atomic_with`: a full disk or a read-only directory stops the run
with one line, and what was written before stays. The rows and their columns are
:data:`COLUMNS`.
"""

from __future__ import annotations

import datetime as dt
import threading
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.batch.spec import Task, read_spec
from corridor.errors import CorridorError, OutputError

if TYPE_CHECKING:
    from corridor.analysis.uncertainty import SampleBlock, Sampler
    from corridor.model.scenario import Scenario
    from corridor.network.load import NetworkLoader

__all__ = [
    "COLUMNS",
    "SAMPLES_PER_TASK",
    "BatchResult",
    "Task",
    "TaskFailed",
    "read_spec",
    "run_batch",
    "run_task",
]

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


#: Samples per Dask task: a task's samples are split into blocks of this many, spread over the
#: workers and summed up at the end (the rows do not depend on it, nor on the workers).
SAMPLES_PER_TASK = 25

_LOADED: dict[str, Any] = {}  # per worker process: scenarios and network loaders, loaded once
# per worker process: one sampler per task, kept warm between its blocks; the lock keeps two
# worker threads of one process (a LocalCluster of threads) from sharing one at once
_SAMPLERS: dict[Task, tuple[Sampler, threading.Lock]] = {}
_SAMPLERS_LOCK = threading.Lock()


@dataclass(frozen=True)
class TaskFailed:
    """What a worker returns instead of raising: the error in one line, and its traceback (shown
    with ``--verbose``)."""

    message: str
    traceback: str


def _failed(exc: BaseException) -> TaskFailed:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return TaskFailed(f"{type(exc).__name__}: {text}"[:600], traceback.format_exc())


def _loaded(task: Task) -> tuple[Scenario, NetworkLoader]:
    from corridor.network.load import NetworkLoader
    from corridor.scenario.load import load_scenario

    # keyed by the inputs' digest too: a long-lived worker of a cluster never answers from a
    # scenario that has since been edited
    key = f"{task.scenario}\0{task.inputs}"
    if key not in _LOADED:
        sc = load_scenario(Path(task.scenario))
        _LOADED[key] = (sc, NetworkLoader(sc.network_path, kind=sc.network_kind))
    return _LOADED[key]  # type: ignore[no-any-return]


def _days(task: Task) -> list[dt.date] | None:
    return [dt.date.fromisoformat(d) for d in task.dates] if task.dates is not None else None


def _sampler(task: Task) -> tuple[Sampler, threading.Lock]:
    from corridor.analysis.uncertainty import Sampler

    with _SAMPLERS_LOCK:
        if task not in _SAMPLERS:
            sc, networks = _loaded(task)
            sampler = Sampler(
                sc, networks, seed=task.seed, mover=task.mover, plan=task.plan, dates=_days(task)
            )
            _SAMPLERS[task] = (sampler, threading.Lock())
        return _SAMPLERS[task]


def replay_rows(task: Task) -> list[dict[str, Any]]:
    """The rows of one task without the answers over samples (runs on a worker)."""
    from corridor.analysis.replay import replay

    sc, networks = _loaded(task)
    reports = replay(sc, networks, mover=task.mover, plan=task.plan, dates=_days(task))
    mover = sc.mover_profile(task.mover).id
    rows = []
    for r in reports:
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
                "p_open": None,
                "capacity_pph_p10": None,
                "capacity_pph_p50": None,
                "capacity_pph_p90": None,
            }
        )
    return rows


def scan_task_rows(task: Task) -> list[dict[str, Any]]:
    """The rows of one scan task (runs on a worker): every community's status on each date,
    as ``corridor scan --csv`` gives them (OSM place nodes on an OSM network, the scenario's
    places otherwise), with the scenario, mover and plan."""
    from corridor.analysis.scan import scan
    from corridor.model.communities import scenario_communities
    from corridor.outputs.scan import scan_rows

    sc, networks = _loaded(task)
    profile = sc.mover_profile(task.mover)
    if sc.network_kind == "osm":
        from corridor.network.communities import osm_communities
        from corridor.network.places import read_places

        net = profile.adapted_network(networks)
        communities = osm_communities(read_places(sc.network_path), net)
    else:
        communities = scenario_communities(sc, mover=profile.id, hub=profile.origin)
    result = scan(
        sc, networks, communities, mover=task.mover, plan=task.plan, dates=_days(task),
        hub=profile.origin,
    )  # fmt: skip
    head = {"scenario": sc.name, "mover": profile.id, "plan": task.plan or ""}
    return [{**head, **row} for row in scan_rows(result)]


def _scan_on_worker(task: Task) -> list[dict[str, Any]] | TaskFailed:
    try:
        return scan_task_rows(task)
    except Exception as exc:
        return _failed(exc)


def task_file(output: Path, task: Task) -> Path:
    """Where a task's Parquet file goes: ``KEY.parquet`` in ``output``, a scan's in
    ``output/scan/`` (its rows have other columns: a folder of one schema reads as one table)."""
    return (output / "scan" if task.scan else output) / f"{task.key()}.parquet"


def sample_block(task: Task, start: int, stop: int) -> SampleBlock:
    """Samples ``start`` to ``stop - 1`` of one task at each of its dates (runs on a worker)."""
    sampler, lock = _sampler(task)
    with lock:
        return sampler.block(range(start, stop))


def with_samples(
    task: Task, rows: list[dict[str, Any]], *blocks: SampleBlock
) -> list[dict[str, Any]]:
    """The rows of one task with the answers over all its samples' blocks (runs on a worker)."""
    if not blocks:
        return rows
    sampler, lock = _sampler(task)
    with lock:
        summaries = sampler.summaries(blocks)
    out = []
    for row, s in zip(rows, summaries, strict=True):
        q = s.capacity_pph
        out.append(
            {
                **row,
                "p_open": s.p_open,
                "capacity_pph_p10": q.p10,
                "capacity_pph_p50": q.p50,
                "capacity_pph_p90": q.p90,
            }
        )
    return out


def _replay_on_worker(task: Task) -> list[dict[str, Any]] | TaskFailed:
    try:
        return replay_rows(task)
    except Exception as exc:
        return _failed(exc)


def _block_on_worker(task: Task, start: int, stop: int) -> SampleBlock | TaskFailed:
    try:
        return sample_block(task, start, stop)
    except Exception as exc:
        return _failed(exc)


def _join_on_worker(
    task: Task, rows: list[dict[str, Any]] | TaskFailed, *blocks: SampleBlock | TaskFailed
) -> list[dict[str, Any]] | TaskFailed:
    for part in (rows, *blocks):
        if isinstance(part, TaskFailed):
            return part
    try:
        return with_samples(task, rows, *blocks)  # type: ignore[arg-type]
    except Exception as exc:
        return _failed(exc)


def blocks_of(task: Task, size: int = SAMPLES_PER_TASK) -> list[tuple[int, int]]:
    """The blocks of samples (start, stop) a task is split into.

    >>> blocks_of(Task("x.yaml", None, None, None, 60, 0))
    [(0, 25), (25, 50), (50, 60)]
    """
    return [(a, min(a + size, task.samples)) for a in range(0, task.samples, size)]


def run_task(task: Task) -> list[dict[str, Any]]:
    """The rows of one task, in this process: what the Dask tasks of :func:`run_batch` compute
    between them."""
    if task.scan:
        return scan_task_rows(task)
    blocks = [sample_block(task, a, b) for a, b in blocks_of(task)]
    return with_samples(task, replay_rows(task), *blocks)


#: The Parquet metadata key holding the identity of the task a file was written for.
IDENTITY_KEY = b"corridor.task"


def _write_rows(rows: list[dict[str, Any]], file: Path, task: Task | None = None) -> None:
    """Write one task's rows as a Parquet file, atomically (:func:`corridor.files.write_atomic_with`),
    with the task's identity in the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corridor.files import write_atomic_with

    schema = _scan_schema() if task is not None and task.scan else _schema()
    if task is not None:
        schema = schema.with_metadata({IDENTITY_KEY: task.identity().encode()})
    table = pa.Table.from_pylist(rows, schema=schema)
    write_atomic_with(file, lambda tmp: pq.write_table(table, tmp))


def written_identity(file: Path) -> str | None:
    """The identity of the task ``file`` was written for (None: no file, or not one of ours)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(file).metadata or {}
    except Exception:  # missing, truncated by hand, not Parquet: redo it
        return None
    value = meta.get(IDENTITY_KEY)
    return value.decode() if value is not None else None


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


def _scan_schema() -> Any:
    """The columns of a scan task's rows: scenario, mover, plan and ``corridor scan``'s row."""
    import pyarrow as pa

    from corridor.outputs.scan import ROW_KEYS

    types = {
        "population": pa.int64(),
        "minutes": pa.float64(),
        "cut_off_days": pa.int64(),
        "nearest_road_m": pa.int64(),
    }
    return pa.schema(
        [("scenario", pa.string()), ("mover", pa.string()), ("plan", pa.string())]
        + [(k, types.get(k, pa.string())) for k in ROW_KEYS]
    )


@dataclass(frozen=True)
class BatchResult:
    """Tasks written now (``replaced`` of them over stale files), tasks skipped (already
    written for the same identity), and failures (task, one-line message), with each failure's
    traceback in ``tracebacks``; ``stopped``: the run was told to stop before the end."""

    written: int
    skipped: int
    failed: tuple[tuple[Task, str], ...]
    replaced: int = 0
    tracebacks: tuple[str, ...] = ()
    stopped: bool = False


def check_output_directory(output: Path) -> None:
    """Refuse, in one line and before any work, an output that cannot hold the files: a path
    that is a file, a directory that cannot be created or written."""
    import os

    from corridor.files import path_exists

    if path_exists(output) and not output.is_dir():
        msg = f"-o {output}: exists and is not a directory; name a directory (one file per task)"
        raise OutputError(msg)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"-o {output}: cannot create the directory ({exc.strerror or exc}); choose another place"
        raise OutputError(msg) from None
    if not os.access(output, os.W_OK | os.X_OK):
        msg = f"-o {output}: cannot write in this directory; choose another place"
        raise OutputError(msg)


def run_batch(
    tasks: list[Task],
    output: Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    processes: bool = True,
    samples_per_task: int = SAMPLES_PER_TASK,
    on_task: Callable[[int, int], None] | None = None,
    stop: threading.Event | None = None,
) -> BatchResult:
    """Run ``tasks`` on Dask and write one Parquet file per task into the directory ``output``.

    ``scheduler`` is the address of a running cluster (``tcp://host:8786``); without it, a
    ``LocalCluster`` of ``workers`` processes (threads with ``processes=False``) runs them: on
    Linux its workers are forked from this process once it has imported what they run, so that
    they start in a fraction of a second instead of importing everything anew (Dask's default,
    ``spawn``, costs several seconds per batch on two cores). ``samples_per_task`` sets the
    blocks each (scenario, mover, plan)'s samples are split into; the files written do not
    depend on it, nor on the workers. ``stop`` set (by a signal handler, another thread) ends the
    run within a fraction of a second once the cluster is up: the tasks still running are
    cancelled, the cluster closes, the files written stay, and the result says ``stopped``.
    """
    try:
        from dask.distributed import Client, LocalCluster, wait
    except ImportError:
        msg = (
            "corridor batch needs Dask and pyarrow, which `pip install corridor` installs; "
            "reinstall corridor"
        )
        raise CorridorError(msg) from None
    import dataclasses

    from corridor.files import path_exists

    check_output_directory(output)
    tasks = [t if t.inputs else dataclasses.replace(t, inputs=_digest(t)) for t in tasks]
    tasks = list({t.key(): t for t in tasks}.values())  # one (scenario, mover, plan) once
    todo, stale = [], set()
    for t in tasks:
        file = task_file(output, t)
        if path_exists(file):
            if written_identity(file) == t.identity():
                continue
            stale.add(t.key())
        todo.append(t)
    skipped = len(tasks) - len(todo)
    failed: list[tuple[Task, str]] = []
    tracebacks: list[str] = []
    written = replaced = 0
    if not todo:
        return BatchResult(0, skipped, ())
    cluster = None if scheduler else _local_cluster(LocalCluster, workers, processes)
    try:
        with Client(scheduler or cluster) as client:
            # per task: its replay and its blocks of samples, spread over the workers, then
            # one small task that joins them (on a worker: it needs the network)
            # replays first (the longest single pieces), then the blocks: Dask starts tasks in
            # the order given, and a long piece started last would leave one worker idle
            # (a scan task is one piece, without samples)
            replays = [
                client.submit(_scan_on_worker if task.scan else _replay_on_worker, task, pure=False)
                for task in todo
            ]
            parts = [
                [
                    client.submit(_block_on_worker, task, a, b, pure=False)
                    for a, b in blocks_of(task, samples_per_task)
                ]
                for task in todo
            ]
            futures = [
                rows
                if task.scan
                else client.submit(_join_on_worker, task, rows, *blocks, pure=False)
                for task, rows, blocks in zip(todo, replays, parts, strict=True)
            ]
            by_future = dict(zip(futures, todo, strict=True))
            pending, done = set(futures), 0
            while pending:
                if stop is not None and stop.is_set():
                    client.cancel(futures)
                    break
                try:
                    finished, pending = wait(pending, timeout=0.2, return_when="FIRST_COMPLETED")
                except TimeoutError:  # nothing finished in 0.2 s: look at `stop` again
                    continue
                for fut in finished:
                    done += 1
                    w, r = _take(
                        fut,
                        by_future[fut],
                        output,
                        stale,
                        failed,
                        tracebacks,
                        lambda: client.cancel(futures),
                        written,
                    )
                    written += w
                    replaced += r
                    if on_task is not None:
                        on_task(done, len(todo))
    finally:
        if cluster is not None:
            cluster.close()
    stopped = stop is not None and stop.is_set()
    return BatchResult(
        written, skipped, tuple(failed), replaced, tuple(tracebacks), stopped=stopped
    )


def _take(
    fut: Any,
    task: Task,
    output: Path,
    stale: set[str],
    failed: list[tuple[Task, str]],
    tracebacks: list[str],
    cancel: Callable[[], object],
    written: int,
) -> tuple[int, int]:
    """One finished task: its file written (``(1, 1)`` when it replaced a stale one, else
    ``(1, 0)``), or its failure kept (``(0, 0)``). A write that fails cancels the rest and
    raises OutputError saying how many were written before it."""
    try:
        rows = fut.result()
    except Exception as exc:  # the worker died, the task was cancelled
        rows = _failed(exc)
    if isinstance(rows, TaskFailed):
        failed.append((task, rows.message))
        tracebacks.append(rows.traceback)
        return 0, 0
    try:
        file = task_file(output, task)
        if task.scan and not file.parent.is_dir():
            try:
                file.parent.mkdir()
            except OSError as exc:
                msg = f"{file.parent}: cannot make the folder of scan rows ({exc.strerror or exc})"
                raise OutputError(msg) from None
        _write_rows(rows, file, task)
    except OutputError as exc:
        cancel()
        s = "s" if written != 1 else ""
        msg = f"{exc}; the {written} task{s} written before it are kept, and a rerun resumes"
        raise OutputError(msg) from None
    return 1, int(task.key() in stale)


def _digest(task: Task) -> str:
    from corridor.scenario.inputs import inputs_digest
    from corridor.scenario.load import load_scenario

    return inputs_digest(load_scenario(Path(task.scenario)))


def _local_cluster(local_cluster: Any, workers: int, processes: bool) -> Any:
    """A LocalCluster of ``workers`` single-threaded workers; on Linux, worker processes forked
    from this one after importing the modules the tasks run (and numba's compiled kernels)."""
    import sys

    import dask

    method = dask.config.get("distributed.worker.multiprocessing-method")
    if processes and sys.platform == "linux":
        import corridor.analysis.replay
        import corridor.analysis.uncertainty
        import corridor.network.load
        import corridor.scenario.load  # noqa: F401

        method = "fork"
    with (
        dask.config.set({"distributed.worker.multiprocessing-method": method}),
        warnings.catch_warnings(),
    ):
        # no dashboard; the scheduler's small HTTP server takes another port on loopback when
        # 8787 is taken (another batch), which Dask would warn about on stderr
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        return local_cluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )
