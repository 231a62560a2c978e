"""Frozen, small results: ids and numbers, no geometry (``outputs`` joins geometry back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Status = Literal["open", "sealed"]


@dataclass(frozen=True)
class ExitReach:
    name: str
    reachable: bool
    travel_time_s: float | None
    distance_m: float | None


@dataclass(frozen=True)
class ReachResult:
    status: Status
    exits: tuple[ExitReach, ...]
    reached_nodes: NDArray[np.int64]


@dataclass(frozen=True)
class Route:
    exit: str
    rank: int  # 0 = fastest, 1.. = alternatives
    edges: NDArray[np.int64]
    travel_time_s: float
    distance_m: float
    shared_m: float  # length shared with the fastest route to the same exit
    roads: tuple[str, ...]
    gate: int  # the edge where the route leaves the origin


@dataclass(frozen=True)
class CutResult:
    """A minimum cut: the directed edges leaving the origin's side (one per road segment)."""

    weight: Literal["count", "capacity"]
    edges: NDArray[np.int64]
    count: int
    capacity_pph: int
    origin_side: NDArray[np.int64]


@dataclass(frozen=True)
class FlowResult:
    value_pph: int
    edge_flow_pph: NDArray[np.int64]  # per road edge (0 where unused)


@dataclass(frozen=True)
class EvacuationResult:
    population: int
    hours: float | None  # None when sealed (never) ; 0 for nobody
    flow_pph: int  # outflow rate of the chosen temporally repeated flow
    paths_used: int
    method: str
