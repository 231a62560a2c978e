"""``include:`` fragments: read as if written in the scenario, problems named at their own lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import ScenarioError
from corridor.scenario.include import MAX_INCLUDE_DEPTH
from corridor.scenario.load import load_scenario
from fixtures import scenario_dict, write_scenario

runner = CliRunner()

RED_W = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]


def _zones() -> list[dict]:
    return [
        {"id": "red-w", "actor": "red-army", "from": "2020-01-02", "to": "2020-01-04",
         "polygon": RED_W, "confidence": 0.8, "source": "T1"},
        {"id": "red-w-file", "actor": "red-army", "from": "2020-01-06", "to": "2020-01-08",
         "geojson": "red-w.geojson", "confidence": 0.6, "source": "T1"},
    ]  # fmt: skip


def _polygon_file(path: Path) -> None:
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [RED_W]}))


def _timeline(path: Path) -> list[dict]:
    result = runner.invoke(app, ["timeline", str(path), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    for row in rows:
        row.pop("scenario_path", None)
    return rows


def test_zones_included_give_the_same_timeline_as_zones_inline(tmp_path: Path) -> None:
    """The same zones written inline and in a fragment (in a folder of its own, with its GeoJSON
    file beside it) give the same `timeline --json`, byte for byte."""
    inline = tmp_path / "inline"
    inline.mkdir()
    data = scenario_dict()
    data["zones"] = _zones()
    _polygon_file(inline / "red-w.geojson")
    inline_path = write_scenario(inline, data)

    included = tmp_path / "included"
    (included / "fronts").mkdir(parents=True)
    _polygon_file(included / "fronts" / "red-w.geojson")
    (included / "fronts" / "zones.yaml").write_text(yaml.safe_dump({"zones": _zones()}))
    data = scenario_dict()
    data.pop("zones")
    data["include"] = ["fronts/zones.yaml"]
    included_path = write_scenario(included, data)

    a, b = _timeline(inline_path), _timeline(included_path)
    assert json.dumps(a) == json.dumps(b).replace(str(included), str(inline))
    assert any(z["zone"] == "red-w" for row in a for z in row["zone_changes"])
    sc = load_scenario(included_path)
    assert [z.id for z in sc.zones] == ["red-w", "red-w-file"]
    assert sc.where("zones[1]") == f"{included}/fronts/zones.yaml:{sc.lines['zones[1]']}"


def test_a_problem_in_a_fragment_is_named_at_its_line(tmp_path: Path) -> None:
    data = scenario_dict()
    data["include"] = ["more.yaml"]
    path = write_scenario(tmp_path, data)
    (tmp_path / "more.yaml").write_text(
        "# fronts\nzones:\n  - id: z1\n    actor: nobody\n    from: 2020-13-01\n"
        f"    polygon: {json.dumps(RED_W)}\n"
    )
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    problems = "\n".join(exc.value.problems)
    assert f"{tmp_path}/more.yaml:5: zones[0].from:" in problems, problems
    result = runner.invoke(app, ["scenario", "check", str(path)])
    assert result.exit_code == 2
    assert "more.yaml:5" in result.output


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.yaml": "include: [a.yaml]\n"}, "include cycle"),
        ({"a.yaml": "include: [scenario.yaml]\n"}, "include cycle"),
        ({"a.yaml": "name: other\n"}, "not 'name'"),
        ({"a.yaml": "zones: {id: x}\n"}, "zones is a list"),
        ({"a.yaml": "zones: [\n"}, "a.yaml:2: not valid YAML"),
        ({"b.yaml": ""}, "fragment 'a.yaml' not found"),
    ],
)
def test_bad_fragments_are_refused_in_one_line(tmp_path: Path, files: dict, expected: str):
    data = scenario_dict()
    data["include"] = ["a.yaml"]
    path = write_scenario(tmp_path, data)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = runner.invoke(app, ["scenario", "check", str(path)])
    assert result.exit_code == 2
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_includes_nest_only_so_deep(tmp_path: Path) -> None:
    data = scenario_dict()
    data["include"] = ["f1.yaml"]
    path = write_scenario(tmp_path, data)
    for i in range(1, MAX_INCLUDE_DEPTH + 2):
        (tmp_path / f"f{i}.yaml").write_text(f"include: [f{i + 1}.yaml]\n")
    (tmp_path / f"f{MAX_INCLUDE_DEPTH + 2}.yaml").write_text("zones: []\n")
    with pytest.raises(ScenarioError, match=f"more than {MAX_INCLUDE_DEPTH} levels"):
        load_scenario(path)


def test_sources_merge_and_a_source_defined_twice_is_a_problem(tmp_path: Path) -> None:
    data = scenario_dict()
    data["include"] = ["s.yaml"]
    path = write_scenario(tmp_path, data)
    (tmp_path / "s.yaml").write_text(
        "sources:\n  T9: {outlet: Other Wire, date: 2020-01-02}\n"
        "zones:\n  - {id: z9, actor: red-army, source: T9, polygon: "
        f"{json.dumps(RED_W)}}}\n"
    )
    sc = load_scenario(path)
    assert sc.zones[-1].sources[0].key == "T9"
    (tmp_path / "s.yaml").write_text("sources:\n  T1: {outlet: Again}\n")
    with pytest.raises(
        ScenarioError, match=re.escape("s.yaml:2: sources.T1: source 'T1' is already")
    ):
        load_scenario(path)


def test_an_output_may_not_replace_a_fragment_or_its_files(tmp_path: Path) -> None:
    (tmp_path / "fronts").mkdir()
    _polygon_file(tmp_path / "fronts" / "red-w.geojson")
    (tmp_path / "fronts" / "zones.yaml").write_text(yaml.safe_dump({"zones": _zones()}))
    data = scenario_dict()
    data["include"] = ["fronts/zones.yaml"]
    path = write_scenario(tmp_path, data)
    for target in ("fronts/zones.yaml", "fronts/red-w.geojson"):
        result = runner.invoke(app, ["map", str(path), "-o", str(tmp_path / target)])
        assert result.exit_code == 2, result.output
        assert "error:" in result.output
    assert yaml.safe_load((tmp_path / "fronts" / "zones.yaml").read_text())["zones"]
