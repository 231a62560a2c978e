"""Hypothesis properties of the timeline engine (pure model, no files).

The scenarios are built as objects, not written and parsed as YAML: the loader has its own tests
(``tests/test_scenario.py``), and a YAML round trip per example would cost more than the
property itself.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import shapely
from hypothesis import given
from hypothesis import strategies as st

from corridor.model.areas import Area
from corridor.model.scenario import Actor, Event, MoverProfile, Plan, Scenario, Side, Zone
from corridor.model.situation import Closure
from corridor.model.timeline import change_dates, situation_at, state_at, timeline_events
from corridor.testing import network_from_segments

START = dt.date(2020, 1, 1)
# a chain of five two-way roads: origin at node 0, exit at node 5
COORDS = [(0.01 * i, 0.0) for i in range(6)]
NET = network_from_segments(COORDS, [(i, i + 1) for i in range(5)])
ORIGIN = Area("O", point=(0.0, 0.0), radius_m=100)
EXIT = Area("X", point=(0.05, 0.0), radius_m=100)
WAYS = [1, 2, 3, 4, 5]

days = st.integers(min_value=0, max_value=30).map(lambda d: START + dt.timedelta(days=d))


@st.composite
def close_reopen_events(draw: st.DrawFn) -> list[Event]:
    n = draw(st.integers(min_value=0, max_value=8))
    events: list[Event] = []
    for i in range(n):
        day = draw(days)
        if events and draw(st.booleans()):
            target = draw(st.sampled_from([e.id for e in events if e.kind == "close"] or ["none"]))
            events.append(Event(id=f"e{i}", date=day, kind="reopen", reopens=target))
        else:
            way = draw(st.sampled_from(WAYS))
            events.append(Event(id=f"e{i}", date=day, kind="close", closure=Closure(ways=(way,))))
    return events


def scenario(
    events: list[Event], zones: tuple[Zone, ...] = (), plans: dict | None = None
) -> Scenario:
    return Scenario(
        name="chain",
        network_path="",
        network_kind="geojson",
        mover="m",
        origin=ORIGIN,
        exits=(EXIT,),
        start=START,
        events=tuple(events),
        zones=zones,
        plans=plans or {},
        sides={"red": Side("red", "Red"), "blue": Side("blue", "Blue")},
        actors={"red": Actor("red", "Red", "red")},
        movers={"m": MoverProfile(id="m", name="m", base=NET.mover, blocked_by=frozenset({"red"}))},
    )


def closed_ways_by_hand(events: list[Event], day: dt.date) -> set[int]:
    """An independent reading of the rules: events in (date, file order); a close adds its
    ways, a reopen undoes the closure of the event it names (if that is in force)."""
    active: dict[str, tuple[int, ...]] = {}
    order = sorted(range(len(events)), key=lambda i: (events[i].date, i))
    for i in order:
        e = events[i]
        if e.date > day:
            continue
        if e.kind == "close" and e.closure is not None:
            active[e.id] = e.closure.ways
        elif e.kind == "reopen" and e.reopens is not None:
            active.pop(e.reopens, None)
    return {w for ways in active.values() for w in ways}


@given(events=close_reopen_events(), day=days)
def test_state_follows_event_order_and_reopenings(events: list[Event], day: dt.date) -> None:
    sc = scenario(events)
    situation, _ = situation_at(sc, NET, day, mover="m")
    closed_ways = set(np.unique(NET.way_id[~situation.open]).tolist())
    assert closed_ways == closed_ways_by_hand(events, day)


@given(ops=st.lists(st.tuples(st.sampled_from(WAYS), st.booleans()), min_size=1, max_size=8))
def test_reopening_restores_the_earlier_state(ops: list[tuple[int, bool]]) -> None:
    """Close random ways on successive days, reopen some by event id later: the mask after the
    reopenings equals the mask of a timeline where those closures never happened, and until
    then closures only ever shrink the open set."""
    events: list[Event] = []
    reopened: set[str] = set()
    for i, (way, reopen) in enumerate(ops):
        closure = Closure(ways=(way,))
        events.append(
            Event(id=f"c{i}", date=START + dt.timedelta(days=1 + i), kind="close", closure=closure)
        )
        if reopen:
            events.append(
                Event(id=f"r{i}", date=dt.date(2020, 1, 25), kind="reopen", reopens=f"c{i}")
            )
            reopened.add(f"c{i}")
    without = [e for e in events if e.kind == "close" and e.id not in reopened]
    day = dt.date(2020, 1, 26)
    after, _ = situation_at(scenario(events), NET, day, mover="m")
    expected, _ = situation_at(scenario(without), NET, day, mover="m")
    assert np.array_equal(after.open, expected.open), (
        f"reopening {sorted(reopened)} did not restore the state without those closures"
    )
    sc = scenario(events)
    masks = [
        situation_at(sc, NET, START + dt.timedelta(days=d), mover="m")[0].open
        for d in range(1 + len(ops))
    ]
    for d, (a, b) in enumerate(itertools.pairwise(masks), start=1):
        assert not (b & ~a).any(), f"a closure reopened an edge on day {d}"


@given(events=close_reopen_events(), perm=st.randoms(use_true_random=False))
def test_file_order_matters_only_within_a_day(events: list[Event], perm) -> None:  # type: ignore[no-untyped-def]
    """Shuffling events keeps the state on every day as long as each day's events keep their
    relative order."""
    by_day: dict[dt.date, list[Event]] = {}
    for e in events:
        by_day.setdefault(e.date, []).append(e)
    groups = list(by_day.values())
    perm.shuffle(groups)
    shuffled = [e for g in groups for e in g]
    for d in sorted({e.date for e in events} | {START}):
        a, _ = situation_at(scenario(events), NET, d, mover="m")
        b, _ = situation_at(scenario(shuffled), NET, d, mover="m")
        assert np.array_equal(a.open, b.open), d


@given(start=days, length=st.integers(min_value=1, max_value=20), day=days)
def test_zone_holds_over_its_interval(start: dt.date, length: int, day: dt.date) -> None:
    end = start + dt.timedelta(days=length)
    box = shapely.box(0.015, -0.01, 0.035, 0.01)  # covers the midpoints of roads 2 and 3
    zone = Zone("z", "red", box, start=start, end=end)
    sc = scenario([], zones=(zone,))
    situation, state = situation_at(sc, NET, day, mover="m")
    active = start <= day < end
    assert (len(state.zones) == 1) == active
    assert (not situation.open.all()) == active
    assert {start, end} <= set(change_dates(sc)) or end > START + dt.timedelta(days=365)


@given(events=close_reopen_events(), plan_start=days, data=st.data())
def test_plan_drops_from_its_start_and_adds(events: list[Event], plan_start: dt.date, data) -> None:  # type: ignore[no-untyped-def]
    ids = [e.id for e in events]
    drop = data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([]))
    add_day = data.draw(days)
    added = Event(id="p1", date=add_day, kind="close", closure=Closure(ways=(3,)), plan="p")
    plan = Plan("p", "p", plan_start, drop=tuple(drop), add=(added,))
    sc = scenario(events, plans={"p": plan})
    got = [e.id for e in timeline_events(sc, "p")]
    kept = [e for e in events if not (e.id in drop and e.date >= plan_start)]
    want = [e.id for e in sorted([*kept, added], key=lambda e: (e.date, ([*kept, added]).index(e)))]
    assert got == want
    # before the plan starts (and before its own events), the plan changes nothing
    for d in range(30):
        day = START + dt.timedelta(days=d)
        if day >= min(plan_start, add_day):
            break
        a = state_at(sc, day, mover="m", plan="p")
        b = state_at(sc, day, mover="m")
        assert [e.id for e in a.applied] == [e.id for e in b.applied]
