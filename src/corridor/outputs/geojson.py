"""The report as one GeoJSON FeatureCollection (``corridor analyze --geojson``): origin, exits,
routes, minimum cut and critical segments, built by the map's layer builders
(:mod:`corridor.outputs.layers`); each feature's ``layer`` property says which it is."""

from __future__ import annotations

from typing import Any

from corridor.analysis.report import CorridorReport
from corridor.model.network import RoadNetwork
from corridor.outputs.layers import areas_layer, critical_layer, cut_layer, routes_layer


def report_geojson(report: CorridorReport, network: RoadNetwork) -> dict[str, Any]:
    """Origin and exits (``layer`` "origin", "exit"), routes ("route"), the minimum cut
    ("min_cut") and the critical segments ("critical"), for QGIS or GeoPandas.

    ``network`` is the one the report was computed on.

    Examples
    --------
    >>> from corridor.analysis.report import analyze
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> fc = report_geojson(analyze(s, k=0), s.network)
    >>> [f["properties"]["layer"] for f in fc["features"]]
    ['origin', 'exit', 'route', 'min_cut', 'critical']
    """
    areas = [
        {**f, "properties": {**f["properties"], "layer": f["properties"]["role"]}}
        for f in areas_layer(report)["features"]
    ]
    layers = (
        routes_layer(report, network, layer="route"),
        cut_layer(report, network, layer="min_cut"),
        critical_layer(report, network, layer="critical"),
    )
    return {
        "type": "FeatureCollection",
        "properties": {
            "scenario": report.scenario,
            "date": report.date,
            "mover": report.mover,
            "status": report.status,
        },
        "features": [*areas, *(f for fc in layers for f in fc["features"])],
    }
