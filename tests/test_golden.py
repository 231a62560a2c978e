"""Fixed outputs kept byte for byte across refactors: ``analyze --json`` on the bundled scenarios
and the workbench's ``/api/report`` and ``/api/whatif`` answers, compared with the files in
``tests/golden/`` (written by the code before the restructuring of issue 22).

A change that is meant to change one of these answers rewrites the files on purpose:
``CORRIDOR_WRITE_GOLDEN=1 pytest tests/test_golden.py`` and the diff goes into the same commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import corridor
from corridor.bundled import bundled_scenarios
from corridor.cli.main import app as cli
from corridor.serve.app import create_app

GOLDEN = Path(__file__).parent / "golden"
WRITE = os.environ.get("CORRIDOR_WRITE_GOLDEN") == "1"
HELSINKI_BRIDGE_WAY = 23952344
PACKAGE = Path(corridor.__file__).resolve().parent

ANALYZE = {
    "analyze-mosul-2016-11-03-civilians": ["mosul-2016", "--at", "2016-11-03"],
    "analyze-mosul-2016-11-25-fighters": [
        "mosul-2016",
        "--at",
        "2016-11-25",
        "--mover",
        "isis-fighters",
    ],
    "analyze-mosul-encircle": ["mosul-2016", "--at", "2016-11-23", "--plan", "encircle"],
    "analyze-helsinki-closed": [
        "helsinki-bridges",
        "--at",
        "2026-06-03",
        "--mover",
        "cars",
        "--close-way",
        str(HELSINKI_BRIDGE_WAY),
    ],
    "analyze-helsinki-pedestrians": [
        "helsinki-bridges",
        "--at",
        "2026-06-08",
        "--mover",
        "pedestrians",
    ],
}

HTTP = {
    "report-get-mosul": ("GET", "/api/report", {"scenario": "mosul-2016", "date": "2016-11-03"}),
    "report-post-helsinki": (
        "POST",
        "/api/report",
        {
            "scenario": "helsinki-bridges",
            "date": "2026-06-03",
            "mover": "cars",
            "close_ways": [HELSINKI_BRIDGE_WAY],
            "close_areas": [{"lon": 24.9516, "lat": 60.1779, "radius_m": 30}],
        },
    ),
    "whatif-mosul": (
        "POST",
        "/api/whatif",
        {"scenario": "mosul-2016", "date": "2016-11-03", "mover": "civilians"},
    ),
    "whatif-helsinki-closed": (
        "POST",
        "/api/whatif",
        {
            "scenario": "helsinki-bridges",
            "date": "2026-06-03",
            "mover": "cars",
            "close_ways": [HELSINKI_BRIDGE_WAY],
        },
    ),
}


def check(name: str, text: str) -> None:
    # the bundled files' paths name the checkout: kept as <corridor>/..., the same everywhere
    text = text.replace(json.dumps(str(PACKAGE))[1:-1], "<corridor>")
    path = GOLDEN / f"{name}.json"
    if WRITE:
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name}: the output differs from {path} (byte for byte)"


@pytest.mark.parametrize("name", sorted(ANALYZE))
def test_analyze_json_is_unchanged(name: str) -> None:
    result = CliRunner().invoke(cli, ["analyze", *ANALYZE[name], "--json"])
    assert result.exit_code == 0, result.output
    check(name, result.stdout)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    data = tmp_path_factory.mktemp("golden-serve")
    app = create_app(list(bundled_scenarios().values()), data)
    return TestClient(app, base_url="http://127.0.0.1")


@pytest.mark.parametrize("name", sorted(HTTP))
def test_http_answers_are_unchanged(client: TestClient, name: str) -> None:
    method, path, args = HTTP[name]
    r = client.get(path, params=args) if method == "GET" else client.post(path, json=args)
    assert r.status_code == 200, r.text
    data: Any = r.json()
    check(name, json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n")
