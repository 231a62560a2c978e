"""The origin-to-exits flow graph: origin nodes merged into one source, exit nodes into one sink.

The arcs are the chains of the whole network (:mod:`corridor.analysis.chains`): shape nodes are
gone, a chain's capacity is its weakest edge's and its transit time the sum along it. The graph and
its residual layout are built once per network, origin and exits
(:class:`corridor.analysis.prepared.Prepared`); a situation only says which arcs are open, and the
flows give closed arcs no capacity. Merging is exact for cuts
and flows: edges inside the origin (or inside the exits) can never be part of a cut that separates
them, and any flow entering the origin or leaving the exits is useless. Parallel chains stay
separate arcs; ``edge`` keeps the mapping back to road edges.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.chains import Chains

SOURCE = 0
SINK = 1
UNLIMITED = np.iinfo(np.int64).max  # push as much as the graph carries


@dataclass(frozen=True, eq=False)
class Residual:
    """The residual layout of a flow graph (:func:`corridor.analysis.kernels.residual_layout`):
    arc ``a`` at position ``pos[a]``, its reverse at ``pos[a + m]``, positions sorted by tail."""

    indptr: NDArray[np.int64]
    pos: NDArray[np.int64]
    head: NDArray[np.int64]
    twin: NDArray[np.int64]

    @property
    def m(self) -> int:
        return len(self.pos) // 2

    def place(self, forward: NDArray, backward: NDArray) -> NDArray:
        """Per-position values from per-arc values of the arcs and of their reverses."""
        dtype = np.result_type(forward, backward)
        out = np.empty(2 * self.m, dtype=dtype)
        return kernels.place(
            self.pos, np.asarray(forward, dtype=dtype), np.asarray(backward, dtype=dtype), out
        )

    @cached_property
    def _scratch(self) -> threading.local:
        return threading.local()

    @property
    def work(self) -> NDArray[np.int64]:
        """Scratch rows for :func:`corridor.analysis.kernels.max_flow` (first row all -1), one
        set per thread: flows of one graph may run at once (:mod:`corridor.analysis.parallel`,
        a server's requests)."""
        local = self._scratch
        rows: NDArray[np.int64] | None = getattr(local, "rows", None)
        if rows is None:
            rows = np.full((4, len(self.indptr) - 1), -1, dtype=np.int64)
            local.rows = rows
        return rows

    def max_flow(self, resid: NDArray[np.int64], s: int, t: int, limit: int) -> int:
        """Push up to ``limit`` more units from ``s`` to ``t`` (Dinic, in place on ``resid``)."""
        return int(
            kernels.max_flow(self.indptr, self.head, self.twin, resid, s, t, limit, self.work)
        )

    def forward(self, values: NDArray) -> NDArray:
        """Per-arc values read from per-position ``values``."""
        return values[self.pos[: self.m]]

    def backward(self, values: NDArray) -> NDArray:
        """Per-arc values of the reverses read from per-position ``values``."""
        return values[self.pos[self.m :]]


@dataclass(frozen=True, eq=False)
class FlowGraph:
    """The chains of the whole network (see :mod:`corridor.analysis.chains`) as arcs between
    merged nodes (0 = origin, 1 = exits)."""

    n: int
    node_map: NDArray[np.int64]  # road node -> merged node
    edge: NDArray[np.int64]  # per arc: the chain's road edge of least capacity
    chain: NDArray[np.int64]  # per arc: its chain
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    transit_s: NDArray[np.float64]  # per arc: travel time along the chain
    chains: Chains

    @cached_property
    def residual(self) -> Residual:
        """The residual layout, built once and shared by every flow on this graph."""
        return Residual(*kernels.residual_layout(self.n, self.u, self.v))


def build_flow_graph(
    n_nodes: int, c: Chains, origin: NDArray[np.int64], exits: NDArray[np.int64]
) -> FlowGraph:
    """The ``origin`` nodes merged into node 0, the ``exits`` nodes into node 1, and one arc per
    chain of the whole network (:func:`corridor.analysis.chains.network_chains`), closed or not:
    built once per network, origin and exits, so that every situation shares the graph and its
    residual layout; a situation only says which arcs are open."""
    node_map = np.full(n_nodes, -1, dtype=np.int64)
    node_map[origin] = SOURCE
    node_map[exits] = SINK
    rest = np.flatnonzero(node_map < 0)
    node_map[rest] = np.arange(2, 2 + len(rest))
    u = node_map[c.tail]
    v = node_map[c.head]
    k = np.flatnonzero((u != v) & (v != SOURCE) & (u != SINK)).astype(np.int64)
    return FlowGraph(
        n=2 + len(rest),
        node_map=node_map,
        edge=c.weakest[k],
        chain=k,
        u=u[k],
        v=v[k],
        transit_s=c.travel_time_s[k],
        chains=c,
    )


@dataclass(frozen=True, eq=False)
class MaxFlow:
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


def max_flow_on(
    fg: FlowGraph,
    is_open: NDArray[np.bool_],
    weights: NDArray[np.int64],
    hint: NDArray[np.bool_] | None = None,
) -> MaxFlow:
    """Maximum flow over ``weights`` (0 on closed arcs). With ``hint`` (arcs likely to carry
    it, such as those of another flow), the flow is first found on those arcs alone, a small
    search, and then completed on every arc; the result is a maximum flow either way."""
    r = fg.residual
    capacity = np.asarray(weights, dtype=np.int64)
    zero = np.zeros(len(capacity), dtype=np.int64)
    value = 0
    if hint is not None:
        resid = r.place(np.where(hint, capacity, 0), zero)
        value = r.max_flow(resid, SOURCE, SINK, UNLIMITED)
        resid += r.place(np.where(hint, 0, capacity), zero)
    else:
        resid = r.place(capacity, zero)
    value += r.max_flow(resid, SOURCE, SINK, UNLIMITED)
    return MaxFlow(int(value), is_open, capacity, resid, r)
