"""Road networks from GeoJSON LineStrings with OSM-like properties.

Each LineString (or each part of a MultiLineString) is a way; vertices with exactly the same
coordinates (to 1e-7 degrees) are the same node, which is how roads join. Properties read:
``highway`` (required), ``oneway``, ``lanes``, ``maxspeed``, ``name``, ``ref``, ``osm_id`` (the way
id; features without one get ``-(index + 1)``) and the other tags of :mod:`corridor.io.tags`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from corridor.errors import InputFileError, NetworkError
from corridor.io.ways import WayTable, network_from_ways, tags_subset
from corridor.model.network import Mover, RoadNetwork


def read_geojson_ways(path: str | Path) -> WayTable:
    """The ways of a GeoJSON file of LineStrings (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such file; check the path (relative paths in a scenario are relative to the scenario file)"
        raise InputFileError(msg)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{path}: not valid JSON ({exc}); export it again as GeoJSON"
        raise NetworkError(msg) from exc
    return ways_from_geojson(data, where=str(path))


def ways_from_geojson(data: Any, *, where: str = "GeoJSON") -> WayTable:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        msg = f"{where}: expected a GeoJSON FeatureCollection of LineStrings"
        raise NetworkError(msg)
    features = data.get("features") or []
    way_ids: list[int] = []
    ptr = [0]
    coords: list[tuple[float, float]] = []
    way_tags: list[dict[str, str]] = []
    for i, feat in enumerate(features):
        geom = (feat or {}).get("geometry") or {}
        props = (feat or {}).get("properties") or {}
        gtype = geom.get("type")
        if gtype == "LineString":
            parts = [geom.get("coordinates") or []]
        elif gtype == "MultiLineString":
            parts = geom.get("coordinates") or []
        else:
            msg = (
                f"{where}: features[{i}] is a {gtype or 'feature without geometry'}, not a "
                "LineString; a road network holds only LineStrings (export roads as lines)"
            )
            raise NetworkError(msg)
        if "highway" not in props:
            msg = (
                f"{where}: features[{i}] has no 'highway' property; give each road its OSM "
                "class (motorway, primary, residential, track, ...)"
            )
            raise NetworkError(msg)
        tags = tags_subset({k: v for k, v in props.items() if v is not None})
        raw_id = props.get("osm_id", props.get("id"))
        try:
            way_id = int(raw_id) if raw_id is not None else -(i + 1)
        except (TypeError, ValueError):
            msg = f"{where}: features[{i}].properties.osm_id {raw_id!r} is not an integer"
            raise NetworkError(msg) from None
        for part in parts:
            if len(part) < 2:
                msg = f"{where}: features[{i}] has a line with fewer than two points"
                raise NetworkError(msg)
            for c in part:
                if len(c) < 2 or not all(isinstance(x, int | float) for x in c[:2]):
                    msg = f"{where}: features[{i}] has a coordinate {c!r} that is not [lon, lat]"
                    raise NetworkError(msg)
                if not (-180 <= c[0] <= 180 and -90 <= c[1] <= 90):
                    msg = (
                        f"{where}: features[{i}] has a coordinate {c[:2]!r} outside [-180..180, "
                        "-90..90]; coordinates are [lon, lat]"
                    )
                    raise NetworkError(msg)
                coords.append((float(c[0]), float(c[1])))
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
