"""Default speeds, lanes and capacities per OSM road class, each value with its source.

One table, used by every network builder through :func:`road_defaults` (the OSM and GeoJSON
builder in :mod:`corridor.network.ways`, the networkx reader in :mod:`corridor.network.nx`). ``maxspeed``,
``lanes`` and ``width`` tags override the defaults. Values marked *(unverified)* or
*(assumption)* are labelled so here and in ``docs/defaults.md``.

Rules (see ``docs/defaults.md``):

- speed: the ``maxspeed`` tag when it parses; else, as OSMnx's ``add_edge_speeds`` does, the mean
  of the tagged speeds of the same road class in the same network; else ``SPEED_KPH`` below.
- lanes per direction: ``lanes:forward`` / ``lanes:backward`` when tagged; else ``lanes`` (all of
  it on a one-way road, half of it, at least 1, on a two-way road); else ``LANES_PER_DIRECTION``.
- vehicle capacity (persons per hour, one direction) = lanes x ``VEH_PER_LANE_HOUR`` x
  ``PERSONS_PER_VEHICLE``.
- foot capacity (persons per hour, one direction) = ``WIDTH_M`` x ``PEDESTRIAN_FLOW_P_PER_M_S``
  x 3600 / 2 (the width is shared by both directions).
- tag values outside ``TAG_RANGES`` are clamped to them (:func:`clamp_tag`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from corridor.model.network import Mover, StrColumn

# --- speeds (km/h) ------------------------------------------------------------------------------
# The time model is OSRM's car profile (Project-OSRM/osrm-backend ``profiles/car.lua`` and
# ``profiles/lib/way_handlers.lua``, as shipped in osrm-bindings 26.10.0), the router under
# openrouteservice and most humanitarian routing tools. Class speeds of the road classes it drives:
# car.lua ``speeds.highway``. track and the classes no car drives (offroad and ``all`` movers):
# osmnxr ``speeds.R`` (https://rdrr.io/cran/osmnxr/src/R/speeds.R).
SPEED_KPH: Final[dict[str, float]] = {
    "motorway": 90.0,  # car.lua
    "motorway_link": 45.0,
    "trunk": 85.0,
    "trunk_link": 40.0,
    "primary": 65.0,
    "primary_link": 30.0,
    "secondary": 55.0,
    "secondary_link": 25.0,
    "tertiary": 40.0,
    "tertiary_link": 20.0,
    "unclassified": 25.0,
    "residential": 25.0,
    "living_street": 10.0,
    "service": 15.0,  # car.lua (to here)
    "track": 20.0,  # osmnxr (from here)
    "cycleway": 15.0,
    "footway": 5.0,
    "path": 5.0,
    "pedestrian": 5.0,
    "steps": 2.0,
}
FALLBACK_SPEED_KPH: Final[float] = 40.0  # osmnxr fallback
# The classes car.lua drives (its ``speeds.highway``, winter and ice roads aside): where three
# or more of these meet, a turn costs (corridor.analysis.turns), as OSRM's junctions count them.
OSRM_CAR_CLASSES: Final[frozenset[str]] = frozenset(list(SPEED_KPH)[:14])

# Walking speed for the foot and walkers movers: FHWA design walking speed 1.2 m/s
# (https://www.fhwa.dot.gov/publications/research/safety/pedbike/98107/section2.cfm).
WALK_SPEED_KPH: Final[float] = 1.2 * 3.6

# Tagged speed limits (car.lua, ``WayHandlers.maxspeed``): the first of ``maxspeed:advisory``,
# ``maxspeed``, ``source:maxspeed``, ``maxspeed:type`` (each ``:forward``/``:backward`` first) sets
# the speed, times ``SPEED_REDUCTION``: drivers keep below the limit on average. Zone values such as
# ``FR:rural`` come from ``MAXSPEED_ZONE`` (car.lua ``maxspeed_table``, the exceptions), else
# ``MAXSPEED_ZONE_DEFAULT`` by the part after the colon (car.lua ``maxspeed_table_default``).
SPEED_REDUCTION: Final[float] = 0.8
MAXSPEED_ZONE_DEFAULT: Final[dict[str, float]] = {
    "urban": 50.0,
    "rural": 90.0,
    "trunk": 110.0,
    "motorway": 130.0,
}
_MPH: Final[float] = 1609.0 / 1000.0  # car.lua's own conversion for the British zones
MAXSPEED_ZONE: Final[dict[str, float]] = {
    "at:rural": 100.0,
    "at:trunk": 100.0,
    "ar:urban": 40.0,
    "ar:rural": 110.0,
    "be:motorway": 120.0,
    "be-bru:rural": 70.0,
    "be-bru:urban": 30.0,
    "be-vlg:rural": 70.0,
    "bg:motorway": 140.0,
    "by:urban": 60.0,
    "by:motorway": 110.0,
    "ca-on:rural": 80.0,
    "ch:rural": 80.0,
    "ch:trunk": 100.0,
    "ch:motorway": 120.0,
    "de:living_street": 7.0,
    "de:rural": 100.0,
    "de:motorway": 0.0,  # no limit: the class speed applies
    "dk:rural": 80.0,
    "es:trunk": 90.0,
    "fr:rural": 80.0,
    "gb:nsl_single": 60 * _MPH,
    "gb:nsl_dual": 70 * _MPH,
    "gb:motorway": 70 * _MPH,
    "lv:living_street": 20.0,
    "nl:rural": 80.0,
    "nl:trunk": 100.0,
    "no:rural": 80.0,
    "no:motorway": 110.0,
    "ph:urban": 40.0,
    "ph:rural": 80.0,
    "ph:motorway": 100.0,
    "pl:rural": 100.0,
    "pl:expressway": 120.0,
    "pl:motorway": 140.0,
    "ro:trunk": 100.0,
    "ru:living_street": 20.0,
    "ru:urban": 60.0,
    "ru:motorway": 110.0,
    "uk:nsl_single": 60 * _MPH,
    "uk:nsl_dual": 70 * _MPH,
    "uk:motorway": 70 * _MPH,
    "za:urban": 60.0,
    "za:rural": 100.0,
    "none": 140.0,
}

# Upper speeds by surface, tracktype and smoothness (car.lua ``surface_speeds``,
# ``tracktype_speeds``, ``smoothness_speeds``; ``WayHandlers.surface`` takes the least of them and
# the speed above). car.lua: "values were estimated from looking at the photos at the relevant wiki
# pages". Surfaces without an entry (asphalt, concrete, paved) do not limit.
SURFACE_SPEED_KPH: Final[dict[str, float]] = {
    "cement": 80.0,
    "compacted": 80.0,
    "fine_gravel": 80.0,
    "paving_stones": 60.0,
    "metal": 60.0,
    "bricks": 60.0,
    "grass": 40.0,
    "wood": 40.0,
    "sett": 40.0,
    "grass_paver": 40.0,
    "gravel": 40.0,
    "unpaved": 40.0,
    "ground": 40.0,
    "dirt": 40.0,
    "pebblestone": 40.0,
    "tartan": 40.0,
    "cobblestone": 30.0,
    "clay": 30.0,
    "earth": 20.0,
    "stone": 20.0,
    "rocky": 20.0,
    "sand": 20.0,
    "laterite": 15.0,
    "mud": 10.0,
    "ice": 20.0,
    "snow": 30.0,
}
TRACKTYPE_SPEED_KPH: Final[dict[str, float]] = {
    "grade1": 60.0,
    "grade2": 40.0,
    "grade3": 30.0,
    "grade4": 25.0,
    "grade5": 20.0,
}
SMOOTHNESS_SPEED_KPH: Final[dict[str, float]] = {
    "intermediate": 80.0,
    "bad": 40.0,
    "very_bad": 20.0,
    "horrible": 10.0,
    "very_horrible": 5.0,
    # car.lua's ``impassable = 0`` makes the way unroutable; corridor keeps the way (its filters
    # are OSMnx's) at walking pace rather than an infinite time
    "impassable": 5.0,
}

# --- delays at nodes (seconds, vehicles) ---------------------------------------------------------
# car.lua with ``lib/obstacles.lua``: a traffic signal costs 2 s (``traffic_signal_penalty``), a
# stop sign 2 s, a give-way sign 1 s, a gate or lift gate 60 s (``barrier_penalties``); a crossing
# (``highway=crossing``) is an obstacle of duration 0 for cars. Added to every edge that enters
# the node.
NODE_DELAY_S: Final[dict[str, float]] = {
    "highway=traffic_signals": 2.0,
    "highway=stop": 2.0,
    "highway=give_way": 1.0,
    "highway=crossing": 0.0,
    "barrier=gate": 60.0,
    "barrier=lift_gate": 60.0,
}

# --- turns: the turn costs of OSRM's car profile are in corridor.analysis.turns (the analysis
# layer, which reads no io module, applies them to paths); docs/defaults.md lists them too.

# --- lanes per direction and vehicles per lane-hour ----------------------------------------------
# Source: MATSim OsmNetworkReader defaults (matsim-org/matsim-libs, OsmNetworkReader.java
# constructor): lanes per direction and vehicles per lane-hour. service/track: osm2gmns defaults
# (fillLinkAttributesWithDefaultValues docs).
LANES_PER_DIRECTION: Final[dict[str, float]] = {
    "motorway": 2.0,
}
DEFAULT_LANES_PER_DIRECTION: Final[float] = 1.0

VEH_PER_LANE_HOUR: Final[dict[str, float]] = {
    "motorway": 2000.0,
    "motorway_link": 1500.0,
    "trunk": 2000.0,
    "trunk_link": 1500.0,
    "primary": 1500.0,
    "primary_link": 1500.0,
    "secondary": 1000.0,
    "secondary_link": 1000.0,
    "tertiary": 600.0,
    "tertiary_link": 600.0,
    "unclassified": 600.0,
    "residential": 600.0,
    "living_street": 300.0,
    "service": 800.0,
    "track": 800.0,
}
FALLBACK_VEH_PER_LANE_HOUR: Final[float] = 600.0  # MATSim's value for minor roads

# Persons per evacuating vehicle. Source: Mariupol humanitarian corridor, March 2022 (reported
# people / cars: 15 Mar ~5.0, 16 Mar ~4.4, 18 Mar ~3.0; Agenzia Nova, LB.ua, 061.ua); 4.0 is
# their rounded mean. Peacetime evacuation studies assume 2-2.5 (unverified, NUREG/CR-7002).
PERSONS_PER_VEHICLE: Final[float] = 4.0

# --- pedestrians ---------------------------------------------------------------------------------
# Maximum specific flow 1.3 persons per metre of width per second: IMO MSC.1/Circ.1238
# (https://www.imorules.com/GUID-988C5148-AFCB-414E-927E-88242C265E57.html).
PEDESTRIAN_FLOW_P_PER_M_S: Final[float] = 1.3

# Usable width in metres per road class, both directions together. (assumption): typical
# carriageway widths, lanes x 3.5 m for roads, 2 m for footways, 1.5 m for paths and steps.
WIDTH_M: Final[dict[str, float]] = {
    "motorway": 14.0,
    "trunk": 10.5,
    "primary": 7.0,
    "secondary": 7.0,
    "tertiary": 6.0,
    "unclassified": 5.0,
    "residential": 5.0,
    "living_street": 4.0,
    "service": 3.5,
    "track": 3.0,
    "pedestrian": 6.0,
    "footway": 2.0,
    "cycleway": 2.0,
    "path": 1.5,
    "steps": 1.5,
    "bridleway": 2.0,
}
FALLBACK_WIDTH_M: Final[float] = 3.0

# --- plausible ranges of tag-derived values ------------------------------------------------------
# Tags are written by anyone: ``lanes=1e300`` or ``maxspeed=99999999999999999999999`` would give a
# capacity beyond int64 or a travel time of 0 s. A parsed ``maxspeed``, ``lanes`` (and
# ``lanes:forward``/``lanes:backward``) or ``width`` outside its range is clamped to it, left out
# of the class means, and counted in ``network.meta["tags_clamped"]`` (docs/defaults.md).
TAG_RANGES: Final[dict[str, tuple[float, float]]] = {
    # walking pace (``maxspeed=walk``) to above every posted limit in the world (the highest are
    # 160 km/h; Autobahns without a limit are tagged ``none``)
    "maxspeed": (5.0, 200.0),
    # lanes of a road (both directions, or one with ``lanes:forward``): the widest motorways carry
    # about 20 to 26 across both directions
    "lanes": (1.0, 30.0),
    # metres: a narrow path to the widest avenues (about 140 m across)
    "width": (0.5, 150.0),
}


def class_speed_kph(highway: str) -> float:
    """Default speed of a road class in km/h."""
    return SPEED_KPH.get(_base_class(highway), FALLBACK_SPEED_KPH)


def class_lanes_per_direction(highway: str) -> float:
    """Default lanes per direction of a road class."""
    return LANES_PER_DIRECTION.get(_base_class(highway), DEFAULT_LANES_PER_DIRECTION)


def class_veh_per_lane_hour(highway: str) -> float:
    """Vehicles per lane and hour of a road class."""
    return VEH_PER_LANE_HOUR.get(_base_class(highway), FALLBACK_VEH_PER_LANE_HOUR)


def class_width_m(highway: str) -> float:
    """Usable width of a road class in metres, both directions together."""
    return WIDTH_M.get(_base_class(highway), FALLBACK_WIDTH_M)


def _base_class(highway: str) -> str:
    # "primary;secondary" style lists (from simplified graphs) use their first class.
    return highway.split(";")[0].strip() if highway else ""


def clamp_tag(
    key: str, values: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Tag values clamped to ``TAG_RANGES[key]``, and where they were outside it (NaN stays NaN).

    Examples
    --------
    >>> v, out = clamp_tag("lanes", np.array([2.0, 1e300, np.nan, 0.5]))
    >>> v.tolist()[:2], out.tolist()
    ([2.0, 30.0], [False, True, False, True])
    """
    lo, hi = TAG_RANGES[key]
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        outside = (values < lo) | (values > hi)
    return np.clip(values, lo, hi), outside


def split_lanes(total: NDArray[np.float64], *, two_way: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Lanes per direction from a ``lanes`` tag (both directions): all of it on a one-way road,
    half of it (rounded down, at least 1) on a two-way road. NaN stays NaN.

    Examples
    --------
    >>> split_lanes(np.array([4.0, 3.0, 1.0, 2.0]), two_way=np.array([True, True, True, False]))
    array([2., 1., 1., 2.])
    """
    return np.where(two_way, np.maximum(np.floor(total / 2.0), 1.0), total)


@dataclass(frozen=True)
class RoadDefaults:
    """Per-edge values of :func:`road_defaults`."""

    speed_kph: NDArray[np.float64]
    """The class's default speed (the walking speed for ``foot``); tags and graphs may override."""
    lanes: NDArray[np.float64]
    """Lanes per direction: the given value where finite, else the class default."""
    capacity_pph: NDArray[np.int64]
    """Persons per hour in the edge's direction, from ``lanes`` (vehicles) or the width (foot)."""


def road_defaults(
    highway: StrColumn,
    mover: Mover | str,
    *,
    lanes: NDArray[np.float64] | None = None,
    width_m: NDArray[np.float64] | None = None,
    persons_per_vehicle: float = PERSONS_PER_VEHICLE,
) -> RoadDefaults:
    """Default speed, lanes per direction and capacity of every edge, from its road class.

    The one place the class tables become per-edge values: the tables are read once per distinct
    class, then indexed by the edges' class codes.

    Parameters
    ----------
    highway
        The edges' road classes as (distinct classes, class code per edge).
    mover
        ``foot`` and ``walkers`` walk at :data:`WALK_SPEED_KPH` and their capacity follows the width; the vehicle
        movers' capacity follows the lanes.
    lanes
        Lanes per direction from tags (NaN where untagged); the class default fills the gaps.
    width_m
        Width from tags in metres (NaN where untagged); the class default fills the gaps.
    persons_per_vehicle
        Persons per evacuating vehicle.

    Returns
    -------
    RoadDefaults
        Speed in km/h, lanes per direction and capacity in persons per hour, one value per edge.

    Examples
    --------
    >>> d = road_defaults((("motorway", "residential"), np.array([0, 1, 1])), "car")
    >>> d.speed_kph.tolist(), d.lanes.tolist(), d.capacity_pph.tolist()
    ([90.0, 25.0, 25.0], [2.0, 1.0, 1.0], [16000, 2400, 2400])
    >>> road_defaults((("footway",), np.array([0])), "foot").capacity_pph.tolist()
    [4680]
    """
    mover = Mover(mover)
    classes, codes = highway
    codes = np.asarray(codes)
    n = len(codes)

    def per_edge(table: list[float]) -> NDArray[np.float64]:
        return np.array(table, dtype=np.float64)[codes] if n else np.zeros(0)

    if mover.on_foot:
        speed = np.full(n, WALK_SPEED_KPH)
    else:
        speed = per_edge([class_speed_kph(c) for c in classes])
    # given values are clamped to TAG_RANGES here too, for callers (a networkx graph) that did not
    given_lanes = np.full(n, np.nan) if lanes is None else clamp_tag("lanes", lanes)[0]
    lanes_out = np.where(
        np.isfinite(given_lanes),
        given_lanes,
        per_edge([class_lanes_per_direction(c) for c in classes]),
    )
    if mover.on_foot:
        given_width = np.full(n, np.nan) if width_m is None else clamp_tag("width", width_m)[0]
        width = np.where(
            np.isfinite(given_width), given_width, per_edge([class_width_m(c) for c in classes])
        )
        pph = width * PEDESTRIAN_FLOW_P_PER_M_S * 3600.0 / 2.0
    else:
        vph = per_edge([class_veh_per_lane_hour(c) for c in classes])
        pph = lanes_out * vph * persons_per_vehicle
    return RoadDefaults(
        speed_kph=speed, lanes=lanes_out, capacity_pph=np.rint(pph).astype(np.int64)
    )
