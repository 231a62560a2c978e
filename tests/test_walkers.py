"""The ``walkers`` mover (issue 11): evacuation on foot walks the main roads whatever their
``foot`` tag, never motorways; ``scenario check`` warns when cars reach an exit walkers cannot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridor.analysis.check import WALKERS_CUT_OFF, check_scenario
from corridor.analysis.routes import reach
from corridor.model.areas import Area
from corridor.model.network import Mover
from corridor.model.situation import build_situation
from corridor.network import defaults, tags
from corridor.network.load import NetworkLoader
from corridor.network.osm import load_osm
from corridor.network.ways import WayTable, network_from_ways
from corridor.scenario.load import load_scenario
from fixtures import roads_geojson, write_scenario

ANDORRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "andorra.osm.pbf"


@pytest.mark.parametrize(
    ("way", "foot", "walkers"),
    [
        ({"highway": "primary", "foot": "no"}, False, True),
        ({"highway": "trunk", "foot": "no", "sidewalk": "separate"}, False, True),
        ({"highway": "trunk_link", "foot": "no"}, False, True),
        ({"highway": "primary_link"}, True, True),
        ({"highway": "secondary", "foot": "no"}, False, False),  # only main roads are walked
        ({"highway": "motorway"}, False, False),
        ({"highway": "motorway", "foot": "yes"}, False, False),
        ({"highway": "primary", "access": "private"}, False, False),
        ({"highway": "primary", "area": "yes"}, False, False),
        ({"highway": "footway"}, True, True),
    ],
)
def test_walkers_keep_main_roads_whatever_their_foot_tag(
    way: dict[str, str], foot: bool, walkers: bool
) -> None:
    assert tags.keeps(way, Mover.FOOT) is foot
    assert tags.keeps(way, Mover.WALKERS) is walkers


def test_walkers_walk_both_ways_at_walking_speed() -> None:
    t = WayTable(
        way_id=np.array([1], dtype=np.int64),
        way_ptr=np.array([0, 4], dtype=np.int64),
        node_ref=np.array([1, 2, 3, 4], dtype=np.int64),
        node_lon=np.array([10.0, 10.001, 10.002, 10.003]),
        node_lat=np.array([50.0, 50.0, 50.0, 50.0]),
        way_tags=[{"highway": "primary", "oneway": "yes", "foot": "no"}],
        delay_node=np.array([2], dtype=np.int64),
        delay_s=np.array([2.0]),
    )
    net = network_from_ways(t, Mover.WALKERS)
    assert net.n_edges == 6  # three segments, both directions
    assert set(net.speed_kph.tolist()) == {defaults.WALK_SPEED_KPH}
    width = defaults.WIDTH_M["primary"]
    assert set(net.capacity_pph.tolist()) == {
        round(width * defaults.PEDESTRIAN_FLOW_P_PER_M_S * 3600 / 2)
    }
    assert net.delay_s.max() == 0.0  # walkers do not wait at traffic signals
    assert network_from_ways(t, Mover.FOOT).n_edges == 0


@pytest.mark.skipif(not ANDORRA.is_file(), reason="the shared Andorra extract is not here")
def test_walkers_reach_spain_from_andorra_la_vella() -> None:
    origin = Area("Andorra la Vella", point=(1.5218, 42.5063), radius_m=500)
    # where the CG-1 leaves the extract towards La Farga de Moles (Spain)
    spain = Area("Spain", point=(1.4766, 42.4384), radius_m=300)
    france = Area("France", point=(1.7335, 42.5426), radius_m=400)
    found = {}
    for mover in (Mover.CAR, Mover.FOOT, Mover.WALKERS):
        net = load_osm(ANDORRA, mover)
        found[mover] = reach(build_situation(net, origin, [spain, france])).exits
    assert all(x.reachable for x in found[Mover.CAR])
    # OSMnx's walk filter drops the CG-1 (foot=no): no way to Spain on foot
    assert not found[Mover.FOOT][0].reachable
    walk_spain, walk_france = found[Mover.WALKERS]
    assert walk_spain.reachable and walk_france.reachable
    assert walk_spain.distance_m is not None and walk_spain.travel_time_s is not None
    # on the road itself: about the car's distance, at walking pace
    car_spain = found[Mover.CAR][0]
    assert car_spain.distance_m is not None
    assert walk_spain.distance_m < 1.1 * car_spain.distance_m
    speed = walk_spain.distance_m / walk_spain.travel_time_s * 3.6
    assert speed == pytest.approx(defaults.WALK_SPEED_KPH)
    assert found[Mover.FOOT][1].travel_time_s is not None
    assert walk_france.travel_time_s is not None
    assert walk_france.travel_time_s < found[Mover.FOOT][1].travel_time_s


def _findings(path: Path) -> dict[tuple[str, str], str]:
    sc = load_scenario(path)
    found = check_scenario(sc, NetworkLoader(sc.network_path, kind=sc.network_kind))
    return {(f.code, f.key): f.message for f in found}


def test_check_warns_when_cars_reach_an_exit_walkers_cannot(tmp_path: Path) -> None:
    roads = roads_geojson()
    for f in roads["features"]:
        if f["properties"]["osm_id"] in (201, 202):  # the road west becomes a motorway
            f["properties"]["highway"] = "motorway"
    found = _findings(write_scenario(tmp_path, roads=roads))
    assert (WALKERS_CUT_OFF, "exits[0]") in found, found
    message = found[(WALKERS_CUT_OFF, "exits[0]")]
    assert "'West City' is reached by car" in message and "not on foot" in message
    assert not any(code == WALKERS_CUT_OFF and key != "exits[0]" for code, key in found)


def test_scenario_check_prints_the_walkers_finding_with_its_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corridor.cli.main import app

    roads = roads_geojson()
    for f in roads["features"]:
        if f["properties"]["osm_id"] in (201, 202):
            f["properties"]["highway"] = "motorway"
    path = write_scenario(tmp_path, roads=roads)
    res = CliRunner().invoke(app, ["scenario", "check", str(path)])
    assert res.exit_code == 1, res.output
    line = next(ln for ln in res.output.splitlines() if WALKERS_CUT_OFF in ln)
    assert line.startswith(f"{path}:") and "exits[0]" in line, line
    assert "mover walkers" in line, line


def test_check_is_quiet_when_walkers_walk_the_main_road(tmp_path: Path) -> None:
    roads = roads_geojson()
    for f in roads["features"]:
        if f["properties"]["osm_id"] in (201, 202):
            f["properties"]["foot"] = "no"  # foot drops it; walkers walk it
    found = _findings(write_scenario(tmp_path, roads=roads))
    assert not any(code == WALKERS_CUT_OFF for code, _ in found), found


def test_walkers_is_a_mover_on_foot() -> None:
    assert Mover("walkers") is Mover.WALKERS and Mover.WALKERS.on_foot
    assert not Mover.WALKERS.honours_oneway and Mover.CAR.honours_oneway
