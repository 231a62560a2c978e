"""``corridor events review`` and ``corridor events accept``: from candidate events to reviewed,
sourced scenario events."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor.cli.common import (
    JsonOpt,
    MoverOpt,
    ReviewArg,
    ScenarioOpt,
    VerboseOpt,
    check_outputs,
    console,
    err_console,
    handle_errors,
    resolve_scenario,
    scenario_networks,
)

if TYPE_CHECKING:
    from corridor.analysis.report import CorridorReport
    from corridor.ingest.review import Candidate
    from corridor.model.scenario import Scenario

group = typer.Typer(
    help="Review candidate events and accept them into a scenario.", no_args_is_help=True
)


def _impact(
    sc: Scenario, networks: Any, c: Candidate, mover: str | None
) -> tuple[CorridorReport, CorridorReport] | None:
    """The reports at the candidate's date without it and with it (None if it cannot apply)."""
    import dataclasses

    import shapely

    from corridor.analysis.replay import report_at
    from corridor.model.areas import Area
    from corridor.model.scenario import Event
    from corridor.model.situation import Closure
    from corridor.model.timeline import in_window

    if c.problem():
        return None
    day = c.date
    if not in_window(day, sc.start, sc.end):
        return None
    before = report_at(sc, networks, day, mover=mover)
    t = c.target
    if c.kind == "close":
        if "point" in t and "radius_m" in t:
            area = Area(c.id, point=tuple(t["point"]), radius_m=float(t["radius_m"]))
        elif t.get("place") in sc.places:
            area = sc.places[t["place"]].area
        elif "polygon" in t:
            area = Area(c.id, polygon=shapely.Polygon(t["polygon"]))
        else:
            return None
        closure = Closure(area=area, label=f"candidate {c.id}")
        return before, report_at(sc, networks, day, mover=mover, what_if=[closure])
    if c.kind == "zone":
        if t.get("place") in sc.places:
            geom = sc.places[t["place"]].area.geometry()
        elif "polygon" in t:
            geom = shapely.Polygon(t["polygon"])
        else:
            return None
        event = Event(
            id=c.id, date=day, kind="zone", actor=c.actor, zone=geom, confidence=c.confidence
        )
    else:
        event = Event(id=c.id, date=day, kind="population", place=t["place"], value=c.value)
    with_it = dataclasses.replace(sc, events=(*sc.events, event))
    return before, report_at(with_it, networks, day, mover=mover)


def _summary(r: CorridorReport) -> dict[str, Any]:
    reach = r.reach
    return {
        "status": reach.status,
        "exits_reachable": sum(1 for e in reach.exits if e.reachable),
        "exits": len(reach.exits),
        "capacity_pph": int(r.flow.value_pph),
    }


@group.command("review")
@handle_errors
def review(
    file: ReviewArg,
    scenario: ScenarioOpt = None,
    mover: MoverOpt = None,
    json_: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """The candidates, each with its quote and what it would change at its date: status, exits
    reachable and capacity without it and with it."""
    import json

    from rich.table import Table

    from corridor.ingest.review import read_review
    from corridor.scenario.load import load_scenario

    rv = read_review(file)
    sc = load_scenario(resolve_scenario(scenario or rv.scenario or None))
    sc.mover_profile(mover)
    networks = scenario_networks(sc)
    rows: list[dict[str, Any]] = []
    for c in rv.candidates:
        pair = _impact(sc, networks, c, mover)
        row: dict[str, Any] = {
            "id": c.id,
            "accept": c.accept,
            "kind": c.kind,
            "date": c.date.isoformat(),
            "date_uncertainty_days": c.date_uncertainty_days,
            "actor": c.actor,
            "confidence": c.confidence,
            "quote": c.quote,
            "source": {k: str(v) for k, v in c.source.items()},
            "not_applied": c.problem() or None,
            "unresolved": c.unresolved,
        }
        if pair is not None:
            row["without"], row["with"] = _summary(pair[0]), _summary(pair[1])
        rows.append(row)
    if json_:
        print(json.dumps({"candidates": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} candidates from {rv.origin or file.name} for {sc.name}")
    for col in ("id", "kind", "date", "actor", "conf.", "status", "exits", "capacity p/h"):
        table.add_column(col, no_wrap=col in ("id", "date"))
    table.add_column("quote and source", ratio=1)
    for r in rows:
        date = r["date"] + (
            f" ±{r['date_uncertainty_days']}d" if r["date_uncertainty_days"] else ""
        )
        if "with" in r:
            a, b = r["without"], r["with"]
            status = f"{a['status']} → {b['status']}"
            exits = f"{a['exits_reachable']}/{a['exits']} → {b['exits_reachable']}/{b['exits']}"
            cap = f"{a['capacity_pph']:,} → {b['capacity_pph']:,}"
        else:
            status, exits, cap = f"not applied: {r['not_applied'] or 'outside the window'}", "", ""
        src = r["source"].get("outlet", "")
        quote = (r["quote"][:300] + "…") if len(r["quote"]) > 300 else r["quote"]
        mark = "✓ " if r["accept"] else ""
        table.add_row(
            mark + r["id"],
            r["kind"],
            date,
            r["actor"] or "?",
            f"{r['confidence']:.2f}",
            status,
            exits,
            cap,
            f'"{quote}" — {src}' if quote else src,
        )
    console().print(table)
    if rv.unmatched_actors:
        console().print(
            "actors matching no scenario actor: " + ", ".join(rv.unmatched_actors),
            markup=False,
            highlight=False,
        )


@group.command("accept")
@handle_errors
def accept(
    file: ReviewArg,
    scenario: Annotated[
        Path,
        typer.Option("--scenario", "-s", help="The scenario file to write the events into."),
    ],
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Accept these candidate ids (repeat --only, or separate ids with commas; "
            "default: those marked accept: true).",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write the accepted candidates into the scenario as events, with their sources; the file
    keeps its comments and layout, is checked before it is replaced, and the old one is kept as
    NAME.bak."""
    from corridor.files import same_file
    from corridor.ingest.accept import accept_candidates
    from corridor.ingest.review import ReviewError, read_review
    from corridor.scenario.load import load_scenario

    rv = read_review(file)
    sc = load_scenario(scenario)
    if same_file(file, scenario):
        msg = f"--scenario {scenario}: that is the review file {file}; name the scenario file"
        raise ReviewError(msg)
    # the scenario is written on purpose; its backup must not land on any input
    check_outputs(
        sc, {"the backup": scenario.with_name(scenario.name + ".bak")}, reads={file: "the review"}
    )
    by_id = {c.id: c for c in rv.candidates}
    only = [i.strip() for item in only or () for i in item.split(",") if i.strip()]
    if only:
        unknown = [i for i in only if i not in by_id]
        if unknown:
            msg = f"--only {unknown[0]}: no such candidate in {file}"
            raise ReviewError(msg)
        chosen = [by_id[i] for i in dict.fromkeys(only)]
    else:
        chosen = [c for c in rv.candidates if c.accept]
    if not chosen:
        msg = f"{file}: no candidate is accepted; set `accept: true` on some, or give --only ID"
        raise ReviewError(msg)
    done = accept_candidates(chosen, sc, scenario)
    for a in done:
        err_console().print(
            f"{a.candidate} → event {a.event} (source {a.source})", markup=False, highlight=False
        )
    err_console().print(
        f"{len(done)} event{'s' if len(done) != 1 else ''} written to {scenario} "
        f"(the old file is {scenario.name}.bak)",
        markup=False,
        highlight=False,
    )
