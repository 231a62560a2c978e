"""Chain contraction invariants on random road networks."""

from __future__ import annotations

import numpy as np
from hypothesis import given

from corridor.analysis.prepared import Prepared, SituationWork
from strategies import situations


@given(s=situations())
def test_chains_partition_the_useful_edges(s) -> None:  # type: ignore[no-untyped-def]
    """The chains of the whole network (what every analysis runs on) and the chains a
    situation leaves open (every segment open)."""
    net = s.network
    prepared = Prepared.of(s)
    c = prepared.chains
    is_open = SituationWork(s, prepared).open_chains
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
        assert is_open[k] == s.open[members].all(), "a chain's open flag is wrong"
        assert net.src[members[0]] == c.tail[k] and net.dst[members[-1]] == c.head[k]
        assert (net.dst[members[:-1]] == net.src[members[1:]]).all(), "chain is not a path"
        interior = net.dst[members[:-1]]
        assert not terminal[interior].any(), "a chain runs through the origin or an exit"
        assert np.isclose(c.travel_time_s[k], net.travel_time_s[members].sum())
        assert c.capacity_pph[k] == net.capacity_pph[members].min()
        assert c.weakest[k] in members and net.capacity_pph[c.weakest[k]] == c.capacity_pph[k]
        assert (c.chain_of_edge[members] == k).all()
    assert (seen <= 1).all(), "an edge is in two chains"
    # an edge outside every chain is on a loop of pass-through nodes: it leads nowhere
    assert (c.chain_of_edge[seen == 0] == -1).all()
    # chain ends are junctions or terminals: no chain ends inside another chain
    ends = set(c.head.tolist()) | set(c.tail.tolist())
    interiors = {
        int(x) for k in range(c.n) for x in net.dst[c.members[c.ptr[k] : c.ptr[k + 1]]][:-1]
    }
    assert not ends & interiors
