"""A real ``corridor serve`` on 127.0.0.1: two clients writing at once lose nothing, and every
acknowledged edit survives the server killed with SIGKILL at random moments (the kill test)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

KILL_ROUNDS = 20
ROADS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"highway": "primary", "osm_id": 100 + i, "name": f"Road {i}"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[10.0 + 0.01 * i, 50.0], [10.01 + 0.01 * i, 50.0]],
            },
        }
        for i in range(3)
    ],
}
SCENARIO = """\
corridor: 1
name: tiny
start: 2020-01-01
network: {geojson: roads.geojson}
origin: {point: [10.0, 50.0], radius_m: 100}
exits:
  - {name: East, point: [10.03, 50.0], radius_m: 100}
"""
URL = "/api/scenarios/tiny/events"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "roads.geojson").write_text(json.dumps(ROADS), encoding="utf-8")
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder / "scenario.yaml"


def start(scenario: Path, data: Path) -> tuple[subprocess.Popen[str], str]:
    """``corridor serve`` on a free port; returns once it listens (it prints the URL then)."""
    corridor = Path(sys.executable).with_name("corridor")
    proc = subprocess.Popen(
        [str(corridor), "serve", str(scenario), "--port", "0", "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("corridor serve: http://127.0.0.1:"), f"did not start: {line!r}"
    return proc, line.split()[2]


def event(eid: str, version: int, author: str = "ana") -> dict[str, Any]:
    return {
        "base_version": version,
        "author": author,
        "id": eid,
        "date": "2020-01-02",
        "kind": "close",
        "target": {"way": 101},
        "confidence": 0.5,
        "source": "a test",
    }


def test_two_clients_writing_at_once_lose_nothing(tiny: Path, tmp_path: Path) -> None:
    proc, url = start(tiny, tmp_path / "data")
    per_client = 12
    conflicts = [0, 0]
    try:

        def write(k: int) -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                version = c.get(URL).json()["version"]
                done = 0
                while done < per_client:
                    r = c.post(URL, json=event(f"c{k}-{done}", version, author=f"client-{k}"))
                    if r.status_code == 201:
                        version = r.json()["version"]
                        done += 1
                    else:
                        assert r.status_code == 409, r.text
                        conflicts[k] += 1
                        body = r.json()
                        assert body["changes"], "a 409 says what changed"
                        version = body["changes"][-1]["version"]

        failures: list[BaseException] = []

        def guarded(k: int) -> None:
            try:
                write(k)
            except BaseException as exc:  # seen by the test, not lost in the thread
                failures.append(exc)

        threads = [threading.Thread(target=guarded, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not failures, failures
        with httpx.Client(base_url=url, timeout=30) as c:
            listed = c.get(URL).json()
            entries = [
                c.get(f"{URL}/{e['id']}/history").json()["history"] for e in listed["events"]
            ]
    finally:
        proc.kill()
        proc.wait()
    ids = {e["id"] for e in listed["events"]}
    assert ids == {f"c{k}-{i}" for k in (0, 1) for i in range(per_client)}
    assert listed["version"] == 2 * per_client
    versions = sorted(h[0]["version"] for h in entries)
    assert versions == list(range(1, 2 * per_client + 1)), "one entry per version, none lost"
    assert all(h[0]["base_version"] == h[0]["version"] - 1 for h in entries), (
        "each write was based on the version just before it"
    )


@pytest.mark.slow
def test_acknowledged_edits_survive_sigkill(tiny: Path, tmp_path: Path) -> None:
    """The kill test: ``KILL_ROUNDS`` rounds of a burst of writes and a SIGKILL at a random
    moment; after each restart, every edit acknowledged so far is there."""
    data = tmp_path / "data"
    rng = random.Random(20261130)
    acked: list[str] = []
    failures: list[str] = []  # what the writing thread saw go wrong
    t0 = time.perf_counter()
    for rnd in range(KILL_ROUNDS + 1):
        proc, url = start(tiny, data)
        try:
            with httpx.Client(base_url=url, timeout=30) as c:
                listed = c.get(URL).json()
            present = {e["id"] for e in listed["events"]}
            missing = [a for a in acked if a not in present]
            assert not missing, f"round {rnd}: acknowledged edits lost: {missing[:5]}"
            assert listed["version"] == len(present), "one log entry per event created"
            if rnd == KILL_ROUNDS:
                break
            version = listed["version"]
            stop = threading.Event()

            def burst(
                base: int, rnd: int = rnd, url: str = url, stop: threading.Event = stop
            ) -> None:
                i = 0
                with httpx.Client(base_url=url, timeout=30) as c:
                    while not stop.is_set():
                        eid = f"r{rnd}-{i}"
                        i += 1
                        try:
                            r = c.post(URL, json=event(eid, base))
                        except httpx.HTTPError:
                            return  # the server is gone
                        if r.status_code != 201:
                            failures.append(f"round {rnd}, {eid}: {r.status_code} {r.text}")
                            return
                        acked.append(eid)
                        base = r.json()["version"]

            writer = threading.Thread(target=burst, args=(version,))
            writer.start()
            time.sleep(rng.uniform(0.05, 0.6))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            stop.set()
            writer.join()
            assert not failures, failures
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert len(acked) >= KILL_ROUNDS, "the bursts wrote something in most rounds"
    print(
        f"kill test: {KILL_ROUNDS} SIGKILL rounds, {len(acked)} acknowledged edits, all present "
        f"after each restart ({len(present) - len(acked)} more committed but not acknowledged "
        f"when the server died), {time.perf_counter() - t0:.1f} s"
    )
