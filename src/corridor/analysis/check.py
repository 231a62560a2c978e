"""A scenario against its network: what only the network can tell (``corridor scenario check``).

``corridor scenario validate`` checks the file; this checks, for every mover and every date where
something changes, what the file alone cannot say:

* closures, reopenings and events that close nothing (with the nearest road), zones that hold no
  road (:mod:`corridor.analysis.bindings`);
* places and exits farther than their radius from any road of a mover (with the distance);
* exits unreachable even with nothing closed, and the first reason found (the mover's network
  drops roads that another mover's keeps, or no road links them at all);
* exits that cars reach with nothing closed but people on foot cannot (the ``walkers`` network:
  footpaths and main roads, no motorways): an evacuation on foot has no way out there;
* events after the scenario's end; two closures of the same road on the same day.

Each finding names the scenario key it is about (``events[3]``, ``places[0]``), which the caller
turns into ``file:line``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from corridor.analysis.bindings import CLOSES_NOTHING, REOPENS_NOTHING, nearest_road, road_text
from corridor.analysis.replay import NetworkFor, bound
from corridor.analysis.routes import reach
from corridor.errors import AreaError
from corridor.model.areas import ZONE_HOLD_TOLERANCE_M, Area, zone_hold
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.situation import build_situation, closure_edge_mask
from corridor.model.timeline import change_dates, situation_at


@dataclass(frozen=True)
class Finding:
    """Something the network says about a scenario: a stable ``code``, the scenario ``key`` it is
    about (for ``file:line``), the mover and date where it shows, and a message."""

    code: str
    key: str
    message: str
    mover: str = ""
    date: str = ""


def _keys(scenario: Scenario) -> dict[str, str]:
    """Scenario key of every id: events, places, zones, plans' events."""
    keys = {e.id: f"events[{i}]" for i, e in enumerate(scenario.events)}
    keys.update({p: f"places[{i}]" for i, p in enumerate(scenario.places)})
    keys.update({z.id: f"zones[{i}]" for i, z in enumerate(scenario.zones)})
    for pid, plan in scenario.plans.items():
        j = list(scenario.plans).index(pid)
        keys.update({e.id: f"plans[{j}].add[{k}]" for k, e in enumerate(plan.add)})
    return keys


def _movers(scenario: Scenario) -> list[str]:
    return list(scenario.movers) or [scenario.mover]


def check_scenario(
    scenario: Scenario,
    network_for: NetworkFor,
    *,
    on_mover: Callable[[str], None] | None = None,
    network_notes: Callable[[RoadNetwork], list[str]] = lambda net: [],
) -> list[Finding]:
    """Every finding for every mover and every date where something changes (what happened and
    every plan), once each, in order. ``network_notes`` says what the network's file made the
    loader drop or clamp (:func:`corridor.network.ways.network_warnings`)."""
    keys = _keys(scenario)
    found: dict[tuple[str, str], Finding] = {}
    binds: set[str] = set()  # closures that close something for some mover

    def add(f: Finding) -> None:
        found.setdefault((f.code, f.key), f)

    for f in _window(scenario, keys):
        add(f)
    for f in _empty_zones(scenario, network_for, keys):
        add(f)
    for f in walkers_cut_off(scenario, network_for):
        add(f)
    for mover in _movers(scenario):
        if on_mover is not None:
            on_mover(mover)
        profile = scenario.mover_profile(mover)
        net = profile.adapted_network(network_for)
        for line in network_notes(net):
            add(Finding("network-file", "network", line, mover))
        for f in _places(scenario, net, mover):
            add(f)
        for f in _reach(scenario, network_for, net, mover):
            add(f)
        for plan in (None, *scenario.plans):
            for day in change_dates(scenario, plan):
                try:
                    situation, state = situation_at(
                        scenario, net, day, mover=mover, plan=plan, adapted=True
                    )
                except AreaError as exc:  # the origin or an exit holds no road node
                    key = exc.key or "origin"
                    if ("place-off-network", key) not in found:  # said once, not twice
                        add(Finding("area-off-network", key, str(exc), mover))
                    break
                b = bound(situation, state)
                binds.update(c.id for c in b["closures"] if c.edges_covered)
                for w in b["warnings"]:
                    add(Finding(w.code, keys.get(w.id, w.id), w.message, mover, day.isoformat()))
                for f in _same_road_same_day(scenario, net, state.events_today, keys, mover):
                    add(f)
    # a closure of a road only some movers use (a desert track, for cars) is no finding
    closing = {keys.get(i, i) for i in binds}
    return [
        f
        for f in found.values()
        if not (f.code in (CLOSES_NOTHING, REOPENS_NOTHING) and f.key in closing)
    ]


WALKERS_CUT_OFF = "exit-unreachable-on-foot"


def walkers_cut_off(scenario: Scenario, network_for: NetworkFor) -> list[Finding]:
    """The scenario's exits that the car network reaches from the origin with nothing closed
    and the ``walkers`` network (evacuation on foot) does not: people who must walk cannot leave
    that way, whatever the cars' numbers say."""
    car_net, walk_net = network_for(Mover.CAR), network_for(Mover.WALKERS)
    if not (_holds_road(car_net, scenario.origin) and _holds_road(walk_net, scenario.origin)):
        return []  # the origin holds no road: "place-off-network" says so

    def reached(net: RoadNetwork, exit_: Area) -> bool:
        try:  # an exit that holds no node of the network is out of its movers' reach
            situation = build_situation(net, scenario.origin, [exit_])
        except (ValueError, LookupError):
            return False
        return reach(situation).status == "open"

    out = []
    for i, exit_ in enumerate(scenario.exits):
        if reached(car_net, exit_) and not reached(walk_net, exit_):
            out.append(
                Finding(
                    WALKERS_CUT_OFF,
                    f"exits[{i}]",
                    f"{exit_.name!r} is reached by car from {scenario.origin.name!r} with nothing "
                    "closed, but not on foot: no footpath or main road of the walkers network "
                    "(trunk and primary roads walked whatever their foot tag; no motorways) leads "
                    "there, so people leaving on foot have no way out to it; check the roads near "
                    "the exit, or give walkers an exit of their own",
                    Mover.WALKERS.value,
                )
            )
    return out


def _holds_road(net: RoadNetwork, area: Area) -> bool:
    return net.n_edges > 0 and bool(area.edge_mask(net).any())


def _window(scenario: Scenario, keys: dict[str, str]) -> list[Finding]:
    if scenario.end is None:
        return []
    return [
        Finding(
            "event-after-end",
            keys.get(e.id, e.id),
            f"event {e.id} on {e.date} is after the scenario's end {scenario.end}; no report "
            "shows it: move the event or the end",
        )
        for e in scenario.events
        if e.date > scenario.end
    ]


def _empty_zones(
    scenario: Scenario, network_for: NetworkFor, keys: dict[str, str]
) -> list[Finding]:
    """Zones (and areas taken by zone events) that hold no road of any mover: they change
    nothing, and are probably misplaced."""
    net = network_for(Mover.ALL)  # every highway way: any mover's roads are among them
    zones = [(z.id, f"zone {z.id}", z.polygon) for z in scenario.zones]
    events = [*scenario.events, *(e for p in scenario.plans.values() for e in p.add)]
    zones += [(e.id, f"event {e.id}", e.zone) for e in events if e.zone is not None]
    out = []
    for zid, label, polygon in zones:
        if len(zone_hold(net, polygon).edges) == 0:
            out.append(
                Finding(
                    "zone-holds-no-road",
                    keys.get(zid, zid),
                    f"{label} holds no road of any mover (no road runs more than "
                    f"{ZONE_HOLD_TOLERANCE_M:.0f} m inside it): "
                    "it changes nothing; check its coordinates ([lon, lat])",
                )
            )
    return out


def _places(scenario: Scenario, net: RoadNetwork, mover: str) -> list[Finding]:
    """The origin and the mover's exits when no road of the mover's network reaches into them
    (places only named on the map need no road)."""
    out = []
    profile = scenario.mover_profile(mover)
    exits = profile.exits if profile.exits is not None else scenario.exits
    areas = [("origin", scenario.origin), *((f"exits[{i}]", a) for i, a in enumerate(exits))]
    for key, area in areas:
        if net.n_edges == 0 or area.edge_mask(net).any():
            continue
        lon, lat = area.representative
        road = nearest_road(net, lon, lat)
        size = f"radius {area.radius_m:,.0f} m" if area.point is not None else "its polygon"
        where = f"; the nearest road is {road_text(road)}" if road is not None else ""
        out.append(
            Finding(
                "place-off-network",
                key,
                f"{area.name!r} ({size}) touches no road of the {net.mover.value} network{where}; "
                "enlarge radius_m or move the point onto a road",
                mover,
            )
        )
    return out


def _reach(
    scenario: Scenario, network_for: NetworkFor, net: RoadNetwork, mover: str
) -> list[Finding]:
    """Exits the origin cannot reach even with nothing closed, and the first reason found."""
    profile = scenario.mover_profile(mover)
    exits = profile.exits if profile.exits is not None else scenario.exits
    try:
        open_all = build_situation(net, scenario.origin, exits)
    except (ValueError, LookupError):
        return []  # no node in the origin or an exit: the report says so as an error
    out = []
    unreached = [x for x in reach(open_all).exits if not x.reachable]
    for x in unreached:
        i = [a.name for a in exits].index(x.name)
        reason = _why_unreached(scenario, network_for, profile.base, i, exits)
        out.append(
            Finding(
                "exit-unreachable-when-open",
                f"exits[{i}]",
                f"{x.name!r} cannot be reached from {scenario.origin.name!r} by {mover} even "
                f"with nothing closed: {reason}",
                mover,
            )
        )
    return out


def _why_unreached(
    scenario: Scenario, network_for: NetworkFor, base: Mover, i: int, exits: tuple[Area, ...]
) -> str:
    """The first reason an exit is unreachable on an open network: another mover's network
    reaches it (so this one's filter or one-way streets cut it off), or none does."""
    for other in (Mover.ALL, Mover.FOOT, Mover.CAR, Mover.OFFROAD):
        if other is base:
            continue
        try:
            s = build_situation(network_for(other), scenario.origin, [exits[i]])
        except (ValueError, LookupError):
            continue
        if reach(s).status == "open":
            why = "one-way streets or " if other is Mover.FOOT else ""
            return (
                f"the {other.value} network reaches it, so {why}the {base.value} network's "
                f"road filter (access tags, road classes) cut it off"
            )
    return "no mover's network links them: a missing link in the road data, or the exit lies on another road network"


def _same_road_same_day(
    scenario: Scenario,
    net: RoadNetwork,
    events: tuple,  # type: ignore[type-arg]
    keys: dict[str, str],
    mover: str,
) -> list[Finding]:
    """Two closures of the same road segments on the same day (a duplicate report?): for each
    closure, the first earlier one of the day sharing a segment with it. Linear in the closures:
    each segment remembers the first closure of the day that covers it."""
    closes = [e for e in events if e.kind == "close" and e.closure is not None]
    out = []
    first = np.full(net.n_edges, -1, dtype=np.int64)  # the first closure covering each edge
    seen: list[str] = []
    for e in closes:
        try:
            mask = closure_edge_mask(net, e.closure)
        except (ValueError, LookupError):
            continue
        edges = np.flatnonzero(mask)
        owners = first[edges]
        taken = owners >= 0
        if taken.any():
            j = int(owners[taken].min())  # the earliest closure sharing an edge
            common = int(edges[owners == j].min())  # their first common edge
            out.append(
                Finding(
                    "same-road-same-day",
                    keys.get(e.id, e.id),
                    f"events {seen[j]} and {e.id} both close {net.road_label(common)} "
                    f"on {e.date}: the same report twice? drop one, or give each its own date",
                    mover,
                    e.date.isoformat(),
                )
            )
        first[edges[~taken]] = len(seen)
        seen.append(e.id)
    return out
