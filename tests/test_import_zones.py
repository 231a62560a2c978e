"""``corridor import zones``: a generated daily archive of a front that advances, stalls and
retreats, with a missing day and an invalid ring, against shapely and pyproj as references."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.ingest import zones as zones_module
from corridor.ingest.zones import DEFAULT_SIMPLIFY_M, import_zones
from corridor.scenario.load import load_scenario
from fixtures import scenario_dict, write_scenario

runner = CliRunner()
GEOD = Geod(ellps="WGS84")
DAY0 = dt.date(2020, 1, 2)
# east edge of the held ground west of the town, per day (None: no file that day); the front
# advances, stalls (two days with a 1 m wobble, below the tolerance), retreats
EAST = [9.930, 9.935, 9.940, 9.940, 9.9400137, None, 9.955, 9.945, 9.930]
CLIP = (9.88, 49.95, 10.05, 50.05)


def _front(east: float) -> shapely.Geometry:
    """Held ground from 9.90 east to ``east``, with a ragged northern edge (many vertices)."""
    xs = [9.90 + (east - 9.90) * k / 40 for k in range(41)]
    north = [(x, 50.02 + 0.001 * ((k * 7) % 5)) for k, x in enumerate(xs)]
    return shapely.Polygon([(9.90, 49.98), (east, 49.98), *reversed(north)])


def _bowtie_day(east: float) -> dict:
    """The day's ground drawn with a self-touching ring: an invalid polygon to repair."""
    good = json.loads(shapely.to_geojson(_front(east)))
    ring = good["coordinates"][0]
    # a spike out and back to the same point makes the ring touch itself
    ring.insert(2, [east + 0.002, 49.99])
    ring.insert(3, ring[1])
    return {"type": "Polygon", "coordinates": [ring]}


def write_archive(folder: Path, *, invalid_day: int = 2) -> dict[dt.date, shapely.Geometry]:
    folder.mkdir(parents=True, exist_ok=True)
    inputs = {}
    for k, east in enumerate(EAST):
        if east is None:
            continue
        day = DAY0 + dt.timedelta(days=k)
        geom = (
            _bowtie_day(east) if k == invalid_day else json.loads(shapely.to_geojson(_front(east)))
        )
        feature = {"type": "Feature", "properties": {"name": "held"}, "geometry": geom}
        (folder / f"deepstatemap_data_{day:%Y%m%d}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": [feature]})
        )
        inputs[day] = shapely.make_valid(shapely.from_geojson(json.dumps(geom)))
    return inputs


def _area_km2(geom: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def _perimeter_m(geom: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(geom)[1])


def test_intervals_cover_every_day_once_with_the_areas_of_each_days_input(tmp_path: Path):
    inputs = write_archive(tmp_path / "arch")
    imp = import_zones([tmp_path / "arch"], actor="red-army", clip=CLIP, id_prefix="red")
    days = [DAY0 + dt.timedelta(days=k) for k in range(len(EAST))]
    assert imp.gaps == (DAY0 + dt.timedelta(days=5),)
    assert imp.days_read == len(inputs)
    assert (
        len(imp.repairs) == 1
        and "deepstatemap_data_20200104.geojson: features[0]" in (imp.repairs[0])
    ), imp.repairs
    # every day from the first to the last in exactly one [from, to)
    covering = {d: [i for i in imp.intervals if i.start <= d < i.end] for d in days}
    assert all(len(v) == 1 for v in covering.values()), covering
    assert imp.intervals[-1].end == days[-1] + dt.timedelta(days=1)
    # the stall (day 2, 3 and 4 with a 1 m wobble) and the gap after it are one interval
    assert [i.start for i in imp.intervals] == [
        days[0],
        days[1],
        days[2],
        days[6],
        days[7],
        days[8],
    ]
    for day, given in inputs.items():
        (interval,) = covering[day]
        reference = shapely.intersection(given, shapely.box(*CLIP))  # shapely's clip of the day
        got = imp.to_lonlat(interval.geometry)
        slack_km2 = _perimeter_m(reference) * DEFAULT_SIMPLIFY_M / 1e6
        assert abs(_area_km2(got) - _area_km2(reference)) <= slack_km2, day
        assert abs(interval.area_km2 - _area_km2(reference)) <= slack_km2, day
        # merged days are really unchanged: nowhere more than the tolerance apart
        apart = shapely.symmetric_difference(got, reference)
        assert _area_km2(apart) <= slack_km2, day
    # gained and lost add up to the change of area
    for a, b in zip(imp.intervals, imp.intervals[1:], strict=False):
        assert b.area_km2 - a.area_km2 == pytest.approx(b.gained_km2 - b.lost_km2, abs=1e-6)
        gained = shapely.difference(b.geometry, a.geometry).area / 1e6
        assert b.gained_km2 == pytest.approx(gained, abs=1e-6), b.id
    assert imp.intervals[-1].lost_km2 > 0, "the last day retreats"


def test_a_feature_per_day_with_a_date_property_and_two_actors(tmp_path: Path) -> None:
    features = []
    for k, east in enumerate((9.93, 9.93, 9.95)):
        for side, dx in (("RU", 0.0), ("UA", 0.1)):
            features.append(
                {
                    "type": "Feature",
                    "properties": {"date": f"2020-01-0{k + 2}T00:00:00Z", "holder": side},
                    "geometry": json.loads(
                        shapely.to_geojson(shapely.box(9.90 + dx, 49.98, east + dx, 50.02))
                    ),
                }
            )
    path = tmp_path / "control.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    imp = import_zones(
        [path],
        date_property="date",
        actor_property="holder",
        actor_map={"RU": "red-army", "UA": "blue-militia"},
        id_prefix="ctl",
    )
    got = [(i.id, i.start.isoformat(), i.end.isoformat()) for i in imp.intervals]
    assert ("ctl-red-army-20200102", "2020-01-02", "2020-01-04") in got
    assert ("ctl-blue-militia-20200104", "2020-01-04", "2020-01-05") in got
    assert len(got) == 4


def _cli(*args: str):
    return runner.invoke(app, ["import", "zones", *args])


def test_the_fragment_goes_into_a_scenario_and_its_timeline(tmp_path: Path) -> None:
    """Import with the scenario (actor checked, clipped to its area), include the fragment, and
    the timeline shows the front's intervals begin and end; a second import replaces its own
    files; two layers of one actor (assessed, claimed) import with their own confidence."""
    write_archive(tmp_path / "arch")
    scenario = write_scenario(tmp_path, scenario_dict())
    (tmp_path / "fronts").mkdir()
    for name, conf in (("assessed", "0.9"), ("claimed", "0.5")):
        out = tmp_path / "fronts" / f"{name}.yaml"
        result = _cli(str(tmp_path / "arch"), "--actor", "red-army", "-s", str(scenario),
                      "--confidence", conf, "-o", str(out), "--workers", "1")  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "1 gap(s), 6 interval(s)" in result.output
        assert "repair:" in result.output
    again = _cli(str(tmp_path / "arch"), "--actor", "red-army", "-s", str(scenario),
                 "-o", str(tmp_path / "fronts" / "assessed.yaml"), "--confidence", "0.9")  # fmt: skip
    assert again.exit_code == 0, again.output
    data = scenario_dict()
    data["include"] = ["fronts/assessed.yaml", "fronts/claimed.yaml"]
    scenario = write_scenario(tmp_path, data)
    sc = load_scenario(scenario)
    assert len(sc.zones) == 12
    assert {z.confidence for z in sc.zones if z.id.startswith("claimed-")} == {0.5}
    result = runner.invoke(app, ["timeline", str(scenario), "--mover", "civilians", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["date"]: r for r in json.loads(result.output)}
    begins = [z["zone"] for z in rows["2020-01-02"]["zone_changes"] if z["change"] == "begins"]
    assert begins == ["assessed-20200102", "claimed-20200102"]
    assert "West City" not in {e["name"] for e in rows["2020-01-02"]["exits"] if e["reachable"]}, (
        "the front holds the west road"
    )


BAD = [
    ("not-geojson", "not GeoJSON"),
    ("no-date", "no date in the file's name"),
    ("line", "not a Polygon or MultiPolygon"),
    ("actor", "is not in scenario"),
    ("size", "MiB a layer file may hold"),
    ("date-format", "is not a date YYYY-MM-DD"),
]


@pytest.mark.parametrize(("case", "expected"), BAD, ids=[c for c, _ in BAD])
def test_bad_input_is_one_line_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, expected: str
) -> None:
    arch = tmp_path / "arch"
    write_archive(arch)
    scenario = write_scenario(tmp_path, scenario_dict())
    args = [str(arch), "--actor", "red-army", "-s", str(scenario), "--workers", "1"]
    box = json.loads(shapely.to_geojson(shapely.box(9.9, 49.98, 9.93, 50.02)))
    if case == "not-geojson":
        (arch / "deepstatemap_data_20200120.geojson").write_text("<html>not found</html>")
    elif case == "no-date":
        (arch / "latest.geojson").write_text(json.dumps(box))
    elif case == "line":
        line = {"type": "LineString", "coordinates": [[9.9, 50.0], [9.95, 50.0]]}
        (arch / "deepstatemap_data_20200120.geojson").write_text(json.dumps(line))
    elif case == "actor":
        args[2] = "green-army"
    elif case == "size":
        monkeypatch.setattr(zones_module, "MAX_LAYER_FILE_BYTES", 1000)
    elif case == "date-format":
        feature = {"type": "Feature", "properties": {"date": "07/01/2020"}, "geometry": box}
        one = tmp_path / "dated.geojson"
        one.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        args[0] = str(one)
        args += ["--date-property", "date"]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = _cli(*args, "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before, "nothing written"


def test_an_input_is_never_overwritten(tmp_path: Path) -> None:
    write_archive(tmp_path / "arch")
    target = tmp_path / "arch" / "deepstatemap_data_20200102.geojson"
    result = _cli(
        str(tmp_path / "arch"), "--actor", "red-army", "-o", str(target.with_suffix(".yaml"))
    )
    assert result.exit_code == 0, result.output  # a new name in the same folder is fine
    mine = tmp_path / "mine.yaml"
    mine.write_text("zones: []\n")
    result = _cli(str(tmp_path / "arch"), "--actor", "red-army", "-o", str(mine))
    assert result.exit_code == 2 and "was not written by corridor import zones" in result.output
    assert mine.read_text() == "zones: []\n"


def test_the_maps_time_slider_shows_the_imported_front_day_by_day(tmp_path: Path) -> None:
    """`corridor map` of a scenario that includes an imported archive: a frame on each day an
    interval begins, its zones layer holding that interval's geometry (the front as imported),
    and the serve page's /api/view of that day the same."""
    from fastapi.testclient import TestClient

    from corridor.analysis.replay import mover_network, replay
    from corridor.network.load import NetworkLoader
    from corridor.outputs.map import map_data
    from corridor.serve.app import create_app

    write_archive(tmp_path / "arch")
    scenario = write_scenario(tmp_path, scenario_dict())
    out = tmp_path / "front.yaml"
    result = _cli(str(tmp_path / "arch"), "--actor", "red-army", "-s", str(scenario),
                  "-o", str(out), "--workers", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = scenario_dict()
    data["include"] = ["front.yaml"]
    scenario = write_scenario(tmp_path, data)
    sc = load_scenario(scenario)
    intervals = sorted(sc.zones, key=lambda z: z.start or DAY0)
    assert len(intervals) == 6
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    frames = {
        f["date"]: f
        for f in map_data(sc, replay(sc, networks), mover_network(sc, networks))["frames"]
    }
    for zone in intervals:
        day = (zone.start or DAY0).isoformat()
        assert day in frames, f"no frame on {day}, when {zone.id} begins"
        held = [
            f
            for f in frames[day]["layers"]["zones"]["features"]
            if f["properties"]["zone"] == zone.id
        ]
        assert len(held) == 1, (day, zone.id)
        drawn = shapely.geometry.shape(held[0]["geometry"])
        assert (
            drawn.symmetric_difference(zone.polygon).area
            < 1e-9 * max(zone.polygon.area, 1e-9) + 1e-12
        )
    (tmp_path / "out").mkdir()
    html = tmp_path / "out" / "map.html"
    result = runner.invoke(app, ["map", str(scenario), "-o", str(html)])
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert all(z.id in page for z in intervals)
    c = TestClient(create_app([scenario], tmp_path / "data"), base_url="http://127.0.0.1")
    last = intervals[-1]
    r = c.post("/api/view", json={"scenario": sc.name, "date": (last.start or DAY0).isoformat()})
    assert r.status_code == 200, r.text
    shown = {f["properties"]["zone"] for f in r.json()["layers"]["zones"]["features"]}
    assert last.id in shown and not (shown & {z.id for z in intervals[:-1]})
