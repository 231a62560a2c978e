"""Interoperability with networkx / OSMnx graphs.

``to_networkx`` gives a ``MultiDiGraph`` in OSMnx's conventions (graph ``crs``; node ``x``, ``y``;
edge ``osmid``, ``length``, ``highway``, ``name``, ``ref``, ``lanes`` (the OSM tag: both
directions, a string), ``speed_kph``, ``travel_time``, ``oneway``) plus corridor's
``lanes_per_direction``, ``capacity_pph`` and ``segment``; ``from_networkx``
reads such a graph (for instance one made by ``osmnx.graph_from_place``) back, filling what an
edge lacks with the OSM builder's defaults (:func:`corridor.network.defaults.road_defaults`). Lists in
attributes (OSMnx's simplified graphs) use their first element.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from corridor.errors import NetworkError
from corridor.model.network import SPEED_RULES, Mover, RoadNetwork, SpeedRule
from corridor.network import defaults, tags


def to_networkx(network: RoadNetwork) -> Any:
    """The network as a networkx ``MultiDiGraph`` in OSMnx's conventions (see the module
    docstring), one graph edge per directed edge.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> net = two_towns_one_bridge().network
    >>> g = to_networkx(net)
    >>> g.number_of_edges() == net.n_edges
    True
    >>> back = from_networkx(g)
    >>> back.n_edges == net.n_edges and bool((back.capacity_pph == net.capacity_pph).all())
    True
    """
    import networkx as nx

    g = nx.MultiDiGraph(crs="epsg:4326", corridor_mover=network.mover.value, source=network.source)
    for i in range(network.n_nodes):
        g.add_node(int(network.node_osm_id[i]), x=float(network.lon[i]), y=float(network.lat[i]))
    src = network.node_osm_id[network.src]
    dst = network.node_osm_id[network.dst]
    seg = network.segment
    _, seg_inv, seg_count = np.unique(seg, return_inverse=True, return_counts=True)
    two_way = seg_count[seg_inv] > 1
    for e in range(network.n_edges):
        attrs: dict[str, Any] = {
            "osmid": int(network.way_id[e]),
            "length": float(network.length_m[e]),
            "highway": network.edge_highway(e),
            # OSMnx keeps the raw OSM tag: lanes of both directions, as a string
            "lanes": str(int(network.lanes[e] * (1 if not two_way[e] else 2))),
            "lanes_per_direction": float(network.lanes[e]),
            "speed_kph": float(network.speed_kph[e]),
            "travel_time": float(network.travel_time_s[e]),
            "delay_s": float(network.delay_s[e]),
            "capacity_pph": int(network.capacity_pph[e]),
            "segment": int(seg[e]),
            "oneway": not bool(two_way[e]),
        }
        if network.edge_name(e):
            attrs["name"] = network.edge_name(e)
        if network.edge_ref(e):
            attrs["ref"] = network.edge_ref(e)
        g.add_edge(int(src[e]), int(dst[e]), **attrs)
    return g


def _first(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _float(value: Any) -> float:
    value = _first(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _width(value: Any) -> float:
    # OSMnx keeps the raw ``width`` tag ("3", "3.5 m"): parse it as the OSM builder does
    value = _first(value)
    return tags.parse_number(None if value is None else str(value))


def from_networkx(graph: Any, mover: Mover | str = Mover.CAR) -> RoadNetwork:
    """A RoadNetwork from a networkx (Multi)DiGraph in OSMnx's conventions.

    Every directed edge of the graph becomes one edge. Node ``x``/``y`` are required. Missing
    ``length`` is computed; missing ``speed_kph``, lanes and ``capacity_pph`` follow the class
    defaults of :func:`corridor.network.defaults.road_defaults`, as in the OSM builder (a ``width``
    attribute sets a walker's capacity); a graph edge and its reverse with the same ``osmid``
    share a segment (closing one closes both).
    """
    mover = Mover(mover)
    nodes = list(graph.nodes)
    if not nodes:
        msg = "the networkx graph has no nodes"
        raise NetworkError(msg)
    index = {n: i for i, n in enumerate(nodes)}
    try:
        lon = np.array([float(graph.nodes[n]["x"]) for n in nodes])
        lat = np.array([float(graph.nodes[n]["y"]) for n in nodes])
    except KeyError as exc:
        msg = f"networkx graph: node without {exc} attribute; nodes need 'x' (lon) and 'y' (lat)"
        raise NetworkError(msg) from None
    try:
        node_ids = np.array([int(n) for n in nodes], dtype=np.int64)
    except (TypeError, ValueError):
        node_ids = np.arange(1, len(nodes) + 1, dtype=np.int64)
    is_multi = graph.is_multigraph()
    edges = (
        list(graph.edges(keys=True, data=True))
        if is_multi
        else [(u, v, 0, d) for u, v, d in graph.edges(data=True)]
    )
    m = len(edges)
    src = np.array([index[u] for u, _, _, _ in edges], dtype=np.int64)
    dst = np.array([index[v] for _, v, _, _ in edges], dtype=np.int64)
    way = np.array(
        [int(_float(d.get("osmid", -(i + 1)))) for i, (_, _, _, d) in enumerate(edges)],
        dtype=np.int64,
    )
    highway = np.array([str(_first(d.get("highway", "")) or "") for *_, d in edges], dtype=object)
    name = np.array([str(_first(d.get("name", "")) or "") for *_, d in edges], dtype=object)
    ref = np.array([str(_first(d.get("ref", "")) or "") for *_, d in edges], dtype=object)
    length = np.array([_float(d.get("length")) for *_, d in edges])
    speed = np.array([_float(d.get("speed_kph")) for *_, d in edges])
    lanes = np.array([_float(d.get("lanes_per_direction", d.get("lanes"))) for *_, d in edges])
    width = np.array([_width(d.get("width")) for *_, d in edges])
    cap = np.array([_float(d.get("capacity_pph")) for *_, d in edges])
    delay = np.array([_float(d.get("delay_s")) for *_, d in edges])
    delay = np.where(np.isfinite(delay) & (delay > 0), delay, 0.0)

    # segments: an edge and its reverse on the same way share one
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keys = np.stack([lo, hi, way], axis=1) if m else np.zeros((0, 3), dtype=np.int64)
    _, segment = np.unique(keys, axis=0, return_inverse=True)
    segment = segment.reshape(-1)
    # OSMnx keeps the raw OSM ``lanes`` tag (a string: both directions together); corridor's own
    # ``lanes`` (a number, as to_networkx writes it) is per direction. Split raw tags as the OSM
    # builder does (an edge whose reverse shares its segment is on a two-way road).
    raw_lanes = np.array(
        [
            "lanes_per_direction" not in d and isinstance(_first(d.get("lanes")), str)
            for *_, d in edges
        ],
        dtype=bool,
    )
    two_way = np.bincount(segment, minlength=m)[segment] > 1 if m else np.zeros(0, dtype=bool)
    lanes = np.where(raw_lanes, defaults.split_lanes(lanes, two_way=two_way), lanes)

    classes, class_code = np.unique(highway.astype(str), return_inverse=True)
    by_class = defaults.road_defaults(
        (tuple(str(c) for c in classes), class_code.reshape(-1)),
        mover,
        lanes=lanes,
        width_m=width,
    )
    rule = np.full(m, SPEED_RULES.index(SpeedRule.GIVEN), dtype=np.int8)
    missing = ~np.isfinite(speed)
    speed[missing] = by_class.speed_kph[missing]
    rule[missing] = SPEED_RULES.index(SpeedRule.DEFAULT_TABLE)
    if mover.on_foot:
        speed = by_class.speed_kph  # walkers walk, whatever the graph says
        rule[:] = SPEED_RULES.index(SpeedRule.FOOT)
    cap = np.where(np.isfinite(cap), np.rint(cap), by_class.capacity_pph)
    return RoadNetwork.from_edges(
        mover=mover,
        node_osm_id=node_ids,
        lon=lon,
        lat=lat,
        src=src,
        dst=dst,
        way_id=way,
        segment=segment.astype(np.int64),
        name=name,
        ref=ref,
        highway=highway,
        speed_kph=speed,
        speed_rule=rule,
        lanes=by_class.lanes,
        capacity_pph=cap.astype(np.int64),
        length_m=None if not np.isfinite(length).all() else length,
        delay_s=None if mover.on_foot else delay,
        source="networkx graph",
    )
