"""The map's layers, one GeoJSON FeatureCollection each: the one set of layer builders that the
HTML map (:mod:`corridor.outputs.map`), ``corridor map --geojson`` and ``corridor analyze
--geojson`` (:mod:`corridor.outputs.geojson`) all use.

Layers that depend on the timeline (zones, closures, places) read the timeline's state at the
report's date (:func:`corridor.model.timeline.state_at`), never re-derive it; layers of the
analysis read the report and the network it was computed on.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import shapely
from numpy.typing import NDArray

from corridor.analysis.flows import exit_flows
from corridor.analysis.report import CorridorReport
from corridor.analysis.results import ClosureBinding
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Checkpoint, Event, Scenario, Source, hours_text
from corridor.model.situation import Closure, closure_edge_mask
from corridor.model.timeline import State, state_at
from corridor.outputs.json import pocket_json, segment_json, stretch_json

Feature = dict[str, Any]
FeatureCollection = dict[str, Any]

#: The layers of the map, in drawing order (bottom first), with their titles in the page.
LAYERS: dict[str, str] = {
    "zones": "Control zones (by side)",
    "pocket": "Pocket (the area the origin reaches)",
    "roads": "Road network (by class)",
    "closed": "Closed roads",
    "areas": "Origin and exits",
    "routes": "Fastest routes",
    "critical": "Critical stretches",
    "corridors": "Open corridors (width: persons/hour)",
    "cut": "Minimum cut",
    "closures": "Closures (reported)",
    "windows": "Windows (roads open only in given hours)",
    "restricted": "Restricted roads (under fire: capacity and speed cut)",
    "checkpoints": "Checkpoints (persons/hour, hours)",
    "places": "Places (population)",
}
#: The layers that change with the date (the others are the same on every date).
DYNAMIC = (
    "zones",
    "pocket",
    "closed",
    "routes",
    "corridors",
    "critical",
    "cut",
    "closures",
    "windows",
    "restricted",
    "checkpoints",
    "places",
)

EXIT_COLOURS = ("#1a9850", "#2166ac", "#e08214", "#762a83", "#01665e", "#c51b7d", "#8c510a")
SIDE_COLOURS = ("#d73027", "#4575b4", "#1b7837", "#984ea3", "#ff7f00", "#a65628", "#666666")
ASSETS = "assets"
_BORDERS = "ne_admin0_countries.geojson.gz"
_COORD_ND = 6


# ---------------------------------------------------------------------------------------------
# geometry helpers


def _pt(lon: float, lat: float) -> list[float]:
    return [round(float(lon), _COORD_ND), round(float(lat), _COORD_ND)]


_ROUNDED: WeakKeyDictionary[RoadNetwork, NDArray[np.float64]] = WeakKeyDictionary()


def _rounded(net: RoadNetwork) -> NDArray[np.float64]:
    """Every node's ``[lon, lat]`` rounded as :func:`_pt` rounds (Python's ``round``, to
    ``_COORD_ND`` places), computed once per network: numpy rounds the scaled values, and
    Python's ``round`` decides those within a hair of a half, where scaling could tip it."""
    found = _ROUNDED.get(net)
    if found is None:
        xy = np.column_stack([net.lon, net.lat]).astype(np.float64)
        scale = 10.0**_COORD_ND
        scaled = xy * scale
        found = np.round(scaled) / scale
        flat, values = found.reshape(-1), xy.reshape(-1)
        for i in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5).reshape(-1) < 1e-3):
            flat[i] = round(float(values[i]), _COORD_ND)
        found.flags.writeable = False
        _ROUNDED[net] = found
    return found


def _node_points(net: RoadNetwork, nodes: NDArray[np.integer[Any]]) -> list[list[float]]:
    """The rounded ``[lon, lat]`` of ``nodes``, as :func:`_pt` gives them one by one."""
    points: list[list[float]] = _rounded(net)[np.asarray(nodes, dtype=np.int64)].tolist()
    return points


def _edge_lines(net: RoadNetwork, edges: Any) -> list[list[list[float]]]:
    """Per edge of ``edges``, its two rounded end points (a LineString's coordinates)."""
    e = np.asarray(edges, dtype=np.int64).reshape(-1)
    lines: list[list[list[float]]] = _rounded(net)[np.stack([net.src[e], net.dst[e]], 1)].tolist()
    return lines


def _geometry(geom: shapely.Geometry) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-6)))
    return out


def _feature(geometry: dict[str, Any], **props: Any) -> Feature:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _collection(features: list[Feature], **props: Any) -> FeatureCollection:
    return {"type": "FeatureCollection", "properties": props, "features": features}


def _one_per_segment(net: RoadNetwork, edges: NDArray[np.int64]) -> NDArray[np.int64]:
    """One directed edge per road segment among ``edges`` (the first given)."""
    if len(edges) == 0:
        return edges
    _, first = np.unique(net.segment[edges], return_index=True)
    return np.sort(edges[first])


def _sources_text(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [
        {"key": s.key, "outlet": s.outlet, "title": s.title, "date": s.date, "url": s.url}
        for s in sources
    ]


# ---------------------------------------------------------------------------------------------
# static layers


def roads_layer(net: RoadNetwork) -> FeatureCollection:
    """The road network, one feature per OSM way (a MultiLineString of its segments)."""
    edges = _one_per_segment(net, np.arange(net.n_edges, dtype=np.int64))
    if len(edges) == 0:
        return _collection([], layer="roads")
    way = net.way_id[edges]
    order = np.argsort(way, kind="stable")
    edges, way = edges[order], way[order]
    coords = np.stack(
        [
            np.column_stack([net.lon[net.src[edges]], net.lat[net.src[edges]]]),
            np.column_stack([net.lon[net.dst[edges]], net.lat[net.dst[edges]]]),
        ],
        axis=1,
    )
    lines = shapely.linestrings(coords)
    ways, start, counts = np.unique(way, return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(ways)), counts)
    merged = shapely.line_merge(shapely.multilinestrings(lines, indices=group))
    length = np.add.reduceat(net.length_m[edges], start)
    cap = np.maximum.reduceat(net.capacity_pph[edges], start)
    feats = []
    for i, w in enumerate(ways.tolist()):
        e = int(edges[start[i]])
        feats.append(
            _feature(
                _geometry(merged[i]),
                layer="roads",
                osm_way=int(w),
                road=net.road_label(e),
                name=net.edge_name(e),
                ref=net.edge_ref(e),
                highway=net.edge_highway(e),
                length_m=round(float(length[i]), 1),
                capacity_pph=int(cap[i]),
                segments=int(counts[i]),
            )
        )
    return _collection(feats, layer="roads", mover=net.mover.value, source=net.source)


def areas_layer(report: CorridorReport) -> FeatureCollection:
    """The origin and the mover's exits, as polygons (a point's circle as a 64-gon)."""
    feats = []
    o = report.origin
    if o.area is not None:
        feats.append(
            _feature(
                _geometry(o.area.geometry()),
                layer="areas",
                role="origin",
                name=o.name,
                radius_m=o.area.radius_m,
                nodes=len(o.nodes),
            )
        )
    for i, x in enumerate(report.exits):
        if x.area is None:
            continue
        feats.append(
            _feature(
                _geometry(x.area.geometry()),
                layer="areas",
                role="exit",
                exit_index=i,
                name=x.name,
                radius_m=x.area.radius_m,
                nodes=len(x.nodes),
                colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
            )
        )
    return _collection(feats, layer="areas")


def borders_layer(bounds: tuple[float, float, float, float]) -> FeatureCollection:
    """Country polygons (borders and coastlines) around ``bounds`` (lon/lat), clipped to a
    region a few times the size of the network, from the bundled Natural Earth extract."""
    w, s, e, n = bounds
    pad = max(3.0, 1.5 * max(e - w, n - s))
    box = (max(w - pad, -180.0), max(s - pad, -85.0), min(e + pad, 180.0), min(n + pad, 85.0))
    feats = []
    for name, geom in _borders_world():
        clipped = shapely.clip_by_rect(geom, *box)
        if clipped.is_empty:
            continue
        feats.append(_feature(_geometry(clipped), layer="borders", name=name))
    return _collection(
        feats,
        layer="borders",
        source="Natural Earth 1:10m Admin 0 - Countries 5.1.1 (public domain), simplified",
    )


@cache
def _borders_world() -> tuple[tuple[str, shapely.Geometry], ...]:
    """The bundled country polygons (a read-only package asset, parsed once per process)."""
    raw = (resources.files("corridor.outputs") / ASSETS / _BORDERS).read_bytes()
    data = json.loads(gzip.decompress(raw))
    return tuple(
        (f["properties"]["name"], shapely.from_geojson(json.dumps(f["geometry"])))
        for f in data["features"]
    )


# ---------------------------------------------------------------------------------------------
# layers of the analysis


def _directed_runs(src: NDArray[np.int64], dst: NDArray[np.int64]) -> list[list[int]]:
    """Split directed edges (given by their end nodes) into runs: maximal directed paths whose
    inner nodes have one edge in and one out among them (not the named stretches of
    :mod:`corridor.analysis.stretches`). Returns lists of edge positions."""
    n = len(src)
    out_of: dict[int, list[int]] = {}
    n_in: dict[int, int] = {}
    for j in range(n):
        out_of.setdefault(int(src[j]), []).append(j)
        n_in[int(dst[j])] = n_in.get(int(dst[j]), 0) + 1

    def inner(node: int) -> bool:
        return n_in.get(node, 0) == 1 and len(out_of.get(node, ())) == 1

    used = np.zeros(n, dtype=bool)
    runs: list[list[int]] = []
    # heads first (an edge leaving a node that is not inner), then what is left (cycles)
    order = [j for j in range(n) if not inner(int(src[j]))] + list(range(n))
    for j0 in order:
        if used[j0]:
            continue
        run, j = [], j0
        while not used[j]:
            used[j] = True
            run.append(j)
            node = int(dst[j])
            if not inner(node):
                break
            j = out_of[node][0]
        runs.append(run)
    return runs


def corridors_layer(report: CorridorReport, network: RoadNetwork) -> FeatureCollection:
    """The maximum flow out, per exit, as continuous lines: consecutive road segments that carry
    the same persons per hour to the same exit are merged into one stretch (one feature).

    Properties: ``exit``, ``flow_pph`` (persons per hour to that exit along the stretch),
    ``capacity_pph`` (the stretch's weakest segment), ``edge_flow_pph`` (the most any of its
    segments carries to all exits), ``edges``, ``osm_ways``, ``roads``, ``length_m``,
    ``segments``; ``edge``, ``osm_way``, ``road`` and ``highway`` are its first segment's.
    """
    net = network
    edges, per_exit = exit_flows(
        net, tuple(x.nodes for x in report.exits), report.flow.edge_flow_pph
    )
    best = {r.exit: r for r in report.routes if r.rank == 0}
    feats = []
    for i, x in enumerate(report.exits):
        pph = np.rint(per_exit[:, i]).astype(np.int64) if len(edges) else np.zeros(0, np.int64)
        keep = per_exit[:, i] >= 0.5 if len(edges) else np.zeros(0, bool)
        r = best.get(x.name)
        for flow in np.unique(pph[keep]).tolist():
            es = edges[keep & (pph == flow)]
            for run in _directed_runs(net.src[es], net.dst[es]):
                chain = es[run]
                nodes = np.concatenate([net.src[chain[:1]], net.dst[chain]])
                line = shapely.line_merge(
                    shapely.linestrings(np.column_stack([net.lon[nodes], net.lat[nodes]]))
                )
                e0 = int(chain[0])
                roads = list(dict.fromkeys(net.road_label(int(e)) for e in chain))
                feats.append(
                    _feature(
                        _geometry(line),
                        layer="corridors",
                        exit=x.name,
                        exit_index=i,
                        colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
                        edge=e0,
                        edges=[int(e) for e in chain],
                        osm_way=int(net.way_id[e0]),
                        osm_ways=list(dict.fromkeys(int(w) for w in net.way_id[chain])),
                        road=roads[0],
                        roads=" → ".join(roads),
                        highway=net.edge_highway(e0),
                        flow_pph=int(flow),
                        edge_flow_pph=int(report.flow.edge_flow_pph[chain].max()),
                        capacity_pph=int(net.capacity_pph[chain].min()),
                        length_m=round(float(net.length_m[chain].sum()), 1),
                        segments=len(chain),
                        route_travel_time_s=None if r is None else round(r.travel_time_s),
                    )
                )
    return _collection(feats, layer="corridors", capacity_pph=report.flow.value_pph)


def routes_layer(
    report: CorridorReport, network: RoadNetwork, *, layer: str = "routes"
) -> FeatureCollection:
    """The fastest route to each exit and its alternatives, one LineString each."""
    net = network
    index = {x.name: i for i, x in enumerate(report.exits)}
    feats = []
    for r in report.routes:
        if len(r.edges) == 0:
            continue
        nodes = np.concatenate([[net.src[r.edges[0]]], net.dst[r.edges]])
        i = index.get(r.exit, 0)
        feats.append(
            _feature(
                {"type": "LineString", "coordinates": _node_points(net, nodes)},
                layer=layer,
                exit=r.exit,
                exit_index=i,
                colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
                rank=r.rank,
                travel_time_s=round(r.travel_time_s, 1),
                distance_m=round(r.distance_m, 1),
                roads=" → ".join(r.roads),
            )
        )
    return _collection(feats, layer=layer)


def _segments_layer(
    network: RoadNetwork, edges: NDArray[np.int64], layer: str, note: str
) -> FeatureCollection:
    net = network
    feats = [
        _feature(
            {"type": "LineString", "coordinates": line},
            layer=layer,
            **segment_json(net, e),
            note=note,
        )
        for e, line in zip(edges.tolist(), _edge_lines(net, edges), strict=True)
    ]
    return _collection(feats, layer=layer, count=len(feats), note=note)


def cut_layer(
    report: CorridorReport, network: RoadNetwork, *, layer: str = "cut"
) -> FeatureCollection:
    """The minimum cut: the fewest segments whose closure seals the origin."""
    n = report.min_cut.count
    origin = report.origin.name
    what = "this segment" if n == 1 else f"these {n} segments"
    note = f"closing {what} seals {origin}" if n else f"{origin} is already sealed"
    return _segments_layer(network, report.min_cut.edges, layer, note)


def critical_layer(
    report: CorridorReport, network: RoadNetwork, *, layer: str = "critical"
) -> FeatureCollection:
    """The critical segments: any one of them, closed alone, seals the origin. One feature per
    critical stretch (:mod:`corridor.analysis.stretches`: its properties are the report's
    ``critical_stretches`` item, with the first segment's ``edge`` and ``osm_way`` and the
    stretch's least ``capacity_pph``); one per segment for a report without stretches."""
    if len(report.critical) and not report.critical_stretches:
        note = f"closing this segment alone seals {report.origin.name}"
        return _segments_layer(network, report.critical, layer, note)
    net = network
    note = f"closing any one of its segments alone seals {report.origin.name}"
    feats = []
    for st in report.critical_stretches:
        e0 = int(st.edges[0])
        feats.append(
            _feature(
                {
                    "type": "MultiLineString",
                    "coordinates": _edge_lines(net, st.edges),
                },
                layer=layer,
                **stretch_json(st),
                edge=e0,
                osm_way=int(net.way_id[e0]),
                highway=net.edge_highway(e0),
                capacity_pph=int(net.capacity_pph[st.edges].min()),
                note=note,
            )
        )
    return _collection(
        feats, layer=layer, count=len(feats), segments=len(report.critical), note=note
    )


def pocket_layer(report: CorridorReport) -> FeatureCollection:
    """The pocket: the area the origin still reaches (:mod:`corridor.analysis.pocket`), one
    feature with its area, the places and exits inside; empty for a report without one."""
    p = report.pocket
    if p is None or p.outline.is_empty:
        return _collection([], layer="pocket")
    data = pocket_json(p)
    assert data is not None
    props = {k: v for k, v in data.items() if k != "outline"}
    return _collection(
        [
            _feature(
                data["outline"],
                layer="pocket",
                origin=report.origin.name,
                headline=report.headline,
                **props,
            )
        ],
        layer="pocket",
    )


def closed_layer(report: CorridorReport, network: RoadNetwork) -> FeatureCollection:
    """Closed road segments grouped by way and the rule that closed them."""
    net = network
    closed = report.closed
    first = _one_per_segment(net, closed.edges)
    reason_of = dict(zip(closed.edges.tolist(), closed.reason.tolist(), strict=True))
    groups: dict[tuple[int, int], list[int]] = {}
    for e in first.tolist():
        groups.setdefault((int(net.way_id[e]), int(reason_of[e])), []).append(e)
    feats = []
    for (way, reason), es in groups.items():
        feats.append(
            _feature(
                {"type": "MultiLineString", "coordinates": _edge_lines(net, es)},
                layer="closed",
                osm_way=way,
                road=net.road_label(es[0]),
                highway=net.edge_highway(es[0]),
                reason=closed.reasons[reason] if reason >= 0 else "",
                segments=len(es),
            )
        )
    return _collection(feats, layer="closed")


# ---------------------------------------------------------------------------------------------
# layers of the timeline's state


def _actor_props(scenario: Scenario, actor_id: str | None) -> dict[str, Any]:
    actor = scenario.actors.get(actor_id or "")
    side_id = actor.side if actor else None
    side = scenario.sides.get(side_id or "")
    return {
        "actor": actor_id or "",
        "actor_name": actor.name if actor else (actor_id or ""),
        "side": side_id or "",
        "side_name": side.name if side else (side_id or ""),
    }


def _event_props(scenario: Scenario, e: Event) -> dict[str, Any]:
    who = _actor_props(scenario, e.actor)
    return {
        "event": e.id,
        "date": e.date.isoformat(),
        "time": e.time,
        "kind": e.kind,
        "what": e.what,
        "actor": who["actor"],
        "actor_name": who["actor_name"],
        "side": who["side_name"],
        "confidence": e.confidence,
        "sources": _sources_text(e.sources),
        "quote": e.quote,
        "notes": e.notes,
        "plan": e.plan,
    }


def _closure_point(net: RoadNetwork, closure: Closure) -> tuple[float, float] | None:
    """Where to put a closure's marker: its point, or the middle of the roads it closes."""
    if closure.area is not None and closure.area.point is not None:
        return closure.area.point
    try:
        mask = closure_edge_mask(net, closure)
    except (LookupError, ValueError):
        mask = np.zeros(net.n_edges, dtype=bool)
    e = np.flatnonzero(mask)
    if len(e) == 0:
        if closure.area is not None:
            return closure.area.representative
        return None
    lon, lat = net.edge_mid_lon[e], net.edge_mid_lat[e]
    j = int(np.argmin((lon - lon.mean()) ** 2 + (lat - lat.mean()) ** 2))
    return float(lon[j]), float(lat[j])


def closures_layer(
    scenario: Scenario, state: State, report: CorridorReport, network: RoadNetwork
) -> FeatureCollection:
    """A point per closure in force at the state's date (the scenario's standing closures and
    reported events), with actor, date, confidence, sources, quote, and how many road edges it
    closes. A closure whose roads were all reopened since is not in force; one that covers no
    road at all stays, with ``edges_closed`` 0, so that the map shows it binds to nothing."""
    n = len(state.closures)
    bound: tuple[ClosureBinding | None, ...] = report.closures[:n]  # what-ifs come after
    if [b.id for b in report.closures[:n]] != [c.key for c in state.closures]:
        bound = (None,) * n  # a report made outside the timeline: no bindings
    warned = {w.id: w.message for w in report.warnings}
    feats = []
    for c, b in zip(state.closures, bound, strict=True):
        if c.closure.reopen or (b is not None and b.edges_covered > 0 and b.edges_closed == 0):
            continue
        p = _closure_point(network, c.closure)
        if p is None:
            continue
        if c.event is not None:
            props = _event_props(scenario, c.event)
        else:
            props = {
                "event": "",
                "what": c.closure.describe(),
                "actor": "",
                "actor_name": "",
                "side": "",
                "date": "",
                "confidence": 1.0,
                "sources": [],
                "quote": "",
                "notes": "standing closure of the scenario",
                "plan": None,
            }
        feats.append(
            _feature(
                {"type": "Point", "coordinates": _pt(*p)},
                layer="closures",
                **props,
                edges_closed=None if b is None else b.edges_closed,
                warning=warned.get(c.key, ""),
            )
        )
    return _collection(feats, layer="closures")


def _target_geometry(net: RoadNetwork, closure: Closure) -> tuple[dict[str, Any] | None, int]:
    """The roads a window or restriction covers on ``net`` (one line per road segment) and how
    many segments; a target that covers no road: a point where it is, and 0."""
    try:
        mask = closure_edge_mask(net, closure)
    except (LookupError, ValueError):
        mask = np.zeros(net.n_edges, dtype=bool)
    edges = _one_per_segment(net, np.flatnonzero(mask))
    if len(edges):
        lines = _edge_lines(net, edges)
        return {"type": "MultiLineString", "coordinates": lines}, len(edges)
    p = _closure_point(net, closure)
    return (None if p is None else {"type": "Point", "coordinates": _pt(*p)}), 0


def _event_roads_layer(
    scenario: Scenario,
    events: tuple[Event, ...],
    network: RoadNetwork,
    layer: str,
    extra: Callable[[Event], dict[str, Any]],
) -> FeatureCollection:
    """One feature per event on the roads its target covers (:func:`_target_geometry`), with
    the event's properties, its movers, the segment count and ``extra(event)``."""
    feats = []
    for e in events:
        if e.closure is None:
            continue
        geom, segments = _target_geometry(network, e.closure)
        if geom is None:
            continue
        feats.append(
            _feature(
                geom,
                layer=layer,
                **_event_props(scenario, e),
                **extra(e),
                movers=sorted(e.movers) if e.movers is not None else [],
                segments=segments,
            )
        )
    return _collection(feats, layer=layer)


def windows_layer(scenario: Scenario, state: State, network: RoadNetwork) -> FeatureCollection:
    """The windows that have a day from the state's date on, on the roads they gate: movers
    may enter those roads only in the window's daily hours on its days (inclusive). ``today``
    says whether the state's date is one of them (else the window is announced for later)."""

    def days(e: Event) -> dict[str, Any]:
        until = e.until or e.date
        return {
            "until": until.isoformat(),
            "hours": hours_text(e.hours) if e.hours is not None else "",
            "today": e.date <= state.date <= until,
        }

    return _event_roads_layer(scenario, state.windows, network, "windows", days)


def restricted_layer(scenario: Scenario, state: State, network: RoadNetwork) -> FeatureCollection:
    """The restrictions in force at the state's date (roads under fire: open, with capacity
    and speed multiplied by the event's factors), on the roads they cover."""

    def factors(e: Event) -> dict[str, Any]:
        return {"capacity_factor": e.capacity_factor, "speed_factor": e.speed_factor}

    return _event_roads_layer(scenario, state.restrictions, network, "restricted", factors)


def checkpoints_layer(scenario: Scenario, state: State, network: RoadNetwork) -> FeatureCollection:
    """The checkpoints that exist at the state's date for its mover, at their point: rate,
    hours, actor, validity, sources, how many road segments pass through the area, and
    ``closed`` for one a ``close {checkpoint: id}`` in force shuts (nobody passes)."""
    feats = []
    shut = {c.id for c in state.closed_checkpoints}
    posts: list[Checkpoint] = [*state.checkpoints, *state.closed_checkpoints]
    for c in posts:
        lon, lat = c.area.representative
        roads = _one_per_segment(network, np.flatnonzero(c.area.edge_mask(network)))
        feats.append(
            _feature(
                {"type": "Point", "coordinates": _pt(lon, lat)},
                layer="checkpoints",
                checkpoint=c.id,
                name=c.name,
                **_actor_props(scenario, c.actor),
                rate_pph=c.rate_pph,
                hours=hours_text(c.hours) if c.hours is not None else "all day",
                movers=sorted(c.movers) if c.movers is not None else [],
                since=c.start.isoformat() if c.start else "",
                until=c.end.isoformat() if c.end else "",
                radius_m=c.area.radius_m,
                confidence=c.confidence,
                sources=_sources_text(c.sources),
                closed=c.id in shut,
                segments=len(roads),
            )
        )
    return _collection(feats, layer="checkpoints")


def side_colour(scenario: Scenario, side: str | None) -> str:
    """The colour of a side on the map (by its order in the scenario)."""
    sides = list(scenario.sides)
    if side in sides:
        return SIDE_COLOURS[sides.index(side) % len(SIDE_COLOURS)]
    return "#999999"


def zones_layer(scenario: Scenario, state: State) -> FeatureCollection:
    """Areas held at the state's date, in the order they apply (a later one drawn above an
    earlier one, as it wins): the scenario's zones in force, then the areas taken by events."""
    feats = []
    for z in state.zones:
        who = _actor_props(scenario, z.actor)
        feats.append(
            _feature(
                _geometry(z.rule.polygon),
                layer="zones",
                **who,
                colour=side_colour(scenario, who["side"] or None),
                zone=z.id,
                since=z.since.isoformat() if z.since else "",
                until=z.until.isoformat() if z.until else "",
                confidence=z.confidence,
                sources=_sources_text(z.sources),
                quote=z.quote,
            )
        )
    return _collection(feats, layer="zones")


def places_layer(scenario: Scenario, state: State) -> FeatureCollection:
    """Every place at its representative point, with its population at the state's date."""
    feats = []
    for pid, p in scenario.places.items():
        lon, lat = p.area.representative
        feats.append(
            _feature(
                {"type": "Point", "coordinates": _pt(lon, lat)},
                layer="places",
                place=pid,
                name=p.name,
                population=state.place_population.get(pid),
                radius_m=p.area.radius_m,
                sources=_sources_text(p.sources),
            )
        )
    return _collection(feats, layer="places")


def report_day(report: CorridorReport, scenario: Scenario) -> dt.date:
    """The date of a report (an undated one: the scenario's start, or today)."""
    if report.date:
        return dt.date.fromisoformat(report.date)
    return scenario.start or dt.date.today()


def map_layers(
    scenario: Scenario,
    report: CorridorReport,
    network: RoadNetwork,
    *,
    plan: str | None = None,
    state: State | None = None,
) -> dict[str, FeatureCollection]:
    """Every layer of the map at the report's date, one FeatureCollection each.

    Layers: roads, zones, pocket, closed, areas (origin and exits), routes, corridors, critical,
    cut, closures, windows, restricted, checkpoints, places; their properties are what the
    page's popups show. ``network`` is the one the report was computed on; ``state`` the timeline's state at its date (read here with
    :func:`corridor.model.timeline.state_at` when not given).
    """
    if state is None:
        state = state_at(scenario, report_day(report, scenario), mover=report.mover, plan=plan)
    return {
        "roads": roads_layer(network),
        "zones": zones_layer(scenario, state),
        "pocket": pocket_layer(report),
        "closed": closed_layer(report, network),
        "areas": areas_layer(report),
        "routes": routes_layer(report, network),
        "corridors": corridors_layer(report, network),
        "critical": critical_layer(report, network),
        "cut": cut_layer(report, network),
        "closures": closures_layer(scenario, state, report, network),
        "windows": windows_layer(scenario, state, network),
        "restricted": restricted_layer(scenario, state, network),
        "checkpoints": checkpoints_layer(scenario, state, network),
        "places": places_layer(scenario, state),
    }
