"""Shared CLI pieces: options defined once, scenario lookup, and the one error table."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from functools import wraps
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from corridor.errors import CorridorError, ScenarioError

err_console = Console(stderr=True)
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

DEFAULT_SCENARIO = "mosul-2016"


def bundled_dir() -> Path:
    return Path(str(resources.files("corridor") / "data" / "scenarios"))


def bundled_scenarios() -> dict[str, Path]:
    root = bundled_dir()
    return {p.parent.name: p for p in sorted(root.glob("*/scenario.yaml")) if p.is_file()}


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


def parse_date(value: str | None, what: str = "--at") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{what} {value!r} is not a date; write it as YYYY-MM-DD"
        raise ScenarioError(msg) from None


def handle_errors(func: F) -> F:
    """The one error table: a user's mistake prints one line and exits 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = bool(kwargs.get("verbose"))
        try:
            return func(*args, **kwargs)
        except CorridorError as exc:
            if verbose:
                err_console.print_exception()
            err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]
