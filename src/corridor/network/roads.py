"""The roads of a mover's network as a user names them: grouped by ref (by name where a way has no
ref), with their OSM ways, length, connected pieces, the gaps between pieces and the places at
their ends. What ``corridor network roads`` prints, and what a user reads before writing a road
target (``{ref: R, between: [A, B]}``, ``{name: TEXT}``) into a scenario.

Examples
--------
>>> from corridor.testing import network_from_segments
>>> net = network_from_segments(
...     [(0.0, 0.0), (0.001, 0.0), (0.002, 0.0), (0.003, 0.0)], [(0, 1), (1, 2), (2, 3)],
...     refs=["N1", "", "N1"], names=["", "Ring", ""])
>>> [(r.ref, r.name, r.ways, len(r.pieces)) for r in list_roads(net)]
[('N1', '', (1, 3), 2), ('', 'Ring', (2,), 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.model.areas import haversine_m, segment_distance_m
from corridor.model.network import RoadNetwork
from corridor.model.roads import piece_ends, piece_gaps, road_mask, road_pieces
from corridor.network.places import OsmPlace

PLACE_NEAR_M = 3000.0
"""A piece's end is said to be at a place when that place node lies within this many metres."""


@dataclass(frozen=True)
class RoadPiece:
    """One connected piece of a road: its ways and where it ends (``[lon, lat]``), with the
    nearest place to each end (within :data:`PLACE_NEAR_M`, else "")."""

    ways: tuple[int, ...]
    start: tuple[float, float]
    end: tuple[float, float]
    start_place: str = ""
    end_place: str = ""


@dataclass(frozen=True)
class RoadGap:
    """Where two pieces (0-based indices into :attr:`Road.pieces`) come nearest."""

    between: tuple[int, int]
    distance_m: float
    at: tuple[float, float]


@dataclass(frozen=True)
class Road:
    """The ways of one ref (or, without a ref, one name) in a mover's network."""

    ref: str
    name: str
    """The name it carries along most of its length ("" for none)."""
    road_class: str
    """The ``highway`` class along most of its length."""
    ways: tuple[int, ...]
    length_m: float
    """Length of its segments, each counted once (a two-way road is not counted twice)."""
    pieces: tuple[RoadPiece, ...]
    gaps: tuple[RoadGap, ...]
    distance_m: float | None = None
    """From the point asked about (``roads_near`` only)."""

    def to_json(self) -> dict[str, Any]:
        """The stable JSON of ``corridor network roads --json``."""
        out: dict[str, Any] = {
            "ref": self.ref,
            "name": self.name,
            "class": self.road_class,
            "ways": list(self.ways),
            "length_m": round(self.length_m, 1),
            "pieces": len(self.pieces),
            "pieces_detail": [
                {"ways": list(p.ways), "from": list(p.start), "to": list(p.end)}
                for p in self.pieces
            ],
            "gaps": [
                {"between": list(g.between), "distance_m": g.distance_m, "at": list(g.at)}
                for g in self.gaps
            ],
        }
        if self.distance_m is not None:
            out["distance_m"] = self.distance_m
        return out


def _by_length(
    codes: NDArray[np.integer[Any]], weights: NDArray[np.float64], table: Sequence[str]
) -> str:
    w = np.bincount(codes, weights=weights, minlength=len(table))
    named = [i for i in np.argsort(-w, kind="stable").tolist() if table[i] and w[i] > 0]
    return table[named[0]] if named else ""


def _nearest_place(places: Sequence[OsmPlace], lon: float, lat: float) -> str:
    if not places:
        return ""
    d = haversine_m(np.array([p.lon for p in places]), np.array([p.lat for p in places]), lon, lat)
    i = int(np.argmin(d))
    return places[i].name if d[i] <= PLACE_NEAR_M else ""


def describe_road(
    network: RoadNetwork,
    mask: NDArray[np.bool_],
    *,
    places: Sequence[OsmPlace] = (),
    ref: str = "",
    name: str | None = None,
) -> Road:
    """The :class:`Road` made of the edges in ``mask``."""
    pieces = road_pieces(network, mask)
    e = pieces.edges
    one_way = network.segment[e]
    _, first = np.unique(one_way, return_index=True)
    seg_len = network.length_m[e[first]]
    out = []
    for i in range(pieces.n_pieces):
        u, v = piece_ends(network, pieces, i)
        ways = tuple(sorted(set(network.way_id[e[pieces.piece_of_edge == i]].tolist())))
        a = (round(float(network.lon[u]), 7), round(float(network.lat[u]), 7))
        b = (round(float(network.lon[v]), 7), round(float(network.lat[v]), 7))
        out.append(RoadPiece(ways, a, b, _nearest_place(places, *a), _nearest_place(places, *b)))
    gaps = tuple(
        RoadGap(
            (g.a, g.b),
            g.distance_m,
            (
                round(float(network.lon[g.node_a] + network.lon[g.node_b]) / 2, 7),
                round(float(network.lat[g.node_a] + network.lat[g.node_b]) / 2, 7),
            ),
        )
        for g in piece_gaps(network, pieces)
    )
    return Road(
        ref=ref,
        name=name
        if name is not None
        else _by_length(network.name_code[e[first]], seg_len, network.names),
        road_class=_by_length(network.highway_code[e[first]], seg_len, network.highways),
        ways=tuple(sorted(set(network.way_id[e].tolist()))),
        length_m=float(seg_len.sum()),
        pieces=tuple(out),
        gaps=gaps,
    )


def list_roads(
    network: RoadNetwork,
    *,
    ref: str | None = None,
    name: str | None = None,
    places: Sequence[OsmPlace] = (),
) -> list[Road]:
    """Every road of ``network`` with a ref or a name, by ref first (ways with a ref group by it,
    whatever their names), then by name; ``ref`` or ``name`` keeps only that road (a ref given
    matches one of a ``;``-list, a name matches whole, case aside, whatever the ways' refs).

    Roads come longest first within refs, then names.
    """
    if ref is not None:
        mask = road_mask(network, ref=ref)
        return [describe_road(network, mask, places=places, ref=ref.strip())] if mask.any() else []
    if name is not None:
        mask = road_mask(network, name=name)
        if not mask.any():
            return []
        refs = np.unique(network.ref_code[mask])
        label = ";".join(network.refs[i] for i in refs.tolist() if network.refs[i])
        matched = network.names[int(network.name_code[np.flatnonzero(mask)[0]])]
        return [describe_road(network, mask, places=places, ref=label, name=matched)]
    roads: list[Road] = []
    has_ref = np.array([bool(r) for r in network.refs], dtype=bool)[network.ref_code]
    for code in np.unique(network.ref_code[has_ref]).tolist():
        mask = network.ref_code == code
        roads.append(describe_road(network, mask, places=places, ref=network.refs[code]))
    no_ref = ~has_ref
    named = np.array([bool(n) for n in network.names], dtype=bool)[network.name_code] & no_ref
    by_name = []
    for code in np.unique(network.name_code[named]).tolist():
        mask = (network.name_code == code) & no_ref
        by_name.append(describe_road(network, mask, places=places, name=network.names[code]))
    roads.sort(key=lambda r: (-r.length_m, r.ref))
    by_name.sort(key=lambda r: (-r.length_m, r.name))
    return roads + by_name


def roads_near(
    network: RoadNetwork,
    lon: float,
    lat: float,
    *,
    radius_m: float = 300.0,
    places: Sequence[OsmPlace] = (),
) -> list[Road]:
    """The roads with a segment within ``radius_m`` of ``(lon, lat)``, nearest first, each with
    its distance: a road with a ref or name whole (as :func:`list_roads` groups it), an unnamed
    way on its own."""
    d = segment_distance_m(network, lon, lat)
    near = np.flatnonzero(d <= radius_m)
    best: dict[tuple[str, int], float] = {}
    for e in near[np.argsort(d[near], kind="stable")].tolist():
        r, n = int(network.ref_code[e]), int(network.name_code[e])
        key = ("ref", r) if network.refs[r] else ("name", n) if network.names[n] else ("way", e)
        if key[0] == "way":
            key = ("way", int(network.way_id[e]))
        best.setdefault(key, float(d[e]))
    out = []
    for (kind, code), dist in best.items():
        if kind == "ref":
            mask = network.ref_code == code
            road = describe_road(network, mask, places=places, ref=network.refs[code])
        elif kind == "name":
            mask = (network.name_code == code) & np.array(
                [not r for r in network.refs], dtype=bool
            )[network.ref_code]
            road = describe_road(network, mask, places=places, name=network.names[code])
        else:
            road = describe_road(network, network.way_id == code, places=places)
        out.append(
            Road(
                road.ref,
                road.name,
                road.road_class,
                road.ways,
                road.length_m,
                road.pieces,
                road.gaps,
                round(dist, 1),
            )
        )
    return out


def roads_geojson(network: RoadNetwork, roads: Sequence[Road]) -> dict[str, Any]:
    """The roads as a GeoJSON FeatureCollection: one MultiLineString per piece (properties
    ``ref``, ``name``, ``class``, ``piece`` (its index in ``pieces_detail``), ``ways``) and one
    Point per gap (``gap``: the two pieces' indices, ``distance_m``)."""
    features: list[dict[str, Any]] = []
    for road in roads:
        for i, piece in enumerate(road.pieces):
            e = np.flatnonzero(np.isin(network.way_id, np.asarray(piece.ways, dtype=np.int64)))
            e = e[np.unique(network.segment[e], return_index=True)[1]]
            lines = [
                [
                    [float(network.lon[u]), float(network.lat[u])],
                    [float(network.lon[v]), float(network.lat[v])],
                ]
                for u, v in zip(network.src[e].tolist(), network.dst[e].tolist(), strict=True)
            ]
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "MultiLineString", "coordinates": lines},
                    "properties": {
                        "ref": road.ref,
                        "name": road.name,
                        "class": road.road_class,
                        "piece": i,
                        "ways": list(piece.ways),
                    },
                }
            )
        for g in road.gaps:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": list(g.at)},
                    "properties": {
                        "ref": road.ref,
                        "name": road.name,
                        "gap": list(g.between),
                        "distance_m": g.distance_m,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


EXIT_CLASSES: tuple[str, ...] = ("motorway", "trunk", "primary", "secondary")
"""The road classes whose dead ends at the extract's edge are offered as exits."""

EDGE_M = 150.0
"""A dead end counts as at the extract's edge when it lies within this many metres of the
outline of the network's nodes (their convex hull)."""

END_GROUP_M = 1000.0
"""Dead ends of one road within this many metres of each other are one place (the two
carriageways of a dual road, the lanes at a border post)."""

_COMPASS = (
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)


@dataclass(frozen=True)
class RoadExit:
    """Where a main road leaves the extract: dead ends of one road at the edge of the data.

    An extract cut along a border (a country's) ends its roads there, so these are the border
    crossings of roads that an extract without ``barrier=border_control`` nodes still shows; an
    extract cut by a box ends them wherever the box does. The user decides which are exits."""

    label: str
    """``CG-1 (south edge)``: the road's ref (else name, else way id) and the side of the
    extract it leaves from."""
    road: str
    road_class: str
    lon: float
    lat: float
    radius_m: float
    """Covers every dead end of the group, with 50 m to spare (at least 100 m)."""
    ways: tuple[int, ...]


def road_exits(network: RoadNetwork) -> list[RoadExit]:
    """The places where main roads (:data:`EXIT_CLASSES`) leave the extract: their dead ends
    (nodes that one segment reaches) within :data:`EDGE_M` of the outline of the network,
    grouped by road within :data:`END_GROUP_M`; by road, then clockwise from north."""
    import shapely

    if network.n_edges == 0:
        return []
    seg_first = np.unique(network.segment, return_index=True)[1]
    ends = np.r_[network.src[seg_first], network.dst[seg_first]]
    pair_edge = np.r_[seg_first, seg_first]
    # distinct neighbours: a node reached by one segment only
    n_seg = np.bincount(ends, minlength=network.n_nodes)
    dead = np.flatnonzero(n_seg == 1)
    if len(dead) == 0:
        return []
    edge_of = np.full(network.n_nodes, -1, dtype=np.int64)
    edge_of[ends] = pair_edge
    classes = np.array([h in EXIT_CLASSES for h in network.highways], dtype=bool)
    dead = dead[classes[network.highway_code[edge_of[dead]]]]
    if len(dead) == 0:
        return []
    hull = shapely.convex_hull(shapely.multipoints(np.c_[network.lon, network.lat]))
    outline = hull.boundary if hull.geom_type == "Polygon" else hull
    lat0 = float(np.mean(network.lat))
    deg_m = 111_320.0 * min(1.0, float(np.cos(np.radians(lat0))))
    d = shapely.distance(outline, shapely.points(network.lon[dead], network.lat[dead])) * deg_m
    dead = dead[d <= EDGE_M]
    w, s, e, n = network.bounds
    cx, cy = (w + e) / 2, (s + n) / 2
    groups: dict[str, list[list[int]]] = {}
    for v in dead.tolist():
        k = int(edge_of[v])
        road = network.edge_ref(k) or network.edge_name(k) or f"way {int(network.way_id[k])}"
        for g in groups.setdefault(road, []):
            if (
                haversine_m(network.lon[g], network.lat[g], network.lon[v], network.lat[v]).min()
                <= END_GROUP_M
            ):
                g.append(v)
                break
        else:
            groups[road].append([v])
    out = []
    for road, gs in sorted(groups.items()):
        found = []
        for g in gs:
            lon, lat = float(np.mean(network.lon[g])), float(np.mean(network.lat[g]))
            bearing = float(np.degrees(np.arctan2((lon - cx) * deg_m, (lat - cy) * 110_574.0)))
            side = _COMPASS[int(((bearing % 360) + 22.5) // 45) % 8]
            reach = float(haversine_m(network.lon[g], network.lat[g], lon, lat).max())
            k = edge_of[np.asarray(g)]
            found.append(
                (
                    bearing % 360,
                    RoadExit(
                        label=f"{road} ({side} edge)",
                        road=road,
                        road_class=network.highways[int(network.highway_code[k[0]])],
                        lon=round(lon, 7),
                        lat=round(lat, 7),
                        radius_m=float(max(100.0, np.ceil(reach + 50.0))),
                        ways=tuple(sorted(set(network.way_id[k].tolist()))),
                    ),
                )
            )
        out += [x for _, x in sorted(found, key=lambda t: t[0])]
    return out
