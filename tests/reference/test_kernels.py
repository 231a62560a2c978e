"""The flow kernels against networkx on random multigraphs.

``corridor.analysis.kernels`` works on raw arc arrays, so these tests feed it random arcs
(parallel and antiparallel arcs, self-loops, unreachable parts) and compare with networkx's
maximum flow and minimum-cost maximum flow built from the same arcs. Inputs this small run the
kernels' Python source unless the process has compiled them already (``CORRIDOR_KERNELS``);
``test_kernel_modes.py`` checks that Python and compiled kernels agree.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis import kernels
from corridor.analysis.flow_graph import Residual
from corridor.analysis.flows import cheapest_max_flow
from strategies import examples


@st.composite
def arc_sets(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 9))
    m = draw(st.integers(0, 30))
    node = st.integers(0, n - 1)
    u = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int64)
    v = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int64)
    cap = np.array(draw(st.lists(st.integers(0, 9), min_size=m, max_size=m)), dtype=np.int64)
    cost = np.array(draw(st.lists(st.integers(1, 20), min_size=m, max_size=m)), dtype=np.int64)
    return n, u, v, cap, cost


def nx_graph(n: int, u: np.ndarray, v: np.ndarray, cap: np.ndarray, cost: np.ndarray) -> nx.DiGraph:
    """A DiGraph with one intermediate node per arc, so parallel arcs stay apart."""
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for i, (a, b) in enumerate(zip(u.tolist(), v.tolist(), strict=True)):
        if a == b:
            continue
        g.add_edge(a, ("arc", i), capacity=int(cap[i]), weight=int(cost[i]))
        g.add_edge(("arc", i), b, capacity=int(cap[i]), weight=0)
    return g


def layout(n: int, u: np.ndarray, v: np.ndarray) -> Residual:
    return Residual(*kernels.residual_layout(n, u, v))


@settings(max_examples=examples(2))
@given(arc_sets())
def test_residual_layout_pairs_every_arc_with_its_reverse(arcs: tuple) -> None:
    n, u, v, _, _ = arcs
    r = layout(n, u, v)
    m = len(u)
    assert sorted(r.pos.tolist()) == list(range(2 * m))
    tails = np.repeat(np.arange(n), np.diff(r.indptr))
    assert np.array_equal(tails[r.pos[:m]], u) and np.array_equal(r.head[r.pos[:m]], v)
    assert np.array_equal(tails[r.pos[m:]], v) and np.array_equal(r.head[r.pos[m:]], u)
    assert np.array_equal(r.twin[r.pos[:m]], r.pos[m:])
    assert np.array_equal(r.twin[r.twin], np.arange(2 * m))


@settings(max_examples=examples(2))
@given(arc_sets(), st.integers(0, 12))
def test_max_flow_matches_networkx_and_resumes_from_a_partial_flow(arcs: tuple, first: int) -> None:
    n, u, v, cap, cost = arcs
    expected = nx.maximum_flow_value(nx_graph(n, u, v, cap, cost), 0, 1)
    r = layout(n, u, v)
    resid = r.place(cap, np.zeros(len(cap), dtype=np.int64))
    # a flow of at most ``first`` units, then the rest on top of it
    got = r.max_flow(resid, 0, 1, first)
    assert got == min(first, expected)
    got += r.max_flow(resid, 0, 1, 10**9)
    assert got == expected
    assert (r.work[0] == -1).all(), "max_flow left labels in its shared scratch row"
    flow = r.backward(resid)
    assert np.all((flow >= 0) & (flow <= cap))
    net = np.bincount(v, weights=flow, minlength=n) - np.bincount(u, weights=flow, minlength=n)
    assert net[1] == expected and np.all(net[2:] == 0)
    # the source side of the residual graph is a minimum cut
    side = kernels.reach_from(r.indptr, r.head, resid > 0, np.array([0]))
    assert not side[1]
    assert cap[side[u] & ~side[v]].sum() == expected


@settings(max_examples=examples(2))
@given(arc_sets())
def test_cheapest_max_flow_matches_networkx(arcs: tuple) -> None:
    n, u, v, cap, cost = arcs
    g = nx_graph(n, u, v, cap, cost)
    ref = nx.max_flow_min_cost(g, 0, 1)
    value = sum(ref[0].values()) - sum(f[0] for f in ref.values() if 0 in f)
    ref_cost = nx.cost_of_flow(g, ref)
    got = cheapest_max_flow(n, u, v, cap.astype(float), cost.astype(float))
    assert got.value == value
    assert (got.costs[-1] if len(got.costs) else 0.0) == ref_cost
    # breakpoints: values increase, the cost per unit of each path does not decrease
    steps = np.diff(np.r_[0.0, got.values])
    assert np.all(steps > 0)
    slopes = np.diff(np.r_[0.0, got.costs]) / steps
    assert np.all(np.diff(slopes) >= -1e-9)
    flow = got.arc_flow()
    assert np.all((flow >= 0) & (flow <= cap))
    assert float((flow * cost).sum()) == ref_cost
