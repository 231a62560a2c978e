"""The corridor report: everything analysis says about one situation, as a small frozen result."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.cut import capacity_cut_and_flow_of, min_cut_and_critical_of
from corridor.analysis.evacuation import evacuation_of
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.results import (
    ClosedRoads,
    ClosureBinding,
    CutResult,
    EvacuationResult,
    FlowResult,
    InputWarning,
    NetworkInfo,
    ReachResult,
    Route,
    Status,
    Terminal,
    ZoneBinding,
)
from corridor.analysis.routes import reach_of, routes_of
from corridor.model.scenario import Event
from corridor.model.situation import Situation


@dataclass(frozen=True, eq=False)
class CorridorReport:
    """Status, exits, routes, minimum cut, critical segments, capacity and evacuation time.

    Ids and numbers only: edge and node ids index the network the report was computed on
    (``network`` says which); presenters take that network separately. A report from a
    scenario's timeline also says its ``plan``, the ``events`` of its date, the what-if closures
    applied on top (``what_if``), how each closure and zone in force bound to the network
    (``closures``, ``zones``) and the ``warnings`` about those that bind to nothing.
    """

    scenario: str
    date: str | None
    mover: str
    origin: Terminal
    exits: tuple[Terminal, ...]
    network: NetworkInfo
    closed: ClosedRoads
    reach: ReachResult
    routes: tuple[Route, ...]
    min_cut: CutResult
    capacity_cut: CutResult
    critical: NDArray[np.int64]
    flow: FlowResult
    evacuation: EvacuationResult
    plan: str | None = None
    events: tuple[Event, ...] = ()
    what_if: tuple[str, ...] = ()
    closures: tuple[ClosureBinding, ...] = ()
    zones: tuple[ZoneBinding, ...] = ()
    warnings: tuple[InputWarning, ...] = ()

    @property
    def status(self) -> Status:
        """``"open"`` when any exit is reachable, else ``"sealed"``."""
        return self.reach.status


def terminals(situation: Situation) -> tuple[Terminal, tuple[Terminal, ...]]:
    """The origin and exits of a situation as a report keeps them."""
    origin = Terminal(situation.origin_name, situation.origin, situation.origin_area)
    areas = situation.exit_areas or (None,) * len(situation.exits)
    exits = tuple(
        Terminal(name, nodes, area)
        for name, nodes, area in zip(situation.exit_names, situation.exits, areas, strict=True)
    )
    return origin, exits


def closed_roads(situation: Situation) -> ClosedRoads:
    """The closed edges of a situation with the rule that closed each."""
    edges = np.flatnonzero(~situation.open).astype(np.int64)
    return ClosedRoads(edges, situation.closed_by[edges], situation.reasons)


def network_info(situation: Situation) -> NetworkInfo:
    net = situation.network
    return NetworkInfo(net.source, net.mover.value, net.n_nodes, net.n_edges)


def analyze(
    situation: Situation,
    *,
    scenario: str = "",
    date: str | None = None,
    mover: str | None = None,
    k: int = 2,
    population: int = 0,
    prepared: Prepared | None = None,
) -> CorridorReport:
    """Run every analysis on one situation.

    Parameters
    ----------
    situation
        Open-edge mask, origin nodes and exit nodes for one mover at one instant.
    scenario, date, mover
        Labels carried into the report.
    k
        Alternative routes per exit besides the fastest.
    population
        People to move out, for the evacuation time.
    prepared
        What is built once per network, origin and exits
        (:class:`corridor.analysis.prepared.Prepared`), when the caller analyses several
        situations of the same network; built here otherwise.

    Returns
    -------
    CorridorReport
        Status, exits, routes, cuts, critical segments, capacity and evacuation time.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> report = analyze(two_towns_one_bridge(), population=1000)
    >>> report.status, report.min_cut.count, len(report.critical) > 0
    ('open', 1, True)
    """
    work = SituationWork(situation, prepared)
    r = reach_of(work)
    cut, critical = min_cut_and_critical_of(work)
    capacity_cut, flow = capacity_cut_and_flow_of(work)
    origin, exits = terminals(situation)
    return CorridorReport(
        scenario=scenario,
        date=date,
        mover=mover or situation.network.mover.value,
        origin=origin,
        exits=exits,
        network=network_info(situation),
        closed=closed_roads(situation),
        reach=r,
        routes=tuple(routes_of(work, k=k)) if r.status == "open" else (),
        min_cut=cut,
        capacity_cut=capacity_cut,
        critical=critical,
        flow=flow,
        evacuation=evacuation_of(work, population),
    )
