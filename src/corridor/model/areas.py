"""Areas (origin, exits, closures, zones) and how they select nodes and edges of a network.

Areas are a point with a radius or a polygon (shapely). Selections are vectorised: distances in
numpy, polygon tests with shapely 2's vectorised predicates (``contains_xy``, ``intersects``) and
an STRtree for many polygons; never a Python loop over nodes or edges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
        """A polygon of the area (a point's circle is approximated by a 64-gon)."""
        if self.polygon is not None:
            return self.polygon
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
