"""What the analyses build once per network, origin and exits, and what they share per situation.

:class:`Prepared` is built once per network, origin nodes and exit nodes, like an index: the
chains of the whole network, their CSR graphs, the all-open travel time from the origin (the
routes' A* bound), the all-open hours to the exits (the flows' potentials) and the merged flow
graph with its residual layout. Every situation on that network, origin and exits only changes
which chains are open, so a replay, a batch of what-ifs or a :class:`ClosureSession` builds one
``Prepared`` and passes it to every analysis::

    prepared = Prepared.of(situation)
    analyze(situation, prepared=prepared)
    analyze(situation.with_closed(edges), prepared=prepared)

:class:`SituationWork` holds what the analyses of one situation share (the open chains, the
fastest-route search, the cheapest and the unit maximum flows), each computed on first use.

Both are plain objects that callers hold and drop; nothing is cached at module level, so a
dropped situation frees its memory and two computations from scratch are really from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.chains import (
    ChainGraph,
    Chains,
    chain_graph_of,
    network_chains,
    route_chains,
)
from corridor.analysis.flow_graph import FlowGraph, MaxFlow, build_flow_graph, max_flow_on
from corridor.analysis.flows import CheapestFlow, cheapest_max_flow, exit_hours, flow_potentials
from corridor.analysis.turns import TurnGraph, turn_bound, turn_graph_of, turn_route
from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation

# every chain costs a little more than its travel time, so that zero-time roads stay edges and
# the A* bound (plain travel times) stays strictly below the search's weights
EPS_S = 1e-6


class Prepared:
    """The structures built once per network, origin nodes and exit nodes (see the module
    docstring). Each is computed on first use and kept for the life of this object.

    Parameters
    ----------
    network
        The road network (a mover's network: its travel times and capacities are used).
    origin
        Node indices of the origin.
    exits
        Node indices of each exit.

    Examples
    --------
    >>> from corridor.analysis.report import analyze
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> prepared = Prepared.of(s)
    >>> bridge = (s.network.way_id == 13).nonzero()[0]
    >>> [analyze(x, prepared=prepared).status for x in (s, s.with_closed(bridge))]
    ['open', 'sealed']
    """

    def __init__(
        self,
        network: RoadNetwork,
        origin: NDArray[np.integer],
        exits: tuple[NDArray[np.integer], ...],
    ) -> None:
        self.network = network
        self.origin = np.asarray(origin, dtype=np.int64)
        self.exits = tuple(np.asarray(x, dtype=np.int64) for x in exits)

    @classmethod
    def of(cls, situation: Situation) -> Prepared:
        """The structures for ``situation``'s network, origin and exits (built on first use)."""
        return cls(situation.network, situation.origin, situation.exits)

    def fits(self, situation: Situation) -> bool:
        """Whether ``situation`` has this network (the same object), origin and exits."""
        return (
            situation.network is self.network
            and np.array_equal(situation.origin, self.origin)
            and len(situation.exits) == len(self.exits)
            and all(np.array_equal(a, b) for a, b in zip(situation.exits, self.exits, strict=True))
        )

    @cached_property
    def exit_nodes(self) -> NDArray[np.int64]:
        """The nodes of every exit together."""
        if not self.exits:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(self.exits).astype(np.int64)

    @cached_property
    def chains(self) -> Chains:
        """The chains of the whole network, the origin and exit nodes as junctions."""
        terminal = np.zeros(self.network.n_nodes, dtype=bool)
        terminal[self.origin] = True
        terminal[self.exit_nodes] = True
        return network_chains(self.network, terminal)

    @cached_property
    def chain_graph(self) -> ChainGraph:
        """The chains as forward and backward CSR graphs over road nodes."""
        return chain_graph_of(self.network.n_nodes, self.chains)

    @cached_property
    def is_origin(self) -> NDArray[np.bool_]:
        is_origin = np.zeros(self.network.n_nodes, dtype=bool)
        is_origin[self.origin] = True
        return is_origin

    @cached_property
    def bound(self) -> NDArray[np.float64]:
        """Least time from the origin to every node with every road open: a lower bound for
        any situation and any penalised weights (closures only lengthen routes)."""
        g = self.chain_graph
        return kernels.dijkstra_from(g.fwd_indptr, g.fwd_head, g.chains.travel_time_s, self.origin)

    @cached_property
    def turns(self) -> Turns | None:
        """The turn graph and the turn-aware search's bound (None for walkers, who turn
        freely; see :mod:`corridor.analysis.turns`)."""
        net = self.network
        if not net.mover.honours_oneway:
            return None
        graph = turn_graph_of(net)  # per network: shared by every origin and exits on it
        return Turns(graph, turn_bound(net, graph, self.is_origin), self.is_origin[net.src])

    @cached_property
    def flow_graph(self) -> FlowGraph:
        """Origin merged into one source, exits into one sink, one arc per chain."""
        return build_flow_graph(self.network.n_nodes, self.chains, self.origin, self.exit_nodes)

    @cached_property
    def potentials(self) -> NDArray[np.float64]:
        """Minus the all-open hours from each merged node to the exits (the cheapest flow's
        starting potentials)."""
        hours = exit_hours(self.chain_graph, self.exit_nodes)
        return flow_potentials(self.flow_graph, hours, self.origin)


@dataclass(frozen=True, eq=False)
class Turns:
    """A vehicle network's turn graph and the bound of the turn-aware search from the origin."""

    graph: TurnGraph
    edge_bound: NDArray[np.float64]
    """Per edge, the all-open least time from the origin to its tail, turns weighed
    (:func:`corridor.analysis.turns.turn_bound`)."""
    edge_origin: NDArray[np.bool_]
    """Per edge: whether it leaves an origin node (the search's goal), gathered once."""


@dataclass(frozen=True, eq=False)
class Search:
    """The fastest route to every exit under per-chain weights (``inf``: closed)."""

    weights: NDArray[np.float64]
    routes: tuple[NDArray[np.int64] | None, ...]  # road edges per exit; None: unreachable


class SituationWork:
    """What the analyses of one situation share, each computed on first use.

    Parameters
    ----------
    situation
        Open-edge mask, origin nodes and exit nodes for one mover at one instant.
    prepared
        The structures of its network, origin and exits, when the caller holds them (a replay,
        a session); built here otherwise.
    previous
        The work of an earlier situation on the same ``prepared`` that this one only closes
        more roads of (a what-if on top of a date): its cheapest flow is taken where no
        augmenting path ran along a road closed since (see :attr:`cheapest`).
    """

    def __init__(
        self,
        situation: Situation,
        prepared: Prepared | None = None,
        previous: SituationWork | None = None,
    ) -> None:
        if prepared is None:
            prepared = Prepared.of(situation)
        elif not prepared.fits(situation):
            msg = "prepared was built for another network, origin or exits than this situation"
            raise ValueError(msg)
        self.situation = situation
        self.prepared = prepared
        self.previous = previous
        self._turn_route: dict[int, NDArray[np.int64] | None] = {}

    @cached_property
    def open_chains(self) -> NDArray[np.bool_]:
        """Per chain of the whole network: whether every segment of it is open."""
        c = self.prepared.chains
        return np.asarray(kernels.chains_open(c.ptr, c.members, self.situation.open))

    @cached_property
    def arc_open(self) -> NDArray[np.bool_]:
        """Per arc of the flow graph: whether its chain is open."""
        return self.open_chains[self.prepared.flow_graph.chain]

    def route(
        self, weights: NDArray[np.float64], exit_nodes: NDArray[np.int64]
    ) -> NDArray[np.int64] | None:
        """The road edges of the fastest route to ``exit_nodes`` under per-chain ``weights``."""
        p = self.prepared
        return route_chains(p.chain_graph, p.bound, p.is_origin, weights, exit_nodes)

    @cached_property
    def weights(self) -> NDArray[np.float64]:
        """Per chain of the whole network: its travel time plus a hair, ``inf`` where closed."""
        base = self.prepared.chains
        return np.where(self.open_chains, base.travel_time_s + EPS_S, np.inf)

    @cached_property
    def search(self) -> Search:
        """The fastest route to every exit (shared by reach, routes and sessions)."""
        w = self.weights
        return Search(w, tuple(self.route(w, nodes) for nodes in self.situation.exits))

    @cached_property
    def open_weight(self) -> NDArray[np.float64]:
        """Per road edge, its travel time where open, ``inf`` where closed (read only: copy it
        to change it)."""
        net = self.situation.network
        weight = np.where(self.situation.open, net.travel_time_s, np.inf)
        weight.flags.writeable = False
        return weight

    @cached_property
    def turn_routes(self) -> tuple[NDArray[np.int64] | None, ...]:
        """Per exit, the road edges of the fastest route that weighs turns and obeys the
        network's turn restrictions (None: unreachable). Walkers turn freely: their routes are
        those of :attr:`search`. Where restrictions leave no legal route to an exit that
        :attr:`search` reaches, that route is given (see :mod:`corridor.analysis.turns`)."""
        return tuple(self.turn_route_of(i) for i in range(len(self.situation.exits)))

    def turn_route_of(self, i: int) -> NDArray[np.int64] | None:
        """:attr:`turn_routes` of exit ``i`` alone (searched on first use, then kept)."""
        if i in self._turn_route:
            return self._turn_route[i]
        node = self.search.routes[i]
        turns = self.prepared.turns
        found = node
        if turns is not None and node is not None:
            legal = turn_route(
                self.situation.network,
                turns.graph,
                self.open_weight,
                turns.edge_bound,
                self.prepared.is_origin,
                self.situation.exits[i],
                edge_origin=turns.edge_origin,
            )
            found = node if legal is None else legal
        self._turn_route[i] = found
        return found

    @cached_property
    def cheapest(self) -> CheapestFlow:
        """The cheapest maximum flow in persons per hour, costs in hours (see
        :mod:`corridor.analysis.flows`). With a :attr:`previous` work whose cheapest flow is
        made, on the same network, when this situation only closes arcs that flow's
        augmenting paths never ran along, it is that flow with those arcs closed: successive
        shortest paths on the smaller graph find the same paths, so the value, the cut, the
        flow on every road and the evacuation's breakpoints are the same (where two paths cost
        exactly the same, a search from scratch may take the other)."""
        before, self.previous = self.previous, None  # not kept: works do not chain up
        if (
            before is not None
            and before.prepared is self.prepared
            and before.situation.network is self.situation.network
            and "cheapest" in before.__dict__
            and not bool((self.arc_open & ~before.arc_open).any())
        ):
            closed = np.flatnonzero(before.arc_open & ~self.arc_open).astype(np.int64)
            if before.cheapest.untouched_by(closed):
                return before.cheapest.without(closed)
        fg = self.prepared.flow_graph
        capacity = np.where(self.arc_open, self.situation.network.capacity_pph[fg.edge], 0)
        return cheapest_max_flow(
            fg.n,
            fg.u,
            fg.v,
            capacity.astype(np.float64),
            fg.transit_s / 3600.0,
            residual=fg.residual,
            potentials=self.prepared.potentials,
        )

    @cached_property
    def capacity_flow(self) -> MaxFlow:
        """The cheapest flow as a :class:`MaxFlow` over persons per hour."""
        fg = self.prepared.flow_graph
        f = self.cheapest
        capacity = np.where(self.arc_open, self.situation.network.capacity_pph[fg.edge], 0)
        return MaxFlow(f.value, self.arc_open, capacity, f.resid, fg.residual)

    @cached_property
    def unit_flow(self) -> MaxFlow:
        """Maximum flow with capacity 1 per open arc. It starts on the arcs the cheapest flow
        uses (shared with capacity and evacuation), which the unit flow most likely needs."""
        hint = self.cheapest.arc_flow() > 0
        return max_flow_on(
            self.prepared.flow_graph, self.arc_open, self.arc_open.astype(np.int64), hint
        )
