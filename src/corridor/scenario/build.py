"""From a validated :class:`ScenarioSpec` to a :class:`Scenario`, section by section.

pydantic has checked the types; the builder checks what ties the file together (ids that must
exist, files next to it, polygons, dates) and converts each section in file order: network,
places, sides and actors, origin, exits and population, zones, movers, closures, events, plans.
Every problem is noted and the file's problems are raised together.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from shapely.geometry.base import BaseGeometry

from corridor.errors import Problem
from corridor.files import is_file
from corridor.model.areas import Area
from corridor.model.network import Mover
from corridor.model.scenario import (
    Actor,
    Checkpoint,
    Event,
    Exit,
    MoverProfile,
    Place,
    Plan,
    Scenario,
    Side,
    Source,
    Zone,
)
from corridor.model.situation import Closure
from corridor.scenario.areas import AreaReader, Loc
from corridor.scenario.problems import ProblemLog, listed, number_hint, scenario_error
from corridor.scenario.schema import (
    LIST_ITEMS,
    EventSpec,
    ExitField,
    ExitSpec,
    MoverSpec,
    ScenarioSpec,
    SourceField,
    SourceSpec,
    parse_hours,
)
from corridor.scenario.yaml_lines import YamlLines
from corridor.text import shown

_BASE_MOVERS = "car, foot, offroad, all"


def build_scenario(spec: ScenarioSpec, path: Path, lines: YamlLines) -> Scenario:
    """The scenario a validated spec describes; raises ScenarioError listing every problem."""
    builder = _Builder(spec, path, ProblemLog(lines))
    builder.check()
    if builder.problems.found:
        raise scenario_error(path, builder.problems.found)
    return builder.scenario()


def problems_of_the_rest(
    data: dict[str, Any], path: Path, lines: YamlLines, exc: ValidationError
) -> list[Problem]:
    """The problems of what pydantic did not reject, so that a file's problems of every kind
    (types, unknown ids, polygons, ...) are reported together.

    The list items and optional top-level keys that failed validation are set aside (their
    problems are already in ``exc``); an unknown id that names an item set aside is not reported
    again.
    """
    required = {k for k, f in ScenarioSpec.model_fields.items() if f.is_required()}
    bad_top = {
        str(e["loc"][0])
        for e in exc.errors()
        if e["loc"] and str(e["loc"][0]) not in LIST_ITEMS and str(e["loc"][0]) not in required
    }
    lenient = {k: v for k, v in data.items() if k not in bad_top}
    index_map: dict[str, list[int]] = {}
    set_aside: set[tuple[str, str]] = set()
    for key, (model, kind) in LIST_ITEMS.items():
        items = data.get(key)
        if not isinstance(items, list):
            continue
        kept = []
        for i, item in enumerate(items):
            try:
                model.model_validate(item)
            except ValidationError:
                if kind is not None and isinstance(item, dict) and isinstance(item.get("id"), str):
                    set_aside.add((kind, item["id"]))
                continue
            kept.append(i)
        lenient[key] = [items[i] for i in kept]
        index_map[key] = kept
    try:
        spec = ScenarioSpec.model_validate(lenient)
    except ValidationError:
        return []  # a top-level key is wrong: the problems already found are all we can say
    builder = _Builder(spec, path, ProblemLog(lines, index_map))
    builder.check()
    return [p for p in builder.problems.found if p.refers_to not in set_aside]


class _Builder:
    """Checks and converts one spec; ``check()`` reads every section, ``scenario()`` assembles."""

    def __init__(self, spec: ScenarioSpec, path: Path, problems: ProblemLog) -> None:
        self.spec = spec
        self.path = path
        self.problems = problems
        self.places: dict[str, Place] = {}
        self.areas = AreaReader(path.parent, problems, self.places)
        self.network_path = ""
        self.network_kind: Literal["osm", "geojson"] = "geojson"
        self.sides: dict[str, Side] = {}
        self.actors: dict[str, Actor] = {}
        self.origin: Area | None = None
        self.exits: list[Exit] = []
        self.population = 0
        self.population_place: str | None = None
        self.zones: list[Zone] = []
        self.zone_items: list[int] = []  # the position in ``zones`` of the file of each zone
        self.movers: dict[str, MoverProfile] = {}
        self.closures: list[Closure] = []
        self.event_ids: set[str] = set()
        self.events: list[Event] = []
        self.plans: dict[str, Plan] = {}
        self.checkpoints: list[Checkpoint] = []

    def check(self) -> None:
        """Read every section in file order, noting problems."""
        self.check_duplicate_ids()
        self.read_network()
        self.read_places()
        self.read_sides_and_actors()
        self.read_origin_exits_population()
        self.read_zones()
        self.read_movers()
        self.read_closures()
        self.read_checkpoints()
        self.read_events()
        self.read_plans()
        s = self.spec
        if s.start and s.end and s.end < s.start:
            self.problems.add(("end",), f"end {s.end} is before start {s.start}")

    def scenario(self) -> Scenario:
        """The scenario read by ``check()``, which found no problem."""
        s = self.spec
        assert self.origin is not None
        lines = self.problems.lines
        return Scenario(
            name=s.name,
            network_path=self.network_path,
            network_kind=self.network_kind,
            mover=s.mover,
            origin=self.origin,
            exits=tuple(self.exits),
            population=self.population,
            population_place=self.population_place,
            title=s.title,
            description=s.description,
            start=s.start,
            end=s.end,
            closures=tuple(self.closures),
            places=self.places,
            sides=self.sides,
            actors=self.actors,
            zones=tuple(self.zones),
            movers=self.movers,
            events=tuple(self.events),
            plans=self.plans,
            checkpoints=tuple(self.checkpoints),
            path=str(self.path),
            lines={
                "origin": self.place_line(s.origin) or lines.line(("origin",)),
                **{
                    f"exits[{i}]": self.place_line(x) or lines.line(("exits", i))
                    for i, x in enumerate(s.exits)
                },
                "network": lines.line(("network",)),
                # every listed item, for file:line in findings (``scenario check``)
                **{
                    f"{key}[{i}]": lines.line((key, i))
                    for key in (
                        "places",
                        "zones",
                        "events",
                        "closures",
                        "movers",
                        "plans",
                        "checkpoints",
                    )
                    for i in range(len(getattr(s, key)))
                },
                **{
                    f"plans[{i}].add[{j}]": lines.line(("plans", i, "add", j))
                    for i, p in enumerate(s.plans)
                    for j in range(len(p.add))
                },
            },
            files={
                f"{key}[{i}]": lines.file((key, i))
                for key in ("places", "zones", "events", "closures", "movers", "plans")
                for i in range(len(getattr(s, key)))
                if lines.file((key, i))
            },
        )

    def place_line(self, x: object) -> int | None:
        """The line of the place an origin or exit names by id (findings about it belong
        there, not on the ``exits:`` line); None for an inline area."""
        pid = x if isinstance(x, str) else getattr(x, "place", None)
        for j, p in enumerate(self.spec.places):
            if pid is not None and p.id == pid:
                return self.problems.lines.line(("places", j))
        return None

    # ------------------------------------------------------------------------- sections
    def check_duplicate_ids(self) -> None:
        """Each id defined twice among places, sides, actors, zones, movers, events or plans."""
        s = self.spec
        sections: list[tuple[str, str, list[Any]]] = [
            ("places", "place", s.places),
            ("sides", "side", s.sides),
            ("actors", "actor", s.actors),
            ("zones", "zone", s.zones),
            ("movers", "mover", s.movers),
            ("events", "event", s.events),
            ("plans", "plan", s.plans),
            ("checkpoints", "checkpoint", s.checkpoints),
        ]
        for key, kind, items in sections:
            first: dict[str, int] = {}
            for i, item in enumerate(items):
                if item.id is None:
                    continue
                if item.id in first:
                    line = self.problems.line((key, first[item.id], "id"))
                    self.problems.add(
                        (key, i, "id"),
                        f"duplicate {kind} id {shown(item.id)}, first defined at line {line}",
                        f"give each {kind} its own id",
                    )
                else:
                    first[item.id] = i

    def read_network(self) -> None:
        net = self.spec.network
        if (net.osm is None) == (net.geojson is None):
            self.problems.add(("network",), "give exactly one of `osm: FILE` or `geojson: FILE`")
            return
        self.network_kind = "osm" if net.osm is not None else "geojson"
        rel = net.osm if net.osm is not None else net.geojson
        assert rel is not None
        file = self.path.parent / rel
        self.network_path = str(file)
        if not is_file(file):
            self.problems.add(
                ("network", self.network_kind),
                f"file {rel!r} not found ({file})",
                "paths are relative to the scenario file",
            )

    def read_places(self) -> None:
        for i, p in enumerate(self.spec.places):
            loc = ("places", i)
            if p.id in self.places:
                continue  # a duplicate id (check_duplicate_ids): the first one holds
            area = self.areas.area(p, loc, p.name or p.id)
            if area is None:
                continue
            self.places[p.id] = Place(
                id=p.id,
                name=p.name or p.id,
                area=area,
                aliases=tuple(p.aliases),
                population=p.population,
                sources=self.sources(p.source, (*loc, "source")),
                notes=p.notes,
            )

    def read_sides_and_actors(self) -> None:
        s = self.spec
        self.sides = {x.id: Side(x.id, x.name or x.id, frozenset(x.allies)) for x in s.sides}
        for i, x in enumerate(s.sides):
            for j, ally in enumerate(x.allies):
                if ally not in self.sides:
                    self.problems.unknown(("sides", i, "allies", j), "side", ally)
        for i, a in enumerate(s.actors):
            if s.sides and a.side not in self.sides:
                self.problems.unknown(("actors", i, "side"), "side", a.side, self._known_sides())
            self.actors[a.id] = Actor(
                a.id,
                a.name or a.id,
                a.side,
                tuple(a.aliases),
                self.sources(a.source, ("actors", i, "source")),
            )

    def read_origin_exits_population(self) -> None:
        s = self.spec
        self.origin = self.areas.place_or_area(s.origin, ("origin",), "origin")
        for i, x in enumerate(s.exits):
            area = self.exit(x, ("exits", i), f"exit {i + 1}")
            if area is not None:
                self.exits.append(area)
        if isinstance(s.population, int):
            self.population = s.population
        elif isinstance(s.population, str):
            if s.population not in self.places:
                self.problems.unknown(
                    ("population",), "place", s.population, hint=_population_hint(s.population)
                )
            else:
                self.population_place = s.population
                self.population = self.places[s.population].population or 0

    def exit(self, x: ExitField, loc: Loc, default_name: str) -> Exit | None:
        """An exit: a place id (a refuge), or a place or inline area with its ``kind``."""
        if not isinstance(x, ExitSpec):
            area = self.areas.place_or_area(x, loc, default_name)
            kind: Any = "refuge"
        elif x.place is not None:
            if x.point is not None or x.polygon is not None or x.geojson is not None:
                self.problems.add(
                    loc,
                    "an exit names a place or draws an area (point, polygon, geojson), not both",
                    "drop `place`, or the area",
                )
                return None
            area = self.areas.place_or_area(x.place, (*loc, "place"), default_name)
            if area is not None and x.name:
                area = replace(area, name=x.name)
            kind = x.kind
        else:
            area = self.areas.place_or_area(x, loc, default_name)
            kind = x.kind
        if area is None:
            return None
        return Exit(area.name, area.point, area.radius_m, area.polygon, kind=kind)

    def read_zones(self) -> None:
        for i, z in enumerate(self.spec.zones):
            loc = ("zones", i)
            self.check_actor(z.actor, (*loc, "actor"))
            if (z.polygon is None) == (z.geojson is None):
                self.problems.add(loc, "give exactly one of polygon or geojson")
                continue
            if z.from_ is not None and z.to is not None and z.to <= z.from_:
                self.problems.add((*loc, "to"), f"`to` {z.to} is not after `from` {z.from_}")
            poly = self.areas.polygon(z.polygon, z.geojson, loc)
            if poly is None:
                continue
            self.zone_items.append(i)
            self.zones.append(
                Zone(
                    z.id or f"zone-{i + 1}",
                    z.actor,
                    poly,
                    z.from_,
                    z.to,
                    self.sources(z.source, (*loc, "source")),
                    z.confidence,
                    z.boundary_uncertainty_m,
                )
            )
        self._check_zone_overlaps()

    def _check_zone_overlaps(self) -> None:
        """Zones of one actor from the same sources that overlap in time and space (two layers
        of one actor from different sources, assessed and claimed control, may overlap). A sweep
        over the zones by start date: only zones that overlap in time are intersected."""
        by_start = sorted(range(len(self.zones)), key=lambda k: self.zones[k].start or dt.date.min)
        for n, first in enumerate(by_start):
            for second in by_start[n + 1 :]:
                if (self.zones[second].start or dt.date.min) >= (
                    self.zones[first].end or dt.date.max
                ):
                    break
                i, j = sorted((first, second))  # the later in the file is the one named
                za, zb = self.zones[i], self.zones[j]
                if (
                    za.actor == zb.actor
                    and _same_sources(za, zb)
                    and _overlap_in_time(za, zb)
                    and za.polygon.intersects(zb.polygon)
                    and za.polygon.intersection(zb.polygon).area > 1e-9
                ):
                    self.problems.add(
                        ("zones", self.zone_items[j]),
                        f"zone {zb.id!r} overlaps zone {za.id!r} of the same actor {za.actor!r} in time and space",
                        "end one (`to`) before the other starts, or cut the polygons apart",
                    )

    def read_movers(self) -> None:
        s = self.spec
        for i, m in enumerate(s.movers):
            self.movers[m.id] = self._mover(m, ("movers", i))
        if s.mover not in self.movers:
            try:
                Mover(s.mover)
            except ValueError:
                known = listed(self.movers) or "none defined"
                self.problems.add(
                    ("mover",),
                    f"{shown(s.mover)} is neither a mover id ({known}) nor a base mover "
                    f"({_BASE_MOVERS})",
                    refers_to=("mover", s.mover),
                )

    def _mover(self, m: MoverSpec, loc: Loc) -> MoverProfile:
        sides = self.sides
        for j, side in enumerate(m.blocked_by or []):
            if sides and side not in sides:
                self.problems.unknown((*loc, "blocked_by", j), "side", side, self._known_sides())
        if m.side is not None and m.side not in sides:
            self.problems.unknown((*loc, "side"), "side", m.side, self._known_sides())
        exits = None
        if m.exits is not None:
            areas = (
                self.exit(x, (*loc, "exits", j), f"exit {j + 1}") for j, x in enumerate(m.exits)
            )
            exits = tuple(a for a in areas if a is not None)
        origin = None
        if m.origin is not None:
            origin = self.areas.place_or_area(m.origin, (*loc, "origin"), f"origin of {m.id}")
        population: int | None = None
        population_place: str | None = None
        if isinstance(m.population, int):
            population = m.population
        elif isinstance(m.population, str):
            if m.population in self.places:
                population_place = m.population
            else:
                self.problems.unknown(
                    (*loc, "population"), "place", m.population, hint=_population_hint(m.population)
                )
        return MoverProfile(
            id=m.id,
            name=m.name or m.id,
            base=Mover(m.base),
            blocked_by=self._blocked_by(m),
            exits=exits,
            origin=origin,
            speed_factor=m.speed_factor,
            capacity_factor=m.capacity_factor,
            persons_per_vehicle=m.persons_per_vehicle,
            population=population,
            population_place=population_place,
            sources=self.sources(m.source, (*loc, "source")),
        )

    def _blocked_by(self, m: MoverSpec) -> frozenset[str]:
        if m.blocked_by is not None:
            return frozenset(m.blocked_by)
        if m.side is None:
            return frozenset()
        # hostile by default: every side that is not the mover's and not its ally
        sides = self.sides
        own_allies = sides[m.side].allies if m.side in sides else frozenset()
        return frozenset(
            x
            for x in sides
            if x != m.side and m.side not in sides[x].allies and x not in own_allies
        )

    def read_closures(self) -> None:
        for i, c in enumerate(self.spec.closures):
            loc = ("closures", i)
            srcs = self.sources(c.source, (*loc, "source"))
            label = f"closures[{i}]" + (f" ({srcs[0].short()})" if srcs else "")
            closure = self.areas.closure(c, loc, label)
            if closure is not None:
                self.closures.append(closure)

    def read_checkpoints(self) -> None:
        for i, c in enumerate(self.spec.checkpoints):
            loc = ("checkpoints", i)
            if any(x.id == c.id for x in self.checkpoints):
                continue  # a duplicate id (check_duplicate_ids): the first one holds
            self.check_actor(c.actor, (*loc, "actor"))
            self.check_movers(c.movers, loc)
            if c.from_ is not None and c.to is not None and c.to <= c.from_:
                self.problems.add((*loc, "to"), f"`to` {c.to} is not after `from` {c.from_}")
            area = self.areas.place_or_area(c.at, (*loc, "at"), c.name or c.id)
            if area is None:
                continue
            self.checkpoints.append(
                Checkpoint(
                    id=c.id,
                    name=c.name or area.name or c.id,
                    area=area,
                    rate_pph=c.rate_pph,
                    actor=c.actor,
                    hours=parse_hours(c.hours) if c.hours is not None else None,
                    movers=frozenset(c.movers) if c.movers is not None else None,
                    start=c.from_,
                    end=c.to,
                    sources=self.sources(c.source, (*loc, "source")),
                    confidence=c.confidence,
                )
            )

    def check_movers(self, movers: list[str] | None, loc: Loc) -> None:
        """Note each of ``movers`` that is not a mover id of the file."""
        for j, m in enumerate(movers or []):
            if m not in self.movers:
                known = listed(self.movers) or "none defined"
                self.problems.unknown((*loc, "movers", j), "mover", m, f" (movers: {known})")

    def _timed_fields(self, e: EventSpec, loc: Loc) -> bool:
        """Note the fields of a window or restriction on an event of another kind, and what a
        window or restriction lacks; False when the event cannot be used."""
        ok = True
        timed = {
            "until": ("window",),
            "hours": ("window",),
            "capacity_factor": ("restrict",),
            "speed_factor": ("restrict",),
        }
        for key, kinds in timed.items():
            if getattr(e, key) is not None and e.kind not in kinds:
                self.problems.add(
                    (*loc, key), f"`{key}` belongs to a `kind: {kinds[0]}` event, not `{e.kind}`"
                )
                ok = False
        if e.kind == "window":
            if e.hours is None:
                self.problems.add(loc, "a window needs `hours: HH:MM-HH:MM`", "e.g. 10:00-14:00")
                ok = False
            if e.until is not None and e.until < e.date:
                self.problems.add(
                    (*loc, "until"),
                    f"`until` {e.until} is before `date` {e.date}",
                    "until is the window's last day (inclusive)",
                )
                ok = False
        if e.kind == "restrict" and e.capacity_factor is None and e.speed_factor is None:
            self.problems.add(
                loc,
                "a restriction needs capacity_factor or speed_factor (or both), in [0.001, 1]",
                "0.3 keeps 30% of the road's capacity",
            )
            ok = False
        if e.target.checkpoint is not None:
            if e.kind not in ("close", "reopen"):
                self.problems.add(
                    (*loc, "target", "checkpoint"),
                    f"a `{e.kind}` event cannot target a checkpoint; close and reopen can",
                )
                ok = False
            elif all(c.id != e.target.checkpoint for c in self.spec.checkpoints):
                known = listed([c.id for c in self.spec.checkpoints]) or "none defined"
                self.problems.unknown(
                    (*loc, "target", "checkpoint"),
                    "checkpoint",
                    e.target.checkpoint,
                    f" (checkpoints: {known})",
                )
                ok = False
        return ok

    def read_events(self) -> None:
        events = self.spec.events
        for i, e in enumerate(events):
            # an event with a problem of its own still exists for plans and reopenings
            self.event_ids.add(e.id)
            ev = self.event(e, ("events", i))
            if ev is not None:
                self.events.append(ev)
        for i, e in enumerate(events):
            reopens = e.target.event
            if e.kind == "reopen" and reopens is not None and reopens not in self.event_ids:
                loc = ("events", i, "target", "event")
                self.problems.unknown(loc, "event", reopens, " to reopen")

    def read_plans(self) -> None:
        for i, pl in enumerate(self.spec.plans):
            loc = ("plans", i)
            for j, d in enumerate(pl.drop):
                if d not in self.event_ids:
                    self.problems.unknown((*loc, "drop", j), "event", d, " to drop")
            added = [self.event(e, (*loc, "add", j), plan=pl.id) for j, e in enumerate(pl.add)]
            self.plans[pl.id] = Plan(
                pl.id,
                pl.title or pl.id,
                pl.start,
                tuple(pl.drop),
                tuple(ev for ev in added if ev is not None),
                self.sources(pl.source, (*loc, "source")),
            )

    # ------------------------------------------------------------------------- items
    def event(self, e: EventSpec, loc: Loc, plan: str | None = None) -> Event | None:
        """One event of ``events`` or of a plan's ``add``; None if its target is unusable."""
        self.check_actor(e.actor, (*loc, "actor"))
        start = self.spec.start
        if start is not None and e.date < start:
            self.problems.add(
                (*loc, "date"),
                f"{e.date} is before the scenario's start {start}",
                "move the event or the start",
            )
        self.check_movers(e.movers, loc)
        if not self._timed_fields(e, loc):
            return None
        srcs = self.sources(e.source, (*loc, "source"))
        label = f"event {e.id} ({e.date}, {e.actor or 'unknown actor'}; {srcs[0].short() if srcs else 'no source'})"
        t = e.target
        tloc = (*loc, "target")
        closure = zone = place = reopens = None
        if e.kind == "reopen" and t.event is not None:
            reopens = t.event
        elif t.checkpoint is not None:
            pass  # close / reopen {checkpoint: id}, checked above
        elif e.kind in ("close", "reopen", "window", "restrict"):
            closure = self.areas.closure(t, tloc, label)
            if closure is None:
                return None
            closure = replace(closure, reopen=e.kind == "reopen")
        elif e.kind == "zone":
            zone = self._zone_target(e, loc)
            if zone is None:
                return None
        else:  # population
            if t.place is None or e.value is None:
                self.problems.add(loc, "a population event needs target {place: id} and value")
                return None
            if t.place not in self.places:
                self.problems.unknown((*tloc, "place"), "place", t.place)
                return None
            place = t.place
        return Event(
            id=e.id,
            date=e.date,
            kind=e.kind,
            actor=e.actor,
            time=e.time,
            closure=closure,
            reopens=reopens,
            zone=zone,
            place=place,
            value=e.value,
            movers=frozenset(e.movers) if e.movers is not None else None,
            confidence=e.confidence,
            sources=srcs,
            quote=e.quote,
            notes=e.notes,
            what=e.summary or _describe(e),
            plan=plan,
            group=e.group,
            date_uncertainty_days=e.date_uncertainty_days,
            until=(e.until or e.date) if e.kind == "window" else None,
            hours=parse_hours(e.hours) if e.hours is not None else None,
            capacity_factor=e.capacity_factor if e.capacity_factor is not None else 1.0,
            speed_factor=e.speed_factor if e.speed_factor is not None else 1.0,
            checkpoint=t.checkpoint,
        )

    def _zone_target(self, e: EventSpec, loc: Loc) -> BaseGeometry | None:
        """The area a zone event's actor takes: a place's, a polygon or a GeoJSON file."""
        t = e.target
        tloc = (*loc, "target")
        if e.actor is None:
            self.problems.add((*loc, "actor"), "a zone event needs the actor that takes the area")
        if t.place is not None:
            area = self.areas.place_or_area(t.place, (*tloc, "place"), t.place)
            zone = area.geometry() if area is not None else None
        else:
            zone = self.areas.polygon(t.polygon, t.geojson, tloc)
        if zone is None and t.place is None and t.polygon is None and t.geojson is None:
            self.problems.add(tloc, "a zone event's target is a polygon, a geojson file or a place")
        return zone

    def check_actor(self, actor: str | None, loc: Loc) -> None:
        """Note ``actor`` if actors are defined and it is not one of them."""
        if actor is not None and self.actors and actor not in self.actors:
            known = listed(self.actors)
            self.problems.unknown(loc, "actor", actor, f" (actors: {known})")

    def sources(self, value: SourceField | None, loc: Loc) -> tuple[Source, ...]:
        """The sources of an item: keys of ``sources``, free text, or an inline source."""
        if value is None:
            return ()
        if isinstance(value, SourceSpec):
            return (_source_from(value, ""),)
        keys = [value] if isinstance(value, str) else value
        out = []
        known = self.spec.sources
        for k in keys:
            if k in known:
                out.append(_source_from(known[k], k))
            elif known and re.fullmatch(r"[A-Za-z]+[-_]?\d+[a-z]?", k):
                self.problems.add(
                    loc, f"source {k!r} is not a key of `sources`", "add it there or fix the key"
                )
            else:
                out.append(Source(title=k))
        return tuple(out)

    def _known_sides(self) -> str:
        return f" (sides: {listed(self.sides)})"


def _population_hint(text: str) -> str:
    """How to write a population that is neither a number nor a place id."""
    return number_hint(text) or "give a number or a place id"


def _describe(e: EventSpec) -> str:
    t = e.target
    if e.kind == "population":
        return f"population of {t.place}: {e.value:,}" if e.value is not None else "population"
    if e.kind == "reopen" and t.event:
        return f"reopens {t.event}"
    if t.checkpoint:
        return f"{'closes' if e.kind == 'close' else 'reopens'} checkpoint {t.checkpoint}"
    if t.ref or t.name:
        road = t.ref or repr(t.name)
        ends = " and ".join(
            str(b) if isinstance(b, str) else (b.name or "area") for b in (t.between or [])
        )
        where = f"{road} between {ends}" if ends else f"road {road}"
    elif t.way is not None or t.ways:
        where = "way " + ", ".join(
            str(w) for w in ([t.way] if t.way is not None else (t.ways or []))
        )
    elif t.place:
        where = t.place
    elif t.point:
        where = f"{t.radius_m:.0f} m around [{t.point[0]:.4f}, {t.point[1]:.4f}]"
    else:
        where = "an area"
    if e.kind == "window":
        return f"opens {where} {e.hours} daily, {e.date} to {e.until or e.date}"
    if e.kind == "restrict":
        return f"restricts {where}"
    verb = {"close": "closes", "reopen": "reopens", "zone": "takes"}[e.kind]
    return f"{verb} {where}"


def _source_from(spec: SourceSpec, key: str) -> Source:
    return Source(
        key=key, outlet=spec.outlet, title=spec.title, date=str(spec.date or ""), url=spec.url
    )


def _same_sources(a: Zone, b: Zone) -> bool:
    return {s.key for s in a.sources} == {s.key for s in b.sources}


def _overlap_in_time(a: Zone, b: Zone) -> bool:
    a0, a1 = a.start or dt.date.min, a.end or dt.date.max
    b0, b1 = b.start or dt.date.min, b.end or dt.date.max
    return a0 < b1 and b0 < a1
