"""A seeded, road-like synthetic network: a perturbed grid with arterials, one-way pairs and a
river crossed by a few bridges.

The grid has ``side x side`` intersections about 100 m apart (jittered), near 45 degrees north.
Every line of the grid (a row running east-west or a column running north-south) is cut into
OSM-like ways of at most ``WAY_SEGMENTS`` segments. Road classes repeat every ten lines:

- line 0 (mod 20): ``trunk``, 4 lanes; line 10 (mod 20): ``primary``, 2 lanes;
- lines 5 and 6 (mod 10): a one-way pair of ``secondary`` roads (5 runs along the node order,
  6 against it);
- line 2 (mod 5): ``tertiary``; every other line ``residential``, with 3 % of its segments
  missing (dead ends, blocks without a through street).

A river runs north-south between two columns east of the centre; only a few arterial rows
cross it (bridges). The origin is a circle around the centre, west of the river; the exits are
three circles on the far (east) side: the middle of the east edge and the two eastern corners.
So the minimum cut is the bridges, and the routes must use them.

Everything is numpy per grid line (``2 * side`` lines); there is no Python loop per edge. The
result is a :class:`corridor.network.ways.WayTable`, built into a network by corridor's own
``network_from_ways`` exactly as an OSM extract is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.model.areas import Area
from corridor.network.ways import WayTable

SPACING_M = 100.0
WAY_SEGMENTS = 10
LAT0, LON0 = 45.0, 10.0
_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True)
class SyntheticCase:
    """A synthetic way table with its origin and exits."""

    name: str
    table: WayTable
    origin: Area
    exits: tuple[Area, ...]
    side: int
    bridges: int


def side_for_edges(n_edges: int) -> int:
    """Grid side giving about ``n_edges`` directed edges (a node has ~3.45 out-edges: one-way lines and missing segments)."""
    return max(12, round(math.sqrt(n_edges / 3.45)))


def _line_class(i: int) -> tuple[dict[str, str], bool]:
    """Tags of grid line ``i`` and whether its segments may be missing."""
    if i % 20 == 0:
        return {"highway": "trunk", "lanes": "4"}, False
    if i % 10 == 0:
        return {"highway": "primary", "lanes": "2"}, False
    if i % 10 == 5:
        return {"highway": "secondary", "oneway": "yes", "lanes": "2"}, False
    if i % 10 == 6:
        return {"highway": "secondary", "oneway": "-1", "lanes": "2"}, False
    if i % 5 == 2:
        return {"highway": "tertiary"}, False
    return {"highway": "residential"}, True


def generate(n_edges: int, *, seed: int = 0) -> SyntheticCase:
    """A synthetic road network of about ``n_edges`` directed edges (see the module docstring)."""
    rng = np.random.default_rng(seed)
    side = side_for_edges(n_edges)
    dlat = SPACING_M / _M_PER_DEG_LAT
    dlon = SPACING_M / (_M_PER_DEG_LAT * math.cos(math.radians(LAT0)))
    jj, ii = np.meshgrid(np.arange(side), np.arange(side))
    lon = LON0 + (jj + rng.uniform(-0.25, 0.25, jj.shape)) * dlon  # row-major: node = i*side+j
    lat = LAT0 + (ii + rng.uniform(-0.25, 0.25, ii.shape)) * dlat
    lon, lat = lon.ravel(), lat.ravel()

    river = int(side * 0.6)  # the river runs between columns `river` and `river + 1`
    arterial_rows = np.arange(0, side, 10)
    n_bridges = int(np.clip(side // 100, 2, 8))
    pick = np.linspace(1, len(arterial_rows) - 2, n_bridges).round().astype(int)
    bridge_rows = set(arterial_rows[np.unique(np.clip(pick, 0, len(arterial_rows) - 1))].tolist())

    way_nodes: list[NDArray[np.int64]] = []
    way_ptr_parts: list[NDArray[np.int64]] = []
    tags: list[dict[str, str]] = []
    offset = 0
    grid = np.arange(side * side, dtype=np.int64).reshape(side, side)
    for axis in (0, 1):  # 0: rows (east-west), 1: columns (north-south)
        for i in range(side):
            nodes = grid[i] if axis == 0 else grid[:, i]
            line_tags, sparse = _line_class(i)
            keep = np.ones(side - 1, dtype=bool)
            if sparse:
                keep &= rng.random(side - 1) >= 0.03
            if axis == 0 and i not in bridge_rows:
                keep[river] = False
            # a way starts at every kept segment whose predecessor is missing or at a chunk edge
            k = np.flatnonzero(keep)
            if len(k) == 0:
                continue
            starts = np.r_[True, (k[1:] != k[:-1] + 1) | (k[1:] % WAY_SEGMENTS == 0)]
            run_id = np.cumsum(starts) - 1
            n_runs = int(run_id[-1]) + 1
            first_seg = k[starts]
            n_segs = np.bincount(run_id, minlength=n_runs)
            # node positions of every run: first_seg .. first_seg + n_segs
            counts = n_segs + 1
            rel = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            pos = np.repeat(first_seg, counts) + rel
            way_nodes.append(nodes[pos])
            way_ptr_parts.append(offset + np.cumsum(counts))
            offset += int(counts.sum())
            label = "Row" if axis == 0 else "Column"
            for r in range(n_runs):
                t = dict(line_tags)
                t["name"] = f"{label} {i}"
                if (
                    axis == 0
                    and i in bridge_rows
                    and first_seg[r] <= river < first_seg[r] + n_segs[r]
                ):
                    t["bridge"] = "yes"
                tags.append(t)

    node_idx = np.concatenate(way_nodes)
    table = WayTable(
        way_id=np.arange(1, len(tags) + 1, dtype=np.int64),
        way_ptr=np.concatenate([np.zeros(1, dtype=np.int64), *way_ptr_parts]),
        node_ref=node_idx + 1,
        node_lon=lon[node_idx],
        node_lat=lat[node_idx],
        way_tags=tags,
    )

    def point(i: float, j: float) -> tuple[float, float]:
        return (LON0 + j * dlon, LAT0 + i * dlat)

    c = side // 2
    origin_r = SPACING_M * max(2.0, side / 20.0)
    exit_r = SPACING_M * 2.5
    origin = Area("Centre", point=point(c, int(side * 0.4)), radius_m=origin_r)
    exits = (
        Area("East", point=point(c, side - 1), radius_m=exit_r),
        Area("North-east", point=point(side - 1, side - 1), radius_m=exit_r),
        Area("South-east", point=point(0, side - 1), radius_m=exit_r),
    )
    return SyntheticCase(
        name=f"synthetic-{_label(n_edges)}",
        table=table,
        origin=origin,
        exits=exits,
        side=side,
        bridges=len(bridge_rows),
    )


def _label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def real_situation(net: Any) -> Any:
    """Origin near the centre of the largest strongly connected part; exits at its extremes."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    from corridor.model.areas import Area, haversine_m
    from corridor.model.situation import build_situation

    n = net.n_nodes
    # copy: sum_duplicates sorts the index arrays in place, which would reorder net.dst
    g = sp.csr_matrix((np.ones(net.n_edges), net.dst, net.indptr), shape=(n, n), copy=True)
    g.sum_duplicates()  # scipy's strong components loop forever on duplicate (parallel) entries
    _, comp = connected_components(g, directed=True, connection="strong")
    big = np.flatnonzero(comp == np.bincount(comp).argmax())
    lon, lat = net.lon[big], net.lat[big]
    c = big[np.argmin(haversine_m(lon, lat, float(np.median(lon)), float(np.median(lat))))]
    x0, y0 = float(net.lon[c]), float(net.lat[c])
    span = haversine_m(lon.min(), lat.min(), float(lon.max()), float(lat.max()))
    radius = max(200.0, 0.03 * float(span))
    origin = Area("Centre", point=(x0, y0), radius_m=radius)
    exits = []
    for label, i in (
        ("West", np.argmin(lon)),
        ("East", np.argmax(lon)),
        ("South", np.argmin(lat)),
        ("North", np.argmax(lat)),
    ):
        p = (float(lon[i]), float(lat[i]))
        if haversine_m(p[0], p[1], x0, y0) > radius + 400 and all(e.point != p for e in exits):
            exits.append(Area(label, point=p, radius_m=150.0))
    return build_situation(net, origin, exits)
