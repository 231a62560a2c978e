"""``corridor network info``: what a road network file holds, per mover."""

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
