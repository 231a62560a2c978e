"""Evacuation time (quickest flow): known answers, bounds, and a brute-force time-expanded network.

The discrete and continuous models, exactly. Let arcs have integer transit times tau_e >= 1 and
capacities u_e (flow per time unit).

- Continuous time (corridor's model, ``quickest_time``): a static flow x repeated from time 0
  moves F_cont(theta) = max_x (theta |x| - sum_e tau_e x_e) by time theta (Ford and Fulkerson's
  temporally repeated flows are optimal), so T*(D) = min_x (D + sum tau x) / |x| is the least
  theta with F_cont(theta) >= D. F_cont is continuous and non-decreasing, so
  F_cont(theta) >= D  <=>  theta >= T*(D).
- Discrete time (the brute force below): nodes (v, t) for t = 0..T, an arc (a, t) -> (b, t + tau)
  of capacity u for every t with t + tau <= T, unbounded holdover (v, t) -> (v, t + 1), the
  supply D at (source, 0), and every (sink, t) draining to the super sink. A path of transit
  tau_P departs at t = 0..T - tau_P: (T - tau_P + 1) periods. By the discrete Ford-Fulkerson
  theorem the maximum is F_disc(T) = max_x ((T + 1) |x| - sum tau x) = F_cont(T + 1).

Hence the least integer horizon T_disc with F_disc(T_disc) >= D satisfies
T_disc + 1 >= T*(D) > T_disc, that is  T_disc = ceil(T*(D)) - 1,  which is what
``test_quickest_time_matches_time_expanded_network`` checks (with 1e-9 slack for rounding).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.evacuation import evacuation_time, quickest_time
from corridor.analysis.routes import reach, routes
from corridor.model.areas import Area
from corridor.model.situation import Situation, build_situation
from corridor.testing import network_from_segments
from strategies import LAT0, LON0, examples, make_situation, situations

# ----------------------------------------------------------------------------- known answers


def test_one_road_takes_transit_plus_population_over_capacity() -> None:
    # a two-way primary road, 1 lane each way: 1500 vehicles/h x 4 persons = 6000 persons/h
    net = network_from_segments([(LON0, LAT0), (LON0 + 0.01, LAT0)], [(0, 1)], highway="primary")
    town = Area("town", point=(LON0, LAT0), radius_m=50)
    safe = Area("safe", point=(LON0 + 0.01, LAT0), radius_m=50)
    situation = build_situation(net, town, [safe])
    (e,) = np.flatnonzero(net.src == situation.origin[0])
    assert net.capacity_pph[e] == 6000, f"capacity {net.capacity_pph[e]} pph, expected 6000"
    tau_h = net.travel_time_s[e] / 3600.0
    for population in (1, 6000, 12_000, 1_000_000):
        result = evacuation_time(situation, population)
        expected = tau_h + population / 6000
        assert result.hours == pytest.approx(expected, rel=1e-9), (
            f"{population} people on one road: {result.hours} h, expected tau + D/u = {expected} h"
        )
        assert result.flow_pph == 6000, f"rate {result.flow_pph} pph, expected 6000"


# Two parallel roads from s = 0 to t = 1: road 1 with tau_1 = 1 h, u_1 = 2 persons/h; road 2
# with tau_2 = 3 h, u_2 = 4 persons/h.
#   road 1 alone:  T = tau_1 + D/u_1 = 1 + D/2
#   both roads:    T = (D + tau_1 u_1 + tau_2 u_2) / (u_1 + u_2) = (D + 2 + 12) / 6 = (D + 14) / 6
#   road 2 alone:  3 + D/4, which exceeds (D + 14)/6 by (D + 8)/12 > 0: never best.
# The two meet at 1 + D/2 = (D + 14)/6, i.e. D = 4, T = 3. So T*(2) = 2 (road 1: 2/h for 1 h,
# arriving by 2), T*(4) = 3, T*(10) = 4 (check: by T = 4 road 1 carries 2 x (4 - 1) = 6 and
# road 2 carries 4 x (4 - 3) = 4, together 10), T*(22) = 6.
@pytest.mark.parametrize(
    ("demand", "hours", "rate"), [(2, 2.0, 2), (4, 3.0, 2), (10, 4.0, 6), (22, 6.0, 6)]
)
def test_two_parallel_roads_by_hand(demand: int, hours: float, rate: int) -> None:
    u, v = np.array([0, 0]), np.array([1, 1])
    got, got_rate, _ = quickest_time(
        2, u, v, np.array([2.0, 4.0]), np.array([1.0, 3.0]), float(demand)
    )
    assert got == pytest.approx(hours, rel=1e-12), f"D={demand}: {got} h, by hand {hours} h"
    if demand != 4:  # at D = 4 both rates 2 and 6 give T = 3
        assert got_rate == rate, f"D={demand}: rate {got_rate}, by hand {rate}"


def test_two_parallel_roads_on_a_network() -> None:
    # the same two regimes on real roads of equal length L: a primary (65 km/h, 6000 persons/h)
    # and a residential road (25 km/h, 600 x 4 = 2400 persons/h), so tau_2 = 2.6 tau_1
    coords = [(LON0, LAT0), (LON0 + 0.01, LAT0)]
    net = network_from_segments(coords, [(0, 1), (0, 1)], highway=["primary", "residential"])
    situation = make_situation(net, [0], [[1]])
    fwd = np.flatnonzero(net.src == 0)
    by_class = {net.edge_highway(int(e)): int(e) for e in fwd}
    e1, e2 = by_class["primary"], by_class["residential"]
    u1, u2 = int(net.capacity_pph[e1]), int(net.capacity_pph[e2])
    t1, t2 = net.travel_time_s[e1] / 3600, net.travel_time_s[e2] / 3600
    assert (u1, u2) == (6000, 2400), f"capacities {u1}, {u2} pph; expected 6000, 2400"
    assert t2 == pytest.approx(65 / 25 * t1), f"transit times {t1}, {t2} h; expected 25:65"
    for population, regime in ((10, "primary alone"), (12_000, "both roads")):
        alone = t1 + population / u1
        both = (population + u1 * t1 + u2 * t2) / (u1 + u2)
        expected = alone if regime == "primary alone" else both
        assert expected == min(alone, both), f"D={population}: the regime is not {regime}"
        got = evacuation_time(situation, population).hours
        assert got == pytest.approx(expected, rel=1e-9), (
            f"D={population} ({regime}): {got} h, expected {expected} h"
        )


def test_nobody_takes_no_time() -> None:
    net = network_from_segments([(LON0, LAT0), (LON0 + 0.01, LAT0)], [(0, 1)])
    result = evacuation_time(make_situation(net, [0], [[1]]), 0)
    assert result.hours == 0.0, f"0 people take {result.hours} h"


def test_sealed_takes_forever() -> None:
    net = network_from_segments([(LON0, LAT0), (LON0 + 0.01, LAT0)], [(0, 1)], oneway=[True])
    # the only road is one-way from node 0 to node 1: leaving from node 1 is impossible
    result = evacuation_time(make_situation(net, [1], [[0]]), 100)
    assert result.hours is None, f"against a one-way road: {result.hours} h, expected None"
    closed = make_situation(net, [0], [[1]], closed_segments=[0])
    assert evacuation_time(closed, 100).hours is None, "road closed, yet an evacuation time"
    assert quickest_time(3, np.array([0]), np.array([2]), np.ones(1), np.ones(1), 5.0)[0] is None


# ------------------------------------------------------------------------------- properties


@settings(max_examples=examples(1.0))
@given(situations(), st.integers(0, 200_000), st.integers(0, 200_000))
def test_more_people_never_take_less_time(situation: Situation, d1: int, d2: int) -> None:
    few, many = sorted((d1, d2))
    h_few, h_many = evacuation_time(situation, few).hours, evacuation_time(situation, many).hours
    sealed = reach(situation).status == "sealed"
    for d, h in ((few, h_few), (many, h_many)):
        assert (h is None) == (sealed and d > 0), f"{d} people, status {sealed=}: {h} h"
    inf = math.inf
    h_few, h_many = (inf if h is None else h for h in (h_few, h_many))
    assert h_many >= h_few * (1 - 1e-12), f"{many} people take {h_many} h < {few} take {h_few} h"


@settings(max_examples=examples(1.0))
@given(situations(), st.integers(1, 200_000))
def test_time_lies_between_fastest_route_and_any_single_route(
    situation: Situation, population: int
) -> None:
    """Nobody arrives before the fastest travel time; sending everyone down any one route P
    at its bottleneck capacity c_P takes tau_P + D / c_P, an upper bound."""
    result = evacuation_time(situation, population)
    fastest = [x.travel_time_s for x in reach(situation).exits if x.reachable]
    if not fastest:
        assert result.hours is None, f"sealed, yet {result.hours} h"
        return
    assert result.hours is not None, "open, yet no evacuation time"
    lower = min(fastest) / 3600
    assert result.hours > lower * (1 - 1e-9), (
        f"{result.hours} h is faster than the fastest route's {lower} h"
    )
    net = situation.network
    for r in routes(situation, k=2):
        bound = r.travel_time_s / 3600 + population / int(net.capacity_pph[r.edges].min())
        assert result.hours <= bound * (1 + 1e-9), (
            f"{result.hours} h exceeds the single-route time {bound} h of {r.exit} rank {r.rank}"
        )


# -------------------------------------------------------- brute force: time-expanded network


def time_expanded_max_flow(
    n: int, arcs: list[tuple[int, int, int, int]], horizon: int, demand: int
) -> int:
    """Max flow by ``horizon`` in the discrete time-expanded network (module docstring);
    arcs are (tail, head, capacity per period, transit periods), source 0, sink 1."""
    g = nx.DiGraph()
    g.add_edge("S", (0, 0), capacity=demand)
    for t in range(horizon):
        for v in range(n):
            g.add_edge((v, t), (v, t + 1))  # no capacity attribute: unbounded
    for a, b, cap, tau in arcs:
        for t in range(horizon - tau + 1):
            key = ((a, t), (b, t + tau))
            if g.has_edge(*key):
                g.edges[key]["capacity"] += cap
            else:
                g.add_edge(*key, capacity=cap)
    for t in range(horizon + 1):
        g.add_edge((1, t), "T")
    return int(nx.maximum_flow_value(g, "S", "T"))


def brute_force_quickest_horizon(
    n: int, arcs: list[tuple[int, int, int, int]], demand: int
) -> int | None:
    """The least integer T with a time-expanded max flow >= demand (None when unreachable)."""
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for a, b, _cap, tau in arcs:
        if not g.has_edge(a, b) or tau < g[a][b]["tau"]:
            g.add_edge(a, b, tau=tau)
    if not nx.has_path(g, 0, 1):
        return None
    # one path of least transit, at least 1 per period, carries demand by tau_P + demand - 1
    hi = nx.shortest_path_length(g, 0, 1, weight="tau") + demand - 1
    assert time_expanded_max_flow(n, arcs, hi, demand) >= demand, "the upper bound is wrong"
    lo = -1  # nothing arrives by time -1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if time_expanded_max_flow(n, arcs, mid, demand) >= demand:
            hi = mid
        else:
            lo = mid
    return hi


@st.composite
def integer_arcs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, int, int]]]:
    """(n, arcs): 2 to 6 nodes, up to 10 arcs (tail, head, capacity 1-4, transit 1-4), no
    self-loops; parallel arcs and arcs into the source or out of the sink allowed."""
    n = draw(st.integers(2, 6))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 2))
    raw = draw(
        st.lists(st.tuples(pairs, st.integers(1, 4), st.integers(1, 4)), min_size=1, max_size=10)
    )
    return n, [(a, b if b < a else b + 1, cap, tau) for (a, b), cap, tau in raw]


@settings(max_examples=examples(3.0))
@given(integer_arcs(), st.integers(1, 30))
def test_quickest_time_matches_time_expanded_network(
    graph: tuple[int, list[tuple[int, int, int, int]]], demand: int
) -> None:
    n, arcs = graph
    a = np.array(arcs, dtype=np.int64).reshape(-1, 4)
    hours, rate, _ = quickest_time(
        n, a[:, 0], a[:, 1], a[:, 2].astype(float), a[:, 3].astype(float), float(demand)
    )
    t_disc = brute_force_quickest_horizon(n, arcs, demand)
    if t_disc is None:
        assert hours is None, f"the sink is unreachable, yet T* = {hours}"
        return
    assert hours is not None, f"the sink is reachable (discrete T = {t_disc}), yet T* is None"
    assert t_disc - 1e-9 < hours <= t_disc + 1 + 1e-9, (
        f"continuous T* = {hours}, discrete least horizon {t_disc}: expected "
        f"T_disc < T* <= T_disc + 1 (T_disc = ceil(T*) - 1)"
    )
    assert 0 < rate <= sum(cap for _a, _b, cap, _tau in arcs), f"rate {rate} out of range"


def test_time_expanded_brute_force_on_the_hand_example() -> None:
    # the two-road example above with demand 10: T* = 4, so the discrete horizon is 3:
    # by T = 3 road 1 (departures 0, 1, 2) carries 3 x 2 = 6, road 2 (departure 0) 1 x 4 = 4
    arcs = [(0, 1, 2, 1), (0, 1, 4, 3)]
    assert time_expanded_max_flow(2, arcs, 3, 10) == 10
    assert time_expanded_max_flow(2, arcs, 2, 10) == 4  # road 1 only, departures 0 and 1
    assert brute_force_quickest_horizon(2, arcs, 10) == 3
