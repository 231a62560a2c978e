"""The scenario file's wire format: pydantic models, one per kind of item.

Field names and aliases are the keys users write, so they are a contract: renaming one breaks
their files. Unknown keys are errors (``extra="forbid"``). ``scenario_json_schema()`` gives the
JSON Schema that ``docs/scenario.schema.json`` holds, for editors.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from corridor.text import shown

LonLat = Annotated[list[float], Field(min_length=2, max_length=2)]

# Plausible ranges of numbers (docs/scenario-format.md, "Limits"); NaN and infinities are refused
# everywhere (``allow_inf_nan=False``).
MAX_RADIUS_M = 20_000_000
"""Half the Earth's circumference: no circle on it is wider."""
MAX_POPULATION = 10_000_000_000
"""More people than live on Earth."""
MAX_SPEED_FACTOR = 10.0
MIN_FACTOR = 0.001
"""The least speed or capacity factor (a mover's, a restriction's): a road at a thousandth of
its capacity or speed is closed in all but name (a capacity that rounds to 0 persons/h, travel
times of centuries); write a `close` instead."""
MAX_CAPACITY_FACTOR = 100.0
MAX_PERSONS_PER_VEHICLE = 100.0
"""A crowded truck or bus; more is a typo."""
MAX_NAME_LENGTH = 200
MAX_DATE_UNCERTAINTY_DAYS = 36_525
"""A century either way: more is a typo."""

MAX_RATE_PPH = 10_000_000
"""Persons per hour through one checkpoint: more is a typo."""

MAX_TEXT_LENGTH = 20_000
"""Characters in an event's or a closure's ``quote``, ``summary`` or ``notes``: a quote is a
passage, not the article (a few pages of text; link the article in its source)."""
MAX_TARGET_WAYS = 10_000
"""OSM ways in one target's ``ways``: more is a whole region, which an area target says better."""
MAX_POLYGON_POINTS = 50_000
"""Vertices of one inline target ``polygon`` (a larger outline belongs in a ``geojson:`` file)."""

Text = Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]

RadiusM = Annotated[float, Field(gt=0, le=MAX_RADIUS_M)]
Population = Annotated[int, Field(ge=0, le=MAX_POPULATION)]
WayId = Annotated[int, Field(ge=-(2**63 - 1), le=2**63 - 1)]
"""An OSM way id (GeoJSON networks number features without one -1, -2, ...)."""

_DATE_LIKE = re.compile(r"\s*([+-]?\d+)-(\d+)-(\d+)\s*")
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")


FIRST_DAY = dt.date(1000, 1, 1)
LAST_DAY = dt.date(8999, 12, 31)
"""The dates a scenario may name: far enough inside Python's years 1 to 9999 that a date drawn
within its uncertainty (at most 100 years) or a chart's margin never leaves them."""


def _in_range(v: dt.date) -> dt.date:
    if not FIRST_DAY <= v <= LAST_DAY:
        msg = f"date {v.isoformat()} is outside the years corridor reads ({FIRST_DAY.year} to {LAST_DAY.year})"
        raise ValueError(msg)
    return v


Day = Annotated[dt.date, AfterValidator(_in_range)]
"""A date of a scenario (``YYYY-MM-DD``) within :data:`FIRST_DAY` to :data:`LAST_DAY`."""


_HOURS = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")


def parse_hours(text: str) -> tuple[int, int]:
    """Daily hours ``"HH:MM-HH:MM"`` as minutes after midnight, ``[start, end)``; the end may be
    ``24:00``. Raises ValueError saying what is wrong.

    Examples
    --------
    >>> parse_hours("10:00-14:00")
    (600, 840)
    >>> parse_hours("09:00-24:00")
    (540, 1440)
    """
    m = _HOURS.fullmatch(text)
    if m is None:
        msg = f"hours {shown(text)} are not HH:MM-HH:MM (24 h), e.g. 10:00-14:00"
        raise ValueError(msg)
    h0, m0, h1, m1 = (int(g) for g in m.groups())
    if h0 > 23 or m0 > 59 or h1 > 24 or m1 > 59 or (h1 == 24 and m1 > 0):
        msg = f"hours {shown(text)} name a time that does not exist (00:00 to 24:00)"
        raise ValueError(msg)
    start, end = h0 * 60 + m0, h1 * 60 + m1
    if end <= start:
        msg = (
            f"hours {shown(text)} are empty or run past midnight; give start before end, and "
            "split a night into two items (22:00-24:00 and 00:00-06:00)"
        )
        raise ValueError(msg)
    return start, end


def _hours_ok(v: str | None) -> str | None:
    if v is not None:
        parse_hours(v)
    return v


HoursField = Annotated[str | None, AfterValidator(_hours_ok)]
"""Daily hours ``"HH:MM-HH:MM"`` (:func:`parse_hours`)."""
Factor = Annotated[float, Field(ge=MIN_FACTOR, le=1)]
"""A factor in [0.001, 1]: what a restriction multiplies a road's capacity or speed by."""


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class SourceSpec(_Spec):
    """A source: outlet, title, date and URL (any of them)."""

    outlet: str = ""
    title: str = ""
    date: dt.date | str | None = None
    url: str = ""
    notes: str = ""

    @field_validator("date")
    @classmethod
    def _real_date(cls, v: dt.date | str | None) -> dt.date | str | None:
        # free text ("October 2016") is kept; what looks like YYYY-MM-DD must be a date
        m = _DATE_LIKE.fullmatch(v) if isinstance(v, str) else None
        if m is not None:
            try:
                dt.date(*(int(g) for g in m.groups()))
            except (ValueError, OverflowError) as exc:
                msg = f"date {shown(v)} does not exist ({exc}); write YYYY-MM-DD or free text"
                raise ValueError(msg) from None
        return v


SourceField = str | list[str] | SourceSpec


class AreaSpec(_Spec):
    """An area: a point ([lon, lat]) with radius_m, a polygon ring, or a GeoJSON file."""

    name: str | None = None
    point: LonLat | None = None
    radius_m: RadiusM | None = None
    polygon: list[LonLat] | None = None
    geojson: str | None = None


class ExitSpec(AreaSpec):
    """An exit with its kind: a place (``place: id``) or an inline area, and ``kind``:
    ``refuge`` (movers are safe or out there: the default) or ``waypoint`` (a place on the way,
    itself inside the fighting)."""

    place: str | None = None
    kind: Literal["refuge", "waypoint"] = "refuge"


ExitField = str | ExitSpec
"""An exit: a place id (a refuge), or an :class:`ExitSpec`."""


class PlaceSpec(AreaSpec):
    id: str
    name: str | None = None
    aliases: list[str] = []
    population: Population | None = None
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
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None
    polygon: list[LonLat] | None = None
    geojson: str | None = None
    source: SourceField | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    notes: str = ""
    boundary_uncertainty_m: float = Field(default=0.0, ge=0, le=MAX_RADIUS_M)


class MoverSpec(_Spec):
    id: str
    name: str = ""
    base: Literal["car", "foot", "walkers", "offroad", "all"] = "car"
    side: str | None = None
    blocked_by: list[str] | None = None
    exits: list[ExitField] | None = None
    origin: str | AreaSpec | None = None
    speed_factor: float = Field(default=1.0, ge=MIN_FACTOR, le=MAX_SPEED_FACTOR)
    capacity_factor: float = Field(default=1.0, ge=MIN_FACTOR, le=MAX_CAPACITY_FACTOR)
    persons_per_vehicle: float | None = Field(default=None, ge=1, le=MAX_PERSONS_PER_VEHICLE)
    population: Population | str | None = None
    source: SourceField | None = None
    notes: str = ""


class TargetSpec(_Spec):
    """What an event acts on: ways, a road by ref or by name (every way of it, or its run
    between two places), a point and radius, a polygon, a place, or (for ``reopen``) the event
    whose closure it undoes."""

    way: WayId | None = None
    ways: list[WayId] | None = Field(default=None, max_length=MAX_TARGET_WAYS)
    ref: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)
    between: list[str | AreaSpec] | None = Field(default=None, min_length=2, max_length=2)
    point: LonLat | None = None
    radius_m: RadiusM | None = None
    polygon: list[LonLat] | None = Field(default=None, max_length=MAX_POLYGON_POINTS)
    geojson: str | None = None
    place: str | None = None
    event: str | None = None
    checkpoint: str | None = None


class CheckpointSpec(_Spec):
    """A checkpoint: where (a point and radius, or a place id), who holds it, how many persons
    per hour it lets through, its daily hours, the movers it stops, and its validity."""

    id: str
    name: str = ""
    at: str | AreaSpec
    actor: str | None = None
    rate_pph: float = Field(gt=0, le=MAX_RATE_PPH)
    hours: HoursField = None
    movers: list[str] | None = None
    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None
    source: SourceField | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    notes: str = ""


class EventSpec(_Spec):
    id: str
    date: Day
    time: str | None = None
    actor: str | None = None
    kind: Literal["close", "reopen", "zone", "population", "window", "restrict"]
    target: TargetSpec
    value: Population | None = None
    movers: list[str] | None = None
    confidence: float = Field(ge=0, le=1)
    source: SourceField
    summary: Text = ""
    quote: Text = ""
    notes: Text = ""
    group: str | None = None
    date_uncertainty_days: float = Field(default=0.0, ge=0, le=MAX_DATE_UNCERTAINTY_DAYS)
    until: Day | None = None
    hours: HoursField = None
    capacity_factor: Factor | None = None
    speed_factor: Factor | None = None

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
    start: Day
    drop: list[str] = []
    add: list[EventSpec] = []
    source: SourceField | None = None
    notes: str = ""


class ClosureSpec(TargetSpec):
    """A closure in force for the whole scenario (the core format's ``closures``)."""

    source: SourceField | None = None
    date: Day | None = None
    actor: str | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    quote: Text = ""
    notes: Text = ""
    movers: list[str] | None = None


class NetworkSpec(_Spec):
    osm: str | None = None
    geojson: str | None = None


class ScenarioSpec(_Spec):
    """A corridor scenario file (``corridor: 1``)."""

    corridor: Literal[1]
    name: str = Field(
        json_schema_extra={"pattern": r"^[^/\\\u0000-\u001f\u007f]+$"},
        min_length=1,
        max_length=MAX_NAME_LENGTH,
    )
    title: str = ""
    description: str = ""
    start: Day | None = None
    end: Day | None = None
    network: NetworkSpec
    mover: str = "car"
    origin: str | AreaSpec
    exits: list[ExitField] = Field(min_length=1)
    closures: list[ClosureSpec] = []
    population: Population | str | None = None
    sources: dict[str, SourceSpec] = {}
    places: list[PlaceSpec] = []
    sides: list[SideSpec] = []
    actors: list[ActorSpec] = []
    zones: list[ZoneSpec] = []
    movers: list[MoverSpec] = []
    events: list[EventSpec] = []
    plans: list[PlanSpec] = []
    checkpoints: list[CheckpointSpec] = []
    include: list[str] = Field(
        default=[],
        description="YAML fragments (zones, events, places, sides, actors, closures, plans, "
        "sources) read as if written here, relative to this file",
    )

    @field_validator("name")
    @classmethod
    def _name_is_data(cls, v: str) -> str:
        # names become output file names elsewhere: no path, no control characters
        if _UNSAFE_NAME.search(v) or v.strip(". ") == "":
            msg = (
                f"name {v!r} holds a path separator (/ or \\), a control character, or only dots "
                "and spaces; it names output files: use letters, digits, - and _"
            )
            raise ValueError(msg)
        return v


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
    "checkpoints": (CheckpointSpec, "checkpoint"),
}
