"""The timeline engine: the situation at any date, the dates where anything changes, and plans.

Pure functions over a :class:`Scenario`. Events apply in order of (date, time, file order), so a
later event wins; zones hold over their validity interval and zone events pass an area to an
actor from their date. A plan drops events (by id) from its start date on and adds its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from corridor.errors import UnknownIdError
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Event, MoverProfile, Scenario
from corridor.model.situation import Closure, Situation, ZoneRule, build_situation


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
    """The scenario's first date and every later change day in its window, in order."""
    start = first_date(scenario, plan)
    end = scenario.end
    dates = change_days(scenario, plan) | {start}
    return sorted(d for d in dates if d >= start and (end is None or d <= end))


@dataclass(frozen=True)
class State:
    """What holds at one date for one mover: the closures in order, the zones, the population."""

    date: dt.date
    closures: tuple[Closure, ...]
    zones: tuple[ZoneRule, ...]
    population: int
    events_today: tuple[Event, ...]
    applied: tuple[Event, ...]


def state_at(
    scenario: Scenario, day: dt.date, *, mover: str | None = None, plan: str | None = None
) -> State:
    profile = scenario.mover_profile(mover)
    events = [e for e in timeline_events(scenario, plan) if e.date <= day]
    closures: list[Closure] = list(scenario.closures)
    population = scenario.population
    place_pop = {pid: p.population for pid, p in scenario.places.items()}
    zone_rules: list[ZoneRule] = []

    def side_of(actor: str | None) -> str | None:
        a = scenario.actors.get(actor or "")
        return a.side if a else None

    for z in sorted(
        (z for z in scenario.zones if z.active(day)),
        key=lambda z: (z.start or dt.date.min, z.id),
    ):
        side = side_of(z.actor)
        zone_rules.append(
            ZoneRule(
                z.polygon,
                f"zone {z.id} ({z.actor})",
                blocks=side is not None and side in profile.blocked_by,
            )
        )
    closed_by_event: dict[str, Closure] = {}
    for e in events:
        if not e.applies_to(profile.id):
            continue
        if e.kind == "close" and e.closure is not None:
            closures.append(e.closure)
            closed_by_event[e.id] = e.closure
        elif e.kind == "reopen":
            if e.reopens is not None:
                # undo that event's closure only; other closures of the same road stay
                undone = closed_by_event.pop(e.reopens, None)
                if undone is not None:
                    closures = [c for c in closures if c is not undone]
            elif e.closure is not None:
                closures.append(e.closure)
        elif e.kind == "zone" and e.zone is not None:
            side = side_of(e.actor)
            zone_rules.append(
                ZoneRule(
                    e.zone,
                    f"event {e.id}: {e.actor} takes the area ({e.date})",
                    blocks=side is not None and side in profile.blocked_by,
                )
            )
        elif e.kind == "population" and e.place is not None and e.value is not None:
            place_pop[e.place] = e.value
    if profile.population is not None:
        population = profile.population
    elif profile.population_place is not None:
        population = int(place_pop.get(profile.population_place) or 0)
    elif scenario.population_place is not None:
        population = int(place_pop.get(scenario.population_place) or 0)
    return State(
        date=day,
        closures=tuple(closures),
        zones=tuple(zone_rules),
        population=population,
        events_today=tuple(e for e in events if e.date == day and e.applies_to(profile.id)),
        applied=tuple(events),
    )


@lru_cache(maxsize=16)
def _adapted(profile: MoverProfile, network: RoadNetwork) -> RoadNetwork:
    """The mover's network, made once per (mover, network): the same object every date, so
    what is derived from it (chains, searches) is reused across a replay."""
    return profile.adapt(network)


def situation_at(
    scenario: Scenario,
    network: RoadNetwork,
    day: dt.date,
    *,
    mover: str | None = None,
    plan: str | None = None,
) -> tuple[Situation, State]:
    """The situation for ``mover`` at ``day`` (network: the mover's base network, adapted)."""
    profile = scenario.mover_profile(mover)
    state = state_at(scenario, day, mover=profile.id, plan=plan)
    exits = profile.exits if profile.exits is not None else scenario.exits
    situation = build_situation(
        _adapted(profile, network),
        scenario.origin,
        exits,
        closures=state.closures,
        zones=state.zones,
    )
    return situation, state
