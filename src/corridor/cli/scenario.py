"""``corridor scenarios``, ``corridor scenario validate`` and ``corridor scenario schema``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import (
    FLAGS_ONLY,
    VerboseOpt,
    announce_compiling,
    bundled_scenarios,
    console,
    err_console,
    handle_errors,
    progress,
    resolve_scenario,
    scenario_networks,
)

if TYPE_CHECKING:
    from corridor.model.scenario import Scenario

app = typer.Typer()
group = typer.Typer(help="Check scenario files.", no_args_is_help=True)


@app.command(context_settings=FLAGS_ONLY)
@handle_errors
def scenarios(verbose: VerboseOpt = False) -> None:
    """The bundled scenarios, one line each."""
    from rich.table import Table

    from corridor.scenario.yaml_lines import read_top_level

    table = Table("name", "title", "file")
    for name, path in bundled_scenarios().items():
        table.add_row(name, str(read_top_level(path).get("title", "")), str(path))
    console().print(table)


@group.command("validate")
@handle_errors
def scenario_validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file or bundled name.")],
    verbose: VerboseOpt = False,
) -> None:
    """Every problem in a scenario file at once, as file:line: what is wrong."""
    path = resolve_scenario(file)
    sc = _load_or_list_problems(path)
    console().print(
        f"{path}: valid: {len(sc.places)} places, {len(sc.zones)} zones, {len(sc.events)} events, "
        f"{len(sc.plans)} plans, {len(sc.movers)} movers"
    )


def _load_or_list_problems(path: Path) -> Scenario:
    """The scenario, or every problem of the file on stderr and exit 2."""
    from corridor.errors import ScenarioError
    from corridor.scenario.load import load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for p in exc.problems:
            err_console().print(p, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@group.command("check")
@handle_errors
def scenario_check(
    file: Annotated[str, typer.Argument(help="Scenario YAML file or bundled name.")],
    verbose: VerboseOpt = False,
) -> None:
    """The scenario against its network, for every mover and every date where something
    changes: closures that close nothing, origins and exits off the roads, zones that hold no
    road, exits unreachable even with nothing closed, events after the end, the same road
    closed twice a day. One line per finding, file:line first. Exit 0 when clean, 1 when it
    found something, 2 when the file itself is invalid."""
    from corridor.analysis.check import check_scenario
    from corridor.network.ways import network_warnings

    path = resolve_scenario(file)
    sc = _load_or_list_problems(path)
    announce_compiling()
    with progress() as prog:
        task = prog.add_task(f"checking {sc.name}", total=None)
        findings = check_scenario(
            sc,
            scenario_networks(sc),
            on_mover=lambda m: prog.update(task, description=f"checking {sc.name}: {m}"),
            network_notes=network_warnings,
        )
    out = console()
    for f in findings:
        when = ", ".join(x for x in (f"mover {f.mover}" if f.mover else "", f.date) if x)
        out.print(
            f"{sc.where(f.key)}: {f.key}: {f.message} [{f.code}" + (f"; {when}]" if when else "]"),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if findings:
        out.print(f"{path}: {len(findings)} finding(s)", markup=False, highlight=False)
        raise typer.Exit(1)
    movers = ", ".join(sc.movers) or sc.mover
    out.print(
        f"{path}: checked against its network for {movers}: nothing found",
        markup=False,
        highlight=False,
    )


@group.command("schema")
@handle_errors
def scenario_schema(verbose: VerboseOpt = False) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    import json

    from corridor.scenario.load import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
