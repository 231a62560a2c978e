"""The scenario file's wire format: pydantic models, one per kind of item.

Field names and aliases are the keys users write, so they are a contract: renaming one breaks
their files. Unknown keys are errors (``extra="forbid"``). ``scenario_json_schema()`` gives the
JSON Schema that ``docs/scenario.schema.json`` holds, for editors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


# The list keys whose items are checked one by one, so that an invalid item can be set aside and
# the rest of the file still checked; and the kind of id each item defines, if others refer to it.
LIST_ITEMS: dict[str, tuple[type[BaseModel], str | None]] = {
    "places": (PlaceSpec, "place"),
    "sides": (SideSpec, "side"),
    "actors": (ActorSpec, "actor"),
    "zones": (ZoneSpec, None),
    "movers": (MoverSpec, "mover"),
    "events": (EventSpec, "event"),
    "plans": (PlanSpec, None),
    "closures": (ClosureSpec, None),
}
