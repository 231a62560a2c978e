"""``corridor import roads``: a road-status layer (GeoJSON lines, a status and a date each) to a
review file of candidate events on the ways the lines follow; registered on the ``import``
group of :mod:`corridor.cli.imports` (by :mod:`corridor.cli.import_zones`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import ScenarioOpt, VerboseOpt, err_console, handle_errors
from corridor.cli.imports import app


@app.command("roads")
@handle_errors
def import_roads_command(
    file: Annotated[Path, typer.Argument(help="A road-status layer (GeoJSON lines).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The review file to write (YAML; - prints it).")
    ],
    date_property: Annotated[
        str, typer.Option("--date-property", help="The feature property holding the date.")
    ],
    status_property: Annotated[
        str, typer.Option("--status-property", help="The feature property holding the status.")
    ],
    status_map: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="STATUS=KIND (close, restrict, reopen); default impassable=close "
            "restricted=restrict passable=reopen.",
        ),
    ] = None,
    scenario: ScenarioOpt = None,
    confidence: Annotated[
        float, typer.Option("--confidence", min=0.0, max=1.0, help="The candidates' confidence.")
    ] = 0.7,
    capacity_factor: Annotated[
        float,
        typer.Option(
            "--capacity-factor",
            min=0.001,
            max=1.0,
            help="What a restricted road's capacity is multiplied by in its restrict candidates "
            "(the layer says restricted, not how much: an assumption, stated in each candidate).",
        ),
    ] = 0.5,
    speed_factor: Annotated[
        float,
        typer.Option(
            "--speed-factor",
            min=0.001,
            max=1.0,
            help="What a restricted road's speed is multiplied by (default 1: as before).",
        ),
    ] = 1.0,
    verbose: VerboseOpt = False,
) -> None:
    """Candidate close, restrict and reopen events from a road-status layer, on the ways of the
    scenario's network each line follows (within 25 m over 80 % of a segment), for
    `corridor events review` and `events accept`."""
    from corridor.cli.common import (
        check_outputs,
        resolve_scenario,
        scenario_networks,
        write_text_output,
    )
    from corridor.ingest.roads import DEFAULT_STATUS_MAP, import_roads, parse_status_map
    from corridor.model.network import Mover
    from corridor.scenario.load import load_scenario

    sc = load_scenario(resolve_scenario(scenario))
    check_outputs(sc, {"-o": output}, reads={file: "the road-status layer"})
    smap = parse_status_map(status_map) if status_map else DEFAULT_STATUS_MAP
    net = scenario_networks(sc)(Mover.ALL)
    result = import_roads(
        file,
        net,
        date_property=date_property,
        status_property=status_property,
        status_map=smap,
        confidence=confidence,
        capacity_factor=capacity_factor,
        speed_factor=speed_factor,
        scenario=str(Path(sc.path).resolve()),
    )
    write_text_output(output, result.review.to_yaml())
    kinds: dict[str, int] = {}
    for c in result.review.candidates:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    said = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"
    skipped = ", ".join(f"{n} {s!r}" for s, n in sorted(result.skipped_status.items())) or "none"
    err_console().print(
        f"{result.features} lines read: {len(result.review.candidates)} candidates ({said}); "
        f"{result.matched} follow roads of the network, {result.unmatched} follow none; "
        f"statuses not in the map, skipped: {skipped}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
