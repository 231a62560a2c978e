"""The report as a GeoJSON FeatureCollection: origin, exits, routes, cut and critical segments."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from corridor.analysis.report import CorridorReport
from corridor.model.areas import Area
from corridor.model.network import RoadNetwork
from corridor.outputs.json import segment_json


def _edge_coords(net: RoadNetwork, edges: NDArray[np.int64]) -> list[list[float]]:
    if len(edges) == 0:
        return []
    nodes = np.concatenate([[net.src[edges[0]]], net.dst[edges]])
    return [[round(float(net.lon[n]), 7), round(float(net.lat[n]), 7)] for n in nodes]


def _area_feature(area: Area, role: str) -> dict[str, Any]:
    geom = shapely.geometry.mapping(area.geometry())
    return {
        "type": "Feature",
        "geometry": geom,
        "properties": {"layer": role, "name": area.name, "radius_m": area.radius_m},
    }


def _segment_feature(net: RoadNetwork, e: int, layer: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": _edge_coords(net, np.array([e]))},
        "properties": {"layer": layer, **segment_json(net, e)},
    }


def report_geojson(report: CorridorReport) -> dict[str, Any]:
    s = report.situation
    net = s.network
    feats: list[dict[str, Any]] = []
    if s.origin_area is not None:
        feats.append(_area_feature(s.origin_area, "origin"))
    feats.extend(_area_feature(a, "exit") for a in s.exit_areas)
    for r in report.routes:
        feats.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": _edge_coords(net, r.edges)},
                "properties": {
                    "layer": "route",
                    "exit": r.exit,
                    "rank": r.rank,
                    "travel_time_s": round(r.travel_time_s, 1),
                    "distance_m": round(r.distance_m, 1),
                    "roads": " → ".join(r.roads),
                },
            }
        )
    feats.extend(_segment_feature(net, int(e), "min_cut") for e in report.min_cut.edges)
    feats.extend(_segment_feature(net, int(e), "critical") for e in report.critical)
    return {
        "type": "FeatureCollection",
        "properties": {
            "scenario": report.scenario,
            "date": report.date,
            "mover": report.mover,
            "status": report.status,
        },
        "features": feats,
    }
