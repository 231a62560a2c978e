"""Frozen, small results: ids and numbers, no geometry (``outputs`` joins geometry back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from corridor.model.areas import Area

Status = Literal["open", "sealed"]


@dataclass(frozen=True)
class ExitReach:
    """One exit: reachable or not, and the travel time (s) and length (m) of its fastest route."""

    name: str
    reachable: bool
    travel_time_s: float | None
    distance_m: float | None


@dataclass(frozen=True)
class ReachResult:
    """Encirclement: the status, each exit's reach, and every node the origin still reaches."""

    status: Status
    exits: tuple[ExitReach, ...]
    reached_nodes: NDArray[np.int64]


@dataclass(frozen=True)
class Route:
    """A route out: its road edges in order, time, length, length shared with the fastest route
    to the same exit, the roads it follows and its gate (the edge where it leaves the origin)."""

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
    """The capacity: the maximum flow in persons per hour, and the flow on every road edge."""

    value_pph: int
    edge_flow_pph: NDArray[np.int64]  # per road edge (0 where unused)


@dataclass(frozen=True)
class EvacuationResult:
    """Hours to move ``population`` out (None when sealed), with the outflow rate and the
    number of paths of the quickest flow, and the method used."""

    population: int
    hours: float | None  # None when sealed (never) ; 0 for nobody
    flow_pph: int  # outflow rate of the chosen temporally repeated flow
    paths_used: int
    method: str


@dataclass(frozen=True)
class Terminal:
    """The origin or one exit as the analysis saw it: its name, network nodes, and the area it
    was drawn from (a point with a radius, or a polygon), when known."""

    name: str
    nodes: NDArray[np.int64]
    area: Area | None = None


@dataclass(frozen=True)
class ClosedRoads:
    """The closed edges of a situation and, per edge, which rule closed it (an index into
    ``reasons``: a closure, a zone, a what-if)."""

    edges: NDArray[np.int64]
    reason: NDArray[np.int32]
    reasons: tuple[str, ...]

    def counts(self) -> list[tuple[str, int]]:
        """(reason, edges it closed), in the order of the rules."""
        if len(self.edges) == 0:
            return []
        codes, counts = np.unique(self.reason, return_counts=True)
        return [(self.reasons[int(c)], int(n)) for c, n in zip(codes, counts, strict=True)]


@dataclass(frozen=True)
class NetworkInfo:
    """Which network a report was computed on."""

    source: str
    mover: str
    nodes: int
    edges: int


@dataclass(frozen=True)
class ClosureBinding:
    """How one closure bound to the network at the report's date: the edges it covers, and how
    many of them are still closed once every reopening has applied (zones aside)."""

    label: str
    event: str | None  # the event that made it; None for a standing closure or a what-if
    reopen: bool
    edges_covered: int
    edges_closed: int
    id: str = ""  # the event's id, ``closures[i]`` (standing) or ``what-if[i]``
    note: str = ""  # why it covers fewer roads than it names ("": it binds as written)


@dataclass(frozen=True)
class ZoneBinding:
    """How one zone bound to the network at the report's date: the road edges it holds (more
    than ``ZONE_HOLD_TOLERANCE_M`` inside it: :func:`corridor.model.areas.zone_hold`), and
    whether it blocks the mover."""

    id: str
    label: str
    edges: int
    blocks: bool


@dataclass(frozen=True)
class NearestRoad:
    """The road of a network nearest to a point: its name, ref, OSM way and distance."""

    name: str
    ref: str
    osm_way: int
    distance_m: float


@dataclass(frozen=True)
class InputWarning:
    """An input that binds to nothing, or to less than it says: found, not fatal, and shown
    wherever the answer is (``code`` is stable; ``id`` names the closure, zone or place)."""

    code: str
    message: str
    id: str
    nearest_road: NearestRoad | None = None
