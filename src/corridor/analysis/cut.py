"""Minimum cuts, critical segments and capacity (maximum flow), on the merged flow graph.

Both run over the chains of the whole network (:mod:`corridor.analysis.contract`), one arc per
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

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from corridor.analysis import kernels
from corridor.analysis.contract import SINK, SOURCE, FlowGraph, Residual, arc_open, flow_graph
from corridor.analysis.flows import situation_flow
from corridor.analysis.results import CutResult, FlowResult
from corridor.model.situation import Situation

_UNLIMITED = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class _Flow:
    """A maximum flow on a flow graph's residual layout."""

    value: int
    open: NDArray[np.bool_]  # per arc: open in the situation
    capacity: NDArray[np.int64]  # per arc (0 when closed)
    resid: NDArray[np.int64] | NDArray[np.float64]  # per layout position
    layout: Residual

    @cached_property
    def flow(self) -> NDArray[np.int64]:
        """Flow per arc (what its reverse could send back); integral, as the capacities are."""
        return np.rint(self.layout.backward(self.resid)).astype(np.int64)


def _cheapest(situation: Situation, fg: FlowGraph) -> _Flow:
    """The capacity flow: the situation's cheapest maximum flow (:mod:`corridor.analysis.flows`)."""
    f = situation_flow(situation)
    is_open = arc_open(situation)
    capacity = np.where(is_open, situation.network.capacity_pph[fg.edge], 0)
    return _Flow(f.value, is_open, capacity, f.resid, fg.residual)


def _unit_flow(situation: Situation, fg: FlowGraph) -> _Flow:
    """Maximum flow with capacity 1 per open arc. It starts on the arcs the cheapest capacity
    flow uses (shared with capacity and evacuation), which the unit flow most likely needs."""
    is_open = arc_open(situation)
    hint = situation_flow(situation).arc_flow() > 0
    return _max_flow(fg, is_open, is_open.astype(np.int64), hint)


def _max_flow(
    fg: FlowGraph,
    is_open: NDArray[np.bool_],
    weights: NDArray[np.int64],
    hint: NDArray[np.bool_] | None = None,
) -> _Flow:
    """Maximum flow over ``weights`` (0 on closed arcs). With ``hint`` (arcs likely to carry
    it, such as those of another flow), the flow is first found on those arcs alone, a small
    search, and then completed on every arc; the result is a maximum flow either way."""
    r = fg.residual
    capacity = np.asarray(weights, dtype=np.int64)
    zero = np.zeros(len(capacity), dtype=np.int64)
    value = 0
    if hint is not None:
        resid = r.place(np.where(hint, capacity, 0), zero)
        value = r.max_flow(resid, SOURCE, SINK, _UNLIMITED)
        resid += r.place(np.where(hint, 0, capacity), zero)
    else:
        resid = r.place(capacity, zero)
    value += r.max_flow(resid, SOURCE, SINK, _UNLIMITED)
    return _Flow(int(value), is_open, capacity, resid, r)


def _source_side(fg: FlowGraph, flow: _Flow) -> NDArray[np.bool_]:
    """Merged nodes the source still reaches in the residual graph: the origin's side of the
    minimum cut nearest the origin (the same for every maximum flow)."""
    r = fg.residual
    return np.asarray(kernels.reach_from(r.indptr, r.head, flow.resid > 0, np.array([SOURCE])))


def _cut_from_flow(
    situation: Situation,
    fg: FlowGraph,
    flow: _Flow,
    weight: Literal["count", "capacity"],
) -> CutResult:
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


def _critical_from_flow(fg: FlowGraph, flow: _Flow) -> NDArray[np.int64]:
    if flow.value != 1:
        return np.zeros(0, dtype=np.int64)
    r = fg.residual
    live = flow.resid > 0
    tail = np.repeat(np.arange(fg.n, dtype=np.int64), np.diff(r.indptr))
    # coo -> csr sums parallel entries (csgraph's strong components need them merged)
    residual = sp.coo_matrix(
        (np.ones(int(live.sum()), dtype=np.int8), (tail[live], r.head[live])), shape=(fg.n, fg.n)
    ).tocsr()
    _, comp = connected_components(residual, directed=True, connection="strong")
    f = flow.flow
    candidate = (flow.capacity == 1) & (f == 1) & (comp[fg.u] != comp[fg.v])
    # a critical chain: closing any one of its segments seals the origin
    return np.sort(fg.chains.edges_of(fg.chain[candidate]))


def min_cut_and_critical(situation: Situation) -> tuple[CutResult, NDArray[np.int64]]:
    """``min_cut(weight="count")`` and ``critical_segments`` from one maximum flow."""
    fg = flow_graph(situation)
    flow = _unit_flow(situation, fg)
    return _cut_from_flow(situation, fg, flow, "count"), _critical_from_flow(fg, flow)


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
    if weight == "capacity":
        return _cut_from_flow(situation, fg, _cheapest(situation, fg), weight)
    return _cut_from_flow(situation, fg, _unit_flow(situation, fg), weight)


def critical_segments(situation: Situation) -> NDArray[np.int64]:
    """Edges whose segment, closed alone, seals the origin from every exit.

    A segment is critical exactly when the unit-capacity maximum flow is 1 and its edge is in
    some minimum cut: saturated, with its two ends in different strongly connected components
    of the residual graph (Picard and Queyranne, 1980).
    """
    fg = flow_graph(situation)
    return _critical_from_flow(fg, _unit_flow(situation, fg))


def _flow_result(situation: Situation, fg: FlowGraph, flow: _Flow) -> FlowResult:
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


def max_flow(situation: Situation) -> FlowResult:
    """Persons per hour the open roads can carry from the origin to the exits (all together)."""
    fg = flow_graph(situation)
    return _flow_result(situation, fg, _cheapest(situation, fg))


def capacity_cut_and_flow(situation: Situation) -> tuple[CutResult, FlowResult]:
    """``min_cut(weight="capacity")`` and ``max_flow`` from one maximum flow."""
    fg = flow_graph(situation)
    flow = _cheapest(situation, fg)
    return (
        _cut_from_flow(situation, fg, flow, "capacity"),
        _flow_result(situation, fg, flow),
    )
