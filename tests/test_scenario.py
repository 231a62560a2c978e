"""Scenario files: the core and full formats, and every bad input reported with file:line."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from corridor.errors import ScenarioError
from corridor.io.scenario import load_scenario, scenario_json_schema
from fixtures import core_scenario_dict, scenario_dict, write_scenario


def test_fixture_scenario_loads(tmp_path: Path) -> None:
    sc = load_scenario(write_scenario(tmp_path))
    assert sc.name == "valley"
    assert sc.origin.name == "Town"
    assert [a.name for a in sc.exits] == ["West City", "North City", "Border post"]
    assert sc.population == 10000 and sc.population_place == "town"
    assert set(sc.movers) == {"fighters", "civilians"}
    assert [e.id for e in sc.events][:2] == ["cut-north", "take-w1"]
    assert sc.plans["seal"].add[0].plan == "seal"
    assert sc.events[0].sources[0].outlet == "Test Wire"
    assert sc.start == dt.date(2020, 1, 1)


def _problems(tmp_path: Path, data: dict, roads: dict | None = None) -> list[str]:
    path = write_scenario(tmp_path, data, roads)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_unknown_key_is_reported_with_its_line(tmp_path: Path) -> None:
    data = scenario_dict()
    data["exitz"] = data.pop("exits")
    problems = _problems(tmp_path, data)
    path = tmp_path / "scenario.yaml"
    assert any(
        p.startswith(f"{path}:{_line_of(path, 'exitz')}:") and "unknown key 'exitz'" in p
        for p in problems
    ), problems


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["events"][0]["actor"] = "green-army"  # unknown actor
    data["events"][1]["confidence"] = 1.5  # outside [0, 1]
    data["events"][2]["date"] = "2020-13-01"  # not a date
    data["plans"][0]["drop"] = ["no-such-event"]  # unknown event id
    problems = _problems(tmp_path, data)
    text = "\n".join(problems)
    path = tmp_path / "scenario.yaml"
    # type problems and unknown ids together, each at its own line
    assert "confidence" in text and "1.5" in text, text
    assert "2020-13-01" in text, text
    assert "no actor with id 'green-army'" in text, text
    assert "no event with id 'no-such-event' to drop" in text, text
    assert f"{path}:{_line_of(path, 'green-army')}:" in text, text
    assert f"{path}:{_line_of(path, '- no-such-event')}:" in text, text
    assert all(p.startswith(str(tmp_path / "scenario.yaml") + ":") for p in problems)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["events"][0].update(date="2019-12-01"), "before the scenario's start"),
        (
            lambda d: d["events"][0]["target"].update(between=["town", "atlantis"]),
            "no place with id 'atlantis'",
        ),
        (lambda d: d["places"][0].update(point=[50.0, 100.0]), "are the two swapped"),
        (
            lambda d: d["zones"].extend(
                [
                    {
                        "actor": "red-army",
                        "from": "2020-01-01",
                        "polygon": [[9, 49], [9.5, 49], [9.5, 49.5], [9, 49]],
                        "source": "T1",
                    },
                    {
                        "actor": "red-army",
                        "from": "2020-01-05",
                        "polygon": [[9.2, 49.2], [9.6, 49.2], [9.6, 49.6], [9.2, 49.2]],
                        "source": "T1",
                    },
                ]
            ),
            "overlaps zone",
        ),
        (
            lambda d: d["zones"].append(
                {"actor": "red-army", "polygon": [[9, 49], [9.5, 49], [9.5, 49.5]], "source": "T1"}
            ),
            "does not close",
        ),
        (
            lambda d: d["zones"].append(
                {
                    "actor": "red-army",
                    "polygon": [[9, 49], [9.5, 49.5], [9.5, 49], [9, 49.5], [9, 49]],
                    "source": "T1",
                }
            ),
            "not valid",
        ),
        (
            lambda d: d["zones"].append(
                {"actor": "red-army", "geojson": "missing.geojson", "source": "T1"}
            ),
            "not found",
        ),
        (lambda d: d["events"][0].update(source="T9"), "source 'T9' is not a key"),
        (
            lambda d: d["events"][2]["target"].update(event="nope"),
            "no event with id 'nope' to reopen",
        ),
        (lambda d: d["movers"][0].update(blocked_by=["purple"]), "no side with id 'purple'"),
        (lambda d: d.update(mover="bicycle"), "neither a mover id"),
        (lambda d: d["events"][0].update(time="25:00"), "HH:MM"),
        (lambda d: d["network"].update(geojson="nowhere.geojson"), "not found"),
    ],
)
def test_bad_scenarios(tmp_path: Path, mutate, expected: str) -> None:
    data = copy.deepcopy(scenario_dict())
    mutate(data)
    problems = _problems(tmp_path, data)
    assert any(expected in p for p in problems), problems
    assert all(":" in p.split(" ")[0] for p in problems), problems


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("corridor: 1\nname: x\nexits: [a, b\n")
    with pytest.raises(ScenarioError, match=r"scenario.yaml:\d+: not valid YAML"):
        load_scenario(path)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.yaml")


def test_json_schema_validates_the_fixture(tmp_path: Path) -> None:
    import jsonschema

    schema = scenario_json_schema()
    data = json.loads(json.dumps(scenario_dict()))
    jsonschema.validate(data, schema)
    bad = dict(data, unknown_key=1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_docs_schema_is_current() -> None:
    doc = Path(__file__).parents[1] / "docs" / "scenario.schema.json"
    assert json.loads(doc.read_text()) == scenario_json_schema(), (
        "docs/scenario.schema.json is stale: run `corridor scenario schema > docs/scenario.schema.json`"
    )


def test_core_format_inline_areas_and_closures(tmp_path: Path) -> None:
    data = core_scenario_dict(
        closures=[{"way": 201, "source": "a report", "date": "2020-01-01"}], population=20000
    )
    sc = load_scenario(write_scenario(tmp_path, data))
    assert sc.closures[0].ways == (201,)
    assert sc.population == 20000
    assert yaml.safe_load((tmp_path / "scenario.yaml").read_text())["name"] == "core"


def test_problems_of_every_kind_together_without_knock_on_noise(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["strat"] = "2020-01-01"  # unknown top-level key
    data["places"][2]["population"] = -5  # north: invalid, set aside
    data["events"][3]["actor"] = "green-army"  # unknown actor
    data["plans"][0]["drop"] = ["cut-north"]  # cut-north targets the set-aside place
    problems = _problems(tmp_path, data)
    text = "\n".join(problems)
    assert "unknown key 'strat'" in text, text
    assert "places[2].population" in text, text
    assert "no actor with id 'green-army'" in text, text
    assert "no place with id 'north'" not in text, "a set-aside place is reported again as unknown"
    assert "to drop" not in text, "an event whose target has a problem is still an event"
