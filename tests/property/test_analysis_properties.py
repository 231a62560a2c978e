"""Invariants of reach, routes, cuts and flows on random situations (hypothesis).

Each property is checked against something computed independently: a brute force over closures,
a flow checked edge by edge, or the same analysis on a situation built another way.
"""

from __future__ import annotations

import copy
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.cut import (
    capacity_cut_and_flow,
    critical_segments,
    max_flow,
    min_cut,
    min_cut_and_critical,
)
from corridor.analysis.evacuation import evacuation_time
from corridor.analysis.prepared import Prepared
from corridor.analysis.report import analyze
from corridor.analysis.routes import ALTERNATIVE_PENALTY, reach, routes
from corridor.analysis.turns import turn_costs_s
from corridor.model.situation import Situation
from strategies import (
    edge_subsets,
    examples,
    fingerprint,
    make_situation,
    segment_ids,
    segment_subsets,
    situation_parts,
    situations,
)

# ------------------------------------------------------------------------------- routes


@settings(max_examples=examples(2.0))
@given(situations())
def test_routes_are_valid_paths(situation: Situation) -> None:
    """Every route is a simple path of open edges from an origin node to its exit's node, leaving
    the origin once (its gate is its first edge); ranks run 0, 1, ... per exit in exit order;
    every alternative adds a segment that no earlier route to the same exit used, and is at most
    ``max_stretch`` times slower than the fastest."""
    net = situation.network
    max_stretch = 4.0
    found = routes(situation, k=2, max_stretch=max_stretch)
    origin = set(situation.origin.tolist())
    exit_order = {name: i for i, name in enumerate(situation.exit_names)}
    keys = [(exit_order[r.exit], r.rank) for r in found]
    assert keys == sorted(keys), f"routes not sorted by exit then rank: {keys}"
    used: dict[str, set[int]] = {}
    ranks: dict[str, int] = {}
    for r in found:
        where = f"{r.exit} rank {r.rank} (edges {r.edges.tolist()})"
        exit_nodes = set(situation.exits[exit_order[r.exit]].tolist())
        assert r.rank == ranks.get(r.exit, 0), f"{where}: expected rank {ranks.get(r.exit, 0)}"
        ranks[r.exit] = r.rank + 1
        assert len(r.edges) > 0, f"{where}: empty route"
        assert situation.open[r.edges].all(), (
            f"{where}: uses closed edges {r.edges[~situation.open[r.edges]].tolist()}"
        )
        nodes = [int(net.src[r.edges[0]]), *net.dst[r.edges].tolist()]
        joined = net.dst[r.edges[:-1]] == net.src[r.edges[1:]]
        assert joined.all(), (
            f"{where}: edges not consecutive at positions {np.flatnonzero(~joined)}"
        )
        assert nodes[0] in origin, f"{where}: starts at node {nodes[0]}, not an origin node"
        assert not origin & set(nodes[1:]), f"{where}: re-enters the origin, nodes {nodes}"
        assert r.gate == int(r.edges[0]), f"{where}: gate {r.gate} is not its first edge"
        assert nodes[-1] in exit_nodes, f"{where}: ends at node {nodes[-1]}, not in {exit_nodes}"
        assert not exit_nodes & set(nodes[:-1]), f"{where}: passes its exit before the end"
        assert len(set(nodes)) == len(nodes), f"{where}: not a simple path, nodes {nodes}"
        tt, length = float(net.travel_time_s[r.edges].sum()), float(net.length_m[r.edges].sum())
        tt += float(turn_costs_s(net, r.edges).sum())  # the time model's turns
        assert math.isclose(r.travel_time_s, tt, rel_tol=1e-12), (
            f"{where}: reports {r.travel_time_s} s, its edges and turns sum to {tt} s"
        )
        assert math.isclose(r.distance_m, length, rel_tol=1e-12), (
            f"{where}: reports {r.distance_m} m, its edges sum to {length} m"
        )
        segs = set(net.segment[r.edges].tolist())
        if r.rank == 0:
            assert r.exit not in used, f"{where}: a second rank-0 route"
            fastest = r
            used[r.exit] = set()
            assert r.shared_m == 0.0, f"{where}: the fastest route shares {r.shared_m} m"
        else:
            assert r.exit in used, f"{where}: an alternative without a rank-0 route"
            assert not segs <= used[r.exit], (
                f"{where}: adds no segment to those already used {sorted(used[r.exit])}"
            )
            assert r.travel_time_s <= max_stretch * fastest.travel_time_s, (
                f"{where}: {r.travel_time_s} s is over {max_stretch} x the fastest "
                f"{fastest.travel_time_s} s"
            )
            in_fastest = np.isin(net.segment[r.edges], net.segment[fastest.edges])
            shared = float(net.length_m[r.edges][in_fastest].sum())
            assert math.isclose(r.shared_m, shared, rel_tol=1e-12, abs_tol=1e-9), (
                f"{where}: shared_m {r.shared_m}, length on the fastest route's segments {shared}"
            )
        used[r.exit] |= segs
    reachable = {x.name for x in reach(situation).exits if x.reachable}
    assert set(used) == reachable, (
        f"exits with routes {sorted(used)} differ from reachable exits {sorted(reachable)}"
    )


def test_alternative_penalty_is_large() -> None:
    # the alternatives' "share as little road as possible" rests on this
    assert ALTERNATIVE_PENALTY >= 100


# --------------------------------------------------------------------------- flows and cuts


@settings(max_examples=examples(2.0))
@given(situations())
def test_max_flow_equals_min_cut_capacity(situation: Situation) -> None:
    flow = max_flow(situation)
    cut = min_cut(situation, weight="capacity")
    assert flow.value_pph == cut.capacity_pph, (
        f"max flow {flow.value_pph} pph but min cut capacity {cut.capacity_pph} pph "
        f"(cut edges {cut.edges.tolist()})"
    )
    count_cut = min_cut(situation)
    assert count_cut.capacity_pph >= cut.capacity_pph, (
        f"the fewest-segment cut carries {count_cut.capacity_pph} pph, less than the "
        f"least-capacity cut's {cut.capacity_pph} pph"
    )
    assert cut.count >= count_cut.count, (
        f"the least-capacity cut has {cut.count} segments, fewer than the minimum {count_cut.count}"
    )


@settings(max_examples=examples(2.0))
@given(situations())
def test_max_flow_is_a_feasible_flow(situation: Situation) -> None:
    """Non-negative, within every capacity, zero on closed edges, conserved at every node that
    is neither origin nor exit, and ``value_pph`` leaves the origin and reaches the exits."""
    net = situation.network
    result = max_flow(situation)
    f = result.edge_flow_pph
    assert f.shape == (net.n_edges,), f"edge_flow_pph has shape {f.shape}, not ({net.n_edges},)"
    assert (f >= 0).all(), f"negative flow on edges {np.flatnonzero(f < 0).tolist()}"
    over = np.flatnonzero(f > net.capacity_pph)
    assert len(over) == 0, (
        f"flow over capacity on edges {over.tolist()}: {f[over].tolist()} > "
        f"{net.capacity_pph[over].tolist()}"
    )
    on_closed = np.flatnonzero((f > 0) & ~situation.open)
    assert len(on_closed) == 0, f"flow on closed edges {on_closed.tolist()}"
    balance = np.bincount(net.dst, weights=f, minlength=net.n_nodes) - np.bincount(
        net.src, weights=f, minlength=net.n_nodes
    )  # inflow - outflow
    origin = np.zeros(net.n_nodes, dtype=bool)
    origin[situation.origin] = True
    exits = np.zeros(net.n_nodes, dtype=bool)
    for nodes in situation.exits:
        exits[nodes] = True
    inner = ~origin & ~exits
    bad = np.flatnonzero(inner & (balance != 0))
    assert len(bad) == 0, (
        f"flow not conserved at nodes {bad.tolist()} (inflow - outflow {balance[bad].tolist()})"
    )
    assert -balance[origin].sum() == result.value_pph, (
        f"{-balance[origin].sum()} pph leave the origin, value_pph is {result.value_pph}"
    )
    assert balance[exits].sum() == result.value_pph, (
        f"{balance[exits].sum()} pph reach the exits, value_pph is {result.value_pph}"
    )


# ------------------------------------------------------------------------ critical segments


def brute_force_critical(situation: Situation) -> set[int]:
    """Open segments whose closure alone turns an open situation sealed."""
    net = situation.network
    if reach(situation).status == "sealed":
        return set()
    out = set()
    for seg in sorted(set(net.segment[situation.open].tolist())):
        edge = np.flatnonzero(net.segment == seg)[:1]
        if reach(situation.with_closed(edge)).status == "sealed":
            out.add(seg)
    return out


@settings(max_examples=examples(2.0))
@given(situations())
def test_critical_segments_equal_brute_force(situation: Situation) -> None:
    net = situation.network
    critical = critical_segments(situation)
    got = net.segment[critical].tolist()
    assert len(set(got)) == len(got), f"a segment is listed twice: edges {critical.tolist()}"
    expected = brute_force_critical(situation)
    assert set(got) == expected, (
        f"critical segments {sorted(set(got))}, brute force (close each open segment alone) "
        f"{sorted(expected)}: corridor only {sorted(set(got) - expected)}, brute force only "
        f"{sorted(expected - set(got))}"
    )
    for e in critical.tolist():
        assert situation.open[e], f"critical edge {e} is closed"
        assert reach(situation.with_closed([e])).status == "sealed", (
            f"closing critical edge {e} (segment {net.segment[e]}) leaves the origin open"
        )
    if len(critical):
        assert min_cut(situation).count == 1, "critical segments exist but the min cut is not 1"


# ---------------------------------------------------------------------------- monotonicity


def _hours(situation: Situation, population: int) -> float:
    hours = evacuation_time(situation, population).hours
    return math.inf if hours is None else hours


@settings(max_examples=examples(2.0))
@given(st.data())
def test_closing_roads_never_helps(data: st.DataObject) -> None:
    """Closing more roads never enlarges the reached nodes, never makes an exit reachable or
    faster, and never increases the min cut count, the max flow or lowers the evacuation time."""
    before = data.draw(situations(), label="situation")
    closed = data.draw(edge_subsets(before.network), label="closed edges")
    after = before.with_closed(np.asarray(closed, dtype=np.int64))
    r0, r1 = reach(before), reach(after)
    extra = set(r1.reached_nodes.tolist()) - set(r0.reached_nodes.tolist())
    assert not extra, f"closing edges {closed} newly reaches nodes {sorted(extra)}"
    for x0, x1 in zip(r0.exits, r1.exits, strict=True):
        assert x0.reachable or not x1.reachable, f"closing {closed} opened {x0.name}"
        if x1.reachable:
            assert x1.travel_time_s >= x0.travel_time_s - 1e-6 * len(before.open), (
                f"closing {closed} made {x0.name} faster: {x0.travel_time_s} -> "
                f"{x1.travel_time_s} s"
            )
    c0, c1 = min_cut(before).count, min_cut(after).count
    assert c1 <= c0, f"closing {closed} raised the min cut count {c0} -> {c1}"
    f0, f1 = max_flow(before).value_pph, max_flow(after).value_pph
    assert f1 <= f0, f"closing {closed} raised the max flow {f0} -> {f1} pph"
    h0, h1 = _hours(before, 10_000), _hours(after, 10_000)
    assert h1 >= h0 * (1 - 1e-9), f"closing {closed} shortened the evacuation {h0} -> {h1} h"


def _answers(situation: Situation) -> tuple[object, ...]:
    return (
        reach(situation),
        routes(situation, k=2),
        min_cut(situation),
        min_cut(situation, weight="capacity"),
        critical_segments(situation),
        max_flow(situation),
        evacuation_time(situation, 5_000),
    )


_NAMES = ("reach", "routes", "min_cut(count)", "min_cut(capacity)", "critical", "max_flow", "evac")


def _assert_same(a: tuple[object, ...], b: tuple[object, ...], what: str) -> None:
    for name, x, y in zip(_NAMES, a, b, strict=True):
        assert fingerprint(x) == fingerprint(y), f"{what}: {name} differs:\n{x}\n!=\n{y}"


@settings(max_examples=examples(1.0))
@given(st.data())
def test_reopening_restores_answers(data: st.DataObject) -> None:
    """Closing segments B on top of A, then building the situation with A alone again, gives
    the answers of A alone, byte for byte; and with_closed(B) on A equals building A | B."""
    net, origin, exits, closed_a = data.draw(situation_parts(), label="situation")
    closed_b = data.draw(segment_subsets(net, max_size=3), label="more closed segments")
    only_a = make_situation(net, origin, exits, closed_a)
    first = _answers(only_a)
    both = make_situation(net, origin, exits, closed_a | closed_b)
    edges_b = np.flatnonzero(np.isin(net.segment, sorted(closed_b)))
    _assert_same(
        _answers(both),
        _answers(only_a.with_closed(edges_b)),
        f"building with {sorted(closed_a | closed_b)} closed vs closing {sorted(closed_b)} later",
    )
    reopened = make_situation(net, origin, exits, closed_a)
    _assert_same(first, _answers(reopened), f"reopening segments {sorted(closed_b)}")


@settings(max_examples=examples(0.5))
@given(situation_parts())
def test_same_inputs_same_outputs(parts: tuple) -> None:  # type: ignore[type-arg]
    """Two computations from scratch (two copies of the network, two situations, nothing shared
    between them) give the same answers byte for byte, and so does a third that reuses the
    first one's prepared structures."""
    net, origin, exits, closed = parts
    one = make_situation(net, origin, exits, closed)
    two = make_situation(copy.deepcopy(net), origin, exits, closed)
    assert two.network is not one.network
    first = _answers(one)
    _assert_same(first, _answers(two), "the same inputs, computed twice from scratch")
    prepared = Prepared.of(one)
    again = make_situation(net, origin, exits, closed)
    assert prepared.fits(again)
    analysed = analyze(again, k=2, population=1000, prepared=prepared)
    fresh = analyze(make_situation(copy.deepcopy(net), origin, exits, closed), k=2, population=1000)
    assert fingerprint(analysed) == fingerprint(fresh), "reusing prepared structures changed it"


@settings(max_examples=examples(0.5))
@given(situations())
def test_combined_calls_equal_separate_calls(situation: Situation) -> None:
    """The one-flow shortcuts give what the separate functions give, byte for byte."""
    cut, critical = min_cut_and_critical(situation)
    assert fingerprint(cut) == fingerprint(min_cut(situation)), "min_cut_and_critical: cut"
    assert fingerprint(critical) == fingerprint(critical_segments(situation)), (
        f"min_cut_and_critical: critical {critical.tolist()} != "
        f"{critical_segments(situation).tolist()}"
    )
    cap_cut, flow = capacity_cut_and_flow(situation)
    assert fingerprint(cap_cut) == fingerprint(min_cut(situation, weight="capacity")), (
        "capacity_cut_and_flow: cut"
    )
    assert fingerprint(flow) == fingerprint(max_flow(situation)), "capacity_cut_and_flow: flow"


@settings(max_examples=examples(0.5))
@given(situations())
def test_sealed_situation_answers(situation: Situation) -> None:
    """With every road closed: sealed, no routes, empty cuts, zero flow, no evacuation time."""
    net = situation.network
    sealed = situation.with_closed(np.flatnonzero(np.isin(net.segment, segment_ids(net))))
    assert not sealed.open.any(), "with_closed(all segments) left edges open"
    result = reach(sealed)
    assert result.status == "sealed", f"every road closed but status {result.status!r}"
    assert set(result.reached_nodes.tolist()) == set(situation.origin.tolist()), (
        f"every road closed but reached {result.reached_nodes.tolist()}"
    )
    assert routes(sealed) == [], "every road closed but routes exist"
    for weight in ("count", "capacity"):
        cut = min_cut(sealed, weight=weight)
        assert (cut.count, cut.capacity_pph, len(cut.edges)) == (0, 0, 0), f"{weight}: {cut}"
    assert len(critical_segments(sealed)) == 0, "every road closed but critical segments exist"
    flow = max_flow(sealed)
    assert flow.value_pph == 0 and not flow.edge_flow_pph.any(), f"flow when sealed: {flow}"
    assert evacuation_time(sealed, 100).hours is None, "sealed, yet an evacuation time"
