"""Roads as a map reader sees them: the ways of one ref or name, their connected pieces, the gaps
between the pieces, and the road followed from one place to another.

In real OSM the ways of one road rarely connect among themselves: roundabouts and link roads
carry no ``ref`` (in Andorra the ways tagged CG-1 form four pieces), and a road's name changes at
a junction. :func:`road_between_mask` follows the road across such joins, each at most
:data:`JOIN_M` metres of other road of the same network, so that one road on the map is one road
here. Only the edges that carry the ref or name are closed: the roundabouts and links followed
stay open for the traffic that crosses them.

Examples
--------
>>> from corridor.testing import network_from_segments
>>> net = network_from_segments(
...     [(0.0, 0.0), (0.001, 0.0), (0.002, 0.0), (0.003, 0.0)], [(0, 1), (1, 2), (2, 3)],
...     refs=["N1", "", "N1"])
>>> mask = road_mask(net, ref="N1")
>>> road_pieces(net, mask).n_pieces
2
>>> hit = road_between_mask(net, mask, (0.0, 0.0), (0.003, 0.0), "road N1")
>>> sorted(set(net.way_id[hit].tolist()))
[1, 3]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.errors import AreaError, UnknownIdError
from corridor.model.areas import haversine_m
from corridor.model.network import RoadNetwork

JOIN_M = 500.0
"""The longest join (metres of other road: a roundabout, a link road, a stretch whose ref or name
is missing) that :func:`road_between_mask` follows between two pieces of one road."""

MAX_GAP_PIECES = 100
"""Gaps are computed between at most this many pieces of one road (a name shared by hundreds of
streets across a country is not one road): beyond, only the count is given."""


def _codes(table: tuple[str, ...], wanted: str, *, split: bool) -> NDArray[np.bool_]:
    w = wanted.strip().casefold()
    return np.array(
        [
            w in ({p.strip().casefold() for p in s.split(";")} if split else {s.strip().casefold()})
            for s in table
        ],
        dtype=bool,
    )


def road_mask(
    network: RoadNetwork, *, ref: str | None = None, name: str | None = None
) -> NDArray[np.bool_]:
    """The edges that carry ``ref`` (one of a ``;``-list) or ``name`` (case aside), per edge."""
    if (ref is None) == (name is None):
        msg = "give exactly one of ref or name"
        raise ValueError(msg)
    if ref is not None:
        return _codes(network.refs, ref, split=True)[network.ref_code]
    assert name is not None
    return _codes(network.names, name, split=False)[network.name_code]


@dataclass(frozen=True)
class RoadPieces:
    """The connected pieces of a set of edges (undirected)."""

    edges: NDArray[np.int64]
    """The edges, ascending."""
    piece_of_edge: NDArray[np.int64]
    nodes: NDArray[np.int64]
    """The nodes they touch, ascending."""
    piece_of_node: NDArray[np.int64]
    n_pieces: int


def road_pieces(network: RoadNetwork, mask: NDArray[np.bool_]) -> RoadPieces:
    """The connected pieces of the edges in ``mask``, numbered from the longest piece down."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    e = np.flatnonzero(mask).astype(np.int64)
    nodes, inv = np.unique(np.concatenate([network.src[e], network.dst[e]]), return_inverse=True)
    k = len(nodes)
    if k == 0:
        empty = np.zeros(0, dtype=np.int64)
        return RoadPieces(e, empty, nodes.astype(np.int64), empty, 0)
    u, v = inv[: len(e)], inv[len(e) :]
    g = sp.coo_matrix((np.ones(len(e)), (u, v)), shape=(k, k))
    n, labels = connected_components(g, directed=False)
    # number pieces by length, longest first (ties by their first edge), so output is stable
    length = np.bincount(labels[u], weights=network.length_m[e], minlength=n)
    first = np.full(n, len(e), dtype=np.int64)
    np.minimum.at(first, labels[u], np.arange(len(e)))
    order = np.lexsort((first, -length))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return RoadPieces(e, rank[labels[u]], nodes.astype(np.int64), rank[labels], n)


def _xy(network: RoadNetwork, nodes: NDArray[np.int64]) -> NDArray[np.float64]:
    """Nodes in local metres (equirectangular about their mean latitude): for nearest-node
    searches; distances reported are great-circle."""
    lat0 = float(np.mean(network.lat[nodes])) if len(nodes) else 0.0
    return np.c_[
        network.lon[nodes] * 111_320.0 * np.cos(np.radians(lat0)), network.lat[nodes] * 110_574.0
    ]


@dataclass(frozen=True)
class Gap:
    """Where two pieces of one road come nearest: piece ``a`` at node ``node_a``, piece ``b``
    at ``node_b``, ``distance_m`` apart."""

    a: int
    b: int
    node_a: int
    node_b: int
    distance_m: float


def piece_gaps(network: RoadNetwork, pieces: RoadPieces) -> list[Gap]:
    """The gaps that join all pieces at the least total distance (a minimum spanning tree over
    the pieces, each pair weighed by its nearest nodes), shortest first; empty for one piece or
    more than :data:`MAX_GAP_PIECES`."""
    p = pieces.n_pieces
    if p < 2 or p > MAX_GAP_PIECES:
        return []
    import scipy.sparse as sp
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import cKDTree

    xy = _xy(network, pieces.nodes)
    members = [np.flatnonzero(pieces.piece_of_node == i) for i in range(p)]
    trees = [cKDTree(xy[m]) for m in members]
    best: dict[tuple[int, int], tuple[float, int, int]] = {}
    for i in range(p):
        for j in range(i + 1, p):
            d, k = trees[j].query(xy[members[i]])
            at = int(np.argmin(d))
            best[(i, j)] = (float(d[at]) + 1e-3, int(members[i][at]), int(members[j][int(k[at])]))
    rows, cols = zip(*best, strict=True)
    w = [best[k][0] for k in best]
    mst = minimum_spanning_tree(sp.coo_matrix((w, (rows, cols)), shape=(p, p))).tocoo()
    gaps = []
    for i, j in zip(mst.row.tolist(), mst.col.tolist(), strict=True):
        a, b = min(i, j), max(i, j)
        _, na, nb = best[(a, b)]
        u, v = int(pieces.nodes[na]), int(pieces.nodes[nb])
        dist = float(haversine_m(network.lon[v], network.lat[v], network.lon[u], network.lat[u]))
        gaps.append(Gap(a, b, u, v, round(dist, 1)))
    return sorted(gaps, key=lambda g: (g.distance_m, g.a, g.b))


def piece_ends(network: RoadNetwork, pieces: RoadPieces, i: int) -> tuple[int, int]:
    """The two nodes of piece ``i`` farthest apart among its dead ends (all its nodes when it
    has fewer than two, as a loop): where the piece starts and ends, west end first."""
    e = pieces.edges[pieces.piece_of_edge == i]
    ends = np.concatenate([network.src[e], network.dst[e]])
    # a node touched by one segment (both directions of it count once) is a dead end
    seg_ends = np.unique(np.c_[np.r_[network.segment[e], network.segment[e]], ends], axis=0)
    nodes, count = np.unique(seg_ends[:, 1], return_counts=True)
    cand = nodes[count == 1]
    if len(cand) < 2:
        cand = nodes
    xy = _xy(network, cand)
    a = int(np.argmax(((xy - xy[0]) ** 2).sum(axis=1)))
    b = int(np.argmax(((xy - xy[a]) ** 2).sum(axis=1)))
    u, v = int(cand[a]), int(cand[b])
    if (network.lon[v], network.lat[v]) < (network.lon[u], network.lat[u]):
        u, v = v, u
    return u, v


def _nearest_node(
    network: RoadNetwork, nodes: NDArray[np.int64], point: tuple[float, float]
) -> int:
    d = haversine_m(network.lon[nodes], network.lat[nodes], point[0], point[1])
    return int(nodes[int(np.argmin(d))])


def _graph(network: RoadNetwork, edges: NDArray[np.int64]) -> Any:
    import scipy.sparse as sp

    n = network.n_nodes
    return sp.csr_matrix(
        (network.length_m[edges] + 1e-6, (network.src[edges], network.dst[edges])), shape=(n, n)
    )


def joins(
    network: RoadNetwork, mask: NDArray[np.bool_], *, join_m: float = JOIN_M
) -> NDArray[np.bool_]:
    """The edges outside ``mask`` that join two of its pieces within ``join_m`` metres of other
    road: for every pair of pieces that such a join links, the shortest one (both directions).

    Exact: one search per piece, limited to ``join_m``, over the other roads within ``join_m``
    of the road (no join can leave them), so its cost grows with the road's surroundings, not
    with the network."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    pieces = road_pieces(network, mask)
    out = np.zeros(network.n_edges, dtype=bool)
    if pieces.n_pieces < 2:
        return out
    other = np.flatnonzero(~mask).astype(np.int64)
    near_d = dijkstra(
        _graph(network, other), directed=False, indices=pieces.nodes, min_only=True, limit=join_m
    )
    near = np.flatnonzero(np.isfinite(near_d))
    local = np.full(network.n_nodes, -1, dtype=np.int64)
    local[near] = np.arange(len(near))
    lu, lv = local[network.src[other]], local[network.dst[other]]
    inside = (lu >= 0) & (lv >= 0)
    sub_edges = other[inside]
    k = len(near)
    sub = sp.csr_matrix(
        (network.length_m[sub_edges] + 1e-6, (lu[inside], lv[inside])), shape=(k, k)
    )
    members = [local[pieces.nodes[pieces.piece_of_node == i]] for i in range(pieces.n_pieces)]
    keys: list[int] = []
    n = network.n_nodes
    for i in range(pieces.n_pieces - 1):
        dist, pred, _ = dijkstra(
            sub,
            directed=False,
            indices=members[i],
            min_only=True,
            limit=join_m,
            return_predecessors=True,
        )
        for j in range(i + 1, pieces.n_pieces):
            d = dist[members[j]]
            at = int(np.argmin(d))
            if not np.isfinite(d[at]) or d[at] <= 0:
                continue  # out of reach, or the pieces touch (no join needed)
            x = int(members[j][at])
            while pred[x] >= 0:
                y = int(pred[x])
                gx, gy = int(near[x]), int(near[y])
                keys += [gy * n + gx, gx * n + gy]
                x = y
    out = np.isin(network.src.astype(np.int64) * n + network.dst, np.asarray(keys, dtype=np.int64))
    return network.segment_mask(np.flatnonzero(out & ~mask))


def road_between_mask(
    network: RoadNetwork,
    mask: NDArray[np.bool_],
    a: tuple[float, float],
    b: tuple[float, float],
    what: str,
    *,
    a_name: str = "A",
    b_name: str = "B",
    join_m: float = JOIN_M,
) -> NDArray[np.bool_]:
    """The edges of the road in ``mask`` on its shortest run (by length) from the road node
    nearest to point ``a`` to the one nearest to ``b``, following joins of at most ``join_m``
    metres between its pieces (:func:`joins`); the joins themselves are not included.

    Raises
    ------
    UnknownIdError
        When ``mask`` holds no edge.
    AreaError
        When no run joins the two even so: the message says how many pieces the road has,
        where the gap is, the nearest way ids, and a target that works.
    """
    from scipy.sparse.csgraph import dijkstra

    if not mask.any():
        msg = f"closure: no {what} in the {network.mover.value} network"
        raise UnknownIdError(msg)
    road = np.flatnonzero(mask).astype(np.int64)
    link = joins(network, mask, join_m=join_m)
    usable = np.flatnonzero(mask | link).astype(np.int64)
    road_nodes = np.unique(np.concatenate([network.src[road], network.dst[road]]))
    na, nb = _nearest_node(network, road_nodes, a), _nearest_node(network, road_nodes, b)
    if na == nb:
        msg = (
            f"closure: {what} does not run from {a_name!r} to {b_name!r}: it comes nearest to "
            f"both at the same point {_pt(network, na)}; check the two places, or close the road "
            f"there with `point: {_pt(network, na)}, radius_m: 50`"
        )
        raise AreaError(msg)
    dist, pred = dijkstra(
        _graph(network, usable), directed=False, indices=na, return_predecessors=True
    )
    if not np.isfinite(dist[nb]):
        raise AreaError(_not_joined(network, mask, na, nb, what, a_name, b_name, join_m))
    path = [nb]
    while path[-1] != na:
        path.append(int(pred[path[-1]]))
    n = network.n_nodes
    keys = np.array(path[:-1], dtype=np.int64) * n + np.array(path[1:], dtype=np.int64)
    keys = np.r_[keys, np.array(path[1:], dtype=np.int64) * n + np.array(path[:-1], dtype=np.int64)]
    on_path = np.isin(network.src.astype(np.int64) * n + network.dst, keys)
    return on_path & mask


def _pt(network: RoadNetwork, v: int) -> str:
    return f"[{network.lon[v]:.5f}, {network.lat[v]:.5f}]"


def _not_joined(
    network: RoadNetwork,
    mask: NDArray[np.bool_],
    na: int,
    nb: int,
    what: str,
    a_name: str,
    b_name: str,
    join_m: float,
) -> str:
    """Why the road does not join A to B, and what to write instead."""
    pieces = road_pieces(network, mask)
    piece = np.full(network.n_nodes, -1, dtype=np.int64)
    piece[pieces.nodes] = pieces.piece_of_node
    pa, pb = int(piece[na]), int(piece[nb])

    def ways_of(p: int) -> list[int]:
        return sorted(set(network.way_id[pieces.edges[pieces.piece_of_edge == p]].tolist()))

    from scipy.sparse.csgraph import connected_components

    link = joins(network, mask, join_m=join_m)
    usable = np.flatnonzero(mask | link)
    runs, _ = connected_components(_graph(network, usable.astype(np.int64)), directed=False)
    runs -= network.n_nodes - len(np.unique(np.r_[network.src[usable], network.dst[usable]]))
    gap = ""
    bottleneck = _bottleneck(piece_gaps(network, pieces), pa, pb)
    if bottleneck is not None:
        g = bottleneck
        mid = (
            (network.lon[g.node_a] + network.lon[g.node_b]) / 2,
            (network.lat[g.node_a] + network.lat[g.node_b]) / 2,
        )
        gap = (
            f"; the gap that stops it is {g.distance_m:,.0f} m wide, between "
            f"{_pt(network, g.node_a)} and {_pt(network, g.node_b)} (around "
            f"[{mid[0]:.5f}, {mid[1]:.5f}])"
        )
    wa, wb = ways_of(pa), ways_of(pb)
    shown = ", ".join(map(str, (wa + [w for w in wb if w not in wa])[:12]))
    return (
        f"closure: {what} does not run from {a_name!r} to {b_name!r} in the {network.mover.value} "
        f"network: its ways form {pieces.n_pieces} pieces, and joined across gaps of up to "
        f"{join_m:,.0f} m of other road they still make {runs} runs; {a_name!r} is nearest piece {pa + 1} (ways "
        f"{', '.join(map(str, wa[:6]))}{', ...' if len(wa) > 6 else ''}, node "
        f"{_pt(network, na)}), {b_name!r} nearest piece {pb + 1} (ways "
        f"{', '.join(map(str, wb[:6]))}{', ...' if len(wb) > 6 else ''}, node {_pt(network, nb)})"
        f"{gap}; close the ways you mean with `ways: [{shown}]`, or a point on the road with "
        f"`point: {_pt(network, na)}, radius_m: 50`"
    )


def _bottleneck(gaps: list[Gap], a: int, b: int) -> Gap | None:
    """The widest gap on the way from piece ``a`` to piece ``b`` through the gaps (a tree)."""
    adj: dict[int, list[Gap]] = {}
    for g in gaps:
        adj.setdefault(g.a, []).append(g)
        adj.setdefault(g.b, []).append(g)
    seen: dict[int, Gap | None] = {a: None}
    stack = [a]
    while stack:
        x = stack.pop()
        for g in adj.get(x, []):
            y = g.b if g.a == x else g.a
            if y not in seen:
                seen[y] = g
                stack.append(y)
    if b not in seen:
        return None
    path: list[Gap] = []
    x = b
    while (step := seen[x]) is not None:
        path.append(step)
        x = step.b if step.a == x else step.a
    return max(path, key=lambda g: g.distance_m) if path else None


def suggest_names(network: RoadNetwork, name: str, *, n: int = 3) -> list[str]:
    """The network's road names nearest in spelling to ``name`` (difflib)."""
    import difflib

    table = {s.casefold(): s for s in network.names if s}
    close = difflib.get_close_matches(name.casefold(), list(table), n=n, cutoff=0.6)
    return [table[c] for c in close]


def suggest_refs(network: RoadNetwork, ref: str, *, n: int = 3) -> list[str]:
    """The network's refs nearest in spelling to ``ref`` (difflib)."""
    import difflib

    table = {
        p.strip().casefold(): p.strip() for s in network.refs for p in s.split(";") if p.strip()
    }
    close = difflib.get_close_matches(ref.strip().casefold(), list(table), n=n, cutoff=0.5)
    return [table[c] for c in close]
