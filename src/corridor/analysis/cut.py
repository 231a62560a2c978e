"""Minimum cuts, critical segments and capacity (maximum flow), on the merged flow graph.

Maximum flow is scipy.sparse.csgraph's Dinic (C), over the open chains
(:mod:`corridor.analysis.chains`). The cut is read off the residual graph: the origin's side is
what the source still reaches; the cut is the chains from that side to the other, each reported
by its segment of least capacity (closing any one segment of a chain closes the chain). With unit
capacity per directed chain a two-way road counts once, because only its direction leaving the
origin's side crosses the cut; closing the segment closes both.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from corridor.analysis.contract import SINK, SOURCE, FlowGraph, flow_graph
from corridor.analysis.results import CutResult, FlowResult
from corridor.model.situation import Situation

_INT32_MAX = np.iinfo(np.int32).max


def _max_flow(
    fg: FlowGraph, weights: NDArray[np.int64]
) -> tuple[int, sp.csr_matrix, sp.csr_matrix]:
    cap = fg.matrix(weights)
    if cap.nnz and cap.data.max() > _INT32_MAX:
        msg = "edge capacities exceed 2**31 persons per hour; check the capacity table"
        raise OverflowError(msg)
    cap32 = sp.csr_matrix((cap.data.astype(np.int32), cap.indices, cap.indptr), shape=cap.shape)
    res = maximum_flow(cap32, SOURCE, SINK, method="dinic")
    flow = res.flow.tocsr()
    return int(res.flow_value), cap, flow


def _residual(cap: sp.csr_matrix, flow: sp.csr_matrix) -> sp.csr_matrix:
    r = (cap.astype(np.int64) - flow.astype(np.int64)).tocsr()
    r.data = (r.data > 0).astype(np.int8)
    r.eliminate_zeros()
    return r


def _source_side(residual: sp.csr_matrix) -> NDArray[np.int64]:
    order = breadth_first_order(residual, SOURCE, directed=True, return_predecessors=False)
    return np.asarray(order, dtype=np.int64)


def _weights(situation: Situation, fg: FlowGraph, weight: str) -> NDArray[np.int64]:
    if weight == "count":
        return np.ones(len(fg.edge), dtype=np.int64)
    return situation.network.capacity_pph[fg.edge]


def _cut_from_flow(
    situation: Situation,
    fg: FlowGraph,
    value: int,
    cap: sp.csr_matrix,
    flow: sp.csr_matrix,
    weight: Literal["count", "capacity"],
) -> CutResult:
    side = np.zeros(fg.n, dtype=bool)
    side[_source_side(_residual(cap, flow))] = True
    crossing = side[fg.u] & ~side[fg.v]
    edges = np.sort(fg.edge[crossing])
    net = situation.network
    result = CutResult(
        weight=weight,
        edges=edges,
        count=len(edges),
        capacity_pph=int(net.capacity_pph[edges].sum()),
        origin_side=np.flatnonzero(side[fg.node_map]).astype(np.int64),
    )
    expected = result.count if weight == "count" else result.capacity_pph
    if expected != value:  # max-flow/min-cut duality; a failure here is a bug, not bad input
        msg = f"min cut {expected} differs from max flow {value}"
        raise AssertionError(msg)
    return result


def _critical_from_flow(
    fg: FlowGraph, value: int, cap: sp.csr_matrix, flow: sp.csr_matrix
) -> NDArray[np.int64]:
    if value != 1:
        return np.zeros(0, dtype=np.int64)
    _, comp = connected_components(_residual(cap, flow), directed=True, connection="strong")
    c = np.asarray(cap[fg.u, fg.v]).ravel()
    f = np.asarray(flow[fg.u, fg.v]).ravel()
    candidate = (c == 1) & (f == 1) & (comp[fg.u] != comp[fg.v])
    # a critical chain: closing any one of its segments seals the origin
    return np.sort(fg.chains.edges_of(fg.chain[candidate]))


def min_cut_and_critical(situation: Situation) -> tuple[CutResult, NDArray[np.int64]]:
    """``min_cut(weight="count")`` and ``critical_segments`` from one maximum flow."""
    fg = flow_graph(situation)
    value, cap, flow = _max_flow(fg, np.ones(len(fg.edge), dtype=np.int64))
    return (
        _cut_from_flow(situation, fg, value, cap, flow, "count"),
        _critical_from_flow(fg, value, cap, flow),
    )


def min_cut(situation: Situation, *, weight: Literal["count", "capacity"] = "count") -> CutResult:
    """The fewest road segments (or the least capacity) whose closure seals the origin.

    Parameters
    ----------
    situation
        Open-edge mask, origin nodes and exit nodes for one mover at one instant.
    weight
        "count" minimises the number of segments; "capacity" the persons per hour cut.

    Returns
    -------
    CutResult
        The cut edges (one directed edge per segment, leaving the origin's side), their count
        and capacity, and the road nodes on the origin's side. Empty when already sealed.
    """
    fg = flow_graph(situation)
    value, cap, flow = _max_flow(fg, _weights(situation, fg, weight))
    return _cut_from_flow(situation, fg, value, cap, flow, weight)


def critical_segments(situation: Situation) -> NDArray[np.int64]:
    """Edges whose segment, closed alone, seals the origin from every exit.

    A segment is critical exactly when the unit-capacity maximum flow is 1 and its edge is in
    some minimum cut: saturated, with its two ends in different strongly connected components
    of the residual graph (Picard and Queyranne, 1980).
    """
    fg = flow_graph(situation)
    value, cap, flow = _max_flow(fg, np.ones(len(fg.edge), dtype=np.int64))
    return _critical_from_flow(fg, value, cap, flow)


def _flow_result(
    situation: Situation, fg: FlowGraph, value: int, flow: sp.csr_matrix
) -> FlowResult:
    net = situation.network
    if len(fg.edge) == 0:  # no open edge leaves the origin (and fancy indexing below fails)
        return FlowResult(value_pph=value, edge_flow_pph=np.zeros(net.n_edges, dtype=np.int64))
    per_entry = np.asarray(flow[fg.u, fg.v]).ravel().astype(np.int64)
    # split an entry's flow over its parallel chains in edge order, up to each capacity
    edge_flow = np.zeros(net.n_edges, dtype=np.int64)
    caps = net.capacity_pph[fg.edge]
    key = fg.u * fg.n + fg.v
    order = np.lexsort((fg.edge, key))
    k_sorted = key[order]
    start = np.r_[True, k_sorted[1:] != k_sorted[:-1]]
    group = np.cumsum(start) - 1
    cum_before = np.cumsum(caps[order]) - caps[order]
    group_first_cum = cum_before[start][group]
    already = cum_before - group_first_cum
    take = np.clip(np.maximum(per_entry[order], 0) - already, 0, caps[order])
    c = fg.chains
    chain_flow = np.zeros(c.n, dtype=np.int64)
    chain_flow[fg.chain[order]] = take
    edge_flow[c.members] = chain_flow[c.chain_of_edge[c.members]]
    return FlowResult(value_pph=value, edge_flow_pph=edge_flow)


def max_flow(situation: Situation) -> FlowResult:
    """Persons per hour the open roads can carry from the origin to the exits (all together)."""
    fg = flow_graph(situation)
    value, _cap, flow = _max_flow(fg, situation.network.capacity_pph[fg.edge])
    return _flow_result(situation, fg, value, flow)


def capacity_cut_and_flow(situation: Situation) -> tuple[CutResult, FlowResult]:
    """``min_cut(weight="capacity")`` and ``max_flow`` from one maximum flow."""
    fg = flow_graph(situation)
    value, cap, flow = _max_flow(fg, situation.network.capacity_pph[fg.edge])
    return (
        _cut_from_flow(situation, fg, value, cap, flow, "capacity"),
        _flow_result(situation, fg, value, flow),
    )
