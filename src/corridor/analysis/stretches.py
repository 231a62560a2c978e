"""Named road stretches: critical and cut segments as a reader names them.

A report's critical segments and minimum cut are road segments (OSM pieces); a reader needs
"CG-2 from Encamp to Soldeu, 30.2 km". A *named stretch* is a run of consecutive segments of one
road, named by the road and by the places or junctions at either end. The one rule, used for
critical stretches and cut stretches alike:

- **One road**: segments belong to one road when they share a ``ref`` (a road number), or, for
  roads without a ref, a name; unnamed roads of one class (say, unnamed tracks) count as one
  road. The stretch is named by its name and ref ("name (ref)") when one name runs its whole
  length, else by the words its names all begin with and its ref, else by its ref.
- **Consecutive**: two segments of one road are consecutive when they share an end node where
  no third segment of that road (among those merged) meets. A stretch is therefore a simple
  path (or a loop) of segments.
- **Ends**: each end node is named by a scenario place (the origin and exits count) whose area
  holds it (of several, the one whose representative point is nearest); else by a named road
  crossing there ("junction with CG-3", roads with a ref first); else by the nearest place whose
  area lies within ``near_m`` metres ("near Badush"); else by the nearest place within
  :data:`FAR_M` and the direction from it ("2.1 km NE of Soldeu"); else by its coordinates.

Critical stretches merge the critical segments. A cut stretch is the critical stretch holding a
cut segment; a cut segment on no critical stretch is extended along its road through the nodes
where only that road runs (no junction), since closing the segment closes that stretch for every
route, and then named the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from corridor.model.areas import Area, haversine_m
from corridor.model.network import RoadNetwork

NEAR_M = 2000.0
"""How far (m) outside a place's area a stretch end may lie and still be named after it."""
FAR_M = 30_000.0
"""How far (m) from a place's point an end with no place or junction is placed from it."""


@dataclass(frozen=True)
class NamedPlace:
    """A place a stretch end can be named after: its name and area."""

    name: str
    area: Area


@dataclass(frozen=True, eq=False)
class Stretch:
    """Consecutive segments of one road, named by the road and by the places at either end.

    ``edges`` holds one directed edge per segment, in order from ``from_name`` to ``to_name``;
    ``from_node`` and ``to_node`` are the OSM ids of the end nodes; ``lon``, ``lat`` the
    midpoint of the segment halfway along the stretch.
    """

    road: str
    ref: str
    osm_ways: tuple[int, ...]
    edges: NDArray[np.int64]
    from_name: str
    to_name: str
    from_node: int
    to_node: int
    length_m: float
    lon: float
    lat: float

    @property
    def segments(self) -> int:
        return len(self.edges)

    @property
    def label(self) -> str:
        """ "CG-2 from Encamp to Soldeu" ("R1 in Mosul" when both ends are one place)."""
        if self.from_name == self.to_name:
            return f"{self.road} {_at(self.from_name)}"
        return f"{self.road} from {self.from_name} to {self.to_name}"


def _at(end: str) -> str:
    """An end's name after a road: "in Encamp", "near Badush", "at the junction with CG-3"."""
    if end.startswith(("near ", "junction ")) or " of " in end:
        return ("at the " + end) if end.startswith("junction ") else end
    if end[:1].isdigit() or end[:1] == "-":
        return f"at {end}"
    return f"in {end}"


def road_key(network: RoadNetwork, e: int) -> tuple[str, str]:
    """What makes segments one road: its ref, else its name, else its class (see the module)."""
    ref = network.edge_ref(e)
    if ref:
        return ("ref", ref)
    name = network.edge_name(e)
    if name:
        return ("name", name)
    return ("class", network.edge_highway(e))


class StretchNamer:
    """Names stretch ends: by place, else by a crossing road, else by coordinates (the rule of
    the module); one per network and set of places, shared by every stretch it names."""

    def __init__(
        self, network: RoadNetwork, places: Sequence[NamedPlace] = (), near_m: float = NEAR_M
    ) -> None:
        self.net = network
        self.near_m = near_m
        first: dict[str, NamedPlace] = {}
        for p in places:  # a name given twice: its first place
            first.setdefault(p.name, p)
        self.places = list(first.values())
        rep = np.array([p.area.representative for p in self.places], dtype=np.float64)
        self.rep = rep.reshape(-1, 2)
        self.incidence = _Incidence(network)

    def _place(self, lon: float, lat: float, *, within_m: float) -> str | None:
        """The place whose area holds the point (``within_m`` 0), or lies within ``within_m``
        of it: of several, the one nearest by area, then by representative point."""
        if not self.places:
            return None
        to_rep = haversine_m(self.rep[:, 0], self.rep[:, 1], lon, lat)
        outside = np.empty(len(self.places))
        for i, p in enumerate(self.places):  # a few dozen places: a loop is fine
            a = p.area
            if a.point is not None:
                outside[i] = max(0.0, float(to_rep[i]) - float(a.radius_m or 0.0))
            else:
                outside[i] = _polygon_distance_m(a, lon, lat)
        near = np.flatnonzero(outside <= within_m)
        if len(near) == 0:
            return None
        best = int(near[np.lexsort((to_rep[near], outside[near]))[0]])
        name = self.places[best].name
        return name if outside[best] == 0 else f"near {name}"

    def _crossing(self, node: int, key: tuple[str, str]) -> str | None:
        net = self.net
        names: set[tuple[bool, str]] = set()
        for e in self.incidence.segments_at(node):
            if road_key(net, e) == key or not (net.edge_ref(e) or net.edge_name(e)):
                continue
            names.add((not net.edge_ref(e), net.road_label(e)))
        if not names:
            return None
        return f"junction with {min(names)[1]}"

    def name(self, node: int, key: tuple[str, str]) -> str:
        lon, lat = float(self.net.lon[node]), float(self.net.lat[node])
        return (
            self._place(lon, lat, within_m=0.0)
            or self._crossing(node, key)
            or self._place(lon, lat, within_m=self.near_m)
            or self._bearing(lon, lat)
            or f"{lon:.5f}, {lat:.5f}"
        )

    def _bearing(self, lon: float, lat: float) -> str | None:
        """ "2.1 km NE of Soldeu": the nearest place within ``FAR_M``."""
        if not self.places:
            return None
        d = haversine_m(self.rep[:, 0], self.rep[:, 1], lon, lat)
        i = int(np.argmin(d))
        if d[i] > FAR_M:
            return None
        lon0, lat0 = self.rep[i]
        angle = np.degrees(np.arctan2((lon - lon0) * np.cos(np.radians(lat0)), lat - lat0))
        compass = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")[int(((angle + 22.5) % 360) // 45)]
        return f"{d[i] / 1000:.1f} km {compass} of {self.places[i].name}"


def _polygon_distance_m(area: Area, lon: float, lat: float) -> float:
    """Metres from (lon, lat) to a polygon area (0 inside), in a local equirectangular frame."""
    assert area.polygon is not None
    if shapely.intersects_xy(area.polygon, lon, lat):
        return 0.0
    k = np.pi / 180 * 6_371_008.8
    cos = np.cos(np.radians(lat))
    local = shapely.transform(
        area.polygon, lambda xy: np.column_stack([(xy[:, 0] - lon) * k * cos, (xy[:, 1] - lat) * k])
    )
    return float(shapely.distance(local, shapely.Point(0.0, 0.0)))


def _one_per_segment(net: RoadNetwork, edges: NDArray[np.int64]) -> NDArray[np.int64]:
    if len(edges) == 0:
        return np.zeros(0, dtype=np.int64)
    edges = np.asarray(edges, dtype=np.int64)
    _, first = np.unique(net.segment[edges], return_index=True)
    return np.sort(edges[first])


def end_to_end(ends: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    """Split undirected segments (given by end nodes) into maximal simple paths whose inner
    nodes join exactly two of them: per path, the segment positions and the nodes, in order."""
    at: dict[int, list[int]] = {}
    for j, (a, b) in enumerate(ends):
        at.setdefault(a, []).append(j)
        if b != a:
            at.setdefault(b, []).append(j)
    used = [False] * len(ends)
    out: list[tuple[list[int], list[int]]] = []
    # start at path ends (a node not joining exactly two), then what is left (loops)
    starts = sorted(n for n, js in at.items() if len(js) != 2)
    for start in [*starts, *sorted(at)]:
        for j0 in at[start]:
            if used[j0]:
                continue
            segs, nodes, node, j = [], [start], start, j0
            while True:
                used[j] = True
                segs.append(j)
                a, b = ends[j]
                node = b if a == node else a
                nodes.append(node)
                nxt = [k for k in at[node] if not used[k]] if len(at[node]) == 2 else []
                if not nxt:
                    break
                j = nxt[0]
            out.append((segs, nodes))
    return out


def _common_road(names: list[str], ref: str) -> str:
    """The road of a stretch whose pieces bear several names: the words they all begin with
    ("Mosul–Tal Afar highway" of "... (Syria Gate – Badush)" and "... (Badush – Tal Afar)"),
    with the ref; else the ref."""
    words = [n.split() for n in names]
    common: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    while common and not any(c.isalnum() for c in common[-1]):
        common.pop()
    prefix = " ".join(common).rstrip(" (–-,")
    if not prefix:
        return ref
    return f"{prefix} ({ref})" if ref else prefix


def _stretch(
    net: RoadNetwork,
    segs: NDArray[np.int64],
    nodes: list[int],
    key: tuple[str, str],
    namer: StretchNamer,
) -> Stretch:
    # orient along the given directed edges (critical and cut edges point away from the origin)
    forward = sum(int(net.src[e]) == nodes[i] for i, e in enumerate(segs.tolist()))
    if forward * 2 < len(segs):
        segs, nodes = segs[::-1].copy(), nodes[::-1]
    lengths = net.length_m[segs]
    cum = np.cumsum(lengths)
    mid = int(np.searchsorted(cum, cum[-1] / 2.0)) if len(cum) else 0
    e_mid = int(segs[min(mid, len(segs) - 1)])
    names = list(dict.fromkeys(net.edge_name(int(e)) for e in segs))
    e0 = int(segs[0])
    ref = net.edge_ref(e0) if key[0] == "ref" else ""
    if len({road_key(net, int(e)) for e in segs}) > 1:  # a run over several roads (ranking)
        road = " / ".join(dict.fromkeys(net.road_label(int(e)) for e in segs))
    elif len(names) == 1:
        road = net.road_label(e0)
    else:
        road = _common_road(names, ref)
    return Stretch(
        road=road,
        ref=ref,
        osm_ways=tuple(dict.fromkeys(int(w) for w in net.way_id[segs])),
        edges=segs.astype(np.int64),
        from_name=namer.name(nodes[0], key),
        to_name=namer.name(nodes[-1], key),
        from_node=int(net.node_osm_id[nodes[0]]),
        to_node=int(net.node_osm_id[nodes[-1]]),
        length_m=round(float(lengths.sum()), 1),
        lon=round(float(net.edge_mid_lon[e_mid]), 6),
        lat=round(float(net.edge_mid_lat[e_mid]), 6),
    )


def _merge(net: RoadNetwork, edges: NDArray[np.int64], namer: StretchNamer) -> list[Stretch]:
    edges = _one_per_segment(net, edges)
    groups: dict[tuple[str, str], list[int]] = {}
    for e in edges.tolist():
        groups.setdefault(road_key(net, e), []).append(e)
    out: list[Stretch] = []
    for key, es in groups.items():
        ends = [(int(net.src[e]), int(net.dst[e])) for e in es]
        for segs, nodes in end_to_end(ends):
            out.append(_stretch(net, np.array([es[j] for j in segs], np.int64), nodes, key, namer))
    out.sort(key=lambda s: (-s.length_m, s.road, int(s.edges[0])))
    return out


def named_places(places: Iterable[Any]) -> list[NamedPlace]:
    """Places to name stretch ends after: areas, or anything with ``name`` and ``area`` (scenario
    places, a report's origin and exits); those without an area are skipped."""
    out = []
    for p in places:
        area = p if isinstance(p, Area) else getattr(p, "area", None)
        if area is not None:
            out.append(NamedPlace(p.name, area))
    return out


def critical_stretches(
    network: RoadNetwork,
    critical: NDArray[np.int64],
    *,
    places: Sequence[NamedPlace] = (),
    near_m: float = NEAR_M,
) -> tuple[Stretch, ...]:
    """The critical segments merged into named stretches, longest first.

    Parameters
    ----------
    network
        The network the segments index.
    critical
        The critical edges (one directed edge per segment, as a report holds them).
    places
        Places to name stretch ends after (scenario places, the origin and the exits).
    near_m
        How far outside a place's area an end may lie and still be named after it.

    Examples
    --------
    >>> from corridor.analysis.report import analyze
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> [x.segments for x in critical_stretches(s.network, analyze(s).critical)]
    [1]
    """
    return tuple(_merge(network, critical, StretchNamer(network, places, near_m)))


def cut_stretches(
    network: RoadNetwork,
    cut: NDArray[np.int64],
    critical: Sequence[Stretch] = (),
    *,
    places: Sequence[NamedPlace] = (),
    near_m: float = NEAR_M,
) -> tuple[Stretch, ...]:
    """The minimum cut as named stretches, one per cut segment (in the cut's order; two cut
    segments on one stretch give it once): the critical stretch holding the segment, else the
    segment extended along its road up to the nearest junctions (see the module)."""
    net = network
    namer = StretchNamer(net, places, near_m)
    seg_of = {int(net.segment[e]): s for s in critical for e in s.edges.tolist()}
    out: list[Stretch] = []
    seen: set[int] = set()
    for e in np.asarray(cut, dtype=np.int64).tolist():
        s = seg_of.get(int(net.segment[e]))
        if s is None:
            run = _along_road(net, int(e), namer.incidence)
            s = _merge(net, run, namer)[0]
        if id(s) not in seen:
            seen.add(id(s))
            out.append(s)
    return tuple(out)


def stretch_along(
    network: RoadNetwork, edges: NDArray[np.int64], *, namer: StretchNamer
) -> Stretch:
    """Segments that run end to end (a path, or a loop), named as one stretch by ``namer``,
    whichever roads they follow: ``edges`` (one directed edge per segment, any order) keep their
    directions; the stretch is oriented along most of them. When the segments do not form one
    path (an OSM way that branches), its pieces follow one another and the stretch runs from
    the first piece's start to the last one's end. Its road is named as :func:`critical_stretches`
    names one road, or, over several roads, by their names in order ("CG-1 / CG-2").

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> net = s.network
    >>> bridge = np.flatnonzero(net.way_id == 13)[:1]
    >>> stretch_along(net, bridge, namer=StretchNamer(net)).osm_ways
    (13,)
    """
    net = network
    edges = np.asarray(edges, dtype=np.int64)
    if len(edges) == 0:
        msg = "a stretch needs at least one segment"
        raise ValueError(msg)
    ends = [(int(net.src[e]), int(net.dst[e])) for e in edges.tolist()]
    paths = end_to_end(ends)
    order: list[int] = []
    nodes: list[int] = []  # per segment in order, the node it starts from along its path
    for segs, path_nodes in paths:
        order += segs
        nodes += path_nodes[:-1]
    nodes.append(paths[-1][1][-1])
    if len(paths) > 1:  # named by the two ends of its pieces farthest apart
        tips = sorted({n for _, p in paths for n in (p[0], p[-1])})
        lon, lat = net.lon[tips], net.lat[tips]
        d = np.stack(
            [haversine_m(lon, lat, float(lon[i]), float(lat[i])) for i in range(len(tips))]
        )
        a, b = np.unravel_index(int(np.argmax(d)), d.shape)
        nodes[0], nodes[-1] = tips[int(a)], tips[int(b)]
    return _stretch(net, edges[order], nodes, road_key(net, int(edges[order[0]])), namer)


def _along_road(net: RoadNetwork, e: int, incidence: _Incidence) -> NDArray[np.int64]:
    """Segment ``e`` extended both ways along its road through nodes where that road alone
    runs and joins only two segments (one directed edge per segment)."""
    key = road_key(net, e)
    run = [e]
    seen = {int(net.segment[e])}
    for node in (int(net.src[e]), int(net.dst[e])):
        while True:
            inc = incidence.segments_at(node)
            if len(inc) != 2:
                break
            nxt = [x for x in inc if int(net.segment[x]) not in seen]
            if not nxt or road_key(net, nxt[0]) != key:
                break
            x = nxt[0]
            seen.add(int(net.segment[x]))
            run.append(x)
            node = int(net.dst[x]) if int(net.src[x]) == node else int(net.src[x])
    return np.array(run, dtype=np.int64)


class _Incidence:
    """The segments at a node (one directed edge per segment), from the CSR arrays."""

    def __init__(self, net: RoadNetwork) -> None:
        self.net = net
        self.order = np.argsort(net.dst, kind="stable")
        self.ends = np.searchsorted(net.dst[self.order], np.arange(net.n_nodes + 1))

    def segments_at(self, node: int) -> list[int]:
        net = self.net
        out = range(int(net.indptr[node]), int(net.indptr[node + 1]))
        inn = self.order[self.ends[node] : self.ends[node + 1]].tolist()
        by_seg: dict[int, int] = {}
        for x in [*out, *inn]:
            by_seg.setdefault(int(net.segment[x]), int(x))
        return list(by_seg.values())
