"""Scenario files: YAML in, :class:`corridor.model.scenario.Scenario` out.

The wire format is a set of pydantic models (``ScenarioSpec`` and friends; unknown keys are
errors); ``scenario_json_schema()`` is their JSON Schema, for editors. Every problem in a file is
collected and reported together as ``file:line: what is wrong; how to fix it``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import shapely
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from shapely.geometry.base import BaseGeometry

from corridor.errors import InputFileError, ScenarioError
from corridor.model.areas import Area
from corridor.model.network import Mover
from corridor.model.scenario import (
    Actor,
    Event,
    MoverProfile,
    Place,
    Plan,
    Scenario,
    Side,
    Source,
    Zone,
)
from corridor.model.situation import Closure

LonLat = Annotated[list[float], Field(min_length=2, max_length=2)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceSpec(_Spec):
    """A source: outlet, title, date and URL (any of them)."""

    outlet: str = ""
    title: str = ""
    date: dt.date | str | None = None
    url: str = ""
    notes: str = ""


SourceField = str | list[str] | SourceSpec


class AreaSpec(_Spec):
    """An area: a point ([lon, lat]) with radius_m, a polygon ring, or a GeoJSON file."""

    name: str | None = None
    point: LonLat | None = None
    radius_m: float | None = Field(default=None, gt=0)
    polygon: list[LonLat] | None = None
    geojson: str | None = None


class PlaceSpec(AreaSpec):
    id: str
    name: str | None = None
    aliases: list[str] = []
    population: int | None = Field(default=None, ge=0)
    source: SourceField | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    notes: str = ""


class SideSpec(_Spec):
    id: str
    name: str = ""
    allies: list[str] = []
    source: SourceField | None = None
    notes: str = ""


class ActorSpec(_Spec):
    id: str
    name: str = ""
    aliases: list[str] = []
    side: str
    source: SourceField | None = None
    notes: str = ""


class ZoneSpec(_Spec):
    id: str | None = None
    actor: str
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    polygon: list[LonLat] | None = None
    geojson: str | None = None
    source: SourceField | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    notes: str = ""


class MoverSpec(_Spec):
    id: str
    name: str = ""
    base: Literal["car", "foot", "offroad", "all"] = "car"
    side: str | None = None
    blocked_by: list[str] | None = None
    exits: list[str | AreaSpec] | None = None
    speed_factor: float = Field(default=1.0, gt=0)
    capacity_factor: float = Field(default=1.0, ge=0)
    persons_per_vehicle: float | None = Field(default=None, gt=0)
    population: int | str | None = None
    source: SourceField | None = None
    notes: str = ""


class TargetSpec(_Spec):
    """What an event acts on: ways, a road ref between two places, a point and radius, a
    polygon, a place, or (for ``reopen``) the event whose closure it undoes."""

    way: int | None = None
    ways: list[int] | None = None
    ref: str | None = None
    between: list[str | AreaSpec] | None = Field(default=None, min_length=2, max_length=2)
    point: LonLat | None = None
    radius_m: float | None = Field(default=None, gt=0)
    polygon: list[LonLat] | None = None
    geojson: str | None = None
    place: str | None = None
    event: str | None = None


class EventSpec(_Spec):
    id: str
    date: dt.date
    time: str | None = None
    actor: str | None = None
    kind: Literal["close", "reopen", "zone", "population"]
    target: TargetSpec
    value: int | None = Field(default=None, ge=0)
    movers: list[str] | None = None
    confidence: float = Field(ge=0, le=1)
    source: SourceField
    summary: str = ""
    quote: str = ""
    notes: str = ""

    @field_validator("time")
    @classmethod
    def _hhmm(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            msg = f"time {v!r} is not HH:MM (24 h)"
            raise ValueError(msg)
        return v


class PlanSpec(_Spec):
    id: str
    title: str = ""
    start: dt.date
    drop: list[str] = []
    add: list[EventSpec] = []
    source: SourceField | None = None
    notes: str = ""


class ClosureSpec(TargetSpec):
    """A closure in force for the whole scenario (the core format's ``closures``)."""

    source: SourceField | None = None
    date: dt.date | None = None
    actor: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    quote: str = ""
    notes: str = ""
    movers: list[str] | None = None


class NetworkSpec(_Spec):
    osm: str | None = None
    geojson: str | None = None


class ScenarioSpec(_Spec):
    """A corridor scenario file (``corridor: 1``)."""

    corridor: Literal[1]
    name: str
    title: str = ""
    description: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    network: NetworkSpec
    mover: str = "car"
    origin: str | AreaSpec
    exits: list[str | AreaSpec] = Field(min_length=1)
    closures: list[ClosureSpec] = []
    population: int | str | None = None
    sources: dict[str, SourceSpec] = {}
    places: list[PlaceSpec] = []
    sides: list[SideSpec] = []
    actors: list[ActorSpec] = []
    zones: list[ZoneSpec] = []
    movers: list[MoverSpec] = []
    events: list[EventSpec] = []
    plans: list[PlanSpec] = []


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (generated from the pydantic models)."""
    schema = ScenarioSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "corridor scenario"
    return schema


# ----------------------------------------------------------------------------- YAML with lines
class _Lines:
    """Line numbers of YAML nodes, looked up by a pydantic-style location tuple."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.root = node

    def line(self, loc: tuple[Any, ...]) -> int:
        node = self.root
        best = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key) or (key == "from_" and k.value == "from"):
                        nxt = v
                        best = k.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(key, int)
                and 0 <= key < len(node.value)
            ):
                nxt = node.value[key]
                best = nxt.start_mark.line + 1
            node = nxt
        return best


def _read_yaml(path: Path) -> tuple[Any, _Lines]:
    if not path.is_file():
        msg = f"{path}: no such scenario file; check the path, or run `corridor scenarios`"
        raise InputFileError(msg)
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        msg = f"{path}:{line}: not valid YAML ({problem}); check indentation and quoting"
        raise ScenarioError(msg) from None
    return data, _Lines(node)


def _fmt_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for k in loc:
        if isinstance(k, int):
            out += f"[{k}]"
        else:
            out += ("." if out else "") + ("from" if k == "from_" else str(k))
    return out


def _pydantic_problems(exc: ValidationError, path: Path, lines: _Lines) -> list[str]:
    problems = []
    seen = set()
    for err in exc.errors():
        loc = tuple(
            x
            for x in err["loc"]
            if not (
                isinstance(x, str)
                and (
                    x in {"str", "int", "list[str]", "SourceSpec"} or "[" in x or x.endswith("Spec")
                )
            )
        )
        key = (loc, err["type"])
        if key in seen:
            continue
        seen.add(key)
        where = _fmt_loc(loc) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            what = f"unknown key {where!r}; check the spelling (see docs/scenario-format.md)"
        elif kind == "missing":
            what = f"{where} is required"
        else:
            what = f"{where}: {err['msg']} (got {err.get('input')!r})"
        problems.append(f"{path}:{lines.line(loc)}: {what}")
    return problems


# ----------------------------------------------------------------------------- conversion
_UNKNOWN_ID = re.compile(r"^no (?:place|actor|side|mover|event) with id '([^']*)'")


class _Builder:
    def __init__(
        self,
        spec: ScenarioSpec,
        path: Path,
        lines: _Lines,
        index_map: dict[str, list[int]] | None = None,
        set_aside: set[str] | None = None,
    ) -> None:
        self.spec = spec
        self.path = path
        self.dir = path.parent
        self.lines = lines
        self.problems: list[str] = []
        self.places: dict[str, Place] = {}
        # when invalid list items were set aside, positions in the spec -> positions in the file
        self.index_map = index_map or {}
        self.set_aside = set_aside or set()

    def problem(self, loc: tuple[Any, ...], what: str) -> None:
        # an id that names an item set aside for its own (already reported) problem is not
        # reported again as unknown
        m = _UNKNOWN_ID.search(what)
        if m and m.group(1) in self.set_aside:
            return
        if len(loc) >= 2 and loc[0] in self.index_map and isinstance(loc[1], int):
            loc = (loc[0], self.index_map[loc[0]][loc[1]], *loc[2:])
        self.problems.append(f"{self.path}:{self.lines.line(loc)}: {_fmt_loc(loc)}: {what}")

    # sources
    def sources(self, value: SourceField | None, loc: tuple[Any, ...]) -> tuple[Source, ...]:
        if value is None:
            return ()
        if isinstance(value, SourceSpec):
            return (_source_from(value, ""),)
        keys = [value] if isinstance(value, str) else value
        out = []
        for k in keys:
            if k in self.spec.sources:
                out.append(_source_from(self.spec.sources[k], k))
            elif self.spec.sources and re.fullmatch(r"[A-Za-z]+[-_]?\d+[a-z]?", k):
                self.problem(
                    loc, f"source {k!r} is not a key of `sources`; add it there or fix the key"
                )
            else:
                out.append(Source(title=k))
        return tuple(out)

    # geometry
    def polygon(
        self, ring: list[list[float]] | None, geojson: str | None, loc: tuple[Any, ...]
    ) -> BaseGeometry | None:
        if geojson is not None:
            file = self.dir / geojson
            if not file.is_file():
                self.problem(
                    (*loc, "geojson"), f"file {geojson!r} not found next to the scenario ({file})"
                )
                return None
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                geoms = (
                    [f["geometry"] for f in data["features"]]
                    if data.get("type") == "FeatureCollection"
                    else [data.get("geometry", data)]
                )
                geom = shapely.union_all([shapely.geometry.shape(g) for g in geoms])
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                self.problem((*loc, "geojson"), f"{geojson}: not a GeoJSON polygon ({exc})")
                return None
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                self.problem(
                    (*loc, "geojson"), f"{geojson}: holds a {geom.geom_type}, not a polygon"
                )
                return None
            return self._valid(geom, (*loc, "geojson"))
        if ring is None:
            return None
        if len(ring) < 4 or ring[0] != ring[-1]:
            self.problem(
                (*loc, "polygon"),
                "the polygon does not close: give at least 4 [lon, lat] points and repeat the "
                "first point at the end",
            )
            return None
        return self._valid(shapely.Polygon(ring), (*loc, "polygon"))

    def _valid(self, geom: BaseGeometry, loc: tuple[Any, ...]) -> BaseGeometry | None:
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            self.problem(loc, f"the polygon is not valid ({reason}); it must not cross itself")
            return None
        for x, y in _coords(geom):
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                self.problem(
                    loc,
                    f"coordinate [{x}, {y}] is outside [-180..180, -90..90]; coordinates are [lon, lat]",
                )
                return None
        return geom

    def area(self, spec: AreaSpec, loc: tuple[Any, ...], name: str) -> Area | None:
        given = [spec.point is not None, spec.polygon is not None, spec.geojson is not None]
        if sum(given) != 1:
            self.problem(loc, "give exactly one of point (with radius_m), polygon or geojson")
            return None
        if spec.point is not None:
            lon, lat = spec.point
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                self.problem(
                    (*loc, "point"),
                    f"[{lon}, {lat}] is not a [lon, lat] point; are the two swapped?",
                )
                return None
            if spec.radius_m is None:
                self.problem(loc, "a point needs radius_m (metres)")
                return None
            return Area(name=name, point=(lon, lat), radius_m=spec.radius_m)
        poly = self.polygon(spec.polygon, spec.geojson, loc)
        return Area(name=name, polygon=poly) if poly is not None else None

    def place_or_area(
        self, value: str | AreaSpec, loc: tuple[Any, ...], default_name: str
    ) -> Area | None:
        if isinstance(value, str):
            place = self.places.get(value)
            if place is None:
                known = ", ".join(sorted(self.places)) or "none defined"
                self.problem(loc, f"no place with id {value!r} (places: {known})")
                return None
            return place.area
        return self.area(value, loc, value.name or default_name)

    def target_closure(self, t: TargetSpec, loc: tuple[Any, ...], label: str) -> Closure | None:
        ways = [t.way] if t.way is not None else list(t.ways or [])
        forms = [
            bool(ways),
            t.ref is not None,
            t.point is not None,
            t.polygon is not None or t.geojson is not None,
            t.place is not None,
        ]
        if sum(forms) != 1:
            self.problem(
                loc,
                "name exactly one target: way(s), ref with between, point with radius_m, polygon, or place",
            )
            return None
        if ways:
            return Closure(ways=tuple(ways), label=label)
        if t.ref is not None:
            if not t.between:
                self.problem(loc, "a ref closure needs `between: [place, place]`")
                return None
            a = self.place_or_area(t.between[0], (*loc, "between", 0), "A")
            b = self.place_or_area(t.between[1], (*loc, "between", 1), "B")
            if a is None or b is None:
                return None
            return Closure(ref=t.ref, between=(a, b), label=label)
        if t.place is not None:
            area = self.place_or_area(t.place, (*loc, "place"), t.place)
        else:
            area = self.area(
                AreaSpec(point=t.point, radius_m=t.radius_m, polygon=t.polygon, geojson=t.geojson),
                loc,
                label,
            )
        return Closure(area=area, label=label) if area is not None else None

    def build(self) -> Scenario:
        s = self.spec
        # network
        net = s.network
        net_kind: Literal["osm", "geojson"]
        if (net.osm is None) == (net.geojson is None):
            self.problem(("network",), "give exactly one of `osm: FILE` or `geojson: FILE`")
            net_path, net_kind = "", "geojson"  # a problem is reported; never used
        else:
            net_kind = "osm" if net.osm is not None else "geojson"
            rel = net.osm if net.osm is not None else net.geojson
            assert rel is not None
            file = self.dir / rel
            net_path = str(file)
            if not file.is_file():
                self.problem(
                    ("network", net_kind),
                    f"file {rel!r} not found ({file}); paths are relative to the scenario file",
                )
        # places
        for i, p in enumerate(s.places):
            loc = ("places", i)
            if p.id in self.places:
                self.problem((*loc, "id"), f"duplicate place id {p.id!r}")
                continue
            area = self.area(p, loc, p.name or p.id)
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
        # sides and actors
        sides = {x.id: Side(x.id, x.name or x.id, frozenset(x.allies)) for x in s.sides}
        for i, x in enumerate(s.sides):
            for j, ally in enumerate(x.allies):
                if ally not in sides:
                    self.problem(("sides", i, "allies", j), f"no side with id {ally!r}")
        actors: dict[str, Actor] = {}
        for i, a in enumerate(s.actors):
            if s.sides and a.side not in sides:
                self.problem(
                    ("actors", i, "side"), f"no side with id {a.side!r} (sides: {', '.join(sides)})"
                )
            actors[a.id] = Actor(
                a.id,
                a.name or a.id,
                a.side,
                tuple(a.aliases),
                self.sources(a.source, ("actors", i, "source")),
            )

        def check_actor(actor: str | None, loc: tuple[Any, ...]) -> None:
            if actor is not None and actors and actor not in actors:
                self.problem(loc, f"no actor with id {actor!r} (actors: {', '.join(actors)})")

        # origin and exits
        origin = self.place_or_area(s.origin, ("origin",), "origin")
        exits = [
            self.place_or_area(x, ("exits", i), f"exit {i + 1}") for i, x in enumerate(s.exits)
        ]
        # population
        population, population_place = 0, None
        if isinstance(s.population, int):
            population = s.population
        elif isinstance(s.population, str):
            if s.population not in self.places:
                self.problem(
                    ("population",),
                    f"no place with id {s.population!r}; give a number or a place id",
                )
            else:
                population_place = s.population
                population = self.places[s.population].population or 0
        # zones
        zones: list[Zone] = []
        for i, z in enumerate(s.zones):
            loc = ("zones", i)
            check_actor(z.actor, (*loc, "actor"))
            if (z.polygon is None) == (z.geojson is None):
                self.problem(loc, "give exactly one of polygon or geojson")
                continue
            if z.from_ is not None and z.to is not None and z.to <= z.from_:
                self.problem((*loc, "to"), f"`to` {z.to} is not after `from` {z.from_}")
            poly = self.polygon(z.polygon, z.geojson, loc)
            if poly is None:
                continue
            zones.append(
                Zone(
                    z.id or f"zone-{i + 1}",
                    z.actor,
                    poly,
                    z.from_,
                    z.to,
                    self.sources(z.source, (*loc, "source")),
                    z.confidence,
                )
            )
        for i, za in enumerate(zones):
            for j in range(i + 1, len(zones)):
                zb = zones[j]
                if (
                    za.actor == zb.actor
                    and _overlap_in_time(za, zb)
                    and za.polygon.intersection(zb.polygon).area > 1e-9
                ):
                    self.problem(
                        ("zones", j),
                        f"zone {zb.id!r} overlaps zone {za.id!r} of the same actor {za.actor!r} in time and space; end one (`to`) before the other starts, or cut the polygons apart",
                    )
        # movers
        movers: dict[str, MoverProfile] = {}
        for i, m in enumerate(s.movers):
            loc = ("movers", i)
            for j, side in enumerate(m.blocked_by or []):
                if sides and side not in sides:
                    self.problem(
                        (*loc, "blocked_by", j),
                        f"no side with id {side!r} (sides: {', '.join(sides)})",
                    )
            if m.side is not None and m.side not in sides:
                self.problem(
                    (*loc, "side"), f"no side with id {m.side!r} (sides: {', '.join(sides)})"
                )
            if m.blocked_by is not None:
                blocked = frozenset(m.blocked_by)
            elif m.side is not None:
                # hostile by default: every side that is not the mover's and not its ally
                blocked = frozenset(
                    x
                    for x in sides
                    if x != m.side
                    and m.side not in sides[x].allies
                    and x not in sides.get(m.side, Side(m.side, m.side)).allies
                )
            else:
                blocked = frozenset()
            m_exits = None
            if m.exits is not None:
                m_exits = tuple(
                    e
                    for e in (
                        self.place_or_area(x, (*loc, "exits", j), f"exit {j + 1}")
                        for j, x in enumerate(m.exits)
                    )
                    if e is not None
                )
            m_pop: int | None = None
            m_pop_place: str | None = None
            if isinstance(m.population, int):
                m_pop = m.population
            elif isinstance(m.population, str):
                if m.population in self.places:
                    m_pop_place = m.population
                else:
                    self.problem(
                        (*loc, "population"),
                        f"no place with id {m.population!r}; give a number or a place id",
                    )
            movers[m.id] = MoverProfile(
                id=m.id,
                name=m.name or m.id,
                base=Mover(m.base),
                blocked_by=blocked,
                exits=m_exits,
                speed_factor=m.speed_factor,
                capacity_factor=m.capacity_factor,
                persons_per_vehicle=m.persons_per_vehicle,
                population=m_pop,
                population_place=m_pop_place,
                sources=self.sources(m.source, (*loc, "source")),
            )
        if s.mover not in movers:
            try:
                Mover(s.mover)
            except ValueError:
                self.problem(
                    ("mover",),
                    f"{s.mover!r} is neither a mover id ({', '.join(movers) or 'none defined'}) nor a base mover (car, foot, offroad, all)",
                )
        # closures (core)
        closures = []
        for i, c in enumerate(s.closures):
            loc = ("closures", i)
            srcs = self.sources(c.source, (*loc, "source"))
            label = f"closures[{i}]" + (f" ({srcs[0].short()})" if srcs else "")
            cl = self.target_closure(c, loc, label)
            if cl is not None:
                closures.append(cl)
        # events
        event_ids: set[str] = set()
        events = []
        start = s.start
        for i, e in enumerate(s.events):
            if e.id in event_ids:
                self.problem(("events", i, "id"), f"duplicate event id {e.id!r}")
            # an event with a problem of its own still exists for plans and reopenings
            event_ids.add(e.id)
            ev = self.event(e, ("events", i), check_actor, movers, start)
            if ev is not None:
                events.append(ev)
        for ev_i, e in enumerate(s.events):
            if (
                e.kind == "reopen"
                and e.target.event is not None
                and e.target.event not in event_ids
            ):
                self.problem(
                    ("events", ev_i, "target", "event"),
                    f"no event with id {e.target.event!r} to reopen",
                )
        # plans
        plans = {}
        for i, pl in enumerate(s.plans):
            loc = ("plans", i)
            for j, d in enumerate(pl.drop):
                if d not in event_ids:
                    self.problem((*loc, "drop", j), f"no event with id {d!r} to drop")
            added = []
            for j, e in enumerate(pl.add):
                ev = self.event(e, (*loc, "add", j), check_actor, movers, start, plan=pl.id)
                if ev is not None:
                    added.append(ev)
            plans[pl.id] = Plan(
                pl.id,
                pl.title or pl.id,
                pl.start,
                tuple(pl.drop),
                tuple(added),
                self.sources(pl.source, (*loc, "source")),
            )
        if s.start and s.end and s.end < s.start:
            self.problem(("end",), f"end {s.end} is before start {s.start}")
        if self.problems:
            raise _scenario_error(self.path, self.problems)
        assert origin is not None
        return Scenario(
            name=s.name,
            network_path=net_path,
            network_kind=net_kind,
            mover=s.mover,
            origin=origin,
            exits=tuple(x for x in exits if x is not None),
            population=population,
            population_place=population_place,
            title=s.title,
            description=s.description,
            start=s.start,
            end=s.end,
            closures=tuple(closures),
            places=self.places,
            sides=sides,
            actors=actors,
            zones=tuple(zones),
            movers=movers,
            events=tuple(events),
            plans=plans,
            path=str(self.path),
            lines={
                "origin": self.lines.line(("origin",)),
                **{f"exits[{i}]": self.lines.line(("exits", i)) for i in range(len(s.exits))},
                "network": self.lines.line(("network",)),
            },
        )

    def event(
        self,
        e: EventSpec,
        loc: tuple[Any, ...],
        check_actor: Any,
        movers: dict[str, MoverProfile],
        start: dt.date | None,
        plan: str | None = None,
    ) -> Event | None:
        check_actor(e.actor, (*loc, "actor"))
        if start is not None and e.date < start:
            self.problem(
                (*loc, "date"),
                f"{e.date} is before the scenario's start {start}; move the event or the start",
            )
        for j, m in enumerate(e.movers or []):
            if m not in movers:
                self.problem(
                    (*loc, "movers", j),
                    f"no mover with id {m!r} (movers: {', '.join(movers) or 'none defined'})",
                )
        srcs = self.sources(e.source, (*loc, "source"))
        label = f"event {e.id} ({e.date}, {e.actor or 'unknown actor'}; {srcs[0].short() if srcs else 'no source'})"
        closure = None
        zone = None
        place = None
        reopens = None
        t = e.target
        tloc = (*loc, "target")
        if e.kind == "close" or (e.kind == "reopen" and t.event is None):
            closure = self.target_closure(t, tloc, label)
            if closure is None:
                return None
            if e.kind == "reopen":
                closure = Closure(
                    ways=closure.ways,
                    area=closure.area,
                    ref=closure.ref,
                    between=closure.between,
                    label=label,
                    reopen=True,
                )
        elif e.kind == "reopen":
            reopens = t.event
        elif e.kind == "zone":
            if e.actor is None:
                self.problem((*loc, "actor"), "a zone event needs the actor that takes the area")
            if t.place is not None:
                area = self.place_or_area(t.place, (*tloc, "place"), t.place)
                zone = area.geometry() if area is not None else None
            else:
                zone = self.polygon(t.polygon, t.geojson, tloc)
            if zone is None:
                if t.place is None and t.polygon is None and t.geojson is None:
                    self.problem(
                        tloc, "a zone event's target is a polygon, a geojson file or a place"
                    )
                return None
        elif e.kind == "population":
            if t.place is None or e.value is None:
                self.problem(loc, "a population event needs target {place: id} and value")
                return None
            if t.place not in self.places:
                self.problem((*tloc, "place"), f"no place with id {t.place!r}")
                return None
            place = t.place
        what = e.summary or _describe(e)
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
            what=what,
            plan=plan,
        )


def _describe(e: EventSpec) -> str:
    t = e.target
    if e.kind == "population":
        return f"population of {t.place}: {e.value:,}" if e.value is not None else "population"
    if e.kind == "reopen" and t.event:
        return f"reopens {t.event}"
    if t.ref:
        where = f"{t.ref} between {' and '.join(str(b) if isinstance(b, str) else (b.name or 'area') for b in (t.between or []))}"
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
    verb = {"close": "closes", "reopen": "reopens", "zone": "takes"}[e.kind]
    return f"{verb} {where}"


def _source_from(spec: SourceSpec, key: str) -> Source:
    return Source(
        key=key, outlet=spec.outlet, title=spec.title, date=str(spec.date or ""), url=spec.url
    )


def _coords(geom: BaseGeometry) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in shapely.get_coordinates(geom)]


def _overlap_in_time(a: Zone, b: Zone) -> bool:
    a0, a1 = a.start or dt.date.min, a.end or dt.date.max
    b0, b1 = b.start or dt.date.min, b.end or dt.date.max
    return a0 < b1 and b0 < a1


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; raises ScenarioError listing every problem found."""
    path = Path(path)
    data, lines = _read_yaml(path)
    if not isinstance(data, dict):
        msg = f"{path}:1: a scenario is a YAML mapping starting with `corridor: 1`"
        raise ScenarioError(msg)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(exc, path, lines)
        problems += _semantic_problems_of_the_rest(data, path, lines, exc)
        raise _scenario_error(path, problems) from None
    return _Builder(spec, path, lines).build()


_LIST_ITEMS: dict[str, type[BaseModel]] = {
    "places": PlaceSpec,
    "sides": SideSpec,
    "actors": ActorSpec,
    "zones": ZoneSpec,
    "movers": MoverSpec,
    "events": EventSpec,
    "plans": PlanSpec,
    "closures": ClosureSpec,
}


def _semantic_problems_of_the_rest(
    data: dict[str, Any], path: Path, lines: _Lines, exc: ValidationError
) -> list[str]:
    """Set aside the list items and optional keys that failed validation and check the rest,
    so that a file's problems of every kind (types, unknown ids, polygons, ...) are reported
    together."""
    required = {k for k, f in ScenarioSpec.model_fields.items() if f.is_required()}
    bad_top = {
        str(e["loc"][0])
        for e in exc.errors()
        if e["loc"] and str(e["loc"][0]) not in _LIST_ITEMS and str(e["loc"][0]) not in required
    }
    lenient = {k: v for k, v in data.items() if k not in bad_top}
    index_map: dict[str, list[int]] = {}
    set_aside: set[str] = set()
    for key, model in _LIST_ITEMS.items():
        items = data.get(key)
        if not isinstance(items, list):
            continue
        kept = []
        for i, item in enumerate(items):
            try:
                model.model_validate(item)
            except ValidationError:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    set_aside.add(item["id"])
                continue
            kept.append(i)
        lenient[key] = [items[i] for i in kept]
        index_map[key] = kept
    try:
        spec = ScenarioSpec.model_validate(lenient)
    except ValidationError:
        return []  # a top-level key is wrong: the problems already found are all we can say
    try:
        _Builder(spec, path, lines, index_map, set_aside).build()
    except ScenarioError as exc:
        return exc.problems
    return []


def _scenario_error(path: Path, problems: list[str]) -> ScenarioError:
    n = len(problems)
    msg = problems[0] + (
        f" (and {n - 1} more problem(s); run `corridor scenario validate {path}`)" if n > 1 else ""
    )
    return ScenarioError(msg, problems)
