"""Areas (origin, exits, closures, zones) and how they select nodes and edges of a network.

Areas are a point with a radius or a polygon (shapely). Selections are vectorised: distances in
numpy, polygon tests with shapely 2's vectorised predicates (``contains_xy``, ``intersects``) and
an STRtree for many polygons; never a Python loop over nodes or edges.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from corridor.model.network import RoadNetwork

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(
    lon: NDArray[np.float64] | float,
    lat: NDArray[np.float64] | float,
    lon0: float,
    lat0: float,
) -> NDArray[np.float64]:
    """Great-circle distance in metres from (lon0, lat0) to each (lon, lat)."""
    la1, la2 = np.radians(lat0), np.radians(lat)
    dla = la2 - la1
    dlo = np.radians(np.asarray(lon) - lon0)
    a = np.sin(dla / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlo / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def _local_xy(
    lon: NDArray[np.float64], lat: NDArray[np.float64], lon0: float, lat0: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    k = np.pi / 180 * EARTH_RADIUS_M
    return (lon - lon0) * k * np.cos(np.radians(lat0)), (lat - lat0) * k


def segment_distance_m(network: RoadNetwork, lon0: float, lat0: float) -> NDArray[np.float64]:
    """Distance in metres from a point to every edge's straight segment (local projection)."""
    x1, y1 = _local_xy(network.lon[network.src], network.lat[network.src], lon0, lat0)
    x2, y2 = _local_xy(network.lon[network.dst], network.lat[network.dst], lon0, lat0)
    dx, dy = x2 - x1, y2 - y1
    len2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(len2 > 0, -(x1 * dx + y1 * dy) / len2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    px, py = x1 + t * dx, y1 + t * dy
    return np.asarray(np.hypot(px, py))


@dataclass(frozen=True)
class Area:
    """A named area: a point with a radius, or a polygon ([lon, lat] coordinates).

    Examples
    --------
    >>> Area("Mosul", point=(43.13, 36.34), radius_m=6000).representative
    (43.13, 36.34)
    >>> import shapely
    >>> Area("Old city", polygon=shapely.box(43.12, 36.33, 43.14, 36.35)).radius_m is None
    True
    """

    name: str
    point: tuple[float, float] | None = None
    radius_m: float | None = None
    polygon: BaseGeometry | None = None

    def __post_init__(self) -> None:
        if (self.point is None) == (self.polygon is None):
            msg = f"area {self.name!r}: give either a point with radius_m or a polygon"
            raise ValueError(msg)

    @property
    def representative(self) -> tuple[float, float]:
        if self.point is not None:
            return self.point
        assert self.polygon is not None
        p = self.polygon.representative_point()
        return (float(p.x), float(p.y))

    def geometry(self) -> BaseGeometry:
        """A polygon of the area (a point's circle is approximated by a 64-gon, made once per
        area: the same object every call)."""
        if self.polygon is not None:
            return self.polygon
        made = self.__dict__.get("_circle")
        if made is None:
            made = self.__dict__["_circle"] = self._circle()
        return made

    def _circle(self) -> BaseGeometry:
        assert self.point is not None
        lon0, lat0 = self.point
        r = float(self.radius_m or 0.0)
        ang = np.linspace(0, 2 * np.pi, 65)
        k = np.pi / 180 * EARTH_RADIUS_M
        lon = lon0 + r * np.cos(ang) / (k * np.cos(np.radians(lat0)))
        lat = lat0 + r * np.sin(ang) / k
        return shapely.Polygon(np.column_stack([lon, lat]))

    def node_mask(self, network: RoadNetwork) -> NDArray[np.bool_]:
        """Nodes inside the area (on the boundary counts as inside)."""
        if self.point is not None:
            d = haversine_m(network.lon, network.lat, *self.point)
            return np.asarray(d <= float(self.radius_m or 0.0))
        assert self.polygon is not None
        return np.asarray(shapely.intersects_xy(self.polygon, network.lon, network.lat))

    def edge_mask(self, network: RoadNetwork) -> NDArray[np.bool_]:
        """Edges whose segment touches the area."""
        if self.point is not None:
            d = segment_distance_m(network, *self.point)
            return np.asarray(d <= float(self.radius_m or 0.0))
        assert self.polygon is not None
        return polygon_edge_mask(network, self.polygon)


_NODES_IN: WeakKeyDictionary[RoadNetwork, dict[Area, NDArray[np.int64]]] = WeakKeyDictionary()


def nodes_in(network: RoadNetwork, area: Area) -> NDArray[np.int64]:
    """The indices of the nodes inside ``area`` (:meth:`Area.node_mask`), kept per network and
    area while the network lives: every date of a timeline, every what-if and every pocket asks
    again (read only)."""
    known = _NODES_IN.setdefault(network, {})
    found = known.get(area)
    if found is None:
        found = np.flatnonzero(area.node_mask(network)).astype(np.int64)
        found.flags.writeable = False
        known[area] = found
    return found


def polygon_edge_mask(network: RoadNetwork, polygon: BaseGeometry) -> NDArray[np.bool_]:
    """Edges whose straight segment intersects ``polygon`` (bbox prefilter, then shapely)."""
    minx, miny, maxx, maxy = polygon.bounds
    lon_s, lat_s = network.lon[network.src], network.lat[network.src]
    lon_d, lat_d = network.lon[network.dst], network.lat[network.dst]
    cand = np.flatnonzero(
        (np.maximum(lon_s, lon_d) >= minx)
        & (np.minimum(lon_s, lon_d) <= maxx)
        & (np.maximum(lat_s, lat_d) >= miny)
        & (np.minimum(lat_s, lat_d) <= maxy)
    )
    mask = np.zeros(network.n_edges, dtype=bool)
    if len(cand):
        coords = np.empty((2 * len(cand), 2))
        coords[0::2, 0], coords[0::2, 1] = lon_s[cand], lat_s[cand]
        coords[1::2, 0], coords[1::2, 1] = lon_d[cand], lat_d[cand]
        lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(cand)), 2))
        shapely.prepare(polygon)
        mask[cand] = shapely.intersects(polygon, lines)
    return mask


def points_in_polygons(
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    polygons: Sequence[BaseGeometry],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs (point index, polygon index) for every point inside a polygon (boundary included),
    sorted by polygon then point: a bounding-box prefilter, then ``shapely.intersects_xy`` on the
    candidates, without making a geometry per point."""
    point_parts: list[NDArray[np.int64]] = []
    poly_parts: list[NDArray[np.int64]] = []
    for i, polygon in enumerate(polygons):
        minx, miny, maxx, maxy = polygon.bounds
        cand = np.flatnonzero((lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy))
        if len(cand) == 0:
            continue
        shapely.prepare(polygon)
        inside = cand[shapely.intersects_xy(polygon, lon[cand], lat[cand])]
        point_parts.append(inside.astype(np.int64))
        poly_parts.append(np.full(len(inside), i, dtype=np.int64))
    if not point_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(point_parts), np.concatenate(poly_parts)


# ---------------------------------------------------------------------------- zones hold roads
ZONE_HOLD_TOLERANCE_M = 10.0
"""A zone holds a road segment when more than this many metres of the segment lie inside it (or
more than half of a shorter segment): a road that merely touches a zone's edge, or crosses a
corner of it for a few metres (the drawing's own precision), stays free."""

_HOLD_PIECE_COORDS = 24  # polygons cut into pieces of about this many coordinates
_HOLD_CACHE_SIZE = 2048


@dataclass(frozen=True, eq=False)
class ZoneHold:
    """The road segments a polygon holds: every directed edge (both directions of a two-way
    road) with more than :data:`ZONE_HOLD_TOLERANCE_M` metres, or more than half its length,
    inside the polygon; and how many metres lie inside.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments([(0.0, 0.0), (0.2, 0.0)], [(0, 1)])
    >>> hold = zone_hold(net, shapely.box(0.05, -0.01, 0.08, 0.01))  # 22 km road, 3.3 km inside
    >>> hold.edges.tolist(), [round(m) for m in hold.inside_m]
    ([0, 1], [3340, 3340])
    """

    edges: NDArray[np.int64]
    inside_m: NDArray[np.float64]


class _EdgeLines:
    """Every road segment of a network as a straight line (one per two-way road) in an STRtree,
    built once per network."""

    def __init__(self, network: RoadNetwork) -> None:
        # one line per segment id: both directions of a road share the geometry
        seg, first = np.unique(network.segment, return_index=True)
        self.first = first.astype(np.int64)
        self.seg_of_edge = np.searchsorted(seg, network.segment).astype(np.int64)
        src, dst = network.src[first], network.dst[first]
        coords = np.empty((len(first), 2, 2))
        coords[:, 0, 0], coords[:, 0, 1] = network.lon[src], network.lat[src]
        coords[:, 1, 0], coords[:, 1, 1] = network.lon[dst], network.lat[dst]
        self.lines = shapely.linestrings(coords) if len(first) else np.zeros(0, dtype=object)
        self.deg_len = shapely.length(self.lines) if len(first) else np.zeros(0)
        self.length_m = network.length_m[first]
        self.tree = shapely.STRtree(self.lines)
        self.holds: OrderedDict[tuple[int, ...], tuple[object, ZoneHold]] = OrderedDict()
        # the last detailed polygon bound, with its held lines and metres inside
        self.last: tuple[BaseGeometry, NDArray[np.int64], NDArray[np.float64]] | None = None


_EDGE_LINES: WeakKeyDictionary[RoadNetwork, _EdgeLines] = WeakKeyDictionary()


def _edge_lines(network: RoadNetwork) -> _EdgeLines:
    lines = _EDGE_LINES.get(network)
    if lines is None:
        lines = _EDGE_LINES[network] = _EdgeLines(network)
    return lines


def _pieces(geometry: BaseGeometry) -> NDArray[Any]:
    """``geometry`` cut by halving its bounding box (``clip_by_rect``) until each piece has at
    most about :data:`_HOLD_PIECE_COORDS` coordinates: an intersection with a small piece costs
    little, one with a front line of thousands of vertices a lot."""
    out: list[BaseGeometry] = []
    todo: list[tuple[BaseGeometry, int]] = [(geometry, 0)]
    while todo:
        g, depth = todo.pop()
        if g.is_empty:
            continue
        if shapely.get_num_coordinates(g) <= _HOLD_PIECE_COORDS or depth >= 24:
            out.append(g)
            continue
        x0, y0, x1, y1 = g.bounds
        if x1 - x0 >= y1 - y0:
            m = (x0 + x1) / 2
            boxes = [(x0, y0, m, y1), (m, y0, x1, y1)]
        else:
            m = (y0 + y1) / 2
            boxes = [(x0, y0, x1, m), (x0, m, x1, y1)]
        todo.extend((shapely.clip_by_rect(g, *b), depth + 1) for b in boxes)
    return np.array(out, dtype=object)


def _overlap(lines: NDArray[Any], geometry: BaseGeometry) -> NDArray[np.float64]:
    """The length of each of ``lines`` that ``geometry`` (cut into small pieces) covers."""
    pieces = _pieces(geometry)
    if len(pieces) == 0:
        return np.zeros(len(lines))
    li, pi = shapely.STRtree(pieces).query(lines, predicate="intersects")
    part = shapely.length(shapely.intersection(lines[li], pieces[pi]))
    return np.bincount(li, part, minlength=len(lines)).astype(np.float64)


def _hold(
    lines: _EdgeLines, polygon: BaseGeometry, among: NDArray[np.int64] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """(segment line index, metres inside) for every segment line ``polygon`` holds (of the
    lines ``among``, when given)."""
    empty = np.zeros(0, dtype=np.int64), np.zeros(0)
    if polygon.is_empty or len(lines.lines) == 0:
        return empty
    if among is None:
        touched = np.sort(lines.tree.query(polygon, predicate="intersects"))
        inside = lines.tree.query(polygon, predicate="contains")
    else:
        shapely.prepare(polygon)
        touched = np.sort(among[shapely.intersects(polygon, lines.lines[among])])
        inside = touched[shapely.contains(polygon, lines.lines[touched])]
    if len(touched) == 0:
        return empty
    crossing = np.setdiff1d(touched, inside)
    frac = np.zeros(len(touched))
    frac[np.isin(touched, inside)] = 1.0
    if len(crossing):
        deg = _overlap(lines.lines[crossing], polygon)
        # a stretch along the zone's edge is not inside it (a front drawn along a road)
        deg -= _overlap(lines.lines[crossing], polygon.boundary)
        total = lines.deg_len[crossing]
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(total > 0, deg / total, 0.0)
        frac[np.searchsorted(touched, crossing)] = np.clip(f, 0.0, 1.0)
    inside_m = frac * lines.length_m[touched]
    held = (inside_m > ZONE_HOLD_TOLERANCE_M) | (frac > 0.5)
    return touched[held].astype(np.int64), inside_m[held]


def _hold_from_last(
    lines: _EdgeLines, shape: BaseGeometry
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """:func:`_hold` of ``shape``, from the last polygon bound when the two differ little (the
    next day of a front): only the lines that meet their symmetric difference can hold
    differently, every other line keeps the last answer exactly."""
    last = lines.last
    lines.last = None
    if last is not None and _similar(last[0], shape):
        prev_shape, prev_idx, prev_m = last
        changed = shapely.symmetric_difference(prev_shape, shape)
        if changed.area < 0.25 * max(shape.area, 1e-300):
            affected = np.unique(lines.tree.query(changed, predicate="intersects")).astype(np.int64)
            keep = ~np.isin(prev_idx, affected)
            new_idx, new_m = _hold(lines, shape, affected)
            idx = np.concatenate([prev_idx[keep], new_idx])
            order = np.argsort(idx, kind="stable")
            result = idx[order], np.concatenate([prev_m[keep], new_m])[order]
            lines.last = (shape, *result)
            return result
    result = _hold(lines, shape)
    if shapely.get_num_coordinates(shape) >= _INCREMENTAL_COORDS:
        lines.last = (shape, *result)
    return result


_INCREMENTAL_COORDS = 500  # polygons this detailed are bound from the one before when alike


def _similar(a: BaseGeometry, b: BaseGeometry) -> bool:
    """Whether two polygons' bounding boxes overlap by nine tenths or more (a front and the
    next day's), worth binding one from the other."""
    ax0, ay0, ax1, ay1 = a.bounds
    bx0, by0, bx1, by1 = b.bounds
    ix = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    iy = max(0.0, min(ay1, by1) - max(ay0, by0))
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - ix * iy
    return union > 0 and ix * iy >= 0.9 * union


def zone_hold(
    network: RoadNetwork, polygon: BaseGeometry, *, carve: Sequence[BaseGeometry] = ()
) -> ZoneHold:
    """The road segments ``polygon`` holds by their geometry, not their midpoint: each edge is
    the straight line between its two nodes, and is held when more than
    :data:`ZONE_HOLD_TOLERANCE_M` metres of it (or more than half of it) lie inside. ``carve``:
    polygons taken out of it first (later zones that do not block where it blocks).

    One STRtree query per polygon over the network's lines, then intersection lengths on the
    lines that cross the polygon's edge only (against the polygon cut into small pieces).
    Remembered per network and polygon object (the same polygon binds once however many dates
    it holds over).
    """
    lines = _edge_lines(network)
    key = (id(polygon), *(id(c) for c in carve))
    cached = lines.holds.get(key)
    if cached is not None:
        lines.holds.move_to_end(key)
        return cached[1]
    shape = polygon
    if carve:
        shape = shapely.difference(polygon, shapely.union_all(list(carve)))
    seg_idx, inside_m = _hold_from_last(lines, shape)
    # back to directed edges: every edge of a held segment
    line_of = np.full(len(lines.lines), -1, dtype=np.int64)
    line_of[seg_idx] = np.arange(len(seg_idx))
    pos = line_of[lines.seg_of_edge]
    edges = np.flatnonzero(pos >= 0).astype(np.int64)
    hold = ZoneHold(edges=edges, inside_m=inside_m[pos[edges]])
    lines.holds[key] = ((polygon, *carve), hold)  # the objects kept alive: their ids stay theirs
    if len(lines.holds) > _HOLD_CACHE_SIZE:
        lines.holds.popitem(last=False)
    return hold
