"""Shared CLI pieces: options defined once, scenario lookup, checks, progress, and the error table.

Importing this module must stay cheap (``corridor --help`` loads it): typer and the standard
library only. rich, numpy, numba and the rest of corridor load inside the functions that use them.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from corridor.bundled import DEFAULT_SCENARIO, bundled_scenarios
from corridor.errors import CorridorError, ScenarioError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from corridor.io.network import NetworkLoader
    from corridor.model.scenario import Scenario

F = TypeVar("F", bound=Callable[..., Any])

ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help="A scenario YAML file, or the name of a bundled scenario (see `corridor scenarios`). "
        "Default: the bundled mosul-2016.",
        show_default=False,
    ),
]
MoverOpt = Annotated[
    str | None,
    typer.Option("--mover", "-m", help="Mover id from the scenario, or car, foot, offroad, all."),
]
PlanOpt = Annotated[str | None, typer.Option("--plan", "-p", help="Replay this plan's events.")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Date (YYYY-MM-DD) of the situation to analyse.")
]
KOpt = Annotated[
    int, typer.Option("--k", min=0, max=20, help="Alternative routes per exit besides the fastest.")
]
PopulationOpt = Annotated[
    int | None,
    typer.Option("--population", min=0, help="People to move out (default: the scenario's)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks on errors.")]

# typer coerces a parameter through a pydantic TypeAdapter (pydantic loads: about 0.1 s) unless
# its value is already a bool. A ``--help`` left out is None; as the context's default it is
# False, so the root and commands whose parameters are all flags (``scenarios``) start without it.
FLAGS_ONLY: dict[str, Any] = {"default_map": {"help": False}}


# ------------------------------------------------------------------------------------ consoles
@functools.cache
def console() -> Console:
    """The stdout console. Tables need room: to a file or pipe, they are laid out 150 wide."""
    from rich.console import Console

    return Console() if Console().is_terminal else Console(width=150)


@functools.cache
def err_console() -> Console:
    """The stderr console, for progress, notices and errors."""
    from rich.console import Console

    return Console(stderr=True)


# ----------------------------------------------------------------------------------- scenarios
def resolve_scenario(value: str | None) -> Path:
    name = value or DEFAULT_SCENARIO
    bundled = bundled_scenarios()
    if name in bundled and not Path(name).exists():
        return bundled[name]
    p = Path(name)
    if p.is_dir() and (p / "scenario.yaml").is_file():
        return p / "scenario.yaml"
    if not p.exists():
        names = ", ".join(bundled) or "none"
        msg = f"{name}: no such scenario file, and no bundled scenario of that name (bundled: {names})"
        raise ScenarioError(msg)
    return p


def scenario_networks(scenario: Scenario) -> NetworkLoader:
    """The scenario's network for a base mover, each loaded once per command (OSM extracts
    through the on-disk cache)."""
    from corridor.io.network import NetworkLoader

    return NetworkLoader(scenario.network_path, kind=scenario.network_kind)


# -------------------------------------------------------------------------------------- checks
def parse_date(value: str | None, what: str = "--at") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{what} {value!r} is not a date; write it as YYYY-MM-DD"
        raise ScenarioError(msg) from None


def check_window(scenario: Scenario, day: dt.date | None) -> None:
    """Refuse a ``--at`` date outside the scenario's start and end (either may be open)."""
    if day is None:
        return
    start, end = scenario.start, scenario.end
    if (start and day < start) or (end and day > end):
        msg = f"--at {day} is outside the scenario's window {start or '…'} to {end or '…'}"
        raise ScenarioError(msg)


def load_checked(
    value: str | None,
    *,
    day: dt.date | None = None,
    mover: str | None = None,
    plans: tuple[str | None, ...] = (None,),
) -> Scenario:
    """The scenario a command names, with its ``--at`` day, mover and plans checked.

    Each mistake is one line before any work (and before any compile notice).
    """
    from corridor.io.scenario import load_scenario
    from corridor.model.timeline import timeline_events

    scenario = load_scenario(resolve_scenario(value))
    check_window(scenario, day)
    scenario.mover_profile(mover)
    for plan in plans:
        timeline_events(scenario, plan)
    return scenario


# ------------------------------------------------------------------------------------ progress
@contextmanager
def progress() -> Iterator[Progress]:
    """A transient progress display on stderr."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console(),
        transient=True,
    ) as prog:
        yield prog


def ticker(prog: Progress, description: str) -> Callable[[int, int], None]:
    """A task on ``prog`` and a callback ``tick(done, total)`` that advances it."""
    task = prog.add_task(description, total=None)

    def tick(done: int, total: int) -> None:
        prog.update(task, completed=done, total=total)

    return tick


# ---------------------------------------------------------------------------- compile notice
# 5 to 20 s measured on two cores: the first analysis on a machine, or after an upgrade
COMPILE_NOTICE = "compiling corridor's graph kernels once (several seconds; later runs skip it)…"


@functools.cache
def announce_compiling() -> None:
    """Have the graph kernels say, once, on stderr, when numba is about to compile them.

    Commands that analyse call it after checking their input and before the first analysis, so
    that a first run on a fresh machine does not sit silent for seconds. Small inputs run the
    kernels as plain Python and compile nothing (:mod:`corridor.analysis.kernels`), so nothing
    is said for them.
    """
    from corridor.analysis import kernels

    kernels.notify_before_compiling(lambda: err_console().print(COMPILE_NOTICE, highlight=False))


# --------------------------------------------------------------------------------- error table
def handle_errors(func: F) -> F:
    """The one error table: a user's mistake prints one line and exits 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = bool(kwargs.get("verbose"))
        try:
            return func(*args, **kwargs)
        except CorridorError as exc:
            if verbose:
                err_console().print_exception()
            err_console().print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console().print("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]
