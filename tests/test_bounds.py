"""Small inputs with huge costs are refused in one line before any work (issue 29, item 4), and
inputs that used to end in a traceback end in one ``error:`` line (item 9)."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import NetworkError
from corridor.network.osm import load_osm

runner = CliRunner()


def star_extract(path: Path, arms: int) -> Path:
    """``arms`` residential ways that all meet at one node."""
    writer = osmium.SimpleWriter(str(path))
    writer.add_node(osmium.osm.mutable.Node(id=1, location=(10.0, 50.0)))
    for i in range(arms):
        x, y = 10.0 + 0.0002 * ((i % 100) - 50), 50.0 + 0.0002 * ((i // 100) - 50 or 1)
        writer.add_node(osmium.osm.mutable.Node(id=10 + i, location=(x, y)))
    for i in range(arms):
        tags = {"highway": "residential"}
        writer.add_way(osmium.osm.mutable.Way(id=100 + i, nodes=[1, 10 + i], tags=tags))
    writer.close()
    return path


def test_thousands_of_roads_at_one_node_are_refused_before_the_turn_graph(tmp_path: Path) -> None:
    path = star_extract(tmp_path / "star.osm.pbf", 3000)
    with pytest.raises(NetworkError, match=r"6,000 road ends meet at node 1 .*not a road junction"):
        load_osm(path, "car")
    result = runner.invoke(app, ["network", "info", str(path)])
    assert result.exit_code == 2
    assert result.output.count("\n") <= 2 and "Traceback" not in result.output


def test_a_real_junction_is_not_refused(tmp_path: Path) -> None:
    net = load_osm(star_extract(tmp_path / "star.osm.pbf", 12), "car")
    assert net.n_edges == 24


def test_a_geojson_network_beyond_its_bounds_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from corridor.network import geojson

    feats = [
        {
            "type": "Feature",
            "properties": {"highway": "residential"},
            "geometry": {"type": "LineString", "coordinates": [[10 + i * 1e-4, 50], [10, 50.1]]},
        }
        for i in range(50)
    ]
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    monkeypatch.setattr(geojson, "MAX_FEATURES", 49)
    with pytest.raises(NetworkError, match=r"50 features is more than .* hold \(49\)"):
        geojson.load_geojson(path)
    monkeypatch.setattr(geojson, "MAX_BYTES", 1000)
    result = runner.invoke(app, ["network", "info", str(path)])
    assert result.exit_code == 2 and "use an OSM extract" in result.output
    assert "Traceback" not in result.output


def test_a_path_longer_than_the_file_system_allows_is_one_line(tmp_path: Path) -> None:
    from corridor.bundled import bundled_scenarios

    long = "a" * 300
    source = bundled_scenarios()["mosul-2016"].read_text(encoding="utf-8")
    assert "network: {geojson: roads.geojson}" in source
    scenario = tmp_path / "long.yaml"
    scenario.write_text(source.replace("roads.geojson", f"{long}.geojson", 1), encoding="utf-8")
    for args in (
        ["scenario", "check", str(scenario)],
        ["analyze", str(scenario)],
        ["analyze", long],
        ["network", "info", long],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output, args
        assert "error:" in result.output or "network.geojson: file" in result.output, args


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("start: 2016-10-17", "start: 0001-01-01", "start: date 0001-01-01 is outside the years"),
        ("end: 2017-03-15", "end: 9999-12-31", "end: date 9999-12-31 is outside the years"),
    ],
)
def test_dates_near_the_calendar_s_ends_are_refused_by_the_loader(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    """A date drawn within its uncertainty, or a chart's margin, never leaves years 1 to 9999
    (it used to end in OverflowError under ``--samples`` and ``--chart``)."""
    from corridor.bundled import bundled_scenarios

    folder = bundled_scenarios()["mosul-2016"].parent
    source = (folder / "scenario.yaml").read_text(encoding="utf-8")
    assert old in source
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(source.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "roads.geojson").write_bytes((folder / "roads.geojson").read_bytes())
    result = runner.invoke(app, ["timeline", str(scenario), "--chart", str(tmp_path / "c.png")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_bidi_overrides_in_names_are_written_out_on_the_terminal(tmp_path: Path) -> None:
    """A place named with a right-to-left override cannot reorder the table around it (issue
    29, item 11); JSON keeps the name as written."""
    import json

    from corridor.bundled import bundled_scenarios

    folder = bundled_scenarios()["mosul-2016"].parent
    source = (folder / "scenario.yaml").read_text(encoding="utf-8")
    assert "name: Mosul," in source or "name: Mosul\n" in source
    scenario = tmp_path / "scenario.yaml"
    evil = "Mosul \u202eraf lat"
    scenario.write_text(source.replace("name: Mosul", f'name: "{evil}"', 1), encoding="utf-8")
    (tmp_path / "roads.geojson").write_bytes((folder / "roads.geojson").read_bytes())
    text = runner.invoke(app, ["analyze", str(scenario), "--at", "2016-11-03"])
    assert text.exit_code == 0, text.output
    assert "\u202e" not in text.output and "Mosul <U+202E>raf lat" in text.output
    data = runner.invoke(app, ["analyze", str(scenario), "--at", "2016-11-03", "--json"])
    assert json.loads(data.stdout)["origin"]["name"] == evil


def test_samples_and_population_options_are_bounded_as_the_file_is() -> None:
    from corridor.cli import common
    from corridor.scenario.schema import MAX_POPULATION

    assert common.MAX_POPULATION == MAX_POPULATION
    for args in (["--samples", "1000000000"], ["--population", str(10**30)]):
        result = runner.invoke(app, ["analyze", "--at", "2016-11-03", *args])
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "less than or equal to" in result.output


@pytest.mark.parametrize("case", ["sampled dates", "chart margins"])
def test_dates_at_the_calendar_s_end_never_overflow(tmp_path: Path, case: str) -> None:
    """Issue 29, item 9: an event on the last day with the largest date uncertainty, sampled,
    and a chart over the widest window, end in an answer (OverflowError before the Day bound)."""
    from fixtures import scenario_dict, write_scenario

    data = scenario_dict()
    data.pop("plans", None)
    data["end"] = "8999-12-31"
    data["events"][0]["date"] = "8999-12-30"
    if case == "sampled dates":
        data["events"][0]["date_uncertainty_days"] = 36525
        args = ["analyze", "--at", "8999-12-30", "--samples", "8"]
    else:
        data["start"] = "1000-01-01"
        args = ["timeline", "--chart", str(tmp_path / "c.png")]
    path = write_scenario(tmp_path, data)
    result = runner.invoke(app, [args[0], str(path), *args[1:]])
    assert result.exit_code == 0 and result.exception is None, result.output
