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
    assert (np.diff(c.tail) >= 0).all(), "chains are not sorted by tail (routes rely on it)"
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
    # an open edge outside every chain is on a loop of pass-through nodes, or on a chain cut by a
    # closed segment (whose open start is kept in stub_members for reachability)
    assert not (seen[c.stub_members] > 0).any(), "a stub edge is also in an open chain"
    assert (s.open[c.stub_members]).all(), "a stub edge is closed"
    # chain ends are junctions or terminals: no chain ends inside another chain
    ends = set(c.head.tolist()) | set(c.tail.tolist())
    interiors = {
        int(x) for k in range(c.n) for x in net.dst[c.members[c.ptr[k] : c.ptr[k + 1]]][:-1]
    }
    assert not ends & interiors
