"""``corridor timeline`` and ``corridor compare``: a scenario replayed over its change dates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import (
    ChartFormatOpt,
    JsonOpt,
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
    parse_start,
    progress,
    say_network_warnings,
    scenario_networks,
    stdout_taken,
    ticker,
    write_chart_output,
)

if TYPE_CHECKING:
    import datetime as dt

    from corridor.analysis.uncertainty import SampleSummary
    from corridor.model.scenario import Scenario
    from corridor.network.load import NetworkLoader

app = typer.Typer()


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
        typer.Option(
            "--chart",
            help="Also draw the timeline as a chart (.png or .svg); - writes it to standard "
            "output instead of the table (see --chart-format). With --samples, with "
            "probability bands: P(open) and P(reachable) per exit, and the 10-90 % bands of "
            "capacity, minimum cut and evacuation hours.",
        ),
    ] = None,
    chart_format_: ChartFormatOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Follow the evacuation over time from this hour of each date (HH:MM, default "
            "00:00): shown under the quickest evacuation; scenarios with windows, checkpoints "
            "or restrictions always show it.",
        ),
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = 0,
    workers: WorkersOpt = 1,
    strict: StrictOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """One row per date where something changes: events, status per exit, cut, capacity."""
    import json

    from corridor.analysis.replay import mover_network, replay
    from corridor.outputs.json import report_json
    from corridor.outputs.text import warnings_renderable
    from corridor.outputs.timeline import timeline_rows, timeline_table, timeline_warnings

    sc = load_checked(scenario, mover=mover, plans=(plan,))
    fmt = chart_format(chart, chart_format_)
    check_outputs(sc, {"--chart": chart})
    to_stdout = stdout_taken({"--chart": chart}, {"--json": json_, "--csv": csv_})
    networks = scenario_networks(sc)
    announce_compiling()
    with progress() as prog:
        tick = ticker(prog, f"replaying {sc.name}" + (f" under plan {plan}" if plan else ""))
        reports = replay(
            sc,
            networks,
            mover=mover,
            plan=plan,
            population=population,
            on_report=tick,
            start=parse_start(start),
        )
    summaries = None
    if samples is not None:
        summaries = sample_dates(
            sc,
            networks,
            None,
            samples=samples,
            seed=seed,
            mover=mover,
            plan=plan,
            population=population,
            workers=workers,
        )
    net = mover_network(sc, networks, mover)
    say_network_warnings(net)
    if chart is not None:
        from corridor.outputs.charts import write_timeline_chart

        write_chart_output(
            chart,
            fmt,
            lambda p: write_timeline_chart(sc, reports, p, plan=plan, samples=summaries),
        )
        _say_chart_written(chart)
    warnings = timeline_warnings(reports)  # once each, not once per date
    if to_stdout:  # the chart is all that standard output holds
        pass
    elif json_:
        data = [report_json(r, net) for r in reports]
        if summaries is not None:
            from corridor.outputs.samples import samples_json

            for d, s in zip(data, summaries, strict=True):
                d["samples"] = samples_json(s)
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif csv_:
        rows = timeline_rows(reports, net)
        if summaries is not None:
            from corridor.outputs.samples import samples_csv_columns

            rows = [
                {**row, **samples_csv_columns(s)} for row, s in zip(rows, summaries, strict=True)
            ]
        from corridor.outputs.csv_text import csv_dicts

        print(csv_dicts(rows, ["date"]), end="")
    else:
        console().print(timeline_table(sc, reports, net, plan=plan))
        if summaries is not None:
            from corridor.outputs.samples import samples_table

            console().print(samples_table(summaries, title="How sure are we"))
        if warnings:
            console().print(warnings_renderable(warnings))
    finish_warnings(warnings, strict=strict, shown=not (to_stdout or json_ or csv_))


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
        typer.Option(
            "--chart",
            help="Also draw both on one chart (.png or .svg); - writes it to standard output "
            "instead of the table (see --chart-format).",
        ),
    ] = None,
    chart_format_: ChartFormatOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Follow the evacuation over time under each plan from this hour of each date "
            "(HH:MM, default 00:00): a column of when the last person is out; scenarios with "
            "windows, checkpoints or restrictions always show it.",
        ),
    ] = None,
    strict: StrictOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Two plans (or a plan and what happened) side by side, and the first date they differ."""
    import json

    from rich.text import Text

    from corridor.analysis.replay import mover_network, replay
    from corridor.errors import ScenarioError
    from corridor.model.timeline import change_dates
    from corridor.outputs.json import report_json
    from corridor.outputs.text import warnings_renderable
    from corridor.outputs.timeline import compare_table, first_difference, timeline_warnings

    plans: list[str | None] = list(plan or [])
    if len(plans) == 1:
        plans = [None, plans[0]]
    if len(plans) != 2:
        msg = "compare needs --plan A --plan B, or one --plan to compare with what happened"
        raise ScenarioError(msg)
    sc = load_checked(scenario, mover=mover, plans=tuple(plans))
    fmt = chart_format(chart, chart_format_)
    check_outputs(sc, {"--chart": chart})
    to_stdout = stdout_taken({"--chart": chart}, {"--json": json_})
    dates = sorted(set(change_dates(sc, plans[0])) | set(change_dates(sc, plans[1])))
    networks = scenario_networks(sc)
    from_hour = parse_start(start)
    announce_compiling()
    with progress() as prog:
        a, b = (
            replay(
                sc,
                networks,
                mover=mover,
                plan=p,
                dates=dates,
                start=from_hour,
                on_report=ticker(prog, f"replaying {sc.name}: {p or 'what happened'}"),
            )
            for p in plans
        )
    net = mover_network(sc, networks, mover)
    diff = first_difference(a, b)
    if chart is not None:
        from corridor.outputs.charts import write_compare_chart

        write_chart_output(chart, fmt, lambda p: write_compare_chart(sc, a, b, plans, p))
        _say_chart_written(chart)
    warnings = timeline_warnings([*a, *b])
    if to_stdout:  # the chart is all that standard output holds
        pass
    elif json_:
        print(
            json.dumps(
                {
                    "plans": [p or "what happened" for p in plans],
                    "first_difference": diff,
                    "a": [report_json(r, net) for r in a],
                    "b": [report_json(r, net) for r in b],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        out = console()
        out.print(compare_table(sc, a, b, plans))
        if diff:
            out.print(Text(f"The two part on {diff}.", style="bold"))
        else:
            out.print("The two never differ.")
        if warnings:
            out.print(warnings_renderable(warnings))
    finish_warnings(warnings, strict=strict, shown=not (to_stdout or json_))


def sample_dates(
    sc: Scenario,
    networks: NetworkLoader,
    dates: list[dt.date] | None,
    *,
    samples: int,
    seed: int,
    mover: str | None,
    plan: str | None,
    population: int | None = None,
    workers: int = 1,
) -> list[SampleSummary]:
    """The answers over samples at each date (None: the change dates), with a progress bar."""
    from corridor.analysis.uncertainty import sample_timeline

    with progress() as prog:
        return sample_timeline(
            sc,
            networks,
            samples=samples,
            seed=seed,
            mover=mover,
            plan=plan,
            dates=dates,
            population=population,
            workers=workers,
            on_sample=ticker(prog, f"sampling {sc.name}"),
        )


def _say_chart_written(chart: Path) -> None:
    where = "standard output" if is_stdout(chart) else chart
    err_console().print(f"chart written to {where}")
