"""OSM tag rules: which ways each mover keeps, which way they run, their speed and lanes.

The filters reproduce OSMnx 2's Overpass filters (``osmnx._overpass._get_network_filter``) with
Overpass semantics: ``["k"!~"a|b"]`` drops a way whose value of ``k`` *contains* a match of the
regular expression (unanchored, as Overpass does), and keeps ways without the key.

- ``car``: OSMnx ``network_type="drive"``: highway present; ``area`` !~ yes; ``access`` !~ private;
  ``highway`` !~ abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|
  escalator|footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|
  services|steps|track; ``motor_vehicle`` !~ no; ``motorcar`` !~ no; ``service`` !~ alley|driveway|
  emergency_access|parking|parking_aisle|private.
- ``foot``: OSMnx ``network_type="walk"``: highway present; ``area`` !~ yes; ``access`` !~ private;
  ``highway`` !~ abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|
  raceway|razed|rest_area|services; ``foot`` !~ no; ``service`` !~ private; ``sidewalk``,
  ``sidewalk:both``, ``sidewalk:left``, ``sidewalk:right`` !~ separate.
- ``offroad``: ``car`` with ``highway=track`` allowed.
- ``all``: every way with a ``highway`` tag.
- ``walkers`` (evacuation on foot): ``foot``, plus every trunk, trunk_link, primary and
  primary_link way whatever its ``foot`` and ``sidewalk`` tags (``area`` !~ yes and ``access`` !~
  private still apply); motorways stay out, as in ``foot``.

One-way rules (vehicle movers; ``foot`` ignores them, as OSMnx's bidirectional walk network does):
``oneway`` in yes|true|1 runs along the node order; -1|reverse against it (OSMnx also reads the
legacy T/F values, and so does corridor); ``junction=roundabout`` or ``circular`` and
``highway=motorway`` are one-way by implication as the OSM wiki documents (Key:oneway), unless
``oneway=no`` says otherwise. OSMnx implies one-way on roundabouts only, and even with
``oneway=no``; these rules (motorway, circular, ``oneway=no`` on a roundabout) are the places
corridor differs from it, on purpose.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from corridor.model.network import Mover
from corridor.network import defaults

# Keys a builder needs to keep from each way.
KEYS: tuple[str, ...] = (
    "highway",
    "area",
    "access",
    "motor_vehicle",
    "motorcar",
    "service",
    "foot",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "oneway",
    "junction",
    "maxspeed",
    "maxspeed:forward",
    "maxspeed:backward",
    "maxspeed:advisory",
    "maxspeed:advisory:forward",
    "maxspeed:advisory:backward",
    "source:maxspeed",
    "source:maxspeed:forward",
    "source:maxspeed:backward",
    "maxspeed:type",
    "maxspeed:type:forward",
    "maxspeed:type:backward",
    "surface",
    "tracktype",
    "smoothness",
    "lanes",
    "lanes:forward",
    "lanes:backward",
    "name",
    "ref",
    "width",
)

_Rule = tuple[str, "re.Pattern[str]"]


def _rules(*pairs: tuple[str, str]) -> tuple[_Rule, ...]:
    return tuple((k, re.compile(v)) for k, v in pairs)


_COMMON = (("area", "yes"), ("access", "private"))
_DRIVE_EXCLUDED_HIGHWAY = (
    "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|footway|"
    "no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|services|steps"
)
_DRIVE_TAIL = (
    ("motor_vehicle", "no"),
    ("motorcar", "no"),
    ("service", "alley|driveway|emergency_access|parking|parking_aisle|private"),
)

FILTERS: dict[Mover, tuple[_Rule, ...]] = {
    Mover.CAR: _rules(*_COMMON, ("highway", _DRIVE_EXCLUDED_HIGHWAY + "|track"), *_DRIVE_TAIL),
    Mover.OFFROAD: _rules(*_COMMON, ("highway", _DRIVE_EXCLUDED_HIGHWAY), *_DRIVE_TAIL),
    Mover.FOOT: _rules(
        *_COMMON,
        (
            "highway",
            "abandoned|bus_guideway|construction|cycleway|motor|no|planned|platform|proposed|"
            "raceway|razed|rest_area|services",
        ),
        ("foot", "no"),
        ("service", "private"),
        ("sidewalk", "separate"),
        ("sidewalk:both", "separate"),
        ("sidewalk:left", "separate"),
        ("sidewalk:right", "separate"),
    ),
    Mover.ALL: (),
}
# walkers: the walk filter, or a main road below motorways (whatever its foot and sidewalk tags)
# that passes the common rules
FILTERS[Mover.WALKERS] = FILTERS[Mover.FOOT]
WALKERS_MAIN_ROADS: frozenset[str] = frozenset({"trunk", "trunk_link", "primary", "primary_link"})
_COMMON_RULES = _rules(*_COMMON)

_OFFROAD_TRACK = re.compile("track")


def keeps(tags: Mapping[str, str], mover: Mover) -> bool:
    """Whether ``mover``'s network keeps a way with these tags."""
    if "highway" not in tags:
        return False
    if mover is Mover.WALKERS and tags["highway"] in WALKERS_MAIN_ROADS:
        return keeps(tags, Mover.ALL) and not any(
            tags.get(k) is not None and p.search(tags[k]) for k, p in _COMMON_RULES
        )
    for key, pattern in FILTERS[mover]:
        value = tags.get(key)
        if value is not None and pattern.search(value):
            return False
    return True


_FORWARD = {"yes", "true", "1", "F"}
_REVERSE = {"-1", "reverse", "T"}
_TWO_WAY = {"no", "false", "0"}


def oneway(tags: Mapping[str, str], mover: Mover) -> int:
    """Direction code: 0 two-way, 1 along the node order only, -1 against it only."""
    if not mover.honours_oneway:
        return 0
    value = tags.get("oneway")
    if value in _REVERSE:
        return -1
    if value in _FORWARD:
        return 1
    if value in _TWO_WAY:
        return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return 1
    return 0


_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", re.IGNORECASE)
_NAMED_SPEEDS = {"walk": 5.0, "living_street": 10.0}


def parse_maxspeed(value: str | None) -> float:
    """A ``maxspeed`` tag in km/h, or NaN when absent or unparseable.

    Numbers are km/h unless followed by ``mph``; ``a;b`` lists take their mean (as OSMnx does);
    ``none``, ``signals`` and country codes such as ``RU:urban`` give NaN (imputed later).
    """
    if not value:
        return math.nan
    parts = [p for p in value.split(";") if p.strip()]
    speeds = []
    for part in parts:
        m = _NUMBER.match(part)
        if m:
            v = float(m.group(1))
            if m.group(2) and m.group(2).lower() == "mph":
                v *= 1.609344
            if v > 0:
                speeds.append(v)
        elif part.strip().lower() in _NAMED_SPEEDS:
            speeds.append(_NAMED_SPEEDS[part.strip().lower()])
    return sum(speeds) / len(speeds) if speeds else math.nan


def parse_number(value: str | None) -> float:
    """A positive number tag (``lanes``, ``width``); NaN when absent or unparseable."""
    if not value:
        return math.nan
    try:
        v = float(value.split(";")[0].strip().rstrip("m").strip())
    except ValueError:
        return math.nan
    return v if v > 0 and math.isfinite(v) else math.nan


# OSRM car.lua ``WayHandlers.maxspeed``: the first of these keys (each with its ``:forward`` /
# ``:backward`` variant first) that a way carries sets its speed
DRIVE_MAXSPEED_KEYS: tuple[str, ...] = (
    "maxspeed:advisory",
    "maxspeed",
    "source:maxspeed",
    "maxspeed:type",
)
_LEADING_DIGITS = re.compile(r"\d*")
_ZONE = re.compile(r"[A-Za-z]{2}:([A-Za-z]+)")


def drive_maxspeeds(tags: Mapping[str, str]) -> tuple[float, float]:
    """The speed limits (km/h) along and against a way's node order, as OSRM's car profile reads
    them (``Tags.get_forward_backward_by_set`` then ``parse_maxspeed``); NaN where none applies.

    Examples
    --------
    >>> drive_maxspeeds({"maxspeed": "50", "maxspeed:backward": "30"})
    (50.0, 30.0)
    >>> round(drive_maxspeeds({"maxspeed": "FR:rural", "maxspeed:advisory": "30 mph"})[0], 2)
    48.27
    >>> drive_maxspeeds({"maxspeed:type": "DE:urban"}), drive_maxspeeds({"maxspeed": "signals"})
    ((50.0, 50.0), (nan, nan))
    """
    forward: str | None = None
    backward: str | None = None
    for key in DRIVE_MAXSPEED_KEYS:
        forward = forward if forward is not None else tags.get(key + ":forward")
        backward = backward if backward is not None else tags.get(key + ":backward")
        if forward is None or backward is None:
            common = tags.get(key)
            forward = forward if forward is not None else common
            backward = backward if backward is not None else common
        if forward is not None and backward is not None:
            break
    return _osrm_maxspeed(forward), _osrm_maxspeed(backward)


def _osrm_maxspeed(value: str | None) -> float:
    """car.lua ``WayHandlers.parse_maxspeed``: the leading number (``mph`` converted), else a
    zone value; NaN for none (0 included, which OSRM ignores too)."""
    if not value:
        return math.nan
    digits = _LEADING_DIGITS.match(value)
    n: float | None = float(digits.group(0)) if digits and digits.group(0) else None
    if n is not None:
        if "mph" in value or "mp/h" in value:
            n *= 1.609  # car.lua's lib/measure.lua: miles_to_kilometers
    else:
        low = value.lower()
        n = defaults.MAXSPEED_ZONE.get(low)
        if n is None:
            zone = _ZONE.search(low)
            n = defaults.MAXSPEED_ZONE_DEFAULT.get(zone.group(1), 0.0) if zone else 0.0
    return n if n > 0 else math.nan


def speed_cap(tags: Mapping[str, str]) -> float:
    """The least of the upper speeds the way's ``surface``, ``tracktype`` and ``smoothness``
    set (car.lua ``WayHandlers.surface``), inf when none does.

    >>> speed_cap({"surface": "gravel", "smoothness": "very_bad"}), speed_cap({"surface": "asphalt"})
    (20.0, inf)
    """
    cap = math.inf
    for key, table in (
        ("surface", defaults.SURFACE_SPEED_KPH),
        ("tracktype", defaults.TRACKTYPE_SPEED_KPH),
        ("smoothness", defaults.SMOOTHNESS_SPEED_KPH),
    ):
        value = tags.get(key)
        if value is not None and value in table:
            cap = min(cap, table[value])
    return cap


def node_delay_s(highway: str | None, barrier: str | None) -> float:
    """Seconds a vehicle loses at a node with these ``highway`` and ``barrier`` tags
    (``defaults.NODE_DELAY_S``, after OSRM's car profile), 0 for none.

    >>> node_delay_s("traffic_signals", None), node_delay_s(None, "gate"), node_delay_s("crossing", None)
    (2.0, 60.0, 0.0)
    """
    return max(
        defaults.NODE_DELAY_S.get(f"highway={highway}", 0.0),
        defaults.NODE_DELAY_S.get(f"barrier={barrier}", 0.0),
    )


_NO_ENTRY = frozenset({"no", "private"})


def junction_road(tags: Mapping[str, str]) -> bool:
    """Whether a way counts as a road at a junction for turn costs: a class OSRM's car profile
    drives (``defaults.OSRM_CAR_CLASSES``, service roads included, which corridor's car network
    leaves out as OSMnx does), not closed to motor vehicles."""
    if tags.get("highway") not in defaults.OSRM_CAR_CLASSES:
        return False
    return not any(tags.get(k) in _NO_ENTRY for k in ("access", "motor_vehicle", "motorcar"))
