"""``corridor batch``: every scenario x mover x plan of a spec on Dask, into Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import VerboseOpt, err_console, handle_errors, progress, ticker

app = typer.Typer()


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
    skips the tasks already written."""
    from corridor.batch.runner import read_spec, run_batch
    from corridor.errors import CorridorError

    tasks = read_spec(spec)
    with progress() as prog:
        result = run_batch(
            tasks,
            output,
            workers=workers,
            scheduler=scheduler,
            on_task=ticker(prog, f"{len(tasks)} tasks"),
        )
    say = err_console()
    say.print(
        f"{result.written} tasks written, {result.skipped} already there, "
        f"{len(result.failed)} failed: {output}",
        highlight=False,
    )
    for task, message in result.failed:
        say.print(
            f"failed: {task.scenario} mover={task.mover} plan={task.plan}: {message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if result.failed:
        msg = f"{len(result.failed)} of {len(tasks)} tasks failed (the others are written)"
        raise CorridorError(msg)
