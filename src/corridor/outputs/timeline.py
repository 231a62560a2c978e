"""Timelines and plan comparisons as tables (rich) and rows (CSV)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from corridor.analysis.report import CorridorReport
from corridor.analysis.results import InputWarning
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Scenario, Source, ZoneChange
from corridor.outputs.text import fmt_duration, fmt_hours


def evidence_text(confidence: float | None, sources: tuple[Source, ...]) -> str:
    """ "(conf 0.7, S12)": the confidence and the first source, where known."""
    bits = [] if confidence is None else [f"conf {confidence:.1f}"]
    src = sources[0] if sources else None
    if src is not None and (src.key or src.outlet):
        bits.append(src.key or src.outlet)
    return f" ({', '.join(bits)})" if bits else ""


def zone_change_text(z: ZoneChange) -> str:
    """A zone that begins or ends: "zone isis-west ends: isis (Islamic State) no longer holds it
    (conf 0.7, S12)"."""
    return z.what() + evidence_text(z.zone.confidence, z.zone.sources)


def events_text(r: CorridorReport, *, first: bool = False) -> str:
    """What changed on a report's date, one line each: the events (actor: what (confidence,
    source)), then the zones that begin or end (zone, its actor and side, confidence, source).
    On the ``first`` date of a timeline the zones that begin are its starting state, named in
    one line."""
    lines = []
    for e in r.events:
        plan = f"[plan {e.plan}] " if e.plan else ""
        lines.append(
            f"{plan}{(e.actor + ': ') if e.actor else ''}{e.what}"
            + evidence_text(e.confidence, e.sources)
        )
    changes = r.zone_changes
    if first:
        held = [z for z in changes if z.change == "begins"]
        changes = tuple(z for z in changes if z.change != "begins")
        if held:
            lines.append(
                "zones held at the start: "
                + ", ".join(f"{z.zone.id} ({z.zone.actor})" for z in held)
            )
    lines += [zone_change_text(z) for z in changes]
    return "\n".join(lines)


def _cut_roads(r: CorridorReport, net: RoadNetwork) -> list[str]:
    seen: list[str] = []
    for e in r.min_cut.edges:
        label = net.road_label(int(e))
        if label not in seen:
            seen.append(label)
    return seen


def _signature(r: CorridorReport) -> tuple[Any, ...]:
    return (
        r.status,
        tuple(x.reachable for x in r.reach.exits),
        r.min_cut.count,
        r.flow.value_pph,
        None if r.timed is None else (r.timed.finish, r.timed.persons_out),
    )


def timeline_rows(reports: list[CorridorReport], network: RoadNetwork) -> list[dict[str, Any]]:
    """One flat row per date (for CSV); ``network``: the one the reports were computed on."""
    rows = []
    for r in reports:
        row: dict[str, Any] = {
            "date": r.date,
            "mover": r.mover,
            "plan": r.plan or "",
            "status": r.status,
        }
        for x in r.reach.exits:
            row[f"exit:{x.name}"] = "open" if x.reachable else "sealed"
            row[f"time_s:{x.name}"] = "" if x.travel_time_s is None else round(x.travel_time_s)
        row["min_cut"] = r.min_cut.count
        row["min_cut_roads"] = "; ".join(_cut_roads(r, network))
        row["min_cut_stretches"] = "; ".join(x.label for x in r.cut_stretches)
        row["critical"] = len(r.critical)
        row["critical_stretches"] = "; ".join(x.label for x in r.critical_stretches)
        row["capacity_pph"] = r.flow.value_pph
        row["population"] = r.evacuation.population
        row["evacuation_hours"] = "" if r.evacuation.hours is None else round(r.evacuation.hours, 2)
        if r.timed is not None:  # the evacuation over time (windows, checkpoints)
            row["timed_finish"] = (
                "" if r.timed.finish is None else r.timed.finish.isoformat(timespec="minutes")
            )
            row["timed_hours"] = "" if r.timed.hours is None else round(r.timed.hours, 2)
            row["timed_persons_out"] = r.timed.persons_out
        row["pocket_km2"] = "" if r.pocket is None else round(r.pocket.area_km2, 1)
        row["pocket_places"] = (
            "" if r.pocket is None else "; ".join(x.name for x in r.pocket.places)
        )
        row["events"] = " | ".join(events_text(r, first=r is reports[0]).splitlines())
        rows.append(row)
    return rows


def timeline_table(
    scenario: Scenario,
    reports: list[CorridorReport],
    network: RoadNetwork,
    *,
    plan: str | None = None,
) -> Table:
    """One row per change date; the row where the status flips is highlighted (``network``:
    the one the reports were computed on)."""
    title = f"{scenario.title or scenario.name}"
    if reports:
        title += f" | mover: {reports[0].mover}"
    if plan:
        title += f" | plan {plan}: {scenario.plans[plan].title}"
    t = Table(title=title, show_lines=True, title_justify="left")
    t.add_column("date", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("exits reachable (fastest); pocket", min_width=18)
    t.add_column("min cut: road stretches", min_width=14)
    t.add_column("persons/h", justify="right", no_wrap=True)
    t.add_column("evacuation", justify="right", no_wrap=True)
    t.add_column(
        "what changed (actor: what; zones begun or ended; confidence, source)",
        ratio=2,
        min_width=24,
    )
    prev = None
    for row_i, r in enumerate(reports):
        flipped = prev is not None and prev != r.status
        colour = "green" if r.status == "open" else "red"
        status = Text(r.status.upper(), style=f"bold {colour}" + (" reverse" if flipped else ""))
        if r.status == "open" and "only to waypoints" in r.headline:
            status.append("\nwaypoints\nonly", style=colour)
        exits = Text()
        for i, x in enumerate(r.reach.exits):
            if i:
                exits.append("\n")
            if x.reachable:
                exits.append(f"✔ {x.name} ({fmt_duration(x.travel_time_s)})", style="green")
            else:
                exits.append(f"✘ {x.name}", style="red")
        if r.pocket is not None:
            exits.append(f"\npocket {pocket_cell(r)}", style="dim")
        cut_names = [x.label for x in r.cut_stretches] or _cut_roads(r, network)
        cut = f"{r.min_cut.count}: " + "; ".join(cut_names) if r.min_cut.count else "0"
        if len(r.critical):
            n = len(r.critical_stretches)
            cut += f"\n({len(r.critical)} critical" + (
                f" on {n} stretch{'es' if n > 1 else ''})" if n else ")"
            )
        t.add_row(
            Text(r.date or "(undated)", style="bold" if flipped else ""),
            status,
            exits,
            Text(cut),
            f"{r.flow.value_pph:,}",
            fmt_hours(r.evacuation.hours) + _timed_cell(r),
            Text(
                events_text(r, first=row_i == 0)
                or ("(start of the timeline)" if row_i == 0 else "(no change for this mover)")
            ),
        )
        prev = r.status
    return t


def timed_finish_cell(r: CorridorReport) -> str:
    """When the last person is out under the evacuation over time: "1 Feb 11:30 (8 d 11 h)";
    "not all out in 14 d (N out)" when not everyone is out within the horizon; "" without one."""
    t = r.timed
    if t is None:
        return ""
    if t.finish is None:
        return f"not all out in {t.horizon_s / 86400:g} d ({t.persons_out:,} out)"
    return f"{t.finish:%-d %b %H:%M} ({fmt_hours(t.hours)})"


def _timed_cell(r: CorridorReport) -> str:
    """Under the quickest evacuation, the one over time: "over time 8 d 4 h" ("" without)."""
    t = r.timed
    if t is None:
        return ""
    if t.hours is None:
        return f"\nover time: {t.persons_out:,} out by the horizon"
    return f"\nover time {fmt_hours(t.hours)}"


def pocket_cell(r: CorridorReport) -> str:
    """The pocket in a table cell: its area and the places inside, the two most populous named
    ("-" without one)."""
    p = r.pocket
    if p is None:
        return "-"
    # the most populous places first (those without a figure last), two named
    ranked = sorted(p.places, key=lambda x: -(x.population or -1))
    names = [x.name for x in ranked]
    shown = ", ".join(names[:2]) + (f" +{len(names) - 2}" if len(names) > 2 else "")
    return f"{p.area_km2:,.0f} km²" + (f": {shown}" if shown else "")


def first_difference(a: list[CorridorReport], b: list[CorridorReport]) -> str | None:
    """The first date where status, reachable exits, cut size, capacity or the evacuation over
    time (when the last person is out) differ."""
    for ra, rb in zip(a, b, strict=True):
        if _signature(ra) != _signature(rb):
            return ra.date
    return None


def compare_table(
    scenario: Scenario,
    a: list[CorridorReport],
    b: list[CorridorReport],
    plans: list[str | None],
) -> Table:
    names = [p or "what happened" for p in plans]
    t = Table(
        title=f"{scenario.title or scenario.name}: {names[0]} vs {names[1]}",
        show_lines=True,
        title_justify="left",
    )
    t.add_column("date", no_wrap=True)
    timed = any(r.timed is not None for r in (*a, *b))
    for n in names:
        t.add_column(f"{n}: status / exits", ratio=2)
        t.add_column("cut", justify="right")
        t.add_column("persons/h", justify="right")
        if timed:
            t.add_column("all out by", justify="right")
    for ra, rb in zip(a, b, strict=True):
        differ = _signature(ra) != _signature(rb)
        cells: list[Any] = [Text(str(ra.date), style="bold yellow" if differ else "")]
        for r in (ra, rb):
            reach = ", ".join(x.name for x in r.reach.exits if x.reachable) or "none"
            cells.append(
                Text(
                    f"{r.status.upper()}: {reach}",
                    style="green" if r.status == "open" else "red",
                )
            )
            cells.append(str(r.min_cut.count))
            cells.append(f"{r.flow.value_pph:,}")
            if timed:
                cells.append(timed_finish_cell(r))
        t.add_row(*cells)
    return t


def timeline_warnings(reports: list[CorridorReport]) -> list[InputWarning]:
    """The warnings of a replay, once each (the first date that raised it), in order."""
    seen: dict[tuple[str, str], InputWarning] = {}
    for r in reports:
        for w in r.warnings:
            seen.setdefault((w.code, w.id), w)
    return list(seen.values())
