"""The ``corridor`` command line: thin commands over io, analysis and outputs."""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from corridor.cli.common import (
    AtOpt,
    JsonOpt,
    KOpt,
    MoverOpt,
    PlanOpt,
    PopulationOpt,
    ScenarioArg,
    VerboseOpt,
    bundled_scenarios,
    handle_errors,
    parse_date,
    resolve_scenario,
)
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.situation import Closure
from corridor.io.files import writable, write_atomic

app = typer.Typer(
    help="corridor: is the place encircled, which roads out are open, what would seal it, "
    "how much can it carry, and how did that change over time.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
network_app = typer.Typer(
    help="Inspect road networks built from OSM extracts.", no_args_is_help=True
)
scenario_app = typer.Typer(help="Check scenario files.", no_args_is_help=True)
app.add_typer(network_app, name="network")
app.add_typer(scenario_app, name="scenario")

# Tables need room: when output goes to a file or pipe, lay them out 150 columns wide.
console = Console() if Console().is_terminal else Console(width=150)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _ticker(prog: Progress, description: str) -> Callable[[int, int], None]:
    task = prog.add_task(description, total=None)

    def tick(done: int, total: int) -> None:
        prog.update(task, completed=done, total=total)

    return tick


def _network_loader(scenario: Scenario) -> Callable[[Mover], RoadNetwork]:
    """The scenario's network for a base mover (loaded once per mover, OSM through the cache)."""
    from corridor.io.network import load_network

    def network_for(mover: Mover) -> RoadNetwork:
        return load_network(scenario.network_path, mover, kind=scenario.network_kind)

    return network_for


@app.command()
@handle_errors
def analyze(
    scenario: ScenarioArg = None,
    at: AtOpt = None,
    plan: PlanOpt = None,
    mover: MoverOpt = None,
    k: KOpt = 2,
    population: PopulationOpt = None,
    json_: JsonOpt = False,
    geojson: Annotated[
        Path | None, typer.Option("--geojson", help="Write routes, cut, origin and exits here.")
    ] = None,
    close_way: Annotated[
        list[int] | None,
        typer.Option("--close-way", help="What if this OSM way were closed too? (repeatable)"),
    ] = None,
    close_point: Annotated[
        list[str] | None,
        typer.Option(
            "--close-point",
            help="What if every road within R metres of LON,LAT were closed? Give LON,LAT,R "
            "(repeatable).",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Full report at one date: status, exits, routes, minimum cut, capacity, evacuation time."""
    from corridor.analysis.replay import report_at
    from corridor.io.scenario import load_scenario
    from corridor.outputs.json import report_json
    from corridor.outputs.text import print_report

    sc = load_scenario(resolve_scenario(scenario))
    day = parse_date(at)
    _check_window(sc, day)
    if geojson is not None:
        writable(geojson)
    what_if = _what_if(close_way or [], close_point or [])
    with _progress() as prog:
        prog.add_task(f"analysing {sc.name}", total=None)
        report = report_at(
            sc,
            _network_loader(sc),
            day,
            mover=mover,
            plan=plan,
            k=k,
            population=population,
            what_if=what_if,
        )
    if geojson is not None:
        from corridor.outputs.geojson import report_geojson

        write_atomic(geojson, json.dumps(report_geojson(report)))
    if json_:
        console.print_json(data=report_json(report)) if console.is_terminal else print(
            json.dumps(report_json(report), ensure_ascii=False, indent=2)
        )
    else:
        print_report(report, console)
        if geojson is not None:
            console.print(f"GeoJSON written to {geojson}")


def _what_if(ways: list[int], points: list[str]) -> list[Closure]:
    from corridor.errors import ScenarioError
    from corridor.model.areas import Area

    out = [Closure(ways=(w,), label=f"way {w}") for w in ways]
    for text in points:
        try:
            lon, lat, radius = (float(x) for x in text.split(","))
        except ValueError:
            msg = f"--close-point {text!r}: write it as LON,LAT,RADIUS_M, e.g. 43.05,36.37,500"
            raise ScenarioError(msg) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or radius <= 0:
            msg = f"--close-point {text!r}: LON in [-180, 180], LAT in [-90, 90], RADIUS_M > 0"
            raise ScenarioError(msg)
        label = f"{radius:.0f} m around [{lon}, {lat}]"
        out.append(Closure(area=Area(label, point=(lon, lat), radius_m=radius), label=label))
    return out


def _check_window(sc: Scenario, day: dt.date | None) -> None:
    from corridor.errors import ScenarioError

    if day is None:
        return
    if (sc.start and day < sc.start) or (sc.end and day > sc.end):
        msg = f"--at {day} is outside the scenario's window {sc.start or '…'} to {sc.end or '…'}"
        raise ScenarioError(msg)


@app.command()
@handle_errors
def timeline(
    scenario: ScenarioArg = None,
    plan: PlanOpt = None,
    mover: MoverOpt = None,
    population: PopulationOpt = None,
    json_: JsonOpt = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also draw the timeline as a chart (.png or .svg)."),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """One row per date where something changes: events, status per exit, cut, capacity."""
    from corridor.analysis.replay import replay
    from corridor.io.scenario import load_scenario
    from corridor.outputs.json import report_json
    from corridor.outputs.timeline import timeline_rows, timeline_table

    sc = load_scenario(resolve_scenario(scenario))
    if chart is not None:
        from corridor.outputs.charts import check_chart_path

        check_chart_path(chart)
    with _progress() as prog:
        tick = _ticker(prog, f"replaying {sc.name}" + (f" under plan {plan}" if plan else ""))
        reports = replay(
            sc, _network_loader(sc), mover=mover, plan=plan, population=population, on_report=tick
        )
    if chart is not None:
        from corridor.outputs.charts import write_timeline_chart

        write_timeline_chart(sc, reports, chart, plan=plan)
        Console(stderr=True).print(f"chart written to {chart}")
    if json_:
        print(json.dumps([report_json(r) for r in reports], ensure_ascii=False, indent=2))
        return
    rows = timeline_rows(reports)
    if csv_:
        buf = _io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()) if rows else ["date"])
        w.writeheader()
        w.writerows(rows)
        print(buf.getvalue(), end="")
        return
    console.print(timeline_table(sc, reports, plan=plan))


@app.command()
@handle_errors
def compare(
    scenario: ScenarioArg = None,
    plan: Annotated[
        list[str] | None,
        typer.Option(
            "--plan", "-p", help="Plan id; give two, or one to compare with what happened."
        ),
    ] = None,
    mover: MoverOpt = None,
    json_: JsonOpt = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also draw both on one chart (.png or .svg)."),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Two plans (or a plan and what happened) side by side, and the first date they differ."""
    from corridor.analysis.replay import replay
    from corridor.errors import ScenarioError
    from corridor.io.scenario import load_scenario
    from corridor.model.timeline import change_dates
    from corridor.outputs.json import report_json
    from corridor.outputs.timeline import compare_table, first_difference

    plans: list[str | None] = list(plan or [])
    if len(plans) == 1:
        plans = [None, plans[0]]
    if len(plans) != 2:
        msg = "compare needs --plan A --plan B, or one --plan to compare with what happened"
        raise ScenarioError(msg)
    sc = load_scenario(resolve_scenario(scenario))
    if chart is not None:
        from corridor.outputs.charts import check_chart_path

        check_chart_path(chart)
    dates = sorted(set(change_dates(sc, plans[0])) | set(change_dates(sc, plans[1])))
    with _progress() as prog:
        a, b = (
            replay(
                sc,
                _network_loader(sc),
                mover=mover,
                plan=p,
                dates=dates,
                on_report=_ticker(prog, f"replaying {sc.name}: {p or 'what happened'}"),
            )
            for p in plans
        )
    diff = first_difference(a, b)
    if chart is not None:
        from corridor.outputs.charts import write_compare_chart

        write_compare_chart(sc, a, b, plans, chart)
        Console(stderr=True).print(f"chart written to {chart}")
    if json_:
        print(
            json.dumps(
                {
                    "plans": [p or "what happened" for p in plans],
                    "first_difference": diff,
                    "a": [report_json(r) for r in a],
                    "b": [report_json(r) for r in b],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console.print(compare_table(sc, a, b, plans))
    if diff:
        console.print(Text(f"The two part on {diff}.", style="bold"))
    else:
        console.print("The two never differ.")


@app.command()
@handle_errors
def scenarios(verbose: VerboseOpt = False) -> None:
    """The bundled scenarios, one line each."""
    import yaml

    table = Table("name", "title", "file")
    for name, path in bundled_scenarios().items():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        table.add_row(name, str(data.get("title", "")), str(path))
    console.print(table)


@scenario_app.command("validate")
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
            Console(stderr=True).print(p, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(
        f"{path}: valid: {len(sc.places)} places, {len(sc.zones)} zones, {len(sc.events)} events, "
        f"{len(sc.plans)} plans, {len(sc.movers)} movers"
    )


@scenario_app.command("schema")
@handle_errors
def scenario_schema(verbose: VerboseOpt = False) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from corridor.io.scenario import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))


@network_app.command("info")
@handle_errors
def network_info(
    path: Annotated[Path, typer.Argument(help="OSM PBF, .osm, .osm.gz, .osm.bz2 or GeoJSON file.")],
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Nodes and directed edges per mover, one edge per consecutive node pair and direction."""
    from corridor.io.geojson import read_geojson_ways
    from corridor.io.osm import check_readable, is_osm_path, read_ways
    from corridor.io.ways import network_from_ways
    from corridor.model.network import Mover

    check_readable(path)
    with _progress() as prog:
        prog.add_task(f"reading {path.name}", total=None)
        table = read_ways(path) if is_osm_path(path) else read_geojson_ways(path)
        nets = {m.value: network_from_ways(table, m, source=str(path)) for m in Mover}
    if json_:
        print(json.dumps({m: n.summary() for m, n in nets.items()}))
        return
    t = Table("mover", "nodes", "directed edges", "ways kept", title=str(path))
    for m, n in nets.items():
        t.add_row(m, f"{n.n_nodes:,}", f"{n.n_edges:,}", f"{n.meta['ways_kept']:,}")
    console.print(t)


def main() -> None:
    app()


def _register_extras() -> None:
    from corridor.cli import maps

    maps.register(app)


_register_extras()


if __name__ == "__main__":
    main()
