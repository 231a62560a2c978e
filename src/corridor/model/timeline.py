"""The timeline engine: the situation at any date, the dates where anything changes, and plans.

Pure functions over a :class:`Scenario`, and the one place that says what holds at a date:
every output (text, JSON, map, charts) reads :func:`state_at` instead of re-deriving it. Events apply in order of (date, time, file order), so a
later event wins; zones hold over their validity interval and zone events pass an area to an
actor from their date. A plan drops events (by id) from its start date on and adds its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from corridor.errors import ScenarioError, UnknownIdError
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Checkpoint, Event, Scenario, Source, Zone
from corridor.model.situation import (
    Closure,
    Restriction,
    Situation,
    ZoneRule,
    build_situation,
    restricted_network,
)


def timeline_events(scenario: Scenario, plan: str | None = None) -> tuple[Event, ...]:
    """The events of what happened, or of a plan applied on top of it, in order."""
    events = list(scenario.events)
    if plan is not None:
        if plan not in scenario.plans:
            known = ", ".join(sorted(scenario.plans)) or "none"
            msg = f"plan {plan!r} does not exist in scenario {scenario.name!r}; plans: {known}"
            raise UnknownIdError(msg)
        p = scenario.plans[plan]
        dropped = set(p.drop)
        events = [e for e in events if not (e.id in dropped and e.date >= p.start)]
        events.extend(p.add)
    order = {id(e): i for i, e in enumerate(events)}
    return tuple(sorted(events, key=lambda e: (e.date, e.time or "", order[id(e)])))


def in_window(day: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    """Whether ``day`` lies in the window from ``start`` to ``end``, both inclusive (None: open
    on that side). The one date-window rule: the CLI's ``--at``, the server's ``date``, the
    candidates an import or an extract keeps.

    Examples
    --------
    >>> in_window(dt.date(2016, 11, 3), dt.date(2016, 10, 17), None)
    True
    >>> in_window(dt.date(2016, 10, 1), dt.date(2016, 10, 17), dt.date(2017, 7, 9))
    False
    """
    return (start is None or day >= start) and (end is None or day <= end)


def check_window(scenario: Scenario, day: dt.date | None, *, what: str = "date") -> None:
    """Refuse (:class:`~corridor.errors.ScenarioError`) a ``day`` outside the scenario's start
    and end (either may be open); ``what`` names it in the message (``--at``, ``date``).

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> check_window(bundled()[0], dt.date(1999, 1, 1), what="--at")
    Traceback (most recent call last):
    ...
    corridor.errors.ScenarioError: --at 1999-01-01 is outside the scenario's window 2016-10-17 to 2017-03-15
    """
    if day is not None and not in_window(day, scenario.start, scenario.end):
        start, end = scenario.start, scenario.end
        msg = f"{what} {day} is outside the scenario's window {start or '…'} to {end or '…'}"
        raise ScenarioError(msg)


def first_date(scenario: Scenario, plan: str | None = None) -> dt.date:
    if scenario.start is not None:
        return scenario.start
    dates = [e.date for e in timeline_events(scenario, plan)]
    dates += [z.start for z in scenario.zones if z.start is not None]
    return min(dates) if dates else dt.date.today()


def change_days(scenario: Scenario, plan: str | None = None) -> set[dt.date]:
    """Every day on which an event happens or a zone begins or ends, whatever the window."""
    days = {e.date for e in timeline_events(scenario, plan)}
    for z in scenario.zones:
        days.update(d for d in (z.start, z.end) if d is not None)
    return days


def change_dates(scenario: Scenario, plan: str | None = None) -> list[dt.date]:
    """The scenario's first date and every later change day in its window, in order.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> change_dates(bundled()[0])[0].isoformat()
    '2016-10-17'
    """
    start = first_date(scenario, plan)
    end = scenario.end
    dates = change_days(scenario, plan) | {start}
    return sorted(d for d in dates if d >= start and (end is None or d <= end))


@dataclass(frozen=True)
class StateClosure:
    """A closure (or a reopening, ``closure.reopen``) in force at a date, with the event that
    made it (None for the scenario's standing closures) and its id (the event's, or
    ``closures[i]`` for the scenario's i-th standing closure)."""

    closure: Closure
    event: Event | None = None
    key: str = ""


@dataclass(frozen=True)
class HeldZone:
    """An area held at a date, and what says so: a scenario zone, or a zone event."""

    rule: ZoneRule
    actor: str | None
    since: dt.date | None
    until: dt.date | None
    zone: Zone | None = None
    event: Event | None = None

    @property
    def _source(self) -> Zone | Event:
        source = self.zone if self.zone is not None else self.event
        assert source is not None, "a held zone comes from a zone or an event"
        return source

    @property
    def id(self) -> str:
        """The zone's id, or the event's."""
        return self._source.id

    @property
    def confidence(self) -> float | None:
        return self._source.confidence

    @property
    def sources(self) -> tuple[Source, ...]:
        return self._source.sources

    @property
    def quote(self) -> str:
        return self.event.quote if self.event is not None else ""


@dataclass(frozen=True)
class State:
    """What holds at one date for one mover.

    ``closures``: the standing closures, then the closures and reopenings of the events so far,
    in the order they apply (a reopening by event removes that event's closure); ``zones``: the
    areas held, in the order they apply (a later one wins); ``population``: the people the mover
    counts; ``place_population``: each place's population at the date (population events
    applied); ``events_today``: the events of the date; ``applied``: every event so far.
    """

    date: dt.date
    closures: tuple[StateClosure, ...]
    zones: tuple[HeldZone, ...]
    population: int
    place_population: dict[str, int | None]
    events_today: tuple[Event, ...]
    applied: tuple[Event, ...]
    # the restrictions in force (kind restrict, not lifted by a reopen), the windows that
    # have a day from this date on (announced ones included: an evacuation runs over time), and
    # the checkpoints that exist at the date and are not closed
    restrictions: tuple[Event, ...] = ()
    windows: tuple[Event, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()
    # the checkpoints closed by a `close {checkpoint: id}` in force: nobody passes them, not even
    # in a window's hours (their roads are also among ``closures``)
    closed_checkpoints: tuple[Checkpoint, ...] = ()

    @property
    def restriction_rules(self) -> tuple[Restriction, ...]:
        """The restrictions, in order, as :func:`corridor.model.situation.restricted_network`
        takes them."""
        return tuple(
            Restriction(e.closure, e.capacity_factor, e.speed_factor)
            for e in self.restrictions
            if e.closure is not None
        )

    @property
    def closure_rules(self) -> tuple[Closure, ...]:
        """The closures, in order, as :func:`corridor.model.situation.build_situation` takes them."""
        return tuple(c.closure for c in self.closures)

    @property
    def zone_rules(self) -> tuple[ZoneRule, ...]:
        """The zones, in order, as :func:`corridor.model.situation.build_situation` takes them."""
        return tuple(z.rule for z in self.zones)


def state_at(
    scenario: Scenario, day: dt.date, *, mover: str | None = None, plan: str | None = None
) -> State:
    """What holds at ``day`` for ``mover`` (default: the scenario's) under ``plan``.

    Examples
    --------
    >>> import datetime as dt
    >>> from corridor.testing import bundled
    >>> sc, _ = bundled()
    >>> state = state_at(sc, dt.date(2016, 11, 3), mover="isis-fighters")
    >>> [e.id for e in state.events_today][:1]
    ['pmu-first-stage']
    """
    profile = scenario.mover_profile(mover)
    events = [
        e for e in timeline_events(scenario, plan) if e.date <= day and e.applies_to(profile.id)
    ]
    closures = [StateClosure(c, None, f"closures[{i}]") for i, c in enumerate(scenario.closures)]
    place_pop = {pid: p.population for pid, p in scenario.places.items()}
    zones: list[HeldZone] = []

    def blocks(actor: str | None) -> bool:
        a = scenario.actors.get(actor or "")
        return a is not None and a.side in profile.blocked_by

    for z in sorted(
        (z for z in scenario.zones if z.active(day)),
        key=lambda z: (z.start or dt.date.min, z.id),
    ):
        rule = ZoneRule(z.polygon, f"zone {z.id} ({z.actor})", blocks=blocks(z.actor))
        zones.append(HeldZone(rule, z.actor, z.start, z.end, zone=z))
    restrictions: list[Event] = []
    # a closed checkpoint lets nobody through: the roads through its area are closed for the
    # movers it applies to, by the event that closed it, until one reopens it
    closed_checkpoints: dict[str, Event] = {}
    for e in events:
        if e.kind == "restrict" and e.closure is not None:
            restrictions.append(e)
        elif e.checkpoint is not None and e.kind in ("close", "reopen"):
            if e.kind == "close":
                closed_checkpoints[e.checkpoint] = e
            else:
                closed_checkpoints.pop(e.checkpoint, None)
        elif e.kind == "close" and e.closure is not None:
            closures.append(StateClosure(e.closure, e, e.id))
        elif e.kind == "reopen":
            if e.reopens is not None:
                # undo that event's closure only; other closures of the same road stay
                closures = [c for c in closures if c.event is None or c.event.id != e.reopens]
                restrictions = [r for r in restrictions if r.id != e.reopens]
            elif e.closure is not None:
                closures.append(StateClosure(e.closure, e, e.id))
        elif e.kind == "zone" and e.zone is not None:
            label = f"event {e.id}: {e.actor} takes the area ({e.date})"
            zones.append(
                HeldZone(
                    ZoneRule(e.zone, label, blocks=blocks(e.actor)), e.actor, e.date, None, event=e
                )
            )
        elif e.kind == "population" and e.place is not None and e.value is not None:
            place_pop[e.place] = e.value
    shut_now: list[Checkpoint] = []
    for c in scenario.checkpoints:
        shut = closed_checkpoints.get(c.id)
        if shut is not None and c.active(day) and c.applies_to(profile.id):
            shut_now.append(c)
            label = f"checkpoint {c.name} closed (event {shut.id}, {shut.date})"
            closures.append(StateClosure(Closure(area=c.area, label=label), shut, shut.id))
    if profile.population is not None:
        population = profile.population
    elif profile.population_place is not None:
        population = int(place_pop.get(profile.population_place) or 0)
    elif scenario.population_place is not None:
        population = int(place_pop.get(scenario.population_place) or 0)
    else:
        population = scenario.population
    return State(
        date=day,
        closures=tuple(closures),
        zones=tuple(zones),
        population=population,
        place_population=place_pop,
        events_today=tuple(e for e in events if e.date == day),
        applied=tuple(events),
        restrictions=tuple(restrictions),
        windows=tuple(
            e
            for e in timeline_events(scenario, plan)
            if e.kind == "window"
            and e.applies_to(profile.id)
            and (e.until or e.date) >= day
            and e.closure is not None
        ),
        checkpoints=tuple(
            c
            for c in scenario.checkpoints
            if c.active(day) and c.applies_to(profile.id) and c.id not in closed_checkpoints
        ),
        closed_checkpoints=tuple(shut_now),
    )


def situation_at(
    scenario: Scenario,
    network: RoadNetwork,
    day: dt.date,
    *,
    mover: str | None = None,
    plan: str | None = None,
    adapted: bool = False,
) -> tuple[Situation, State]:
    """The situation for ``mover`` at ``day``, and the state it comes from.

    ``network`` is the mover's base network; with ``adapted=True`` it is already the mover's
    (:func:`corridor.analysis.replay.mover_network`), which a replay makes once for all its
    dates. The restrictions in force multiply the capacity and speed of the roads they cover
    (:func:`corridor.model.situation.restricted_network`); a mover with its own ``origin``
    leaves from there.
    """
    profile = scenario.mover_profile(mover)
    state = state_at(scenario, day, mover=profile.id, plan=plan)
    exits = profile.exits if profile.exits is not None else scenario.exits
    net = network if adapted else profile.adapt(network)
    situation = build_situation(
        restricted_network(net, state.restriction_rules),
        profile.origin if profile.origin is not None else scenario.origin,
        exits,
        closures=state.closure_rules,
        zones=state.zone_rules,
    )
    return situation, state
