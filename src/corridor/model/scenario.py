"""The scenario vocabulary: places, sides, actors, zones, movers, events and plans.

Pure data (no files): ``corridor.scenario.load`` reads YAML into these objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from shapely.geometry.base import BaseGeometry

from corridor.errors import UnknownIdError
from corridor.model.areas import Area
from corridor.model.network import Mover, RoadNetwork
from corridor.model.situation import Closure

EventKind = Literal["close", "reopen", "zone", "population", "window", "restrict"]
ExitKind = Literal["refuge", "waypoint"]
"""What reaching an exit means: ``refuge``, where movers are safe or out (the default), or
``waypoint``, a place on the way, itself inside the fighting."""
EXIT_KINDS: tuple[ExitKind, ...] = ("refuge", "waypoint")


@dataclass(frozen=True)
class Exit(Area):
    """An exit: an area to get out to, and its kind (``refuge`` or ``waypoint``).

    Examples
    --------
    >>> Exit("Tal Afar", point=(42.44, 36.37), radius_m=2500, kind="waypoint").kind
    'waypoint'
    """

    kind: ExitKind = "refuge"


def exit_kind(area: Area | None) -> ExitKind:
    """The kind of an exit's area: its own for an :class:`Exit`, else ``refuge``."""
    return area.kind if isinstance(area, Exit) else "refuge"


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: a key of the scenario's ``sources``, or inline text."""

    key: str = ""
    outlet: str = ""
    title: str = ""
    date: str = ""
    url: str = ""

    def short(self) -> str:
        bits = [b for b in (self.outlet, self.date) if b]
        text = ", ".join(bits) if bits else (self.title or self.url)
        return f"[{self.key}] {text}".strip() if self.key else text


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    area: Area
    aliases: tuple[str, ...] = ()
    population: int | None = None
    sources: tuple[Source, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Side:
    id: str
    name: str
    allies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    side: str
    aliases: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Zone:
    """The area an actor controls from ``start`` (inclusive) to ``end`` (exclusive, or open)."""

    id: str
    actor: str
    polygon: BaseGeometry
    start: dt.date | None = None
    end: dt.date | None = None
    sources: tuple[Source, ...] = ()
    confidence: float | None = None
    boundary_uncertainty_m: float = 0.0  # the polygon's edge may lie this far either way

    def active(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class ZoneChange:
    """A scenario zone that begins (its ``from`` date) or ends (its ``to`` date) on a date, with
    its actor's side (id and name, "" when unknown)."""

    zone: Zone
    change: Literal["begins", "ends"]
    side: str = ""
    side_name: str = ""

    @property
    def date(self) -> dt.date | None:
        return self.zone.start if self.change == "begins" else self.zone.end

    def what(self) -> str:
        """ "zone isis-west ends: isis (Islamic State) no longer holds it"."""
        who = self.zone.actor + (f" ({self.side_name})" if self.side_name else "")
        holds = "holds it" if self.change == "begins" else "no longer holds it"
        return f"zone {self.zone.id} {self.change}: {who} {holds}"


Hours = tuple[int, int]
"""Daily hours as minutes after midnight, ``[start, end)``: ``(600, 840)`` is 10:00-14:00."""


def hours_text(hours: Hours) -> str:
    """``"10:00-14:00"`` for ``(600, 840)``.

    Examples
    --------
    >>> hours_text((600, 840))
    '10:00-14:00'
    """
    return "-".join(f"{m // 60:02d}:{m % 60:02d}" for m in hours)


@dataclass(frozen=True)
class Checkpoint:
    """A point on the roads that lets so many people per hour through, in its hours.

    Every road through ``area`` passes it; ``rate_pph`` is persons per hour for all the movers
    it applies to together; ``hours`` the daily hours it is open (None: all day); it exists
    over [``start``, ``end``) like a zone.

    Examples
    --------
    >>> from corridor.model.areas import Area
    >>> c = Checkpoint("vas", "Vasylivka", Area("Vasylivka", point=(35.45, 47.43), radius_m=150), 400)
    >>> c.active(dt.date(2022, 3, 1)), c.open_minutes(dt.date(2022, 3, 1))
    (True, ((0, 1440),))
    """

    id: str
    name: str
    area: Area
    rate_pph: float
    actor: str | None = None
    hours: Hours | None = None
    movers: frozenset[str] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    sources: tuple[Source, ...] = ()
    confidence: float | None = None

    def active(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def applies_to(self, mover_id: str) -> bool:
        return self.movers is None or mover_id in self.movers

    def open_minutes(self, day: dt.date) -> tuple[Hours, ...]:
        """The minutes of ``day`` it lets people through (none on a day it does not exist)."""
        if not self.active(day):
            return ()
        return (self.hours if self.hours is not None else (0, 1440),)


@dataclass(frozen=True)
class MoverProfile:
    """Who is moving: base network, which sides' zones block them, speed and capacity factors."""

    id: str
    name: str
    base: Mover
    blocked_by: frozenset[str] = frozenset()
    exits: tuple[Area, ...] | None = None
    origin: Area | None = None  # its own origin (aid going in), else the scenario's
    speed_factor: float = 1.0
    capacity_factor: float = 1.0
    persons_per_vehicle: float | None = None
    population: int | None = None  # people this mover counts, when not the scenario's
    population_place: str | None = None
    sources: tuple[Source, ...] = ()

    def adapt(self, network: RoadNetwork) -> RoadNetwork:
        """The base network with this mover's speed and capacity factors applied."""
        cap = self.capacity_factor
        ppv_base = float(network.meta.get("persons_per_vehicle", 0) or 0)
        if self.persons_per_vehicle and ppv_base and self.base is not Mover.FOOT:
            cap *= self.persons_per_vehicle / ppv_base
        if self.speed_factor == 1.0 and cap == 1.0:
            return network
        speed = network.speed_kph * self.speed_factor
        return replace(
            network,
            speed_kph=speed,
            travel_time_s=network.travel_time_s / self.speed_factor,
            capacity_pph=np.rint(network.capacity_pph * cap).astype(np.int64),
        )

    def adapted_network(self, network_for: Callable[[Mover], RoadNetwork]) -> RoadNetwork:
        """The network this mover's reports index: its base network (``network_for(base)``,
        e.g. a scenario's loader) adapted (:meth:`adapt`). The one way every caller gets a
        mover's network: replays, the scenario check, the server's roads.

        Examples
        --------
        >>> from corridor.testing import bundled
        >>> sc, networks = bundled("mosul-2016")
        >>> sc.mover_profile("isis-fighters").adapted_network(networks).mover.value
        'offroad'
        """
        return self.adapt(network_for(self.base))


@dataclass(frozen=True)
class Event:
    """A dated change: a closure, a reopening, a zone changing hands, a population figure."""

    id: str
    date: dt.date
    kind: EventKind
    actor: str | None = None
    time: str | None = None
    closure: Closure | None = None  # close / reopen with a target
    reopens: str | None = None  # reopen {event: id}
    zone: BaseGeometry | None = None  # kind zone: the area that passes to `actor`
    place: str | None = None  # kind population
    value: int | None = None
    movers: frozenset[str] | None = None
    confidence: float = 1.0
    sources: tuple[Source, ...] = ()
    quote: str = ""
    notes: str = ""
    what: str = ""  # a one-line description for tables
    plan: str | None = None  # the plan that added it, if any
    group: str | None = None  # events of one group happen together or not at all
    date_uncertainty_days: float = 0.0  # the date may lie this many days either way
    # kind window: the last day (inclusive) and the daily hours movers may enter ``closure``
    until: dt.date | None = None
    hours: Hours | None = None
    # kind restrict: what the road's capacity and speed are multiplied by, in [0.001, 1]
    capacity_factor: float = 1.0
    speed_factor: float = 1.0
    checkpoint: str | None = None  # close / reopen {checkpoint: id}

    def window_minutes(self, day: dt.date) -> tuple[Hours, ...]:
        """A window's hours on ``day`` (none outside [date, until])."""
        if self.kind != "window" or self.hours is None:
            return ()
        if not self.date <= day <= (self.until or self.date):
            return ()
        return (self.hours,)

    def applies_to(self, mover_id: str) -> bool:
        return self.movers is None or mover_id in self.movers


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    start: dt.date
    drop: tuple[str, ...] = ()
    add: tuple[Event, ...] = ()
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A scenario: its network file, origin and exits, places, sides, actors, zones, movers,
    dated events and plans, as read from a scenario file (:mod:`corridor.scenario.load`)."""

    name: str
    network_path: str
    network_kind: Literal["osm", "geojson"]
    mover: str
    origin: Area
    exits: tuple[Area, ...]
    population: int = 0
    population_place: str | None = None
    title: str = ""
    description: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    closures: tuple[Closure, ...] = ()
    places: dict[str, Place] = field(default_factory=dict)
    sides: dict[str, Side] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    zones: tuple[Zone, ...] = ()
    movers: dict[str, MoverProfile] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    plans: dict[str, Plan] = field(default_factory=dict)
    checkpoints: tuple[Checkpoint, ...] = ()
    path: str = ""
    lines: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    """The fragment (``include:``) each item that one brought is written in, by key
    (``zones[3]``); items of the scenario file itself are not listed."""

    def where(self, key: str | None) -> str:
        """``file:line`` of a top-level key such as ``origin`` or ``exits[1]`` (file alone if unknown);
        the file is the fragment the item is written in, if a fragment brought it."""
        line = self.lines.get(key or "")
        path = self.files.get(key or "", self.path)
        return f"{path}:{line}" if line else path

    def zone_changes(self, day: dt.date) -> tuple[ZoneChange, ...]:
        """The scenario's zones that begin or end on ``day``, in file order (begins first).

        Examples
        --------
        >>> from corridor.testing import bundled
        >>> [z.what() for z in bundled()[0].zone_changes(dt.date(2016, 10, 17))][:1]
        ['zone krg-kurdistan begins: peshmerga (Kurdistan Regional Government (Peshmerga)) holds it']
        """
        out: list[ZoneChange] = []
        for change in ("begins", "ends"):
            for z in self.zones:
                if (z.start if change == "begins" else z.end) == day:
                    actor = self.actors.get(z.actor)
                    side = self.sides.get(actor.side) if actor is not None else None
                    out.append(
                        ZoneChange(
                            z,
                            change,  # type: ignore[arg-type]
                            actor.side if actor is not None else "",
                            side.name if side is not None else "",
                        )
                    )
        return tuple(out)

    def mover_profile(self, mover_id: str | None = None) -> MoverProfile:
        """The named mover, or a plain profile for a base mover (car, foot, offroad, all)."""
        mid = mover_id or self.mover
        if mid in self.movers:
            return self.movers[mid]
        try:
            base = Mover(mid)
        except ValueError:
            known = ", ".join([*self.movers, *(m.value for m in Mover)])
            msg = f"{mid!r} is not a mover of scenario {self.name!r}; expected one of {known}"
            raise UnknownIdError(msg) from None
        return MoverProfile(id=base.value, name=base.value, base=base)
