"""Evacuation time: the quickest flow of a population from the origin to the exits.

Model (continuous time, Ford and Fulkerson's temporally repeated flows): every road edge has a
capacity u_e (persons per hour entering it) and a transit time tau_e (hours). A static origin-exit
flow x, repeated from time 0 and stopped in time for the last departures to arrive by T, moves
``T * |x| - sum_e tau_e * x_e`` people by time T; temporally repeated flows are optimal among all
dynamic flows (Ford and Fulkerson 1958). Hence the minimum time to move D people is

    T*(D) = min over static flows x of (D + sum_e tau_e x_e) / |x|

(Burkard, Dlaska and Klinz 1993, "The quickest flow problem"). With c(v) the least cost
``sum tau x`` of a flow of value v (convex and piecewise linear in v), T*(D) = min_v
(D + c(v)) / v, reached at a breakpoint of c. The cheapest maximum flow
(:mod:`corridor.analysis.flows`: successive shortest paths, each a goal-directed Dijkstra stopped
at the exits) walks those breakpoints in order of increasing path time; T*(D) is the least of
(D + c(v)) / v over them. Sanity check on one road: T = tau + D / u. Checked in the tests
against a brute-force time-expanded network.
"""

from __future__ import annotations

import numpy as np

from corridor.analysis.flow_graph import SINK, SOURCE
from corridor.analysis.flows import cheapest_max_flow
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.results import EvacuationResult
from corridor.model.situation import Situation

METHOD = "quickest flow by temporally repeated flows (successive shortest paths)"


def quickest_time(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    capacity: np.ndarray,
    transit: np.ndarray,
    demand: float,
    *,
    source: int = SOURCE,
    sink: int = SINK,
) -> tuple[float | None, int, int]:
    """Quickest time to send ``demand`` from ``source`` to ``sink`` over arcs (u, v).

    Capacities are flow per time unit, transit times in the same time unit. Returns
    ``(time, flow rate of the optimal static flow, augmenting paths it uses)``; time is None
    when the sink cannot be reached, 0.0 when the demand is 0.
    """
    if demand <= 0:
        return 0.0, 0, 0
    flow = cheapest_max_flow(n, u, v, capacity, transit, source=source, sink=sink)
    return flow.quickest(demand)


def evacuation_time(
    situation: Situation, population: int, *, prepared: Prepared | None = None
) -> EvacuationResult:
    """Hours to move ``population`` people from the origin to the exits (None when sealed).

    Uses the road capacities (persons per hour) and travel times of the open edges; see the
    module docstring for the model and its sources.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> round(evacuation_time(two_towns_one_bridge(), 6000).hours, 2)  # an hour, and the way
    1.02
    """
    return evacuation_of(SituationWork(situation, prepared), population)


def evacuation_of(work: SituationWork, population: int) -> EvacuationResult:
    """:func:`evacuation_time` from a situation's shared work."""
    hours, rate, paths = work.cheapest.quickest(float(population))
    return EvacuationResult(
        population=int(population), hours=hours, flow_pph=rate, paths_used=paths, method=METHOD
    )
