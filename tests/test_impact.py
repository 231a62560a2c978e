"""The layers of issue 14 on the map and in GeoJSON: roads by impact (``rank --geojson``,
``map --rank``) and exits shaded by the probability that they are reachable (``map --samples``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from tests.fixtures import write_scenario
from typer.testing import CliRunner

from corridor.analysis.ranking import rank_dates, rank_roads
from corridor.analysis.replay import mover_network, replay
from corridor.analysis.uncertainty import sample_timeline
from corridor.model.timeline import situation_at
from corridor.network.load import NetworkLoader
from corridor.outputs.impact import (
    CHANCE_RAMP,
    IMPACT_RAMP,
    SEALS_COLOUR,
    chance_overlay,
    impact_geojson,
    ramp,
)
from corridor.outputs.map import map_data
from corridor.scenario.load import load_scenario

DAYS = [dt.date(2020, 1, d) for d in (1, 5, 10, 15, 20)]


def _app():  # type: ignore[no-untyped-def]
    from corridor.cli.main import app

    return app


@pytest.fixture(scope="module")
def valley(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = write_scenario(tmp_path_factory.mktemp("valley"))
    sc = load_scenario(path)
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    return path, sc, networks


def _embedded(page: str) -> dict:  # type: ignore[type-arg]
    m = re.search(r'<script id="corridor-data" type="application/json">(.*?)</script>', page, re.S)
    assert m, "the page embeds no data"
    return json.loads(m.group(1))  # type: ignore[no-any-return]


def test_ramp_ends_and_middle() -> None:
    assert ramp(IMPACT_RAMP, 0) == IMPACT_RAMP[0] and ramp(IMPACT_RAMP, 1) == IMPACT_RAMP[-1]
    assert ramp(CHANCE_RAMP, 0.5) == CHANCE_RAMP[1]
    assert ramp(CHANCE_RAMP, -3) == CHANCE_RAMP[0] and ramp(CHANCE_RAMP, 7) == CHANCE_RAMP[-1]


@pytest.mark.parametrize("by_way", [False, True])
def test_rank_geojson_round_trip_equals_json(valley, tmp_path: Path, by_way: bool) -> None:  # type: ignore[no-untyped-def]
    """``rank --geojson``: one feature per road, the properties of ``--json``'s roads, in
    order, and a geometry through every segment of the road (read back by shapely and by
    GeoPandas)."""
    path, sc, networks = valley
    out = tmp_path / "rank.geojson"
    args = ["rank", str(path), "--at", "2020-01-05", *(["--by-way"] if by_way else [])]
    res = CliRunner().invoke(_app(), [*args, "--json", "--geojson", str(out)])
    assert res.exit_code == 0, res.output
    roads = json.loads(res.stdout)["roads"]
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and fc["properties"]["date"] == "2020-01-05"
    assert len(fc["features"]) == len(roads) > 0
    net = mover_network(sc, networks)
    s, _ = situation_at(sc, net, dt.date(2020, 1, 5), adapted=True)
    ranking = rank_roads(s, by_way=by_way)
    for i, (f, road, r) in enumerate(zip(fc["features"], roads, ranking.roads, strict=True)):
        props = f["properties"]
        assert {k: props[k] for k in road} == road, f"feature {i} differs from --json's road"
        assert props["rank"] == i + 1 and props["layer"] == "impact"
        colour = SEALS_COLOUR if r.seals else ramp(IMPACT_RAMP, r.capacity_lost_pct / 100)
        assert props["colour"] == colour
        geom = shape(f["geometry"])
        assert geom.is_valid and geom.geom_type in ("LineString", "MultiLineString")
        ends = shapely.points(
            np.column_stack(
                [
                    net.lon[np.concatenate([net.src[r.edges], net.dst[r.edges]])],
                    net.lat[np.concatenate([net.src[r.edges], net.dst[r.edges]])],
                ]
            )
        )
        assert shapely.dwithin(geom, ends, 1e-6).all(), f"{r.road}: a segment off its geometry"
    gpd = pytest.importorskip("geopandas")
    frame = gpd.read_file(out)
    assert list(frame["road"]) == [r["road"] for r in roads]
    assert list(frame["capacity_lost_pph"]) == [r["capacity_lost_pph"] for r in roads]
    assert list(frame["seals"]) == [r["seals"] for r in roads]


def test_rank_geojson_to_stdout_and_refusals(valley, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, _, _ = valley
    res = CliRunner().invoke(_app(), ["rank", str(path), "--geojson", "-"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["type"] == "FeatureCollection"
    both = CliRunner().invoke(_app(), ["rank", str(path), "--geojson", "-", "--json"])
    assert both.exit_code == 2 and "standard output" in both.output
    over = CliRunner().invoke(_app(), ["rank", str(path), "--geojson", str(path)])
    assert over.exit_code == 2 and len(over.output.strip().splitlines()) == 1, over.output


def test_map_rank_layer_is_the_ranking_of_each_date(valley, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, sc, networks = valley
    page = tmp_path / "m.html"
    layers = tmp_path / "layers"
    args = ["map", str(path), "-o", str(page), "--rank", "--geojson", str(layers)]
    res = CliRunner().invoke(_app(), args)
    assert res.exit_code == 0, res.output
    data = _embedded(page.read_text(encoding="utf-8"))
    assert "impact" in data["titles"] and data["overlays"] == ["impact"]
    net = mover_network(sc, networks)
    rankings = rank_dates(sc, net, DAYS)
    assert [f["date"] for f in data["frames"]] == [d.isoformat() for d in DAYS]
    for frame, ranking, day in zip(data["frames"], rankings, DAYS, strict=True):
        want = json.loads(json.dumps(impact_geojson(ranking, net, date=day.isoformat())))
        assert frame["layers"]["impact"] == want, f"impact layer of {day}"
    # what the roads lose differs between dates (a layer copied from one date would not)
    lost = [
        [f["properties"]["capacity_lost_pph"] for f in fr["layers"]["impact"]["features"]]
        for fr in data["frames"]
    ]
    assert len({tuple(x) for x in lost}) > 1, lost
    first = json.loads((layers / "impact.geojson").read_text(encoding="utf-8"))
    assert first == data["frames"][0]["layers"]["impact"]


def test_map_samples_shade_each_exit_by_its_probability(valley, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, sc, networks = valley
    page = tmp_path / "m.html"
    args = ["map", str(path), "-o", str(page), "--samples", "40", "--seed", "5"]
    res = CliRunner().invoke(_app(), args)
    assert res.exit_code == 0, res.output
    data = _embedded(page.read_text(encoding="utf-8"))
    assert data["overlays"] == ["chance"] and "chance" in data["titles"]
    summaries = sample_timeline(sc, networks, samples=40, seed=5, dates=DAYS)
    reports = replay(sc, networks)
    seen = set()
    for frame, s, r in zip(data["frames"], summaries, reports, strict=True):
        fc = frame["layers"]["chance"]
        assert fc["properties"]["n"] == 40 and fc["properties"]["seed"] == 5
        p = {x.name: round(x.p_reachable, 6) for x in s.exits}
        exits = {
            f["properties"]["exit"]: f for f in fc["features"] if f["properties"]["kind"] == "exit"
        }
        assert set(exits) == set(p), frame["date"]
        for f in fc["features"]:
            q = f["properties"]
            assert q["p_reachable"] == p[q["exit"]], (frame["date"], q)
            assert q["colour"] == ramp(CHANCE_RAMP, q["p_reachable"])
            seen.add(q["p_reachable"])
        # one corridor feature per stretch of the map's corridors layer
        n_corr = sum(f["properties"]["kind"] == "corridor" for f in fc["features"])
        assert n_corr == len(frame["layers"]["corridors"]["features"]), frame["date"]
        assert r.date == frame["date"]
    assert any(0 < x < 1 for x in seen), f"no uncertain exit in the fixture: {seen}"


def test_overlays_must_match_the_reports(valley) -> None:  # type: ignore[no-untyped-def]
    _, sc, networks = valley
    reports = replay(sc, networks)
    net = mover_network(sc, networks)
    summaries = sample_timeline(sc, networks, samples=5, dates=DAYS)
    with pytest.raises(ValueError, match="summaries over samples for"):
        chance_overlay(summaries[:2], reports, net)
    overlay = chance_overlay(summaries, reports, net)
    data = map_data(sc, reports, net, overlays=[overlay])
    assert all("chance" in fr["layers"] for fr in data["frames"])
    assert "chance" not in map_data(sc, reports, net)["titles"]
