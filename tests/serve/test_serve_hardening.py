"""The workbench's hardening (issue 29, items 3, 8, 9 and 11): what a request cannot do to the
server, each class with its test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.bundled import bundled_scenarios
from corridor.scenario.load import load_scenario
from corridor.serve.app import create_app
from corridor.serve.store import EventLog

HELSINKI = "helsinki-bridges"


def event(eid: str, version: int, **extra: Any) -> dict[str, Any]:
    return {
        "base_version": version,
        "author": "ana",
        "id": eid,
        "date": "2026-06-03",
        "actor": "police",
        "kind": "close",
        "target": {"way": 23952344},
        "confidence": 0.9,
        "source": "HYP",
        **extra,
    }


def copy_of(folder: Path) -> Path:
    shutil.copytree(bundled_scenarios()[HELSINKI].parent, folder)
    return folder / "scenario.yaml"


def client_of(paths: list[Path], data: Path) -> TestClient:
    app = create_app(paths, data)
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1")


@pytest.fixture
def helsinki(tmp_path: Path) -> tuple[TestClient, Path]:
    path = copy_of(tmp_path / "helsinki")
    return client_of([path], tmp_path / "data"), path


def test_an_event_id_with_a_yaml_line_break_survives_export(
    helsinki: tuple[TestClient, Path],
) -> None:
    c, path = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    eid, quote = "shut\u2028two", "one\x85two\u2029three"
    r = c.post(url, json=event(eid, 0, quote=quote))
    assert r.status_code == 201, r.text
    r = c.get(f"/api/scenarios/{HELSINKI}/export")
    assert r.status_code == 200
    exported = path.with_name("exported.yaml")
    exported.write_text(r.text, encoding="utf-8")
    by_id = {e.id: e for e in load_scenario(exported).events}
    assert eid in by_id and by_id[eid].quote == quote


# ------------------------------------------------- item 3: the event log keyed by identity
def test_a_copy_of_a_scenario_folder_has_an_event_log_of_its_own(tmp_path: Path) -> None:
    data = tmp_path / "data"
    original, copy = copy_of(tmp_path / "a"), copy_of(tmp_path / "b")  # the same `name:`
    c = client_of([copy], data)
    r = c.post(f"/api/scenarios/{HELSINKI}/events", json=event("on-the-copy", 0))
    assert r.status_code == 201, r.text
    c = client_of([original], data)
    listing = c.get("/api/scenarios")
    assert listing.status_code == 200 and listing.json()[0]["version"] == 0
    ids = [e["id"] for e in c.get(f"/api/scenarios/{HELSINKI}/events").json()["events"]]
    assert "on-the-copy" not in ids
    c = client_of([copy], data)
    assert c.get("/api/scenarios").json()[0]["version"] == 1


def test_an_entry_that_no_longer_fits_its_file_is_reported_skipped_and_retractable(
    tmp_path: Path,
) -> None:
    data, path = tmp_path / "data", copy_of(tmp_path / "a")
    c = client_of([path], data)
    url = f"/api/scenarios/{HELSINKI}/events"
    stale = event("kluuvi-shut", 0, target={"place": "kluuvi"})
    assert c.post(url, json=stale).status_code == 201
    assert c.post(url, json=event("bridge-shut", 1)).status_code == 201
    # the file is edited since: the place the first entry names is gone
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "".join(ln for ln in text.splitlines(True) if "id: kluuvi," not in ln), encoding="utf-8"
    )
    c = client_of([path], data)
    listing = c.get("/api/scenarios")
    assert listing.status_code == 200, listing.text
    (skipped,) = listing.json()[0]["skipped"]
    assert skipped["event_id"] == "kluuvi-shut" and "kluuvi" in skipped["problem"]
    ids = [e["id"] for e in c.get(url).json()["events"]]
    assert "bridge-shut" in ids and "kluuvi-shut" not in ids
    r = c.post(f"{url}/kluuvi-shut/retract", json={"base_version": 2, "author": "bo"})
    assert r.status_code == 200, r.text
    assert c.get(url).json()["skipped"] == [] and c.get(url).json()["version"] == 3
    # a new edit that does not fit is still refused, not skipped
    r = c.post(url, json=event("again", 3, target={"place": "kluuvi"}))
    assert r.status_code == 422 and "kluuvi" in r.text


def test_an_event_log_keyed_by_name_is_migrated(tmp_path: Path) -> None:
    data, path = tmp_path / "data", copy_of(tmp_path / "a")
    old = EventLog(data)  # rows keyed by the scenario's name, as logs were written before
    body = {k: v for k, v in event("logged-before", 0).items() if k not in ("base_version",)}
    body.pop("author")
    old.append(HELSINKI, "create", "logged-before", body, author="ana", base_version=0)
    old.close()
    c = client_of([path], data)
    listing = c.get("/api/scenarios").json()
    assert listing[0]["version"] == 1
    ids = [e["id"] for e in c.get(f"/api/scenarios/{HELSINKI}/events").json()["events"]]
    assert "logged-before" in ids


# ------------------------------------------------- item 9: 4xx, never 500, for hostile JSON
def test_a_body_nested_900_levels_deep_is_a_422_in_one_line(
    helsinki: tuple[TestClient, Path],
) -> None:
    c, _ = helsinki
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(900):
        cur["a"] = {}
        cur = cur["a"]
    r = c.post(f"/api/scenarios/{HELSINKI}/events", json=event("deep", 0, notes=deep))
    assert r.status_code == 422 and "nests deeper than 50 levels" in r.json()["error"]
    r = c.post(f"/api/scenarios/{HELSINKI}/whatif", json={"ways": [[[[[[[]]]]]]] * 2, "x": deep})
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("where", ["quote", "id", "author"])
def test_a_lone_surrogate_is_a_422_in_one_line(
    helsinki: tuple[TestClient, Path], where: str
) -> None:
    c, _ = helsinki
    body = json.dumps(event("s", 0, **{where: "@@"})).replace('"@@"', '"a\\ud800b"')
    r = c.post(
        f"/api/scenarios/{HELSINKI}/events",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert "lone surrogate (U+D800)" in r.json()["error"]
    assert c.get(f"/api/scenarios/{HELSINKI}/events").json()["version"] == 0


# ------------------------------------------- item 11: a geojson target stays in its folder
@pytest.mark.parametrize("where", ["../outside.geojson", "ABSOLUTE", "link.geojson"])
def test_a_geojson_target_over_http_names_a_file_in_the_scenario_folder(
    helsinki: tuple[TestClient, Path], where: str
) -> None:
    """A client may not make the server read a JSON file outside the scenario's folder (by
    `../`, an absolute path or a link that leaves it); a file inside it is read as in a
    scenario file."""
    c, path = helsinki
    folder = path.parent
    poly = {
        "type": "Polygon",
        "coordinates": [[[24.9, 60.1], [25.0, 60.1], [25.0, 60.2], [24.9, 60.1]]],
    }
    outside = folder.parent / "outside.geojson"
    outside.write_text(json.dumps(poly))
    if where == "ABSOLUTE":
        where = str(outside)
    elif where == "link.geojson":
        (folder / where).symlink_to(outside)
    url = f"/api/scenarios/{HELSINKI}/events"
    r = c.post(url, json=event("far", 0, kind="zone", target={"geojson": where}))
    assert r.status_code == 422, r.text
    assert "lies outside the scenario's folder" in r.text
    (folder / "inside.geojson").write_text(json.dumps(poly))
    r = c.post(url, json=event("near", 0, kind="close", target={"geojson": "inside.geojson"}))
    assert "lies outside" not in r.text, r.text


# ------------------------------------------------ item 11: OPTIONS and 405 say what is allowed
def test_options_and_405_name_every_method_of_the_path(helsinki: tuple[TestClient, Path]) -> None:
    c, _ = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    r = c.options(url)
    assert r.status_code == 204 and r.headers["allow"] == "GET, OPTIONS, POST", r.headers
    r = c.delete(url)
    assert r.status_code == 405 and r.headers["allow"] == "GET, OPTIONS, POST"
    assert r.json() == {"error": "Method Not Allowed"}
    assert c.options("/no/such/path").status_code == 404


# ------------------------------------------------ item 8: edits within the file's limits, cheap
def test_an_edit_is_held_to_the_loaders_per_field_limits(
    helsinki: tuple[TestClient, Path],
) -> None:
    c, _ = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    r = c.post(url, json=event("long", 0, quote="x" * 20_001))
    assert r.status_code == 422 and "at most 20000 characters" in r.text, r.text
    assert "\n" not in r.json()["error"]
    r = c.post(url, json=event("many", 0, target={"ways": list(range(1, 10_002))}))
    assert r.status_code == 422 and "ways" in r.text, r.text
    assert c.post(url, json=event("fits", 0, quote="x" * 20_000)).status_code == 201


def test_an_edit_that_would_make_the_export_too_large_is_refused_and_the_export_loads(
    helsinki: tuple[TestClient, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridor.serve.sessions as sessions

    c, path = helsinki
    limit = len(path.read_bytes()) + 50_000
    monkeypatch.setattr(sessions, "MAX_FILE_BYTES", limit)
    url = f"/api/scenarios/{HELSINKI}/events"
    version, refused = 0, None
    for i in range(10):
        r = c.post(url, json=event(f"e{i}", version, quote="y" * 15_000))
        if r.status_code != 201:
            refused = r
            break
        version += 1
    assert refused is not None and refused.status_code == 422, "the size cap never applied"
    assert "MiB a scenario file may hold" in refused.text and version == 3
    exported = c.get(f"/api/scenarios/{HELSINKI}/export")
    assert len(exported.content) <= limit
    out = path.with_name("exported.yaml")
    out.write_bytes(exported.content)
    assert {f"e{i}" for i in range(3)} <= {e.id for e in load_scenario(out).events}


def test_the_analysed_scenario_is_what_the_export_reads_as(
    helsinki: tuple[TestClient, Path],
) -> None:
    c, path = helsinki
    url = f"/api/scenarios/{HELSINKI}/events"
    file_ids = [e["id"] for e in c.get(url).json()["events"]]
    steps = [
        c.post(url, json=event("a", 0, date="2026-06-05", quote="two\nlines: - x")),
        c.put(f"{url}/{file_ids[0]}", json=event(file_ids[0], 1, date="2026-06-03")),
        c.post(f"{url}/{file_ids[1]}/retract", json={"base_version": 2, "author": "bo"}),
        c.put(f"{url}/a", json=event("a", 3, kind="reopen", target={"event": file_ids[0]})),
        c.post(url, json=event("b", 4, target={"point": [24.95, 60.17], "radius_m": 300})),
    ]
    assert [r.status_code for r in steps] == [201, 200, 200, 200, 201], [r.text for r in steps]
    bench = c.app.state.workbench  # type: ignore[attr-defined]
    analysed = bench.current(HELSINKI).scenario
    out = path.with_name("exported.yaml")
    out.write_text(c.get(f"/api/scenarios/{HELSINKI}/export").text, encoding="utf-8")
    exported = load_scenario(out)
    assert analysed.events == exported.events
    assert analysed.closures == exported.closures and analysed.plans == exported.plans


def test_a_write_neither_writes_the_scenario_text_nor_evicts_what_it_does_not_touch(
    helsinki: tuple[TestClient, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridor.serve.sessions as sessions

    c, _ = helsinki
    written: list[int] = []
    real = sessions.scenario_text
    monkeypatch.setattr(sessions, "scenario_text", lambda *a: written.append(1) or real(*a))
    url = f"/api/scenarios/{HELSINKI}/events"
    bench = c.app.state.workbench  # type: ignore[attr-defined]
    view = {"scenario": HELSINKI, "date": "2026-06-04"}
    assert c.post("/api/view", json=view).status_code == 200
    (before,) = bench._situated.values()
    # an event after the date the situation is at: the same situation serves the new version
    assert c.post(url, json=event("later", 0, date="2026-06-09")).status_code == 201
    assert c.post("/api/view", json=view).status_code == 200
    assert list(bench._situated.values()) == [before]
    # an event before it changes the situation: a new one is prepared
    assert c.post(url, json=event("earlier", 1, date="2026-06-03")).status_code == 201
    r = c.post("/api/view", json=view)
    assert r.status_code == 200
    now = bench.current(HELSINKI).version
    (after,) = [s for k, s in bench._situated.items() if k[1] == now]
    assert after is not before
    assert written == []  # no write wrote the scenario's text; /export does
    assert c.get(f"/api/scenarios/{HELSINKI}/export").status_code == 200 and written == [1]


# --------------------------------------------------- item 11: a slow body does not hold on
def test_a_request_body_that_stalls_gets_408_and_a_finished_one_waits_untimed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    import corridor.serve.app as served

    monkeypatch.setattr(served, "BODY_IDLE_S", 0.2)
    calls: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            while (await receive()).get("more_body"):
                pass
        except served.HTTPException as exc:
            calls.append(f"{exc.status_code}")
            return
        calls.append("body")
        await asyncio.wait_for(receive(), timeout=0.5)  # the disconnect wait: never a 408
        calls.append("disconnect")

    async def run(chunks: list[dict[str, Any]]) -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for c in chunks:
            queue.put_nowait(c)

        async def receive() -> dict[str, Any]:
            if queue.empty():
                await asyncio.sleep(0.4)
                return {"type": "http.disconnect"}
            return await queue.get()

        async def send(message: Any) -> None:
            pass

        scope = {"type": "http", "method": "POST", "headers": [(b"host", b"127.0.0.1")]}
        await served._Guard(app, hosts=None)(scope, receive, send)

    # A thread of its own: an earlier test in this worker (the sync Playwright API) may
    # leave an event loop running in the main thread, where asyncio.run refuses.
    from concurrent.futures import ThreadPoolExecutor

    def in_own_loop(chunks: list[dict[str, Any]]) -> None:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run(chunks)).result(timeout=10)

    in_own_loop([{"type": "http.request", "body": b"{", "more_body": True}])
    assert calls == ["408"]
    calls.clear()
    in_own_loop([{"type": "http.request", "body": b"{}", "more_body": False}])
    assert calls == ["body", "disconnect"]


# --------------------------------- item 11: the OpenAPI schema says the limits the server keeps
def test_the_openapi_schema_names_the_values_the_server_takes(
    helsinki: tuple[TestClient, Path],
) -> None:
    import re

    c, path = helsinki
    doc = c.get("/openapi.json").json()
    props = doc["components"]["schemas"]["WhatIf"]["properties"]
    string = next(b for b in props["plan"]["anyOf"] if b.get("type") == "string")
    assert string["enum"] == sorted(load_scenario(path).plans)
    string = next(b for b in props["scenario"]["anyOf"] if b.get("type") == "string")
    assert string["enum"] == [HELSINKI]
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/roads"]["get"]["parameters"]}
    bbox = next(b for b in params["bbox"]["anyOf"] if b.get("type") == "string")["pattern"]
    assert re.fullmatch(bbox, "24.9,60.1,25.0,60.2") and re.fullmatch(bbox, "-180,-90,180,90")
    assert not re.fullmatch(bbox, "24.9,60.1,25.0") and not re.fullmatch(bbox, "181,0,182,1")
    assert c.get("/api/roads", params={"bbox": "24.9,60.1,25.0,60.2"}).status_code == 200
    # a way id beyond what a browser holds exactly is refused in one line, as the schema says
    r = c.post("/api/whatif", json={"close_ways": [2**53]})
    assert r.status_code == 422 and "\n" not in r.json()["error"]
