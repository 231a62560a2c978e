"""Timelines and plan comparisons as tables (rich) and rows (CSV)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from corridor.analysis.report import CorridorReport
from corridor.analysis.results import InputWarning
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Scenario
from corridor.outputs.text import fmt_duration, fmt_hours


def events_text(r: CorridorReport) -> str:
    """The events of a report's date, one line each: actor: what (confidence, source)."""
    lines = []
    for e in r.events:
        src = e.sources[0] if e.sources else None
        label = (src.key or src.outlet) if src is not None else ""
        plan = f"[plan {e.plan}] " if e.plan else ""
        lines.append(
            f"{plan}{(e.actor + ': ') if e.actor else ''}{e.what} "
            f"(conf {e.confidence:.1f}" + (f", {label}" if label else "") + ")"
        )
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
        row["critical"] = len(r.critical)
        row["capacity_pph"] = r.flow.value_pph
        row["population"] = r.evacuation.population
        row["evacuation_hours"] = "" if r.evacuation.hours is None else round(r.evacuation.hours, 2)
        row["events"] = " | ".join(events_text(r).splitlines())
        rows.append({k: spreadsheet_safe(v) for k, v in row.items()})
    return rows


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula (it starts with ``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return: scenario text is untrusted) prefixed with
    ``'``, as OWASP advises for CSV; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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
    t.add_column("exits reachable (fastest)", min_width=18)
    t.add_column("min cut: roads", min_width=14)
    t.add_column("persons/h", justify="right", no_wrap=True)
    t.add_column("evacuation", justify="right", no_wrap=True)
    t.add_column("events of the day (actor: what; confidence, source)", ratio=2, min_width=24)
    prev = None
    for r in reports:
        flipped = prev is not None and prev != r.status
        colour = "green" if r.status == "open" else "red"
        status = Text(r.status.upper(), style=f"bold {colour}" + (" reverse" if flipped else ""))
        exits = Text()
        for i, x in enumerate(r.reach.exits):
            if i:
                exits.append("\n")
            if x.reachable:
                exits.append(f"✔ {x.name} ({fmt_duration(x.travel_time_s)})", style="green")
            else:
                exits.append(f"✘ {x.name}", style="red")
        cut = f"{r.min_cut.count}: " + "; ".join(_cut_roads(r, network)) if r.min_cut.count else "0"
        if len(r.critical):
            cut += f"\n({len(r.critical)} critical)"
        t.add_row(
            Text(r.date or "(undated)", style="bold" if flipped else ""),
            status,
            exits,
            cut,
            f"{r.flow.value_pph:,}",
            fmt_hours(r.evacuation.hours),
            events_text(r) or "(start of the timeline)",
        )
        prev = r.status
    return t


def first_difference(a: list[CorridorReport], b: list[CorridorReport]) -> str | None:
    """The first date where status, reachable exits, cut size or capacity differ."""
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
    for n in names:
        t.add_column(f"{n}: status / exits", ratio=2)
        t.add_column("cut", justify="right")
        t.add_column("persons/h", justify="right")
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
        t.add_row(*cells)
    return t


def timeline_warnings(reports: list[CorridorReport]) -> list[InputWarning]:
    """The warnings of a replay, once each (the first date that raised it), in order."""
    seen: dict[tuple[str, str], InputWarning] = {}
    for r in reports:
        for w in r.warnings:
            seen.setdefault((w.code, w.id), w)
    return list(seen.values())
