"""Load the road network a scenario names, for one base mover (OSM through the cache)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from corridor.io.geojson import load_geojson
from corridor.io.osm import is_osm_path, load_osm
from corridor.model.network import Mover, RoadNetwork


@lru_cache(maxsize=16)
def _load(path: str, kind: str, mover: str) -> RoadNetwork:
    if kind == "osm":
        return load_osm(path, mover)
    return load_geojson(path, mover)


def load_network(path: str | Path, mover: Mover | str, *, kind: str | None = None) -> RoadNetwork:
    """The network of ``mover`` from an OSM extract or a GeoJSON file (kind from the suffix)."""
    p = Path(path)
    if kind is None:
        kind = "osm" if is_osm_path(p) else "geojson"
    return _load(str(p), kind, Mover(mover).value)
