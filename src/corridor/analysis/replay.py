"""Replaying a scenario's timeline: one report per date where something changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from corridor.analysis.report import CorridorReport, analyze
from corridor.errors import AreaError
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.timeline import change_dates, situation_at


def report_at(
    scenario: Scenario,
    network_for: Callable[[Mover], RoadNetwork],
    day: dt.date | None,
    *,
    mover: str | None = None,
    plan: str | None = None,
    k: int = 2,
    population: int | None = None,
) -> CorridorReport:
    """The full report for ``mover`` at ``day`` (None: the scenario's first date)."""
    from corridor.model.timeline import first_date

    profile = scenario.mover_profile(mover)
    dated = day is not None or scenario.start is not None or bool(scenario.events)
    day = day or first_date(scenario, plan)
    try:
        situation, state = situation_at(
            scenario, network_for(profile.base), day, mover=profile.id, plan=plan
        )
    except AreaError as exc:
        key = exc.key if profile.exits is None else None
        where = scenario.where(key) if scenario.path else "scenario"
        mover_note = f" (mover {profile.id})" if profile.exits is not None else ""
        raise AreaError(f"{where}: {exc}{mover_note}", key=exc.key) from None
    report = analyze(
        situation,
        scenario=scenario.name,
        date=day.isoformat() if dated else None,
        mover=profile.id,
        k=k,
        population=state.population if population is None else population,
    )
    report.extra["plan"] = plan
    report.extra["events"] = [_event_json(e) for e in state.events_today]
    return report


def replay(
    scenario: Scenario,
    network_for: Callable[[Mover], RoadNetwork],
    *,
    mover: str | None = None,
    plan: str | None = None,
    k: int = 0,
    population: int | None = None,
    dates: Iterable[dt.date] | None = None,
    on_report: Callable[[int, int], None] | None = None,
) -> list[CorridorReport]:
    """One report per change date (or per given date), in order.

    ``on_report(done, total)`` is called after each report (for progress bars).
    """
    days = list(dates) if dates is not None else change_dates(scenario, plan)
    reports = []
    for i, d in enumerate(days):
        reports.append(
            report_at(scenario, network_for, d, mover=mover, plan=plan, k=k, population=population)
        )
        if on_report is not None:
            on_report(i + 1, len(days))
    return reports


def _event_json(e: object) -> dict[str, object]:
    from corridor.model.scenario import Event

    assert isinstance(e, Event)
    return {
        "id": e.id,
        "date": e.date.isoformat(),
        "time": e.time,
        "actor": e.actor,
        "kind": e.kind,
        "what": e.what,
        "confidence": e.confidence,
        "plan": e.plan,
        "sources": [
            {"key": s.key, "outlet": s.outlet, "title": s.title, "date": s.date, "url": s.url}
            for s in e.sources
        ],
        "quote": e.quote,
        "notes": e.notes,
    }
