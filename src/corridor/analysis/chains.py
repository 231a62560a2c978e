"""Degree-2 chain contraction: the road graph with its shape nodes removed.

OSM ways are drawn with many intermediate nodes: in a country's drivable network nine nodes in ten
join exactly two neighbours and no other road. Every origin-to-exit path that enters such a chain
runs through it to its end, so a chain behaves exactly like one edge whose travel time and length
are the sums along it and whose capacity is the smallest on it; closing any one of its segments
closes it. The analysis runs on chains and maps the answers back to road edges.

A node is a *pass-through* node when it is neither in the origin nor in an exit and its open edges
are exactly one way through it (one edge in from one neighbour, one out to the other) or both ways
through it (in and out with each of its two neighbours, no parallel edges). Everything else is a
junction and ends chains. Edges on loops made only of pass-through nodes lead nowhere and are
left out. All of it is numpy (pointer jumping for chain membership and order); no Python loop
over edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.model.network import RoadNetwork


@dataclass(frozen=True, eq=False)
class Chains:
    """Chains of road edges. Chain ``c`` runs ``tail[c] -> head[c]`` through the road edges
    ``members[ptr[c]:ptr[c + 1]]``, in order. Chains are sorted by tail node."""

    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    travel_time_s: NDArray[np.float64]
    length_m: NDArray[np.float64]
    capacity_pph: NDArray[np.int64]
    weakest: NDArray[np.int64]  # the road edge of least capacity on each chain (first if tied)
    ptr: NDArray[np.int64]
    members: NDArray[np.int64]
    chain_of_edge: NDArray[np.int64]  # per road edge: its chain, or -1 (on a dead loop)

    @property
    def n(self) -> int:
        return len(self.tail)

    def edges_of(self, chains: NDArray[np.int64]) -> NDArray[np.int64]:
        """The road edges of the given chains, chain after chain, each in order."""
        if len(chains) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([self.members[self.ptr[c] : self.ptr[c + 1]] for c in chains])


@dataclass(frozen=True, eq=False)
class ChainGraph:
    """The chains of the whole network (:func:`network_chains`) as forward and backward CSR
    graphs over road nodes, built once per network and terminals. A situation only changes
    weights (``inf`` on the chains it closes)."""

    chains: Chains
    fwd_indptr: NDArray[np.int64]  # chains are sorted by tail: forward entry i is chain i
    fwd_head: NDArray[np.int64]
    bwd_indptr: NDArray[np.int64]
    bwd_chain: NDArray[np.int64]  # the chain behind each backward entry (sorted by head)
    bwd_head: NDArray[np.int64]  # its tail


def _jump(
    ptr: NDArray[np.int64], step: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """List ranking by pointer jumping: the root each element's pointers lead to, and how many
    steps away it is (elements on pure cycles end with a root that is not a fixed point)."""
    root = ptr.copy()
    dist = step.copy()
    for _ in range(int(np.ceil(np.log2(max(len(ptr), 2)))) + 1):
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        dist = dist + dist[root]
        root = nxt
    return root, dist


def _distinct(x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Distinct values (a plain sort: faster here than numpy's hash-based ``unique``)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


def chain_graph_of(n: int, base: Chains) -> ChainGraph:
    """The chains of a network with ``n`` nodes as forward and backward CSR graphs."""
    fwd_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(base.tail, minlength=n), out=fwd_indptr[1:])
    bwd_chain = np.argsort(base.head, kind="stable").astype(np.int64)
    bwd_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(base.head, minlength=n), out=bwd_indptr[1:])
    return ChainGraph(
        chains=base,
        fwd_indptr=fwd_indptr,
        fwd_head=base.head,
        bwd_indptr=bwd_indptr,
        bwd_chain=bwd_chain,
        bwd_head=base.tail[bwd_chain],
    )


def network_chains(net: RoadNetwork, terminal: NDArray[np.bool_]) -> Chains:
    """The chains of the whole network (every edge open), with the ``terminal`` nodes (origin
    and exits) as junctions."""
    n = net.n_nodes
    e = np.arange(net.n_edges, dtype=np.int64)
    t = net.src.astype(np.int64)
    h = net.dst.astype(np.int64)
    m = len(e)
    in_deg = np.bincount(h, minlength=n)
    out_deg = np.bincount(t, minlength=n)
    lo, hi = np.minimum(t, h), np.maximum(t, h)
    pairs = _distinct(lo * n + hi)
    nbr = np.bincount(pairs // n, minlength=n) + np.bincount(pairs % n, minlength=n)
    # distinct in-neighbours / out-neighbours (parallel edges make a node a junction)
    in_nbr = np.bincount(_distinct(h * n + t) // n, minlength=n)
    out_nbr = np.bincount(_distinct(t * n + h) // n, minlength=n)
    self_loop = np.bincount(t[t == h], minlength=n) > 0
    through = (
        ~terminal
        & ~self_loop
        & (nbr == 2)
        & (in_deg == out_deg)
        & (in_nbr == in_deg)
        & (out_nbr == out_deg)
        & ((in_deg == 1) | (in_deg == 2))
    )

    # prev[i]: the edge that runs into edge i through its pass-through tail
    order_in = np.argsort(h, kind="stable")
    first_in = np.searchsorted(h[order_in], np.arange(n))
    last_pos = max(m - 1, 0)
    in1 = np.where(in_deg >= 1, order_in[np.minimum(first_in, last_pos)] if m else -1, -1)
    in2 = np.where(in_deg >= 2, order_in[np.minimum(first_in + 1, last_pos)] if m else -1, -1)
    idx = np.arange(m, dtype=np.int64)
    prev = idx.copy()
    cont = through[t]
    tv = t[cont]
    cand1, cand2 = in1[tv], in2[tv]
    # the in-edge from the neighbour this edge does not go to
    pick1 = t[cand1] != h[cont]
    prev[cont] = np.where(pick1, cand1, cand2)
    step = cont.astype(np.int64)
    root, pos = _jump(prev, step)
    alive = ~through[t[root]]  # chains that start at a junction
    # the last edge of every chain: its head is a junction
    last = alive & ~through[h]
    roots_of_ends = root[last]
    # one chain per start edge (a chain's root); number them
    starts = np.flatnonzero(alive & (root == idx))  # start edges are their own roots
    # chains numbered in order of their tail node, so that every restriction is sorted by tail
    starts = starts[np.argsort(t[starts], kind="stable")]
    chain_no = np.full(m, -1, dtype=np.int64)
    chain_no[starts] = np.arange(len(starts))
    cid = np.where(alive, chain_no[root], -1)
    c_tail = t[starts]
    c_head = np.empty(len(starts), dtype=np.int64)
    c_head[chain_no[roots_of_ends]] = h[last]
    w = cid >= 0
    n_c = len(starts)
    tt = np.bincount(cid[w], weights=net.travel_time_s[e[w]], minlength=n_c).astype(np.float64)
    length = np.bincount(cid[w], weights=net.length_m[e[w]], minlength=n_c).astype(np.float64)
    # members in chain order; the weakest edge: least capacity, first along the chain if tied
    wi = np.flatnonzero(w)
    member_order = np.argsort(cid[wi] * (int(pos.max(initial=0)) + 1) + pos[wi], kind="stable")
    members_local = np.flatnonzero(w)[member_order]
    members = e[members_local]
    counts = np.bincount(cid[w], minlength=n_c)
    ptr = np.zeros(n_c + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    cap_members = net.capacity_pph[members]
    if n_c:
        cap = np.minimum.reduceat(cap_members, ptr[:-1])
        # the first member (in chain order) whose capacity is the chain's
        is_min = np.flatnonzero(cap_members == np.repeat(cap, counts))
        first = np.searchsorted(is_min, ptr[:-1])
        weakest = members[is_min[first]]
    else:
        cap = np.zeros(0, dtype=np.int64)
        weakest = np.zeros(0, dtype=np.int64)
    chain_of_edge = np.full(net.n_edges, -1, dtype=np.int64)
    chain_of_edge[e[w]] = cid[w]
    return Chains(
        tail=c_tail,
        head=c_head,
        travel_time_s=tt,
        length_m=length,
        capacity_pph=np.asarray(cap, dtype=np.int64),
        weakest=np.asarray(weakest, dtype=np.int64),
        ptr=ptr,
        members=members,
        chain_of_edge=chain_of_edge,
    )


def route_chains(
    graph: ChainGraph,
    bound: NDArray[np.float64],
    is_origin: NDArray[np.bool_],
    w: NDArray[np.float64],
    exit_nodes: NDArray[np.int64],
) -> NDArray[np.int64] | None:
    """The road edges of the fastest route from the origin to ``exit_nodes`` under chain weights
    ``w`` (None: unreachable): a backward A* from the exit (:func:`kernels.astar`) guided by
    ``bound``, a lower bound of the time from the origin to every node."""
    start, pred = kernels.astar(
        graph.bwd_indptr, graph.bwd_head, w[graph.bwd_chain], exit_nodes, is_origin, bound
    )
    if start < 0:
        return None
    out = []
    x = start
    while pred[x] >= 0:
        c = int(graph.bwd_chain[pred[x]])
        out.append(c)
        x = int(graph.chains.head[c])
    return graph.chains.edges_of(np.array(out, dtype=np.int64))
