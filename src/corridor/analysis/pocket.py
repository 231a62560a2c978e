"""The pocket: the area the origin still reaches, the places in it and the exits in it.

On 25 November 2016 Mosul reached Tal Afar and nothing beyond: Mosul and Tal Afar were one
pocket, cut off from Syria. The pocket at a date is read off the open roads the origin reaches:

- **Outline**: on a grid of square cells in an azimuthal equidistant projection centred on the
  network (pyproj), the cells that an open road segment the origin reaches (both its ends
  reached) passes through, and the eight cells around each (so the outline runs one to two
  cells beside the outermost roads), with the holes filled (the inside of a ring road counts);
  given back in lon/lat, smoothed to half a cell. ``area_km2`` is the area of those cells in
  that projection. Cells are :data:`CELL_M` (500 m) wide, or wider on a large network, so that
  its bounding box spans at most :data:`MAX_CELLS` cells each way (the report gives ``cell_m``):
  a grid, not a buffer of the lines, keeps it fast on a country's roads.
- **Places inside**: a scenario place is in the pocket when the origin reaches a road node in
  its area (its circle or polygon); a place whose area holds no road node counts when the origin
  reaches its nearest road node. The population is the place's at the date (population events
  applied), as the timeline's state holds it.
- **Exits inside**: the exits the origin reaches (a road node of the exit reached), with their
  kind (refuge or waypoint).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from weakref import WeakKeyDictionary

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from corridor.model.areas import Area, haversine_m, nodes_in
from corridor.model.network import RoadNetwork
from corridor.model.scenario import ExitKind, Place

CELL_M = 500.0
"""The side (m) of the grid cells the pocket's outline is drawn on (at the least)."""
MAX_CELLS = 200
"""The most cells the grid spans across the network's bounding box, each way."""
MAX_RASTER = 25_000_000
"""The most cells a pocket's raster may have (:func:`pocket_outline`; :func:`grid_cell_m` keeps
it near ``MAX_CELLS`` squared)."""


def grid_cell_m(network: RoadNetwork) -> float:
    """The pocket grid's cell side for ``network``: :data:`CELL_M`, or wider so that the
    bounding box spans at most :data:`MAX_CELLS` cells each way (rounded up to 100 m)."""
    w, s, e, n = network.bounds
    mid_lon, mid_lat = (w + e) / 2, (s + n) / 2
    width = float(haversine_m(np.array([w]), np.array([mid_lat]), e, mid_lat)[0])
    height = float(haversine_m(np.array([mid_lon]), np.array([s]), mid_lon, n)[0])
    return max(CELL_M, float(np.ceil(max(width, height) / MAX_CELLS / 100.0) * 100.0))


@dataclass(frozen=True)
class PocketPlace:
    """A scenario place inside the pocket, with its population at the date (None: unknown)."""

    id: str
    name: str
    population: int | None


@dataclass(frozen=True)
class PocketExit:
    """An exit inside the pocket (one the origin reaches) and its kind."""

    name: str
    kind: ExitKind


@dataclass(frozen=True, eq=False)
class Pocket:
    """The area the origin still reaches: its outline (a lon/lat polygon, the one geometry a
    result holds, since it is the answer), area, the places and exits inside it, and the road
    nodes and segments it is drawn from."""

    area_km2: float
    outline: BaseGeometry
    places: tuple[PocketPlace, ...]
    exits: tuple[PocketExit, ...]
    nodes: int
    segments: int
    cell_m: float

    @property
    def population(self) -> int:
        """The known population of the places inside (places without a figure count 0)."""
        return sum(p.population or 0 for p in self.places)


def with_populations(pocket: Pocket | None, populations: Mapping[str, int | None]) -> Pocket | None:
    """The pocket with its places' populations as ``populations`` gives them (by place id)."""
    if pocket is None:
        return None
    places = tuple(
        replace(p, population=populations.get(p.id, p.population)) for p in pocket.places
    )
    return replace(pocket, places=places)


def reached_segments(
    network: RoadNetwork, open_mask: NDArray[np.bool_], reached: NDArray[np.int64]
) -> NDArray[np.int64]:
    """One directed edge per open road segment whose ends the origin reaches."""
    mask = np.zeros(network.n_nodes, dtype=bool)
    mask[reached] = True
    edges = np.flatnonzero(open_mask & mask[network.src] & mask[network.dst]).astype(np.int64)
    if len(edges) == 0:
        return edges
    # the first (lowest) edge of each segment: a scatter-min, not a sort
    segment = network.segment[edges]
    first = np.full(int(segment.max()) + 1, len(network.src), dtype=np.int64)
    np.minimum.at(first, segment, edges)
    return np.sort(first[first < len(network.src)])


def places_reached(
    network: RoadNetwork, places: Sequence[Place], reached: NDArray[np.int64]
) -> list[Place]:
    """The places in the pocket (see the module): a reached road node in the place's area, or,
    for a place whose area holds no road node, its nearest road node reached."""
    mask = np.zeros(network.n_nodes, dtype=bool)
    mask[reached] = True
    out = []
    for p in places:  # a few dozen places, each read from what is kept per network
        inside, nearest = _place_nodes(network, p.area)
        hit = bool(mask[inside].any()) if len(inside) else nearest >= 0 and bool(mask[nearest])
        if hit:
            out.append(p)
    return out


_NEAREST: WeakKeyDictionary[RoadNetwork, dict[Area, int]] = WeakKeyDictionary()


def _place_nodes(network: RoadNetwork, area: Area) -> tuple[NDArray[np.int64], int]:
    """The road nodes inside ``area`` and, when there are none, its nearest road node (-1: an
    empty network); kept per network, as every date and what-if asks again."""
    inside = nodes_in(network, area)
    if len(inside) or not network.n_nodes:
        return inside, -1
    known = _NEAREST.setdefault(network, {})
    nearest = known.get(area)
    if nearest is None:
        lon, lat = area.representative
        nearest = known[area] = int(np.argmin(haversine_m(network.lon, network.lat, lon, lat)))
    return inside, nearest


@cache
def _projections(bounds: tuple[float, float, float, float]) -> tuple[Transformer, Transformer]:
    """lon/lat to an azimuthal equidistant projection centred on ``bounds`` (metres), and back."""
    w, s, e, n = bounds
    aeqd = CRS.from_proj4(
        f"+proj=aeqd +lat_0={(s + n) / 2:.6f} +lon_0={(w + e) / 2:.6f} +datum=WGS84 +units=m"
    )
    return (
        Transformer.from_crs("EPSG:4326", aeqd, always_xy=True),
        Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True),
    )


_PROJECTED: WeakKeyDictionary[RoadNetwork, tuple[NDArray[np.float64], NDArray[np.float64]]] = (
    WeakKeyDictionary()
)


def _projected(network: RoadNetwork) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Every node in the pocket's projection (metres), computed once per network: a pocket
    drawn for each date or what-if only indexes it (the values are pyproj's, node by node, as a
    transform of just the reached nodes gives)."""
    found = _PROJECTED.get(network)
    if found is None:
        to_m, _ = _projections(network.bounds)
        x, y = to_m.transform(network.lon, network.lat)
        found = (np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        _PROJECTED[network] = found
    return found


def pocket_outline(
    network: RoadNetwork, edges: NDArray[np.int64], *, cell_m: float = CELL_M
) -> tuple[BaseGeometry, float]:
    """The outline (lon/lat) and area (km²) of the pocket drawn from ``edges`` (see the module):
    the ``cell_m`` grid cells a segment crosses (sampled every quarter cell along it) and their
    eight neighbours, holes filled, in an azimuthal equidistant projection centred on the
    network's bounds. Vectorised: one grid, its cells merged into column strips, one union."""
    if len(edges) == 0:
        return shapely.Polygon(), 0.0
    _, to_deg = _projections(network.bounds)
    px, py = _projected(network)
    src, dst = network.src[edges], network.dst[edges]
    x0, x1, y0, y1 = px[src], px[dst], py[src], py[dst]
    # samples every quarter cell along each segment, both ends included: the k samples of a
    # segment at t = j / (k - 1); its two ends for all, the points between for the longer ones
    dx, dy = x1 - x0, y1 - y0
    k = np.ceil(np.hypot(dx, dy) / (cell_m / 4)).astype(np.int64) + 1
    longer = np.flatnonzero(k > 2)
    between = k[longer] - 2
    seg = np.repeat(longer, between)
    j = np.arange(1, len(seg) + 1) - np.repeat(np.cumsum(between) - between, between)
    t = j / (k[seg] - 1)
    xs = np.concatenate([x0, x0 + dx, x0[seg] + t * dx[seg]])
    ys = np.concatenate([y0, y0 + dy, y0[seg] + t * dy[seg]])
    ix = np.floor(xs / cell_m).astype(np.int64)
    iy = np.floor(ys / cell_m).astype(np.int64)
    # the cells on a raster one cell wider each way, then each cell's eight neighbours
    lo_x, lo_y = int(ix.min()) - 1, int(iy.min()) - 1
    shape = (int(ix.max()) - lo_x + 2, int(iy.max()) - lo_y + 2)
    if shape[0] * shape[1] > MAX_RASTER:
        msg = f"a pocket grid of {shape[0]} x {shape[1]} cells of {cell_m:g} m: use wider cells"
        raise ValueError(msg)
    grid = np.zeros(shape, dtype=bool)
    grid[ix - lo_x, iy - lo_y] = True
    wide = grid.copy()
    wide[1:] |= grid[:-1]
    wide[:-1] |= grid[1:]
    near = wide.copy()
    near[:, 1:] |= wide[:, :-1]
    near[:, :-1] |= wide[:, 1:]
    # each column's runs of cells, one rectangle each, then one union (far fewer shapes than
    # cells); rows of the raster are columns of the grid, read in order
    edge = np.diff(near.astype(np.int8), axis=1, prepend=0, append=0)
    run_x, run_y0 = np.nonzero(edge == 1)
    _, run_y1 = np.nonzero(edge == -1)
    ix_run = (run_x + lo_x).astype(np.float64)
    iy0 = (run_y0 + lo_y).astype(np.float64)
    iy1 = (run_y1 - 1 + lo_y).astype(np.float64)
    boxes = shapely.box(ix_run * cell_m, iy0 * cell_m, (ix_run + 1) * cell_m, (iy1 + 1) * cell_m)
    body = shapely.union_all(boxes)
    parts = shapely.get_parts(body)
    filled = shapely.union_all(shapely.polygons(shapely.get_exterior_ring(parts)))
    area_km2 = float(shapely.area(filled)) / 1e6
    # the staircase of cell edges, smoothed to half a cell (the area is the cells')
    filled = shapely.simplify(filled, cell_m / 2, preserve_topology=True)
    outline = shapely.transform(filled, lambda xy: np.column_stack(to_deg.transform(*xy.T)))
    return outline, area_km2


def pocket_of(
    network: RoadNetwork,
    open_mask: NDArray[np.bool_],
    reached: NDArray[np.int64],
    *,
    places: Sequence[Place] = (),
    exits: Sequence[tuple[str, ExitKind, NDArray[np.int64]]] = (),
    cell_m: float | None = None,
) -> Pocket:
    """The pocket of an origin that reaches ``reached`` over the ``open_mask`` roads.

    Parameters
    ----------
    network
        The network the ids index.
    open_mask
        Which edges are open.
    reached
        The road nodes the origin reaches (a report's ``reach.reached_nodes``).
    places
        The scenario's places, each with its population at the date.
    exits
        Per exit: its name, kind and road nodes.
    cell_m
        The side of the grid cells the outline is drawn on (m); by default
        :func:`grid_cell_m`.

    Examples
    --------
    >>> from corridor.analysis.report import analyze
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> r = analyze(s)
    >>> p = pocket_of(s.network, s.open, r.reach.reached_nodes, exits=[("East", "refuge", s.exits[0])])
    >>> [x.name for x in p.exits], p.area_km2 > 0
    (['East'], True)
    """
    edges = reached_segments(network, open_mask, reached)
    cell_m = grid_cell_m(network) if cell_m is None else cell_m
    outline, area_km2 = pocket_outline(network, edges, cell_m=cell_m)
    mask = np.zeros(network.n_nodes, dtype=bool)
    mask[reached] = True
    inside = places_reached(network, places, reached)
    return Pocket(
        area_km2=round(area_km2, 3),
        outline=outline,
        places=tuple(PocketPlace(p.id, p.name, p.population) for p in inside),
        exits=tuple(
            PocketExit(name, kind) for name, kind, nodes in exits if bool(mask[nodes].any())
        ),
        nodes=len(reached),
        segments=len(edges),
        cell_m=cell_m,
    )
