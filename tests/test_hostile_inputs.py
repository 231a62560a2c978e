"""Malformed, hostile and absurd inputs: each gets one clear line (a ``CorridorError`` naming the
file, the line or feature, what is wrong and how to fix it), never a traceback, a hang or a
silently wrong answer. Scenario files first, then network files, tags and the cache."""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from corridor.errors import CorridorError, NetworkError, ScenarioError
from corridor.model.situation import Situation
from corridor.network import cache, defaults
from corridor.network.geojson import load_geojson
from corridor.network.nx import from_networkx
from corridor.network.osm import load_osm
from corridor.network.ways import network_warnings
from corridor.scenario import yaml_lines
from corridor.scenario.load import load_scenario
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
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 0, 1e300, -1, 1e-9, 1e-300])
def test_absurd_mover_factors(tmp_path: Path, key: str, value: float) -> None:
    """Issue 29 item 11: a factor of 1e-9 made an "open" answer of capacity 0 and no evacuation
    time, 1e-300 travel times of 3.6e302 s: a factor below a thousandth is refused."""
    problems = _problems(tmp_path, lambda d: d["movers"][0].update({key: value}))
    [problem] = problems  # the top-level `mover: fighters` is not reported as unknown too
    low = "at least 1" if key == "persons_per_vehicle" else "at least 0.001"
    assert f"movers[0].{key}: " in problem and f"allowed: {low}, at most 1" in problem, problem


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


# ============================================================================= network files
A, B, C = [43.10, 36.30], [43.11, 36.30], [43.12, 36.31]


def _feature(coords: Any, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {"highway": "primary", **props},
    }


def _geojson_error(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "roads.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    with pytest.raises(NetworkError) as info:
        load_geojson(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg and len(msg) < 400, msg
    return msg


def _fc(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"type": "FeatureCollection", "features": {"a": 1}}, "`features` is a dict, not a list"),
        ({"type": "FeatureCollection", "features": "abc"}, "`features` is a str, not a list"),
        (_fc("x"), "features[0] is not a GeoJSON Feature object (got 'x')"),
        (_fc(_feature([A, None])), "features[0] has a coordinate None that is not [lon, lat]"),
        (_fc(_feature([])), "features[0] has a line with fewer than two points"),
        (_fc(_feature(None)), "features[0] has a line whose coordinates are None"),
        (_fc(_feature(5)), "features[0] has a line whose coordinates are 5"),
        (_fc(_feature([A, [True, 36.3]])), "has a coordinate [True, 36.3] that is not [lon, lat]"),
        (
            _fc({"type": "Feature", "geometry": [1], "properties": {"highway": "primary"}}),
            "features[0].geometry is not a GeoJSON geometry object",
        ),
        (
            _fc(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [A, B]},
                    "properties": [1],
                }
            ),
            "features[0].properties is not an object",
        ),
        (
            _fc(
                {
                    "type": "Feature",
                    "geometry": {"type": "MultiLineString", "coordinates": 5},
                    "properties": {"highway": "primary"},
                }
            ),
            "MultiLineString whose coordinates are not a list of lines",
        ),
        (
            _fc(
                {
                    "type": "Feature",
                    "geometry": {"type": "MultiLineString", "coordinates": [None]},
                    "properties": {"highway": "primary"},
                }
            ),
            "features[0] has a line whose coordinates are None",
        ),
        (
            _fc(_feature([A, B], highway=None)),
            "features[0].properties.highway is None, not a road class",
        ),
        (_fc(_feature([A, B], osm_id=1.5)), "osm_id 1.5 is not an integer"),
        (_fc(_feature([A, B], osm_id=True)), "osm_id True is not an integer"),
        (_fc(_feature([A, B], osm_id=10**30)), "is beyond a 64-bit integer"),
        (
            '{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "nested thousands deep",
        ),
    ],
)
def test_malformed_geojson_networks(tmp_path: Path, content: Any, expected: str) -> None:
    assert expected in _geojson_error(tmp_path, content)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_geojson_non_finite_coordinates(tmp_path: Path, bad: str) -> None:
    text = json.dumps(_fc(_feature([A, B]))).replace("43.11", bad)
    assert f"features[0] has a coordinate [{float(bad)}, 36.3] that is not a finite number" in (
        _geojson_error(tmp_path, text)
    )


@pytest.mark.parametrize("gtype", ["Point", "Polygon", "MultiPoint"])
def test_geojson_points_and_polygons_are_refused(tmp_path: Path, gtype: str) -> None:
    other = {"type": "Feature", "geometry": {"type": gtype, "coordinates": []}, "properties": {}}
    msg = _geojson_error(tmp_path, _fc(_feature([A, B]), other))
    assert f"features[1] is a {gtype}, not a LineString" in msg and "export roads as lines" in msg


def test_geojson_3d_coordinates_are_read_without_height(tmp_path: Path) -> None:
    flat = tmp_path / "flat.geojson"
    flat.write_text(json.dumps(_fc(_feature([A, B, C]))))
    high = tmp_path / "high.geojson"
    high.write_text(json.dumps(_fc(_feature([[*A, 250.0], [*B, 300.5], [*C, 10]]))))
    a, b = load_geojson(flat), load_geojson(high)
    assert a.n_edges == b.n_edges == 4
    assert np.array_equal(a.lon, b.lon) and np.array_equal(a.length_m, b.length_m)


def test_geojson_highway_lists_read_as_osmnx_merged_classes(tmp_path: Path) -> None:
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(_fc(_feature([A, B], highway=["primary", "secondary"]))))
    net = load_geojson(path)
    assert {net.edge_highway(e) for e in range(net.n_edges)} == {"primary;secondary"}


# ----------------------------------------------------------------------------- OSM XML
def _osm_xml(
    nodes: dict[int, tuple[str, str]], ways: dict[int, tuple[list[int], dict[str, str]]]
) -> str:
    """OSM XML with the nodes' coordinates written as given (osmium refuses to write bad ones)."""
    out = ['<?xml version="1.0"?>', '<osm version="0.6">']
    out += [
        f'<node id="{i}" version="1" lat="{lat}" lon="{lon}"/>' for i, (lon, lat) in nodes.items()
    ]
    for wid, (refs, way_tags) in ways.items():
        out.append(f'<way id="{wid}" version="1">')
        out += [f'<nd ref="{r}"/>' for r in refs]
        out += [f'<tag k="{k}" v="{v}"/>' for k, v in way_tags.items()]
        out.append("</way>")
    return "\n".join([*out, "</osm>"]) + "\n"


_ROAD = {"highway": "primary"}


def _osm_error(path: Path, text: str) -> str:
    path.write_text(text)
    with pytest.raises(NetworkError) as info:
        load_osm(path, "car", use_cache=False)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg and len(msg) < 500, msg
    return msg


@pytest.mark.parametrize("bad", ["nan", "inf", "300", "1e10", ""])
def test_osm_unparseable_coordinate(tmp_path: Path, bad: str) -> None:
    text = _osm_xml({1: (bad, "36.3"), 2: ("43.1", "36.3")}, {10: ([1, 2], _ROAD)})
    msg = _osm_error(tmp_path / "bad.osm", text)
    assert "a node has a coordinate that is not a number in [-180..180, -90..90]" in msg, msg


@pytest.mark.parametrize(("lon", "lat"), [("-180.0000001", "36.3"), ("43.1", "95")])
def test_osm_out_of_range_coordinate_names_the_node(tmp_path: Path, lon: str, lat: str) -> None:
    text = _osm_xml({1: ("43.2", "36.3"), 2: (lon, lat)}, {10: ([1, 2], _ROAD)})
    msg = _osm_error(tmp_path / "bad.osm", text)
    assert "node 2 (in way 10) lies at [" in msg and "outside [-180..180, -90..90]" in msg, msg


def test_osm_id_beyond_64_bits(tmp_path: Path) -> None:
    text = _osm_xml({99999999999999999999: ("43.1", "36.3")}, {})
    assert "not a readable OSM file (illegal id" in _osm_error(tmp_path / "big.osm", text)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("other.osm", '<?xml version="1.0"?><gpx></gpx>'),
        ("data.osm", '{"type": "FeatureCollection"}'),
        ("page.osm.pbf", "<html><body>404 Not Found</body></html>"),
        (
            "cut.osm",
            _osm_xml({1: ("43.1", "36.3"), 2: ("43.2", "36.3")}, {10: ([1, 2], _ROAD)})[:-30],
        ),
        ("x.osm.gz", "not gzip"),
        ("x.osm.bz2", "not bzip2"),
    ],
)
def test_osm_truncated_or_not_osm(tmp_path: Path, name: str, content: str) -> None:
    msg = _osm_error(tmp_path / name, content)
    assert "not a readable OSM file" in msg and "extension matches its format" in msg, msg


def test_osm_ways_before_nodes_is_an_error_not_an_empty_network(tmp_path: Path) -> None:
    nodes = _osm_xml({1: ("43.1", "36.3"), 2: ("43.2", "36.3")}, {})
    ways = _osm_xml({}, {10: ([1, 2], _ROAD)})
    body = lambda text: text.split("\n", 2)[2].rsplit("</osm>", 1)[0]  # noqa: E731
    unsorted = f'<?xml version="1.0"?>\n<osm version="0.6">\n{body(ways)}{body(nodes)}</osm>\n'
    msg = _osm_error(tmp_path / "unsorted.osm", unsorted)
    assert "each of the 1 road segment(s) of the car network uses a node that is missing" in msg
    assert "osmium sort" in msg


def _clipped_osm(tmp_path: Path, *, missing: int, of: int) -> Path:
    """``of`` one-segment roads, ``missing`` of them with a node the file lacks."""
    nodes = {i: (f"{43 + i * 0.001:.4f}", "36.3") for i in range(1, of + 2)}
    ways = {100 + i: ([i, i + 1 if i > missing else 10_000 + i], _ROAD) for i in range(1, of + 1)}
    path = tmp_path / "clipped.osm"
    path.write_text(_osm_xml(nodes, ways))
    return path


def test_dropped_segments_are_counted_and_a_large_share_says_why(tmp_path: Path) -> None:
    net = load_osm(_clipped_osm(tmp_path, missing=78, of=100), "car", use_cache=False)
    assert net.meta["segments_total"] == 100 and net.meta["segments_dropped_unlocated"] == 78
    [warning] = network_warnings(net)
    assert warning.startswith(f"{tmp_path / 'clipped.osm'}: the extract is probably clipped or ")
    assert "78 % of the car network's road segments (78 of 100) were dropped" in warning
    assert "`osmium sort`" in warning and "complete_ways" in warning


def test_a_few_dropped_segments_are_a_plain_count(tmp_path: Path) -> None:
    net = load_osm(_clipped_osm(tmp_path, missing=2, of=100), "car", use_cache=False)
    [warning] = network_warnings(net)
    assert "2 of 100 road segments of the car network (2.0 %) were dropped" in warning
    assert "probably clipped" not in warning


def test_a_clean_network_has_no_warnings(tmp_path: Path) -> None:
    assert (
        network_warnings(load_osm(_clipped_osm(tmp_path, missing=0, of=5), "car", use_cache=False))
        == []
    )


# ----------------------------------------------------------------------------- absurd tags
def _tagged(tmp_path: Path, **extra: str) -> Path:
    nodes = {i: (f"{43 + i * 0.01:.2f}", "36.3") for i in range(1, 5)}
    ways = {
        10: ([1, 2], {"highway": "primary", **extra}),
        11: ([2, 3], {"highway": "primary"}),
        12: ([3, 4], {"highway": "primary", "maxspeed": "80"}),
    }
    path = tmp_path / "tags.osm"
    path.write_text(_osm_xml(nodes, ways))
    return path


@pytest.mark.parametrize(
    ("tag", "value", "column", "expected"),
    [
        ("lanes", "1e300", "lanes", 15.0),  # 30 lanes at most, half each way
        ("lanes", "99999999999999999999999", "lanes", 15.0),
        ("lanes:forward", "1e300", "lanes", 30.0),
        # clamped to 5..200 km/h, then driven at OSRM's speed_reduction (0.8) of it
        ("maxspeed", "99999999999999999999999", "speed_kph", 160.0),
        ("maxspeed", "99999999999999999999999 mph", "speed_kph", 160.0),
        ("maxspeed", "1", "speed_kph", 4.0),
    ],
)
def test_absurd_tags_are_clamped_and_counted(
    tmp_path: Path, tag: str, value: str, column: str, expected: float
) -> None:
    net = load_osm(_tagged(tmp_path, **{tag: value}), "car", use_cache=False)
    first = net.way_id == 10
    assert getattr(net, column)[first].max() == expected
    key = tag.split(":")[0]
    assert net.meta["tags_clamped"][key] == 1
    assert any(f"1 way(s) with a {key} tag outside" in w for w in network_warnings(net))
    assert (net.travel_time_s > 0).all() and np.isfinite(net.travel_time_s).all()
    assert (net.capacity_pph > 0).all() and net.capacity_pph.max() < 2**40


def test_an_absurd_maxspeed_does_not_set_other_roads_speeds(tmp_path: Path) -> None:
    net = load_osm(_tagged(tmp_path, maxspeed="99999999999999999999999"), "car", use_cache=False)
    untagged = net.way_id == 11
    # an untagged road drives at its class's speed, whatever its neighbours are tagged
    assert set(net.speed_kph[untagged].tolist()) == {defaults.SPEED_KPH["primary"]}


def test_an_absurd_width_is_clamped_for_walkers(tmp_path: Path) -> None:
    net = load_osm(_tagged(tmp_path, width="1e300"), "foot", use_cache=False)
    hi = defaults.TAG_RANGES["width"][1]
    expected = round(hi * defaults.PEDESTRIAN_FLOW_P_PER_M_S * 3600 / 2)
    assert set(net.capacity_pph[net.way_id == 10].tolist()) == {expected}
    assert net.meta["tags_clamped"]["width"] == 1


def test_the_min_cut_capacity_stays_exact_with_absurd_tags(tmp_path: Path) -> None:
    from corridor.analysis.cut import min_cut

    # three parallel one-way roads from A to B, tagged with absurd lane counts
    roads = [
        _feature([A, mid, B], lanes=lanes, oneway="yes")
        for mid, lanes in (
            ([43.105, 36.301], "1e300"),
            ([43.105, 36.302], "1e308"),
            ([43.105, 36.303], "2"),
        )
    ]
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(_fc(*roads)))
    net = load_geojson(path, "car")
    node = {
        (round(float(x), 4), round(float(y), 4)): i
        for i, (x, y) in enumerate(zip(net.lon, net.lat, strict=True))
    }
    situation = Situation(
        network=net,
        open=np.ones(net.n_edges, dtype=bool),
        origin=np.array([node[(A[0], A[1])]], dtype=np.int64),
        exits=(np.array([node[(B[0], B[1])]], dtype=np.int64),),
        origin_name="A",
        exit_names=("B",),
        closed_by=np.full(net.n_edges, -1, dtype=np.int32),
        reasons=(),
    )
    cut = min_cut(situation, weight="capacity")
    per_lane = defaults.VEH_PER_LANE_HOUR["primary"] * defaults.PERSONS_PER_VEHICLE
    assert cut.capacity_pph == (30 + 30 + 2) * per_lane, cut


def test_networkx_graphs_are_clamped_too() -> None:
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_node(1, x=43.1, y=36.3)
    g.add_node(2, x=43.2, y=36.3)
    g.add_edge(1, 2, osmid=5, highway="primary", lanes_per_direction=1e300, width="1e300")
    net = from_networkx(g, "car")
    assert net.lanes.tolist() == [30.0] and 0 < net.capacity_pph[0] < 2**40
    assert 0 < from_networkx(g, "foot").capacity_pph[0] < 2**40


# ----------------------------------------------------------------------------- the cache
@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(d))
    return d


def _same(a: Any, b: Any) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in cache.ARRAYS)


def _cached(tmp_path: Path, cache_dir: Path, roads: int) -> tuple[Path, Any, Path]:
    """An extract of ``roads`` roads, its car network built fresh, and its cache entry."""
    osm = _clipped_osm(tmp_path, missing=0, of=roads)
    fresh = load_osm(osm, "car")
    (entry,) = cache_dir.glob("network-*.npz")
    return osm, fresh, entry


def test_a_cache_entry_with_changed_bytes_is_never_served_wrong(
    tmp_path: Path, cache_dir: Path
) -> None:
    osm, fresh, entry = _cached(tmp_path, cache_dir, 50)
    key = entry.name.removeprefix("network-").removesuffix(".npz")
    good = entry.read_bytes()
    rebuilt = 0
    # every 1/300th of the file, and the "version needed" of each central directory entry
    # (zipfile raises NotImplementedError on an unknown version)
    central = [i + 6 for i in range(len(good)) if good.startswith(b"PK\x01\x02", i)]
    positions = [*range(0, len(good), max(1, len(good) // 300)), *central]
    for at in positions:
        broken = bytearray(good)
        broken[at] ^= 0xFF
        entry.write_bytes(bytes(broken))
        served = cache.load(key)  # never raises
        if served is None:
            rebuilt += 1
        else:  # a changed zip header field (a date, a version) that leaves every array intact
            assert _same(fresh, served), f"a byte changed at {at} and a wrong network was served"
    assert rebuilt > 0.8 * len(positions), f"only {rebuilt} of {len(positions)} changes detected"
    entry.write_bytes(good[:-1])
    assert "cache" not in load_osm(osm, "car").meta, "a truncated entry was served"
    assert load_osm(osm, "car").meta["cache"] == str(entry), "the entry is written again"


def test_a_cache_entry_that_does_not_fit_together_is_rebuilt(
    tmp_path: Path, cache_dir: Path
) -> None:
    osm, fresh, entry = _cached(tmp_path, cache_dir, 5)
    with np.load(entry) as data:
        arrays = {k: data[k] for k in data.files}
    for name, bad in [
        ("dst", arrays["dst"] + 1000),  # edges to nodes that do not exist
        ("indptr", arrays["indptr"][:-1]),
        ("lanes", arrays["lanes"].astype(np.float32)),
        ("meta", np.frombuffer(b"[]", dtype=np.uint8)),
        ("meta", np.frombuffer(b'{"mover": "car"}', dtype=np.uint8)),
    ]:
        np.savez(entry, **{**arrays, name: bad})
        again = load_osm(osm, "car")
        assert "cache" not in again.meta, f"an entry with a bad {name} was served"
        assert _same(fresh, again)


def test_a_missing_cache_directory_is_created(tmp_path: Path, cache_dir: Path) -> None:
    osm = _clipped_osm(tmp_path, missing=0, of=5)
    assert not cache_dir.exists()
    load_osm(osm, "car")
    assert len(list(cache_dir.glob("network-*.npz"))) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_cache_directory_degrades_to_no_cache(tmp_path: Path, cache_dir: Path) -> None:
    osm = _clipped_osm(tmp_path, missing=0, of=5)
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    try:
        net = load_osm(osm, "car")
        assert net.n_edges > 0 and "cache" not in net.meta
        assert list(cache_dir.iterdir()) == []
    finally:
        cache_dir.chmod(0o755)


def test_an_unusable_cache_directory_degrades_to_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    osm = _clipped_osm(tmp_path, missing=0, of=5)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(blocker))  # a file where the folder should be
    net = load_osm(osm, "car")
    assert net.n_edges > 0 and "cache" not in net.meta and blocker.read_text() == ""
