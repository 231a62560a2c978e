"""Shared CLI pieces: options defined once, scenario lookup, checks, progress, and the error table.

Importing this module must stay cheap (``corridor --help`` loads it): typer and the standard
library only. rich, numpy, numba and the rest of corridor load inside the functions that use them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from corridor.bundled import DEFAULT_SCENARIO, bundled_scenarios
from corridor.errors import CorridorError, OutputError, ScenarioError, StrictWarningError
from corridor.files import is_file, path_exists
from corridor.text import TerminalSafe, shown

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from corridor.analysis.results import InputWarning
    from corridor.model.scenario import Scenario
    from corridor.network.load import NetworkLoader

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
    typer.Option(
        "--mover", "-m", help="Mover id from the scenario, or car, foot, walkers, offroad, all."
    ),
]
PlanOpt = Annotated[str | None, typer.Option("--plan", "-p", help="Replay this plan's events.")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Date (YYYY-MM-DD) of the situation to analyse.")
]
KOpt = Annotated[
    int, typer.Option("--k", min=0, max=20, help="Alternative routes per exit besides the fastest.")
]
MAX_POPULATION = 10_000_000_000
"""The most people an option may name: the scenario file's bound
(``corridor.scenario.schema.MAX_POPULATION``, not imported here: it would load pydantic)."""
MAX_SAMPLES = 100_000
"""The most samples ``--samples`` draws (1,000 take about 26 s on mosul-2016)."""

PopulationOpt = Annotated[
    int | None,
    typer.Option(
        "--population",
        min=0,
        max=MAX_POPULATION,
        help="People to move out (default: the scenario's).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ChartFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--chart-format",
        help="png or svg: the chart's format with --chart - (standard output; default png). "
        "For a file, its name's ending decides.",
        show_default=False,
    ),
]
CommunitiesOpt = Annotated[
    str | None,
    typer.Option(
        "--communities",
        "-c",
        help="Which communities: osm (every OSM place node of kind city, town, village, "
        "hamlet or suburb inside the network; the default for an OSM network), scenario (the "
        "scenario's places but the refuges; the default otherwise), or a CSV (name, lon, lat, "
        "population; optionally id, radius_m) or GeoJSON file of points.",
    ),
]
RadiusOpt = Annotated[
    float | None,
    typer.Option(
        "--radius",
        min=1.0,
        max=50_000.0,
        help="How far (m) from its point a community's roads reach (default by OSM kind: "
        "city 2000, town 1000, suburb 600, village 500, hamlet 250; a file's rows 500 or their "
        "radius_m). Scenario places keep their own areas.",
    ),
]


SamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--samples",
        min=1,
        max=MAX_SAMPLES,
        help="Also answer over N samples of the evidence: each event happens with its "
        "confidence, dates and zone boundaries move within their uncertainty "
        "(docs/uncertainty.md).",
        show_default=False,
    ),
]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="Seed of --samples: the same seed, the same answers.")
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        max=256,
        help="Processes for --samples (the answers do not depend on it).",
    ),
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Show tracebacks on errors.")]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Exit 2 when any input binds to nothing (a closure or zone off every road: see the "
        "report's warnings), after writing the output.",
    ),
]

# typer coerces a parameter through a pydantic TypeAdapter (pydantic loads: about 0.1 s) unless
# its value is already a bool. A ``--help`` left out is None; as the context's default it is
# False, so the root and commands whose parameters are all flags (``scenarios``) start without it.
FLAGS_ONLY: dict[str, Any] = {"default_map": {"help": False}}


# ------------------------------------------------------------------------------------ consoles
@functools.cache
def console() -> Console:
    """The stdout console. Tables need room: to a file or pipe, they are laid out 150 wide.
    No emoji codes: ``:100:`` in a name or a ``file:100:`` is text, not an emoji."""
    from rich.console import Console

    out = TerminalSafe(lambda: sys.stdout)
    if Console().is_terminal:
        return Console(emoji=False, file=out)  # type: ignore[arg-type]
    return Console(width=150, emoji=False, file=out)  # type: ignore[arg-type]


@functools.cache
def err_console() -> Console:
    """The stderr console, for progress, notices and errors (``file:100:`` stays text, not an
    emoji)."""
    from rich.console import Console

    return Console(stderr=True, emoji=False, file=TerminalSafe(lambda: sys.stderr))  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------- scenarios
def resolve_scenario(value: str | None) -> Path:
    name = value or DEFAULT_SCENARIO
    bundled = bundled_scenarios()
    if name in bundled and not path_exists(Path(name)):
        return bundled[name]
    p = Path(name)
    if is_file(p / "scenario.yaml"):
        return p / "scenario.yaml"
    if not path_exists(p):
        names = ", ".join(bundled) or "none"
        msg = f"{name}: no such scenario file, and no bundled scenario of that name (bundled: {names})"
        raise ScenarioError(msg)
    return p


def scenario_networks(scenario: Scenario) -> NetworkLoader:
    """The scenario's network for a base mover, each loaded once per command (OSM extracts
    through the on-disk cache)."""
    from corridor.network.load import NetworkLoader

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


def parse_start(value: str | None, what: str = "--start") -> dt.time | None:
    """``--start HH:MM`` as a time of day (None when not given)."""
    if value is None:
        return None
    import re

    m = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*", value)
    if m is None:
        msg = f"{what} {value!r} is not a time of day; write it as HH:MM (24 h), e.g. 08:00"
        raise ScenarioError(msg)
    return dt.time(int(m.group(1)), int(m.group(2)))


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
    from corridor.model.timeline import check_window, timeline_events
    from corridor.scenario.load import load_scenario

    scenario = load_scenario(resolve_scenario(value))
    check_window(scenario, day, what="--at")
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


# ------------------------------------------------------------------------------------- outputs
#: An output option given this writes to standard output instead of a file.
STDOUT = "-"


def is_stdout(path: Path | None) -> bool:
    """Whether an output option names standard output (``-``)."""
    return path is not None and str(path) == STDOUT


def scenario_inputs(scenario: Scenario) -> dict[Path, str]:
    """Every file a command reads for ``scenario`` (:func:`corridor.scenario.inputs.scenario_inputs`)."""
    from corridor.scenario.inputs import scenario_inputs as inputs

    return inputs(scenario)


def check_outputs(
    scenario: Scenario,
    outputs: Mapping[str, Path | None],
    *,
    reads: Mapping[Path, str] | None = None,
) -> None:
    """Refuse, before any work and in one line, an output no run may write.

    ``outputs`` maps each option to the path it names (None: not given; ``-``: standard output,
    which is not checked here, see :func:`stdout_taken`). A path may not be a file the run reads
    (:func:`scenario_inputs`, and ``reads``: the command's own inputs, an ACLED export, an
    article, a review file, each with what it is), compared through links and hard links, nor a
    FIFO, a device or a directory, and two options may not name one file. Every command that
    writes a file calls this first.
    """
    from corridor.files import check_output, same_file

    inputs = {**scenario_inputs(scenario), **(reads or {})}
    seen: dict[str, Path] = {}
    for option, path in outputs.items():
        if path is None or is_stdout(path):
            continue
        check_output(path, inputs, label=f"{option} {path}")
        for other, earlier in seen.items():
            if same_file(path, earlier):
                msg = f"{option} {path} and {other} {earlier} name one file; give two names"
                raise OutputError(msg)
        seen[option] = path


def stdout_taken(files: Mapping[str, Path | None], prints: Mapping[str, bool]) -> bool:
    """Whether an output option writes to standard output (``-``), the only thing there then.

    ``files`` are the output options; ``prints`` the flags that print something else on standard
    output (``--json``, ``--csv``). Two of them at once are refused in one line.
    """
    wanted = [f"{o} -" for o, p in files.items() if is_stdout(p)]
    wanted += [o for o, on in prints.items() if on]
    if len(wanted) > 1:
        msg = f"{' and '.join(wanted)} would both write to standard output; send one to a file"
        raise OutputError(msg)
    return any(is_stdout(p) for p in files.values())


def write_text_output(path: Path, text: str) -> None:
    """Write ``text`` to the file ``path`` (atomically) or, for ``-``, to standard output."""
    from corridor.files import write_atomic

    if is_stdout(path):
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(path, text)


def chart_format(path: Path | None, fmt: str | None) -> str:
    """The format of the chart ``--chart PATH`` asks for: ``png`` or ``svg``.

    For a file, its name's ending (a ``--chart-format`` that disagrees is refused); for ``-``,
    ``--chart-format`` (default png). PNG is not written to a terminal.
    """
    if fmt is not None and fmt.lower() not in ("png", "svg"):
        msg = f"--chart-format {fmt!r}: write png or svg"
        raise OutputError(msg)
    if path is None:
        return ""
    if not is_stdout(path):
        from corridor.outputs.charts import check_chart_path

        check_chart_path(path)
        ending = path.suffix.lower().lstrip(".")
        if fmt is not None and fmt.lower() != ending:
            msg = f"--chart-format {fmt} disagrees with --chart {path}; give a .{fmt.lower()} file"
            raise OutputError(msg)
        return ending
    chosen = (fmt or "png").lower()
    if chosen == "png" and sys.stdout.isatty():
        msg = (
            "--chart -: a PNG is binary and standard output is a terminal; redirect it "
            "(> chart.png, | viewer), or give --chart-format svg"
        )
        raise OutputError(msg)
    return chosen


def write_chart_output(path: Path, fmt: str, draw: Callable[[Path], object]) -> None:
    """Have ``draw(file)`` write the chart to ``path`` or, for ``-``, copy what it wrote to a
    private temporary directory to standard output (the same bytes as a file would hold)."""
    if not is_stdout(path):
        draw(path)
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="corridor-") as tmp:
        file = Path(tmp) / f"chart.{fmt}"
        draw(file)
        sys.stdout.flush()
        sys.stdout.buffer.write(file.read_bytes())
        sys.stdout.buffer.flush()


def check_layer_directory(
    scenario: Scenario,
    directory: Path,
    names: list[str],
    *,
    force: bool,
    others: Mapping[str, Path | None] | None = None,
) -> None:
    """Refuse, before any work and in one line, a ``--geojson DIR`` that would destroy data.

    Never, even with ``force``: ``-`` (a directory is many files), a DIR that is a file or that
    another output option (``others``, e.g. ``{"-o": out.html}``) names, a layer file that is one
    of the run's inputs, a special file, or a symbolic link to a file outside DIR. Without ``force``: a DIR that holds
    the scenario's inputs, or a layer file that exists and is not a layer corridor wrote (a
    FeatureCollection whose ``layer`` property is its name): that one is the user's.
    """
    from corridor.files import check_output, same_file, writable

    option = "--geojson"
    if is_stdout(directory):
        msg = (
            f"{option} -: the layers are one file each, and standard output holds one; name a "
            "directory (corridor analyze --geojson - prints the report's layers as one file)"
        )
        raise OutputError(msg)
    for other, path in (others or {}).items():
        if path is not None and not is_stdout(path) and same_file(path, directory):
            msg = (
                f"{option} {directory} and {other} {path} name one path; the layers go in a "
                "directory of their own: give two names"
            )
            raise OutputError(msg)
    if directory.exists() and not directory.is_dir():
        msg = f"{option} {directory}: exists and is not a directory; name a directory"
        raise OutputError(msg)
    if not directory.is_dir():
        writable(directory)  # created in an existing directory: nothing there yet to protect
        return
    inputs = scenario_inputs(scenario)
    files = {name: directory / f"{name}.geojson" for name in names}
    inside = directory.resolve()
    for name, file in files.items():
        label = f"{option} {directory} (its {name} layer, {file.name})"
        check_output(file, inputs, label=label, fix="even with --force: choose another directory")
        if file.is_symlink() and file.resolve().parent != inside:
            msg = (
                f"{label}: a symbolic link to {file.resolve()}, outside the directory; corridor "
                "never writes through a link out of --geojson DIR: remove the link"
            )
            raise OutputError(msg)
    if force:
        return
    held = [
        f.name
        for f in inputs
        if f.exists()
        and (same_file(f.parent, directory) or same_file(f.resolve().parent, directory))
    ]
    if held:
        msg = (
            f"{option} {directory}: this directory holds the scenario's inputs "
            f"({', '.join(held)}); write the layers elsewhere, or give --force to write them "
            "beside (never over) the inputs"
        )
        raise OutputError(msg)
    for name, file in files.items():
        if file.exists() and not _is_layer_export(file, name):
            msg = (
                f"{option} {directory}: {file.name} exists and is not a {name!r} layer corridor "
                "wrote; move it, write the layers elsewhere, or give --force to replace it"
            )
            raise OutputError(msg)


def _is_layer_export(file: Path, name: str) -> bool:
    """Whether ``file`` looks like corridor's own ``name`` layer: a FeatureCollection whose
    properties, written before its features, say ``"layer": name``."""
    try:
        with file.open("rb") as f:
            head = f.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return False
    return '"FeatureCollection"' in head and re.search(rf'"layer"\s*:\s*"{name}"', head) is not None


def end_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (``kill``, a timeout, a stopping container) into an exit that unwinds, so a
    write in progress removes its temporary file as on any failure (SIGKILL cannot be caught:
    the next write in that folder removes what it leaves, see
    :func:`corridor.files.clean_stale_temporaries`)."""
    import signal

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)


# -------------------------------------------------------------------------------- warnings
def say_network_warnings(network: Any) -> None:
    """On stderr, what the network's file made corridor drop or clamp (segments whose nodes
    are missing, absurd tag values): the answer stands on what is left."""
    from corridor.network.ways import network_warnings

    for line in network_warnings(network):
        err_console().print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True)


def finish_warnings(warnings: Sequence[InputWarning], *, strict: bool, shown: bool) -> None:
    """After the output: say on stderr how many inputs bind to nothing (unless the output
    already ``shown`` them on a terminal table), and with ``--strict`` exit 2 for any."""
    if not warnings:
        return
    first = warnings[0].message
    more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
    if strict:
        msg = f"--strict: an input binds to nothing: {first}{more}"
        raise StrictWarningError(msg)
    if not shown:
        err_console().print(
            f"warning: {first}{more}", markup=False, highlight=False, soft_wrap=True
        )


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
        except OSError as exc:
            # the file system refused a path the user gave (a name longer than it allows, no
            # permission, a full disk): what and where, in one line
            if verbose:
                err_console().print_exception()
            where = f"{shown(exc.filename, limit=120)}: " if exc.filename else ""
            reason = exc.strerror or type(exc).__name__
            err_console().print(f"error: {where}{reason}", markup=False, highlight=False)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err_console().print("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


# the ingest commands (import, extract, events)
ScenarioOpt = Annotated[
    str | None,
    typer.Option(
        "--scenario",
        "-s",
        help="A scenario YAML file, or the name of a bundled scenario. Default: mosul-2016.",
        show_default=False,
    ),
]

ReviewArg = Annotated[
    Path, typer.Argument(help="A review file (written by corridor import acled -o ...).")
]
