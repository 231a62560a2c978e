"""Fuzz the command line: mutated scenarios, road networks, OSM extracts and arguments.

Every run must end with exit 0 or 2 (1 too for ``scenario check``, which found something), never
an uncaught exception, and an error is one short line: ``error: ...`` or ``file:line: ...``.

Bounded: each test runs ``CORRIDOR_FUZZ_EXAMPLES`` examples (default a few) under the loaded
hypothesis profile; ``make fuzz`` runs tens of thousands with fresh random ones.
"""

from __future__ import annotations

import copy
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import corridor
from corridor.cli.main import app
from fixtures import TOWN, roads_geojson, scenario_dict, write_scenario

EXAMPLES = int(os.environ.get("CORRIDOR_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_ERROR = 600
# an error line: ``error: ...`` or ``file:line: ...`` (the file as the user named it)
ERROR_LINE = re.compile(r"^(error: |\S.*?:\d+: )")
# a usage error (an unknown option, ``--k abc``) is click's own: ``Usage: ...`` then ``Error: ...``
USAGE_ERROR = re.compile(r"^Error: ")

_DATA = Path(corridor.__file__).parent / "data" / "scenarios" / "mosul-2016"
MOSUL_TEXT = (_DATA / "scenario.yaml").read_bytes()
MOSUL_ROADS = (_DATA / "roads.geojson").read_bytes()
_PYROSM = Path(pytest.importorskip("pyrosm").__file__).parent / "data"
PBF = (_PYROSM / "test.osm.pbf").read_bytes()

runner = CliRunner()


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="corridor-fuzz-") as tmp:
        yield Path(tmp)


def invoke(tmp: Path, args: list[str], *, check: bool = False) -> None:
    """Run ``corridor *args`` in-process; assert it ended as the CLI promises."""
    cache = tmp / "cache"
    cache.mkdir(exist_ok=True)
    res = runner.invoke(app, args, env={"CORRIDOR_CACHE_DIR": str(cache)})
    shown = f"corridor {' '.join(args)!r} -> exit {res.exit_code}\n{res.output[-3000:]}"
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        exc = res.exception
        raise AssertionError(f"uncaught {type(exc).__name__}: {exc}\n{shown}") from exc
    allowed = {0, 1, 2} if check else {0, 2}
    assert res.exit_code in allowed, shown
    assert "Traceback" not in res.output, shown
    if res.exit_code == 2:
        # the error goes to stderr (stdout may hold a half-printed GeoJSON without a newline)
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert lines, f"exit 2 without a message\n{shown}"
        usage = lines[0].startswith("Usage: ")
        errors = [ln for ln in lines if (USAGE_ERROR if usage else ERROR_LINE).match(ln)]
        assert errors, f"no 'error:' or 'file:line:' line\n{shown}"
        for line in errors:
            assert len(line) <= MAX_ERROR, f"a {len(line)}-character error line\n{shown}"
        if args[:2] not in (["scenario", "validate"], ["scenario", "check"]):
            assert len(errors) == 1, f"{len(errors)} error lines, expected one\n{shown}"


# ------------------------------------------------------------------------------- values
def _weird_floats() -> st.SearchStrategy[float]:
    return st.sampled_from(
        [math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-9, 1e300, -1e300, 181.0, -91.0, 1e19]
    ) | st.floats(allow_nan=True, allow_infinity=True)


def _dates() -> st.SearchStrategy[str]:
    bad = [
        "2016-02-30",
        "2016-13-01",
        "2016-00-10",
        "0000-01-01",
        "9999-12-31",
        "2020-1-1",
        "20200101",
        "",
        "yesterday",
        "2020-01-01T00:00:00",
        "2020-02-29",
        "1900-01-01",
    ]
    ok = st.dates().map(str)
    return st.sampled_from(bad) | ok | st.text(max_size=12)


def _values() -> st.SearchStrategy[Any]:
    """Any YAML value: scalars of every type, odd numbers and dates, small lists and maps."""
    scalar = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**70), max_value=2**70)
        | _weird_floats()
        | st.text(max_size=20)
        | _dates()
        | st.sampled_from(["town", "T1", "red", "red-army", "fighters", "R-N", "car", "close"])
    )
    return st.recursive(
        scalar,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


def _points() -> st.SearchStrategy[Any]:
    f = _weird_floats() | st.floats(min_value=-200, max_value=200)
    return st.one_of(
        st.tuples(f, f).map(list),
        st.just([TOWN[1], TOWN[0]]),  # swapped
        st.lists(f, max_size=4),
        st.just([]),
        st.just("10,50"),
    )


# ---------------------------------------------------------------------------- mutations
KeyPath = list[str | int]


def _paths(data: Any, prefix: KeyPath | None = None) -> list[KeyPath]:
    """Every key path in a nested dict/list."""
    prefix = prefix or []
    out: list[KeyPath] = [prefix] if prefix else []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, [*prefix, k])
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, [*prefix, i])
    return out


def _parent(data: Any, path: KeyPath) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with 1-4 structural edits: drop, rename, retype, swap or break a value."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(data, path), path[-1]
        op = draw(st.sampled_from(["drop", "rename", "value", "point", "date", "dup", "polygon"]))
        if op == "drop":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.sampled_from([f"{key}x", str(key)[:-1], str(key).upper(), "radus_m"]))
            parent[new] = parent.pop(key)
        elif op == "point":
            parent[key] = draw(_points())
        elif op == "date":
            parent[key] = draw(_dates())
        elif op == "dup" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif op == "polygon":
            parent[key] = draw(
                st.lists(st.lists(_points(), max_size=5), max_size=2)
                | st.just([[[9.9, 49.9], [10.1, 50.1], [9.9, 50.1], [10.1, 49.9], [9.9, 49.9]]])
                | st.just([[[9.9, 49.9], [9.9, 49.9], [9.9, 49.9]]])
            )
        else:
            parent[key] = draw(_values())
    return data


@st.composite
def text_edits(draw: st.DrawFn, text: bytes) -> bytes:
    """``text`` with 1-3 byte-level edits: truncation, deletion, insertion, non-UTF-8 bytes."""
    for _ in range(draw(st.integers(1, 3))):
        n = len(text)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 64)))
        op = draw(st.sampled_from(["truncate", "delete", "insert", "replace", "flip"]))
        if op == "truncate":
            text = text[:i]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            chunk = draw(
                st.binary(max_size=8)
                | st.sampled_from([b"\n", b": ", b"- ", b"  ", b"[", b"{", b"'", b"\xe9", b"&a"])
                | st.text(max_size=8).map(str.encode)
            )
            text = text[:i] + chunk + text[i:]
        elif op == "replace":
            text = text[:i] + draw(st.binary(max_size=8)) + text[j:]
        elif i < n:
            text = text[:i] + bytes([text[i] ^ (1 << draw(st.integers(0, 7)))]) + text[i + 1 :]
    return text


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


# -------------------------------------------------------------------------------- tests
COMMANDS: list[Callable[[Path], list[str]]] = [
    lambda s: ["scenario", "validate", str(s)],
    lambda s: ["analyze", str(s)],
    lambda s: ["analyze", str(s), "--at", "2020-01-12", "--json"],
    lambda s: ["timeline", str(s)],
    lambda s: ["timeline", str(s), "--plan", "seal", "--csv"],
]
CHECK = [lambda s: ["scenario", "check", str(s)]]


@FUZZ
@given(data=mutated(scenario_dict()), command=st.sampled_from(COMMANDS + CHECK))
def test_mutated_scenario(data: Any, command: Callable[[Path], list[str]]) -> None:
    with workdir() as tmp:
        path = write_scenario(tmp)
        path.write_text(_yaml(data))
        args = command(path)
        invoke(tmp, args, check=args[:2] == ["scenario", "check"])


@FUZZ
@given(
    text=text_edits(_yaml(scenario_dict()).encode()) | text_edits(MOSUL_TEXT),
    command=st.sampled_from(COMMANDS[:2] + COMMANDS[3:4] + CHECK),
)
def test_edited_scenario_text(text: bytes, command: Callable[[Path], list[str]]) -> None:
    with workdir() as tmp:
        path = write_scenario(tmp)
        path.write_bytes(text)
        if text.startswith(b"# ") or b"mosul" in text[:2000].lower():
            (tmp / "roads.geojson").write_bytes(MOSUL_ROADS)
        args = command(path)
        invoke(tmp, args, check=args[:2] == ["scenario", "check"])


@FUZZ
@given(data=mutated(yaml.safe_load(MOSUL_TEXT)), command=st.sampled_from(COMMANDS[:2] + CHECK))
def test_mutated_mosul(data: Any, command: Callable[[Path], list[str]]) -> None:
    with workdir() as tmp:
        path = tmp / "scenario.yaml"
        (tmp / "roads.geojson").write_bytes(MOSUL_ROADS)
        path.write_text(_yaml(data))
        args = command(path)
        invoke(tmp, args, check=args[:2] == ["scenario", "check"])


def _geojson_mutants() -> st.SearchStrategy[bytes]:
    import json

    def dump(data: Any) -> bytes:
        return json.dumps(data, allow_nan=True).encode()

    base = roads_geojson()
    geometry = st.sampled_from(
        [
            {"type": "Point", "coordinates": [10.0, 50.0]},
            {"type": "LineString", "coordinates": [[10.0, 50.0, 3.0], [10.0, 50.1, 4.0]]},
            {"type": "LineString", "coordinates": [[10.0, 50.0]]},
            {"type": "LineString", "coordinates": []},
            {"type": "MultiLineString", "coordinates": [[[10.0, 50.0], [10.1, 50.0]]]},
            {"type": "Polygon", "coordinates": [[[10, 50], [10, 51], [11, 50], [10, 50]]]},
            {"type": "GeometryCollection", "geometries": []},
            {"type": "LineString", "coordinates": [[None, None], [10.0, math.nan]]},
            None,
        ]
    )
    structural = mutated(base) | st.builds(
        lambda g, i: {
            **base,
            "features": [
                {**f, "geometry": g} if k == i else f for k, f in enumerate(base["features"])
            ],
        },
        geometry,
        st.integers(0, len(base["features"]) - 1),
    )
    return structural.map(dump) | text_edits(dump(base))


NETWORK_COMMANDS: list[Callable[[Path], list[str]]] = [
    lambda s: ["network", "info", str(s.parent / "roads.geojson")],
    lambda s: ["analyze", str(s)],
    lambda s: ["scenario", "check", str(s)],
]


@FUZZ
@given(roads=_geojson_mutants(), command=st.sampled_from(NETWORK_COMMANDS))
def test_mutated_geojson_network(roads: bytes, command: Callable[[Path], list[str]]) -> None:
    with workdir() as tmp:
        path = write_scenario(tmp)
        (tmp / "roads.geojson").write_bytes(roads)
        args = command(path)
        invoke(tmp, args, check=args[:2] == ["scenario", "check"])


OSM_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="corridor-fuzz">
  <node id="1" lat="50.0" lon="10.0"/>
  <node id="2" lat="50.0" lon="10.01"/>
  <node id="3" lat="50.01" lon="10.01"/>
  <node id="4" lat="50.01" lon="10.0"/>
  <way id="11"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/><tag k="name" v="A"/></way>
  <way id="12"><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="13"><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="highway" v="track"/>
    <tag k="oneway" v="yes"/></way>
</osm>
"""


def _osm_mutants() -> st.SearchStrategy[bytes]:
    swaps = st.sampled_from(
        [
            (b'lat="50.0"', b'lat="nan"'),
            (b'lon="10.01"', b'lon="inf"'),
            (b'lat="50.01"', b'lat="91"'),
            (b'lon="10.0"', b'lon="-181"'),
            (b'lat="50.0"', b'lat=""'),
            (b'<nd ref="2"/>', b'<nd ref="99"/>'),
            (b'<nd ref="3"/>', b'<nd ref="x"/>'),
            (b'id="1"', b'id="-1"'),
            (b'id="11"', b'id="99999999999999999999999"'),
            (b'v="primary"', b'v=""'),
            (b'<tag k="oneway" v="yes"/>', b'<tag k="oneway" v="-1"/>'),
            (b'<node id="4" lat="50.01" lon="10.0"/>', b""),
            (b"</osm>", b""),
            (b'encoding="UTF-8"', b'encoding="latin-9"'),
        ]
    )
    swapped = st.lists(swaps, min_size=1, max_size=3).map(lambda pairs: _apply(OSM_XML, pairs))
    return swapped | text_edits(OSM_XML) | st.binary(max_size=200)


def _apply(text: bytes, pairs: list[tuple[bytes, bytes]]) -> bytes:
    for old, new in pairs:
        text = text.replace(old, new, 1)
    return text


def _network_info(name: str, data: bytes) -> None:
    with workdir() as tmp:
        path = tmp / name
        path.write_bytes(data)
        invoke(tmp, ["network", "info", str(path)])


@FUZZ
@given(osm=_osm_mutants())
def test_mutated_osm_xml(osm: bytes) -> None:
    _network_info("extract.osm", osm)


@st.composite
def _pbf_mutants(draw: st.DrawFn) -> bytes:
    data = bytearray(PBF)
    op = draw(st.sampled_from(["truncate", "flip", "zero", "garbage"]))
    n = len(data)
    if op == "truncate":
        return bytes(data[: draw(st.integers(0, n - 1))])
    if op == "garbage":
        return draw(st.binary(max_size=300))
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, n - 1) | st.integers(0, 64))  # the header is most fragile
        data[i] = 0 if op == "zero" else data[i] ^ (1 << draw(st.integers(0, 7)))
    return bytes(data)


@FUZZ
@given(pbf=_pbf_mutants())
def test_mutated_pbf(pbf: bytes) -> None:
    _network_info("extract.osm.pbf", pbf)


def _number_text() -> st.SearchStrategy[str]:
    return st.one_of(
        _weird_floats().map(repr),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(["nan", "inf", "-inf", "1e309", "", " ", "0x10", "1_000", "١٢"]),
        st.text(max_size=6),
    )


@st.composite
def _arguments(draw: st.DrawFn) -> list[str]:
    """analyze / timeline with random options; outputs go inside the run's folder."""
    cmd = draw(st.sampled_from(["analyze", "timeline"]))
    args: list[str] = [cmd, "{s}"]
    options: dict[str, st.SearchStrategy[list[str]]] = {
        "at": _dates().map(lambda d: ["--at", d]),
        "mover": st.sampled_from(["fighters", "CIVILIANS", "car", "foot", "all", "bike", ""]).map(
            lambda m: ["--mover", m]
        ),
        "plan": st.sampled_from(["seal", "hold-west", "nope", "", "SEAL"]).map(
            lambda p: ["--plan", p]
        ),
        "point": st.lists(_number_text(), min_size=0, max_size=4).map(
            lambda xs: ["--close-point", ",".join(xs)]
        )
        | st.sampled_from([["--close-point", "10.0,50.0,1400"], ["--close-point", "50,10,100"]]),
        "way": (_number_text() | st.sampled_from(["502", "201", "0", "-1"])).map(
            lambda w: ["--close-way", w]
        ),
        "k": _number_text().map(lambda k: ["--k", k])
        | st.integers(-2, 25).map(lambda k: ["--k", str(k)]),
        "population": (_number_text() | st.integers(-5, 10**12).map(str)).map(
            lambda p: ["--population", p]
        ),
        "json": st.just(["--json"]),
        "csv": st.just(["--csv"]),
        "strict": st.just(["--strict"]),
        "geojson": st.sampled_from(
            ["out.geojson", "-", "missing/x.geojson", "scenario.yaml", "roads.geojson", ".", ""]
        ).map(lambda p: ["--geojson", p]),
        "chart": st.sampled_from(["c.png", "c.svg", "c.txt", "-", "roads.geojson"]).map(
            lambda p: ["--chart", p]
        ),
    }
    valid = {
        "analyze": ["at", "mover", "plan", "point", "way", "k", "population", "json", "strict"],
        "timeline": ["mover", "plan", "population", "json", "csv", "strict", "chart"],
    }[cmd] + ["geojson" if cmd == "analyze" else "at"]  # and one the command refuses
    for name in draw(st.lists(st.sampled_from(valid), max_size=4)):
        args += draw(options[name])
    return args


@FUZZ
@given(args=_arguments())
def test_random_arguments(args: list[str]) -> None:
    with workdir() as tmp:
        path = write_scenario(tmp)
        old = os.getcwd()
        os.chdir(tmp)  # relative outputs land in the run's folder
        try:
            invoke(tmp, [str(path) if a == "{s}" else a for a in args])
        finally:
            os.chdir(old)


# ------------------------------------------------------------------ what the fuzzer found
def test_an_error_on_line_100_is_not_an_emoji(tmp_path: Path) -> None:
    """rich turned ``scenario.yaml:100: not valid YAML`` into ``scenario.yaml💯 not valid``."""
    path = tmp_path / "scenario.yaml"
    path.write_text("".join(f"a{i}: 1\n" for i in range(1, 100)) + "b: ]\n")
    for args in (["scenario", "validate", str(path)], ["analyze", str(path)]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, res.output
        assert f"{path}:100: not valid YAML" in res.output, res.output


# -------------------------------------------------------------- tampered review files (accept)
_REVIEW_TEXT = st.text(
    alphabet=st.sampled_from(list("ab1 :#-{}[]'\"\n\t&*!|>%@,?\\\x85\u2028\ufeff"))
    | st.characters(),
    max_size=40,
)


@st.composite
def tampered_candidates(draw: st.DrawFn) -> dict[str, Any]:
    """A review candidate with hostile keys and values where a review file's reader puts them."""
    target: dict[Any, Any] = draw(
        st.sampled_from(
            [{"ref": "R-N", "between": ["town", "north"]}, {"way": 301}, {"place": "town"}]
        )
    )
    for _ in range(draw(st.integers(0, 2))):
        target[draw(_REVIEW_TEXT)] = draw(_REVIEW_TEXT | st.integers() | st.none())
    return {
        "id": draw(st.sampled_from(["cand-1", "c\n- id: x", "c\u2028d"])),
        "accept": True,
        "kind": draw(st.sampled_from(["close", "reopen", "zone", "population"])),
        "date": "2020-01-06",
        "actor": draw(st.sampled_from(["red-army", None]) | _REVIEW_TEXT),
        "target": target,
        "confidence": 0.5,
        "summary": draw(_REVIEW_TEXT),
        "quote": draw(_REVIEW_TEXT),
        "source": {"outlet": draw(_REVIEW_TEXT), "title": draw(_REVIEW_TEXT)},
    }


@FUZZ
@given(cand=tampered_candidates())
def test_tampered_review_file(cand: dict[str, Any]) -> None:
    """`events accept` ends in one line or writes exactly one event: never a smuggled second."""
    from corridor.scenario.edit import dump

    with workdir() as tmp:
        path = write_scenario(tmp)
        before = len(yaml.safe_load(path.read_text())["events"])
        review = tmp / "review.yaml"
        data = {"review": 1, "scenario": "valley", "origin": "fuzz", "candidates": [cand]}
        try:
            review.write_text(dump(data), encoding="utf-8")
        except UnicodeEncodeError:  # a lone surrogate drawn: no file can hold it
            return
        invoke(tmp, ["events", "accept", str(review), "--scenario", str(path)])
        after = yaml.safe_load(path.read_text())["events"]
        assert len(after) in (before, before + 1), [e.get("id") for e in after]
