"""The corridor on a map: one self-contained, offline HTML page (Leaflet inlined), and GeoJSON layers.

The page embeds, for every change date of the timeline, the report (in the stable JSON schema
of :func:`corridor.outputs.json.report_json`) and the layers that change with it (zones,
closures, closed roads, corridors, routes, minimum cut, critical segments, places); a slider
switches between them in the browser, with no server. The static layers (roads by class, origin
and exits) and an offline background of country borders and coastlines (Natural Earth, public
domain, bundled simplified in ``assets/``) are embedded once. Leaflet's JavaScript and CSS come
inlined from the ``xstatic-leaflet`` package, its images as data URIs: the page makes no request
at all unless ``tiles`` names an online tile server.

The same layers, for one date, are what :func:`map_layers` returns for GIS users (one
FeatureCollection per layer).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray

from corridor.analysis.report import CorridorReport
from corridor.analysis.routes import road_label
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Event, Scenario
from corridor.model.situation import Closure, closure_edge_mask
from corridor.model.timeline import timeline_events
from corridor.outputs.json import report_json

Feature = dict[str, Any]
FeatureCollection = dict[str, Any]

#: The layers of the map, in drawing order (bottom first), with their titles in the page.
LAYERS: dict[str, str] = {
    "zones": "Control zones (by side)",
    "roads": "Road network (by class)",
    "closed": "Closed roads",
    "areas": "Origin and exits",
    "routes": "Fastest routes",
    "critical": "Critical segments",
    "corridors": "Open corridors (width: persons/hour)",
    "cut": "Minimum cut",
    "closures": "Closures (reported)",
    "places": "Places (population)",
}
#: The layers that change with the date (the others are the same on every date).
DYNAMIC = ("zones", "closed", "routes", "corridors", "critical", "cut", "closures", "places")

EXIT_COLOURS = ("#1a9850", "#2166ac", "#e08214", "#762a83", "#01665e", "#c51b7d", "#8c510a")
SIDE_COLOURS = ("#d73027", "#4575b4", "#1b7837", "#984ea3", "#ff7f00", "#a65628", "#666666")
_ASSETS = "assets"
_BORDERS = "ne_admin0_countries.geojson.gz"
_COORD_ND = 6


# ---------------------------------------------------------------------------------------------
# geometry helpers


def _pt(lon: float, lat: float) -> list[float]:
    return [round(float(lon), _COORD_ND), round(float(lat), _COORD_ND)]


def _edge_line(net: RoadNetwork, e: int) -> list[list[float]]:
    s, d = int(net.src[e]), int(net.dst[e])
    return [_pt(net.lon[s], net.lat[s]), _pt(net.lon[d], net.lat[d])]


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


def _sources_text(sources: list[dict[str, Any]] | tuple[Any, ...]) -> list[dict[str, str]]:
    out = []
    for s in sources:
        d = s if isinstance(s, dict) else s.__dict__
        out.append({k: str(d.get(k) or "") for k in ("key", "outlet", "title", "date", "url")})
    return out


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
                road=road_label(net, e),
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
    s = report.situation
    feats = []
    if s.origin_area is not None:
        a = s.origin_area
        feats.append(
            _feature(
                _geometry(a.geometry()),
                layer="areas",
                role="origin",
                name=a.name,
                radius_m=a.radius_m,
                nodes=len(s.origin),
            )
        )
    for i, (a, nodes) in enumerate(zip(s.exit_areas, s.exits, strict=True)):
        feats.append(
            _feature(
                _geometry(a.geometry()),
                layer="areas",
                role="exit",
                exit_index=i,
                name=a.name,
                radius_m=a.radius_m,
                nodes=len(nodes),
                colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
            )
        )
    return _collection(feats, layer="areas")


# ---------------------------------------------------------------------------------------------
# dynamic layers


def exit_flows(report: CorridorReport) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Split the maximum flow on each edge by the exit it drains to.

    Flow leaving a node is shared among its out-edges in proportion to their flow, so the share
    of node v's flow that ends at exit i solves ``F = B + P F`` (``P`` the row-stochastic flow
    split, ``B`` the exit indicator, exits absorbing). Solved by a few sparse products, exact
    after as many steps as the longest flow path has edges.

    Returns
    -------
    edges, per_exit
        The edges carrying flow, and their persons per hour going to each exit
        (``per_exit[j, i]``; rows sum to the edge's flow).
    """
    s = report.situation
    net = s.network
    flow = report.flow.edge_flow_pph
    edges = np.flatnonzero(flow > 0).astype(np.int64)
    k = len(s.exits)
    if len(edges) == 0 or k == 0:
        return edges, np.zeros((len(edges), k))
    n = net.n_nodes
    b = np.zeros((n, k))
    for i, nodes in enumerate(s.exits):
        b[nodes, i] = 1.0
    absorbing = b.sum(axis=1) > 0
    f = flow[edges].astype(np.float64)
    src, dst = net.src[edges], net.dst[edges]
    out = np.bincount(src, weights=f, minlength=n)
    keep = ~absorbing[src]
    p = sp.csr_matrix((f[keep] / out[src[keep]], (src[keep], dst[keep])), shape=(n, n))
    share = b.copy()
    for _ in range(min(n, 100_000)):
        nxt = b + p @ share
        if np.abs(nxt - share).max() < 1e-12:
            share = nxt
            break
        share = nxt
    return edges, f[:, None] * share[dst]


def corridors_layer(report: CorridorReport) -> FeatureCollection:
    """Edges carrying the maximum flow, one feature per edge and exit, with persons per hour."""
    s = report.situation
    net = s.network
    edges, per_exit = exit_flows(report)
    best = {r.exit: r for r in report.routes if r.rank == 0}
    feats = []
    for j, e in enumerate(edges.tolist()):
        for i, name in enumerate(s.exit_names):
            pph = float(per_exit[j, i])
            if pph < 0.5:
                continue
            r = best.get(name)
            feats.append(
                _feature(
                    {"type": "LineString", "coordinates": _edge_line(net, e)},
                    layer="corridors",
                    exit=name,
                    exit_index=i,
                    colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
                    edge=int(e),
                    osm_way=int(net.way_id[e]),
                    road=road_label(net, e),
                    highway=net.edge_highway(e),
                    flow_pph=round(pph),
                    edge_flow_pph=int(report.flow.edge_flow_pph[e]),
                    capacity_pph=int(net.capacity_pph[e]),
                    route_travel_time_s=None if r is None else round(r.travel_time_s),
                )
            )
    return _collection(feats, layer="corridors", capacity_pph=report.flow.value_pph)


def routes_layer(report: CorridorReport) -> FeatureCollection:
    net = report.situation.network
    index = {name: i for i, name in enumerate(report.situation.exit_names)}
    feats = []
    for r in report.routes:
        if len(r.edges) == 0:
            continue
        nodes = np.concatenate([[net.src[r.edges[0]]], net.dst[r.edges]])
        i = index.get(r.exit, 0)
        feats.append(
            _feature(
                {"type": "LineString", "coordinates": [_pt(net.lon[n], net.lat[n]) for n in nodes]},
                layer="routes",
                exit=r.exit,
                exit_index=i,
                colour=EXIT_COLOURS[i % len(EXIT_COLOURS)],
                rank=r.rank,
                travel_time_s=round(r.travel_time_s, 1),
                distance_m=round(r.distance_m, 1),
                roads=" → ".join(r.roads),
            )
        )
    return _collection(feats, layer="routes")


def _segments_layer(
    report: CorridorReport, edges: NDArray[np.int64], layer: str, note: str
) -> FeatureCollection:
    net = report.situation.network
    feats = [
        _feature(
            {"type": "LineString", "coordinates": _edge_line(net, int(e))},
            layer=layer,
            edge=int(e),
            osm_way=int(net.way_id[e]),
            road=road_label(net, int(e)),
            name=net.edge_name(int(e)),
            ref=net.edge_ref(int(e)),
            highway=net.edge_highway(int(e)),
            capacity_pph=int(net.capacity_pph[e]),
            note=note,
        )
        for e in edges
    ]
    return _collection(feats, layer=layer, count=len(feats), note=note)


def cut_layer(report: CorridorReport) -> FeatureCollection:
    """The minimum cut: the fewest segments whose closure seals the origin."""
    n = report.min_cut.count
    origin = report.situation.origin_name
    what = "this segment" if n == 1 else f"these {n} segments"
    note = f"closing {what} seals {origin}" if n else f"{origin} is already sealed"
    return _segments_layer(report, report.min_cut.edges, "cut", note)


def critical_layer(report: CorridorReport) -> FeatureCollection:
    origin = report.situation.origin_name
    return _segments_layer(
        report, report.critical, "critical", f"closing this segment alone seals {origin}"
    )


def closed_layer(report: CorridorReport) -> FeatureCollection:
    """Closed road segments grouped by way and the rule that closed them."""
    s = report.situation
    net = s.network
    edges = _one_per_segment(net, np.flatnonzero(~s.open).astype(np.int64))
    groups: dict[tuple[int, int], list[int]] = {}
    for e in edges.tolist():
        groups.setdefault((int(net.way_id[e]), int(s.closed_by[e])), []).append(e)
    feats = []
    for (way, reason), es in groups.items():
        feats.append(
            _feature(
                {"type": "MultiLineString", "coordinates": [_edge_line(net, e) for e in es]},
                layer="closed",
                osm_way=way,
                road=road_label(net, es[0]),
                highway=net.edge_highway(es[0]),
                reason=s.reasons[reason] if reason >= 0 else "",
                segments=len(es),
            )
        )
    return _collection(feats, layer="closed")


def _applied_events(scenario: Scenario, day: dt.date, mover: str, plan: str | None) -> list[Event]:
    return [e for e in timeline_events(scenario, plan) if e.date <= day and e.applies_to(mover)]


def _event_props(scenario: Scenario, e: Event) -> dict[str, Any]:
    actor = scenario.actors.get(e.actor or "")
    side = scenario.sides.get(actor.side) if actor else None
    return {
        "event": e.id,
        "date": e.date.isoformat(),
        "time": e.time,
        "kind": e.kind,
        "what": e.what,
        "actor": e.actor or "",
        "actor_name": actor.name if actor else (e.actor or ""),
        "side": side.name if side else (actor.side if actor else ""),
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
    scenario: Scenario, report: CorridorReport, day: dt.date, *, plan: str | None = None
) -> FeatureCollection:
    """A point per closure in force at ``day`` (reported events, and the scenario's standing
    closures), with actor, date, confidence, sources and quote."""
    net = report.situation.network
    mover = report.mover
    applied = _applied_events(scenario, day, mover, plan)
    active: dict[str, Event] = {}
    for e in applied:
        if e.kind == "close" and e.closure is not None:
            active[e.id] = e
        elif e.kind == "reopen" and e.reopens is not None:
            active.pop(e.reopens, None)
    feats = []
    for c in scenario.closures:
        p = _closure_point(net, c)
        if p is not None:
            feats.append(
                _feature(
                    {"type": "Point", "coordinates": _pt(*p)},
                    layer="closures",
                    event="",
                    what=c.describe(),
                    actor="",
                    actor_name="",
                    side="",
                    date="",
                    confidence=1.0,
                    sources=[],
                    quote="",
                    notes="standing closure of the scenario",
                    plan=None,
                )
            )
    for e in active.values():
        assert e.closure is not None
        p = _closure_point(net, e.closure)
        if p is None:
            continue
        feats.append(
            _feature(
                {"type": "Point", "coordinates": _pt(*p)},
                layer="closures",
                **_event_props(scenario, e),
            )
        )
    return _collection(feats, layer="closures")


def _side_colour(scenario: Scenario, side: str | None) -> str:
    sides = list(scenario.sides)
    if side in sides:
        return SIDE_COLOURS[sides.index(side) % len(SIDE_COLOURS)]
    return "#999999"


def zones_layer(
    scenario: Scenario, report: CorridorReport, day: dt.date, *, plan: str | None = None
) -> FeatureCollection:
    """Areas held at ``day``: the scenario's zones in force, then the areas taken by zone events
    (a later one drawn above an earlier one, as it wins)."""
    feats = []

    def props(actor_id: str | None, **more: Any) -> dict[str, Any]:
        actor = scenario.actors.get(actor_id or "")
        side_id = actor.side if actor else None
        side = scenario.sides.get(side_id or "")
        return {
            "layer": "zones",
            "actor": actor_id or "",
            "actor_name": actor.name if actor else (actor_id or ""),
            "side": side_id or "",
            "side_name": side.name if side else (side_id or ""),
            "colour": _side_colour(scenario, side_id),
            **more,
        }

    zones = sorted(
        (z for z in scenario.zones if z.active(day)),
        key=lambda z: (z.start or dt.date.min, z.id),
    )
    for z in zones:
        feats.append(
            _feature(
                _geometry(z.polygon),
                **props(
                    z.actor,
                    zone=z.id,
                    since=z.start.isoformat() if z.start else "",
                    until=z.end.isoformat() if z.end else "",
                    confidence=z.confidence,
                    sources=_sources_text(z.sources),
                    quote="",
                ),
            )
        )
    for e in _applied_events(scenario, day, report.mover, plan):
        if e.kind != "zone" or e.zone is None:
            continue
        feats.append(
            _feature(
                _geometry(e.zone),
                **props(
                    e.actor,
                    zone=e.id,
                    since=e.date.isoformat(),
                    until="",
                    confidence=e.confidence,
                    sources=_sources_text(e.sources),
                    quote=e.quote,
                ),
            )
        )
    return _collection(feats, layer="zones")


def places_layer(
    scenario: Scenario, report: CorridorReport, day: dt.date, *, plan: str | None = None
) -> FeatureCollection:
    """Every place at its representative point, with its population at ``day`` where known."""
    pop = {pid: p.population for pid, p in scenario.places.items()}
    for e in _applied_events(scenario, day, report.mover, plan):
        if e.kind == "population" and e.place is not None and e.value is not None:
            pop[e.place] = e.value
    feats = []
    for pid, p in scenario.places.items():
        lon, lat = p.area.representative
        feats.append(
            _feature(
                {"type": "Point", "coordinates": _pt(lon, lat)},
                layer="places",
                place=pid,
                name=p.name,
                population=pop.get(pid),
                radius_m=p.area.radius_m,
                sources=_sources_text(p.sources),
            )
        )
    return _collection(feats, layer="places")


def _report_day(report: CorridorReport, scenario: Scenario) -> dt.date:
    if report.date:
        return dt.date.fromisoformat(report.date)
    return scenario.start or dt.date.today()


def map_layers(
    scenario: Scenario, report: CorridorReport, *, plan: str | None = None
) -> dict[str, FeatureCollection]:
    """Every layer of the map at the report's date, one FeatureCollection each.

    Layers: roads, zones, closed, areas (origin and exits), routes, corridors, critical, cut,
    closures, places; their properties are what the page's popups show.
    """
    day = _report_day(report, scenario)
    return {
        "roads": roads_layer(report.situation.network),
        "zones": zones_layer(scenario, report, day, plan=plan),
        "closed": closed_layer(report),
        "areas": areas_layer(report),
        "routes": routes_layer(report),
        "corridors": corridors_layer(report),
        "critical": critical_layer(report),
        "cut": cut_layer(report),
        "closures": closures_layer(scenario, report, day, plan=plan),
        "places": places_layer(scenario, report, day, plan=plan),
    }


# ---------------------------------------------------------------------------------------------
# the page


def header_text(scenario: Scenario, report: CorridorReport, *, plan: str | None = None) -> str:
    """The header line: scenario, date, mover, plan, status, capacity and evacuation time."""
    ev = report.evacuation
    if ev.hours is None:
        evac = "evacuation: never (sealed)"
    else:
        evac = f"evacuation of {ev.population:,}: {ev.hours:,.1f} h"
    n_open = sum(x.reachable for x in report.reach.exits)
    bits = [
        scenario.title or scenario.name,
        report.date or "undated",
        f"mover {report.mover}",
        *([f"plan {plan}"] if plan else []),
        f"{report.status.upper()} ({n_open}/{len(report.reach.exits)} exits open)",
        f"capacity {report.flow.value_pph:,} persons/h",
        f"min cut {report.min_cut.count}",
        evac,
    ]
    return " · ".join(bits)


def _frame(scenario: Scenario, report: CorridorReport, plan: str | None) -> dict[str, Any]:
    layers = map_layers(scenario, report, plan=plan)
    return {
        "date": report.date,
        "status": report.status,
        "header": header_text(scenario, report, plan=plan),
        "report": report_json(report),
        "layers": {k: layers[k] for k in DYNAMIC},
    }


@cache
def _borders_world() -> tuple[tuple[str, shapely.Geometry], ...]:
    raw = (resources.files("corridor.outputs") / _ASSETS / _BORDERS).read_bytes()
    data = json.loads(gzip.decompress(raw))
    return tuple(
        (f["properties"]["name"], shapely.from_geojson(json.dumps(f["geometry"])))
        for f in data["features"]
    )


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


def _leaflet() -> tuple[str, str]:
    """Leaflet's JS and CSS from the xstatic-leaflet package, images as data URIs."""
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a dependency
        msg = "the map needs Leaflet: pip install xstatic-leaflet"
        raise ImportError(msg) from exc
    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)

    def inline(m: re.Match[str]) -> str:
        png = (base / m.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return js, css


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_data(
    scenario: Scenario,
    reports: list[CorridorReport],
    *,
    plan: str | None = None,
    start: int = 0,
    tiles: str | None = None,
) -> dict[str, Any]:
    """Everything the page embeds: static layers, one frame per report, styles and titles."""
    if not reports:
        msg = "no report to map"
        raise ValueError(msg)
    first = reports[0]
    net = first.situation.network
    lo = net.bounds
    frames = [_frame(scenario, r, plan) for r in reports]
    max_flow = max(
        (
            f["properties"]["edge_flow_pph"]
            for fr in frames
            for f in fr["layers"]["corridors"]["features"]
        ),
        default=0,
    )
    sides = [
        {"id": sid, "name": s.name, "colour": _side_colour(scenario, sid)}
        for sid, s in scenario.sides.items()
    ]
    return {
        "scenario": scenario.name,
        "title": scenario.title or scenario.name,
        "mover": first.mover,
        "plan": plan,
        "origin": first.situation.origin_name,
        "exits": [
            {"name": name, "colour": EXIT_COLOURS[i % len(EXIT_COLOURS)]}
            for i, name in enumerate(first.situation.exit_names)
        ],
        "sides": sides,
        "bounds": [lo[0], lo[1], lo[2], lo[3]],
        "start": max(0, min(start, len(frames) - 1)),
        "tiles": tiles,
        "max_flow_pph": int(max_flow),
        "titles": LAYERS,
        "static": {
            "roads": roads_layer(net),
            "areas": areas_layer(first),
            "borders": borders_layer(lo),
        },
        "frames": frames,
    }


def map_html(
    scenario: Scenario,
    reports: list[CorridorReport],
    *,
    plan: str | None = None,
    start: int = 0,
    tiles: str | None = None,
) -> str:
    """The map as one self-contained HTML page.

    Parameters
    ----------
    scenario
        The scenario the reports come from (for actors, sides, events and places).
    reports
        One report per date to show, in order (e.g. from :func:`corridor.analysis.replay.replay`);
        with more than one, the page has a time slider.
    plan
        The plan the reports were replayed under, if any.
    start
        Index of the report shown first.
    tiles
        A tile URL template (``https://.../{z}/{x}/{y}.png``) for an online background; without
        it the page makes no request at all.
    """
    data = map_data(scenario, reports, plan=plan, start=start, tiles=tiles)
    js, css = _leaflet()
    page = (resources.files("corridor.outputs") / _ASSETS / "map.html").read_text(encoding="utf-8")
    app = (resources.files("corridor.outputs") / _ASSETS / "map.js").read_text(encoding="utf-8")
    style = (resources.files("corridor.outputs") / _ASSETS / "map.css").read_text(encoding="utf-8")
    title = f"{data['title']} · corridor map"
    replacements = {
        "{{TITLE}}": html.escape(title),
        "{{LEAFLET_CSS}}": css,
        "{{MAP_CSS}}": style,
        "{{LEAFLET_JS}}": js.replace("</script", "<\\/script"),
        "{{DATA}}": _script_json(data),
        "{{MAP_JS}}": app,
    }
    return re.sub(r"\{\{[A-Z_]+\}\}", lambda m: replacements[m.group(0)], page)
