"""The origin-to-exits flow graph: origin nodes merged into one source, exit nodes into one sink.

Merging is exact for cuts and flows: edges inside the origin (or inside the exits) can never be
part of a cut that separates them, and any flow entering the origin or leaving the exits is
useless. Parallel edges between the same two merged nodes become one matrix entry with their
capacities summed; ``edge`` keeps the mapping back to road edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from corridor.model.situation import Situation

SOURCE = 0
SINK = 1


@dataclass(frozen=True, eq=False)
class FlowGraph:
    """Open edges of a situation between merged nodes (0 = origin, 1 = exits)."""

    n: int
    node_map: NDArray[np.int64]  # road node -> merged node
    edge: NDArray[np.int64]  # road edge id of every kept edge
    u: NDArray[np.int64]
    v: NDArray[np.int64]

    def matrix(self, weights: NDArray[np.int64]) -> sp.csr_matrix:
        """CSR matrix of summed integer weights per merged (u, v)."""
        m = sp.csr_matrix(
            (np.asarray(weights, dtype=np.int64), (self.u, self.v)), shape=(self.n, self.n)
        )
        m.sum_duplicates()
        m.sort_indices()
        return m


def flow_graph(situation: Situation, exit_index: int | None = None) -> FlowGraph:
    """Merge the origin into node 0 and the exits (or one exit) into node 1."""
    net = situation.network
    exits = situation.exits if exit_index is None else (situation.exits[exit_index],)
    node_map = np.full(net.n_nodes, -1, dtype=np.int64)
    node_map[situation.origin] = SOURCE
    for nodes in exits:
        node_map[nodes] = SINK
    rest = np.flatnonzero(node_map < 0)
    node_map[rest] = np.arange(2, 2 + len(rest))
    u = node_map[net.src]
    v = node_map[net.dst]
    keep = situation.open & (u != v) & (v != SOURCE) & (u != SINK)
    edge = np.flatnonzero(keep).astype(np.int64)
    return FlowGraph(n=2 + len(rest), node_map=node_map, edge=edge, u=u[edge], v=v[edge])
