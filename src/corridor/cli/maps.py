"""``corridor map``: the corridor on an offline HTML map, with a time slider, and GeoJSON layers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import (
    AtOpt,
    MoverOpt,
    PlanOpt,
    ScenarioArg,
    VerboseOpt,
    announce_compiling,
    err_console,
    handle_errors,
    load_checked,
    parse_date,
    scenario_networks,
)

app = typer.Typer()

OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the HTML map here (default: <scenario>.html in the current directory).",
    ),
]
GeojsonDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--geojson",
        help="Also write one GeoJSON FeatureCollection per layer (roads, zones, corridors, cut, "
        "closures, places, ...) into this directory, for the date shown first.",
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


def _geojson_dir(path: Path) -> Path:
    """The directory for ``--geojson``: it may be created, but only inside an existing one."""
    from corridor.errors import OutputError
    from corridor.io.files import writable

    if path.exists() and not path.is_dir():
        msg = f"--geojson {path}: exists and is not a directory; name a directory"
        raise OutputError(msg)
    if path.is_dir():
        writable(path / "roads.geojson")
    else:
        writable(path)
    return path


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
    verbose: VerboseOpt = False,
) -> None:
    """The corridor on a map: one offline HTML page with layers, legend, and a time slider."""
    import json

    from rich.console import Console

    from corridor.analysis.replay import mover_network, replay
    from corridor.errors import OutputError
    from corridor.io.files import writable, write_atomic
    from corridor.model.timeline import change_dates
    from corridor.outputs.map import map_html, map_layers

    day = parse_date(at)
    sc = load_checked(scenario, day=day, mover=mover, plans=(plan,))
    html_path = output
    if html_path is None and geojson is None:
        html_path = Path(f"{sc.name}.html")
    if html_path is not None:
        writable(html_path)
    if geojson is not None:
        _geojson_dir(geojson)
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
        page = map_html(sc, reports, net, plan=plan, start=start, tiles=tiles) if html_path else ""
        layers = map_layers(sc, reports[start], net, plan=plan) if geojson is not None else {}
    out = Console()
    if html_path is not None:
        write_atomic(html_path, page)
        out.print(f"map written to {html_path} ({len(reports)} dates, mover {reports[0].mover})")
    if geojson is not None:
        geojson.mkdir(exist_ok=True)
        for name, fc in layers.items():
            write_atomic(geojson / f"{name}.geojson", json.dumps(fc, ensure_ascii=False))
        out.print(
            f"GeoJSON layers for {reports[start].date or 'the scenario'} written to {geojson}/: "
            + ", ".join(f"{n}.geojson" for n in layers)
        )
