"""``corridor import zones``: dated control maps (GeoJSON polygons) to a scenario fragment of
zones; registered on the ``import`` group of :mod:`corridor.cli.imports`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import VerboseOpt, console, handle_errors
from corridor.cli.imports import app
from corridor.errors import LayerError, OutputError


def parse_box(text: str) -> tuple[float, float, float, float]:
    """``W,S,E,N`` in degrees (west < east, south < north)."""
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError:
        msg = f"--clip-to {text!r}: give `scenario` or a box W,S,E,N in degrees (e.g. 36.5,47.5,38.5,48.8)"
        raise LayerError(msg) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        msg = f"--clip-to {text!r}: W,S,E,N needs west < east within ±180 and south < north within ±90"
        raise LayerError(msg)
    return (w, s, e, n)


def parse_actor_map(values: list[str]) -> dict[str, str]:
    out = {}
    for v in values:
        key, sep, actor = v.partition("=")
        if not sep or not key or not actor:
            msg = f"--actor-map {v!r}: write VALUE=ACTOR (the property's value, then the actor id)"
            raise LayerError(msg)
        out[key] = actor
    return out


@app.command("zones")
@handle_errors
def import_zones_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="GeoJSON files or folders of them: one file a day, or a date per feature."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The fragment to write (YAML); GeoJSON files go beside it."
        ),
    ],
    actor: Annotated[
        str | None, typer.Option("--actor", help="Who holds the areas (an actor id).")
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Check actors against this scenario (a file or a bundled name) and clip to its area.",
            show_default=False,
        ),
    ] = None,
    clip_to: Annotated[
        str | None,
        typer.Option(
            "--clip-to",
            help="`scenario` (its network's bounds; the default with --scenario) or a box W,S,E,N.",
        ),
    ] = None,
    date_from: Annotated[
        str,
        typer.Option("--date-from", help="`name`: the date is in each file's name (YYYYMMDD)."),
    ] = "name",
    date_property: Annotated[
        str | None,
        typer.Option("--date-property", help="The feature property holding the date (YYYY-MM-DD)."),
    ] = None,
    actor_property: Annotated[
        str | None,
        typer.Option("--actor-property", help="The feature property naming who holds the area."),
    ] = None,
    actor_map: Annotated[
        list[str] | None,
        typer.Option("--actor-map", help="VALUE=ACTOR: a value of --actor-property, its actor id."),
    ] = None,
    confidence: Annotated[
        float | None,
        typer.Option(
            "--confidence",
            min=0.0,
            max=1.0,
            help="The zones' confidence (e.g. 0.9 for assessed control, 0.5 for claimed).",
        ),
    ] = None,
    simplify_m: Annotated[
        float,
        typer.Option(
            "--simplify-m",
            min=0.0,
            max=10_000.0,
            help="Simplify to this many metres; days differing by no more are one interval.",
        ),
    ] = 5.0,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, max=64, help="Processes reading files (default: CPUs, at most 4)."
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Zones from dated control maps: one interval per stretch of unchanged days.

    Each day is validated (invalid rings repaired, with where), clipped, simplified (default
    5 m, in an equal-area projection centred on the area) and compared with the day before;
    missing days keep the state before (gaps). Writes -o FRAGMENT.yaml (zones with from, to,
    geojson, confidence, source) and one GeoJSON file per interval beside it, for a scenario's
    `include: [FRAGMENT.yaml]`; nothing is written if any input is refused.
    """
    from corridor.cli.common import resolve_scenario, scenario_inputs, scenario_networks
    from corridor.files import check_output, safe_stem, write_atomic
    from corridor.ingest.zones import (
        default_workers,
        fragment_files,
        fragment_text,
        import_zones,
        interval_geojson,
        layer_files,
        summary_lines,
        written_here,
    )
    from corridor.scenario.load import load_scenario

    if date_from != "name" and date_property is None:
        msg = f"--date-from {date_from!r}: only `name` is known; for a property give --date-property P"
        raise LayerError(msg)
    if not output.name.lower().endswith((".yaml", ".yml")):
        msg = f"-o {output}: a fragment is a YAML file; name it FRAGMENT.yaml"
        raise OutputError(msg)
    mapping = parse_actor_map(actor_map or [])
    if actor_property is not None and not mapping:
        msg = "--actor-property needs --actor-map VALUE=ACTOR for each value it may hold"
        raise LayerError(msg)
    sc = load_scenario(resolve_scenario(scenario)) if scenario is not None else None
    wanted = [actor] if actor is not None else sorted(set(mapping.values()))
    if sc is not None:
        for a in wanted:
            if a not in sc.actors:
                known = ", ".join(sorted(sc.actors)) or "none"
                msg = f"actor {a!r} is not in scenario {sc.name!r} (actors: {known}); add it there first"
                raise LayerError(msg)
    clip = None
    if clip_to == "scenario" or (clip_to is None and sc is not None):
        if sc is None:
            msg = "--clip-to scenario needs --scenario S"
            raise LayerError(msg)
        clip = scenario_networks(sc)(sc.mover_profile().base).bounds
    elif clip_to is not None:
        clip = parse_box(clip_to)

    files = layer_files(paths)
    inputs = {f: "a layer file read" for f in files}
    if sc is not None:
        inputs.update(scenario_inputs(sc))
    check_output(output, inputs, label=f"-o {output}")
    if output.exists() and not written_here(output):
        msg = (
            f"-o {output} exists and was not written by corridor import zones; choose another name"
        )
        raise OutputError(msg)
    stem = safe_stem(output.stem)
    imp = import_zones(
        files,
        actor=actor,
        id_prefix=stem,
        date_property=date_property,
        actor_property=actor_property,
        actor_map=mapping,
        clip=clip,
        simplify_m=simplify_m,
        workers=workers or default_workers(),
    )
    if not imp.intervals:
        msg = f"{', '.join(map(str, paths))}: no polygon read; nothing written"
        raise LayerError(msg)
    targets = fragment_files(imp, output)
    for target in targets:
        check_output(target, inputs, label=f"{target}")
        if target.exists() and not written_here(target):
            msg = (
                f"{target} exists and was not written by corridor import zones; write the "
                "fragment into another folder (-o)"
            )
            raise OutputError(msg)
    by_id = {i.id: i for i in imp.intervals}
    for target, zid in targets.items():
        write_atomic(target, interval_geojson(imp, by_id[zid]))
    names = ", ".join(p.name for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
    include_as = output.name
    if sc is not None:
        include_as = os.path.relpath(output, Path(sc.path).parent)
    write_atomic(
        output,
        fragment_text(
            imp,
            output,
            confidence=confidence,
            source_key=f"import-{stem}",
            source_outlet=names,
            include_as=include_as,
        ),
    )
    out = console()
    for line in summary_lines(imp):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    out.print(
        f"wrote {output} and {len(targets)} GeoJSON file(s) beside it; add `include: "
        f"[{include_as}]` to the scenario",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


from corridor.cli import import_roads as import_roads  # noqa: E402  (registers `import roads`)
