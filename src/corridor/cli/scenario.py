"""``corridor scenarios``, ``corridor scenario validate`` and ``corridor scenario schema``."""

from __future__ import annotations

from typing import Annotated

import typer

from corridor.cli.common import (
    FLAGS_ONLY,
    VerboseOpt,
    bundled_scenarios,
    console,
    err_console,
    handle_errors,
    resolve_scenario,
)

app = typer.Typer()
group = typer.Typer(help="Check scenario files.", no_args_is_help=True)


@app.command(context_settings=FLAGS_ONLY)
@handle_errors
def scenarios(verbose: VerboseOpt = False) -> None:
    """The bundled scenarios, one line each."""
    from rich.table import Table

    from corridor.io.yaml_lines import read_top_level

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
    from corridor.errors import ScenarioError
    from corridor.io.scenario import load_scenario

    path = resolve_scenario(file)
    try:
        sc = load_scenario(path)
    except ScenarioError as exc:
        for p in exc.problems:
            err_console().print(p, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console().print(
        f"{path}: valid: {len(sc.places)} places, {len(sc.zones)} zones, {len(sc.events)} events, "
        f"{len(sc.plans)} plans, {len(sc.movers)} movers"
    )


@group.command("schema")
@handle_errors
def scenario_schema(verbose: VerboseOpt = False) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    import json

    from corridor.io.scenario import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
