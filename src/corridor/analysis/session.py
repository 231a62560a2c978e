"""What-if closures answered from the previous answer: repair the flows instead of recomputing them.

An analyst looking at one situation toggles closures ("and if the bridge goes too?") and wants the
answer before finishing the thought. :class:`ClosureSession` computes the situation's maximum flows
once (unit capacity for the count cut, persons per hour for the capacity) and answers every set of
closures from them:

* the flow on each newly closed arc (one arc at a time, in a compiled loop) is first rerouted
  around it (a maximum flow from its tail to its head, limited to that flow, usually a small
  search near the road); what cannot be rerouted is returned to the origin and taken back from
  the exits (both always possible: that flow came from the origin and went to the exits), which
  lowers the value;
* then Dinic's algorithm augments from that flow to a maximum flow again.

The answer is the same as a fresh analysis of ``situation.with_closed(edges)``, not an
approximation: the maximum-flow value, the minimum cut nearest the origin (what the origin still
reaches in the residual graph) and the critical segments are the same for every maximum flow, and
the routes come from the same search as :func:`corridor.analysis.routes.reach`. The tests check
this against fresh analyses on random graphs. The session does not give per-edge flows or the
evacuation time; those come from the cheapest flow of a full report. :func:`quick_report` puts
an answer into a :class:`~corridor.analysis.report.CorridorReport` marked ``quick``, for the
presenters (the workbench's quick what-if).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.cut import critical_from_flow, cut_from_flow
from corridor.analysis.flow_graph import SINK, SOURCE, UNLIMITED, MaxFlow, max_flow_on
from corridor.analysis.parallel import run_all
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.replay import bound
from corridor.analysis.report import CorridorReport, closed_roads, network_info, terminals
from corridor.analysis.results import (
    CutResult,
    EvacuationResult,
    ExitReach,
    FlowResult,
    ReachResult,
    Route,
    Status,
)
from corridor.analysis.routes import exit_reach
from corridor.model.scenario import Scenario
from corridor.model.situation import Closure, Situation
from corridor.model.timeline import State


@dataclass(frozen=True, eq=False)
class ClosureAnswer:
    """Status, fastest route to each exit, minimum cuts and critical segments after closures."""

    situation: Situation
    status: Status
    exits: tuple[ExitReach, ...]
    routes: tuple[NDArray[np.int64] | None, ...]  # per exit: road edges of the fastest route
    min_cut: CutResult
    capacity_cut: CutResult  # its capacity_pph is the capacity (maximum flow)
    critical: NDArray[np.int64]


class ClosureSession:
    """Closures answered on top of one situation (see the module docstring).

    ``ClosureSession(situation)`` computes the two maximum flows once (on ``prepared``, the
    structures of the situation's network, origin and exits, when the caller holds them); then
    ``session.answer(edges)`` gives the :class:`ClosureAnswer` for the situation with the
    segments of ``edges`` closed as well, as often as asked, each from the same starting flows.

    Examples
    --------
    >>> import numpy as np
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> session = ClosureSession(s)
    >>> session.answer(np.flatnonzero(s.network.way_id == 13)).status  # the bridge goes
    'sealed'
    >>> session.answer(np.flatnonzero(s.network.way_id == 9)).status  # one approach goes
    'open'
    """

    def __init__(self, situation: Situation, *, prepared: Prepared | None = None) -> None:
        self.situation = situation
        self.prepared = prepared if prepared is not None else Prepared.of(situation)
        work = SituationWork(situation, self.prepared)
        self._fg = self.prepared.flow_graph
        self._open = work.arc_open
        self._unit = work.unit_flow
        capacity = np.where(self._open, situation.network.capacity_pph[self._fg.edge], 0)
        self._capacity = max_flow_on(self._fg, self._open, capacity)

    def answer(self, closed_edges: NDArray[np.integer], reason: str = "what-if") -> ClosureAnswer:
        """The situation with the segments of ``closed_edges`` closed as well."""
        sit = self.situation.with_closed(closed_edges, reason=reason)
        work = SituationWork(sit, self.prepared)
        now_closed = np.flatnonzero(self._open & ~work.arc_open)

        def count_part() -> tuple[CutResult, NDArray[np.int64]]:
            unit = self._repair(self._unit, now_closed)
            return cut_from_flow(sit, self._fg, unit, "count"), critical_from_flow(self._fg, unit)

        def capacity_part() -> CutResult:
            capacity = self._repair(self._capacity, now_closed)
            return cut_from_flow(sit, self._fg, capacity, "capacity")

        def routes_part() -> tuple[NDArray[np.int64] | None, ...]:
            return work.turn_routes  # as the full report gives them (turns and restrictions)

        (min_cut, critical), capacity_cut, routes = run_all(
            sit.network.n_edges, count_part, capacity_part, routes_part
        )
        turns = self.prepared.turns
        points = None if turns is None else turns.graph.points
        status, exits = exit_reach(sit.network, sit.exit_names, routes, points)
        return ClosureAnswer(
            situation=sit,
            status=status,
            exits=exits,
            routes=routes,
            min_cut=min_cut,
            capacity_cut=capacity_cut,
            critical=critical,
        )

    def _repair(self, flow: MaxFlow, arcs: NDArray[np.int64]) -> MaxFlow:
        """A maximum flow once ``arcs`` are closed, from ``flow`` (left unchanged): close them
        (:func:`corridor.analysis.kernels.close_arcs`), then augment again."""
        fg = self._fg
        r = fg.residual
        resid: NDArray[np.int64] = np.array(flow.resid, dtype=np.int64)
        dropped = kernels.close_arcs(
            r.indptr, r.head, r.twin, r.pos, fg.u, fg.v, arcs, resid, SOURCE, SINK, r.work
        )
        if dropped < 0:  # flow decomposition rules it out; a bug, not bad input
            msg = "a closed road's flow could not be returned to the origin and the exits"
            raise AssertionError(msg)
        value = flow.value - int(dropped) + r.max_flow(resid, SOURCE, SINK, UNLIMITED)
        capacity = flow.capacity.copy()
        capacity[arcs] = 0
        is_open = flow.open.copy()
        is_open[arcs] = False
        return MaxFlow(int(value), is_open, capacity, resid, r)


def quick_report(
    answer: ClosureAnswer,
    state: State,
    *,
    scenario: Scenario,
    mover: str,
    date: str | None,
    plan: str | None = None,
    population: int = 0,
    what_if: Sequence[tuple[Closure, int]] = (),
    situation: Situation | None = None,
) -> CorridorReport:
    """A :class:`ClosureAnswer` as a report marked ``quick``: status, exits, the fastest route
    to each exit (rank 0), both minimum cuts, the capacity and the critical segments, with the
    date's events and how each closure, what-if and zone bound (``what_if``: the closures
    applied on top of ``state``'s situation, with the edges each covers). What the session does
    not work out is left empty: no alternatives, ``flow.edge_flow_pph`` empty, the evacuation
    ``"not computed"``, no named stretches, no pocket. ``situation``: the same situation as the
    answer's, with each what-if's own reason for its closed roads (default: the answer's).

    Examples
    --------
    >>> import numpy as np
    >>> from corridor.testing import bundled
    >>> from corridor.analysis.replay import MoverReplay
    >>> sc, networks = bundled("mosul-2016")
    >>> run = MoverReplay(sc, networks, "civilians")
    >>> situation, state = run.situation(sc.start, None)
    >>> answer = ClosureSession(situation).answer(np.zeros(0, dtype=np.int64))
    >>> report = quick_report(answer, state, scenario=sc, mover="civilians", date="2016-10-17")
    >>> report.quick, report.status == answer.status, report.evacuation.method
    (True, True, 'not computed')
    """
    situation = answer.situation if situation is None else situation
    net = situation.network
    routes = tuple(
        Route(
            exit=x.name,
            rank=0,
            edges=path,
            travel_time_s=float(x.travel_time_s or 0.0),
            distance_m=float(x.distance_m or 0.0),
            shared_m=0.0,
            roads=net.roads_along(path),
            gate=int(path[0]),
        )
        for x, path in zip(answer.exits, answer.routes, strict=True)
        if path is not None and len(path) > 0
    )
    origin, exits = terminals(situation)
    return CorridorReport(
        scenario=scenario.name,
        date=date,
        mover=mover,
        origin=origin,
        exits=exits,
        network=network_info(situation),
        closed=closed_roads(situation),
        reach=ReachResult(answer.status, answer.exits, np.zeros(0, dtype=np.int64)),
        routes=routes,
        min_cut=answer.min_cut,
        capacity_cut=answer.capacity_cut,
        critical=answer.critical,
        flow=FlowResult(answer.capacity_cut.capacity_pph, np.zeros(0, dtype=np.int64)),
        evacuation=EvacuationResult(population, None, 0, 0, "not computed"),
        plan=plan,
        events=state.events_today,
        zone_changes=scenario.zone_changes(state.date),
        quick=True,
        **bound(situation, state, what_if),
    )
