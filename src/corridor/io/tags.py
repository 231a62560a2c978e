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

_OFFROAD_TRACK = re.compile("track")


def keeps(tags: Mapping[str, str], mover: Mover) -> bool:
    """Whether ``mover``'s network keeps a way with these tags."""
    if "highway" not in tags:
        return False
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
