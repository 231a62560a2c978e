"""``corridor map``: the corridor on an offline HTML map, with a time slider, and GeoJSON layers."""

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
    SamplesOpt,
    ScenarioArg,
    SeedOpt,
    StrictOpt,
    VerboseOpt,
    WorkersOpt,
    announce_compiling,
    check_layer_directory,
    check_outputs,
    console,
    err_console,
    finish_warnings,
    handle_errors,
    is_stdout,
    load_checked,
    parse_date,
    progress,
    scenario_networks,
    stdout_taken,
    ticker,
    write_text_output,
)

if TYPE_CHECKING:
    import datetime as dt

    from corridor.analysis.report import CorridorReport
    from corridor.model.network import RoadNetwork
    from corridor.model.scenario import Scenario
    from corridor.network.load import NetworkLoader
    from corridor.outputs.impact import Overlay

app = typer.Typer()

OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the HTML map here; - writes it to standard output (default: "
        "<scenario name>.html in the current directory, the name made file-safe: letters, "
        "digits, - and _). A link is followed; an input of the run is never replaced.",
    ),
]
GeojsonDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--geojson",
        help="Also write one GeoJSON FeatureCollection per layer, <layer>.geojson (roads, "
        "zones, closed, areas, routes, corridors, critical, cut, closures, places; impact with "
        "--rank, chance with --samples), into this directory, for the date shown first. Refused, unless --force: a directory that holds "
        "the scenario's inputs, and a file of a layer's name that corridor did not write "
        "(corridor's own earlier layers are replaced).",
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="With --geojson: write into a directory that holds the scenario's inputs, and over "
        "files of the layers' names that corridor did not write. An input is never replaced.",
    ),
]
TilesOpt = Annotated[
    str | None,
    typer.Option(
        "--tiles",
        help="Tile URL template for an online background, e.g. "
        "https://tile.example.org/{z}/{x}/{y}.png (default: offline country borders only).",
    ),
]


RankOpt = Annotated[
    bool,
    typer.Option(
        "--rank",
        help="Add a layer of roads by impact: at each date, each road stretch that carries flow "
        "closed alone (as corridor rank), coloured by the capacity lost; those that seal the "
        "origin dark purple.",
    ),
]


def network_file(value: str | None) -> Path | None:
    """The road network file ``corridor map`` is given instead of a scenario: an existing OSM
    extract (.osm.pbf, .osm, .osm.gz, .osm.bz2) or GeoJSON file (.geojson, .json); else None.

    >>> network_file("mosul-2016") is None
    True
    """
    from corridor.network.osm import is_osm_path

    if value is None:
        return None
    path = Path(value)
    name = path.name.lower()
    if not (is_osm_path(path) or name.endswith((".geojson", ".json"))):
        return None
    return path


def _network_map(
    path: Path,
    *,
    output: Path | None,
    mover: str | None,
    tiles: str | None,
    refused: list[str],
) -> None:
    """``corridor map EXTRACT``: the bare road map of an extract (no scenario)."""
    import numpy as np

    from corridor.errors import AreaError, OutputError
    from corridor.files import check_output
    from corridor.model.network import Mover
    from corridor.network.load import load_network
    from corridor.network.osm import check_readable, is_osm_path
    from corridor.network.places import read_places
    from corridor.outputs.network_map import network_map_html

    if refused:
        msg = (
            f"{path} is a road network, not a scenario: its road map takes -o, --mover and "
            f"--tiles, not {', '.join(refused)} (those map a scenario)"
        )
        raise AreaError(msg)
    try:
        base = Mover(mover or "car")
    except ValueError as exc:
        raise AreaError(f"--mover: {exc}") from None
    if tiles is not None and not ("{z}" in tiles and "{x}" in tiles and "{y}" in tiles):
        msg = f"--tiles {tiles!r}: a tile URL template needs {{z}}, {{x}} and {{y}}"
        raise OutputError(msg)
    check_readable(path)
    html_path = output if output is not None else default_output(path.name.split(".")[0])
    if not is_stdout(html_path):
        check_output(html_path, {path: "the network file"}, label=f"-o {html_path}")
    with err_console().status(f"reading {path.name}"):
        net = load_network(path, base)
        places = read_places(path).places if is_osm_path(path) else ()
    page = network_map_html(net, places, title=path.name, tiles=tiles)
    write_text_output(html_path, page)
    crossings = sum(p.kind == "border_control" for p in places)
    out = err_console() if is_stdout(html_path) else console()
    where = "standard output" if is_stdout(html_path) else html_path
    out.print(
        f"road map written to {where} ({len(np.unique(net.way_id)):,} OSM ways of the "
        f"{base.value} network, {len(places) - crossings:,} places, {crossings:,} border "
        "crossings)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def default_output(name: str) -> Path:
    """The map's file when ``-o`` is not given: the scenario's name, made safe to use as a file
    name (:func:`corridor.files.safe_stem`), in the current directory.

    >>> default_output("../victim/pwned")
    PosixPath('victim-pwned.html')
    """
    from corridor.files import safe_stem

    return Path(f"{safe_stem(name)}.html")


@app.command("map")
@handle_errors
def map_command(
    scenario: ScenarioArg = None,
    at: AtOpt = None,
    plan: PlanOpt = None,
    mover: MoverOpt = None,
    output: OutputOpt = None,
    geojson: GeojsonDirOpt = None,
    tiles: TilesOpt = None,
    force: ForceOpt = False,
    rank: RankOpt = False,
    samples: SamplesOpt = None,
    seed: SeedOpt = 0,
    workers: WorkersOpt = 1,
    communities: CommunitiesOpt = None,
    radius: RadiusOpt = None,
    strict: StrictOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """The corridor on a map: one offline HTML page with layers, legend, and a time slider;
    with --samples, each exit's corridor shaded by its probability; with --rank, roads by
    impact; with --communities, every community by status on each date (as corridor scan).
    Given an OSM extract or a GeoJSON road file instead of a scenario (corridor map
    EXTRACT -o roads.html): a bare road map, no scenario needed: the mover's roads by class
    (default car), their names and refs, the extract's OSM places and border crossings, the
    OSM way id in each road's popup."""
    import json

    extract = network_file(scenario)
    if extract is not None:
        given = {
            "--at": at, "--plan": plan, "--geojson": geojson, "--rank": rank or None,
            "--samples": samples, "--force": force or None, "--communities": communities,
            "--radius": radius,
        }  # fmt: skip
        _network_map(
            extract,
            output=output,
            mover=mover,
            tiles=tiles,
            refused=[k for k, v in given.items() if v is not None],
        )
        return

    from rich.console import Console

    from corridor.analysis.replay import mover_network, replay
    from corridor.errors import OutputError
    from corridor.files import write_atomic
    from corridor.model.timeline import change_dates
    from corridor.outputs.layers import LAYERS, report_day
    from corridor.outputs.map import map_html, map_layers
    from corridor.outputs.timeline import timeline_warnings

    day = parse_date(at)
    sc = load_checked(scenario, day=day, mover=mover, plans=(plan,))
    html_path = output
    if html_path is None and geojson is None:
        html_path = default_output(sc.name)
    check_outputs(sc, {"-o": html_path})
    if geojson is not None:
        extra = [
            *(["impact"] if rank else []),
            *(["chance"] if samples else []),
            *(["communities"] if communities is not None or radius is not None else []),
        ]
        check_layer_directory(sc, geojson, [*LAYERS, *extra], force=force, others={"-o": html_path})
    to_stdout = stdout_taken({"-o": html_path}, {})
    if tiles is not None and not ("{z}" in tiles and "{x}" in tiles and "{y}" in tiles):
        msg = f"--tiles {tiles!r}: a tile URL template needs {{z}}, {{x}} and {{y}}"
        raise OutputError(msg)

    dates = change_dates(sc, plan)
    if day is not None and day not in dates:
        dates = sorted([*dates, day])
    start = dates.index(day) if day is not None else 0
    announce_compiling()
    with err_console().status(f"replaying {sc.name} over {len(dates)} dates"):
        # without --at the replay picks the change dates itself (and leaves undated scenarios
        # undated)
        networks = scenario_networks(sc)
        reports = replay(sc, networks, mover=mover, plan=plan, dates=dates if day else None)
        net = mover_network(sc, networks, mover)
    overlays: list[Overlay] = []
    days = [report_day(r, sc) for r in reports]
    if rank or samples is not None:
        overlays = _overlays(
            sc, networks, net, reports, days, mover, plan, rank, samples, seed, workers
        )
    if communities is not None or radius is not None:
        overlays.append(
            _communities_overlay(sc, networks, net, days, communities, radius, mover, plan)
        )
    with err_console().status(f"drawing {sc.name}"):
        page = (
            map_html(sc, reports, net, plan=plan, start=start, tiles=tiles, overlays=overlays)
            if html_path
            else ""
        )
        layers = map_layers(sc, reports[start], net, plan=plan) if geojson is not None else {}
        layers.update({o.name: o.frames[start] for o in overlays} if geojson is not None else {})
    out = err_console() if to_stdout else Console()
    if html_path is not None:
        write_text_output(html_path, page)
        where = "standard output" if is_stdout(html_path) else html_path
        out.print(f"map written to {where} ({len(reports)} dates, mover {reports[0].mover})")
    if geojson is not None:
        geojson.mkdir(exist_ok=True)
        for name, fc in layers.items():
            write_atomic(geojson / f"{name}.geojson", json.dumps(fc, ensure_ascii=False))
        out.print(
            f"GeoJSON layers for {reports[start].date or 'the scenario'} written to {geojson}/: "
            + ", ".join(f"{n}.geojson" for n in layers)
        )
    # the page marks closures that close no road; stderr says how many inputs bind to nothing
    finish_warnings(timeline_warnings(reports), strict=strict, shown=False)


def _communities_overlay(
    sc: Scenario,
    networks: NetworkLoader,
    net: RoadNetwork,
    days: list[dt.date],
    which: str | None,
    radius: float | None,
    mover: str | None,
    plan: str | None,
) -> Overlay:
    """``--communities``: the scan of the map's dates (as corridor scan) as a layer; ``net`` is
    the mover's network."""
    from corridor.analysis.scan import scan
    from corridor.network.communities import choose_communities
    from corridor.outputs.scan import communities_overlay

    hub = sc.mover_profile(mover).origin
    chosen = choose_communities(sc, net, which, radius_m=radius, mover=mover, hub=hub)
    with progress() as prog:
        tick = ticker(prog, f"scanning {len(chosen):,} communities of {sc.name}")
        result = scan(
            sc, networks, chosen, mover=mover, plan=plan, dates=days, on_date=tick, hub=hub
        )
    return communities_overlay(result, days)


def _overlays(
    sc: Scenario,
    networks: NetworkLoader,
    net: RoadNetwork,
    reports: list[CorridorReport],
    days: list[dt.date],
    mover: str | None,
    plan: str | None,
    rank: bool,
    samples: int | None,
    seed: int,
    workers: int,
) -> list[Overlay]:
    """The layers of --rank (roads by impact) and --samples (exits by probability)."""
    from corridor.outputs.impact import chance_overlay, impact_overlay

    out = []
    if samples is not None:
        from corridor.cli.timeline import sample_dates

        summaries = sample_dates(
            sc, networks, days, samples=samples, seed=seed, mover=mover, plan=plan, workers=workers
        )
        out.append(chance_overlay(summaries, reports, net))
    if rank:
        from corridor.analysis.ranking import rank_dates

        with progress() as prog:
            rankings = rank_dates(
                sc,
                net,
                days,
                mover=mover,
                plan=plan,
                on_date=ticker(prog, f"closing each road of {sc.name}, date by date"),
            )
        out.append(impact_overlay(rankings, reports, net))
    return out
