"""Replaying a scenario's timeline: one report per date where something changes.

The timeline (:mod:`corridor.model.timeline`) says what holds at a date; this module turns that
into situations and reports. A replay adapts the mover's network once and builds what is built
once per network, origin and exits (:class:`corridor.analysis.prepared.Prepared`) once, for
every date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from corridor.analysis.bindings import closure_warning, zone_warnings
from corridor.analysis.pocket import with_populations
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.report import CorridorReport, analyze, closed_roads
from corridor.analysis.results import ClosureBinding, InputWarning, ZoneBinding
from corridor.analysis.timed import TimedEvacuation, timed_evacuation
from corridor.errors import AreaError, UnknownIdError
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import MoverProfile, Place, Scenario
from corridor.model.situation import Closure, Situation, closure_edge_mask
from corridor.model.timeline import (
    State,
    change_dates,
    change_days,
    first_date,
    situation_at,
    timeline_events,
)

NetworkFor = Callable[[Mover], RoadNetwork]
"""Gives a scenario's network for a base mover (see :class:`corridor.network.load.ScenarioNetworks`)."""


class MoverReplay:
    """One mover's replay: its network (adapted once) and its prepared structures; what
    :func:`report_at` and :func:`replay` build on, public for callers that keep one (the server)."""

    def __init__(self, scenario: Scenario, network_for: NetworkFor, mover: str | None) -> None:
        self.scenario = scenario
        self.network_for = network_for
        self.profile: MoverProfile = scenario.mover_profile(mover)
        self.network = self.profile.adapted_network(network_for)
        self.prepared: Prepared | None = None

    def situation(self, day: dt.date, plan: str | None) -> tuple[Situation, State]:
        scenario, profile = self.scenario, self.profile
        try:
            situation, state = situation_at(
                scenario, self.network, day, mover=profile.id, plan=plan, adapted=True
            )
        except AreaError as exc:
            key = exc.key if profile.exits is None else None
            where = scenario.where(key) if scenario.path else "scenario"
            mover_note = f" (mover {profile.id})" if profile.exits is not None else ""
            raise AreaError(f"{where}: {exc}{mover_note}", key=exc.key) from None
        return situation, state

    def with_what_ifs(
        self, situation: Situation, closures: Sequence[Closure], *, strict: bool = True
    ) -> tuple[Situation, list[tuple[Closure, int]]]:
        """``situation`` with the what-if ``closures`` closed on top, and the edges each
        covers (the one what-if applier: ``corridor analyze --close-way`` and the workbench).

        ``strict``: a way the mover's network lacks is an :class:`~corridor.errors.UnknownIdError`
        that names the mover and the networks that have it (the CLI's choice); otherwise it
        covers no edge and the report warns (``closure-closes-nothing``: the server's choice,
        where a click can name a way of another mover's network).
        """
        applied: list[tuple[Closure, int]] = []
        for c in closures:
            try:
                mask = closure_edge_mask(self.network, c)
            except UnknownIdError as exc:
                if strict:
                    raise self._not_here(c, exc) from exc
                mask = np.zeros(self.network.n_edges, dtype=bool)
            edges = np.flatnonzero(mask)
            situation = situation.with_closed(edges, reason=f"what-if: {c.describe()}")
            applied.append((c, len(edges)))
        return situation, applied

    def _not_here(self, closure: Closure, exc: UnknownIdError) -> UnknownIdError:
        """The error for a what-if way the mover's network lacks, naming the networks that
        have it."""
        if not closure.ways:
            return exc
        elsewhere = [
            m.value
            for m in Mover
            if m is not self.profile.base
            and np.isin(np.asarray(closure.ways), self.network_for(m).way_id).any()
        ]
        where = (
            f"it is in the {' and '.join(elsewhere)} network" + ("s" if len(elsewhere) > 1 else "")
            if elsewhere
            else "no mover's network has it: check the id"
        )
        msg = (
            f"--close-way {', '.join(map(str, closure.ways))}: not a road that mover "
            f"{self.profile.id!r} ({self.profile.base.value} network) can use; {where}"
        )
        return UnknownIdError(msg)

    def prepared_for(self, situation: Situation) -> Prepared:
        if self.prepared is None or not self.prepared.fits(situation):
            self.prepared = Prepared.of(situation)
        return self.prepared

    def analysed(
        self,
        situation: Situation,
        state: State,
        *,
        plan: str | None,
        label: str | None,
        k: int,
        population: int,
        what_if: Sequence[tuple[Closure, int]] = (),
        start: dt.time | None = None,
        work: SituationWork | None = None,
        previous: tuple[SituationWork, CorridorReport] | None = None,
    ) -> CorridorReport:
        """Every analysis of one situation, labelled with its date, plan, the day's events and
        how each closure and zone bound to the network (``what_if``: the closures applied on
        top, with the edges each covers); with the evacuation over time from ``start`` (default
        00:00) when the state has windows, checkpoints or restrictions, or ``start`` is given;
        ``work`` and ``previous`` as ``analyze`` takes them (the situation's shared work, which
        the evacuation over time shares too; an earlier one this situation only closes more
        roads of, with its report)."""
        prepared = self.prepared_for(situation)
        if work is None:
            work = SituationWork(situation, prepared, None if previous is None else previous[0])
        report = analyze(
            situation,
            scenario=self.scenario.name,
            date=label,
            mover=self.profile.id,
            k=k,
            population=population,
            prepared=prepared,
            places=places_at(self.scenario, state),
            work=work,
            previous=previous,
        )
        binding = bound(situation, state, what_if)
        timed = None
        if start is not None or has_timed_inputs(state):
            timed = self.timed(situation, state, population, start or dt.time(), work=work)
            binding["warnings"] = (*binding["warnings"], *timed.warnings)
        return replace(
            report,
            plan=plan,
            events=state.events_today,
            zone_changes=self.scenario.zone_changes(state.date),
            timed=timed,
            **binding,
        )

    def timed(
        self,
        situation: Situation,
        state: State,
        population: int,
        start: dt.time,
        *,
        work: SituationWork | None = None,
    ) -> TimedEvacuation:
        """The evacuation over time from ``start`` on the state's date (``work``: the
        situation's shared work, when the caller holds it)."""
        return timed_evacuation(
            work or SituationWork(situation, self.prepared_for(situation)),
            population,
            dt.datetime.combine(state.date, start),
            windows=state.windows,
            checkpoints=state.checkpoints,
            closed=state.closed_checkpoints,
        )


def has_timed_inputs(state: State) -> bool:
    """Whether the state has windows, checkpoints or restrictions (the evacuation over time is
    then part of every report)."""
    return bool(
        state.windows or state.checkpoints or state.closed_checkpoints or state.restrictions
    )


def places_at(scenario: Scenario, state: State) -> list[Place]:
    """The scenario's places with their populations at the state's date."""
    return [
        replace(p, population=state.place_population.get(pid, p.population))
        for pid, p in scenario.places.items()
    ]


def bound(
    situation: Situation, state: State, what_if: Sequence[tuple[Closure, int]] = ()
) -> dict[str, Any]:
    """How each closure, what-if and zone of ``state`` bound to ``situation``'s network, and
    the warnings for those that bind to nothing (the report's ``closures``, ``zones``,
    ``what_if`` and ``warnings``)."""
    net = situation.network
    closures = [
        ClosureBinding(
            label=c.closure.describe(),
            event=c.event.id if c.event is not None else None,
            reopen=c.closure.reopen,
            edges_covered=hits,
            edges_closed=kept,
            id=c.key,
            note=note,
        )
        for c, hits, kept, note in zip(
            state.closures,
            situation.closure_hits,
            situation.closure_edges,
            situation.closure_notes,
            strict=True,
        )
    ]
    rules = [c.closure for c in state.closures]
    for i, (c, covered) in enumerate(what_if):
        label = f"what-if closure {c.describe()}"
        closures.append(ClosureBinding(label, None, False, covered, covered, f"what-if[{i}]"))
        rules.append(c)
    zones = tuple(
        ZoneBinding(z.id, z.rule.label, edges, z.rule.blocks)
        for z, edges in zip(
            state.zones, situation.zone_edges or (0,) * len(state.zones), strict=True
        )
    )
    warnings: list[InputWarning] = [
        w
        for c, b in zip(rules, closures, strict=True)
        if (w := closure_warning(net, c, b)) is not None
    ]
    warnings += zone_warnings(net, zones, [z.rule.polygon for z in state.zones])
    return {
        "closures": tuple(closures),
        "zones": zones,
        "what_if": tuple(c.describe() for c, _ in what_if),
        "warnings": tuple(warnings),
    }


def _dated(scenario: Scenario, day: dt.date | None) -> bool:
    return day is not None or scenario.start is not None or bool(scenario.events)


def report_at(
    scenario: Scenario,
    network_for: NetworkFor,
    day: dt.date | None,
    *,
    mover: str | None = None,
    plan: str | None = None,
    k: int = 2,
    population: int | None = None,
    what_if: Sequence[Closure] = (),
    start: dt.time | None = None,
) -> CorridorReport:
    """The full report for ``mover`` at ``day`` (None: the scenario's first date).

    ``start`` (or windows, checkpoints or restrictions in the scenario) adds the evacuation over
    time from that hour of the day (:mod:`corridor.analysis.timed`).

    ``what_if`` closures are applied on top of the situation (a hypothetical road cut); the
    report lists them under ``what_if``.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> report = report_at(sc, networks, dt.date(2016, 11, 3), mover="isis-fighters")
    >>> report.status, report.min_cut.count
    ('open', 1)
    """
    run = MoverReplay(scenario, network_for, mover)
    label_day = _dated(scenario, day)
    day = day or first_date(scenario, plan)
    situation, state = run.situation(day, plan)
    situation, applied = run.with_what_ifs(situation, what_if, strict=True)
    return run.analysed(
        situation,
        state,
        plan=plan,
        label=day.isoformat() if label_day else None,
        k=k,
        population=state.population if population is None else population,
        what_if=applied,
        start=start,
    )


def mover_network(
    scenario: Scenario, network_for: NetworkFor, mover: str | None = None
) -> RoadNetwork:
    """The network ``mover``'s reports index: its base network with its speed and capacity
    factors applied (what presenters need beside a report).

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> mover_network(sc, networks, "isis-fighters").mover.value
    'offroad'
    """
    return scenario.mover_profile(mover).adapted_network(network_for)


def replay(
    scenario: Scenario,
    network_for: NetworkFor,
    *,
    mover: str | None = None,
    plan: str | None = None,
    k: int = 0,
    population: int | None = None,
    dates: Iterable[dt.date] | None = None,
    on_report: Callable[[int, int], None] | None = None,
    start: dt.time | None = None,
) -> list[CorridorReport]:
    """One report per change date (or per given date), in order.

    Only dates that change the open roads or the population are analysed. A date on which no
    event happens and no zone begins or ends since the date before takes that date's report
    as it is (with its own date); a date whose changes leave the open roads and the population
    as they were (say, an event for another mover, or a closure of a road already inside a
    hostile zone) reuses the analysis, with its own events. With windows or checkpoints (or
    ``start``), every date is analysed, since the evacuation over time starts on it.
    ``on_report(done, total)`` is called after each report (for progress bars).

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> reports = replay(sc, networks, mover="isis-fighters")
    >>> [r.date for r in reports if r.status == "sealed"][:1]
    ['2017-02-28']
    """
    run = MoverReplay(scenario, network_for, mover)
    # a scenario without a start or events has no dates: its single report is undated
    labelled = dates is not None or _dated(scenario, None)
    days = list(dates) if dates is not None else change_dates(scenario, plan)
    changes = np.array(sorted(change_days(scenario, plan)), dtype="datetime64[D]")
    reports: list[CorridorReport] = []
    previous: tuple[bytes, int] | None = None
    last: tuple[SituationWork, CorridorReport] | None = None  # the last analysis made
    last_day: dt.date | None = None
    timed = (
        start is not None
        or bool(scenario.checkpoints)
        or any(e.kind in ("window", "restrict") for e in timeline_events(scenario, plan))
    )
    for i, d in enumerate(days):
        label = d.isoformat() if labelled else None
        if (
            reports
            and not timed
            and last_day is not None
            and last_day <= d
            and not _any_between(changes, last_day, d)
        ):  # nothing happens in between: the same report, another date
            reports.append(replace(reports[-1], date=label, events=(), zone_changes=()))
        else:
            situation, state = run.situation(d, plan)
            pop = state.population if population is None else population
            key = (np.packbits(situation.open).tobytes(), pop)
            if reports and key == previous and not timed:  # changes that change no road
                reports.append(
                    replace(
                        reports[-1],
                        date=label,
                        plan=plan,
                        events=state.events_today,
                        zone_changes=scenario.zone_changes(d),
                        closed=closed_roads(situation),
                        pocket=with_populations(reports[-1].pocket, state.place_population),
                        **bound(situation, state),
                    )
                )
            else:
                # the analysis before, when this date only closes more roads, lends what it
                # still answers (analyze's previous: routes, the cheapest flow)
                work = SituationWork(
                    situation, run.prepared_for(situation), None if last is None else last[0]
                )
                report = run.analysed(
                    situation,
                    state,
                    plan=plan,
                    label=label,
                    k=k,
                    population=pop,
                    start=start,
                    work=work,
                    previous=last,
                )
                reports.append(report)
                last = (work, report)
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
