"""``corridor scenarios``, ``corridor scenario validate``, ``check``, ``schema`` and ``init`` (a
draft scenario from an extract's own data)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import (
    FLAGS_ONLY,
    VerboseOpt,
    announce_compiling,
    bundled_scenarios,
    console,
    err_console,
    handle_errors,
    progress,
    resolve_scenario,
    scenario_networks,
)

if TYPE_CHECKING:
    from corridor.model.scenario import Scenario

app = typer.Typer()
group = typer.Typer(help="Check scenario files.", no_args_is_help=True)


@app.command(context_settings=FLAGS_ONLY)
@handle_errors
def scenarios(verbose: VerboseOpt = False) -> None:
    """The bundled scenarios, one line each."""
    from rich.table import Table

    from corridor.scenario.yaml_lines import read_top_level

    table = Table("name", "title", "file")
    for name, path in bundled_scenarios().items():
        table.add_row(name, str(read_top_level(path).get("title", "")), str(path))
    console().print(table)


@group.command("validate")
@handle_errors
def scenario_validate(
    file: Annotated[str, typer.Argument(help="Scenario YAML file or bundled name.")],
    verbose: VerboseOpt = False,
) -> None:
    """Every problem in a scenario file at once, as file:line: what is wrong."""
    path = resolve_scenario(file)
    sc = _load_or_list_problems(path)
    console().print(
        f"{path}: valid: {len(sc.places)} places, {len(sc.zones)} zones, {len(sc.events)} events, "
        f"{len(sc.plans)} plans, {len(sc.movers)} movers"
    )


def _load_or_list_problems(path: Path) -> Scenario:
    """The scenario, or every problem of the file on stderr and exit 2."""
    from corridor.errors import ScenarioError
    from corridor.scenario.load import load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for p in exc.problems:
            err_console().print(p, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


@group.command("check")
@handle_errors
def scenario_check(
    file: Annotated[str, typer.Argument(help="Scenario YAML file or bundled name.")],
    verbose: VerboseOpt = False,
) -> None:
    """The scenario against its network, for every mover and every date where something
    changes: closures that close nothing, origins and exits off the roads, zones that hold no
    road, exits unreachable even with nothing closed, events after the end, the same road
    closed twice a day. One line per finding, file:line first. Exit 0 when clean, 1 when it
    found something, 2 when the file itself is invalid."""
    from corridor.analysis.check import check_scenario
    from corridor.network.ways import network_warnings

    path = resolve_scenario(file)
    sc = _load_or_list_problems(path)
    announce_compiling()
    with progress() as prog:
        task = prog.add_task(f"checking {sc.name}", total=None)
        findings = check_scenario(
            sc,
            scenario_networks(sc),
            on_mover=lambda m: prog.update(task, description=f"checking {sc.name}: {m}"),
            network_notes=network_warnings,
        )
    out = console()
    for f in findings:
        when = ", ".join(x for x in (f"mover {f.mover}" if f.mover else "", f.date) if x)
        out.print(
            f"{sc.where(f.key)}: {f.key}: {f.message} [{f.code}" + (f"; {when}]" if when else "]"),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if findings:
        out.print(f"{path}: {len(findings)} finding(s)", markup=False, highlight=False)
        raise typer.Exit(1)
    movers = ", ".join(sc.movers) or sc.mover
    out.print(
        f"{path}: checked against its network for {movers}: nothing found",
        markup=False,
        highlight=False,
    )


@group.command("schema")
@handle_errors
def scenario_schema(verbose: VerboseOpt = False) -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    import json

    from corridor.scenario.load import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))


@group.command("init")
@handle_errors
def scenario_init(
    extract: Annotated[
        Path, typer.Argument(help="The OSM extract (PBF, .osm, .osm.gz, .osm.bz2).")
    ],
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="The place people leave from (an OSM place name)."),
    ] = None,
    exit_: Annotated[
        list[str] | None,
        typer.Option(
            "--exit",
            help="A place to get out to: an OSM place or border crossing name, or where a main "
            "road leaves the extract (its ref or name, e.g. CG-1, or the label `--list` shows). "
            "Repeat for each exit.",
        ),
    ] = None,
    mover: Annotated[
        str, typer.Option("--mover", "-m", help="car, foot, walkers, offroad or all.")
    ] = "car",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The scenario file to write (never overwritten)."),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="List the names --origin and --exit take, and stop.")
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Draft a scenario from the extract's own data: its OSM place nodes (city, town, village,
    hamlet, suburb, with their population tags) and border crossings, and the points where main
    roads leave the extract (a country's extract ends its roads at the border: `--exit CG-1`);
    OSM cited as the source with the extract's date; comments say what to fill in. The draft
    passes `corridor scenario check` when the named places bind."""
    import os

    from corridor.errors import AreaError, OutputError
    from corridor.files import check_output, path_exists, write_atomic
    from corridor.model.network import Mover
    from corridor.network.load import load_network
    from corridor.network.osm import check_readable, is_osm_path
    from corridor.network.places import SETTLEMENT_KINDS, extract_date, read_places
    from corridor.network.roads import road_exits
    from corridor.scenario.init import (
        KIND_RADIUS_M,
        DraftPlace,
        draft_text,
        find_place,
        fit_to_roads,
        place_id,
        separate,
    )

    try:
        base = Mover(mover)
    except ValueError as exc:
        raise AreaError(f"--mover: {exc}") from None
    check_readable(extract)
    if not is_osm_path(extract):
        raise AreaError(f"{extract}: not an OSM extract (.osm.pbf, .osm, .osm.gz, .osm.bz2)")
    if not list_:
        if origin is None or not exit_ or output is None:
            raise AreaError("give --origin NAME, at least one --exit NAME and -o FILE (or --list)")
        if path_exists(output):
            raise OutputError(
                f"-o {output}: the file exists; corridor never overwrites it: choose another name"
            )
        check_output(output, {extract: "the extract"}, label=f"-o {output}")
    with progress() as prog:
        prog.add_task(f"reading {extract.name}", total=None)
        net = load_network(extract, base)
        osm = read_places(extract)
        ends = road_exits(net)
    places = [
        DraftPlace(
            p.name, p.lon, p.lat, KIND_RADIUS_M[p.kind], p.kind, p.population, p.osm_id, "", p.names
        )
        for p in osm.places
        if p.kind in (*SETTLEMENT_KINDS, "border_control")
    ]
    road_ends = [
        DraftPlace(
            e.label,
            e.lon,
            e.lat,
            e.radius_m,
            "road-exit",
            note=f"where {e.road} ({e.road_class}) leaves the extract (OSM ways "
            f"{', '.join(map(str, e.ways))}): the edge of the data, a border when the extract "
            "was cut along one; check it",
            aliases=(e.road,) if sum(x.road == e.road for x in ends) == 1 else (),
        )
        for e in ends
    ]
    if list_:
        out = console()
        for p in places:
            pop = f", population {p.population:,}" if p.population is not None else ""
            out.print(
                f"{p.name} ({p.kind}{pop}) [{p.lon:.5f}, {p.lat:.5f}]",
                markup=False,
                highlight=False,
            )
        for p in road_ends:
            also = f"; or --exit {p.aliases[0]}" if p.aliases else ""
            out.print(
                f"{p.name} (a main road leaves the extract) [{p.lon:.5f}, {p.lat:.5f}]{also}",
                markup=False,
                highlight=False,
            )
        return
    assert origin is not None and exit_ is not None and output is not None
    o = fit_to_roads(find_place(origin, places, "--origin"), net)
    xs = []
    for name in exit_:
        x = fit_to_roads(find_place(name, [*places, *road_ends], "--exit"), net)
        o, x = separate(o, x, net)
        xs.append(x)
    chosen = {(p.name, p.lon, p.lat) for p in (o, *xs)}
    others = sorted(
        (p for p in places if (p.name, p.lon, p.lat) not in chosen and p.kind != "border_control"),
        key=lambda p: (p.lon - o.lon) ** 2 + (p.lat - o.lat) ** 2,
    )
    out_dir = Path(os.path.abspath(output)).parent
    try:
        network_file = os.path.relpath(os.path.abspath(extract), out_dir)
    except ValueError:  # another drive (Windows)
        network_file = str(extract.resolve())
    stem = extract.name.split(".")[0]
    text = draft_text(
        network_file=network_file,
        name=place_id(stem, set()),
        mover=base.value,
        origin=o,
        exits=xs,
        others=others,
        source_title=extract.name,
        source_date=extract_date(extract),
    )
    if path_exists(output):  # appeared meanwhile
        raise OutputError(
            f"-o {output}: the file exists; corridor never overwrites it: choose another name"
        )
    write_atomic(output, text)
    console().print(
        f"{output}: drafted: origin {o.name!r}, exits {', '.join(repr(x.name) for x in xs)}, "
        f"{len(others[:200])} other places; next: corridor scenario check {output}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
