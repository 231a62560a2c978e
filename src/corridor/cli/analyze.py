"""``corridor analyze``: the full report at one date, with what-if closures."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor.cli.common import (
    AtOpt,
    ChartFormatOpt,
    JsonOpt,
    KOpt,
    MoverOpt,
    PlanOpt,
    PopulationOpt,
    SamplesOpt,
    ScenarioArg,
    SeedOpt,
    StrictOpt,
    VerboseOpt,
    WorkersOpt,
    announce_compiling,
    chart_format,
    check_outputs,
    console,
    err_console,
    finish_warnings,
    handle_errors,
    is_stdout,
    load_checked,
    parse_date,
    parse_start,
    progress,
    say_network_warnings,
    scenario_networks,
    stdout_taken,
    ticker,
    write_chart_output,
    write_text_output,
)

if TYPE_CHECKING:
    from corridor.model.situation import Closure

app = typer.Typer()


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
        Path | None,
        typer.Option(
            "--geojson",
            help="Write routes, cut, origin and exits here, as one FeatureCollection; - writes "
            "it to standard output instead of the report. A link is followed; an input of the "
            "run is never replaced.",
        ),
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
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Follow the evacuation over time from this hour of the --at date (HH:MM, "
            "default 00:00): through the windows and checkpoints, hour by hour. Scenarios with "
            "windows, checkpoints or restrictions always show it.",
        ),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Draw the evacuation over time (persons out hour by hour against the "
            "population, each window's and checkpoint's open hours shaded) as .png or .svg; - "
            "writes it to standard output instead of the report (see --chart-format). Needs "
            "the evacuation over time: windows, checkpoints or restrictions in the scenario, "
            "or --start.",
        ),
    ] = None,
    chart_format_: ChartFormatOpt = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = 0,
    workers: WorkersOpt = 1,
    strict: StrictOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Full report at one date: status, exits, routes, minimum cut, capacity, evacuation time."""
    import json

    from corridor.analysis.replay import mover_network, report_at
    from corridor.outputs.json import report_json
    from corridor.outputs.text import print_report

    day = parse_date(at)
    sc = load_checked(scenario, day=day, mover=mover, plans=(plan,))
    fmt = chart_format(chart, chart_format_)
    check_outputs(sc, {"--geojson": geojson, "--chart": chart})
    to_stdout = stdout_taken({"--geojson": geojson, "--chart": chart}, {"--json": json_})
    what_if = _what_if(close_way or [], close_point or [])
    announce_compiling()
    networks = scenario_networks(sc)
    with progress() as prog:
        prog.add_task(f"analysing {sc.name}", total=None)
        report = report_at(
            sc,
            networks,
            day,
            mover=mover,
            plan=plan,
            k=k,
            population=population,
            what_if=what_if,
            start=parse_start(start),
        )
    summary = None
    if samples is not None:
        from corridor.analysis.uncertainty import sample_at

        drawn: dict[str, Any] = {
            "samples": samples,
            "seed": seed,
            "population": population,
            "workers": workers,
        }
        with progress() as prog:
            tick = ticker(prog, f"sampling {sc.name} at {day or 'the first date'}")
            summary = sample_at(sc, networks, day, mover=mover, plan=plan, on_sample=tick, **drawn)
    net = mover_network(sc, networks, mover)
    say_network_warnings(net)
    if geojson is not None:
        from corridor.outputs.geojson import report_geojson

        write_text_output(geojson, json.dumps(report_geojson(report, net)))
    if chart is not None:
        if report.timed is None:
            from corridor.errors import OutputError

            msg = (
                f"--chart: {sc.name} has no evacuation over time on {report.date or 'its date'} "
                "(no window, checkpoint or restriction in force); give --start HH:MM to follow "
                "one through the roads' own capacity"
            )
            raise OutputError(msg)
        from corridor.outputs.charts import write_timed_chart

        write_chart_output(chart, fmt, lambda p: write_timed_chart(sc, report, p))
        where = "standard output" if is_stdout(chart) else chart
        err_console().print(f"chart written to {where}")
    if not to_stdout:  # else the GeoJSON is all that standard output holds
        out = console()
        data = report_json(report, net)
        if summary is not None:
            from corridor.outputs.samples import samples_json

            data["samples"] = samples_json(summary)
        if json_:
            out.print_json(data=data) if out.is_terminal else print(
                json.dumps(data, ensure_ascii=False, indent=2)
            )
        else:
            print_report(report, net, out)  # the warnings are at its end
            if summary is not None:
                from corridor.outputs.samples import samples_table

                out.print(samples_table([summary], title="How sure are we"))
            if geojson is not None:
                out.print(f"GeoJSON written to {geojson}")
    finish_warnings(report.warnings, strict=strict, shown=not (json_ or to_stdout))


def _what_if(ways: list[int], points: list[str]) -> list[Closure]:
    """The ``--close-way`` and ``--close-point`` closures."""
    from corridor.errors import ScenarioError
    from corridor.model.areas import Area
    from corridor.model.situation import Closure

    for w in ways:
        if not -(2**63) < w < 2**63:
            msg = f"--close-way {w}: not an OSM way id (ids fit in 64 bits); check the number"
            raise ScenarioError(msg)
    out = [Closure(ways=(w,), label=f"way {w}") for w in ways]
    for text in points:
        try:
            lon, lat, radius = (float(x) for x in text.split(","))
        except ValueError:
            msg = f"--close-point {text!r}: write it as LON,LAT,RADIUS_M, e.g. 43.05,36.37,500"
            raise ScenarioError(msg) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not 0 < radius < 2e7:
            msg = (
                f"--close-point {text!r}: LON in [-180, 180], LAT in [-90, 90], RADIUS_M > 0 "
                "(finite numbers)"
            )
            raise ScenarioError(msg)
        label = f"{radius:.0f} m around [{lon}, {lat}]"
        out.append(Closure(area=Area(label, point=(lon, lat), radius_m=radius), label=label))
    return out
