"""How inputs bound to the network: warnings for closures and zones that close or hold nothing.

An analyst's worst case is a wrong answer that looks right: a roadblock placed 139 m from the road
with a 60 m radius closes nothing, and the corridor looks as open as before. Every closure and
zone of a situation says how many road edges it covers (:class:`ClosureBinding`,
:class:`ZoneBinding`); those that cover none become :class:`InputWarning`\\ s, with the nearest
road of the mover's network and, for a point whose lon/lat look swapped, a hint.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from corridor.analysis.results import ClosureBinding, InputWarning, NearestRoad, ZoneBinding
from corridor.model.areas import segment_distance_m
from corridor.model.network import RoadNetwork
from corridor.model.situation import Closure

CLOSES_NOTHING = "closure-closes-nothing"
PARTLY_BINDS = "closure-partly-binds"
REOPENS_NOTHING = "reopening-reopens-nothing"
ZONE_OUTSIDE = "zone-outside-network"


def nearest_road(network: RoadNetwork, lon: float, lat: float) -> NearestRoad | None:
    """The road nearest to ``(lon, lat)`` (None on a network without roads)."""
    if network.n_edges == 0:
        return None
    d = segment_distance_m(network, lon, lat)
    e = int(np.argmin(d))
    return NearestRoad(
        name=network.edge_name(e),
        ref=network.edge_ref(e),
        osm_way=int(network.way_id[e]),
        distance_m=round(float(d[e]), 1),
    )


def road_text(road: NearestRoad) -> str:
    """A nearest road for people: name (ref), OSM way, distance."""
    label = " ".join(x for x in (road.name, f"({road.ref})" if road.ref else "") if x)
    return f"{label or 'an unnamed road'}, OSM way {road.osm_way}, {road.distance_m:,.0f} m away"


def closure_warning(
    network: RoadNetwork, closure: Closure, binding: ClosureBinding
) -> InputWarning | None:
    """A warning when a closure (or a reopening) covers no road edge of ``network``: with the
    nearest road, and a hint when the point's lon and lat look swapped."""
    verb = "reopens" if closure.reopen else "closes"
    if binding.edges_covered > 0:
        if not binding.note:
            return None
        message = f"{binding.label} {verb} only part of what it names: {binding.note}"
        return InputWarning(PARTLY_BINDS, message, binding.id)
    code = REOPENS_NOTHING if closure.reopen else CLOSES_NOTHING
    message = f"{binding.label} {verb} no road of the {network.mover.value} network"
    area = closure.area
    if area is None:  # ways and refs: the note says which is missing
        note = f": {binding.note}" if binding.note else ""
        return InputWarning(code, message + note, binding.id)
    lon, lat = area.representative
    if area.point is not None and "around [" not in binding.label:
        message += f" ({area.radius_m:,.0f} m around [{lon}, {lat}])"
    road = nearest_road(network, lon, lat)
    if road is not None:
        message += f"; the nearest road is {road_text(road)}"
    if area.point is not None and _swapped_inside(network, lon, lat):
        message += f"; [{lat}, {lon}] lies inside the network: are lon and lat swapped?"
    return InputWarning(code, message, binding.id, road)


def _swapped_inside(network: RoadNetwork, lon: float, lat: float) -> bool:
    """Whether the point with lon and lat swapped lies within the network's bounds while the
    point itself does not."""
    w, s, e, n = network.bounds
    inside = w <= lon <= e and s <= lat <= n
    return not inside and lon != lat and w <= lat <= e and s <= lon <= n


def zone_warnings(
    network: RoadNetwork, bindings: Sequence[ZoneBinding], polygons: Sequence[BaseGeometry]
) -> list[InputWarning]:
    """A warning for every zone that lies wholly outside the network (misplaced, or lon/lat
    swapped). A zone that holds roads of other movers only (tracks, for a car) is not one:
    ``corridor scenario check`` reports zones that hold no road of any mover."""
    w, s, e, n = network.bounds
    box = shapely.box(w, s, e, n)
    out = []
    for z, polygon in zip(bindings, polygons, strict=True):
        if z.edges or polygon.intersects(box):
            continue
        message = f"{z.label} lies outside the {network.mover.value} network's bounds"
        x0, y0, x1, y1 = polygon.bounds
        swapped = shapely.box(y0, x0, y1, x1)
        if x0 >= -90 and x1 <= 90 and swapped.intersects(box):
            message += "; with lon and lat swapped it would not: are they swapped?"
        out.append(InputWarning(ZONE_OUTSIDE, message, z.id))
    return out
