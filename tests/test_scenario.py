"""Scenario files: the core and full formats, and every bad input reported with file:line."""

from __future__ import annotations

import copy
import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.errors import Problem, ScenarioError
from corridor.scenario import yaml_lines
from corridor.scenario.load import load_scenario, scenario_json_schema
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


# ----------------------------------------------------------------------------- parsing once
def test_the_file_is_parsed_once_with_libyaml(tmp_path: Path, monkeypatch) -> None:
    if yaml.__with_libyaml__:
        assert yaml_lines.LOADER is yaml.CSafeLoader, "libyaml is there but not used"
    path = write_scenario(tmp_path)
    parses = []
    loader: Any = yaml_lines.LOADER

    class CountingLoader(loader):
        def get_single_node(self) -> yaml.Node | None:
            parses.append(path)
            return super().get_single_node()

    def second_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scenario file was parsed a second time")

    monkeypatch.setattr(yaml_lines, "LOADER", CountingLoader)
    for name in ("compose", "load", "safe_load", "parse", "scan"):
        monkeypatch.setattr(yaml, name, second_parse)
    assert load_scenario(path).name == "valley"
    assert len(parses) == 1, f"composed {len(parses)} times"


def test_c_and_python_loaders_give_the_same_data_and_lines(tmp_path: Path, monkeypatch) -> None:
    text = write_scenario(tmp_path).read_text()
    data, lines = yaml_lines.parse_yaml(text)
    monkeypatch.setattr(yaml_lines, "LOADER", yaml.SafeLoader)
    py_data, py_lines = yaml_lines.parse_yaml(text)
    assert data == py_data == yaml.safe_load(text)
    for loc in [("origin",), ("events", 2, "target", "event"), ("plans", 1, "add", 0), ("x",)]:
        assert lines.line(loc) == py_lines.line(loc), loc


def test_invalid_yaml_reads_as_the_python_parser_says(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("corridor: 1\nname: x\nexits: [a, b\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems == [
        f"{path}:4: not valid YAML (expected ',' or ']', but got '<stream end>'); "
        "check indentation and quoting"
    ]


def test_read_top_level(tmp_path: Path) -> None:
    assert yaml_lines.read_top_level(write_scenario(tmp_path))["title"] == "Valley test scenario"
    (tmp_path / "list.yaml").write_text("- a\n")
    assert yaml_lines.read_top_level(tmp_path / "list.yaml") == {}


# ----------------------------------------------------------------------------- structured problems
def _error(tmp_path: Path, data: dict) -> ScenarioError:
    path = write_scenario(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


_ZONE = {"polygon": [[9, 49], [9.5, 49], [9.5, 49.5], [9, 49.5], [9, 49]], "source": "T1"}


@pytest.mark.parametrize("actor_id", ["grey", "it's"])  # repr of "it's" has double quotes
def test_an_actor_set_aside_is_not_reported_again_as_unknown(tmp_path: Path, actor_id) -> None:
    data = copy.deepcopy(scenario_dict())
    data["actors"].append({"id": actor_id, "side": "red", "bogus": 1})  # rejected by pydantic
    data["zones"].append(dict(_ZONE, actor=actor_id))
    err = _error(tmp_path, data)
    assert [p.loc for p in err.details] == [("actors", 2, "bogus")], err.problems
    assert len(err.problems) == 1 and "unknown key 'actors[2].bogus'" in err.problems[0]


def test_an_id_set_aside_hides_only_unknown_ids_of_its_own_kind(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["actors"].append({"id": "zz", "side": "red", "bogus": 1})
    data["origin"] = "zz"  # a place id; no place zz
    err = _error(tmp_path, data)
    unknown = [p for p in err.details if p.refers_to is not None]
    assert [(p.loc, p.refers_to) for p in unknown] == [(("origin",), ("place", "zz"))], err.problems


def test_a_place_set_aside_that_is_the_origin_is_reported_once(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["places"][0]["population"] = "many"  # town: the origin and the population place
    err = _error(tmp_path, data)
    assert [p.where for p in err.details] == ["places[0].population"], err.problems


def test_overlapping_zones_are_reported_at_their_own_line(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    skipped = dict(_ZONE, actor="red-army", geojson="x.geojson")  # polygon and geojson: skipped
    data["zones"] = [skipped, dict(_ZONE, actor="red-army"), dict(_ZONE, actor="red-army")]
    err = _error(tmp_path, data)
    assert [p.loc for p in err.details] == [("zones", 0), ("zones", 2)], err.problems
    assert "overlaps zone 'zone-2'" in err.problems[1]


def test_problems_are_the_details_formatted(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["events"][0]["actor"] = "green-army"
    data["events"][1]["confidence"] = 1.5
    err = _error(tmp_path, data)
    path = tmp_path / "scenario.yaml"
    assert err.problems == [p.format(path) for p in err.details]
    actor = next(p for p in err.details if p.refers_to == ("actor", "green-army"))
    assert actor.line == _line_of(path, "green-army")


def test_problem_format() -> None:
    p = Problem(
        ("events", 0, "target", "between", 1),
        "no place with id 'atlantis'",
        "add it to places",
        line=105,
    )
    assert p.where == "events[0].target.between[1]"
    assert p.format(Path("s.yaml")) == (
        "s.yaml:105: events[0].target.between[1]: no place with id 'atlantis'; add it to places"
    )
    assert Problem(("end",), "end is before start", line=5).format("s.yaml") == (
        "s.yaml:5: end: end is before start"
    )
    required = Problem(("plans", 2, "start"), "plans[2].start is required", line=7)
    assert replace(required, loc_in_message=True).format("s.yaml") == (
        "s.yaml:7: plans[2].start is required"
    )
    assert Problem((), "not valid YAML (x)", "check quoting", 4).format("s.yaml") == (
        "s.yaml:4: not valid YAML (x); check quoting"
    )
    assert Problem(("origin",), "no line known").format("s.yaml") == "s.yaml: origin: no line known"


# ------------------------------------------------------------------------- exit kinds


def test_exits_without_kind_are_refuges(tmp_path: Path) -> None:
    sc = load_scenario(write_scenario(tmp_path))
    assert [type(a).__name__ for a in sc.exits] == ["Exit"] * 3
    assert [a.kind for a in sc.exits] == ["refuge"] * 3
    assert all(a.kind == "refuge" for m in sc.movers.values() for a in (m.exits or ()))


def test_exit_kind_by_place_and_inline(tmp_path: Path) -> None:
    data = scenario_dict()
    data["exits"] = [
        {"place": "west", "kind": "waypoint"},
        {"place": "north", "name": "North gate"},
        {"name": "Far", "point": [9.9, 50.2], "radius_m": 300, "kind": "waypoint"},
    ]
    data["movers"][0]["exits"] = [{"place": "north", "kind": "waypoint"}, "west"]
    sc = load_scenario(write_scenario(tmp_path, data))
    assert [(a.name, a.kind) for a in sc.exits] == [
        ("West City", "waypoint"),
        ("North gate", "refuge"),
        ("Far", "waypoint"),
    ]
    assert sc.exits[0].point == tuple(data["places"][1]["point"])
    mover = sc.movers[data["movers"][0]["id"]]
    assert [(a.name, a.kind) for a in mover.exits or ()] == [
        ("North City", "waypoint"),
        ("West City", "refuge"),
    ]


@pytest.mark.parametrize(
    ("exit_item", "expected"),
    [
        ({"place": "west", "kind": "camp"}, "'refuge' or 'waypoint'"),
        ({"place": "west", "point": [9.9, 50.0], "radius_m": 10}, "names a place or draws an area"),
        ({"place": "nowhere"}, "nowhere"),
    ],
)
def test_bad_exit_kinds(tmp_path: Path, exit_item: dict, expected: str) -> None:
    data = scenario_dict()
    data["exits"] = [exit_item, "north"]
    problems = _problems(tmp_path, data)
    assert any(expected in str(p) for p in problems), problems
    assert any("exits" in str(p) for p in problems), problems
