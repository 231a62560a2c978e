"""The command line, end to end: reports, JSON schema, GeoJSON, timelines, errors (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.outputs.json import REPORT_SCHEMA
from fixtures import core_scenario_dict, scenario_dict, write_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scenario(tmp_path_factory.mktemp("cli"))


def run(*args: str):
    return runner.invoke(app, list(args))


def test_analyze_prints_a_readable_report(scenario: Path) -> None:
    res = run("analyze", str(scenario), "--at", "2020-01-05")
    assert res.exit_code == 0, res.output
    assert "OPEN" in res.output
    assert "Minimum cut: closing these 2 segment(s) seals Town" in res.output
    assert "West road (R-W)" in res.output
    assert "Evacuation of 10,000" in res.output


def test_analyze_json_follows_the_schema(scenario: Path) -> None:
    res = run("analyze", str(scenario), "--json", "--at", "2020-01-10", "--mover", "fighters")
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["status"] == "open"
    assert report["date"] == "2020-01-10"
    assert [x["reachable"] for x in report["exits"]] == [False, False, True]
    assert report["min_cut"]["count"] == 1
    assert {s["osm_way"] for s in report["critical_segments"]} == {501, 502}
    assert report["routes"][0]["exit"] == "Border post"
    assert report["routes"][0]["roads"][-1] == "Desert track (R-S)"


def test_docs_report_schema_is_current() -> None:
    doc = Path(__file__).parents[1] / "docs" / "report.schema.json"
    assert json.loads(doc.read_text()) == REPORT_SCHEMA, "docs/report.schema.json is stale"


def test_analyze_writes_geojson(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.geojson"
    res = run("analyze", str(scenario), "--geojson", str(out))
    assert res.exit_code == 0, res.output
    fc = json.loads(out.read_text())
    layers = [f["properties"]["layer"] for f in fc["features"]]
    assert layers.count("origin") == 1 and layers.count("exit") == 3
    assert layers.count("min_cut") == 3 and "route" in layers
    assert all(f["geometry"]["type"] in ("Polygon", "LineString") for f in fc["features"])


def test_timeline_json_and_csv(scenario: Path) -> None:
    res = run("timeline", str(scenario), "--json")
    assert res.exit_code == 0, res.output
    reports = json.loads(res.output)
    assert [r["date"] for r in reports] == [
        "2020-01-01",
        "2020-01-05",
        "2020-01-10",
        "2020-01-15",
        "2020-01-20",
    ]
    for r in reports:
        jsonschema.validate(r, REPORT_SCHEMA)
    assert reports[1]["events"][0]["id"] == "cut-north"
    res = run("timeline", str(scenario), "--csv", "--mover", "civilians")
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert lines[0].startswith("date,mover,plan,status")
    assert lines[3].split(",")[3] == "sealed"


def test_timeline_table_highlights_nothing_missing(scenario: Path) -> None:
    res = run("timeline", str(scenario), "--plan", "seal")
    assert res.exit_code == 0, res.output
    assert "SEALED" in res.output and "plan seal" in res.output


def test_compare_finds_where_plans_part(scenario: Path) -> None:
    res = run("compare", str(scenario), "--plan", "hold-west", "--plan", "seal", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["first_difference"] == "2020-01-03"
    res = run("compare", str(scenario), "--plan", "hold-west")
    assert res.exit_code == 0, res.output
    assert "The two part on 2020-01-10" in res.output


def test_scenario_validate(scenario: Path, tmp_path: Path) -> None:
    res = run("scenario", "validate", str(scenario))
    assert res.exit_code == 0 and "valid" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(scenario.read_text().replace("confidence: 0.9", "confidence: 9"))
    (tmp_path / "roads.geojson").write_text((scenario.parent / "roads.geojson").read_text())
    res = run("scenario", "validate", str(bad))
    assert res.exit_code == 2
    assert res.output.count("bad.yaml:") >= 2, res.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["analyze", "nope.yaml"], "no such scenario file"),
        (["analyze", "{s}", "--at", "2020-02-30"], "is not a date"),
        (["analyze", "{s}", "--at", "2021-01-01"], "outside the scenario's window"),
        (["analyze", "{s}", "--plan", "nope"], "plan 'nope' does not exist"),
        (["analyze", "{s}", "--mover", "bicycle"], "not a mover"),
        (["analyze", "{s}", "--geojson", "/no/such/dir/x.geojson"], "does not exist"),
        (["compare", "{s}"], "compare needs"),
        (["network", "info", "missing.osm.pbf"], "no such file"),
    ],
)
def test_user_mistakes_print_one_line_and_exit_2(
    scenario: Path, args: list[str], expected: str
) -> None:
    res = run(*[a.replace("{s}", str(scenario)) for a in args])
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert expected in res.output, res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1, res.output


def test_a_setting_corridor_cannot_use_is_one_line(
    scenario: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``CORRIDOR_KERNELS`` (read by every analysis) with a value it does not know: one line,
    exit 2, no traceback; ``CORRIDOR_THREADS`` is the same kind of error."""
    from corridor.analysis import parallel
    from corridor.errors import SettingError

    # a fresh process: one that has compiled the kernels no longer reads the setting
    done = subprocess.run(
        [sys.executable, "-m", "corridor.cli.main", "analyze", str(scenario)],
        capture_output=True,
        text=True,
        env={**os.environ, "CORRIDOR_KERNELS": "bogus"},
    )
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "CORRIDOR_KERNELS='bogus'" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    monkeypatch.setenv("CORRIDOR_THREADS", "two")
    with pytest.raises(SettingError, match="CORRIDOR_THREADS='two'"):
        parallel.threads()


def test_origin_without_nodes_names_file_and_line(tmp_path: Path) -> None:
    data = scenario_dict()
    data["places"][1]["point"] = [9.5, 50.0]  # West City moved off the network
    path = write_scenario(tmp_path, data)
    res = run("analyze", str(path))
    assert res.exit_code == 2, res.output
    assert f"{path}:" in res.output and "holds no node" in res.output, res.output


def test_core_scenario_with_closure_of_unknown_way(tmp_path: Path) -> None:
    import yaml

    """A closure of a way the network lacks closes nothing: a warning under the report (and in
    the JSON), exit 2 only with --strict."""
    data = core_scenario_dict(closures=[{"way": 999999, "source": "a report"}])
    path = write_scenario(tmp_path, data)
    res = run("analyze", str(path))
    assert res.exit_code == 0, res.output
    assert "way 999999 is not in the car network" in res.output, res.output
    res = run("analyze", str(path), "--json")
    (w,) = json.loads(res.stdout)["warnings"]
    assert "way 999999 is not in the car network" in res.stderr, "the warning, on stderr"
    assert (w["code"], w["id"]) == ("closure-closes-nothing", "closures[0]")
    res = run("analyze", str(path), "--strict")
    assert res.exit_code == 2, res.output
    last = [ln for ln in res.output.splitlines() if ln.strip()][-1]
    assert last.startswith("error: --strict: an input binds to nothing"), last
    data["closures"] = [{"way": 202}]
    path.write_text(yaml.safe_dump(data))
    res = run("analyze", str(path), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["status"] == "sealed"


def test_exit_overlapping_origin(tmp_path: Path) -> None:
    data = core_scenario_dict(
        exits=[{"name": "Also town", "point": [10.0, 50.001], "radius_m": 800}]
    )
    res = run("analyze", str(write_scenario(tmp_path, data)))
    assert res.exit_code == 2 and "overlaps the origin" in res.output, res.output


def test_scenarios_lists_bundled() -> None:
    res = run("scenarios")
    assert res.exit_code == 0, res.output


def test_what_if_closures(scenario: Path) -> None:
    res = run("analyze", str(scenario), "--json", "--at", "2020-01-01", "--close-way", "202")
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    reach = {x["name"]: x["reachable"] for x in report["exits"]}
    assert reach == {"West City": False, "North City": True, "Border post": True}
    assert report["what_if"] == ["way 202"]
    res = run("analyze", str(scenario), "--at", "2020-01-01", "--close-point", "10.0,50.0,1400")
    assert res.exit_code == 0, res.output
    assert "What if" in res.output and "SEALED" in res.output
    res = run("analyze", str(scenario), "--close-point", "10.0;50.0")
    assert res.exit_code == 2 and "LON,LAT,RADIUS_M" in res.output
    res = run("analyze", str(scenario), "--close-way", "999999")
    assert res.exit_code == 2 and "--close-way 999999" in res.output
    assert "no mover's network has it" in res.output, res.output


def test_undated_scenario_stays_undated(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, core_scenario_dict())
    res = run("timeline", str(path), "--json")
    assert res.exit_code == 0, res.output
    reports = json.loads(res.output)
    assert len(reports) == 1 and reports[0]["date"] is None
    res = run("timeline", str(path))
    assert res.exit_code == 0 and "(undated)" in res.output


# ------------------------------------------------------------------------------------ startup
HEAVY = ("numba", "numpy", "scipy", "shapely", "pyproj", "pydantic", "matplotlib")


def _modules_loaded(*argv: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Run ``corridor *argv`` (nothing: only import the CLI) in a fresh interpreter; the top-level
    packages it loaded and what it wrote on stderr."""
    code = (
        "import sys\n"
        "from corridor.cli.main import main\n"
        f"sys.argv = ['corridor', *{list(argv)!r}]\n"
        "if len(sys.argv) > 1:\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('LOADED', *sorted({m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    *err, loaded = done.stderr.strip().splitlines()
    assert loaded.startswith("LOADED "), done.stderr
    return set(loaded.split()[1:]), "\n".join(err)


@pytest.mark.parametrize("argv", [(), ("--help",), ("scenarios",)])
def test_cli_starts_without_heavy_imports(argv: tuple[str, ...]) -> None:
    loaded, _ = _modules_loaded(*argv)
    heavy = (*HEAVY, "yaml", "rich") if not argv else HEAVY
    assert not loaded & set(heavy), f"corridor {' '.join(argv)} loaded {loaded & set(heavy)}"


def test_help_is_plain_and_lists_every_command() -> None:
    res = run("--help")
    assert res.exit_code == 0, res.output
    for command in ("analyze", "timeline", "compare", "scenarios", "map", "network", "scenario"):
        assert f"  {command} " in res.output, res.output
    res = run("scenario", "--help")
    assert "validate" in res.output and "schema" in res.output, res.output


def test_a_small_scenario_is_analysed_without_numba(scenario: Path) -> None:
    """A few hundred roads run the kernels as plain Python: no numba import, no compiling."""
    argv = ("analyze", str(scenario), "--at", "2020-01-05")
    loaded, err = _modules_loaded(*argv, env={"CORRIDOR_KERNELS": "auto"})
    assert "numba" not in loaded and "compiling" not in err, err


def test_first_compile_is_announced_once(tmp_path: Path) -> None:
    """With no machine code on disk (an empty NUMBA_CACHE_DIR) the first kernel that compiles
    says so on stderr, once; the next process finds it cached and says nothing. (One small
    kernel, so that the test compiles in a second, not all of them.)"""
    code = (
        "import numpy as np\n"
        "from corridor.cli.common import announce_compiling\n"
        "from corridor.analysis import kernels\n"
        "announce_compiling()\n"
        "ptr, members = np.array([0, 2], dtype=np.int64), np.array([0, 1], dtype=np.int64)\n"
        "for _ in range(2):\n"
        "    kernels.chains_open(ptr, members, np.ones(2, dtype=bool))\n"
    )
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
        "CORRIDOR_KERNELS": "compiled",
    }
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stderr.count("compiling corridor's graph kernels") == 1, runs[0].stderr
    assert "compiling" not in runs[1].stderr, runs[1].stderr


def test_strict_turns_warnings_into_exit_2_for_every_command(tmp_path: Path) -> None:
    data = scenario_dict()
    data["events"].append(
        {
            "id": "far-roadblock",
            "date": "2020-01-07",
            "actor": "red-army",
            "kind": "close",
            "target": {"point": [10.5, 50.5], "radius_m": 60},
            "confidence": 0.5,
            "source": "T1",
        }
    )
    path = write_scenario(tmp_path, data)
    for argv in (
        ("analyze", "--at", "2020-01-08"),
        ("timeline",),
        ("compare", "--plan", "seal"),
        ("map", "-o", str(tmp_path / "m.html")),
    ):
        res = run(argv[0], str(path), *argv[1:])
        assert res.exit_code == 0, (argv, res.output)
        assert "far-roadblock" in res.output and "closes no road" in res.output, (argv, res.output)
        res = run(argv[0], str(path), *argv[1:], "--strict")
        assert res.exit_code == 2, (argv, res.output)
        assert "--strict: an input binds to nothing" in res.output, (argv, res.output)


def test_scenario_check_exit_codes(tmp_path: Path) -> None:
    res = run("scenario", "check", "mosul-2016")
    assert res.exit_code == 0 and "nothing found" in res.output, res.output
    data = scenario_dict()
    data["end"] = "2020-01-25"
    data["events"].append(
        {
            "id": "late",
            "date": "2020-02-01",
            "actor": "red-army",
            "kind": "close",
            "target": {"way": 202},
            "confidence": 0.5,
            "source": "T1",
        }
    )
    path = write_scenario(tmp_path, data)
    res = run("scenario", "check", str(path))
    assert res.exit_code == 1, res.output
    line = next(ln for ln in res.output.splitlines() if "event-after-end" in ln)
    assert line.startswith(f"{path}:") and "events[5]" in line, line
    number = line[len(str(path)) + 1 :].split(":")[0]
    assert number.isdigit() and "late" in path.read_text().splitlines()[int(number) - 1], line
    (tmp_path / "bad.yaml").write_text("corridor: 1\nname: [\n")
    res = run("scenario", "check", str(tmp_path / "bad.yaml"))
    assert res.exit_code == 2, res.output


def test_close_way_beyond_64_bits_is_one_line(scenario: Path) -> None:
    res = run("analyze", str(scenario), "--close-way", "9223372036854775808")
    assert res.exit_code == 2 and "not an OSM way id" in res.output, res.output


def test_network_info_says_what_the_file_made_it_drop(tmp_path: Path) -> None:
    osm = tmp_path / "clipped.osm"
    osm.write_text(
        '<?xml version="1.0"?><osm version="0.6">'
        '<node id="1" lat="50.0" lon="10.0"/><node id="2" lat="50.0" lon="10.01"/>'
        '<way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="primary"/><tag k="lanes" v="1e300"/></way></osm>'
    )
    res = run("network", "info", str(osm))
    assert res.exit_code == 0, res.output
    assert "probably clipped or unsorted" in res.output and "lanes" in res.output, res.output
    res = run("network", "info", str(osm), "--json")
    assert set(json.loads(res.stdout)) == {"car", "foot", "offroad", "all", "walkers"}
    assert "clipped" in res.stderr


@pytest.mark.parametrize(
    "value", ["43,36,nan", "nan,36,100", "43,inf,100", "43,36,-5", "43,36,1e300"]
)
def test_close_point_takes_finite_numbers_only(scenario: Path, value: str) -> None:
    res = run("analyze", str(scenario), "--close-point", value)
    assert res.exit_code == 2 and "finite numbers" in res.output, res.output
