"""Minimum cuts, critical segments and capacity (maximum flow), on the merged flow graph.

Both run over the chains of the whole network (:mod:`corridor.analysis.flow_graph`), one arc per
chain, the chains a situation closes given no capacity. The count cut comes from a unit-capacity
maximum flow by Dinic's algorithm (compiled, :mod:`corridor.analysis.kernels`); the capacity cut
and the capacity from the situation's cheapest maximum flow (:mod:`corridor.analysis.flows`),
which the evacuation time shares. The cut is read off the residual graph: the origin's side is
what the source still reaches; the cut is the open chains from that side to the other, each
reported by its segment of least capacity (closing any one segment of a chain closes the chain).
With unit capacity per directed chain a two-way road counts once, because only its direction
leaving the origin's side crosses the cut; closing the segment closes both.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.flow_graph import SOURCE, FlowGraph, MaxFlow
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.results import CutResult, FlowResult
from corridor.model.situation import Situation


def _source_side(fg: FlowGraph, flow: MaxFlow) -> NDArray[np.bool_]:
    """Merged nodes the source still reaches in the residual graph: the origin's side of the
    minimum cut nearest the origin (the same for every maximum flow)."""
    r = fg.residual
    return np.asarray(kernels.reach_from(r.indptr, r.head, flow.resid > 0, np.array([SOURCE])))


def cut_from_flow(
    situation: Situation,
    fg: FlowGraph,
    flow: MaxFlow,
    weight: Literal["count", "capacity"],
) -> CutResult:
    """The minimum cut nearest the origin, read off the residual graph of a maximum ``flow``
    (unit capacities for ``"count"``, persons per hour for ``"capacity"``)."""
    value = flow.value
    side = _source_side(fg, flow)
    crossing = side[fg.u] & ~side[fg.v] & flow.open
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


def critical_from_flow(fg: FlowGraph, flow: MaxFlow) -> NDArray[np.int64]:
    """The critical segments, from a unit-capacity maximum flow (see :func:`critical_segments`)."""
    if flow.value != 1:
        return np.zeros(0, dtype=np.int64)
    r = fg.residual
    live = flow.resid > 0
    tail = np.repeat(np.arange(fg.n, dtype=np.int64), np.diff(r.indptr))
    # coo -> csr sums parallel entries (csgraph's strong components need them merged)
    import scipy.sparse as sp  # here, not at import: only a one-segment cut needs it
    from scipy.sparse.csgraph import connected_components

    residual = sp.coo_matrix(
        (np.ones(int(live.sum()), dtype=np.int8), (tail[live], r.head[live])), shape=(fg.n, fg.n)
    ).tocsr()
    _, comp = connected_components(residual, directed=True, connection="strong")
    f = flow.flow
    candidate = (flow.capacity == 1) & (f == 1) & (comp[fg.u] != comp[fg.v])
    # a critical chain: closing any one of its segments seals the origin
    return np.sort(fg.chains.edges_of(fg.chain[candidate]))


def min_cut_and_critical(
    situation: Situation, *, prepared: Prepared | None = None
) -> tuple[CutResult, NDArray[np.int64]]:
    """``min_cut(weight="count")`` and ``critical_segments`` from one maximum flow."""
    return min_cut_and_critical_of(SituationWork(situation, prepared))


def min_cut_and_critical_of(work: SituationWork) -> tuple[CutResult, NDArray[np.int64]]:
    """:func:`min_cut_and_critical` from a situation's shared work."""
    fg = work.prepared.flow_graph
    flow = work.unit_flow
    return cut_from_flow(work.situation, fg, flow, "count"), critical_from_flow(fg, flow)


def min_cut(
    situation: Situation,
    *,
    weight: Literal["count", "capacity"] = "count",
    prepared: Prepared | None = None,
) -> CutResult:
    """The fewest road segments (or the least capacity) whose closure seals the origin.

    Parameters
    ----------
    situation
        Open-edge mask, origin nodes and exit nodes for one mover at one instant.
    weight
        "count" minimises the number of segments; "capacity" the persons per hour cut.
    prepared
        The structures of the situation's network, origin and exits, when the caller holds them.

    Returns
    -------
    CutResult
        The cut edges (one directed edge per segment, leaving the origin's side), their count
        and capacity, and the road nodes on the origin's side. Empty when already sealed.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> min_cut(two_towns_one_bridge()).count
    1
    """
    return min_cut_of(SituationWork(situation, prepared), weight=weight)


def min_cut_of(work: SituationWork, *, weight: Literal["count", "capacity"] = "count") -> CutResult:
    """:func:`min_cut` from a situation's shared work."""
    flow = work.capacity_flow if weight == "capacity" else work.unit_flow
    return cut_from_flow(work.situation, work.prepared.flow_graph, flow, weight)


def critical_segments(
    situation: Situation, *, prepared: Prepared | None = None
) -> NDArray[np.int64]:
    """Edges whose segment, closed alone, seals the origin from every exit.

    A segment is critical exactly when the unit-capacity maximum flow is 1 and its edge is in
    some minimum cut: saturated, with its two ends in different strongly connected components
    of the residual graph (Picard and Queyranne, 1980).

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> sorted(set(s.network.way_id[critical_segments(s)].tolist()))  # the bridge
    [13]
    """
    work = SituationWork(situation, prepared)
    return critical_from_flow(work.prepared.flow_graph, work.unit_flow)


def _flow_result(situation: Situation, fg: FlowGraph, flow: MaxFlow) -> FlowResult:
    net = situation.network
    value = flow.value
    if len(fg.edge) == 0:  # no open edge leaves the origin (and fancy indexing below fails)
        return FlowResult(value_pph=value, edge_flow_pph=np.zeros(net.n_edges, dtype=np.int64))
    # one arc per chain; a cheapest flow never runs both ways along a road (that would cost
    # more travel time than it moves), so the arc flows are the road flows
    edge_flow = np.zeros(net.n_edges, dtype=np.int64)
    c = fg.chains
    chain_flow = np.zeros(c.n, dtype=np.int64)
    chain_flow[fg.chain] = flow.flow
    edge_flow[c.members] = chain_flow[c.chain_of_edge[c.members]]
    return FlowResult(value_pph=value, edge_flow_pph=edge_flow)


def max_flow(situation: Situation, *, prepared: Prepared | None = None) -> FlowResult:
    """Persons per hour the open roads can carry from the origin to the exits (all together).

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> max_flow(two_towns_one_bridge()).value_pph  # what the bridge carries
    6000
    """
    work = SituationWork(situation, prepared)
    return _flow_result(situation, work.prepared.flow_graph, work.capacity_flow)


def capacity_cut_and_flow(
    situation: Situation, *, prepared: Prepared | None = None
) -> tuple[CutResult, FlowResult]:
    """``min_cut(weight="capacity")`` and ``max_flow`` from one maximum flow."""
    return capacity_cut_and_flow_of(SituationWork(situation, prepared))


def capacity_cut_and_flow_of(work: SituationWork) -> tuple[CutResult, FlowResult]:
    """:func:`capacity_cut_and_flow` from a situation's shared work."""
    fg = work.prepared.flow_graph
    flow = work.capacity_flow
    return (
        cut_from_flow(work.situation, fg, flow, "capacity"),
        _flow_result(work.situation, fg, flow),
    )
