"""``corridor scan``: every community of a region at once, the besieged list over time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import (
    AtOpt,
    MoverOpt,
    PlanOpt,
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
    from corridor.model.areas import Area
    from corridor.model.communities import Community
    from corridor.model.network import RoadNetwork
    from corridor.model.scenario import Scenario

app = typer.Typer()

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
    verbose: VerboseOpt = False,
) -> None:
    """Every community's status on every change date (or --at one date): open (which refuge,
    how long), at-risk (the one stretch that would cut it off), cut-off (its pocket, the
    pocket's people, since when) or off-network; and who entered and left the cut-off list."""
    import json

    from corridor.analysis.scan import scan as run_scan
    from corridor.analysis.scan import scan_dates
    from corridor.outputs.scan import layer_name, scan_csv_rows, scan_json, scan_tables

    day = parse_date(at)
    sc = load_checked(scenario, day=day, mover=mover, plans=(plan,))
    fmt = chart_format(chart, None)
    check_outputs(sc, {"--chart": chart})
    to_stdout = stdout_taken({"--chart": chart}, {"--json": json_, "--csv": csv_})
    days = scan_dates(sc, plan, upto=day)
    if geojson is not None:
        names = [layer_name(d) for d in days if day is None or d == day]
        check_layer_directory(sc, geojson, names, force=force)
    networks = scenario_networks(sc)
    net = sc.mover_profile(mover).adapted_network(networks)
    hub = _hub(sc, from_, mover)
    chosen = _communities(sc, net, communities, radius, mover, hub)
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


def _communities(
    sc: Scenario,
    net: RoadNetwork,
    which: str | None,
    radius: float | None,
    mover: str | None,
    hub: Area | None = None,
) -> list[Community]:
    """The communities ``--communities`` names (see its help)."""
    from corridor.analysis.scan import scenario_communities

    choice = which or ("osm" if sc.network_kind == "osm" else "scenario")
    if choice == "scenario":
        found = scenario_communities(sc, mover=mover, hub=hub)
        if not found:
            msg = f"scenario {sc.name!r} has no places but its refuges; give --communities osm or a file"
            from corridor.errors import CommunitiesError

            raise CommunitiesError(msg)
        return found
    if choice == "osm":
        if sc.network_kind != "osm":
            from corridor.errors import CommunitiesError

            msg = (
                f"--communities osm: the network of scenario {sc.name!r} is GeoJSON, which has no "
                "OSM place nodes; give --communities scenario or a CSV/GeoJSON file"
            )
            raise CommunitiesError(msg)
        from corridor.network.communities import osm_communities
        from corridor.network.places import read_places

        return osm_communities(read_places(sc.network_path), net, radius_m=radius)
    from corridor.network.communities import read_communities

    return read_communities(Path(choice), radius_m=radius)
