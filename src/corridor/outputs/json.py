"""The report as JSON, in the stable schema (fields may be added, never renamed).

``REPORT_SCHEMA`` is the JSON Schema of one report; ``docs/report.schema.json`` is a copy that a
test keeps equal.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.report import CorridorReport
from corridor.analysis.routes import road_label
from corridor.model.network import SPEED_RULES, RoadNetwork


def _num(x: float | None, nd: int = 1) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def segment_json(net: RoadNetwork, e: int) -> dict[str, Any]:
    """One road segment as reported: edge id, OSM way, name, ref, class, midpoint [lon, lat]."""
    return {
        "edge": int(e),
        "osm_way": int(net.way_id[e]),
        "name": net.edge_name(e),
        "ref": net.edge_ref(e),
        "highway": net.edge_highway(e),
        "road": road_label(net, e),
        "lon": round(float(net.edge_mid_lon[e]), 6),
        "lat": round(float(net.edge_mid_lat[e]), 6),
        "from_node": int(net.node_osm_id[net.src[e]]),
        "to_node": int(net.node_osm_id[net.dst[e]]),
        "capacity_pph": int(net.capacity_pph[e]),
        "length_m": round(float(net.length_m[e]), 1),
        "speed_kph": round(float(net.speed_kph[e]), 1),
        "speed_rule": SPEED_RULES[int(net.speed_rule[e])].value,
    }


def _segments(net: RoadNetwork, edges: NDArray[np.int64]) -> list[dict[str, Any]]:
    return [segment_json(net, int(e)) for e in edges]


def report_json(report: CorridorReport) -> dict[str, Any]:
    """The report as a JSON-ready dict (see README "JSON report")."""
    s = report.situation
    net = s.network
    closed = ~s.open
    reasons = []
    if closed.any():
        codes, counts = np.unique(s.closed_by[closed], return_counts=True)
        reasons = [
            {"reason": s.reasons[int(c)], "edges": int(n)}
            for c, n in zip(codes, counts, strict=True)
        ]
    return {
        "scenario": report.scenario,
        "date": report.date,
        "mover": report.mover,
        "status": report.status,
        "origin": {"name": s.origin_name, "nodes": len(s.origin)},
        "exits": [
            {
                "name": x.name,
                "reachable": x.reachable,
                "travel_time_s": _num(x.travel_time_s),
                "distance_m": _num(x.distance_m),
                "nodes": len(nodes),
            }
            for x, nodes in zip(report.reach.exits, s.exits, strict=True)
        ],
        "routes": [
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
        ],
        "min_cut": {
            "count": report.min_cut.count,
            "capacity_pph": report.min_cut.capacity_pph,
            "segments": _segments(net, report.min_cut.edges),
        },
        "capacity_cut": {
            "count": report.capacity_cut.count,
            "capacity_pph": report.capacity_cut.capacity_pph,
            "segments": _segments(net, report.capacity_cut.edges),
        },
        "critical_segments": _segments(net, report.critical),
        "capacity_pph": report.flow.value_pph,
        "evacuation": {
            "population": report.evacuation.population,
            "hours": _num(report.evacuation.hours, 2),
            "flow_pph": report.evacuation.flow_pph,
            "method": report.evacuation.method,
        },
        "closed": {"edges": int(closed.sum()), "reasons": reasons},
        "network": {
            "source": net.source,
            "mover": net.mover.value,
            "nodes": net.n_nodes,
            "edges": net.n_edges,
        },
        **report.extra,
    }


def _unique_in_order(values: NDArray[np.int64]) -> list[int]:
    out: list[int] = []
    for v in values.tolist():
        if not out or out[-1] != v:
            out.append(int(v))
    return out


_SEGMENT = {
    "type": "object",
    "required": ["edge", "osm_way", "name", "ref", "lon", "lat"],
    "properties": {
        "edge": {"type": "integer", "minimum": 0},
        "osm_way": {"type": "integer"},
        "name": {"type": "string"},
        "ref": {"type": "string"},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
    },
}
_NUM_OR_NULL = {"type": ["number", "null"]}
_CUT = {
    "type": "object",
    "required": ["count", "capacity_pph", "segments"],
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "capacity_pph": {"type": "integer", "minimum": 0},
        "segments": {"type": "array", "items": _SEGMENT},
    },
}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://corridor.invalid/schema/report-1.json",
    "title": "corridor report",
    "type": "object",
    "required": [
        "scenario",
        "date",
        "mover",
        "status",
        "origin",
        "exits",
        "routes",
        "min_cut",
        "critical_segments",
        "capacity_pph",
        "evacuation",
    ],
    "properties": {
        "scenario": {"type": "string"},
        "date": {"type": ["string", "null"]},
        "mover": {"type": "string"},
        "status": {"enum": ["open", "sealed"]},
        "origin": {
            "type": "object",
            "required": ["name", "nodes"],
            "properties": {"name": {"type": "string"}, "nodes": {"type": "integer"}},
        },
        "exits": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reachable", "travel_time_s", "distance_m"],
                "properties": {
                    "name": {"type": "string"},
                    "reachable": {"type": "boolean"},
                    "travel_time_s": _NUM_OR_NULL,
                    "distance_m": _NUM_OR_NULL,
                },
            },
        },
        "routes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["exit", "travel_time_s", "distance_m", "edges", "roads"],
                "properties": {
                    "exit": {"type": "string"},
                    "travel_time_s": {"type": "number"},
                    "distance_m": {"type": "number"},
                    "edges": {"type": "array", "items": {"type": "integer"}},
                    "roads": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "min_cut": _CUT,
        "capacity_cut": _CUT,
        "critical_segments": {"type": "array", "items": _SEGMENT},
        "capacity_pph": {"type": "integer", "minimum": 0},
        "evacuation": {
            "type": "object",
            "required": ["population", "hours"],
            "properties": {
                "population": {"type": "integer", "minimum": 0},
                "hours": _NUM_OR_NULL,
            },
        },
    },
}
