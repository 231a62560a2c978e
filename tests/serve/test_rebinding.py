"""DNS rebinding (issue 29, item 1): the workbench answers only to the names of this machine
(127.0.0.1, localhost, [::1], the bound port) and to names given with ``--allowed-host``; a
write whose ``Origin`` is another site is refused. Checked through the app and through a real
``corridor serve`` on a free port, where a page served as ``http://evil.example:PORT/`` would
reach it when that name resolves to 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from corridor.bundled import bundled_scenarios
from corridor.serve.app import create_app

TINY_ROADS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"highway": "primary", "osm_id": 101, "name": "Road"},
            "geometry": {"type": "LineString", "coordinates": [[10.0, 50.0], [10.03, 50.0]]},
        }
    ],
}
TINY = """\
corridor: 1
name: tiny
start: 2020-01-01
network: {geojson: roads.geojson}
origin: {point: [10.0, 50.0], radius_m: 100}
exits:
  - {name: East, point: [10.03, 50.0], radius_m: 100}
"""

EVENT = {
    "base_version": 0,
    "author": "ana",
    "id": "rebound",
    "date": "2020-01-02",
    "kind": "close",
    "target": {"way": 101},
    "confidence": 0.5,
    "source": "a test",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("rebinding-data")
    return create_app(
        [bundled_scenarios()["helsinki-bridges"]], data, allowed_hosts=["corridor.lan"], port=8123
    )


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8123",
        "localhost:8123",
        "[::1]:8123",
        "LOCALHOST.:8123",
        "localhost",
        "corridor.lan:8123",
    ],
)
def test_the_machine_s_own_names_are_answered(app, host: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url=f"http://{host}")
    assert client.get("/api/scenarios").status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:8123",
        "evil.example",
        "127.0.0.1:9999",
        "localhost.evil.example:8123",
        "127.0.0.1.nip.io:8123",
        "",
        "a:b:c",
        "[::1",
    ],
)
def test_any_other_host_is_refused_with_421(app, host: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://127.0.0.1:8123")
    r = client.get("/api/scenarios", headers={"host": host})
    assert r.status_code == 421, (host, r.status_code)
    assert "--allowed-host" in r.json()["error"]
    r = client.get("/api/scenarios/helsinki-bridges/export", headers={"host": host})
    assert r.status_code == 421


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example:8123", "null", "http://127.0.0.1:9999", "https://corridor.lan.evil"],
)
def test_writes_from_another_origin_are_refused_with_403(app, origin: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://127.0.0.1:8123")
    r = client.post(
        "/api/scenarios/helsinki-bridges/events", json=EVENT, headers={"origin": origin}
    )
    assert r.status_code == 403, r.text
    assert "origin" in r.json()["error"]


def test_a_write_from_the_page_s_own_origin_reaches_the_route(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app, base_url="http://127.0.0.1:8123")
    r = client.post(
        "/api/scenarios/helsinki-bridges/events",
        json={**EVENT, "target": {"way": 0}},
        headers={"origin": "http://localhost:8123"},
    )
    # past the guard: the route itself judges the event (an unknown way is its 422)
    assert r.status_code not in (403, 421), r.text


def test_a_real_server_refuses_a_rebound_name(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "roads.geojson").write_text(json.dumps(TINY_ROADS), encoding="utf-8")
    (folder / "scenario.yaml").write_text(TINY, encoding="utf-8")
    corridor = Path(sys.executable).with_name("corridor")
    proc = subprocess.Popen(
        [
            str(corridor),
            "serve",
            str(folder / "scenario.yaml"),
            "--port",
            "0",
            "--data",
            str(tmp_path / "data"),
            "--allowed-host",
            "corridor.lan",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("corridor serve: http://127.0.0.1:"), line
        url = line.split()[2].rstrip("/")
        port = url.rsplit(":", 1)[1]
        with httpx.Client(base_url=url, timeout=30) as c:
            assert c.get("/api/scenarios").status_code == 200
            evil = {"host": f"evil.example:{port}"}
            assert c.get("/api/scenarios", headers=evil).status_code == 421
            assert c.get("/api/scenarios/tiny/export", headers=evil).status_code == 421
            r = c.post("/api/scenarios/tiny/events", json=EVENT, headers=evil)
            assert r.status_code == 421
            r = c.post(
                "/api/scenarios/tiny/events",
                json=EVENT,
                headers={"origin": f"http://evil.example:{port}"},
            )
            assert r.status_code == 403
            assert c.get("/api/scenarios/tiny/events").json()["events"] == []
            allowed = {"host": f"corridor.lan:{port}"}
            assert c.get("/api/scenarios", headers=allowed).status_code == 200
            r = c.post(
                "/api/scenarios/tiny/events",
                json=EVENT,
                headers={"origin": f"http://localhost:{port}"},
            )
            assert r.status_code == 201, r.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
