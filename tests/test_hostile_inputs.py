"""Malformed, hostile and absurd inputs: each gets one clear line (a ``CorridorError`` naming the
file, the line or feature, what is wrong and how to fix it), never a traceback, a hang or a
silently wrong answer. Scenario files first, then network files, tags and the cache."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from corridor.errors import CorridorError, ScenarioError
from corridor.io import yaml_lines
from corridor.io.scenario import load_scenario
from fixtures import scenario_dict, write_scenario

Mutation = Callable[[dict[str, Any]], object]


def _problems_of_text(tmp_path: Path, text: str | bytes) -> list[str]:
    path = write_scenario(tmp_path)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    _assert_one_line_each(info.value)
    return info.value.problems


def _problems(tmp_path: Path, mutate: Mutation) -> list[str]:
    data = copy.deepcopy(scenario_dict())
    mutate(data)
    path = write_scenario(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    _assert_one_line_each(info.value)
    return info.value.problems


def _assert_one_line_each(exc: CorridorError) -> None:
    path = "scenario.yaml:"
    assert "\n" not in str(exc), str(exc)
    for p in getattr(exc, "problems", [str(exc)]):
        assert "\n" not in p and path in p.split(" ")[0], p
        assert len(p) < 600, f"a {len(p)}-character message: {p[:200]}..."


def _line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[nth - 1]


def _base_text() -> str:
    return yaml.safe_dump(scenario_dict(), sort_keys=False)


# ----------------------------------------------------------------------------- reading the text
def test_non_utf8_scenario_is_one_line_with_its_line(tmp_path: Path) -> None:
    text = _base_text().encode().replace(b"title: Valley", b"title: Vall\xe9e")
    [problem] = _problems_of_text(tmp_path, text)
    assert "not UTF-8 text (byte 0xe9" in problem and "save the file as UTF-8" in problem
    assert problem.split(": ")[0].endswith("scenario.yaml:3"), problem


@pytest.mark.parametrize(
    "nested",
    [
        "[" * 500 + "]" * 500,
        "{a: " * 500 + "1" + "}" * 500,
        "[" * 5000 + "]" * 5000,  # beyond libyaml's own limit: its message, not RecursionError
    ],
)
def test_deeply_nested_yaml_is_refused(tmp_path: Path, nested: str) -> None:
    [problem] = _problems_of_text(tmp_path, f"corridor: 1\nname: {nested}\n")
    assert "nested more than 50 levels deep" in problem or "nesting depth" in problem, problem


def test_deeply_nested_block_mapping_is_refused(tmp_path: Path) -> None:
    text = "corridor: 1\nname:\n" + "".join("  " * (i + 1) + "a:\n" for i in range(500))
    [problem] = _problems_of_text(tmp_path, text)
    assert "nested more than 50 levels deep" in problem, problem


def _alias_bomb(levels: int) -> str:
    lol = ",".join(['"lol"'] * 9)
    items = [f"&a0 [{lol}]"] + [f"&a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return f"corridor: 1\nname: [{', '.join(items)}]\n"


@pytest.mark.parametrize("levels", [8, 9])
def test_alias_bomb_is_refused_fast(tmp_path: Path, levels: int) -> None:
    text = _alias_bomb(levels)
    assert len(text) < 500  # 9**8 = 43 million strings from a few hundred bytes
    start = time.perf_counter()
    [problem] = _problems_of_text(tmp_path, text)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"refusing the alias bomb took {elapsed:.1f} s"
    assert "aliases (*name) expand to more than 10,000 YAML nodes" in problem, problem


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    [problem] = _problems_of_text(tmp_path, "corridor: 1\nname: &a [*a]\n")
    assert "nested more than 50 levels" in problem or "aliases" in problem, problem


def test_small_aliases_are_allowed(tmp_path: Path) -> None:
    data = scenario_dict()
    box = [[9.0, 49.0], [9.5, 49.0], [9.5, 49.5], [9.0, 49.5], [9.0, 49.0]]
    data["zones"] = [
        {"actor": "red-army", "from": "2020-01-01", "to": "2020-01-05", "polygon": box},
        {"actor": "blue-militia", "from": "2020-01-05", "polygon": box},
    ]
    path = write_scenario(tmp_path, data)
    text = yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False)  # writes &id001 / *id001
    assert "*id001" in text
    path.write_text(text)
    assert len(load_scenario(path).zones) == 2


def test_a_huge_value_is_echoed_short(tmp_path: Path) -> None:
    problems = _problems(tmp_path, lambda d: d.update(name="x" * 1_000_000))
    assert any("(1,000,000 characters)" in p for p in problems), problems


def test_a_huge_id_is_echoed_short(tmp_path: Path) -> None:
    long_id = "q" * 100_000
    problems = _problems(tmp_path, lambda d: d["events"][0].update(actor=long_id))
    assert any("no actor with id" in p and "(100,000 characters)" in p for p in problems)


def test_file_size_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_lines, "MAX_FILE_BYTES", 2 * 2**20)
    path = write_scenario(tmp_path)
    path.write_text(_base_text() + "#" * (3 * 2**20) + "\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "the file is 3.0 MiB, more than the 2 MiB a YAML file may hold" in str(info.value)


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    text = _base_text().replace("title: Valley", "name: again\ntitle: Valley")
    path = write_scenario(tmp_path)
    [problem] = _problems_of_text(tmp_path, text)
    first, second = _line_of(path, "name: valley"), _line_of(path, "name: again")
    assert f"key 'name' is written twice in one mapping (lines {first} and {second})" in problem
    assert problem.startswith(f"{path}:{second}: "), problem


def test_duplicate_keys_deep_in_the_file(tmp_path: Path) -> None:
    text = _base_text().replace("  radius_m: 1500\n", "  radius_m: 1500\n  radius_m: 150\n", 1)
    [problem] = _problems_of_text(tmp_path, text)
    assert "key 'radius_m' is written twice" in problem, problem


def test_a_network_file_given_as_a_scenario(tmp_path: Path) -> None:
    pbf = tmp_path / "extract.osm.pbf"
    pbf.write_bytes(b"\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\xff\xfe\x80")
    with pytest.raises(ScenarioError) as info:
        load_scenario(pbf)
    msg = str(info.value)
    assert "this is a road network file, not a scenario" in msg
    assert "network: {osm: extract.osm.pbf}" in msg and "\n" not in msg


# ----------------------------------------------------------------------------- ids
@pytest.mark.parametrize("key", ["places", "sides", "actors", "movers", "events", "plans"])
def test_duplicate_ids_name_both_lines(tmp_path: Path, key: str) -> None:
    def dup(d: dict[str, Any]) -> None:
        d[key].append(copy.deepcopy(d[key][0]))

    data = scenario_dict()
    path = write_scenario(tmp_path)
    first_id = data[key][0]["id"]
    problems = _problems(tmp_path, dup)
    kind = key.removesuffix("s")
    text = "\n".join(problems)
    assert f"duplicate {kind} id {first_id!r}, first defined at line " in text, problems
    lines = [p for p in problems if f"duplicate {kind} id" in p]
    first_line = int(lines[0].split("first defined at line ")[1].split(";")[0])
    assert f"id: {first_id}" in path.read_text().splitlines()[first_line - 1]


def test_duplicate_zone_ids(tmp_path: Path) -> None:
    box = [[9.0, 49.0], [9.5, 49.0], [9.5, 49.5], [9.0, 49.5], [9.0, 49.0]]
    zones = [
        {"id": "z", "actor": "red-army", "to": "2020-01-05", "polygon": box},
        {"id": "z", "actor": "blue-militia", "from": "2020-01-05", "polygon": box},
    ]
    problems = _problems(tmp_path, lambda d: d.update(zones=zones))
    assert any("duplicate zone id 'z', first defined at line" in p for p in problems), problems


# ----------------------------------------------------------------------------- values
_DATES = ["2016-02-30", "2016-13-01", "2016-00-10", "0000-01-01"]


@pytest.mark.parametrize("date", _DATES)
@pytest.mark.parametrize(
    ("old", "where"),
    [
        ("start: '2020-01-01'", "start"),
        ("date: '2020-01-05'", "events[0].date"),
        ("date: '2020-01-01'", "sources.T1.date"),
        ("start: '2020-01-02'", "plans[0].start"),
    ],
)
def test_impossible_dates_unquoted(tmp_path: Path, date: str, old: str, where: str) -> None:
    text = _base_text()
    assert old in text
    key = old.split(":")[0]
    problems = _problems_of_text(tmp_path, text.replace(old, f"{key}: {date}", 1))
    assert any(f" {where}: " in p and date in p for p in problems), problems


@pytest.mark.parametrize("date", _DATES)
def test_impossible_dates_quoted(tmp_path: Path, date: str) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["sources"]["T1"]["date"] = date
        d["events"][1]["date"] = date
        d["zones"] = [
            {
                "actor": "red-army",
                "from": date,
                "polygon": [[9, 49], [9.5, 49], [9.5, 49.5], [9, 49]],
            }
        ]

    text = "\n".join(_problems(tmp_path, mutate))
    for where in ("sources.T1.date", "events[1].date", "zones[0].from"):
        assert f"{where}: " in text and date in text, text


def test_free_text_source_dates_still_pass(tmp_path: Path) -> None:
    data = scenario_dict()
    data["sources"]["T1"]["date"] = "October 2016"
    assert load_scenario(write_scenario(tmp_path, data)).name == "valley"


@pytest.mark.parametrize("radius", [0, -5, float("nan"), float("inf"), 1e300])
def test_origin_radius_out_of_range(tmp_path: Path, radius: float) -> None:
    problems = _problems(
        tmp_path, lambda d: d.update(origin={"point": [10.0, 50.0], "radius_m": radius})
    )
    [problem] = problems
    assert "origin.radius_m: " in problem and "allowed: more than 0, at most 20,000,000" in problem
    assert "valid string" not in problem


@pytest.mark.parametrize("where", ["origin", "exit", "place"])
def test_misspelt_radius_suggests_the_key(tmp_path: Path, where: str) -> None:
    area = {"point": [10.0, 50.0], "radus_m": 1500}

    def mutate(d: dict[str, Any]) -> None:
        if where == "origin":
            d["origin"] = area
        elif where == "exit":
            d["exits"].append(area)
        else:
            d["places"][0]["radus_m"] = 1500

    problems = _problems(tmp_path, mutate)
    assert any("radus_m'; did you mean `radius_m`?" in p for p in problems), problems
    assert not any("valid string" in p for p in problems), problems


def test_population_with_separators(tmp_path: Path) -> None:
    problems = _problems(tmp_path, lambda d: d["places"][0].update(population="22,000"))
    assert any("write the number without separators (22000)" in p for p in problems), problems
    problems = _problems(tmp_path, lambda d: d.update(population="22,000"))
    assert any("write the number without separators (22000)" in p for p in problems), problems


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["places"][0].update(population=-1),
        lambda d: d.update(population=-1),
        lambda d: d["movers"][0].update(population=-1),
        lambda d: d["events"][4].update(value=-1),
        lambda d: d["places"][0].update(population=10**30),
    ],
)
def test_absurd_populations(tmp_path: Path, mutate: Mutation) -> None:
    problems = _problems(tmp_path, mutate)
    assert any("allowed: at least 0, at most 10,000,000,000" in p for p in problems), problems


@pytest.mark.parametrize("key", ["capacity_factor", "speed_factor", "persons_per_vehicle"])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 0, 1e300, -1])
def test_absurd_mover_factors(tmp_path: Path, key: str, value: float) -> None:
    problems = _problems(tmp_path, lambda d: d["movers"][0].update({key: value}))
    [problem] = problems  # the top-level `mover: fighters` is not reported as unknown too
    assert f"movers[0].{key}: " in problem and "allowed: more than 0, at most 1" in problem


def test_a_source_list_holding_a_number(tmp_path: Path) -> None:
    problems = _problems(tmp_path, lambda d: d["places"][0].update(source=["T1", 5]))
    assert problems == [problems[0]] and "places[0].source[1]: " in problems[0], problems
    assert "valid string (got 5)" in problems[0]


def test_a_point_at_1e_9_loads(tmp_path: Path) -> None:
    data = scenario_dict()
    data["exits"].append({"point": [1e-9, 1e-9], "radius_m": 100})
    assert load_scenario(write_scenario(tmp_path, data)).exits[-1].point == (1e-9, 1e-9)


@pytest.mark.parametrize("name", ["../victim/pwned", "a\\b", "tab\there", "new\nline", "..", " "])
def test_names_with_paths_or_control_characters(tmp_path: Path, name: str) -> None:
    [problem] = _problems(tmp_path, lambda d: d.update(name=name))
    assert " name: " in problem
    assert "path separator" in problem or "at least 1 character" in problem, problem


def test_way_ids_beyond_int64(tmp_path: Path) -> None:
    problems = _problems(tmp_path, lambda d: d["events"][3]["target"].update(way=2**63))
    assert any(
        "events[3].target.way: " in p and "at most 9,223,372,036,854,775,807" in p for p in problems
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_coordinates_and_confidences(tmp_path: Path, value: float) -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["events"][0]["confidence"] = value
        d["zones"] = [
            {"actor": "red-army", "polygon": [[value, 49], [9.5, 49], [9.5, 49.5], [value, 49]]}
        ]

    text = "\n".join(_problems(tmp_path, mutate))
    assert "events[0].confidence: Input should be a finite number" in text, text
    assert "zones[0].polygon[0][0]: Input should be a finite number" in text, text
