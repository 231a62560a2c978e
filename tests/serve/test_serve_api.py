"""The workbench's API through FastAPI's TestClient (httpx): the reports equal the CLI's, the
what-ifs equal fresh analyses, events are checked by the scenario loader's rules, stale writes
get 409, the export loads back with the same answers, errors are one JSON line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.analysis.replay import mover_network, report_at
from corridor.bundled import bundled_scenarios
from corridor.cli.main import app as cli
from corridor.model.situation import Closure
from corridor.network.load import NetworkLoader
from corridor.outputs.json import report_json
from corridor.scenario.load import load_scenario
from corridor.serve.app import create_app

runner = CliRunner()
HELSINKI = "helsinki-bridges"
BRIDGE_WAY = 23952344  # the Long Bridge's roadway (helsinki-bridges' bridge-roadway event)


def ways_of(layer: dict[str, Any]) -> set[int]:
    """The OSM ways a layer draws (one per segment feature, or several per stretch)."""
    props = [f["properties"] for f in layer["features"]]
    return {w for p in props for w in p.get("osm_ways") or [p["osm_way"]]}


def roundtrip(data: Any) -> Any:
    return json.loads(json.dumps(data))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data = tmp_path_factory.mktemp("serve-data")
    app = create_app(list(bundled_scenarios().values()), data)
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")


@pytest.fixture
def helsinki(tmp_path: Path) -> tuple[TestClient, Path]:
    """A client over a copy of helsinki-bridges (its events may change), and the copy's file."""
    folder = tmp_path / "helsinki"
    shutil.copytree(bundled_scenarios()[HELSINKI].parent, folder)
    path = folder / "scenario.yaml"
    app = create_app([path], tmp_path / "data")
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1"), path


def cli_json(*args: str) -> Any:
    result = runner.invoke(cli, ["analyze", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------- reading
def test_scenarios_lists_movers_plans_dates_and_version(client: TestClient) -> None:
    r = client.get("/api/scenarios")
    assert r.status_code == 200
    by_name = {s["name"]: s for s in r.json()}
    assert set(by_name) == set(bundled_scenarios())
    mosul = by_name["mosul-2016"]
    assert "isis-fighters" in mosul["movers"] and mosul["default_mover"] in mosul["movers"]
    assert {"name": "corridor", "title": mosul["plans"][0]["title"]} in mosul["plans"] or any(
        p["name"] == "corridor" for p in mosul["plans"]
    )
    assert mosul["dates"][0] == mosul["first"] == "2016-10-17"
    assert mosul["version"] == 0


@pytest.mark.parametrize(
    ("scenario", "date", "mover", "plan"),
    [
        ("mosul-2016", "2016-11-03", "isis-fighters", None),
        ("mosul-2016", "2016-11-23", "civilians", "encircle"),
        (HELSINKI, "2026-06-08", "pedestrians", None),
    ],
)
def test_get_report_is_analyze_json(
    client: TestClient, scenario: str, date: str, mover: str, plan: str | None
) -> None:
    params = {"scenario": scenario, "date": date, "mover": mover}
    args = [scenario, "--at", date, "--mover", mover]
    if plan:
        params["plan"] = plan
        args += ["--plan", plan]
    r = client.get("/api/report", params=params)
    assert r.status_code == 200, r.text
    assert r.json() == cli_json(*args)
    assert float(r.headers["x-elapsed-ms"]) >= 0 and r.headers["server-timing"].startswith("app;")


def test_post_report_equals_analyze_with_the_same_what_ifs(client: TestClient) -> None:
    body = {
        "scenario": HELSINKI,
        "date": "2026-06-03",
        "mover": "cars",
        "close_ways": [BRIDGE_WAY],
        "close_areas": [{"lon": 24.9516, "lat": 60.1779, "radius_m": 30}],
    }
    r = client.post("/api/report", json=body)
    assert r.status_code == 200, r.text
    expected = cli_json(
        HELSINKI,
        "--at",
        "2026-06-03",
        "--mover",
        "cars",
        "--close-way",
        str(BRIDGE_WAY),
        "--close-point",
        "24.9516,60.1779,30",
    )
    assert r.json() == expected
    assert (
        r.json()["what_if"]
        and r.json()
        != client.get(
            "/api/report", params={"scenario": HELSINKI, "date": "2026-06-03", "mover": "cars"}
        ).json()
    )


def test_what_ifs_after_the_date_s_report_equal_fresh_analyses(
    helsinki: tuple[TestClient, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the date's report is made, a what-if's full report keeps what the closure leaves
    untouched (routes, the cheapest flow; ``analyze(previous=...)``): each still equals
    ``corridor analyze --close-way`` on the same file. The server's long-lived objects are out
    of the collector's full passes after that first report (``settle_heap``)."""
    import gc

    import corridor.analysis.report as report_module

    kept: list[int] = []
    real = report_module.kept_routes

    def spy(*args: Any) -> Any:
        found = real(*args)
        kept.append(len(found))
        return found

    monkeypatch.setattr(report_module, "kept_routes", spy)
    client, path = helsinki
    params = {"date": "2026-06-03", "mover": "cars"}
    base = client.get("/api/report", params=params)
    assert base.status_code == 200, base.text
    assert gc.get_freeze_count() > 0
    on_route = [w for r in base.json()["routes"] for w in r["osm_ways"]]
    sc = load_scenario(path)
    net = mover_network(sc, NetworkLoader(sc.network_path, kind=sc.network_kind), "cars")
    off_route = next(int(w) for w in net.way_id[::-1] if int(w) not in set(on_route))
    for way in [on_route[len(on_route) // 2], on_route[-1], BRIDGE_WAY, off_route]:
        r = client.post("/api/report", json={**params, "close_ways": [way]})
        assert r.status_code == 200, r.text
        want = cli_json(str(path), "--at", "2026-06-03", "--mover", "cars", "--close-way", str(way))
        assert r.json() == want, way
    assert len(kept) == 4 and kept[-1] > 0, "a what-if off every route kept nothing"


def test_what_ifs_stack_and_clearing_returns_the_recorded_state(client: TestClient) -> None:
    base = {"scenario": "mosul-2016", "date": "2016-11-03", "mover": "isis-fighters"}
    recorded = client.get("/api/report", params=base).json()
    cut = recorded["min_cut"]["segments"]
    assert recorded["status"] == "open" and cut
    ways = sorted({s["osm_way"] for s in cut})
    sealed = client.post("/api/report", json={**base, "close_ways": ways}).json()
    assert sealed["status"] == "sealed", "closing the minimum cut's ways seals the origin"
    sc = load_scenario(bundled_scenarios()["mosul-2016"])
    nets = NetworkLoader(sc.network_path, kind=sc.network_kind)
    import datetime as dt

    fresh = report_at(
        sc,
        nets,
        dt.date(2016, 11, 3),
        mover="isis-fighters",
        what_if=[Closure(ways=(w,), label=f"way {w}") for w in ways],
    )
    assert sealed == roundtrip(report_json(fresh, mover_network(sc, nets, "isis-fighters")))
    assert client.post("/api/report", json=base).json() == recorded


def test_a_way_off_the_network_and_an_area_off_every_road_are_warnings(client: TestClient) -> None:
    base = {"scenario": "mosul-2016", "date": "2016-11-03", "mover": "isis-fighters"}
    r = client.post(
        "/api/report",
        json={
            **base,
            "close_ways": [999999999],
            "close_areas": [{"lon": 0, "lat": 0, "radius_m": 10}],
        },
    )
    assert r.status_code == 200, r.text
    warnings = r.json()["warnings"]
    assert [w["id"] for w in warnings] == ["what-if[0]", "what-if[1]"]
    assert {w["code"] for w in warnings} == {"closure-closes-nothing"}
    assert "way 999999999" in warnings[0]["message"]
    recorded = client.get("/api/report", params=base).json()
    assert r.json()["status"] == recorded["status"]
    assert r.json()["min_cut"] == recorded["min_cut"]


def test_view_has_the_report_layers_and_header(client: TestClient) -> None:
    body = {
        "scenario": HELSINKI,
        "date": "2026-06-03",
        "mover": "pedestrians",
        "close_ways": [BRIDGE_WAY],
    }
    r = client.post("/api/view", json=body)
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["report"] == client.post("/api/report", json=body).json()
    for name in ("routes", "cut", "critical", "closures", "zones", "closed", "areas"):
        assert view["layers"][name]["type"] == "FeatureCollection", name
    assert view["report"]["status"].upper() in view["header"]
    closed_ways = {f["properties"].get("osm_way") for f in view["layers"]["closed"]["features"]}
    assert BRIDGE_WAY in closed_ways


def test_roads_are_click_targets_with_way_ids(client: TestClient) -> None:
    r = client.get("/api/roads", params={"scenario": HELSINKI, "mover": "cars"})
    assert r.status_code == 200
    feats = r.json()["features"]
    assert feats and all({"way", "name", "ref", "highway"} <= set(f["properties"]) for f in feats)
    assert BRIDGE_WAY in {f["properties"]["way"] for f in feats}
    near = client.get(
        "/api/roads",
        params={"scenario": HELSINKI, "mover": "cars", "bbox": "24.950,60.176,24.952,60.178"},
    ).json()["features"]
    assert 0 < len(near) < len(feats) and BRIDGE_WAY in {f["properties"]["way"] for f in near}
    bad = client.get("/api/roads", params={"scenario": HELSINKI, "bbox": "1,2,3"})
    assert bad.status_code == 422 and "WEST,SOUTH,EAST,NORTH" in bad.json()["error"]


# ----------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("method", "url", "body", "code", "words"),
    [
        ("get", "/api/report?scenario=nowhere", None, 404, "no scenario named 'nowhere'"),
        (
            "get",
            "/api/report?scenario=mosul-2016&date=1999-01-01",
            None,
            422,
            "outside the scenario's window",
        ),
        ("get", "/api/report?scenario=mosul-2016&date=2016-02-30", None, 422, "date"),
        ("get", "/api/report?scenario=mosul-2016&mover=tanks", None, 422, "'tanks' is not a mover"),
        (
            "get",
            "/api/report?scenario=mosul-2016&plan=none",
            None,
            422,
            "plan 'none' does not exist",
        ),
        (
            "post",
            "/api/report",
            {"scenario": "mosul-2016", "close_ways": ["x"]},
            422,
            "close_ways.0",
        ),
        (
            "post",
            "/api/report",
            {
                "scenario": "mosul-2016",
                "close_areas": [{"polygon": [[0, 0], [1, 1], [0, 1], [1, 0]]}],
            },
            422,
            "not a valid polygon",
        ),
        (
            "post",
            "/api/report",
            {"scenario": "mosul-2016", "close_areas": [{"lon": 0, "lat": 0, "radius_m": -1}]},
            422,
            "radius_m",
        ),
        ("get", "/api/scenarios/nowhere/events", None, 404, "no scenario named"),
        (
            "get",
            "/api/scenarios/mosul-2016/events/nothing/history",
            None,
            404,
            "has no event 'nothing'",
        ),
    ],
)
def test_errors_are_one_json_line_with_the_cli_message(
    client: TestClient, method: str, url: str, body: Any, code: int, words: str
) -> None:
    r = client.request(method.upper(), url, json=body)
    assert r.status_code == code, r.text
    error = r.json()["error"]
    assert words in error and "\n" not in error and "Traceback" not in error


def test_a_body_too_large_is_413(client: TestClient) -> None:
    ring = [[24.9 + i * 1e-6, 60.17] for i in range(200_000)]
    r = client.post("/api/report", json={"scenario": HELSINKI, "close_areas": [{"polygon": ring}]})
    assert r.status_code == 413 and "larger than" in r.json()["error"]


def test_an_unexpected_failure_is_a_500_without_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.serve import sessions

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd line 3")

    monkeypatch.setattr(sessions.Workbench, "situated", broken)
    r = client.get("/api/report", params={"scenario": HELSINKI})
    assert r.status_code == 500
    assert r.json() == {"error": "internal error: the server could not answer (see its log)"}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_security_headers_and_no_external_origin(client: TestClient) -> None:
    for url in ("/api/scenarios", "/assets/leaflet.js", "/openapi.json"):
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "http" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/docs").status_code == 404  # Swagger UI would load a CDN's scripts


def test_a_token_guards_writes_and_reads(tmp_path: Path) -> None:
    path = bundled_scenarios()[HELSINKI]
    closed = TestClient(
        create_app([path], tmp_path / "a", token="s3cret"), base_url="http://127.0.0.1"
    )
    assert closed.get("/api/scenarios").status_code == 401
    assert (
        closed.get("/api/scenarios", headers={"Authorization": "Bearer wrong"}).status_code == 401
    )
    assert (
        closed.get("/api/scenarios", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    )
    assert closed.get("/assets/leaflet.css").status_code == 200  # the page holds no data
    public = TestClient(
        create_app([path], tmp_path / "b", token="s3cret", public_read=True),
        base_url="http://127.0.0.1",
    )
    assert public.get("/api/scenarios").status_code == 200
    write = {"base_version": 0, "author": "x", "reason": ""}
    url = f"/api/scenarios/{HELSINKI}/events/bridge-roadway/retract"
    assert public.post(url, json=write).status_code == 401
    ok = public.post(url, json=write, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200, ok.text


# ----------------------------------------------------------------------------------- events
def event(eid: str, version: int, **extra: Any) -> dict[str, Any]:
    return {
        "base_version": version,
        "author": "ana",
        "id": eid,
        "date": "2026-06-03",
        "actor": "police",
        "kind": "close",
        "target": {"way": BRIDGE_WAY},
        "confidence": 0.9,
        "source": {
            "outlet": "Helsingin Sanomat",
            "url": "https://example.org/x",
            "date": "2026-06-03",
        },
        "quote": "The bridge is <b>closed</b>",
        **extra,
    }


def test_events_create_amend_retract_history(helsinki: tuple[TestClient, Path]) -> None:
    c, _ = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    listed = c.get(url).json()
    assert listed["version"] == 0
    assert {e["origin"] for e in listed["events"]} == {"file"}
    r = c.post(url, json=event("bridge-shut", 0))
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1 and r.json()["event"]["author"] == "ana"
    r = c.put(f"{url}/bridge-shut", json=event("bridge-shut", 1, confidence=0.4, author="bo"))
    assert r.status_code == 200, r.text
    assert r.json()["event"]["confidence"] == 0.4 and r.json()["event"]["updated_by"] == "bo"
    r = c.post(
        f"{url}/bridge-roadway/retract",
        json={"base_version": 2, "author": "bo", "reason": "rumour"},
    )
    assert r.status_code == 200, r.text
    now = {e["id"]: e for e in c.get(url).json()["events"]}
    assert (
        now["bridge-roadway"]["status"] == "retracted" and now["bridge-shut"]["status"] == "current"
    )
    history = c.get(f"{url}/bridge-shut/history").json()["history"]
    assert [h["op"] for h in history] == ["create", "amend"]
    assert [h["author"] for h in history] == ["ana", "bo"]
    file_history = c.get(f"{url}/bridge-roadway/history").json()["history"]
    assert [h["op"] for h in file_history] == ["file", "retract"]
    assert c.get("/api/scenarios").json()[0]["version"] == 3


def test_reports_reflect_recorded_events(helsinki: tuple[TestClient, Path]) -> None:
    c, _ = helsinki
    q = {"scenario": HELSINKI, "date": "2026-06-03", "mover": "cars"}
    before = c.get("/api/report", params=q).json()
    r = c.post(f"/api/scenarios/{HELSINKI}/events", json=event("bridge-shut", 0))
    assert r.status_code == 201
    after = c.get("/api/report", params=q).json()
    assert "bridge-shut" in {x["id"] for x in after["events"]}
    assert after != before
    what_if = c.post("/api/report", json={**q, "close_ways": [BRIDGE_WAY]}).json()
    assert after["status"] == what_if["status"] and after["min_cut"] == what_if["min_cut"]


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"confidence": 3}, "event 'bad': confidence: Input should be less than or equal to 1"),
        ({"actor": "nobody"}, "event 'bad': actor: no actor with id 'nobody'"),
        ({"date": "2020-01-01"}, "event 'bad': date: 2020-01-01 is before the scenario's start"),
        (
            {"kind": "explode"},
            "event 'bad': kind: Input should be 'close', 'reopen', 'zone', 'population', 'window' or 'restrict'",
        ),
        ({"colour": "red"}, "event 'bad': unknown key 'colour'"),
        ({"target": {"event": "no-such"}, "kind": "reopen"}, "no event with id 'no-such'"),
    ],
)
def test_an_event_the_loader_refuses_gets_its_message(
    helsinki: tuple[TestClient, Path], extra: dict[str, Any], words: str
) -> None:
    c, _ = helsinki
    r = c.post(f"/api/scenarios/{HELSINKI}/events", json=event("bad", 0, **extra))
    assert r.status_code == 422, r.text
    assert words in r.json()["error"], r.json()["error"]
    assert c.get(f"/api/scenarios/{HELSINKI}/events").json()["version"] == 0, "nothing written"


def test_a_stale_write_gets_409_with_the_changes(helsinki: tuple[TestClient, Path]) -> None:
    c, _ = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    assert c.post(url, json=event("first", 0)).status_code == 201
    r = c.post(url, json=event("second", 0, author="bo"))
    assert r.status_code == 409
    body = r.json()
    assert "version 1" in body["error"] and "based on version 0" in body["error"]
    assert [ch["event_id"] for ch in body["changes"]] == ["first"]
    assert body["changes"][0]["author"] == "ana"
    r = c.put(f"{url}/first", json=event("first", 0, author="bo"))
    assert r.status_code == 409
    assert c.post(url, json=event("second", 1)).status_code == 201


def test_export_loads_back_with_the_same_answers(helsinki: tuple[TestClient, Path]) -> None:
    c, path = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    quote = 'He said: "closed" -- #not a comment\nline two: {x}'
    assert c.post(url, json=event("bridge-shut", 0, quote=quote)).status_code == 201
    first = c.get(url).json()["events"][0]
    fields = {
        k: v
        for k, v in first.items()
        if k not in {"status", "origin", "author", "created", "updated", "updated_by", "version"}
    }
    assert (
        c.put(
            f"{url}/{first['id']}",
            json={**fields, "confidence": 0.5, "base_version": 1, "author": "bo"},
        ).status_code
        == 200
    )
    assert (
        c.post(
            f"{url}/bridge-roadway/retract", json={"base_version": 2, "author": "bo"}
        ).status_code
        == 200
    )
    r = c.get(f"/api/scenarios/{HELSINKI}/export")
    assert r.status_code == 200 and r.headers["x-corridor-version"] == "3"
    exported = path.with_name("exported.yaml")
    exported.write_text(r.text, encoding="utf-8")
    sc = load_scenario(exported)
    by_id = {e.id: e for e in sc.events}
    assert "bridge-roadway" not in by_id and by_id["bridge-shut"].quote == quote
    assert by_id[first["id"]].confidence == 0.5
    assert r.text.startswith(path.read_text(encoding="utf-8")[:300])
    for date, mover in [("2026-06-03", "cars"), ("2026-06-08", "pedestrians")]:
        served = c.get(
            "/api/report", params={"scenario": HELSINKI, "date": date, "mover": mover}
        ).json()
        cli = cli_json(str(exported), "--at", date, "--mover", mover)
        assert served == cli, f"{date} {mover}: the export answers differently"


@pytest.mark.parametrize(
    ("scenario", "date", "mover", "ways"),
    [
        (HELSINKI, "2026-06-03", "cars", []),
        (HELSINKI, "2026-06-03", "cars", [BRIDGE_WAY]),
        (HELSINKI, "2026-06-03", "pedestrians", [BRIDGE_WAY, 999]),
        ("mosul-2016", "2016-11-03", "isis-fighters", "cut"),
        ("mosul-2016", "2016-11-23", "civilians", "route"),
    ],
)
def test_the_quick_what_if_agrees_with_the_full_report(
    client: TestClient, scenario: str, date: str, mover: str, ways: Any
) -> None:
    base = {"scenario": scenario, "date": date, "mover": mover}
    if ways == "cut":
        recorded = client.get("/api/report", params=base).json()
        ways = sorted({s["osm_way"] for s in recorded["min_cut"]["segments"]})
    elif ways == "route":
        recorded = client.get("/api/report", params=base).json()
        ways = recorded["routes"][0]["osm_ways"][len(recorded["routes"][0]["osm_ways"]) // 2 :][:1]
    body = {**base, "close_ways": ways}
    r = client.post("/api/whatif", json=body)
    assert r.status_code == 200, r.text
    quick = r.json()
    full = client.post("/api/view", json=body).json()
    answer, report = quick["answer"], full["report"]
    assert answer["quick"] is True and "evacuation" not in answer
    for cut in ("min_cut", "capacity_cut"):  # the road stretches come with the full report
        report[cut].pop("stretches", None)
    same = ("status", "exits", "min_cut", "capacity_cut", "critical_segments", "capacity_pph")
    for key in (*same, "closed", "warnings", "events", "origin", "network", "scenario", "date"):
        assert answer[key] == report[key], f"{key} differs between /api/whatif and /api/report"
    assert answer.get("what_if") == report.get("what_if")
    assert answer["routes"] == [x for x in report["routes"] if x["rank"] == 0]
    for name in ("closed", "closures"):
        assert quick["layers"][name] == full["layers"][name], name
    for name in ("cut", "critical"):  # the full report draws them as named road stretches
        assert ways_of(quick["layers"][name]) == ways_of(full["layers"][name]), name
    assert full["header"].startswith(quick["header"])


# ------------------------------------------------------------------------------------- the CLI
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0 is not a loopback address: give --token"),
        (["--host", "192.168.1.5", "--token", " "], "--token is empty"),
        (["no-such-scenario"], "no such scenario file"),
    ],
)
def test_serve_refuses_to_start_in_one_line(args: list[str], words: str, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["serve", *args, "--data", str(tmp_path)], env={"CORRIDOR_TOKEN": ""}
    )
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_progress_says_what_is_being_prepared(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from corridor.analysis.prepared import Prepared

    release = threading.Event()
    original = Prepared.of.__func__  # type: ignore[attr-defined]

    def slow(cls: type[Prepared], situation: Any) -> Prepared:
        release.wait(30)
        return original(cls, situation)

    monkeypatch.setattr(Prepared, "of", classmethod(slow))
    # as on a fresh server: no situation prepared yet (an earlier test's, which an edit since
    # does not touch, would be carried over and need no preparation)
    client.app.state.workbench._situated.clear()  # type: ignore[attr-defined]
    params = {"scenario": HELSINKI, "date": "2026-06-05", "mover": "cars"}
    done: list[int] = []
    worker = threading.Thread(
        target=lambda: done.append(client.get("/api/report", params=params).status_code)
    )
    worker.start()
    try:
        for _ in range(300):
            preparing = client.get("/api/progress").json()["preparing"]
            if preparing:
                break
            threading.Event().wait(0.05)
        assert preparing, "the preparation shows while it runs"
        item = preparing[0]
        assert item["scenario"] == HELSINKI and item["date"] == "2026-06-05"
        assert "preparing" in item["stage"] and item["seconds"] >= 0
    finally:
        release.set()
        worker.join()
    assert done == [200]
    assert client.get("/api/progress").json() == {"preparing": []}


def test_the_page_and_leaflet_are_served_and_nothing_else(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/page/app.js").status_code == 200
    assert client.get("/assets/images/marker-icon.png").status_code == 200
    for url in ("/page/../store.py", "/page/%2e%2e/store.py", "/assets/../../etc/passwd", "/page/"):
        r = client.get(url)
        assert r.status_code == 404, url
