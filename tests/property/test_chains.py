"""Chain contraction invariants on random road networks."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from corridor.analysis.chains import chains
from strategies import situations


@given(s=situations())
def test_chains_partition_the_useful_open_edges(s) -> None:  # type: ignore[no-untyped-def]
    net = s.network
    c = chains(s)
    terminal = np.zeros(net.n_nodes, dtype=bool)
    terminal[s.origin] = True
    for nodes in s.exits:
        terminal[nodes] = True
    seen = np.zeros(net.n_edges, dtype=int)
    for k in range(c.n):
        members = c.members[c.ptr[k] : c.ptr[k + 1]]
        assert len(members) >= 1
        seen[members] += 1
        assert s.open[members].all(), "a chain uses a closed edge"
        assert net.src[members[0]] == c.tail[k] and net.dst[members[-1]] == c.head[k]
        assert (net.dst[members[:-1]] == net.src[members[1:]]).all(), "chain is not a path"
        interior = net.dst[members[:-1]]
        assert not terminal[interior].any(), "a chain runs through the origin or an exit"
        assert np.isclose(c.travel_time_s[k], net.travel_time_s[members].sum())
        assert c.capacity_pph[k] == net.capacity_pph[members].min()
        assert c.weakest[k] in members and net.capacity_pph[c.weakest[k]] == c.capacity_pph[k]
        assert (c.chain_of_edge[members] == k).all()
    assert (seen <= 1).all(), "an edge is in two chains"
    # every open edge is in a chain unless it lies on a loop of pass-through nodes only
    missing = np.flatnonzero(s.open & (seen == 0))
    for e in missing:
        assert not terminal[net.src[e]] and not terminal[net.dst[e]]
    # chain ends are junctions or terminals: no chain ends inside another chain
    ends = set(c.head.tolist()) | set(c.tail.tolist())
    interiors = {
        int(x) for k in range(c.n) for x in net.dst[c.members[c.ptr[k] : c.ptr[k + 1]]][:-1]
    }
    assert not ends & interiors
