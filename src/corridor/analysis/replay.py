"""Replaying a scenario's timeline: one report per date where something changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np

from corridor.analysis.report import CorridorReport, analyze
from corridor.errors import AreaError
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.situation import Closure, Situation, closure_edge_mask
from corridor.model.timeline import (
    State,
    change_dates,
    change_days,
    first_date,
    situation_at,
)


def _situation(
    scenario: Scenario,
    network_for: Callable[[Mover], RoadNetwork],
    day: dt.date,
    mover: str | None,
    plan: str | None,
) -> tuple[Situation, State]:
    profile = scenario.mover_profile(mover)
    try:
        return situation_at(scenario, network_for(profile.base), day, mover=profile.id, plan=plan)
    except AreaError as exc:
        key = exc.key if profile.exits is None else None
        where = scenario.where(key) if scenario.path else "scenario"
        mover_note = f" (mover {profile.id})" if profile.exits is not None else ""
        raise AreaError(f"{where}: {exc}{mover_note}", key=exc.key) from None


def _dated(scenario: Scenario, day: dt.date | None) -> bool:
    return day is not None or scenario.start is not None or bool(scenario.events)


def _with_day(
    report: CorridorReport, situation: Situation, state: State, plan: str | None, label: str | None
) -> CorridorReport:
    """The report's analysis for another date with the same open roads and population."""
    return replace(
        report,
        date=label,
        situation=situation,
        extra={
            **report.extra,
            "plan": plan,
            "events": [_event_json(e) for e in state.events_today],
        },
    )


def _analysed(
    scenario: Scenario,
    situation: Situation,
    state: State,
    *,
    mover: str,
    plan: str | None,
    label: str | None,
    k: int,
    population: int | None,
) -> CorridorReport:
    """Every analysis of one situation, labelled with its date, plan and the day's events."""
    report = analyze(
        situation,
        scenario=scenario.name,
        date=label,
        mover=mover,
        k=k,
        population=state.population if population is None else population,
    )
    report.extra["plan"] = plan
    report.extra["events"] = [_event_json(e) for e in state.events_today]
    return report


def report_at(
    scenario: Scenario,
    network_for: Callable[[Mover], RoadNetwork],
    day: dt.date | None,
    *,
    mover: str | None = None,
    plan: str | None = None,
    k: int = 2,
    population: int | None = None,
    what_if: Sequence[Closure] = (),
) -> CorridorReport:
    """The full report for ``mover`` at ``day`` (None: the scenario's first date).

    ``what_if`` closures are applied on top of the situation (a hypothetical road cut); the
    report lists them under ``what_if``.
    """
    profile = scenario.mover_profile(mover)
    label_day = _dated(scenario, day)
    day = day or first_date(scenario, plan)
    situation, state = _situation(scenario, network_for, day, profile.id, plan)
    for c in what_if:
        situation = situation.with_closed(
            np.flatnonzero(closure_edge_mask(situation.network, c)),
            reason=f"what-if: {c.describe()}",
        )
    report = _analysed(
        scenario,
        situation,
        state,
        mover=profile.id,
        plan=plan,
        label=day.isoformat() if label_day else None,
        k=k,
        population=population,
    )
    if what_if:
        report.extra["what_if"] = [c.describe() for c in what_if]
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

    Only dates that change the open roads or the population are analysed. A date on which no
    event happens and no zone begins or ends since the date before takes that date's report
    as it is (with its own date); a date whose changes leave the open roads and the population
    as they were (say, an event for another mover, or a closure of a road already inside a
    hostile zone) reuses the analysis, with its own events.
    ``on_report(done, total)`` is called after each report (for progress bars).
    """
    profile = scenario.mover_profile(mover)
    # a scenario without a start or events has no dates: its single report is undated
    labelled = dates is not None or _dated(scenario, None)
    days = list(dates) if dates is not None else change_dates(scenario, plan)
    changes = np.array(sorted(change_days(scenario, plan)), dtype="datetime64[D]")
    reports: list[CorridorReport] = []
    previous: tuple[bytes, int] | None = None
    last_day: dt.date | None = None
    for i, d in enumerate(days):
        label = d.isoformat() if labelled else None
        if (
            reports
            and last_day is not None
            and last_day <= d
            and not _any_between(changes, last_day, d)
        ):  # nothing happens in between: the same report, another date
            reports.append(
                replace(reports[-1], date=label, extra={**reports[-1].extra, "events": []})
            )
        else:
            situation, state = _situation(scenario, network_for, d, profile.id, plan)
            pop = state.population if population is None else population
            key = (np.packbits(situation.open).tobytes(), pop)
            if reports and key == previous:  # changes that change no road for this mover
                reports.append(_with_day(reports[-1], situation, state, plan, label))
            else:
                reports.append(
                    _analysed(
                        scenario,
                        situation,
                        state,
                        mover=profile.id,
                        plan=plan,
                        label=label,
                        k=k,
                        population=pop,
                    )
                )
            previous = key
        last_day = d
        if on_report is not None:
            on_report(i + 1, len(days))
    return reports


def _any_between(changes: np.ndarray, after: dt.date, upto: dt.date) -> bool:
    """Whether a change day lies in (after, upto]."""
    lo = np.searchsorted(changes, np.datetime64(after, "D"), side="right")
    hi = np.searchsorted(changes, np.datetime64(upto, "D"), side="right")
    return bool(hi > lo)


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
