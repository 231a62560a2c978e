"""Road networks from GeoJSON LineStrings with OSM-like properties.

Each LineString (or each part of a MultiLineString) is a way; vertices with exactly the same
coordinates (to 1e-7 degrees) are the same node, which is how roads join. Properties read:
``highway`` (required), ``oneway``, ``lanes``, ``maxspeed``, ``name``, ``ref``, ``osm_id`` (the way
id; features without one get ``-(index + 1)``) and the other tags of :mod:`corridor.network.tags`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import InputFileError, NetworkError
from corridor.files import is_file
from corridor.model.network import Mover, RoadNetwork
from corridor.network.ways import WayTable, network_from_ways, tags_subset
from corridor.text import shown


def read_geojson_ways(path: str | Path) -> WayTable:
    """The ways of a GeoJSON file of LineStrings (see the module docstring)."""
    path = Path(path)
    if not is_file(path):
        msg = f"{path}: no such file; check the path (relative paths in a scenario are relative to the scenario file)"
        raise InputFileError(msg)
    size = path.stat().st_size
    if size > MAX_BYTES:
        msg = (
            f"{path}: {size / 2**20:,.0f} MiB is more than a GeoJSON road network may be "
            f"({MAX_BYTES // 2**20} MiB); for networks this size use an OSM extract "
            "(.osm.pbf), which corridor streams"
        )
        raise NetworkError(msg)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc}); export it again as GeoJSON"
        raise NetworkError(msg) from exc
    except RecursionError:
        msg = f"{path}: not a GeoJSON network (arrays nested thousands deep); export it again"
        raise NetworkError(msg) from None
    return ways_from_geojson(data, where=str(path))


_INT64_MAX = 2**63 - 1

MAX_BYTES = 64 * 2**20
"""The largest GeoJSON network file read (64 MiB: about 400,000 short road features). GeoJSON is
parsed whole, into Python objects of about 20 times its size; larger networks belong in an OSM
extract, which is streamed."""

MAX_FEATURES = 400_000
"""The most features a GeoJSON network may hold (files read from disk and data handed in)."""


def ways_from_geojson(data: Any, *, where: str = "GeoJSON") -> WayTable:
    """The ways of a parsed GeoJSON FeatureCollection of LineStrings and MultiLineStrings.

    Anything else is refused with a message naming the feature: other geometries (Points,
    Polygons: export roads as lines), a missing ``highway``, coordinates that are not finite
    ``[lon, lat]`` numbers in range. A third coordinate (height) is ignored.
    """
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        msg = f"{where}: expected a GeoJSON FeatureCollection of LineStrings"
        raise NetworkError(msg)
    features = data.get("features")
    if features is None:
        features = []
    if not isinstance(features, list):
        msg = (
            f"{where}: `features` is a {type(features).__name__}, not a list of Features; "
            "export the roads again as a GeoJSON FeatureCollection"
        )
        raise NetworkError(msg)
    if len(features) > MAX_FEATURES:
        msg = (
            f"{where}: {len(features):,} features is more than a GeoJSON road network may hold "
            f"({MAX_FEATURES:,}); for networks this size use an OSM extract (.osm.pbf)"
        )
        raise NetworkError(msg)
    way_ids: list[int] = []
    ptr = [0]
    coords: list[tuple[float, float]] = []
    way_tags: list[dict[str, str]] = []
    for i, feat in enumerate(features):
        if not isinstance(feat, dict):
            msg = f"{where}: features[{i}] is not a GeoJSON Feature object (got {shown(feat)})"
            raise NetworkError(msg)
        parts = _line_parts(feat.get("geometry"), f"{where}: features[{i}]")
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            msg = f"{where}: features[{i}].properties is not an object (got {shown(props)})"
            raise NetworkError(msg)
        tags = _tags(props, f"{where}: features[{i}]")
        way_id = _way_id(props, i, where)
        for part in parts:
            coords += _positions(part, f"{where}: features[{i}]")
            ptr.append(len(coords))
            way_ids.append(way_id)
            way_tags.append(tags)
    if not way_ids:
        msg = f"{where}: the FeatureCollection holds no LineString"
        raise NetworkError(msg)
    xy = np.array(coords, dtype=np.float64)
    keys = np.round(xy * 1e7).astype(np.int64)
    _, node_ref = np.unique(keys, axis=0, return_inverse=True)
    return WayTable(
        way_id=np.array(way_ids, dtype=np.int64),
        way_ptr=np.array(ptr, dtype=np.int64),
        node_ref=node_ref.reshape(-1).astype(np.int64) + 1,
        node_lon=xy[:, 0].copy(),
        node_lat=xy[:, 1].copy(),
        way_tags=way_tags,
    )


def _line_parts(geom: Any, feature: str) -> list[Any]:
    """The lines of a LineString or MultiLineString geometry; refuses anything else."""
    if geom is None:
        msg = (
            f"{feature} is a feature without geometry, not a LineString; a road network holds "
            "only LineStrings (export roads as lines)"
        )
        raise NetworkError(msg)
    if not isinstance(geom, dict):
        msg = f"{feature}.geometry is not a GeoJSON geometry object (got {shown(geom)})"
        raise NetworkError(msg)
    gtype = geom.get("type")
    coordinates = geom.get("coordinates")
    if gtype == "LineString":
        return [coordinates]
    if gtype == "MultiLineString":
        if not isinstance(coordinates, list):
            msg = f"{feature} is a MultiLineString whose coordinates are not a list of lines"
            raise NetworkError(msg)
        return coordinates
    msg = (
        f"{feature} is a {shown(gtype) if not isinstance(gtype, str) else gtype}, not a "
        "LineString; a road network holds only LineStrings (export roads as lines)"
    )
    raise NetworkError(msg)


def _positions(part: Any, feature: str) -> list[tuple[float, float]]:
    """The ``(lon, lat)`` of each position of one line; refuses what is not finite and in range."""
    if not isinstance(part, list):
        msg = f"{feature} has a line whose coordinates are {shown(part)}, not [[lon, lat], ...]"
        raise NetworkError(msg)
    if len(part) < 2:
        msg = f"{feature} has a line with fewer than two points"
        raise NetworkError(msg)
    out = []
    for c in part:
        if (
            not isinstance(c, list)
            or len(c) < 2
            or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in c[:2])
        ):
            msg = f"{feature} has a coordinate {shown(c)} that is not [lon, lat]"
            raise NetworkError(msg)
        lon, lat = float(c[0]), float(c[1])
        if not (math.isfinite(lon) and math.isfinite(lat)):
            msg = f"{feature} has a coordinate {shown(c[:2])} that is not a finite number"
            raise NetworkError(msg)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            msg = (
                f"{feature} has a coordinate {shown(c[:2])} outside [-180..180, -90..90]; "
                "coordinates are [lon, lat]"
            )
            raise NetworkError(msg)
        out.append((lon, lat))
    return out


def _tags(props: dict[str, Any], feature: str) -> dict[str, str]:
    """The OSM tags of a feature's properties; ``highway`` is required and is text."""
    if "highway" not in props:
        msg = (
            f"{feature} has no 'highway' property; give each road its OSM class (motorway, "
            "primary, residential, track, ...)"
        )
        raise NetworkError(msg)
    highway = props["highway"]
    if isinstance(highway, list) and highway and all(isinstance(h, str) for h in highway):
        highway = ";".join(highway)  # OSMnx's simplified edges list the classes they merged
    if not isinstance(highway, str) or not highway.strip():
        msg = (
            f"{feature}.properties.highway is {shown(highway)}, not a road class; give each road "
            "its OSM class as text (motorway, primary, residential, track, ...)"
        )
        raise NetworkError(msg)
    return tags_subset({**{k: v for k, v in props.items() if v is not None}, "highway": highway})


def _way_id(props: dict[str, Any], i: int, where: str) -> int:
    """The feature's ``osm_id`` (or ``id``); ``-(i + 1)`` when it has none."""
    raw_id = props.get("osm_id", props.get("id"))
    if raw_id is None:
        return -(i + 1)
    way_id: int | None = None
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        way_id = raw_id
    elif isinstance(raw_id, float) and raw_id.is_integer():
        way_id = int(raw_id)
    elif isinstance(raw_id, str):
        try:
            way_id = int(raw_id)
        except ValueError:
            way_id = None
    if way_id is None:
        msg = f"{where}: features[{i}].properties.osm_id {shown(raw_id)} is not an integer"
        raise NetworkError(msg)
    if abs(way_id) > _INT64_MAX:
        msg = (
            f"{where}: features[{i}].properties.osm_id {shown(raw_id)} is beyond a 64-bit integer "
            "(OSM ids are far smaller); fix or remove it"
        )
        raise NetworkError(msg)
    return way_id


def load_geojson(path: str | Path, mover: Mover | str = Mover.CAR) -> RoadNetwork:
    """The network of ``mover`` in a GeoJSON file of road LineStrings.

    Each feature is one road (an OSM-like way): its properties are read as OSM tags
    (``highway``, ``name``, ``ref``, ``oneway``, ``maxspeed``, ``lanes``, ...).

    Examples
    --------
    >>> from corridor.bundled import bundled_dir
    >>> net = load_geojson(bundled_dir() / "mosul-2016" / "roads.geojson", "offroad")
    >>> net.mover.value, net.n_edges > 0
    ('offroad', True)
    """
    return network_from_ways(read_geojson_ways(path), mover, source=str(path))
