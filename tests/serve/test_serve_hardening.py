"""The workbench's hardening (issue 29, items 8, 9 and 11): what a request cannot do to the
server, each class with its test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_serve_api import HELSINKI, event

from corridor.bundled import bundled_scenarios
from corridor.scenario.load import load_scenario
from corridor.serve.app import create_app


@pytest.fixture
def helsinki(tmp_path: Path) -> tuple[TestClient, Path]:
    folder = tmp_path / "helsinki"
    shutil.copytree(bundled_scenarios()[HELSINKI].parent, folder)
    path = folder / "scenario.yaml"
    app = create_app([path], tmp_path / "data")
    return TestClient(app, raise_server_exceptions=False, base_url="http://127.0.0.1"), path


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
