"""The report as JSON, in the stable schema (fields may be added, never renamed).

The shape of every object is a ``TypedDict`` below, which mypy checks the builders against; the
JSON Schema of one report (:func:`report_json_schema`, also ``REPORT_SCHEMA``) is generated from
those types by pydantic, not written beside them. ``docs/report.schema.json`` is the published
copy, which a test keeps equal.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
import shapely
from annotated_types import Ge, Le
from numpy.typing import NDArray
from typing_extensions import NotRequired, TypedDict  # noqa: UP035 (pydantic reads only these on 3.11)

from corridor.analysis.pocket import Pocket
from corridor.analysis.report import CorridorReport
from corridor.analysis.results import CutResult, InputWarning
from corridor.analysis.stretches import Stretch
from corridor.model.network import SPEED_RULES, RoadNetwork
from corridor.model.scenario import Event, Source, ZoneChange
from corridor.outputs.samples import SamplesJSON

# ------------------------------------------------------------------------------ the JSON shapes
# (units in names; Annotated bounds become the schema's minimum / maximum; typing_extensions'
# TypedDict, which pydantic reads on Python 3.11)
NonNegative = Annotated[int, Ge(0)]


class SegmentJSON(TypedDict):
    """One road segment (a directed edge) as reported."""

    edge: NonNegative
    osm_way: int
    name: str
    ref: str
    highway: str
    road: str
    lon: Annotated[float, Ge(-180), Le(180)]
    lat: Annotated[float, Ge(-90), Le(90)]
    from_node: int
    to_node: int
    capacity_pph: NonNegative
    length_m: float
    speed_kph: float
    speed_rule: str


StretchJSON = TypedDict(
    "StretchJSON",
    {
        "road": str,
        "ref": str,
        "osm_ways": list[int],
        "from": str,
        "to": str,
        "label": str,
        "length_m": float,
        "segments": NonNegative,
        "edges": list[int],
        "lon": Annotated[float, Ge(-180), Le(180)],
        "lat": Annotated[float, Ge(-90), Le(90)],
    },
)
"""Consecutive segments of one road, named by road and by the places at either end
(:mod:`corridor.analysis.stretches`): ``label`` reads "R1 from Syria Gate to Tal Afar";
``lon``, ``lat`` is the midpoint of the segment halfway along."""


class PocketPlaceJSON(TypedDict):
    id: str
    name: str
    population: NonNegative | None


class PocketExitJSON(TypedDict):
    name: str
    kind: Literal["refuge", "waypoint"]


class PocketJSON(TypedDict):
    """The area the origin still reaches (:mod:`corridor.analysis.pocket`): its area, the
    scenario's places and the exits inside, and its ``outline`` (a GeoJSON geometry, lon/lat)."""

    area_km2: float
    population: NonNegative
    places: list[PocketPlaceJSON]
    exits: list[PocketExitJSON]
    outline: dict[str, Any]
    nodes: NonNegative
    segments: NonNegative
    cell_m: float


class OriginJSON(TypedDict):
    name: str
    nodes: int


class ExitJSON(TypedDict):
    name: str
    kind: Literal["refuge", "waypoint"]
    reachable: bool
    travel_time_s: float | None
    distance_m: float | None
    nodes: int


class RouteJSON(TypedDict):
    exit: str
    rank: NonNegative
    travel_time_s: float | None
    distance_m: float | None
    shared_m: float | None
    edges: list[int]
    osm_ways: list[int]
    roads: list[str]
    gate: SegmentJSON


class CutJSON(TypedDict):
    count: NonNegative
    capacity_pph: NonNegative
    segments: list[SegmentJSON]
    stretches: NotRequired[list[StretchJSON]]  # min_cut only: the cut as named stretches


class EvacuationJSON(TypedDict):
    population: NonNegative
    hours: float | None
    flow_pph: NonNegative
    method: str


class ReasonJSON(TypedDict):
    reason: str
    edges: int


class ClosedJSON(TypedDict):
    edges: int
    reasons: list[ReasonJSON]


class NetworkJSON(TypedDict):
    source: str
    mover: str
    nodes: int
    edges: int


class SourceJSON(TypedDict):
    key: str
    outlet: str
    title: str
    date: str
    url: str


class EventJSON(TypedDict):
    id: str
    date: str
    time: str | None
    actor: str | None
    kind: str
    what: str
    confidence: float
    plan: str | None
    sources: list[SourceJSON]
    quote: str
    notes: str


class ZoneChangeJSON(TypedDict):
    """A scenario zone that begins or ends on the report's date: the zone, its actor and side,
    its confidence and sources, and ``what`` in words."""

    zone: str
    change: Literal["begins", "ends"]
    date: str
    actor: str
    side: str
    side_name: str
    confidence: float | None
    sources: list[SourceJSON]
    what: str


class NearestRoadJSON(TypedDict):
    name: str
    ref: str
    osm_way: int
    distance_m: float


class WarningJSON(TypedDict):
    """An input that binds to nothing: ``code`` (stable, e.g. ``closure-closes-nothing``), a
    message for people, the ``id`` of the closure, zone or place, and what fits the case."""

    code: str
    message: str
    id: str
    nearest_road: NotRequired[NearestRoadJSON]


class ReportJSON(TypedDict):
    """One report (``corridor analyze --json``; ``corridor timeline --json`` gives a list)."""

    scenario: str
    date: str | None
    mover: str
    status: Literal["open", "sealed"]
    headline: str
    origin: OriginJSON
    exits: list[ExitJSON]
    routes: list[RouteJSON]
    min_cut: CutJSON
    capacity_cut: CutJSON
    critical_segments: list[SegmentJSON]
    critical_stretches: list[StretchJSON]
    pocket: PocketJSON | None
    capacity_pph: NonNegative
    evacuation: EvacuationJSON
    closed: ClosedJSON
    network: NetworkJSON
    plan: str | None
    events: list[EventJSON]
    zone_changes: list[ZoneChangeJSON]
    what_if: NotRequired[list[str]]
    warnings: list[WarningJSON]
    samples: NotRequired[SamplesJSON]  # with --samples N: the answers over N samples


class QuickJSON(TypedDict):
    """The quick what-if (``POST /api/whatif``'s ``answer``): the report's fields that a
    :class:`~corridor.analysis.session.ClosureSession` gives, and ``quick`` (always true)."""

    scenario: str
    date: str | None
    mover: str
    status: Literal["open", "sealed"]
    headline: str
    origin: OriginJSON
    exits: list[ExitJSON]
    routes: list[RouteJSON]  # the fastest to each exit (rank 0) only
    min_cut: CutJSON  # without stretches
    capacity_cut: CutJSON
    critical_segments: list[SegmentJSON]
    capacity_pph: NonNegative
    closed: ClosedJSON
    network: NetworkJSON
    plan: str | None
    events: list[EventJSON]
    zone_changes: list[ZoneChangeJSON]
    warnings: list[WarningJSON]
    what_if: NotRequired[list[str]]
    quick: NotRequired[Literal[True]]


def _num(x: float | None, nd: int = 1) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def segment_json(net: RoadNetwork, e: int) -> SegmentJSON:
    """One road segment as reported: edge id, OSM way, name, ref, class, midpoint [lon, lat]."""
    return {
        "edge": int(e),
        "osm_way": int(net.way_id[e]),
        "name": net.edge_name(e),
        "ref": net.edge_ref(e),
        "highway": net.edge_highway(e),
        "road": net.road_label(e),
        "lon": round(float(net.edge_mid_lon[e]), 6),
        "lat": round(float(net.edge_mid_lat[e]), 6),
        "from_node": int(net.node_osm_id[net.src[e]]),
        "to_node": int(net.node_osm_id[net.dst[e]]),
        "capacity_pph": int(net.capacity_pph[e]),
        "length_m": round(float(net.length_m[e]), 1),
        "speed_kph": round(float(net.speed_kph[e]), 1),
        "speed_rule": SPEED_RULES[int(net.speed_rule[e])].value,
    }


def _segments(net: RoadNetwork, edges: NDArray[np.int64]) -> list[SegmentJSON]:
    return [segment_json(net, int(e)) for e in edges]


def stretch_json(s: Stretch) -> StretchJSON:
    """A named stretch as reported."""
    return {
        "road": s.road,
        "ref": s.ref,
        "osm_ways": list(s.osm_ways),
        "from": s.from_name,
        "to": s.to_name,
        "label": s.label,
        "length_m": s.length_m,
        "segments": s.segments,
        "edges": [int(e) for e in s.edges],
        "lon": s.lon,
        "lat": s.lat,
    }


def pocket_json(p: Pocket | None) -> PocketJSON | None:
    """The pocket as reported (None when the report has none)."""
    if p is None:
        return None
    outline: dict[str, Any] = json.loads(shapely.to_geojson(shapely.set_precision(p.outline, 1e-6)))
    return {
        "area_km2": p.area_km2,
        "population": p.population,
        "places": [{"id": x.id, "name": x.name, "population": x.population} for x in p.places],
        "exits": [{"name": x.name, "kind": x.kind} for x in p.exits],
        "outline": outline,
        "nodes": p.nodes,
        "segments": p.segments,
        "cell_m": p.cell_m,
    }


def source_json(s: Source) -> SourceJSON:
    """A source as reported: key, outlet, title, date and URL."""
    return {"key": s.key, "outlet": s.outlet, "title": s.title, "date": s.date, "url": s.url}


def event_json(e: Event) -> EventJSON:
    """An event as reported: id, date, actor, kind, what, confidence, plan, sources, quote."""
    return {
        "id": e.id,
        "date": e.date.isoformat(),
        "time": e.time,
        "actor": e.actor,
        "kind": e.kind,
        "what": e.what,
        "confidence": e.confidence,
        "plan": e.plan,
        "sources": [source_json(s) for s in e.sources],
        "quote": e.quote,
        "notes": e.notes,
    }


def zone_change_json(z: ZoneChange) -> ZoneChangeJSON:
    """A zone that begins or ends, as reported."""
    return {
        "zone": z.zone.id,
        "change": z.change,
        "date": z.date.isoformat() if z.date else "",
        "actor": z.zone.actor,
        "side": z.side,
        "side_name": z.side_name,
        "confidence": z.zone.confidence,
        "sources": [source_json(s) for s in z.zone.sources],
        "what": z.what(),
    }


def report_json(report: CorridorReport, network: RoadNetwork) -> ReportJSON:
    """The report as a JSON-ready dict (see README "JSON report").

    Parameters
    ----------
    report
        The report.
    network
        The network the report was computed on (its edge ids index it): the mover's network,
        e.g. :func:`corridor.analysis.replay.mover_network`.

    Examples
    --------
    >>> from corridor.analysis.report import analyze
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> out = report_json(analyze(s), s.network)
    >>> out["status"], out["min_cut"]["count"], out["min_cut"]["segments"][0]["osm_way"]
    ('open', 1, 13)
    """
    net = network
    out: ReportJSON = {
        "scenario": report.scenario,
        "date": report.date,
        "mover": report.mover,
        "status": report.status,
        "headline": report.headline,
        "origin": _origin_json(report),
        "exits": _exits_json(report),
        "routes": _routes_json(report, net),
        "min_cut": {
            **_cut_json(report.min_cut, net),
            "stretches": [stretch_json(x) for x in report.cut_stretches],
        },
        "capacity_cut": _cut_json(report.capacity_cut, net),
        "critical_segments": _segments(net, report.critical),
        "critical_stretches": [stretch_json(x) for x in report.critical_stretches],
        "pocket": pocket_json(report.pocket),
        "capacity_pph": report.flow.value_pph,
        "evacuation": {
            "population": report.evacuation.population,
            "hours": _num(report.evacuation.hours, 2),
            "flow_pph": report.evacuation.flow_pph,
            "method": report.evacuation.method,
        },
        "closed": _closed_json(report),
        "network": _network_json(report),
        "plan": report.plan,
        "events": [event_json(e) for e in report.events],
        "zone_changes": [zone_change_json(z) for z in report.zone_changes],
        "warnings": [warning_json(w) for w in report.warnings],
    }
    if report.what_if:
        out["what_if"] = list(report.what_if)
    return out


def quick_json(report: CorridorReport, network: RoadNetwork) -> QuickJSON:
    """A quick report (:func:`corridor.analysis.session.quick_report`) as JSON: the fields of
    :func:`report_json` that a quick report has, in the same shapes and order, and ``"quick":
    true``; no alternative routes, evacuation, named stretches or pocket (left out, not left
    empty). The workbench's ``POST /api/whatif`` answer.

    Examples
    --------
    >>> import numpy as np
    >>> from corridor.analysis.session import ClosureSession, quick_report
    >>> from corridor.testing import bundled
    >>> from corridor.analysis.replay import MoverReplay
    >>> sc, networks = bundled("mosul-2016")
    >>> run = MoverReplay(sc, networks, None)
    >>> situation, state = run.situation(sc.start, None)
    >>> answer = ClosureSession(situation).answer(np.zeros(0, dtype=np.int64))
    >>> report = quick_report(answer, state, scenario=sc, mover=run.profile.id, date=None)
    >>> out = quick_json(report, run.network)
    >>> out["quick"], "evacuation" in out, out["status"]
    (True, False, 'open')
    """
    net = network
    out: QuickJSON = {
        "scenario": report.scenario,
        "date": report.date,
        "mover": report.mover,
        "status": report.status,
        "headline": report.headline,
        "origin": _origin_json(report),
        "exits": _exits_json(report),
        "routes": _routes_json(report, net),
        "min_cut": _cut_json(report.min_cut, net),
        "capacity_cut": _cut_json(report.capacity_cut, net),
        "critical_segments": _segments(net, report.critical),
        "capacity_pph": report.flow.value_pph,
        "closed": _closed_json(report),
        "network": _network_json(report),
        "plan": report.plan,
        "events": [event_json(e) for e in report.events],
        "zone_changes": [zone_change_json(z) for z in report.zone_changes],
        "warnings": [warning_json(w) for w in report.warnings],
    }
    if report.what_if:
        out["what_if"] = list(report.what_if)
    out["quick"] = True
    return out


def _origin_json(report: CorridorReport) -> OriginJSON:
    return {"name": report.origin.name, "nodes": len(report.origin.nodes)}


def _exits_json(report: CorridorReport) -> list[ExitJSON]:
    return [
        {
            "name": x.name,
            "kind": kind,
            "reachable": x.reachable,
            "travel_time_s": _num(x.travel_time_s),
            "distance_m": _num(x.distance_m),
            "nodes": len(t.nodes),
        }
        for x, t, kind in zip(report.reach.exits, report.exits, report.exit_kinds, strict=True)
    ]


def _routes_json(report: CorridorReport, net: RoadNetwork) -> list[RouteJSON]:
    return [
        {
            "exit": r.exit,
            "rank": r.rank,
            "travel_time_s": _num(r.travel_time_s),
            "distance_m": _num(r.distance_m),
            "shared_m": _num(r.shared_m),
            "edges": [int(e) for e in r.edges],
            "osm_ways": _unique_in_order(net.way_id[r.edges]),
            "roads": list(r.roads),
            "gate": segment_json(net, r.gate),
        }
        for r in report.routes
    ]


def _cut_json(cut: CutResult, net: RoadNetwork) -> CutJSON:
    return {
        "count": cut.count,
        "capacity_pph": cut.capacity_pph,
        "segments": _segments(net, cut.edges),
    }


def _closed_json(report: CorridorReport) -> ClosedJSON:
    return {
        "edges": len(report.closed.edges),
        "reasons": [{"reason": r, "edges": n} for r, n in report.closed.counts()],
    }


def _network_json(report: CorridorReport) -> NetworkJSON:
    n = report.network
    return {"source": n.source, "mover": n.mover, "nodes": n.nodes, "edges": n.edges}


def warning_json(w: InputWarning) -> WarningJSON:
    """A warning as reported: code, message, id, and the nearest road where one was looked up."""
    out: WarningJSON = {"code": w.code, "message": w.message, "id": w.id}
    if w.nearest_road is not None:
        r = w.nearest_road
        out["nearest_road"] = {
            "name": r.name,
            "ref": r.ref,
            "osm_way": r.osm_way,
            "distance_m": r.distance_m,
        }
    return out


def _unique_in_order(values: NDArray[np.int64]) -> list[int]:
    out: list[int] = []
    for v in values.tolist():
        if not out or out[-1] != v:
            out.append(int(v))
    return out


@cache
def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one report, generated from :class:`ReportJSON`."""
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(ReportJSON).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://corridor.invalid/schema/report-1.json",
        "title": "corridor report",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def __getattr__(name: str) -> Any:
    if name == "REPORT_SCHEMA":  # the schema, generated on first use
        return report_json_schema()
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
