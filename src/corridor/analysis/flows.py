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

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.chains import ChainGraph, chain_graph
from corridor.analysis.contract import SINK, SOURCE, FlowGraph, Residual, arc_open, flow_graph
from corridor.model.situation import Situation


@dataclass(frozen=True, eq=False)
class CheapestFlow:
    """A minimum-cost maximum flow on a residual layout, with the breakpoints of its cost."""

    residual: Residual
    resid: NDArray[np.float64]  # per layout position, after the flow
    values: NDArray[np.float64]  # flow value after each augmenting path
    costs: NDArray[np.float64]  # total cost (sum of cost * flow) after each augmenting path

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
        pot = -_capped(kernels.dijkstra_from(r.indptr, r.head, back_cost, np.array([sink])))
    else:
        pot = np.array(potentials, dtype=np.float64)
    values, costs = kernels.min_cost_flow(
        r.indptr, r.head, r.twin, placed_cost, resid, source, sink, pot
    )
    return CheapestFlow(residual=r, resid=resid, values=values, costs=costs)


@lru_cache(maxsize=4)
def _exit_hours_for(graph: ChainGraph, exits: bytes) -> NDArray[np.float64]:
    hours = kernels.dijkstra_from(
        graph.bwd_indptr,
        graph.bwd_head,
        graph.chains.travel_time_s[graph.bwd_chain] / 3600.0,
        np.frombuffer(exits, dtype=np.int64),
    )
    return _capped(hours)


def _capped(dist: NDArray[np.float64]) -> NDArray[np.float64]:
    """``dist`` with the unreachable nodes (inf) as far as the farthest reachable one: minus
    that is still a valid potential (no arc leads from them to a reachable node), and finite."""
    finite = np.isfinite(dist)
    dist[~finite] = dist[finite].max(initial=0.0)
    return dist


def _potentials(situation: Situation, fg: FlowGraph) -> NDArray[np.float64]:
    """Minus the hours from each merged node to the exits with every road open (cached per
    network and terminals): closures only lengthen the way out, so these bound it from below
    in every situation and obey the triangle inequality on every open arc."""
    exits = np.concatenate(situation.exits).astype(np.int64)
    hours = _exit_hours_for(chain_graph(situation), exits.tobytes())
    pot = np.zeros(fg.n)
    pot[fg.node_map] = -hours
    pot[SOURCE] = -hours[situation.origin].min()
    pot[SINK] = 0.0
    return pot


@lru_cache(maxsize=16)
def situation_flow(situation: Situation) -> CheapestFlow:
    """The cheapest maximum flow of a situation in persons per hour, costs in hours (cached)."""
    fg = flow_graph(situation)
    capacity = np.where(arc_open(situation), situation.network.capacity_pph[fg.edge], 0)
    return cheapest_max_flow(
        fg.n,
        fg.u,
        fg.v,
        capacity.astype(np.float64),
        fg.transit_s / 3600.0,
        residual=fg.residual,
        potentials=_potentials(situation, fg),
    )
