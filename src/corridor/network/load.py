"""Load the road network a scenario names, for one base mover (OSM through the cache).

Nothing here is cached between calls: :func:`load_network` reads the file each time (OSM extracts
through the on-disk, content-addressed cache of :mod:`corridor.network.cache`, so an edited file is
rebuilt). A caller that needs each mover's network once holds a :class:`NetworkLoader`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from corridor.model.network import Mover, RoadNetwork
from corridor.network.geojson import load_geojson
from corridor.network.osm import is_osm_path, load_osm


def load_network(path: str | Path, mover: Mover | str, *, kind: str | None = None) -> RoadNetwork:
    """The network of ``mover`` from an OSM extract or a GeoJSON file.

    Parameters
    ----------
    path
        An OSM extract (``.osm.pbf``, ``.osm``, ``.osm.gz``, ``.osm.bz2``) or a GeoJSON file.
    mover
        ``car``, ``foot``, ``offroad`` or ``all``.
    kind
        ``"osm"`` or ``"geojson"``; by default from the file name's suffix.
    """
    p = Path(path)
    if kind is None:
        kind = "osm" if is_osm_path(p) else "geojson"
    if kind == "osm":
        return load_osm(p, mover)
    return load_geojson(p, mover)


class NetworkLoader:
    """The networks of one network file, each base mover's loaded at most once by this object.

    Call it with a base mover to get that mover's :class:`RoadNetwork`. The networks live as long
    as the loader: hold one per scenario run (an edited file is read again by the next loader).

    Parameters
    ----------
    path
        The network file, as :func:`load_network` takes it.
    kind
        ``"osm"`` or ``"geojson"``; by default from the file name's suffix.

    Examples
    --------
    >>> import json, tempfile
    >>> road = {"type": "Feature", "properties": {"highway": "primary"},
    ...         "geometry": {"type": "LineString", "coordinates": [[43.1, 36.3], [43.2, 36.3]]}}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = Path(d) / "roads.geojson"
    ...     _ = path.write_text(json.dumps({"type": "FeatureCollection", "features": [road]}))
    ...     networks = NetworkLoader(path)
    ...     car = networks(Mover.CAR)
    ...     print(car.n_edges, networks("car") is car)
    2 True
    """

    def __init__(self, path: str | Path, *, kind: str | None = None) -> None:
        self.path = Path(path)
        self.kind = kind
        self._networks: dict[Mover, RoadNetwork] = {}
        self._lock = threading.Lock()

    def __call__(self, mover: Mover | str) -> RoadNetwork:
        """The network of ``mover``, loaded on the first call for it."""
        mover = Mover(mover)
        with self._lock:
            network = self._networks.get(mover)
            if network is None:
                network = load_network(self.path, mover, kind=self.kind)
                self._networks[mover] = network
            return network

    def __repr__(self) -> str:
        loaded = ", ".join(m.value for m in self._networks)
        return f"NetworkLoader({str(self.path)!r}, kind={self.kind!r}, loaded=[{loaded}])"
