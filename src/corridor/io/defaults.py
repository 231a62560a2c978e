"""Default speeds, lanes and capacities per OSM road class, each value with its source.

One table, used by every network builder. ``maxspeed`` and ``lanes`` tags override the defaults.
Values marked *(unverified)* or *(assumption)* are labelled so in ``SOURCES`` and in the docs.

Rules (see ``docs/defaults.md``):

- speed: the ``maxspeed`` tag when it parses; else, as OSMnx's ``add_edge_speeds`` does, the mean
  of the tagged speeds of the same road class in the same network; else ``SPEED_KPH`` below.
- lanes per direction: ``lanes:forward`` / ``lanes:backward`` when tagged; else ``lanes`` (all of
  it on a one-way road, half of it, at least 1, on a two-way road); else ``LANES_PER_DIRECTION``.
- vehicle capacity (persons per hour, one direction) = lanes x ``VEH_PER_LANE_HOUR`` x
  ``PERSONS_PER_VEHICLE``.
- foot capacity (persons per hour, one direction) = ``WIDTH_M`` x ``PEDESTRIAN_FLOW_P_PER_M_S``
  x 3600 / 2 (the width is shared by both directions).
"""

from __future__ import annotations

from typing import Final

# --- speeds (km/h) ------------------------------------------------------------------------------
# Source: osmnxr `speeds.R` defaults (https://rdrr.io/cran/osmnxr/src/R/speeds.R), the class
# table closest to OSMnx, which itself imputes from tagged maxspeeds and has no class table.
SPEED_KPH: Final[dict[str, float]] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "track": 20.0,
    "cycleway": 15.0,
    "footway": 5.0,
    "path": 5.0,
    "pedestrian": 5.0,
    "steps": 2.0,
}
FALLBACK_SPEED_KPH: Final[float] = 40.0  # osmnxr fallback

# Walking speed for the foot mover: FHWA design walking speed 1.2 m/s
# (https://www.fhwa.dot.gov/publications/research/safety/pedbike/98107/section2.cfm).
WALK_SPEED_KPH: Final[float] = 1.2 * 3.6

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

SOURCES: Final[dict[str, str]] = {
    "speed": "osmnxr speeds.R class defaults (https://rdrr.io/cran/osmnxr/src/R/speeds.R); "
    "tagged maxspeed first, then OSMnx-style class mean imputation",
    "walk_speed": "FHWA design walking speed 1.2 m/s (FHWA-RD-98-107, section 2)",
    "lanes": "MATSim OsmNetworkReader defaults (lanes per direction)",
    "veh_per_lane_hour": "MATSim OsmNetworkReader defaults; service/track from osm2gmns",
    "persons_per_vehicle": "Mariupol corridor, March 2022: 3.0-5.0 persons per car observed "
    "(Agenzia Nova, LB.ua, 061.ua); mean rounded to 4.0",
    "pedestrian_flow": "IMO MSC.1/Circ.1238: max specific flow 1.3 persons/(m s)",
    "width": "(assumption) typical carriageway widths per class",
}


def class_speed_kph(highway: str) -> float:
    """Default speed of a road class in km/h."""
    return SPEED_KPH.get(_base_class(highway), FALLBACK_SPEED_KPH)


def class_lanes_per_direction(highway: str) -> float:
    return LANES_PER_DIRECTION.get(_base_class(highway), DEFAULT_LANES_PER_DIRECTION)


def class_veh_per_lane_hour(highway: str) -> float:
    return VEH_PER_LANE_HOUR.get(_base_class(highway), FALLBACK_VEH_PER_LANE_HOUR)


def class_width_m(highway: str) -> float:
    return WIDTH_M.get(_base_class(highway), FALLBACK_WIDTH_M)


def _base_class(highway: str) -> str:
    # "primary;secondary" style lists (from simplified graphs) use their first class.
    return highway.split(";")[0].strip() if highway else ""
