"""The corridor report: everything analysis says about one situation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.cut import capacity_cut_and_flow, min_cut_and_critical
from corridor.analysis.evacuation import evacuation_time
from corridor.analysis.results import (
    CutResult,
    EvacuationResult,
    FlowResult,
    ReachResult,
    Route,
)
from corridor.analysis.routes import reach, routes
from corridor.model.situation import Situation


@dataclass(frozen=True, eq=False)
class CorridorReport:
    """Status, exits, routes, minimum cut, critical segments, capacity and evacuation time."""

    scenario: str
    date: str | None
    mover: str
    situation: Situation
    reach: ReachResult
    routes: tuple[Route, ...]
    min_cut: CutResult
    capacity_cut: CutResult
    critical: NDArray[np.int64]
    flow: FlowResult
    evacuation: EvacuationResult
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.reach.status


def analyze(
    situation: Situation,
    *,
    scenario: str = "",
    date: str | None = None,
    mover: str | None = None,
    k: int = 2,
    population: int = 0,
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
    """
    r = reach(situation)
    cut, critical = min_cut_and_critical(situation)
    capacity_cut, flow = capacity_cut_and_flow(situation)
    return CorridorReport(
        scenario=scenario,
        date=date,
        mover=mover or situation.network.mover.value,
        situation=situation,
        reach=r,
        routes=tuple(routes(situation, k=k)) if r.status == "open" else (),
        min_cut=cut,
        capacity_cut=capacity_cut,
        critical=critical,
        flow=flow,
        evacuation=evacuation_time(situation, population),
    )
