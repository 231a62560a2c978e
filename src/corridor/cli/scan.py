"""``corridor scan``: every community of a region at once, the besieged list over time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import (
    AtOpt,
    CommunitiesOpt,
    MoverOpt,
    PlanOpt,
    RadiusOpt,
    ScenarioArg,
    VerboseOpt,
    announce_compiling,
    chart_format,
    check_layer_directory,
    check_outputs,
    console,
    err_console,
    handle_errors,
    is_stdout,
    load_checked,
    parse_date,
    progress,
    scenario_networks,
    stdout_taken,
    ticker,
    write_chart_output,
)

if TYPE_CHECKING:
    from corridor.analysis.scan import ScanResult
    from corridor.model.areas import Area
    from corridor.model.scenario import Scenario
    from corridor.network.load import NetworkLoader

app = typer.Typer()


@app.command()
@handle_errors
def scan(
    scenario: ScenarioArg = None,
    mover: MoverOpt = None,
    plan: PlanOpt = None,
    at: AtOpt = None,
    communities: CommunitiesOpt = None,
    radius: RadiusOpt = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="Aid access: which communities a convoy from this place (a scenario place id "
            "or name) reaches along the mover's roads, how long it takes, and which one "
            "stretch would keep it out; cut-off then means the hub cannot reach it. Default: "
            "the mover's own origin when it has one (aid going in), else the scan towards the "
            "refuges.",
        ),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    csv_: Annotated[
        bool, typer.Option("--csv", help="Print CSV (one row per date and community).")
    ] = False,
    geojson: Annotated[
        Path | None,
        typer.Option(
            "--geojson",
            help="Also write the communities as GeoJSON points, one file per date "
            "(scan-YYYY-MM-DD.geojson, a row's fields as properties), into this directory.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --geojson: write into a directory that holds the scenario's inputs, or "
            "over files of those names corridor did not write. An input is never replaced.",
        ),
    ] = False,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Also draw the people cut off over time, stacked by pocket (.png or .svg; - "
            "writes it to standard output instead of the tables).",
        ),
    ] = None,
    map_: Annotated[
        Path | None,
        typer.Option(
            "--map",
            help="Also write the corridor map (an offline HTML page, as corridor map) with the "
            "communities by status on each date of the time slider (- writes it to standard "
            "output instead of the tables).",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Every community's status on every change date (or --at one date): open (which refuge,
    how long), at-risk (the one stretch that would cut it off), cut-off (its pocket, the
    pocket's people, since when) or off-network; and who entered and left the cut-off list."""
    import json

    from corridor.analysis.scan import scan as run_scan
    from corridor.analysis.scan import scan_dates
    from corridor.network.communities import choose_communities
    from corridor.outputs.scan import layer_name, scan_csv_rows, scan_json, scan_tables

    day = parse_date(at)
    sc = load_checked(scenario, day=day, mover=mover, plans=(plan,))
    fmt = chart_format(chart, None)
    check_outputs(sc, {"--chart": chart, "--map": map_})
    to_stdout = stdout_taken({"--chart": chart, "--map": map_}, {"--json": json_, "--csv": csv_})
    days = scan_dates(sc, plan, upto=day)
    if geojson is not None:
        names = [layer_name(d) for d in days if day is None or d == day]
        check_layer_directory(sc, geojson, names, force=force)
    networks = scenario_networks(sc)
    net = sc.mover_profile(mover).adapted_network(networks)
    hub = _hub(sc, from_, mover)
    chosen = choose_communities(sc, net, communities, radius_m=radius, mover=mover, hub=hub)
    announce_compiling()
    with progress() as prog:
        tick = ticker(prog, f"scanning {len(chosen):,} communities of {sc.name}")
        result = run_scan(
            sc, networks, chosen, mover=mover, plan=plan, dates=days, on_date=tick, hub=hub
        )
    if chart is not None:
        from corridor.outputs.scan import write_scan_chart

        write_chart_output(chart, fmt, lambda p: write_scan_chart(result, p))
        if not is_stdout(chart):
            err_console().print(f"chart written to {chart}")
    if map_ is not None:
        _write_map(sc, networks, result, map_, mover=mover, plan=plan)
    if geojson is not None:
        from corridor.files import write_atomic
        from corridor.outputs.scan import scan_geojson

        geojson.mkdir(exist_ok=True)
        written = 0
        for di, d in enumerate(result.dates):
            if day is None or d == day:
                fc = scan_geojson(result, di)
                write_atomic(
                    geojson / f"{layer_name(d)}.geojson", json.dumps(fc, ensure_ascii=False)
                )
                written += 1
        err_console().print(f"{written} GeoJSON files written to {geojson}/")
    if to_stdout:
        return
    if json_:
        print(json.dumps(scan_json(result, only=day), ensure_ascii=False, indent=2))
    elif csv_:
        import csv
        import io

        from corridor.outputs.scan import ROW_KEYS

        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(ROW_KEYS))
        w.writeheader()
        w.writerows(scan_csv_rows(result, only=day))
        print(buf.getvalue(), end="")
    else:
        for table in scan_tables(result, only=day):
            console().print(table)


def _write_map(
    sc: Scenario,
    networks: NetworkLoader,
    result: ScanResult,
    path: Path,
    *,
    mover: str | None,
    plan: str | None,
) -> None:
    """``--map``: the corridor map on the scan's dates with its communities layer."""
    from corridor.analysis.replay import mover_network, replay
    from corridor.cli.common import write_text_output
    from corridor.outputs.map import map_html
    from corridor.outputs.scan import communities_overlay

    days = list(result.dates)
    with err_console().status(f"drawing {sc.name} over {len(days)} dates"):
        reports = replay(sc, networks, mover=mover, plan=plan, dates=days)
        net = mover_network(sc, networks, mover)
        overlay = communities_overlay(result, days)
        page = map_html(sc, reports, net, plan=plan, overlays=[overlay])
    write_text_output(path, page)
    if not is_stdout(path):
        err_console().print(f"map written to {path} ({len(days)} dates, communities by status)")


def _hub(sc: Scenario, name: str | None, mover: str | None) -> Area | None:
    """The area a scan for aid access searches from: ``--from`` (a place id or name), else the
    mover's own origin, else None (the scan towards the refuges)."""
    if name is None:
        return sc.mover_profile(mover).origin
    import difflib

    from corridor.errors import UnknownIdError

    want = name.strip().casefold()
    for pid, p in sc.places.items():
        if want in (pid.casefold(), p.name.casefold()):
            return p.area
    known = [*sc.places, *(p.name for p in sc.places.values())]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = (
        f"; did you mean {', '.join(close)}?"
        if close
        else "; the places are listed by `corridor scenario check`"
    )
    msg = f"--from {name!r}: no place of scenario {sc.name!r} has that id or name{hint}"
    raise UnknownIdError(msg)
