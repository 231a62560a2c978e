"""The road network: nodes and directed edges in compressed-sparse-row arrays.

A two-way road is two directed edges that share a ``segment`` id; closing a segment closes both.
Edges are one per consecutive node pair of an OSM way (or GeoJSON LineString) and direction,
before any simplification. Attribute columns are numpy arrays of length ``n_edges``; strings
(name, ref, road class) are stored once in a table and referenced by an integer code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pyproj import Geod

from corridor.errors import NetworkError

_GEOD = Geod(ellps="WGS84")


class Mover(StrEnum):
    """The base movers a road network is built for.

    ``car`` follows OSMnx's ``network_type="drive"`` filter, ``foot`` its ``"walk"`` filter (and
    ignores ``oneway``), ``offroad`` is ``car`` plus ``highway=track``, ``all`` keeps every
    highway way. ``walkers`` is evacuation on foot: ``foot``, plus the trunk and primary roads
    whatever their ``foot`` and ``sidewalk`` tags (people fleeing walk the main roads), never
    motorways.
    """

    CAR = "car"
    FOOT = "foot"
    OFFROAD = "offroad"
    ALL = "all"
    WALKERS = "walkers"

    @classmethod
    def _missing_(cls, value: object) -> Mover:
        for m in cls:
            if m.value == str(value).lower():
                return m
        msg = f"{value!r} is not a mover; expected one of {', '.join(m.value for m in cls)}"
        raise ValueError(msg)

    @property
    def on_foot(self) -> bool:
        """Whether this mover walks (``foot``, ``walkers``): walking speed, capacity by width,
        no one-way streets, no delays at signals and no turn costs."""
        return self in (Mover.FOOT, Mover.WALKERS)

    @property
    def honours_oneway(self) -> bool:
        """Whether ``oneway`` tags restrict this mover (vehicles yes, walkers no)."""
        return not self.on_foot


class SpeedRule(StrEnum):
    """Where an edge's speed came from, so every number is traceable."""

    MAXSPEED_TAG = "maxspeed tag x 0.8 (OSRM car profile's speed_reduction)"
    DEFAULT_TABLE = "default speed of its road class (corridor.io.defaults)"
    GIVEN = "given by the source graph"
    FOOT = "walking speed (corridor.io.defaults)"
    SURFACE = "upper speed of its surface, tracktype or smoothness (OSRM car profile)"


SPEED_RULES: tuple[SpeedRule, ...] = tuple(SpeedRule)


def geodesic_length_m(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Geodesic distance on the WGS84 ellipsoid, in metres, vectorised (pyproj's Geod)."""
    if len(lon1) == 0:
        return np.zeros(0, dtype=np.float64)
    _, _, dist = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist, dtype=np.float64)


def _neighbour_count(
    n: int, src: NDArray[np.integer[Any]], dst: NDArray[np.integer[Any]]
) -> NDArray[np.int32]:
    """Distinct neighbours of each of ``n`` nodes over edges ``src -> dst``, either direction."""
    if len(src) == 0:
        return np.zeros(n, dtype=np.int32)
    a, b = np.minimum(src, dst), np.maximum(src, dst)
    pairs = np.unique(a * n + b)
    ends = np.concatenate([pairs // n, pairs % n])
    return np.bincount(ends, minlength=n).astype(np.int32)


StrColumn = tuple[tuple[str, ...], NDArray[np.integer[Any]]]
"""A string column as (table of distinct strings, code per row)."""


MAX_TURNS_PER_EDGE = 8
"""The turns a network may hold, per edge, beyond :data:`MAX_TURNS_BASE`: a turn-aware search
weighs every pair (edge in, edge out) at a node, so a node where thousands of roads meet costs
the square of that (10,000 roads at one node: 10^8 turns, 12 GB). Real road networks hold about
2 per edge (Andorra, Helsinki, Bayreuth: 1.9 to 2.6); a regular grid 4."""

MAX_TURNS_BASE = 1_000_000


def _refuse_absurd_junctions(
    src: NDArray[np.integer[Any]],
    dst: NDArray[np.integer[Any]],
    n: int,
    node_osm_id: NDArray[Any],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    source: str,
) -> None:
    """Refuse, in one line naming the worst node, a network whose junctions hold more turns
    than :data:`MAX_TURNS_PER_EDGE` per edge (plus :data:`MAX_TURNS_BASE`)."""
    m = len(src)
    if m == 0:
        return
    turns = np.bincount(dst, minlength=n).astype(np.int64) * np.bincount(src, minlength=n)
    total = int(turns.sum())
    if total <= MAX_TURNS_PER_EDGE * m + MAX_TURNS_BASE:
        return
    worst = int(np.argmax(turns))
    arms = int(np.count_nonzero(src == worst) + np.count_nonzero(dst == worst))
    where = f"{source}: " if source else ""
    msg = (
        f"{where}{arms:,} road ends meet at node {int(node_osm_id[worst])} "
        f"({float(lon[worst]):.6f}, {float(lat[worst]):.6f}): the network would hold "
        f"{total:,} turns for {m:,} road segments (at most {MAX_TURNS_PER_EDGE} per segment); "
        "that is not a road junction: split the node or remove the ways that share it"
    )
    raise NetworkError(msg)


def _str_table(
    values: NDArray[Any] | list[str] | StrColumn,
) -> tuple[tuple[str, ...], NDArray[np.int32]]:
    if isinstance(values, tuple):
        table_in, codes_in = values
        if len(table_in) and table_in[0] == "":
            return tuple(table_in), np.asarray(codes_in, dtype=np.int32)
        return ("", *table_in), np.asarray(codes_in, dtype=np.int32) + 1
    arr = np.asarray(values, dtype=object)
    arr = np.where(arr == None, "", arr).astype(str)  # noqa: E711
    table, codes = np.unique(arr, return_inverse=True)
    if len(table) == 0 or table[0] != "":
        table = np.concatenate([np.array([""]), table])
        codes = codes + 1
    return tuple(str(s) for s in table), codes.astype(np.int32)


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road graph for one base mover, in CSR arrays.

    Edges are sorted by source node; the edges leaving node ``i`` are
    ``indptr[i]:indptr[i + 1]``. Build one with :meth:`from_edges` (the loaders in
    ``corridor.network`` do), never by hand.
    """

    mover: Mover
    node_osm_id: NDArray[np.int64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    indptr: NDArray[np.int64]
    dst: NDArray[np.int32]
    way_id: NDArray[np.int64]
    segment: NDArray[np.int64]
    name_code: NDArray[np.int32]
    ref_code: NDArray[np.int32]
    highway_code: NDArray[np.int32]
    length_m: NDArray[np.float64]
    speed_kph: NDArray[np.float64]
    speed_rule: NDArray[np.int8]
    lanes: NDArray[np.float64]
    travel_time_s: NDArray[np.float64]
    """Seconds to drive (or walk) the edge: its length at its speed, plus the delay at the node
    it enters (traffic signals, stop signs, gates: ``corridor.network.defaults.NODE_DELAY_S``). Turns
    are costed on paths, not here (``corridor.analysis.turns``)."""
    delay_s: NDArray[np.float64]
    """The part of ``travel_time_s`` lost at the node the edge enters (0 where none)."""
    road_count: NDArray[np.int32]
    """How many road segments meet at each node (per node): 2 on a bend of one road, 3 or more at
    a junction, where turns cost (``corridor.analysis.turns``). Counts the roads vehicles use
    that this mover's network may lack (service roads), as OSRM's junctions do."""
    capacity_pph: NDArray[np.int64]
    names: tuple[str, ...]
    refs: tuple[str, ...]
    highways: tuple[str, ...]
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    banned_turns: NDArray[np.int64] = field(
        default_factory=lambda: np.zeros((0, 2), dtype=np.int64)
    )
    """Turns this mover may not take, as rows of (incoming edge, outgoing edge) at the node
    between them: OSM turn restrictions (``corridor.network.osm``). Empty for walkers and for
    networks from sources without restrictions. Routes obey them
    (``corridor.analysis.turns``); reachability, cuts and flows do not."""

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_edges(
        cls,
        *,
        mover: Mover | str,
        node_osm_id: NDArray[np.int64],
        lon: NDArray[np.float64],
        lat: NDArray[np.float64],
        src: NDArray[np.integer[Any]],
        dst: NDArray[np.integer[Any]],
        way_id: NDArray[np.int64],
        segment: NDArray[np.int64],
        name: NDArray[Any] | list[str] | StrColumn,
        ref: NDArray[Any] | list[str] | StrColumn,
        highway: NDArray[Any] | list[str] | StrColumn,
        speed_kph: NDArray[np.float64],
        speed_rule: NDArray[np.int8],
        lanes: NDArray[np.float64],
        capacity_pph: NDArray[np.int64],
        length_m: NDArray[np.float64] | None = None,
        delay_s: NDArray[np.float64] | None = None,
        road_count: NDArray[np.integer[Any]] | None = None,
        source: str = "",
        meta: dict[str, Any] | None = None,
    ) -> RoadNetwork:
        """Assemble a network from unsorted edge arrays (node indices into the node arrays).

        The same input always gives the same arrays.

        Lengths are computed as geodesic distances between the end nodes unless given; travel
        time is ``length / speed``, plus ``delay_s`` (seconds lost at the node the edge enters:
        traffic signals, stop signs, gates) when given. ``road_count`` (per node) is at least the
        number of distinct neighbours a node has in this network. Edges are sorted by (source, target), ties in input
        order. String columns are one string per edge, or a
        :data:`StrColumn` (distinct strings, code per edge), which is much faster for big
        networks.
        """
        n = len(node_osm_id)
        src = np.asarray(src, dtype=np.int64)
        dst_a = np.asarray(dst, dtype=np.int64)
        m = len(src)
        if m and (src.min() < 0 or dst_a.min() < 0 or src.max() >= n or dst_a.max() >= n):
            msg = "edge endpoints must be indices into the node arrays"
            raise ValueError(msg)
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        _refuse_absurd_junctions(src, dst_a, n, np.asarray(node_osm_id), lon, lat, source)
        if length_m is None:
            length_m = geodesic_length_m(lon[src], lat[src], lon[dst_a], lat[dst_a])
        way_id = np.asarray(way_id, dtype=np.int64)
        segment = np.asarray(segment, dtype=np.int64)
        # one stable sort on (source, target); ties keep the input order, which builders make
        # deterministic (way order, then segment order)
        order = np.argsort(src * max(n, 1) + dst_a, kind="stable")
        names, name_code = _str_table(name)
        refs, ref_code = _str_table(ref)
        highways, highway_code = _str_table(highway)
        speed = np.asarray(speed_kph, dtype=np.float64)[order]
        length = np.asarray(length_m, dtype=np.float64)[order]
        with np.errstate(divide="ignore"):
            tt = np.where(speed > 0, length / (speed / 3.6), np.inf)
        delay = np.zeros(m) if delay_s is None else np.asarray(delay_s, dtype=np.float64)[order]
        tt = tt + delay
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        roads = _neighbour_count(n, src, dst_a)
        if road_count is not None:
            roads = np.maximum(roads, np.asarray(road_count, dtype=np.int32))
        return cls(
            mover=Mover(mover),
            node_osm_id=np.asarray(node_osm_id, dtype=np.int64),
            lon=lon,
            lat=lat,
            indptr=indptr,
            dst=dst_a[order].astype(np.int32),
            way_id=way_id[order],
            segment=segment[order],
            name_code=name_code[order],
            ref_code=ref_code[order],
            highway_code=highway_code[order],
            length_m=length,
            speed_kph=speed,
            speed_rule=np.asarray(speed_rule, dtype=np.int8)[order],
            lanes=np.asarray(lanes, dtype=np.float64)[order],
            travel_time_s=tt,
            delay_s=delay,
            road_count=roads,
            capacity_pph=np.asarray(capacity_pph, dtype=np.int64)[order],
            names=names,
            refs=refs,
            highways=highways,
            source=source,
            meta=dict(meta or {}),
        )

    # ------------------------------------------------------------------ shape
    @property
    def n_nodes(self) -> int:
        return len(self.node_osm_id)

    @property
    def n_edges(self) -> int:
        return len(self.dst)

    @cached_property
    def src(self) -> NDArray[np.int32]:
        """Source node of every edge (expanded from ``indptr``)."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int32), np.diff(self.indptr))

    @cached_property
    def in_edges(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The edges entering each node, as CSR (``indptr``, edge ids): the edges entering node
        ``i`` are ``edges[indptr[i]:indptr[i + 1]]``, in order of their source node."""
        order = np.argsort(self.dst, kind="stable").astype(np.int64)
        indptr = np.zeros(self.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.dst, minlength=self.n_nodes), out=indptr[1:])
        return indptr, order

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the nodes."""
        if self.n_nodes == 0:
            return (0.0, 0.0, 0.0, 0.0)
        return (
            float(self.lon.min()),
            float(self.lat.min()),
            float(self.lon.max()),
            float(self.lat.max()),
        )

    @cached_property
    def edge_mid_lon(self) -> NDArray[np.float64]:
        return (self.lon[self.src] + self.lon[self.dst]) / 2.0

    @cached_property
    def edge_mid_lat(self) -> NDArray[np.float64]:
        return (self.lat[self.src] + self.lat[self.dst]) / 2.0

    # ------------------------------------------------------------------ attributes
    def edge_name(self, e: int) -> str:
        return self.names[int(self.name_code[e])]

    def edge_ref(self, e: int) -> str:
        return self.refs[int(self.ref_code[e])]

    def edge_highway(self, e: int) -> str:
        return self.highways[int(self.highway_code[e])]

    def road_label(self, e: int) -> str:
        """How road edge ``e`` is named to a reader: "name (ref)", the name, the ref, or its
        class ("unnamed track")."""
        name, ref = self.edge_name(e), self.edge_ref(e)
        if name and ref:
            return f"{name} ({ref})"
        return name or ref or f"unnamed {self.edge_highway(e) or 'road'}"

    def roads_along(self, edges: NDArray[np.integer[Any]]) -> tuple[str, ...]:
        """The roads a path of ``edges`` follows, in order, each named once per stretch."""
        e = np.asarray(edges, dtype=np.int64)
        labels: list[str] = []
        if len(e) == 0:
            return ()
        # a label only changes where one of the codes it is made of changes
        codes = (self.name_code[e], self.ref_code[e], self.highway_code[e])
        change = np.zeros(len(e), dtype=bool)
        change[0] = True
        for c in codes:
            change[1:] |= c[1:] != c[:-1]
        for i in np.flatnonzero(change).tolist():
            label = self.road_label(int(e[i]))
            if not labels or labels[-1] != label:
                labels.append(label)
        return tuple(labels)

    def segment_mask(self, edges: NDArray[Any]) -> NDArray[np.bool_]:
        """Every directed edge (both directions) of the segments of ``edges`` (indices or a
        boolean mask): closing a segment closes both of its directions."""
        hit = np.zeros(int(self.segment.max(initial=-1)) + 1, dtype=bool)
        hit[self.segment[edges]] = True
        return hit[self.segment]

    def nodes_by_osm_id(self, ids: NDArray[np.int64]) -> NDArray[np.int64]:
        """Node indices of the given OSM node ids (-1 where absent)."""
        order = np.argsort(self.node_osm_id)
        sorted_ids = self.node_osm_id[order]
        pos = np.searchsorted(sorted_ids, ids)
        pos = np.clip(pos, 0, max(len(sorted_ids) - 1, 0))
        found = (len(sorted_ids) > 0) & (sorted_ids[pos] == ids)
        return np.where(found, order[pos], -1).astype(np.int64)

    def summary(self) -> dict[str, int]:
        return {"nodes": self.n_nodes, "edges": self.n_edges}

    def __repr__(self) -> str:
        return (
            f"RoadNetwork(mover={self.mover.value!r}, nodes={self.n_nodes}, "
            f"edges={self.n_edges}, source={self.source!r})"
        )
