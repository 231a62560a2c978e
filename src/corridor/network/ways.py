"""From ways (node lists with OSM-like tags) to a :class:`RoadNetwork` for one mover.

Every builder (OSM, GeoJSON) collects a :class:`WayTable` (flat arrays, one row per way node, no
Python object per node) and calls :func:`network_from_ways`. The mover's tag rules
(:mod:`corridor.network.tags`) pick the ways; every consecutive node pair of a kept way becomes a
segment, and one or two directed edges by its one-way rule. Segments with a node whose location is
unknown (clipped extracts) are dropped. Speeds, lanes and capacities follow
:mod:`corridor.network.defaults`: speeds as OSRM's car profile sets them (the tagged limit times 0.8,
else the class speed, capped by the surface), plus the delays of the nodes each edge enters
(traffic signals, stop signs, gates), and per node the roads that meet there (turns cost at
junctions: :mod:`corridor.analysis.turns`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.model.network import (
    SPEED_RULES,
    Mover,
    RoadNetwork,
    SpeedRule,
    StrColumn,
    geodesic_length_m,
)
from corridor.network import defaults, tags


@dataclass(frozen=True)
class WayTable:
    """Ways as flat arrays: way ``i`` has nodes ``node_ref[way_ptr[i]:way_ptr[i + 1]]``.

    ``node_lon``/``node_lat`` are NaN where an extract lacks the node.
    """

    way_id: NDArray[np.int64]
    way_ptr: NDArray[np.int64]
    node_ref: NDArray[np.int64]
    node_lon: NDArray[np.float64]
    node_lat: NDArray[np.float64]
    way_tags: list[dict[str, str]]
    delay_node: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """OSM ids of the nodes that delay vehicles (traffic signals, stop signs, gates)."""
    delay_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    """Seconds each of ``delay_node`` costs a vehicle that passes it (``defaults.NODE_DELAY_S``)."""

    @property
    def n_ways(self) -> int:
        return len(self.way_id)


def _segments(table: WayTable, keep: NDArray[np.bool_]) -> tuple[NDArray[np.int64], ...]:
    """Positions (into the node arrays) of the first node of every segment of kept ways."""
    counts = np.diff(table.way_ptr)
    seg_counts = np.where(keep, np.maximum(counts - 1, 0), 0)
    way_of_seg = np.repeat(np.arange(table.n_ways, dtype=np.int64), seg_counts)
    first = np.repeat(table.way_ptr[:-1], seg_counts)
    offset = np.arange(len(way_of_seg), dtype=np.int64) - np.repeat(
        np.cumsum(seg_counts) - seg_counts, seg_counts
    )
    pos = first + offset
    return way_of_seg, pos


def network_from_ways(
    table: WayTable,
    mover: Mover | str,
    *,
    source: str = "",
    persons_per_vehicle: float = defaults.PERSONS_PER_VEHICLE,
) -> RoadNetwork:
    """Build ``mover``'s directed network from a way table (see the module docstring)."""
    mover = Mover(mover)
    n_ways = table.n_ways
    keep = np.fromiter((tags.keeps(t, mover) for t in table.way_tags), bool, n_ways)
    direction = np.fromiter((tags.oneway(t, mover) for t in table.way_tags), np.int8, n_ways)

    way_of_seg, pos = _segments(table, keep)
    a_ref, b_ref = table.node_ref[pos], table.node_ref[pos + 1]
    located = (
        np.isfinite(table.node_lon[pos])
        & np.isfinite(table.node_lon[pos + 1])
        & np.isfinite(table.node_lat[pos])
        & np.isfinite(table.node_lat[pos + 1])
    )
    segments_total = len(pos)
    dropped_unlocated = int((~located).sum())
    # a node repeated in a row gives no segment (OSMnx drops it too)
    keep_seg = located & (a_ref != b_ref)
    way_of_seg, pos, a_ref, b_ref = (
        way_of_seg[keep_seg],
        pos[keep_seg],
        a_ref[keep_seg],
        b_ref[keep_seg],
    )
    seg_id = np.arange(len(pos), dtype=np.int64)
    seg_len = geodesic_length_m(
        table.node_lon[pos], table.node_lat[pos], table.node_lon[pos + 1], table.node_lat[pos + 1]
    )  # once per segment, shared by its two directions

    node_ids, inv = np.unique(np.concatenate([a_ref, b_ref]), return_inverse=True)
    a_idx, b_idx = inv[: len(pos)], inv[len(pos) :]
    lon = np.empty(len(node_ids))
    lat = np.empty(len(node_ids))
    lon[a_idx], lat[a_idx] = table.node_lon[pos], table.node_lat[pos]
    lon[b_idx], lat[b_idx] = table.node_lon[pos + 1], table.node_lat[pos + 1]

    d = direction[way_of_seg]
    fwd = d >= 0
    bwd = d <= 0
    src = np.concatenate([a_idx[fwd], b_idx[bwd]])
    dst = np.concatenate([b_idx[fwd], a_idx[bwd]])
    e_way = np.concatenate([way_of_seg[fwd], way_of_seg[bwd]])
    e_seg = np.concatenate([seg_id[fwd], seg_id[bwd]])
    e_forward = np.concatenate([np.ones(int(fwd.sum()), bool), np.zeros(int(bwd.sum()), bool)])

    attrs, clamped = _way_attributes(table.way_tags, keep)
    # string columns are coded per way (few) and indexed per edge (many)
    hw_table, hw_way = np.unique(attrs["highway"].astype(str), return_inverse=True)
    highway = (tuple(str(h) for h in hw_table), hw_way[e_way])
    two_way = d[np.concatenate([fwd.nonzero()[0], bwd.nonzero()[0]])] == 0
    tagged_lanes = np.where(
        e_forward,
        attrs["lanes_fwd"][e_way],
        attrs["lanes_bwd"][e_way],
    )
    tagged_lanes = np.where(
        np.isfinite(tagged_lanes),
        tagged_lanes,
        defaults.split_lanes(attrs["lanes"][e_way], two_way=two_way),
    )
    by_class = defaults.road_defaults(
        highway,
        mover,
        lanes=tagged_lanes,
        width_m=attrs["width"][e_way],
        persons_per_vehicle=persons_per_vehicle,
    )
    speed, rule = _speeds(
        mover,
        np.where(e_forward, attrs["maxspeed_fwd"][e_way], attrs["maxspeed_bwd"][e_way]),
        attrs["speed_cap"][e_way],
        by_class.speed_kph,
    )
    delay = _node_delays(table, node_ids, mover)
    roads = _junction_roads(table, node_ids)

    return RoadNetwork.from_edges(
        mover=mover,
        node_osm_id=node_ids.astype(np.int64),
        lon=lon,
        lat=lat,
        src=src,
        dst=dst,
        way_id=table.way_id[e_way],
        segment=e_seg,
        name=_coded(attrs["name"], e_way),
        ref=_coded(attrs["ref"], e_way),
        highway=highway,
        speed_kph=speed,
        speed_rule=rule,
        lanes=by_class.lanes,
        capacity_pph=by_class.capacity_pph,
        length_m=seg_len[e_seg],
        delay_s=delay[dst],
        road_count=roads,
        source=source,
        meta={
            "ways_kept": int(keep.sum()),
            "ways_total": n_ways,
            "segments_total": segments_total,
            "segments_dropped_unlocated": dropped_unlocated,
            "tags_clamped": clamped,
            "persons_per_vehicle": persons_per_vehicle,
            "delay_nodes": int(np.count_nonzero(delay)),
        },
    )


def _coded(per_way: NDArray[Any], e_way: NDArray[np.int64]) -> StrColumn:
    table, codes = np.unique(per_way.astype(str), return_inverse=True)
    return tuple(str(t) for t in table), codes[e_way]


def _way_attributes(
    way_tags: list[dict[str, str]], keep: NDArray[np.bool_]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Per-way tag values (NaN where untagged; the speed limits along and against the way as
    OSRM's car profile reads them, and the upper speed of its surface), clamped to
    ``defaults.TAG_RANGES``, and how many kept ways had each clamped tag."""
    n = len(way_tags)
    out: dict[str, Any] = {
        "highway": np.full(n, "", dtype=object),
        "name": np.full(n, "", dtype=object),
        "ref": np.full(n, "", dtype=object),
        "maxspeed_fwd": np.full(n, np.nan),
        "maxspeed_bwd": np.full(n, np.nan),
        "speed_cap": np.full(n, np.inf),
        "lanes": np.full(n, np.nan),
        "lanes_fwd": np.full(n, np.nan),
        "lanes_bwd": np.full(n, np.nan),
        "width": np.full(n, np.nan),
    }
    for i in np.flatnonzero(keep):
        t = way_tags[i]
        out["highway"][i] = t.get("highway", "")
        out["name"][i] = t.get("name", "")
        out["ref"][i] = t.get("ref", "")
        out["maxspeed_fwd"][i], out["maxspeed_bwd"][i] = tags.drive_maxspeeds(t)
        out["speed_cap"][i] = tags.speed_cap(t)
        out["lanes"][i] = tags.parse_number(t.get("lanes"))
        out["lanes_fwd"][i] = tags.parse_number(t.get("lanes:forward"))
        out["lanes_bwd"][i] = tags.parse_number(t.get("lanes:backward"))
        out["width"][i] = tags.parse_number(t.get("width"))
    lanes_clamped = np.zeros(n, dtype=bool)
    for column, key in (("lanes", "lanes"), ("lanes_fwd", "lanes"), ("lanes_bwd", "lanes")):
        out[column], outside = defaults.clamp_tag(key, out[column])
        lanes_clamped |= outside
    out["maxspeed_fwd"], fwd_clamped = defaults.clamp_tag("maxspeed", out["maxspeed_fwd"])
    out["maxspeed_bwd"], bwd_clamped = defaults.clamp_tag("maxspeed", out["maxspeed_bwd"])
    out["width"], width_clamped = defaults.clamp_tag("width", out["width"])
    clamped = {
        "maxspeed": int((fwd_clamped | bwd_clamped).sum()),
        "lanes": int(lanes_clamped.sum()),
        "width": int(width_clamped.sum()),
    }
    return out, clamped


def _rule_code(rule: SpeedRule) -> int:
    return SPEED_RULES.index(rule)


def _speeds(
    mover: Mover,
    maxspeed: NDArray[np.float64],
    cap: NDArray[np.float64],
    class_speed: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """OSRM's car profile: the tagged limit in the edge's direction times
    ``defaults.SPEED_REDUCTION``, else ``class_speed``; then no faster than the way's surface,
    tracktype or smoothness allow (``cap``). Walkers walk."""
    m = len(maxspeed)
    if mover.on_foot:
        return class_speed, np.full(m, _rule_code(SpeedRule.FOOT), dtype=np.int8)
    tagged = np.isfinite(maxspeed)
    speed = np.where(tagged, maxspeed * defaults.SPEED_REDUCTION, class_speed)
    rule = np.where(
        tagged, _rule_code(SpeedRule.MAXSPEED_TAG), _rule_code(SpeedRule.DEFAULT_TABLE)
    ).astype(np.int8)
    capped = cap < speed
    speed = np.where(capped, cap, speed)
    rule[capped] = _rule_code(SpeedRule.SURFACE)
    return speed, rule


def _junction_roads(table: WayTable, node_ids: NDArray[np.int64]) -> NDArray[np.int32]:
    """Per network node, how many distinct road segments of the classes vehicles drive meet
    there (``tags.junction_road``: service roads included, which the car network lacks)."""
    out = np.zeros(len(node_ids), dtype=np.int32)
    road = np.fromiter((tags.junction_road(t) for t in table.way_tags), bool, table.n_ways)
    _, pos = _segments(table, road)
    if len(pos) == 0 or len(node_ids) == 0:
        return out
    refs, local = np.unique(
        np.concatenate([table.node_ref[pos], table.node_ref[pos + 1]]), return_inverse=True
    )
    a, b = local[: len(pos)], local[len(pos) :]
    k = len(refs)
    pairs = np.unique(np.minimum(a, b) * k + np.maximum(a, b))  # one per road segment
    pairs = pairs[pairs // k != pairs % k]
    ends_local, counts = np.unique(np.concatenate([pairs // k, pairs % k]), return_counts=True)
    ends = refs[ends_local]
    at = np.clip(np.searchsorted(node_ids, ends), 0, len(node_ids) - 1)
    hit = node_ids[at] == ends
    out[at[hit]] = counts[hit]
    return out


def _node_delays(table: WayTable, node_ids: NDArray[np.int64], mover: Mover) -> NDArray[np.float64]:
    """Seconds a vehicle loses at each network node (``table.delay_s``; none for walkers)."""
    delay = np.zeros(len(node_ids))
    if mover.on_foot or len(table.delay_node) == 0 or len(node_ids) == 0:
        return delay
    pos = np.clip(np.searchsorted(node_ids, table.delay_node), 0, len(node_ids) - 1)
    hit = node_ids[pos] == table.delay_node
    np.maximum.at(delay, pos[hit], table.delay_s[hit])
    return delay


def tags_subset(all_tags: Mapping[str, str]) -> dict[str, str]:
    """The tags of a way that the rules read (drops the rest to keep memory small)."""
    return {k: str(all_tags[k]) for k in tags.KEYS if k in all_tags}


DROPPED_SHARE_WARNING = 0.05
"""The share of dropped segments above which an extract is said to be clipped or unsorted."""


def network_warnings(network: RoadNetwork) -> list[str]:
    """What a user should know about how a network was built from its file, one line each.

    Segments dropped because a node they use is missing from the extract (more than
    :data:`DROPPED_SHARE_WARNING` of them: the extract is probably clipped or unsorted, and how to
    fix it), and tag values clamped to ``defaults.TAG_RANGES``. Empty when there is nothing to say
    (and for networks not built from ways, such as a networkx graph's).

    Examples
    --------
    >>> from corridor.model.network import Mover
    >>> net = network_from_ways(
    ...     WayTable(
    ...         way_id=np.array([7]), way_ptr=np.array([0, 3]), node_ref=np.array([1, 2, 3]),
    ...         node_lon=np.array([10.0, 10.1, np.nan]), node_lat=np.array([50.0, 50.0, np.nan]),
    ...         way_tags=[{"highway": "primary", "lanes": "1e300"}],
    ...     ),
    ...     Mover.CAR, source="x.osm",
    ... )
    >>> for line in network_warnings(net):
    ...     print(line)
    x.osm: the extract is probably clipped or unsorted: 50 % of the car network's road segments (1 of 2) were dropped because a node they use is missing from the file; sort it (`osmium sort`), or extract it with complete ways (`osmium extract --strategy complete_ways`)
    x.osm: 1 way(s) with a lanes tag outside 1 to 30 (clamped to it; see docs/defaults.md)
    """
    meta = network.meta
    where = network.source or "the network"
    out = []
    total = int(meta.get("segments_total", 0) or 0)
    dropped = int(meta.get("segments_dropped_unlocated", 0) or 0)
    if total and dropped:
        share = dropped / total
        counts = f"{dropped:,} of {total:,}"
        mover = network.mover.value
        if share > DROPPED_SHARE_WARNING:
            out.append(
                f"{where}: the extract is probably clipped or unsorted: {share * 100:.0f} % of the "
                f"{mover} network's road segments ({counts}) were dropped because a node they use "
                "is missing from the file; sort it (`osmium sort`), or extract it with complete "
                "ways (`osmium extract --strategy complete_ways`)"
            )
        else:
            out.append(
                f"{where}: {counts} road segments of the {mover} network ({share * 100:.1f} %) were "
                "dropped because a node they use is missing from the file (usual at the edges of "
                "a clipped extract)"
            )
    for key, n in (meta.get("tags_clamped") or {}).items():
        if n:
            lo, hi = defaults.TAG_RANGES[key]
            out.append(
                f"{where}: {n:,} way(s) with a {key} tag outside {lo:g} to {hi:g} (clamped to "
                "it; see docs/defaults.md)"
            )
    return out
