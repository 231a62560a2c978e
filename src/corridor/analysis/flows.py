"""The cheapest maximum flow of a situation, shared by capacity, capacity cut and evacuation.

One minimum-cost maximum flow from the origin to the exits (capacities in persons per hour, costs
in hours of travel time; successive shortest paths in
:func:`corridor.analysis.kernels.min_cost_flow`) answers three questions at once:

* its value is the maximum flow, the persons per hour the open roads can carry (maximum flows
  all have the same value; this one puts the people on the fastest roads first, which is the
  flow the map shows);
* its residual graph gives the minimum capacity cut nearest the origin (the same for every
  maximum flow);
* the least cost of each flow value along the way, c(v), gives the quickest time to move any
  population (see :mod:`corridor.analysis.evacuation`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.chains import ChainGraph
from corridor.analysis.flow_graph import SINK, SOURCE, FlowGraph, Residual
from corridor.model.network import RoadNetwork


@dataclass(frozen=True, eq=False)
class CheapestFlow:
    """A minimum-cost maximum flow on a residual layout, with the breakpoints of its cost."""

    residual: Residual
    resid: NDArray[np.float64]  # per layout position, after the flow
    values: NDArray[np.float64]  # flow value after each augmenting path
    costs: NDArray[np.float64]  # total cost (sum of cost * flow) after each augmenting path
    used: NDArray[np.bool_]  # per layout position: whether an augmenting path ran there

    def untouched_by(self, arcs: NDArray[np.int64]) -> bool:
        """Whether no augmenting path ran along ``arcs`` (either way): the same search on the
        graph without them finds the same paths, so this flow, its breakpoints and its cut
        stay the answer there (:meth:`without`)."""
        r = self.residual
        return not bool(self.used[r.pos[arcs]].any() or self.used[r.pos[arcs + r.m]].any())

    def without(self, arcs: NDArray[np.int64]) -> CheapestFlow:
        """This flow on the graph without ``arcs`` (closed: no room either way), when it is
        :meth:`untouched_by` them."""
        r = self.residual
        resid = self.resid.copy()
        resid[r.pos[arcs]] = 0.0
        resid[r.pos[arcs + r.m]] = 0.0
        return replace(self, resid=resid)

    @property
    def value(self) -> int:
        """The maximum flow value."""
        return round(float(self.values[-1])) if len(self.values) else 0

    def arc_flow(self) -> NDArray[np.int64]:
        """Flow per arc (what its reverse could send back); integral, as the capacities are."""
        return np.rint(self.residual.backward(self.resid)).astype(np.int64)

    def quickest(self, demand: float) -> tuple[float | None, int, int]:
        """``(time, flow rate, paths)`` of the quickest flow of ``demand``:
        T*(D) = min over the breakpoints of (D + c(v)) / v. Time is None when nothing flows and
        0.0 when the demand is 0."""
        if demand <= 0:
            return 0.0, 0, 0
        if len(self.values) == 0:
            return None, 0, 0
        times = (demand + self.costs) / self.values
        j = int(np.argmin(times))  # the first of equal times: the fewest paths
        return float(times[j]), round(float(self.values[j])), j + 1


def cheapest_max_flow(
    n: int,
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    capacity: NDArray[np.float64],
    cost: NDArray[np.float64],
    *,
    source: int = SOURCE,
    sink: int = SINK,
    residual: Residual | None = None,
    potentials: NDArray[np.float64] | None = None,
) -> CheapestFlow:
    """Minimum-cost maximum flow over arcs ``u -> v`` (``residual``: their layout, when the
    caller already has it). Costs must be non-negative. ``potentials``: minus a lower bound of
    the cost from each node to ``sink`` that obeys the triangle inequality on every arc
    (computed here, one backward Dijkstra, when not given)."""
    r = residual or Residual(
        *kernels.residual_layout(n, np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64))
    )
    c = np.asarray(cost, dtype=np.float64)
    placed_cost = r.place(c, -c)
    resid = r.place(np.asarray(capacity, dtype=np.float64), np.zeros(r.m))
    if potentials is None:
        # costs to the sink: a Dijkstra from it over every arc with room, walked backwards
        # (position q at node y is the reverse of the arc twin[q] that runs into y)
        into = r.twin
        back_cost = np.where(resid[into] > 0, placed_cost[into], np.inf)
        pot = -capped(kernels.dijkstra_from(r.indptr, r.head, back_cost, np.array([sink])))
    else:
        pot = np.array(potentials, dtype=np.float64)
    used = np.zeros(2 * r.m, dtype=bool)
    values, costs = kernels.min_cost_flow(
        r.indptr, r.head, r.twin, placed_cost, resid, source, sink, pot, used
    )
    return CheapestFlow(residual=r, resid=resid, values=values, costs=costs, used=used)


def exit_hours(graph: ChainGraph, exits: NDArray[np.int64]) -> NDArray[np.float64]:
    """Hours from every node to the nearest of ``exits`` with every road open (one backward
    Dijkstra over the chains; unreachable nodes as far as the farthest reachable one)."""
    hours = kernels.dijkstra_from(
        graph.bwd_indptr,
        graph.bwd_head,
        graph.chains.travel_time_s[graph.bwd_chain] / 3600.0,
        np.asarray(exits, dtype=np.int64),
    )
    return capped(hours)


def capped(dist: NDArray[np.float64]) -> NDArray[np.float64]:
    """``dist`` with the unreachable nodes (inf) as far as the farthest reachable one: minus
    that is still a valid potential (no arc leads from them to a reachable node), and finite."""
    finite = np.isfinite(dist)
    dist[~finite] = dist[finite].max(initial=0.0)
    return dist


def flow_potentials(
    fg: FlowGraph, hours: NDArray[np.float64], origin: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Minus the hours from each merged node to the exits with every road open (``hours``, from
    :func:`exit_hours`): closures only lengthen the way out, so these bound it from below in
    every situation and obey the triangle inequality on every open arc."""
    pot = np.zeros(fg.n)
    pot[fg.node_map] = -hours
    pot[SOURCE] = -hours[origin].min()
    pot[SINK] = 0.0
    return pot


def exit_flows(
    network: RoadNetwork,
    exits: tuple[NDArray[np.int64], ...],
    edge_flow_pph: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Split a flow on each road edge by the exit it drains to.

    Flow leaving a node is shared among its out-edges in proportion to their flow, so the share
    of node v's flow that ends at exit i solves ``F = B + P F`` (``P`` the row-stochastic flow
    split, ``B`` the exit indicator, exits absorbing). Solved by a few sparse products, exact
    after as many steps as the longest flow path has edges.

    Parameters
    ----------
    network
        The network the flow runs on.
    exits
        The node indices of each exit.
    edge_flow_pph
        Persons per hour on every road edge (a report's ``flow.edge_flow_pph``).

    Returns
    -------
    edges, per_exit
        The edges carrying flow, and their persons per hour going to each exit
        (``per_exit[j, i]``; rows sum to the edge's flow).
    """
    flow = edge_flow_pph
    edges = np.flatnonzero(flow > 0).astype(np.int64)
    k = len(exits)
    if len(edges) == 0 or k == 0:
        return edges, np.zeros((len(edges), k))
    n = network.n_nodes
    b = np.zeros((n, k))
    for i, nodes in enumerate(exits):
        b[nodes, i] = 1.0
    absorbing = b.sum(axis=1) > 0
    f = flow[edges].astype(np.float64)
    src, dst = network.src[edges], network.dst[edges]
    out = np.bincount(src, weights=f, minlength=n)
    keep = ~absorbing[src]
    import scipy.sparse as sp  # here, not at import: only the map splits flows by exit

    p = sp.csr_matrix((f[keep] / out[src[keep]], (src[keep], dst[keep])), shape=(n, n))
    share = b.copy()
    for _ in range(min(n, 100_000)):
        nxt = b + p @ share
        if np.abs(nxt - share).max() < 1e-12:
            share = nxt
            break
        share = nxt
    return edges, f[:, None] * share[dst]
