"""``corridor events review`` and ``corridor events accept``: from candidate events to reviewed,
sourced scenario events."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
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
    from corridor.ingest.accept import Action
    from corridor.ingest.review import Candidate
    from corridor.model.scenario import Event, Scenario

group = typer.Typer(
    help="Review candidate events and accept them into a scenario.", no_args_is_help=True
)


def _candidate_event(sc: Scenario, c: Candidate) -> tuple[Event | None, str]:
    """The scenario event a candidate would be, built the way the scenario loader builds one
    (every target kind: way(s), ref with between, point, polygon, geojson, place), or None and
    the true reason it cannot be."""
    import pydantic

    from corridor.model.scenario import Event
    from corridor.scenario.areas import AreaReader
    from corridor.scenario.problems import ProblemLog
    from corridor.scenario.schema import TargetSpec
    from corridor.scenario.yaml_lines import YamlLines

    try:
        t = TargetSpec.model_validate(c.target)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "target"
        return None, f"target {where}: {first['msg']}"
    if c.actor is not None and sc.actors and c.actor not in sc.actors:
        known = ", ".join(sorted(sc.actors))
        return None, f"actor {c.actor!r} is not an actor of the scenario (actors: {known})"
    problems = ProblemLog(YamlLines(None))
    reader = AreaReader(Path(sc.path).parent, problems, dict(sc.places))
    label = f"candidate {c.id}"
    if c.kind == "reopen" and t.event is not None:  # reopen {event: id}: undoes that closure
        if all(e.id != t.event for e in sc.events):
            return None, f"target.event: no event with id {t.event!r} to reopen"
        return Event(id=c.id, date=c.date, kind="reopen", actor=c.actor, reopens=t.event), ""
    if t.checkpoint is not None:
        if c.kind not in ("close", "reopen"):
            return None, f"a `{c.kind}` event cannot target a checkpoint; close and reopen can"
        if all(cp.id != t.checkpoint for cp in sc.checkpoints):
            return None, f"target.checkpoint: no checkpoint with id {t.checkpoint!r}"
        event = Event(id=c.id, date=c.date, kind=c.kind, actor=c.actor, checkpoint=t.checkpoint)  # type: ignore[arg-type]
        return event, ""
    if c.kind in ("close", "reopen", "restrict"):
        closure = reader.closure(t, ("target",), label)
        if closure is None:
            why = problems.found[0].message if problems.found else "the target is not a closure"
            return None, f"target: {why}"
        if c.kind == "restrict":  # the road stays open at the candidate's factors
            cap, speed = c.extra.get("capacity_factor"), c.extra.get("speed_factor")
            if cap is None and speed is None:
                return None, "a restriction needs capacity_factor or speed_factor"
            return Event(
                id=c.id,
                date=c.date,
                kind="restrict",
                actor=c.actor,
                closure=closure,
                capacity_factor=1.0 if cap is None else float(cap),
                speed_factor=1.0 if speed is None else float(speed),
            ), ""
        closure = dataclasses.replace(closure, reopen=c.kind == "reopen")
        return Event(
            id=c.id,
            date=c.date,
            kind="reopen" if c.kind == "reopen" else "close",
            actor=c.actor,
            closure=closure,
        ), ""
    if c.kind == "zone":
        if t.place is not None:
            area = reader.place_or_area(t.place, ("target", "place"), t.place)
            geom = area.geometry() if area is not None else None
        else:
            geom = reader.polygon(t.polygon, t.geojson, ("target",))
        if geom is None:
            why = (
                problems.found[0].message
                if problems.found
                else "a zone event's target is a polygon, a geojson file or a place"
            )
            return None, f"target: {why}"
        event = Event(
            id=c.id, date=c.date, kind="zone", actor=c.actor, zone=geom, confidence=c.confidence
        )
        return event, ""
    if t.place not in sc.places:
        return None, f"target: no place with id {t.place!r}"
    return Event(id=c.id, date=c.date, kind="population", place=t.place, value=c.value), ""


def _roads_held(sc: Scenario, networks: Any, event: Event, mover: str | None) -> tuple[int, str]:
    """How many road segments of the mover's network the event's target holds, and what the
    binding says: why it holds none, or what part of its target it misses ("" when it binds as
    written, or is not a road target: then -1 segments)."""
    import numpy as np

    from corridor.analysis.bindings import nearest_road, road_text
    from corridor.model.areas import polygon_edge_mask
    from corridor.model.situation import bind_closure

    network = networks(sc.mover_profile(mover).base)
    closure = event.closure
    if closure is None and event.reopens is not None:  # reopen {event}: the closure it undoes
        closure = next((e.closure for e in sc.events if e.id == event.reopens), None)
    if closure is not None:
        mask, note = bind_closure(network, closure)
        held = int(np.count_nonzero(mask))
        if held == 0 and closure.area is not None:
            lon, lat = closure.area.representative
            road = nearest_road(network, lon, lat)
            if road is not None:
                note = "; ".join(x for x in (note, f"the nearest road is {road_text(road)}") if x)
        return held, note
    if event.zone is not None:
        held = int(np.count_nonzero(polygon_edge_mask(network, event.zone)))
        note = ""
        if held == 0:
            point = event.zone.representative_point()
            road = nearest_road(network, point.x, point.y)
            note = f"the nearest road is {road_text(road)}" if road is not None else ""
        return held, note
    return -1, ""


def _impact(
    sc: Scenario,
    networks: Any,
    c: Candidate,
    mover: str | None,
    act: Action,
    before_at: Callable[[dt.date], CorridorReport],
) -> tuple[tuple[CorridorReport, CorridorReport] | None, str, int]:
    """The reports at the candidate's date without it and with it (or None and the true reason
    it cannot be previewed), a warning (its target binds no road of the mover's network, or
    only part of what it names), and how many road segments its target holds (-1: not a road
    target). For a row ACLED changed or deleted after it was accepted (``act``), "with it" is
    the scenario with that event updated, or retracted. ``before_at`` gives the scenario's
    report at a date (one per date for the whole review)."""
    from corridor.analysis.replay import report_at
    from corridor.model.timeline import in_window

    old = next((e for e in sc.events if e.id == act.event), None) if act.event else None
    if act.kind in ("retract", "update") and old is None:
        return None, f"event {act.event!r} is not among the scenario's events", -1
    if act.kind == "retract" and old is not None:
        if not in_window(old.date, sc.start, sc.end):
            return None, f"{old.date} is outside the scenario's window {sc.start} to {sc.end}", -1
        without = dataclasses.replace(sc, events=tuple(e for e in sc.events if e.id != act.event))
        return (before_at(old.date), report_at(without, networks, old.date, mover=mover)), "", -1
    if act.kind == "refuse" and act.reason.startswith("already in the scenario"):
        return None, act.reason, -1
    if c.problem():
        return None, c.problem(), -1
    event, why = _candidate_event(sc, c)
    if event is None:
        return None, why, -1
    held, note = _roads_held(sc, networks, event, mover)
    profile = sc.mover_profile(mover)
    if held == 0:
        what = "zone" if event.zone is not None else "closure"
        detail = f" ({note})" if note else ""
        why = (
            f"its {what} binds no road of the mover's network ({profile.id}: "
            f"{profile.base.value} network){detail}; check the target"
        )
    elif held > 0 and note:
        why = f"its closure binds only part of what it names: {note}"
    if not in_window(c.date, sc.start, sc.end):
        return None, f"{c.date} is outside the scenario's window {sc.start} to {sc.end}", held
    before = before_at(c.date)
    if act.kind == "update" and old is not None:  # the accepted event as the row now gives it
        event = dataclasses.replace(event, id=old.id, movers=old.movers, group=old.group)
        events = tuple(event if e.id == old.id else e for e in sc.events)
    else:
        events = (*sc.events, event)
    with_it = dataclasses.replace(sc, events=events)
    return (before, report_at(with_it, networks, c.date, mover=mover)), why, held


def _shown_value(value: Any) -> str:
    import json

    if value is None or value == "":
        return "none"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


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
    reachable and capacity without it and with it, for every target kind, or the reason it
    cannot be applied. A target that binds no road of the mover's network is flagged; a
    candidate already in the scenario names its event; an ACLED row changed or deleted
    upstream after it was accepted shows how its event differs, previewed updated or
    retracted."""
    import json

    from rich.table import Table

    from corridor.ingest.accept import FileEvents, action_of
    from corridor.ingest.review import read_review
    from corridor.scenario.load import load_scenario

    rv = read_review(file)
    sc = load_scenario(resolve_scenario(scenario or rv.scenario or None))
    sc.mover_profile(mover)
    networks = scenario_networks(sc)
    file_events = FileEvents.of(Path(sc.path).read_text(encoding="utf-8"))
    from corridor.analysis.replay import report_at

    rows: list[dict[str, Any]] = []
    baseline: dict[dt.date, CorridorReport] = {}  # the scenario's report, once per date

    def before_at(day: dt.date) -> CorridorReport:
        if day not in baseline:
            baseline[day] = report_at(sc, networks, day, mover=mover)
        return baseline[day]

    for c in rv.candidates:
        act = action_of(c, sc, file_events)
        pair, why, held = _impact(sc, networks, c, mover, act, before_at)
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
            "stance": c.extra.get("stance"),
            "not_applied": why if pair is None else None,
            "warning": why if pair is not None and why else None,
            "road_segments": held if held >= 0 else None,
            "unresolved": c.unresolved,
            "upstream": up if isinstance(up := c.extra.get("upstream"), dict) else None,
            "accept_does": act.kind if act.kind in ("update", "retract") else None,
            "event": act.event or None,
            "event_differs": {k: {"event": a, "candidate": b} for k, (a, b) in act.changes.items()}
            or None,
        }
        if pair is not None:
            row["without"], row["with"] = _summary(pair[0]), _summary(pair[1])
        rows.append(row)
    if json_:
        print(json.dumps({"candidates": rows}, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=f"{len(rows)} candidates from {rv.origin or file.name} for {sc.name}")
    for col in ("id", "kind", "date", "actor", "conf.", "status", "exits", "capacity p/h"):
        table.add_column(col, no_wrap=col in ("id", "date"))
    table.add_column("quote and source", ratio=1)
    for r in rows:
        date = r["date"] + (
            f" ±{r['date_uncertainty_days']}d" if r["date_uncertainty_days"] else ""
        )
        does = ""
        if r["accept_does"] == "update":
            diffs = "; ".join(
                f"{k} {_shown_value(v['event'])} → {_shown_value(v['candidate'])}"
                for k, v in r["event_differs"].items()
            )
            does = f"changed upstream: accept updates event {r['event']} ({diffs})"
        elif r["accept_does"] == "retract":
            does = f"deleted upstream: accept retracts event {r['event']}"
        elif r["upstream"] and r["upstream"].get("status") in ("new", "changed", "outside"):
            up = r["upstream"]
            changes = up.get("changes")
            what = ", ".join(map(str, changes)) if isinstance(changes, dict) else ""
            does = {
                "new": "new in this export",
                "changed": f"changed upstream ({what})",
                "outside": "no longer in the scenario's area or window",
            }[up["status"]]
        if "with" in r:
            a, b = r["without"], r["with"]
            status = f"{a['status']} → {b['status']}"
            exits = f"{a['exits_reachable']}/{a['exits']} → {b['exits_reachable']}/{b['exits']}"
            cap = f"{a['capacity_pph']:,} → {b['capacity_pph']:,}"
            if r["warning"]:
                status += f" (warning: {r['warning']})"
        else:
            status, exits, cap = f"not applied: {r['not_applied']}", "", ""
        if does:
            status = f"{does}; {status}"
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
    skip_refused: Annotated[
        bool,
        typer.Option(
            "--skip-refused",
            help="Write the candidates that pass and list the refused ones, exit 0 when any "
            "was written (default: one refusal writes nothing, exit 2).",
        ),
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write the accepted candidates into the scenario as events, with their sources; the file
    keeps its comments and layout, is checked before it is replaced, and the old one is kept as
    the next numbered backup (NAME.bak1, NAME.bak2, ...; none is overwritten). A candidate
    already in the scenario (its id, its ACLED id, or an event of the same kind, date and
    target) or that cannot be an event is refused, each in one line; then nothing is written
    (exit 2) unless --skip-refused. The candidate of an ACLED row changed upstream after it was
    accepted (a re-import marks it `upstream: {status: changed}`) updates that event; one of a
    row ACLED deleted retracts it."""
    from corridor.files import same_file
    from corridor.ingest.accept import AcceptRefused, accept_candidates, next_backup
    from corridor.ingest.review import ReviewError, read_review
    from corridor.scenario.load import load_scenario

    rv = read_review(file)
    sc = load_scenario(scenario)
    if same_file(file, scenario):
        msg = f"--scenario {scenario}: that is the review file {file}; name the scenario file"
        raise ReviewError(msg)
    # the scenario is written on purpose; its backup must not land on any input
    check_outputs(sc, {"the backup": next_backup(scenario)}, reads={file: "the review"})
    by_id = {c.id: c for c in rv.candidates}
    only = [i.strip() for item in only or () for i in item.split(",") if i.strip()]
    if only:
        unknown = [i for i in dict.fromkeys(only) if i not in by_id]
        if unknown:
            names = ", ".join(unknown)
            msg = f"--only {names}: no such candidate{'s' if len(unknown) > 1 else ''} in {file}"
            raise ReviewError(msg)
        chosen = [by_id[i] for i in dict.fromkeys(only)]
    else:
        chosen = [c for c in rv.candidates if c.accept]
    if not chosen:
        msg = f"{file}: no candidate is accepted; set `accept: true` on some, or give --only ID"
        raise ReviewError(msg)

    def say(line: str) -> None:
        err_console().print(line, markup=False, highlight=False, soft_wrap=True)

    try:
        result = accept_candidates(chosen, sc, scenario, skip_refused=skip_refused)
    except AcceptRefused as exc:
        if len(exc.refused) > 1 or len(chosen) > 1:
            for r in exc.refused:
                say(f"refused: {r.line()}")
        raise
    for a in result.accepted:
        if a.how == "retracted":
            say(f"{a.candidate} → event {a.event} retracted (ACLED deleted the row upstream)")
        elif a.how == "updated":
            say(f"{a.candidate} → event {a.event} updated from the changed row (source {a.source})")
        else:
            say(f"{a.candidate} → event {a.event} (source {a.source})")
    for r in result.refused:
        say(f"skipped: {r.line()}")
    counts = {h: sum(1 for a in result.accepted if a.how == h) for h in ("added", "updated")}
    retracted = sum(1 for a in result.accepted if a.how == "retracted")
    n = counts["added"]
    said = [f"{n} event{'s' if n != 1 else ''} written"] if n or not result.accepted else []
    said += [f"{counts['updated']} updated"] if counts["updated"] else []
    said += [f"{retracted} retracted"] if retracted else []
    backup = result.backup.name if result.backup else "none"
    head = f"{said[0]} to {scenario}" if len(said) == 1 and n else f"{scenario}: {', '.join(said)}"
    say(
        f"{head} (the old file is {backup})"
        + (f"; {len(result.refused)} refused and skipped" if result.refused else "")
    )
