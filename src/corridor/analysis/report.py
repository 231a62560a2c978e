"""The corridor report: everything analysis says about one situation, as a small frozen result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.cut import capacity_cut_and_flow_of, min_cut_and_critical_of
from corridor.analysis.evacuation import evacuation_of
from corridor.analysis.parallel import run_all
from corridor.analysis.pocket import Pocket, pocket_of
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.results import (
    ClosedRoads,
    ClosureBinding,
    CutResult,
    EvacuationResult,
    ExitReach,
    FlowResult,
    InputWarning,
    NetworkInfo,
    ReachResult,
    Route,
    Status,
    Terminal,
    ZoneBinding,
)
from corridor.analysis.routes import (
    is_open_of,
    kept_routes,
    one_exit_reach,
    reached_nodes_of,
    routes_of,
    status_of,
)
from corridor.analysis.stretches import (
    NamedPlace,
    Stretch,
    critical_stretches,
    cut_stretches,
    named_places,
)
from corridor.analysis.timed import TimedEvacuation
from corridor.model.scenario import Event, ExitKind, Place, ZoneChange, exit_kind
from corridor.model.situation import Situation


@dataclass(frozen=True, eq=False)
class CorridorReport:
    """Status, exits, routes, minimum cut, critical segments, capacity and evacuation time.

    Ids and numbers only: edge and node ids index the network the report was computed on
    (``network`` says which); presenters take that network separately. A report from a
    scenario's timeline also says its ``plan``, the ``events`` of its date, the what-if closures
    applied on top (``what_if``), how each closure and zone in force bound to the network
    (``closures``, ``zones``) and the ``warnings`` about those that bind to nothing.
    ``critical_stretches`` and ``cut_stretches`` name the critical segments and the minimum
    cut as road stretches (:mod:`corridor.analysis.stretches`); ``pocket`` is the area the
    origin still reaches (:mod:`corridor.analysis.pocket`; None when not worked out);
    ``zone_changes`` the scenario's zones that begin or end on the report's date. A ``quick``
    report (:func:`corridor.analysis.session.quick_report`) has only what a
    :class:`~corridor.analysis.session.ClosureSession` gives: no alternative routes, per-edge
    flows, evacuation time, named stretches or pocket.
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
    critical_stretches: tuple[Stretch, ...] = ()
    cut_stretches: tuple[Stretch, ...] = ()
    pocket: Pocket | None = None
    zone_changes: tuple[ZoneChange, ...] = ()
    quick: bool = False
    timed: TimedEvacuation | None = None  # the evacuation over time (windows, checkpoints)

    @property
    def status(self) -> Status:
        """``"open"`` when any exit is reachable, else ``"sealed"``."""
        return self.reach.status

    @property
    def exit_kinds(self) -> tuple[ExitKind, ...]:
        """Each exit's kind, ``refuge`` or ``waypoint``, in the order of ``exits``."""
        return tuple(exit_kind(x.area) for x in self.exits)

    @property
    def headline(self) -> str:
        """The status in words, with the exits' kinds: "open to 2 of 3 exits (A, B)", "open
        only to waypoints (Tal Afar); sealed from every refuge", "sealed from every exit"."""
        return headline(self.reach.exits, self.exit_kinds)


def headline(exits: Sequence[ExitReach], kinds: Sequence[ExitKind]) -> str:
    """The status in words (see :attr:`CorridorReport.headline`).

    Examples
    --------
    >>> from corridor.analysis.results import ExitReach
    >>> xs = [ExitReach("Tal Afar", True, 60.0, 1.0), ExitReach("Sufuk", False, None, None)]
    >>> headline(xs, ["waypoint", "refuge"])
    'open only to waypoints (Tal Afar); sealed from every refuge'
    >>> headline(xs, ["refuge", "refuge"])
    'open to 1 of 2 exits (Tal Afar)'
    """
    refuges = [x for x, k in zip(exits, kinds, strict=True) if k == "refuge"]
    waypoints = [x for x, k in zip(exits, kinds, strict=True) if k == "waypoint"]
    open_refuges = [x.name for x in refuges if x.reachable]
    open_waypoints = [x.name for x in waypoints if x.reachable]
    if not open_refuges and not open_waypoints:
        return "sealed from every exit"
    if not waypoints:
        return f"open to {len(open_refuges)} of {len(refuges)} exits ({', '.join(open_refuges)})"
    if not open_refuges:
        text = f"open only to waypoints ({', '.join(open_waypoints)})"
        return text + ("; sealed from every refuge" if refuges else "")
    text = f"open to {len(open_refuges)} of {len(refuges)} refuges ({', '.join(open_refuges)})"
    return text + (f" and to waypoints ({', '.join(open_waypoints)})" if open_waypoints else "")


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
    places: Sequence[Place] = (),
    describe: bool = True,
    work: SituationWork | None = None,
    previous: tuple[SituationWork, CorridorReport] | None = None,
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
    places
        The scenario's places (with their populations at the date): they name the ends of the
        critical and cut stretches (beside the origin and exits) and are counted in the pocket.
    describe
        Name the critical and cut stretches and outline the pocket; loops that read only the
        numbers (samples, rankings) pass False and get none.
    work
        The situation's shared work (:class:`corridor.analysis.prepared.SituationWork`), when
        the caller keeps it (for the what-ifs on top of it); made here otherwise.
    previous
        The work of an earlier situation of the same network, origin and exits with its report
        (made with the same ``k``), when this one only closes more roads (a what-if on top of
        it): the exits whose routes there use none of the roads closed since keep their routes
        and times (:func:`corridor.analysis.routes.kept_routes`), and its cheapest flow is
        taken where no flow path ran on them (:attr:`SituationWork.cheapest`). The answer is
        the same.

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
    if work is None:
        work = SituationWork(situation, prepared, None if previous is None else previous[0])
    elif work.situation is not situation:
        msg = "work was made for another situation"
        raise ValueError(msg)
    is_open = is_open_of(work)
    origin, exits = terminals(situation)
    names = named_places([*places, origin, *exits]) if describe else []

    def routes_part() -> tuple[Any, tuple[Route, ...]]:
        turns = work.prepared.turns
        points = None if turns is None else turns.graph.points
        kept = {}
        if previous is not None:
            before, report = previous
            kept = kept_routes((before.situation, report.reach.exits, report.routes), situation, k)
        reaches = tuple(
            kept[i][0]
            if i in kept
            else one_exit_reach(situation.network, name, work.turn_route_of(i), points)
            for i, name in enumerate(situation.exit_names)
        )
        status = status_of(reaches)
        if not is_open:
            return (status, reaches), ()
        routes = routes_of(work, k=k, kept={i: r for i, (_, r) in kept.items()})
        return (status, reaches), tuple(routes)

    def flows_part() -> tuple[Any, ...]:
        cut, critical = min_cut_and_critical_of(work)
        capacity_cut, flow = capacity_cut_and_flow_of(work)
        stretches = stretches_parts(situation, cut, critical, names) if describe else {}
        return cut, critical, capacity_cut, flow, evacuation_of(work, population), stretches

    def pocket_part() -> tuple[NDArray[np.int64], dict[str, Any]]:
        reached = reached_nodes_of(work)
        if not describe:
            return reached, {}
        kinds = [(x.name, exit_kind(x.area), x.nodes) for x in exits]
        pocket = pocket_of(situation.network, situation.open, reached, places=places, exits=kinds)
        return reached, {"pocket": pocket}

    n_edges = situation.network.n_edges
    (found, routes), flows, (reached, pocket) = run_all(
        n_edges, routes_part, flows_part, pocket_part
    )
    (status, exit_reaches), (cut, critical, capacity_cut, flow, evacuation, stretches) = (
        found,
        flows,
    )
    return CorridorReport(
        scenario=scenario,
        date=date,
        mover=mover or situation.network.mover.value,
        origin=origin,
        exits=exits,
        network=network_info(situation),
        closed=closed_roads(situation),
        reach=ReachResult(status=status, exits=exit_reaches, reached_nodes=reached),
        routes=routes,
        min_cut=cut,
        capacity_cut=capacity_cut,
        critical=critical,
        flow=flow,
        evacuation=evacuation,
        **stretches,
        **pocket,
    )


def stretches_parts(
    situation: Situation,
    cut: CutResult,
    critical: NDArray[np.int64],
    names: Sequence[NamedPlace],
) -> dict[str, Any]:
    """A report's ``critical_stretches`` and ``cut_stretches`` (``names``: the places that name
    their ends, :func:`corridor.analysis.stretches.named_places`)."""
    net = situation.network
    crit = critical_stretches(net, critical, places=names)
    return {
        "critical_stretches": crit,
        "cut_stretches": cut_stretches(net, cut.edges, crit, places=names),
    }
