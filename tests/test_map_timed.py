"""Windows, restricted roads and checkpoints on the map (issue 25): the layers ``corridor map``
(HTML and ``--geojson``) and ``/api/view`` draw, checked against the timeline's state and the
roads each target covers computed here independently (an edge's endpoints, undirected)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.analysis.replay import mover_network, replay
from corridor.cli.main import app as cli
from corridor.model.situation import closure_edge_mask
from corridor.model.timeline import state_at
from corridor.network.load import NetworkLoader
from corridor.outputs.layers import map_layers
from corridor.scenario.load import load_scenario
from corridor.serve.app import create_app
from fixtures import TIMED_HOSTILE as HOSTILE
from fixtures import write_timed

runner = CliRunner()


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_timed(tmp_path_factory.mktemp("timed"))


def _segments(coords: list[list[list[float]]]) -> set[frozenset[tuple[float, float]]]:
    return {frozenset((tuple(a), tuple(b))) for a, b in coords}


def _expected_segments(net: Any, closure: Any) -> set[frozenset[tuple[float, float]]]:
    out = set()
    for e in np.flatnonzero(closure_edge_mask(net, closure)).tolist():
        s, d = int(net.src[e]), int(net.dst[e])
        a = (round(float(net.lon[s]), 6), round(float(net.lat[s]), 6))
        b = (round(float(net.lon[d]), 6), round(float(net.lat[d]), 6))
        out.add(frozenset((a, b)))
    return out


def test_the_layers_follow_the_timeline_and_cover_the_targets_roads(timed: Path) -> None:
    sc = load_scenario(timed)
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    net = mover_network(sc, networks)
    reports = {r.date: r for r in replay(sc, networks)}
    window = next(e for e in sc.events if e.id == "erbil-road-pause")
    counts = {}
    for day, r in reports.items():
        layers = map_layers(sc, r, net)
        counts[day] = tuple(
            len(layers[k]["features"]) for k in ("windows", "restricted", "checkpoints")
        )
    # the window from the first day to its last (inclusive), the restriction 25-27 January
    # (lifted on the 27th), the checkpoint every day
    assert counts["2017-01-24"] == (1, 0, 1)
    assert counts["2017-01-25"] == (1, 1, 1)
    assert counts["2017-01-27"] == (1, 0, 1)

    layers = map_layers(sc, reports["2017-01-25"], net)
    (w,) = layers["windows"]["features"]
    p = w["properties"]
    assert (p["event"], p["hours"], p["date"], p["until"], p["today"]) == (
        "erbil-road-pause",
        "09:00-14:00",
        "2017-01-24",
        "2017-02-28",
        True,
    )
    assert w["geometry"]["type"] == "MultiLineString"
    assert _segments(w["geometry"]["coordinates"]) == _expected_segments(net, window.closure)
    assert p["segments"] == len(w["geometry"]["coordinates"]) > 0

    (x,) = layers["restricted"]["features"]
    q = x["properties"]
    assert (q["event"], q["capacity_factor"], q["speed_factor"], q["confidence"]) == (
        "r6-under-fire",
        0.3,
        0.5,
        0.6,
    )
    restrict = next(e for e in sc.events if e.id == "r6-under-fire")
    assert _segments(x["geometry"]["coordinates"]) == _expected_segments(net, restrict.closure)

    (c,) = layers["checkpoints"]["features"]
    k = c["properties"]
    assert (k["checkpoint"], k["name"], k["rate_pph"], k["hours"], k["closed"]) == (
        "khazir-screening",
        HOSTILE,
        1200,
        "08:00-18:00",
        False,
    )
    assert k["actor"] == "peshmerga" and k["sources"][0]["key"] == "H2"
    post = sc.checkpoints[0]
    assert c["geometry"]["coordinates"] == [round(v, 6) for v in post.area.representative]
    assert k["segments"] > 0  # R6 passes through Khazir


def test_a_closed_checkpoint_is_drawn_closed_and_a_window_on_its_last_day_still_is(
    timed: Path,
) -> None:
    sc = load_scenario(timed)
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    net = mover_network(sc, networks)
    days = [dt.date(2017, 1, 26), dt.date(2017, 1, 28)]
    reports = replay(sc, networks, plan="screening-halted", dates=days)
    closed = [
        [
            f["properties"]["closed"]
            for f in map_layers(sc, r, net, plan="screening-halted")["checkpoints"]["features"]
        ]
        for r in reports
    ]
    assert closed == [[True], [False]]
    assert state_at(sc, dt.date(2017, 1, 26), plan="screening-halted").closed_checkpoints
    # the window's last day is one of its days (inclusive): still drawn, as today's
    (late,) = replay(sc, networks, dates=[dt.date(2017, 2, 28)])
    (w,) = map_layers(sc, late, net)["windows"]["features"]
    assert w["properties"]["today"] is True
    assert sc.end == dt.date(2017, 2, 28)


def test_corridor_map_writes_the_layers_and_the_page_embeds_them(
    timed: Path, tmp_path: Path
) -> None:
    out = tmp_path / "layers"
    html = tmp_path / "timed.html"
    r = runner.invoke(
        cli, ["map", str(timed), "--at", "2017-01-25", "-o", str(html), "--geojson", str(out)]
    )
    assert r.exit_code == 0, r.output
    for name, n in (("windows", 1), ("restricted", 1), ("checkpoints", 1)):
        fc = json.loads((out / f"{name}.geojson").read_text(encoding="utf-8"))
        assert len(fc["features"]) == n, name
    page = html.read_text(encoding="utf-8")
    assert "window.CorridorDraw" in page  # the shared drawing, inlined
    assert '<img src=x onerror="window.pwned=1">' not in page  # data sits in JSON, escaped
    assert "\\u003cimg src=x" in page


def test_the_workbench_view_answers_the_layers(timed: Path, tmp_path: Path) -> None:
    client = TestClient(create_app([timed], tmp_path / "data"), base_url="http://127.0.0.1")
    body = {"scenario": "khazir-2017", "date": "2017-01-25"}
    view = client.post("/api/view", json=body).json()
    assert {
        k: len(view["layers"][k]["features"]) for k in ("windows", "restricted", "checkpoints")
    } == {
        "windows": 1,
        "restricted": 1,
        "checkpoints": 1,
    }
    only = client.post("/api/view", json={**body, "layers": ["checkpoints"]}).json()
    assert list(only["layers"]) == ["checkpoints"]
    assert client.post("/api/view", json={**body, "layers": ["nope"]}).status_code == 422
    js = client.get("/page/draw.js")
    assert js.status_code == 200 and "window.CorridorDraw" in js.text
    assert js.headers["content-type"].startswith("text/javascript")
    css = client.get("/page/draw.css")
    assert css.status_code == 200 and ".corridor-checkpoint" in css.text
    assert css.headers["content-type"].startswith("text/css")
