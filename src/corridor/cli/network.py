"""``corridor network info`` (what a road network file holds, per mover) and ``corridor network
roads`` (its roads by ref and name: pieces, gaps, the places at their ends)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import (
    JsonOpt,
    VerboseOpt,
    console,
    err_console,
    handle_errors,
    progress,
)

app = typer.Typer(help="Inspect road networks built from OSM extracts.", no_args_is_help=True)


@app.command("info")
@handle_errors
def network_info(
    path: Annotated[Path, typer.Argument(help="OSM PBF, .osm, .osm.gz, .osm.bz2 or GeoJSON file.")],
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Nodes and directed edges per mover, one edge per consecutive node pair and direction."""
    import json

    from rich.table import Table

    from corridor.model.network import Mover
    from corridor.network.geojson import read_geojson_ways
    from corridor.network.osm import check_readable, is_osm_path, read_ways
    from corridor.network.ways import network_from_ways, network_warnings

    check_readable(path)
    with progress() as prog:
        prog.add_task(f"reading {path.name}", total=None)
        table = read_ways(path) if is_osm_path(path) else read_geojson_ways(path)
        nets = {m.value: network_from_ways(table, m, source=str(path)) for m in Mover}
    warnings = list(dict.fromkeys(w for n in nets.values() for w in network_warnings(n)))
    if json_:  # one object per mover, as before; what was dropped goes to stderr
        print(json.dumps({m: n.summary() for m, n in nets.items()}))
        for w in warnings:
            err_console().print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True)
        return
    t = Table("mover", "nodes", "directed edges", "ways kept", title=str(path))
    for m, n in nets.items():
        t.add_row(m, f"{n.n_nodes:,}", f"{n.n_edges:,}", f"{n.meta['ways_kept']:,}")
    console().print(t)
    for w in warnings:
        console().print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True)


def _lon_lat(text: str) -> tuple[float, float]:
    from corridor.errors import AreaError

    try:
        lon, lat = (float(x) for x in text.split(","))
    except ValueError:
        msg = f"--near {text!r}: give LON,LAT in degrees, e.g. --near 1.5212,42.5069"
        raise AreaError(msg) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        msg = f"--near {text!r} is not a LON,LAT point (longitude first: are the two swapped?)"
        raise AreaError(msg)
    return lon, lat


@app.command("roads")
@handle_errors
def network_roads(
    path: Annotated[Path, typer.Argument(help="OSM PBF, .osm, .osm.gz, .osm.bz2 or GeoJSON file.")],
    mover: Annotated[
        str, typer.Option("--mover", "-m", help="car, foot, walkers, offroad or all.")
    ] = "car",
    ref: Annotated[str | None, typer.Option("--ref", help="Only the road of this ref.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Only the road of this name (whole, case aside).")
    ] = None,
    near: Annotated[
        str | None,
        typer.Option("--near", help="LON,LAT: the roads around this point, nearest first."),
    ] = None,
    radius_m: Annotated[
        float, typer.Option("--radius-m", min=1, max=50_000, help="With --near: how far (metres).")
    ] = 300.0,
    json_: JsonOpt = False,
    geojson: Annotated[
        Path | None,
        typer.Option("--geojson", help="Write the roads' pieces and gaps to this GeoJSON file."),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """The roads of a mover's network, grouped by ref (by name where a way has no ref): class,
    OSM way ids, length, the connected pieces (where each ends, and the places there) and the
    gaps between pieces. Read it before writing a road target into a scenario: a ref road in
    several pieces still closes `between` two places when its gaps are joins of at most 500 m
    (roundabouts and links without the ref); a wider gap is where the road cannot be followed."""
    import json

    from corridor.errors import AreaError
    from corridor.files import check_output, write_atomic
    from corridor.model.network import Mover
    from corridor.model.roads import suggest_names, suggest_refs
    from corridor.network.load import load_network
    from corridor.network.osm import check_readable, is_osm_path
    from corridor.network.places import read_places
    from corridor.network.roads import list_roads, roads_geojson, roads_near

    try:
        base = Mover(mover)
    except ValueError as exc:
        raise AreaError(f"--mover: {exc}") from None
    if json_ and geojson is not None:
        raise AreaError("give one of --json and --geojson")
    if sum(x is not None for x in (ref, name, near)) > 1:
        raise AreaError("give at most one of --ref, --name and --near")
    check_readable(path)
    if geojson is not None:
        check_output(geojson, {path: "the network file"}, label=f"--geojson {geojson}")
    with progress() as prog:
        prog.add_task(f"reading {path.name}", total=None)
        net = load_network(path, base)
        places = read_places(path).settlements() if is_osm_path(path) else ()
        if near is not None:
            lon, lat = _lon_lat(near)
            roads = roads_near(net, lon, lat, radius_m=radius_m, places=places)
        else:
            roads = list_roads(net, ref=ref, name=name, places=places)
    if not roads:
        if ref is not None or name is not None:
            what = f"ref {ref!r}" if ref is not None else f"name {name!r}"
            close = suggest_refs(net, ref) if ref is not None else suggest_names(net, name or "")
            hint = f"; nearest spellings: {', '.join(close)}" if close else ""
            raise AreaError(f"{path}: no road with {what} in the {base.value} network{hint}")
        console().print(
            f"{path}: no road within {radius_m:,.0f} m of {near}" if near else f"{path}: no roads",
            markup=False,
            highlight=False,
        )
        return
    if json_:
        print(json.dumps({"roads": [r.to_json() for r in roads]}, ensure_ascii=False))
        return
    if geojson is not None:
        write_atomic(geojson, json.dumps(roads_geojson(net, roads), ensure_ascii=False))
        console().print(f"{len(roads)} road(s) written to {geojson}", markup=False, highlight=False)
        return
    out = console()
    for r in roads:
        label = " ".join(x for x in (r.ref, r.name) if x) or f"unnamed {r.road_class}"
        away = f", {r.distance_m:,.0f} m away" if r.distance_m is not None else ""
        length = f"{r.length_m / 1000:,.1f} km" if r.length_m >= 1000 else f"{r.length_m:,.0f} m"
        ways = ", ".join(map(str, r.ways[:8])) + (
            f", ... ({len(r.ways)} ways)" if len(r.ways) > 8 else ""
        )
        out.print(
            f"{label} ({r.road_class}{away}): {length}, {len(r.pieces)} piece(s); OSM ways {ways}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if ref is None and name is None and near is None and len(roads) > 1:
            continue  # the whole list: one line a road; --ref/--name/--near tell the pieces
        for i, p in enumerate(r.pieces):
            at_a = f" ({p.start_place})" if p.start_place else ""
            at_b = f" ({p.end_place})" if p.end_place else ""
            pw = ", ".join(map(str, p.ways[:8])) + (", ..." if len(p.ways) > 8 else "")
            out.print(
                f"  piece {i + 1}: [{p.start[0]:.5f}, {p.start[1]:.5f}]{at_a} to "
                f"[{p.end[0]:.5f}, {p.end[1]:.5f}]{at_b}; ways {pw}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        for g in r.gaps:
            out.print(
                f"  gap between pieces {g.between[0] + 1} and {g.between[1] + 1}: "
                f"{g.distance_m:,.0f} m at [{g.at[0]:.5f}, {g.at[1]:.5f}]",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
