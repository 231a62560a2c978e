"""Every closure and zone says how it bound to the network; those that bind to nothing are
warnings (with the nearest road, and a hint for swapped lon/lat) in the report, its JSON, the
text and the map."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from corridor.analysis.replay import mover_network, replay, report_at
from corridor.model.scenario import Scenario
from corridor.network.load import NetworkLoader
from corridor.outputs.json import report_json
from corridor.outputs.layers import map_layers
from corridor.outputs.text import report_renderable
from corridor.outputs.timeline import timeline_warnings
from corridor.scenario.load import load_scenario
from fixtures import roads_geojson, scenario_dict, write_scenario

# 139 m east of the north road (which runs along lon 10.0 from lat 50.04 to 50.08)
OFF_ROAD = (10.0 + 139.0 / (111_320.0 * math.cos(math.radians(50.06))), 50.06)


def _event(eid: str, day: str, target: dict) -> dict:
    return {
        "id": eid,
        "date": day,
        "actor": "red-army",
        "kind": "close",
        "target": target,
        "confidence": 0.8,
        "source": "T1",
    }


@pytest.fixture(scope="module")
def off_road(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    data = scenario_dict()
    data["events"] += [
        _event("roadblock", "2020-01-07", {"point": list(OFF_ROAD), "radius_m": 60}),
        _event("swapped", "2020-01-08", {"point": [50.06, 10.0], "radius_m": 200}),
    ]
    data["zones"] = [
        {
            "id": "empty-desert",
            "actor": "red-army",
            "polygon": [[10.3, 50.3], [10.4, 50.3], [10.4, 50.4], [10.3, 50.4], [10.3, 50.3]],
            "from": "2020-01-02",
        }
    ]
    return load_scenario(write_scenario(tmp_path_factory.mktemp("off-road"), data))


def _networks(sc: Scenario) -> NetworkLoader:
    return NetworkLoader(sc.network_path, kind=sc.network_kind)


def test_a_closure_off_the_road_warns_with_the_nearest_road(off_road: Scenario) -> None:
    r = report_at(off_road, _networks(off_road), dt.date(2020, 1, 7), mover="fighters")
    (binding,) = [b for b in r.closures if b.id == "roadblock"]
    assert (binding.edges_covered, binding.edges_closed) == (0, 0)
    (w,) = [w for w in r.warnings if w.id == "roadblock"]
    assert w.code == "closure-closes-nothing" and w.nearest_road is not None
    assert (w.nearest_road.name, w.nearest_road.ref, w.nearest_road.osm_way) == (
        "North road",
        "R-N",
        302,
    )
    # the distance, against shapely in a metric projection (UTM 32N)
    utm = Transformer.from_crs(4326, 32632, always_xy=True)
    road = shapely.LineString([utm.transform(10.0, 50.04), utm.transform(10.0, 50.08)])
    expected = road.distance(shapely.Point(utm.transform(*OFF_ROAD)))
    assert w.nearest_road.distance_m == pytest.approx(expected, rel=0.01)
    assert "North road (R-N), OSM way 302, 139 m away" in w.message
    # and in the JSON, the text and on the map
    net = mover_network(off_road, _networks(off_road), "fighters")
    (wj,) = [x for x in report_json(r, net)["warnings"] if x["id"] == "roadblock"]
    assert wj["code"] == "closure-closes-nothing" and wj["nearest_road"]["osm_way"] == 302
    assert "closes no road" in str(report_renderable(r, net).renderables[-1])
    marker = [
        f["properties"]
        for f in map_layers(off_road, r, net)["closures"]["features"]
        if f["properties"]["event"] == "roadblock"
    ]
    assert marker and marker[0]["edges_closed"] == 0 and "139 m away" in marker[0]["warning"]


def test_swapped_lon_lat_is_named(off_road: Scenario) -> None:
    r = report_at(off_road, _networks(off_road), dt.date(2020, 1, 8), mover="fighters")
    (w,) = [w for w in r.warnings if w.id == "swapped"]
    assert "are lon and lat swapped?" in w.message


def test_a_closure_on_the_road_binds_without_warning(off_road: Scenario) -> None:
    r = report_at(off_road, _networks(off_road), dt.date(2020, 1, 7), mover="fighters")
    (b,) = [b for b in r.closures if b.id == "cut-north"]
    assert b.edges_covered > 0 and b.edges_closed == b.edges_covered
    assert not [w for w in r.warnings if w.id == "cut-north"]


def test_a_zone_off_the_network_warns_and_timelines_say_each_warning_once(
    off_road: Scenario,
) -> None:
    reports = replay(off_road, _networks(off_road), mover="fighters")
    assert all(
        any(w.id == "empty-desert" and w.code == "zone-outside-network" for w in r.warnings)
        for r in reports
        if r.date and r.date >= "2020-01-02"
    )
    once = timeline_warnings(reports)
    assert len(once) == len({(w.code, w.id) for w in once})
    assert {w.id for w in once} >= {"roadblock", "swapped", "empty-desert"}


def test_a_what_if_off_the_road_warns(off_road: Scenario, tmp_path: Path) -> None:
    from corridor.model.areas import Area
    from corridor.model.situation import Closure

    far = Closure(area=Area("far", point=(10.5, 50.5), radius_m=50), label="50 m far away")
    r = report_at(
        off_road, _networks(off_road), dt.date(2020, 1, 7), mover="fighters", what_if=[far]
    )
    (w,) = [w for w in r.warnings if w.id == "what-if[0]"]
    assert w.code == "closure-closes-nothing" and "what-if closure" in w.message


def test_a_closure_of_a_road_the_mover_cannot_use_warns_instead_of_failing() -> None:
    """Regression: the bundled `encircle` plan closes the desert road R11, which is not in the
    car network; replaying it for civilians by car stopped with an error."""
    from corridor.analysis.replay import replay
    from corridor.testing import bundled

    sc, networks = bundled()
    reports = replay(sc, networks, mover="civilians", plan="encircle")
    (w,) = [w for w in timeline_warnings(reports) if w.id == "encircle-hatra-road"]
    assert w.code == "closure-closes-nothing" and "'R11'" in w.message


def test_close_way_names_the_networks_that_have_it() -> None:
    from corridor.errors import UnknownIdError
    from corridor.model.situation import Closure
    from corridor.testing import bundled

    sc, networks = bundled()
    car = networks("car")
    offroad = networks("offroad")
    track = int(next(w for w in offroad.way_id.tolist() if w not in set(car.way_id.tolist())))
    try:
        report_at(sc, networks, None, mover="civilians", what_if=[Closure(ways=(track,))])
    except UnknownIdError as exc:
        assert "mover 'civilians' (car network)" in str(exc) and "offroad" in str(exc)
    else:
        raise AssertionError("a what-if on a way the car network lacks was accepted")


def test_csv_cells_cannot_run_as_spreadsheet_formulas(tmp_path: Path) -> None:
    """Every CSV writer (timeline --csv, rank --csv) guards every cell, headers included
    (issue 29, item 10: rank --csv wrote ``=HYPERLINK(...)`` from a road name)."""
    import csv
    import io

    from typer.testing import CliRunner

    from corridor.cli.main import app

    data = scenario_dict()
    data["events"][0]["summary"] = '=HYPERLINK("http://x.invalid","click")'
    data["exits"][0] = {"name": "@SUM(1+1)", "point": [9.90, 50.0], "radius_m": 500}
    roads = roads_geojson()
    for f in roads["features"]:
        f["properties"]["name"] = '=HYPERLINK("http://x.invalid","road")'
    path = str(write_scenario(tmp_path, data, roads))
    for args in (
        ["timeline", path, "--csv"],
        ["rank", path, "--csv"],
        ["rank", path, "--by-way", "--csv"],
    ):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        cells = [c for row in csv.reader(io.StringIO(res.stdout)) for c in row]
        assert any("HYPERLINK" in c for c in cells), (args, cells)
        bad = [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert not bad, (args, bad)
