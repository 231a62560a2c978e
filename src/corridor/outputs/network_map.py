"""A bare network map: the roads of an extract with no scenario (``corridor map EXTRACT``).

Before a scenario exists, a user needs to see where the roads are: one self-contained offline
HTML page (Leaflet inlined, as :mod:`corridor.outputs.map`) with the mover's roads by class (the
map's own ``roads`` layer, the OSM way id in each popup), a label per road (its name and ref) on
each connected piece of it, the extract's OSM place nodes and its border crossings
(``barrier=border_control``), over the bundled offline borders. The page's script is
``assets/network_map.js``, small and separate from the scenario map's; both draw with the
shared ``assets/draw.js``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any, Protocol

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from corridor.model.network import RoadNetwork
from corridor.outputs.layers import (
    ASSETS,
    FeatureCollection,
    _collection,
    _feature,
    _one_per_segment,
    _pt,
    borders_layer,
    roads_layer,
)
from corridor.outputs.map import _leaflet, _script_json, draw_script, draw_style

#: The bare map's layers, in drawing order (bottom first), with their titles in the page.
NETWORK_LAYERS: dict[str, str] = {
    "roads": "Road network (by class)",
    "labels": "Road names and refs",
    "places": "Places (OSM place nodes)",
    "crossings": "Border crossings",
}


class PlaceNode(Protocol):
    """An OSM place node as the map takes it (:class:`corridor.network.places.OsmPlace`)."""

    @property
    def osm_id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def lon(self) -> float: ...
    @property
    def lat(self) -> float: ...
    @property
    def population(self) -> int | None: ...


def labels_layer(network: RoadNetwork) -> FeatureCollection:
    """One point per connected piece of each named road: where its label goes.

    A road is what carries one label, "name (ref)" (or the name, or the ref; unnamed roads get
    none); each connected piece of it gets one point, at the middle of its longest segment,
    with ``label``, ``ref``, ``name``, ``highway`` (of that segment), ``length_m`` of the piece
    and ``osm_ways`` (count). Longest pieces first: the page labels those first.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments(
    ...     [(0, 0), (0.01, 0), (0.02, 0), (0.5, 0), (0.51, 0)],
    ...     [(0, 1), (1, 2), (3, 4)],
    ...     refs=["A1", "A1", "A1"],
    ... )
    >>> [f["properties"]["label"] for f in labels_layer(net)["features"]]
    ['A1', 'A1']
    """
    net = network
    edges = _one_per_segment(net, np.arange(net.n_edges, dtype=np.int64))
    label = np.array([net.road_label(int(e)) for e in edges], dtype=object)
    named = np.array([bool(net.edge_ref(int(e)) or net.edge_name(int(e))) for e in edges])
    edges, label = edges[named], label[named]
    if len(edges) == 0:
        return _collection([], layer="labels")
    keys, key = np.unique(label.astype(str), return_inverse=True)
    # nodes of one road joined by its segments; a node shared by two roads counts once per road
    ends = np.concatenate([key * net.n_nodes + net.src[edges], key * net.n_nodes + net.dst[edges]])
    ids, at = np.unique(ends, return_inverse=True)
    a, b = at[: len(edges)], at[len(edges) :]
    graph = coo_matrix((np.ones(len(edges)), (a, b)), shape=(len(ids), len(ids)))
    _, comp = connected_components(graph, directed=False)
    piece = comp[a]
    length = net.length_m[edges]
    total = np.bincount(piece, weights=length)
    ways: dict[int, set[int]] = {}
    for p, w in zip(piece.tolist(), net.way_id[edges].tolist(), strict=True):
        ways.setdefault(p, set()).add(int(w))
    # per piece, its longest segment
    order = np.lexsort((-length, piece))
    first = order[np.r_[True, piece[order][1:] != piece[order][:-1]]]
    feats = []
    for i in sorted(first.tolist(), key=lambda j: (-total[piece[j]], label[j], int(edges[j]))):
        e = int(edges[i])
        feats.append(
            _feature(
                {"type": "Point", "coordinates": _pt(net.edge_mid_lon[e], net.edge_mid_lat[e])},
                layer="labels",
                label=str(keys[key[i]]),
                ref=net.edge_ref(e),
                name=net.edge_name(e),
                highway=net.edge_highway(e),
                length_m=round(float(total[piece[i]]), 1),
                osm_ways=len(ways[int(piece[i])]),
            )
        )
    return _collection(feats, layer="labels")


def places_layers(places: Iterable[PlaceNode]) -> tuple[FeatureCollection, FeatureCollection]:
    """The OSM place nodes (city, town, village, hamlet, suburb) and the border crossings, as
    two point layers with ``name``, ``kind``, ``population`` and ``osm_id``."""
    settle: list[dict[str, Any]] = []
    cross: list[dict[str, Any]] = []
    for p in places:
        f = _feature(
            {"type": "Point", "coordinates": _pt(p.lon, p.lat)},
            layer="crossings" if p.kind == "border_control" else "places",
            name=p.name,
            kind=p.kind,
            population=p.population,
            osm_id=int(p.osm_id),
        )
        (cross if p.kind == "border_control" else settle).append(f)
    return _collection(settle, layer="places"), _collection(cross, layer="crossings")


def network_map_data(
    network: RoadNetwork,
    places: Iterable[PlaceNode] = (),
    *,
    title: str,
    tiles: str | None = None,
) -> dict[str, Any]:
    """Everything the bare map embeds: its layers (:data:`NETWORK_LAYERS`, and the borders),
    titles, bounds and the counts its header shows."""
    net = network
    lo = net.bounds
    settle, cross = places_layers(places)
    layers = {
        "roads": roads_layer(net),
        "labels": labels_layer(net),
        "places": settle,
        "crossings": cross,
    }
    return {
        "title": title,
        "mover": net.mover.value,
        "source": net.source,
        "bounds": [lo[0], lo[1], lo[2], lo[3]],
        "tiles": tiles,
        "titles": NETWORK_LAYERS,
        "counts": {k: len(v["features"]) for k, v in layers.items()},
        "layers": layers,
        "borders": borders_layer(lo),
    }


def network_map_html(
    network: RoadNetwork,
    places: Iterable[PlaceNode] = (),
    *,
    title: str,
    tiles: str | None = None,
) -> str:
    """The bare network map as one self-contained HTML page (no request unless ``tiles``).

    Parameters
    ----------
    network
        The mover's network of the extract.
    places
        The extract's OSM place nodes and border crossings
        (:func:`corridor.network.places.read_places`).
    title
        What the page is called (the extract's file name).
    tiles
        A tile URL template for an online background; without it the page makes no request.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> page = network_map_html(two_towns_one_bridge().network, title="two towns")
    >>> page.startswith("<!DOCTYPE html>"), "corridor-network-data" in page
    (True, True)
    """
    data = network_map_data(network, places, title=title, tiles=tiles)
    js, css = _leaflet()
    assets = resources.files("corridor.outputs") / ASSETS
    page = (assets / "network_map.html").read_text(encoding="utf-8")
    replacements = {
        "{{TITLE}}": html.escape(f"{title} · corridor road map"),
        "{{LEAFLET_CSS}}": css,
        "{{MAP_CSS}}": (assets / "map.css").read_text(encoding="utf-8"),
        "{{LEAFLET_JS}}": js.replace("</script", "<\\/script"),
        "{{DATA}}": _script_json(data),
        "{{DRAW_JS}}": draw_script(),
        "{{DRAW_CSS}}": draw_style(),
        "{{MAP_JS}}": (assets / "network_map.js").read_text(encoding="utf-8"),
    }
    return re.sub(r"\{\{[A-Z_]+\}\}", lambda m: replacements[m.group(0)], page)
