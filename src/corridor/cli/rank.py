"""``corridor rank``: which road matters most, each closed alone."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor.cli.common import (
    AtOpt,
    JsonOpt,
    MoverOpt,
    PlanOpt,
    ScenarioArg,
    VerboseOpt,
    announce_compiling,
    check_outputs,
    console,
    err_console,
    handle_errors,
    load_checked,
    parse_date,
    progress,
    scenario_networks,
    stdout_taken,
    ticker,
    write_text_output,
)

if TYPE_CHECKING:
    from corridor.analysis.ranking import Ranking

app = typer.Typer()

TABLE_ROWS = 20
"""Rows the table shows without --top or --all."""


@app.command()
@handle_errors
def rank(
    scenario: ScenarioArg = None,
    at: AtOpt = None,
    plan: PlanOpt = None,
    mover: MoverOpt = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="capacity: most persons/h lost first; time: most exits cut, then most time "
            "added; seal: those that seal the origin first.",
        ),
    ] = "capacity",
    by_way: Annotated[
        bool,
        typer.Option("--by-way", help="Rank every OSM way, not the stretches carrying flow."),
    ] = False,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            min=1,
            help="Keep the N most harmful (every output). Default: the table shows 20; --json, "
            "--csv and --geojson hold every row.",
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="The table shows every row (not only the top 20).")
    ] = False,
    json_: JsonOpt = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    geojson: Annotated[
        Path | None,
        typer.Option(
            "--geojson",
            help="Also write the ranked roads here as one GeoJSON FeatureCollection (one "
            "feature per road, with the properties of --json's roads, its rank and map "
            "colour), for QGIS or GeoPandas; - writes it to standard output instead of the "
            "table. A link is followed; an input of the run is never replaced.",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Close each road stretch that carries flow (or each OSM way) alone: capacity lost, extra
    time to each exit, exits cut off, whether it seals the origin; most harmful first. A row is
    a stretch between the junctions where the road or the impact changes (pieces of one OSM way
    with the same impact are one row), named by the places at its ends as analyze names its
    critical stretches."""
    import json

    from corridor.analysis.ranking import RankBy, rank_roads
    from corridor.analysis.replay import mover_network
    from corridor.errors import ScenarioError
    from corridor.model.timeline import first_date, situation_at
    from corridor.outputs.impact import impact_geojson, ranking_json

    if top is not None and all_:
        raise ScenarioError("give one of --top and --all")
    try:
        order = RankBy(by)
    except ValueError as exc:
        raise ScenarioError(f"--by {exc}") from None
    day = parse_date(at)
    sc = load_checked(scenario, day=day, mover=mover, plans=(plan,))
    check_outputs(sc, {"--geojson": geojson})
    to_stdout = stdout_taken({"--geojson": geojson}, {"--json": json_, "--csv": csv_})
    networks = scenario_networks(sc)
    announce_compiling()
    net = mover_network(sc, networks, mover)
    d = day or first_date(sc, plan)
    situation, _ = situation_at(sc, net, d, mover=mover, plan=plan, adapted=True)
    with progress() as prog:
        tick = ticker(prog, f"closing each road of {sc.name} on {d}")
        ranking = rank_roads(
            situation,
            by=order,
            by_way=by_way,
            top=top,
            places=sc.places.values(),
            on_road=tick,
        )
    data = ranking_json(ranking, d.isoformat())
    if geojson is not None:
        fc = impact_geojson(ranking, net, date=d.isoformat())
        write_text_output(geojson, json.dumps(fc, ensure_ascii=False))
    if to_stdout:  # the GeoJSON is all that standard output holds
        pass
    elif json_:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif csv_:
        _print_csv(data["roads"])
    else:
        shown = len(ranking.roads) if all_ or top is not None else TABLE_ROWS
        title = f"{sc.title or sc.name} | {d} | closing each road alone"
        console().print(_table(ranking, title, rows=shown))
        if len(ranking.roads) > shown:
            err_console().print(
                f"{len(ranking.roads) - shown} more rows: --all shows every row, --top N the N "
                "most harmful",
                markup=False,
                highlight=False,
            )
    if geojson is not None and not to_stdout:
        err_console().print(f"GeoJSON of {len(ranking.roads)} roads written to {geojson}")


def _print_csv(rows: list[dict[str, Any]]) -> None:
    from corridor.outputs.csv_text import csv_text

    fields = [k for k in (rows[0] if rows else {"road": ""}) if k != "extra_time_s"]
    exits = list(rows[0]["extra_time_s"]) if rows else []
    body = []
    for row in rows:
        cells = [";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()]
        cells = [c for k, c in zip(row, cells, strict=True) if k != "extra_time_s"]
        extra = row["extra_time_s"]
        body.append([*cells, *("" if extra[x] is None else extra[x] for x in exits)])
    print(csv_text([*fields, *(f"extra_time_s:{x}" for x in exits)], body), end="")


def _table(ranking: Ranking, title: str, *, rows: int) -> Any:
    from rich.table import Table
    from rich.text import Text

    from corridor.outputs.text import fmt_length

    what = "OSM way" if ranking.by_way else "road stretch"
    table = Table(
        title=f"{title} | capacity {ranking.capacity_pph:,} persons/h", title_justify="left"
    )
    for name, justify in [
        ("#", "right"),
        (what, "left"),
        ("length", "right"),
        ("persons/h lost", "right"),
        ("extra time per exit", "left"),
        ("seals", "left"),
        ("OSM ways", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, r in enumerate(ranking.roads[:rows]):
        extra = "\n".join(
            f"{name}: cut off" if t is None else f"{name}: +{t / 60:,.0f} min"
            for name, t in r.extra_time_s.items()
            if t is None or t >= 30
        )
        ways = r.osm_ways
        table.add_row(
            str(i + 1),
            Text(r.label),
            fmt_length(r.length_m),
            f"{r.capacity_lost_pph:,} ({r.capacity_lost_pct:.0f} %)",
            Text(extra or "under 1 min"),
            "SEALS" if r.seals else "",
            ", ".join(map(str, ways[:3])) + (f" … ({len(ways)})" if len(ways) > 3 else ""),
        )
    return table
