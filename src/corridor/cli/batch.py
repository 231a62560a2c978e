"""``corridor batch``: every scenario x mover x plan of a spec on Dask, into Parquet."""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import VerboseOpt, err_console, handle_errors, progress, ticker

app = typer.Typer()


@contextmanager
def stop_on_signals() -> Iterator[tuple[threading.Event, list[int]]]:
    """SIGTERM (``kill``, a job scheduler's limit) and Ctrl-C stop the batch cleanly: the first
    one sets the event the runner watches (it cancels what runs, closes the cluster and its
    workers, keeps the files written); a second Ctrl-C interrupts at once. The signals received
    are listed, for the exit code."""
    stop, received = threading.Event(), []

    def on_signal(signum: int, frame: Any) -> None:
        if signum == signal.SIGINT and stop.is_set():
            raise KeyboardInterrupt
        received.append(signum)
        stop.set()

    try:
        before = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:  # not the main thread (an embedding program): leave the signals alone
        yield stop, received
        return
    try:
        yield stop, received
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)


def quiet_dask(verbose: bool) -> None:
    """Dask's own log lines (a worker's "Compute Failed" with its traceback, heartbeats that
    fail while the cluster closes) stay off stderr unless ``--verbose``: corridor says what
    failed, one line per task. Set before the local cluster's workers are forked, so that they
    inherit it."""
    import logging

    if verbose:
        return
    import distributed  # noqa: F401  (its import sets up its loggers and their handler)

    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]
    for name in ["distributed", *names]:
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL)
        for handler in logger.handlers:
            handler.setLevel(logging.CRITICAL)


@app.command()
@handle_errors
def batch(
    spec: Annotated[Path, typer.Argument(help="The batch spec (YAML; see docs/batch.md).")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Directory of Parquet files, one per task."),
    ],
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="A running Dask scheduler (tcp://host:8786)."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=256, help="Local worker processes.")
    ] = 2,
    verbose: VerboseOpt = False,
) -> None:
    """Run every scenario x mover x plan of SPEC over its dates (and samples) on Dask; a rerun
    skips the tasks already written and redoes those whose scenario or files changed.

    The whole spec is checked first (scenarios, movers, plans, dates, samples): each problem is
    one line, and nothing runs. A task that fails is one line (its traceback with --verbose).
    """
    from corridor.batch.runner import check_output_directory, read_spec, run_batch
    from corridor.errors import CorridorError, ScenarioError

    say = err_console()
    try:
        tasks = read_spec(spec)
    except ScenarioError as exc:
        if verbose:
            say.print_exception()
        for line in exc.problems:
            # `spec.yaml:LINE: ...` for a problem in the spec; `error: ...` for one without a line
            shown = line if re.match(r"\S.*?:\d+: ", line) else f"error: {line}"
            say.print(shown, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    check_output_directory(output)
    quiet_dask(verbose)
    with stop_on_signals() as (stop, received), progress() as prog:
        result = run_batch(
            tasks,
            output,
            workers=workers,
            scheduler=scheduler,
            on_task=ticker(prog, f"{len(tasks)} tasks"),
            stop=stop,
        )
    if result.stopped:
        name = "SIGTERM" if signal.SIGTERM in received else "interrupted"
        say.print(
            f"stopped ({name}): {result.written} tasks written to {output} are kept; a rerun "
            "resumes",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(143 if signal.SIGTERM in received else 130)
    replaced = f" ({result.replaced} replacing stale rows)" if result.replaced else ""
    say.print(
        f"{result.written} tasks written{replaced}, {result.skipped} already there, "
        f"{len(result.failed)} failed: {output}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    for i, (task, message) in enumerate(result.failed):
        say.print(
            f"failed: {task.scenario} mover={task.mover} plan={task.plan}: {message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if verbose and i < len(result.tracebacks):
            say.print(result.tracebacks[i], markup=False, highlight=False, soft_wrap=True)
    if result.failed:
        msg = f"{len(result.failed)} of {len(tasks)} tasks failed (the others are written)"
        raise CorridorError(msg)
