"""OSM tag rules (``corridor.network.tags``) and what the way builder makes of them.

One test per filter rule of each mover (OSMnx 2's Overpass filters, unanchored), the one-way
rules, ``maxspeed`` parsing, lanes per direction, the speed rules (``network.speed_rule`` indexes
``SPEED_RULES``) and the capacity formulas of ``corridor.network.defaults``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from corridor.model.network import SPEED_RULES, Mover, RoadNetwork, SpeedRule
from corridor.network import defaults, tags
from corridor.network.ways import WayTable, network_from_ways

CAR, FOOT, OFFROAD, ALL = Mover.CAR, Mover.FOOT, Mover.OFFROAD, Mover.ALL

DRIVE_EXCLUDED_HIGHWAY = [
    "abandoned",
    "bridleway",
    "bus_guideway",
    "construction",
    "corridor",
    "cycleway",
    "elevator",
    "escalator",
    "footway",
    "no",
    "path",
    "pedestrian",
    "planned",
    "platform",
    "proposed",
    "raceway",
    "razed",
    "rest_area",
    "service",
    "services",
    "steps",
    "track",
]
WALK_EXCLUDED_HIGHWAY = [
    "abandoned",
    "bus_guideway",
    "construction",
    "cycleway",
    "motorway",
    "motorway_link",
    "no",
    "planned",
    "platform",
    "proposed",
    "raceway",
    "razed",
    "rest_area",
    "services",
]
DRIVE_EXCLUDED_SERVICE = [
    "alley",
    "driveway",
    "emergency_access",
    "parking",
    "parking_aisle",
    "private",
]


def keeps(mover: Mover, **tag: str) -> bool:
    return tags.keeps({k.replace("__", ":"): v for k, v in tag.items()}, mover)


# ----------------------------------------------------------------------------- every mover
@pytest.mark.parametrize("mover", list(Mover), ids=str)
def test_no_highway_tag_is_never_kept(mover: Mover) -> None:
    assert not keeps(mover, name="Main Street", oneway="yes")
    assert not keeps(mover, railway="rail")


@pytest.mark.parametrize("mover", list(Mover), ids=str)
def test_a_plain_residential_street_is_kept_by_every_mover(mover: Mover) -> None:
    assert keeps(mover, highway="residential")


# ----------------------------------------------------------------------------- car
@pytest.mark.parametrize("mover", [CAR, FOOT, OFFROAD], ids=str)
def test_area_yes_is_dropped(mover: Mover) -> None:
    assert not keeps(mover, highway="pedestrian" if mover is FOOT else "primary", area="yes")
    assert keeps(mover, highway="residential", area="no")


@pytest.mark.parametrize("mover", [CAR, FOOT, OFFROAD], ids=str)
def test_access_private_is_dropped_other_access_kept(mover: Mover) -> None:
    assert not keeps(mover, highway="residential", access="private")
    # unanchored, as Overpass: a value containing "private" is dropped too
    assert not keeps(mover, highway="residential", access="private;delivery")
    for value in ("no", "destination", "permissive", "customers", "yes"):
        assert keeps(mover, highway="residential", access=value), value


@pytest.mark.parametrize("value", DRIVE_EXCLUDED_HIGHWAY)
def test_car_drops_each_excluded_highway_value(value: str) -> None:
    assert not keeps(CAR, highway=value)


@pytest.mark.parametrize(
    "value",
    [
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
        "road",
        "busway",
    ],
)
def test_car_keeps_drivable_highway_values(value: str) -> None:
    assert keeps(CAR, highway=value)


@pytest.mark.parametrize(
    ("value", "token"),
    [
        ("services", "service"),  # matched by "service" and by "services"
        ("service_road", "service"),
        ("footway;residential", "footway"),
        ("proposed_primary", "proposed"),
        ("disused_path", "path"),
        ("unknown", "no"),  # "unknown" contains "no"
    ],
)
def test_car_highway_filter_is_unanchored(value: str, token: str) -> None:
    assert token in value
    assert not keeps(CAR, highway=value)


def test_car_drops_motor_vehicle_no() -> None:
    assert not keeps(CAR, highway="residential", motor_vehicle="no")
    assert not keeps(CAR, highway="residential", motor_vehicle="agricultural;no")
    assert keeps(CAR, highway="residential", motor_vehicle="destination")
    assert keeps(FOOT, highway="residential", motor_vehicle="no")


def test_car_drops_motorcar_no() -> None:
    assert not keeps(CAR, highway="residential", motorcar="no")
    # unanchored: "unknown" contains "no", so OSMnx's Overpass filter drops it as well
    assert not keeps(CAR, highway="residential", motorcar="unknown")
    assert keeps(CAR, highway="residential", motorcar="yes")


@pytest.mark.parametrize("value", DRIVE_EXCLUDED_SERVICE)
def test_car_drops_each_excluded_service_value(value: str) -> None:
    assert not keeps(CAR, highway="residential", service=value)
    assert keeps(CAR, highway="residential", service="drive-through")


def test_car_service_filter_is_unanchored() -> None:
    # "parking" matches parking_aisle and multi-storey_parking alike
    assert not keeps(CAR, highway="residential", service="multi-storey_parking")


# ----------------------------------------------------------------------------- foot
def test_foot_drops_foot_no() -> None:
    assert not keeps(FOOT, highway="primary", foot="no")
    for value in ("yes", "designated", "use_sidepath"):
        assert keeps(FOOT, highway="primary", foot=value), value
    assert keeps(CAR, highway="primary", foot="no")


@pytest.mark.parametrize("key", ["sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right"])
def test_foot_drops_sidewalk_separate(key: str) -> None:
    assert not tags.keeps({"highway": "primary", key: "separate"}, FOOT)
    assert tags.keeps({"highway": "primary", key: "both"}, FOOT)
    assert tags.keeps({"highway": "primary", key: "separate"}, CAR)


@pytest.mark.parametrize("value", WALK_EXCLUDED_HIGHWAY)
def test_foot_drops_each_excluded_highway_value(value: str) -> None:
    # motorway and motorway_link by the unanchored "motor"
    assert not keeps(FOOT, highway=value)


@pytest.mark.parametrize(
    "value",
    [
        "footway",
        "path",
        "pedestrian",
        "steps",
        "track",
        "service",
        "bridleway",
        "corridor",
        "living_street",
        "trunk",
    ],
)
def test_foot_keeps_walkable_highway_values(value: str) -> None:
    assert keeps(FOOT, highway=value)


def test_foot_drops_service_private_only() -> None:
    assert not keeps(FOOT, highway="service", service="private")
    for value in ("driveway", "parking_aisle", "alley", "emergency_access"):
        assert keeps(FOOT, highway="service", service=value), value


def test_foot_ignores_vehicle_access_tags() -> None:
    assert keeps(FOOT, highway="residential", motorcar="no", motor_vehicle="no")


# ----------------------------------------------------------------------------- offroad, all
def test_offroad_is_car_plus_track() -> None:
    assert keeps(OFFROAD, highway="track")
    assert not keeps(CAR, highway="track")
    assert keeps(OFFROAD, highway="track", tracktype="grade5")
    # every other car rule still applies
    assert not keeps(OFFROAD, highway="track", access="private")
    assert not keeps(OFFROAD, highway="track", motor_vehicle="no")
    assert not keeps(OFFROAD, highway="track", area="yes")
    for value in set(DRIVE_EXCLUDED_HIGHWAY) - {"track"}:
        assert not keeps(OFFROAD, highway=value), value


@pytest.mark.parametrize(
    "extra",
    [
        {"highway": "proposed"},
        {"highway": "construction"},
        {"highway": "services"},
        {"highway": "pedestrian", "area": "yes"},
        {"highway": "residential", "access": "private"},
        {"highway": "service", "service": "driveway"},
        {"highway": "residential", "foot": "no", "motor_vehicle": "no"},
        {"highway": "footway", "sidewalk": "separate"},
        {"highway": ""},
    ],
)
def test_all_keeps_everything_with_a_highway_tag(extra: dict[str, str]) -> None:
    assert tags.keeps(extra, ALL)


# ----------------------------------------------------------------------------- one-way
@pytest.mark.parametrize(
    ("tagging", "expected"),
    [
        ({}, 0),
        ({"oneway": "yes"}, 1),
        ({"oneway": "true"}, 1),
        ({"oneway": "1"}, 1),
        ({"oneway": "-1"}, -1),
        ({"oneway": "reverse"}, -1),
        ({"oneway": "T"}, -1),  # legacy values, read as OSMnx reads them
        ({"oneway": "F"}, 1),
        ({"oneway": "no"}, 0),
        ({"oneway": "false"}, 0),
        ({"oneway": "0"}, 0),
        ({"oneway": "reversible"}, 0),
        ({"oneway": "alternating"}, 0),
        ({"oneway": "YES"}, 0),  # values are case-sensitive, as in OSMnx
    ],
)
def test_oneway_values(tagging: dict[str, str], expected: int) -> None:
    assert tags.oneway({"highway": "residential", **tagging}, CAR) == expected


@pytest.mark.parametrize("junction", ["roundabout", "circular"])
def test_roundabout_and_circular_are_oneway(junction: str) -> None:
    assert tags.oneway({"highway": "primary", "junction": junction}, CAR) == 1
    assert tags.oneway({"highway": "primary", "junction": junction, "oneway": "no"}, CAR) == 0
    assert tags.oneway({"highway": "primary", "junction": junction, "oneway": "-1"}, CAR) == -1
    assert tags.oneway({"highway": "primary", "junction": "jughandle"}, CAR) == 0


def test_motorway_is_oneway_by_implication() -> None:
    assert tags.oneway({"highway": "motorway"}, CAR) == 1
    assert tags.oneway({"highway": "motorway"}, ALL) == 1
    assert tags.oneway({"highway": "motorway", "oneway": "-1"}, CAR) == -1
    # only the motorway itself, not its links or trunks
    assert tags.oneway({"highway": "motorway_link"}, CAR) == 0
    assert tags.oneway({"highway": "trunk"}, CAR) == 0


def test_oneway_no_on_a_motorway_makes_it_two_way() -> None:
    assert tags.oneway({"highway": "motorway", "oneway": "no"}, CAR) == 0


@pytest.mark.parametrize(
    "tagging",
    [
        {"highway": "residential", "oneway": "yes"},
        {"highway": "residential", "oneway": "-1"},
        {"highway": "primary", "junction": "roundabout"},
        {"highway": "motorway"},
    ],
)
def test_foot_ignores_oneway(tagging: dict[str, str]) -> None:
    assert tags.oneway(tagging, FOOT) == 0
    assert tags.oneway(tagging, CAR) != 0


# ----------------------------------------------------------------------------- maxspeed
@pytest.mark.parametrize(
    ("value", "kph"),
    [
        ("50", 50.0),
        ("12.5", 12.5),
        (" 80 ", 80.0),
        ("50 km/h", 50.0),
        ("50 kmh", 50.0),
        ("50kph", 50.0),
        ("30 mph", 30 * 1.609344),
        ("30mph", 30 * 1.609344),
        ("20 MPH", 20 * 1.609344),
        ("50;70", 60.0),
        ("30 mph;50", (30 * 1.609344 + 50) / 2),
        ("50;none", 50.0),
        ("walk", 5.0),
        ("living_street", 10.0),
    ],
)
def test_parse_maxspeed(value: str, kph: float) -> None:
    assert tags.parse_maxspeed(value) == pytest.approx(kph, rel=1e-12)


@pytest.mark.parametrize(
    "value", [None, "", "none", "signals", "RU:urban", "DE:motorway", "0", "-30", "fast", ";"]
)
def test_parse_maxspeed_unparseable_is_nan(value: str | None) -> None:
    assert math.isnan(tags.parse_maxspeed(value))


@pytest.mark.parametrize(
    ("value", "number"),
    [("2", 2.0), ("3.5", 3.5), ("2;3", 2.0), ("4 m", 4.0), ("4m", 4.0)],
)
def test_parse_number(value: str, number: float) -> None:
    assert tags.parse_number(value) == number


@pytest.mark.parametrize("value", [None, "", "0", "-1", "two", "nan", "inf"])
def test_parse_number_unparseable_is_nan(value: str | None) -> None:
    assert math.isnan(tags.parse_number(value))


# ----------------------------------------------------------------------------- built networks
Way = tuple[dict[str, str], int]  # tags, number of segments


def build(ways: Sequence[dict[str, str] | Way], mover: Mover = CAR, **kw: float) -> RoadNetwork:
    """A network of straight ways, each on its own row of nodes 0.001 degrees (~56-111 m) apart.

    A way given as ``(tags, k)`` has ``k`` segments, else one. Way ``i`` has id ``i + 1``.
    """
    refs: list[int] = []
    lon: list[float] = []
    lat: list[float] = []
    ptr = [0]
    way_tags = []
    for i, way in enumerate(ways):
        t, k = way if isinstance(way, tuple) else (way, 1)
        for j in range(k + 1):
            refs.append(1000 * (i + 1) + j)
            lon.append(24.9 + 0.001 * j)
            lat.append(60.1 + 0.001 * i)
        ptr.append(len(refs))
        way_tags.append(dict(t))
    table = WayTable(
        way_id=np.arange(1, len(ways) + 1, dtype=np.int64),
        way_ptr=np.array(ptr, dtype=np.int64),
        node_ref=np.array(refs, dtype=np.int64),
        node_lon=np.array(lon),
        node_lat=np.array(lat),
        way_tags=way_tags,
    )
    return network_from_ways(table, mover, **kw)


def edges_of(net: RoadNetwork, way: int) -> np.ndarray:
    return np.flatnonzero(net.way_id == way)


def forward(net: RoadNetwork, e: int) -> bool:
    """Whether edge ``e`` runs along its way's node order (node ids increase along a way)."""
    return bool(net.node_osm_id[net.dst[e]] > net.node_osm_id[net.src[e]])


def test_builder_makes_one_or_two_edges_per_segment_by_the_oneway_rule() -> None:
    net = build(
        [
            ({"highway": "residential"}, 2),
            ({"highway": "residential", "oneway": "yes"}, 2),
            ({"highway": "residential", "oneway": "-1"}, 2),
            ({"highway": "motorway"}, 2),
        ]
    )
    assert [len(edges_of(net, w)) for w in (1, 2, 3, 4)] == [4, 2, 2, 2]
    assert all(forward(net, e) for e in edges_of(net, 2))
    assert not any(forward(net, e) for e in edges_of(net, 3))
    assert all(forward(net, e) for e in edges_of(net, 4))
    # the two directions of a segment share its id; one-way segments have one edge
    two_way = edges_of(net, 1)
    assert len(np.unique(net.segment[two_way])) == 2
    assert len(np.unique(net.segment)) == 8
    foot = build([({"highway": "residential", "oneway": "yes"}, 2)], FOOT)
    assert foot.n_edges == 4


def _lanes(net: RoadNetwork, way: int, along: bool) -> list[float]:
    return [float(net.lanes[e]) for e in edges_of(net, way) if forward(net, e) == along]


@pytest.mark.parametrize(
    ("tagging", "along", "against"),
    [
        ({"lanes": "4"}, [2.0], [2.0]),  # two-way: half each way
        ({"lanes": "3"}, [1.0], [1.0]),  # floor(3 / 2)
        ({"lanes": "1"}, [1.0], [1.0]),  # at least one
        ({"lanes": "3", "oneway": "yes"}, [3.0], []),  # one-way: all of them
        ({"lanes": "2", "oneway": "-1"}, [], [2.0]),
        ({"lanes": "3", "lanes:forward": "2", "lanes:backward": "1"}, [2.0], [1.0]),
        ({"lanes": "4", "lanes:forward": "3"}, [3.0], [2.0]),
        ({}, [1.0], [1.0]),  # class default
    ],
)
def test_lanes_per_direction(
    tagging: dict[str, str], along: list[float], against: list[float]
) -> None:
    net = build([{"highway": "primary", **tagging}])
    assert _lanes(net, 1, True) == along
    assert _lanes(net, 1, False) == against


def test_lanes_default_by_class() -> None:
    net = build([{"highway": "motorway"}, {"highway": "tertiary"}])
    assert _lanes(net, 1, True) == [defaults.LANES_PER_DIRECTION["motorway"]]
    assert _lanes(net, 2, True) == [defaults.DEFAULT_LANES_PER_DIRECTION]


def _rules(net: RoadNetwork, way: int) -> set[SpeedRule]:
    return {SPEED_RULES[int(r)] for r in net.speed_rule[edges_of(net, way)]}


def _speeds(net: RoadNetwork, way: int) -> set[float]:
    return {float(s) for s in net.speed_kph[edges_of(net, way)]}


def test_speed_rules_follow_osrms_car_profile() -> None:
    # OSRM car.lua: the tagged limit x speed_reduction (0.8), zones from its tables, else the
    # class speed; then no faster than the surface allows
    r = defaults.SPEED_REDUCTION
    net = build(
        [
            {"highway": "residential", "maxspeed": "30"},
            {"highway": "residential", "maxspeed": "60", "oneway": "yes"},
            {"highway": "residential"},  # untagged: the class speed, not a mean of the others
            {"highway": "primary", "maxspeed": "RU:urban"},  # a zone: car.lua's table
            {"highway": "tertiary", "maxspeed": "none"},  # car.lua's "none" = 140
            {"highway": "tertiary", "maxspeed": "50;70"},  # OSRM reads the leading number
            {"highway": "primary", "maxspeed": "80", "surface": "gravel"},  # gravel: 40 at most
            {"highway": "primary", "maxspeed": "signals"},  # no number, no zone: the class
        ]
    )
    assert _rules(net, 1) == {SpeedRule.MAXSPEED_TAG} and _speeds(net, 1) == {30.0 * r}
    assert _speeds(net, 2) == {60.0 * r}
    assert _rules(net, 3) == {SpeedRule.DEFAULT_TABLE}
    assert _speeds(net, 3) == {defaults.SPEED_KPH["residential"]}
    assert _speeds(net, 4) == {60.0 * r}
    assert _speeds(net, 5) == {140.0 * r}
    assert _speeds(net, 6) == {50.0 * r}
    assert _rules(net, 7) == {SpeedRule.SURFACE} and _speeds(net, 7) == {40.0}
    assert _rules(net, 8) == {SpeedRule.DEFAULT_TABLE}
    assert _speeds(net, 8) == {defaults.SPEED_KPH["primary"]}
    assert net.speed_rule.dtype == np.int8
    assert set(net.speed_rule.tolist()) <= set(range(len(SPEED_RULES)))


def test_directional_and_advisory_limits() -> None:
    r = defaults.SPEED_REDUCTION
    net = build(
        [
            {"highway": "primary", "maxspeed": "70", "maxspeed:backward": "50"},
            {"highway": "primary", "maxspeed": "70", "maxspeed:advisory": "40"},
        ]
    )
    along = [e for e in edges_of(net, 1) if forward(net, int(e))]
    against = [e for e in edges_of(net, 1) if not forward(net, int(e))]
    assert net.speed_kph[along].tolist() == [70.0 * r]
    assert net.speed_kph[against].tolist() == [50.0 * r]
    assert _speeds(net, 2) == {40.0 * r}


def test_unknown_class_uses_the_fallback_speed() -> None:
    net = build([{"highway": "bus_stop_road"}], ALL)
    assert _speeds(net, 1) == {defaults.FALLBACK_SPEED_KPH}
    assert _rules(net, 1) == {SpeedRule.DEFAULT_TABLE}


def test_foot_walks_at_walking_speed_whatever_the_tags() -> None:
    net = build([{"highway": "primary", "maxspeed": "80"}, {"highway": "footway"}], FOOT)
    assert set(net.speed_kph.tolist()) == {defaults.WALK_SPEED_KPH}
    assert {SPEED_RULES[int(r)] for r in net.speed_rule} == {SpeedRule.FOOT}


def test_travel_time_is_length_over_speed() -> None:
    net = build([{"highway": "primary", "maxspeed": "36"}, {"highway": "residential"}])
    np.testing.assert_allclose(net.travel_time_s, net.length_m / (net.speed_kph / 3.6))


@pytest.mark.parametrize(
    ("tagging", "lanes"),
    [
        ({"highway": "primary", "lanes": "4"}, 2),
        ({"highway": "primary", "lanes": "2", "oneway": "yes"}, 2),
        ({"highway": "residential"}, 1),
        ({"highway": "motorway"}, 2),
        ({"highway": "unclassified", "lanes": "2"}, 1),
        ({"highway": "road"}, 1),  # no class value: the fallbacks
    ],
)
def test_car_capacity_is_lanes_times_vehicles_times_persons(
    tagging: dict[str, str], lanes: int
) -> None:
    net = build([tagging])
    vph = defaults.VEH_PER_LANE_HOUR.get(tagging["highway"], defaults.FALLBACK_VEH_PER_LANE_HOUR)
    expected = round(lanes * vph * defaults.PERSONS_PER_VEHICLE)
    assert set(net.lanes.tolist()) == {lanes}
    assert set(net.capacity_pph.tolist()) == {expected}
    assert net.capacity_pph.dtype == np.int64
    # persons per vehicle is a parameter of the builder
    net2 = build([tagging], persons_per_vehicle=2.5)
    assert set(net2.capacity_pph.tolist()) == {round(lanes * vph * 2.5)}
    assert net2.meta["persons_per_vehicle"] == 2.5


@pytest.mark.parametrize(
    ("tagging", "width"),
    [
        ({"highway": "footway"}, defaults.WIDTH_M["footway"]),
        ({"highway": "primary", "lanes": "6"}, defaults.WIDTH_M["primary"]),  # lanes unused
        ({"highway": "footway", "width": "4"}, 4.0),
        ({"highway": "path", "width": "2.5 m"}, 2.5),
        ({"highway": "corridor"}, defaults.FALLBACK_WIDTH_M),
    ],
)
def test_foot_capacity_is_width_times_pedestrian_flow_shared_by_both_directions(
    tagging: dict[str, str], width: float
) -> None:
    net = build([tagging], FOOT)
    expected = round(width * defaults.PEDESTRIAN_FLOW_P_PER_M_S * 3600 / 2)
    assert net.n_edges == 2
    assert set(net.capacity_pph.tolist()) == {expected}


def test_car_and_foot_capacity_differ_on_the_same_road() -> None:
    car = build([{"highway": "residential"}], CAR)
    foot = build([{"highway": "residential"}], FOOT)
    assert set(car.capacity_pph.tolist()) == {1 * 600 * 4}
    assert set(foot.capacity_pph.tolist()) == {round(5.0 * 1.3 * 1800)}
