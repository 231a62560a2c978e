"""The map page and its GeoJSON layers, on the valley fixture (known answers), and the CLI."""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from corridor.analysis.flows import exit_flows
from corridor.analysis.replay import mover_network, replay
from corridor.network.load import NetworkLoader
from corridor.outputs.json import report_json
from corridor.outputs.map import (
    DYNAMIC,
    LAYERS,
    borders_layer,
    map_data,
    map_html,
    map_layers,
)
from corridor.scenario.load import load_scenario
from fixtures import write_scenario

DATES = ["2020-01-01", "2020-01-05", "2020-01-10", "2020-01-15", "2020-01-20"]


def _app() -> typer.Typer:
    from corridor.cli.main import app

    return app


@pytest.fixture(scope="module")
def valley(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = write_scenario(tmp_path_factory.mktemp("valley"))
    sc = load_scenario(path)
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    return path, sc, replay(sc, networks), mover_network(sc, networks)


def test_one_frame_per_change_date_with_the_reports_json(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, reports, net = valley
    data = map_data(sc, reports, net)
    assert [f["date"] for f in data["frames"]] == DATES
    for frame, r in zip(data["frames"], reports, strict=True):
        assert frame["report"] == json.loads(json.dumps(report_json(r, net))), frame["date"]
        assert set(frame["layers"]) == set(DYNAMIC)
    assert set(data["static"]) == {"roads", "areas", "borders"}


def test_layers_known_answers(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, reports, net = valley
    counts = {
        r.date: {k: len(v["features"]) for k, v in map_layers(sc, r, net).items()} for r in reports
    }
    # 10 OSM ways; origin + 3 exits; 6 places, every date
    assert {c["roads"] for c in counts.values()} == {10}
    assert {c["areas"] for c in counts.values()} == {4}
    assert {c["places"] for c in counts.values()} == {6}
    # min cut: one segment per road out, then fewer as roads close
    assert [counts[d]["cut"] for d in DATES] == [3, 2, 1, 2, 1]
    # closures in force: none, the north road, still, reopened, the desert track
    assert [counts[d]["closures"] for d in DATES] == [0, 1, 1, 0, 1]
    # the W1 junction taken on the 10th, for good
    assert [counts[d]["zones"] for d in DATES] == [0, 0, 1, 1, 1]
    # the cut's popup text
    cut = map_layers(sc, reports[1], net)["cut"]
    assert cut["properties"]["note"] == "closing these 2 segments seals Town"
    assert {f["properties"]["road"] for f in cut["features"]} == {
        "West road (R-W)",
        "Desert track (R-S)",
    }


def test_closure_popup_fields(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, reports, net = valley
    (f,) = map_layers(sc, reports[1], net)["closures"]["features"]
    p = f["properties"]
    assert (p["actor"], p["date"], p["confidence"], p["quote"]) == (
        "red-army",
        "2020-01-05",
        0.9,
        "the north road is cut",
    )
    assert p["sources"][0]["outlet"] == "Test Wire"
    lon, lat = f["geometry"]["coordinates"]
    assert lon == pytest.approx(10.0) and 50.007 <= lat <= 50.08, "marker on the north road"


def test_corridor_flows_split_by_exit_sum_to_the_flow(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, reports, net = valley
    for r in reports:
        exits = tuple(x.nodes for x in r.exits)
        edges, per_exit = exit_flows(net, exits, r.flow.edge_flow_pph)
        flow = r.flow.edge_flow_pph[edges]
        assert np.allclose(per_exit.sum(axis=1), flow), r.date
        # what reaches the exits is the capacity out
        into_exits = 0.0
        for i, nodes in enumerate(exits):
            into = np.isin(net.dst[edges], nodes)
            into_exits += per_exit[into, i].sum()
        assert into_exits == pytest.approx(r.flow.value_pph), r.date
        feats = map_layers(sc, r, net)["corridors"]["features"]
        assert {f["properties"]["exit"] for f in feats} == {
            x.name for x in r.reach.exits if x.reachable
        }, r.date


def test_page_is_self_contained(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, reports, net = valley
    page = map_html(sc, reports, net)
    assert page.startswith("<!DOCTYPE html>")
    assert "{{" not in page.replace("{{z}}", ""), "a placeholder left in the page"
    # no external resource: no element with src/href to http(s) (Leaflet's own code names its
    # site in an attribution link, which the page turns off), no url() to a file, no source map
    markup = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<script src" not in page and '<link rel="stylesheet"' not in page
    assert not re.search(r"url\((?!data:|#default#VML)", page)
    assert "sourceMappingURL" not in page
    assert "L.map(" in page and "corridor-data" in page


def test_tiles_are_only_used_when_asked(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, reports, net = valley
    assert map_data(sc, reports, net)["tiles"] is None
    url = "https://tiles.invalid/{z}/{x}/{y}.png"
    assert map_data(sc, reports, net, tiles=url)["tiles"] == url


def test_borders_come_from_the_bundled_natural_earth_extract() -> None:
    fc = borders_layer((9.9, 49.9, 10.1, 50.1))
    names = {f["properties"]["name"] for f in fc["features"]}
    assert "Germany" in names and "Iraq" not in names
    assert "Natural Earth" in fc["properties"]["source"]


def test_cli_writes_map_and_geojson(valley, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, *_ = valley
    out = tmp_path / "m.html"
    gj = tmp_path / "layers"
    res = CliRunner().invoke(
        _app(), ["map", str(path), "--at", "2020-01-12", "-o", str(out), "--geojson", str(gj)]
    )
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 100_000
    data = json.loads(
        re.search(
            r'<script id="corridor-data" type="application/json">(.*?)</script>',
            out.read_text(),
            re.S,
        ).group(1)  # type: ignore[union-attr]
    )
    # --at adds its date to the change dates and the page starts there
    assert [f["date"] for f in data["frames"]][2:4] == ["2020-01-10", "2020-01-12"]
    assert data["start"] == 3
    files = sorted(p.name for p in gj.iterdir())
    assert files == sorted(f"{k}.geojson" for k in LAYERS)
    zones = json.loads((gj / "zones.geojson").read_text())
    assert zones["type"] == "FeatureCollection" and len(zones["features"]) == 1
    assert zones["features"][0]["properties"]["actor"] == "red-army"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--at", "2019-06-01"], "outside the scenario's window"),
        (["--at", "01/05/2020"], "is not a date"),
        (["--plan", "nope"], "plan 'nope' does not exist"),
        (["--mover", "nobody"], "'nobody' is not a mover"),
        (["-o", "{missing}/m.html"], "does not exist"),
        (["--geojson", "{missing}/sub"], "does not exist"),
        (["--tiles", "https://x.invalid/tile.png"], "needs {z}, {x} and {y}"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(valley, tmp_path: Path, args, needle) -> None:  # type: ignore[no-untyped-def]
    path, *_ = valley
    args = [a.replace("{missing}", str(tmp_path / "missing")) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "m.html")]
    res = CliRunner().invoke(_app(), ["map", str(path), *args])
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], res.output
    assert list(tmp_path.iterdir()) == [], "something was written"


def test_unwritable_directory(valley, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    path, *_ = valley
    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access
    # tests may run as root, who can write anywhere: deny writing to `ro` the way the OS would
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == ro.resolve() else real(p, mode)
    )
    res = CliRunner().invoke(_app(), ["map", str(path), "-o", str(ro / "m.html")])
    assert res.exit_code == 2, res.output
    assert "cannot write" in res.output and list(ro.iterdir()) == []


def test_a_reopening_by_way_removes_the_closure_from_the_map(tmp_path: Path) -> None:
    """Regression: the map re-derived the timeline and kept drawing a closure that an event
    reopened by way (not by event id), while the analysis had reopened the road."""
    from fixtures import scenario_dict

    data = scenario_dict()
    data["events"].append(
        {
            "id": "reopen-track",
            "date": "2020-01-25",
            "actor": "red-army",
            "kind": "reopen",
            "target": {"way": 502},
            "confidence": 0.8,
            "source": "T1",
        }
    )
    sc = load_scenario(write_scenario(tmp_path, data))
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    net = mover_network(sc, networks)
    reports = {r.date: r for r in replay(sc, networks)}
    closed_20 = map_layers(sc, reports["2020-01-20"], net)["closures"]["features"]
    assert [f["properties"]["event"] for f in closed_20] == ["cut-track"]
    assert closed_20[0]["properties"]["edges_closed"] > 0
    after = reports["2020-01-25"]
    reasons = [reason for reason, _ in after.closed.counts()]
    assert not any("cut-track" in r for r in reasons), f"the track is still closed: {reasons}"
    assert map_layers(sc, after, net)["closures"]["features"] == [], "the map still draws it"
    # the zones and places layers read the same state: population set on the 20th stays
    places = map_layers(sc, after, net)["places"]["features"]
    assert {f["properties"]["place"]: f["properties"]["population"] for f in places}["town"] == 5000


def _chain_ok(net, edges: list[int]) -> bool:  # type: ignore[no-untyped-def]
    return all(int(net.dst[a]) == int(net.src[b]) for a, b in itertools.pairwise(edges))


@pytest.mark.parametrize("which", ["valley", "mosul-2016", "helsinki-bridges"])
def test_corridors_are_continuous_stretches(valley, which: str) -> None:  # type: ignore[no-untyped-def]
    """One feature per stretch of consecutive segments with the same exit and flow: a single
    LineString through the stretch's nodes, carrying every (segment, exit) flow exactly once."""
    if which == "valley":
        _, sc, reports, net = valley
    else:
        from corridor.bundled import bundled_scenario

        sc = load_scenario(bundled_scenario(which))
        networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
        reports, net = replay(sc, networks)[:3], mover_network(sc, networks)
    merged_somewhere = False
    for r in reports:
        feats = map_layers(sc, r, net)["corridors"]["features"]
        edges, per_exit = exit_flows(net, tuple(x.nodes for x in r.exits), r.flow.edge_flow_pph)
        want = {
            (int(e), i): round(float(per_exit[j, i]))
            for j, e in enumerate(edges.tolist())
            for i in range(len(r.exits))
            if per_exit[j, i] >= 0.5
        }
        got: dict[tuple[int, int], int] = {}
        for f in feats:
            p = f["properties"]
            assert f["geometry"]["type"] == "LineString", p
            assert _chain_ok(net, p["edges"]), f"{p['exit']}: segments not consecutive"
            assert len(f["geometry"]["coordinates"]) == len(p["edges"]) + 1
            assert p["capacity_pph"] == int(net.capacity_pph[p["edges"]].min())
            assert {"exit", "flow_pph", "capacity_pph"} <= set(p)
            for e in p["edges"]:
                assert (e, p["exit_index"]) not in got, "a segment drawn twice for one exit"
                got[(e, p["exit_index"])] = p["flow_pph"]
            merged_somewhere |= len(p["edges"]) > 1
        assert got == want, r.date
    assert merged_somewhere, "no stretch longer than one segment"


@pytest.mark.parametrize(
    ("country", "box"),
    [
        ("Andorra", (1.42, 42.43, 1.78, 42.65)),
        ("Luxembourg", (5.74, 49.45, 6.53, 50.18)),
        ("Liechtenstein", (9.47, 47.05, 9.63, 47.27)),
    ],
)
def test_borders_leave_no_sliver_of_sea_in_a_small_landlocked_country(
    country: str, box: tuple[float, float, float, float]
) -> None:
    import shapely

    fc = borders_layer(box)
    names = {f["properties"]["name"] for f in fc["features"]}
    assert country in names
    land = shapely.union_all(
        [shapely.from_geojson(json.dumps(f["geometry"])) for f in fc["features"]]
    )
    sea = shapely.box(*box).difference(land)
    assert sea.area < 1e-7, f"{sea.area:.2e} square degrees of sea inside {country}'s box"


def test_critical_stretches_one_feature_each_and_the_pocket_layer(valley) -> None:  # type: ignore[no-untyped-def]
    import shapely

    _, sc, reports, net = valley
    for r in reports:
        layers = map_layers(sc, r, net)
        crit = layers["critical"]
        # one feature (one popup) per critical stretch, covering every critical segment
        assert len(crit["features"]) == len(r.critical_stretches), r.date
        edges = sorted(e for f in crit["features"] for e in f["properties"]["edges"])
        assert edges == sorted(int(e) for e in r.critical), r.date
        for f, s in zip(crit["features"], r.critical_stretches, strict=True):
            p = f["properties"]
            assert (p["label"], p["from"], p["to"], p["segments"]) == (
                s.label,
                s.from_name,
                s.to_name,
                s.segments,
            )
            assert len(f["geometry"]["coordinates"]) == s.segments
        pocket = layers["pocket"]
        assert r.pocket is not None
        (feature,) = pocket["features"]
        p = feature["properties"]
        assert p["area_km2"] == r.pocket.area_km2 and p["headline"] == r.headline
        assert [x["name"] for x in p["exits"]] == [x.name for x in r.reach.exits if x.reachable]
        outline = shapely.geometry.shape(feature["geometry"])
        reached = r.reach.reached_nodes
        assert shapely.contains_xy(outline, net.lon[reached], net.lat[reached]).sum() > 0
    assert (
        "Pocket (the area the origin reaches)" in map_data(sc, reports[:1], net)["titles"].values()
    )


def test_this_day_line_names_zone_changes() -> None:
    """The page's script writes the day's zone changes (zone, actor, side, confidence, source)
    beside its events."""
    from importlib import resources

    js = (resources.files("corridor.outputs") / "assets" / "map.js").read_text(encoding="utf-8")
    assert "fr.report.zone_changes" in js and "zones held at the start" in js
