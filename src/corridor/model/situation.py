"""Closures and the situation: the open-edge mask, origin nodes and exit nodes for one mover.

A closure is a change to a boolean mask, never a rebuild of the network: what-if questions
recompute in milliseconds. Closing a road segment closes both of its directions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from corridor.errors import AreaError, UnknownIdError
from corridor.model.areas import Area, nodes_in, zone_hold
from corridor.model.network import RoadNetwork


@dataclass(frozen=True)
class Closure:
    """A blocked road: by OSM way ids, by an area (point + radius, polygon), or by road ref or
    name (every way of it, or its run between two areas, followed across joins of at most
    :data:`corridor.model.roads.JOIN_M` metres). ``label`` says what it is and where it came
    from, for reports."""

    ways: tuple[int, ...] = ()
    area: Area | None = None
    ref: str | None = None
    between: tuple[Area, Area] | None = None
    label: str = ""
    reopen: bool = False
    name: str | None = None

    def __post_init__(self) -> None:
        road = self.ref is not None or self.name is not None
        given = sum([bool(self.ways), self.area is not None, road])
        if (
            given != 1
            or (self.ref is not None and self.name is not None)
            or (self.between is not None and not road)
        ):
            msg = (
                "a closure names exactly one of: ways, an area, or a road (a ref or a name, "
                "optionally with two places between)"
            )
            raise ValueError(msg)

    def road(self) -> str:
        """The road a ref or name closure names, for messages (``road 'CG-1'``)."""
        if self.ref is not None:
            return f"road {self.ref!r}"
        return f"the road named {self.name!r}"

    def describe(self) -> str:
        if self.label:
            return self.label
        if self.ways:
            return "way " + ", ".join(str(w) for w in self.ways)
        if self.area is not None:
            return f"area {self.area.name}"
        road = self.ref if self.ref is not None else self.name
        if self.between is None:
            return f"road {road}"
        return f"road {road} between {self.between[0].name} and {self.between[1].name}"


def closure_edge_mask(network: RoadNetwork, closure: Closure) -> NDArray[np.bool_]:
    """Every directed edge a closure covers: both directions of each segment it touches."""
    if closure.ways:
        hit = np.isin(network.way_id, np.asarray(closure.ways, dtype=np.int64))
        missing = sorted(set(closure.ways) - set(np.unique(network.way_id[hit]).tolist()))
        if missing:
            msg = (
                f"closure {closure.describe()!r}: way {', '.join(map(str, missing))} is not in the "
                f"{network.mover.value} network of {network.source or 'this network'}; check the id, "
                "or the mover (the way may not be usable by it)"
            )
            raise UnknownIdError(msg)
    elif closure.area is not None:
        hit = closure.area.edge_mask(network)
    else:
        hit = _road_mask(network, closure)
    return network.segment_mask(hit)


def _road_mask(network: RoadNetwork, closure: Closure) -> NDArray[np.bool_]:
    """The edges of a ref or name closure: every edge of the road, or its run between two areas."""
    from corridor.model.roads import road_between_mask, road_mask, suggest_names, suggest_refs

    road = road_mask(network, ref=closure.ref, name=closure.name)
    if not road.any():
        if closure.ref is not None:
            close, what = suggest_refs(network, closure.ref), f"no road with ref {closure.ref!r}"
        else:
            assert closure.name is not None
            close, what = suggest_names(network, closure.name), f"no road named {closure.name!r}"
        hint = (
            f"; nearest spellings: {', '.join(repr(c) for c in close)}"
            if close
            else "; `corridor network roads FILE` lists the roads"
        )
        msg = f"closure: {what} in the {network.mover.value} network{hint}"
        raise UnknownIdError(msg)
    if closure.between is None:
        return road
    a, b = closure.between
    return road_between_mask(
        network,
        road,
        a.representative,
        b.representative,
        closure.road(),
        a_name=a.name,
        b_name=b.name,
    )


def bind_closure(network: RoadNetwork, closure: Closure) -> tuple[NDArray[np.bool_], str]:
    """The edges a scenario's closure covers on ``network``, and why it covers fewer than it
    names ("" when it binds as written). A way or a ref that this mover's network lacks (a
    desert track closed for fighters is not in the car network) closes nothing for this mover:
    a finding to report, not an error, since other movers may use that road."""
    if closure.ways:
        hit = np.isin(network.way_id, np.asarray(closure.ways, dtype=np.int64))
        missing = sorted(set(closure.ways) - set(np.unique(network.way_id[hit]).tolist()))
        note = (
            f"way {', '.join(map(str, missing))} is not in the {network.mover.value} network"
            if missing
            else ""
        )
        return network.segment_mask(hit), note
    try:
        return closure_edge_mask(network, closure), ""
    except (UnknownIdError, AreaError) as exc:
        return np.zeros(network.n_edges, dtype=bool), str(exc).removeprefix("closure: ")


@dataclass(frozen=True)
class Restriction:
    """A road kept open at reduced capacity and speed: the edges ``closure`` covers (its target)
    have their capacity multiplied by ``capacity_factor`` and their speed by ``speed_factor``,
    both in [0.001, 1]."""

    closure: Closure
    capacity_factor: float = 1.0
    speed_factor: float = 1.0


def restricted_network(network: RoadNetwork, restrictions: Sequence[Restriction]) -> RoadNetwork:
    """``network`` with each restriction's factors applied to the edges it covers (both
    directions; two restrictions on one road multiply). The same object when there are none, so
    that what is built once per network stays shared. A target that binds nothing restricts
    nothing (the closure's binding rules, :func:`bind_closure`).

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments([(0.0, 0.0), (0.01, 0.0)], [(0, 1)], highway="primary")
    >>> r = Restriction(Closure(ways=(1,)), capacity_factor=0.5, speed_factor=0.5)
    >>> out = restricted_network(net, [r])
    >>> out.capacity_pph.tolist(), bool((out.travel_time_s == 2 * net.travel_time_s).all())
    ([3000, 3000], True)
    """
    if not restrictions:
        return network
    cap = np.ones(network.n_edges)
    speed = np.ones(network.n_edges)
    for r in restrictions:
        mask, _ = bind_closure(network, r.closure)
        cap[mask] *= r.capacity_factor
        speed[mask] *= r.speed_factor
    return replace(
        network,
        speed_kph=network.speed_kph * speed,
        travel_time_s=network.travel_time_s / speed,
        capacity_pph=np.rint(network.capacity_pph * cap).astype(np.int64),
    )


@dataclass(frozen=True)
class ZoneRule:
    """An area held by someone from some time: the road segments running through ``polygon``
    (more than :data:`corridor.model.areas.ZONE_HOLD_TOLERANCE_M` inside) are held by it, and
    close when ``blocks`` is true; where a later zone that does not block overlaps it, that
    zone's area is no longer its own (the last zone applied wins, area by area)."""

    polygon: BaseGeometry
    label: str
    blocks: bool = True


@dataclass(frozen=True, eq=False)
class Situation:
    """The state at one instant for one mover: which edges are open, the origin and exit nodes.

    ``closed_by[e]`` is -1 for an open edge, else the index into ``reasons`` of the rule that
    closed it (the last one applied wins).
    """

    network: RoadNetwork
    open: NDArray[np.bool_]
    origin: NDArray[np.int64]
    exits: tuple[NDArray[np.int64], ...]
    origin_name: str
    exit_names: tuple[str, ...]
    closed_by: NDArray[np.int32]
    reasons: tuple[str, ...]
    origin_area: Area | None = None
    exit_areas: tuple[Area, ...] = ()
    # per closure given to :func:`build_situation`, in order: the edges it covers, how many of
    # those are still closed once every closure and reopening has applied (zones aside), and
    # why it covers fewer than it names ("" when it binds as written)
    closure_hits: tuple[int, ...] = ()
    closure_edges: tuple[int, ...] = ()
    closure_notes: tuple[str, ...] = ()
    # per zone given, in order: the edges it holds (corridor.model.areas.zone_hold; the origin's
    # own aside)
    zone_edges: tuple[int, ...] = ()

    def with_closed(self, edges: NDArray[np.integer[Any]], reason: str = "what-if") -> Situation:
        """A new situation with the segments of ``edges`` closed (both directions)."""
        mask = self.network.segment_mask(np.asarray(edges, dtype=np.int64))
        closed_by = self.closed_by.copy()
        closed_by[mask] = len(self.reasons)
        return replace(
            self, open=self.open & ~mask, closed_by=closed_by, reasons=(*self.reasons, reason)
        )


def area_nodes(network: RoadNetwork, area: Area, role: str) -> NDArray[np.int64]:
    """Node indices inside ``area``; raises AreaError naming ``role`` when there are none."""
    nodes = nodes_in(network, area)
    if len(nodes) == 0:
        lon0, lat0 = area.representative
        lo = network.bounds
        where = (
            f"point [{lon0}, {lat0}] with radius_m {area.radius_m}"
            if area.point is not None
            else "its polygon"
        )
        hint = "enlarge radius_m or move the point onto the road network"
        if not (lo[0] <= lon0 <= lo[2] and lo[1] <= lat0 <= lo[3]):
            hint = (
                f"it lies outside the network's bounds [{lo[0]:.4f}, {lo[1]:.4f}, {lo[2]:.4f}, "
                f"{lo[3]:.4f}]; points are [lon, lat]: are the two swapped?"
            )
        msg = f"{role} {area.name!r}: {where} holds no node of the {network.mover.value} network; {hint}"
        raise AreaError(msg, key=role)
    return nodes


@dataclass(frozen=True, eq=False)
class AppliedRules:
    """Closures and zones applied to a network's edges (see :func:`apply_rules`)."""

    closed_by: NDArray[np.int32]
    reasons: tuple[str, ...]
    closure_hits: tuple[int, ...]
    closure_edges: tuple[int, ...]
    closure_notes: tuple[str, ...]
    zone_edges: tuple[int, ...]

    @property
    def open(self) -> NDArray[np.bool_]:
        return self.closed_by < 0


def apply_rules(
    network: RoadNetwork,
    closures: Sequence[Closure] = (),
    zones: Sequence[ZoneRule] = (),
    *,
    exempt: NDArray[np.bool_] | None = None,
    origin: Area | None = None,
) -> AppliedRules:
    """Which edges the closures and zones close, and by which rule (the one home of that rule:
    :func:`build_situation` and the scan both call it).

    Closures apply in order (a later ``reopen`` reopens what earlier closures closed); zones
    then apply in order (:func:`zone_control`). Edges with both ends in ``exempt`` (per node; a
    situation's origin) are left to closures only, and the ``origin``'s own ground is taken out
    of every zone that blocks.
    """
    closed_by = np.full(network.n_edges, -1, dtype=np.int32)
    reasons: list[str] = []
    zone_edges: tuple[int, ...] = ()
    covered: list[NDArray[np.int64]] = []
    notes: list[str] = []
    for c in closures:
        mask, note = bind_closure(network, c)
        covered.append(np.flatnonzero(mask))
        notes.append(note)
        if c.reopen:
            closed_by[mask] = -1
        else:
            closed_by[mask] = len(reasons)
            reasons.append(c.describe())
    closure_hits = tuple(len(e) for e in covered)
    closure_edges = tuple(
        0 if c.reopen else int((closed_by[e] >= 0).sum())
        for c, e in zip(closures, covered, strict=True)
    )
    if zones:
        exempt_edge = (
            np.zeros(network.n_edges, dtype=bool)
            if exempt is None
            else exempt[network.src] & exempt[network.dst]
        )
        closer, zone_edges = zone_control(network, zones, exempt_edge, origin=origin)
        base = len(reasons)
        reasons.extend(z.label for z in zones)
        e = np.flatnonzero(closer >= 0)
        closed_by[e] = base + closer[e].astype(np.int32)
    return AppliedRules(
        closed_by=closed_by,
        reasons=tuple(reasons),
        closure_hits=closure_hits,
        closure_edges=closure_edges,
        closure_notes=tuple(notes),
        zone_edges=zone_edges,
    )


def build_situation(
    network: RoadNetwork,
    origin: Area,
    exits: Sequence[Area],
    *,
    closures: Sequence[Closure] = (),
    zones: Sequence[ZoneRule] = (),
) -> Situation:
    """Open-edge mask and node sets for one mover at one instant.

    Closures apply in order (a later ``reopen`` reopens what earlier closures closed); one that
    names a way or ref this network lacks closes nothing and says why (``closure_notes``). Zones then
    apply in order (:func:`zone_control`): a zone that blocks the mover closes every road segment
    running through it by more than :data:`corridor.model.areas.ZONE_HOLD_TOLERANCE_M`, wherever
    its midpoint lies. Edges with both ends inside the origin are exempt from zones (the origin
    itself is excepted).

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments([(0.0, 0.0), (0.01, 0.0), (0.02, 0.0)], [(0, 1), (1, 2)])
    >>> s = build_situation(
    ...     net,
    ...     Area("Town", point=(0.0, 0.0), radius_m=100),
    ...     [Area("Camp", point=(0.02, 0.0), radius_m=100)],
    ...     closures=[Closure(ways=(2,), label="checkpoint")],
    ... )
    >>> int(s.open.sum()), s.closure_edges
    (2, (2,))
    """
    if not exits:
        msg = "no exits: name at least one place to get out to"
        raise AreaError(msg)
    origin_nodes = area_nodes(network, origin, "origin")
    exit_nodes = []
    in_origin = np.zeros(network.n_nodes, dtype=bool)
    in_origin[origin_nodes] = True
    for i, area in enumerate(exits):
        nodes = area_nodes(network, area, f"exits[{i}]")
        overlap = int(in_origin[nodes].sum())
        if overlap:
            msg = (
                f"exits[{i}] {area.name!r} overlaps the origin {origin.name!r} ({overlap} shared "
                "nodes); shrink one of them so that leaving the origin means something"
            )
            raise AreaError(msg, key=f"exits[{i}]")
        exit_nodes.append(nodes)

    rules = apply_rules(network, closures, zones, exempt=in_origin, origin=origin)
    closed_by = rules.closed_by
    return Situation(
        network=network,
        open=closed_by < 0,
        origin=origin_nodes,
        exits=tuple(exit_nodes),
        origin_name=origin.name,
        exit_names=tuple(a.name for a in exits),
        closed_by=closed_by,
        reasons=rules.reasons,
        origin_area=origin,
        exit_areas=tuple(exits),
        closure_hits=rules.closure_hits,
        closure_edges=rules.closure_edges,
        closure_notes=rules.closure_notes,
        zone_edges=rules.zone_edges,
    )


def zone_control(
    network: RoadNetwork,
    zones: Sequence[ZoneRule],
    exempt: NDArray[np.bool_],
    *,
    origin: Area | None = None,
) -> tuple[NDArray[np.int64], tuple[int, ...]]:
    """Which zone closes each edge, and how many edges each zone holds: the one rule for zones.

    A zone that blocks closes every edge it holds (:func:`corridor.model.areas.zone_hold`: more
    than ``ZONE_HOLD_TOLERANCE_M`` of the edge inside), less the area of later zones that do not
    block and overlap it (the last zone wins, area by area: a road running 9 km through hostile
    ground and 1 km through a later friendly zone is still closed). The ``origin``'s own ground
    is taken out of every zone that blocks too (people leave from it whoever holds it: only the
    stretches of a road outside the origin count). An edge closed by several zones names the
    last. ``exempt`` edges (both ends in the origin) are never closed nor counted.

    Returns
    -------
    tuple
        Per edge, the index into ``zones`` of the zone closing it (-1: none); per zone, the
        edges its polygon holds, exempt ones aside.

    Examples
    --------
    >>> import shapely
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments([(0.0, 0.0), (0.2, 0.0)], [(0, 1)])  # one 22 km road
    >>> hostile = ZoneRule(shapely.box(0.0, -0.01, 0.08, 0.01), "west", blocks=True)
    >>> closer, held = zone_control(net, [hostile], np.zeros(2, dtype=bool))
    >>> closer.tolist(), held  # its midpoint (0.1, 0) lies outside: closed all the same
    ([0, 0], (2,))
    """
    closer = np.full(network.n_edges, -1, dtype=np.int64)
    counts: list[int] = []
    home = origin.geometry() if origin is not None else None
    polygons = [z.polygon for z in zones]
    free = np.array([not z.blocks for z in zones], dtype=bool)
    for i, z in enumerate(zones):
        hold = zone_hold(network, z.polygon)
        counts.append(int((~exempt[hold.edges]).sum()))
        if not z.blocks:
            continue
        later = [j for j in range(i + 1, len(zones)) if free[j]]
        carve: list[BaseGeometry] = []
        if later:
            overlaps = shapely.intersects(z.polygon, np.array([polygons[j] for j in later]))
            carve = [polygons[j] for j, hit in zip(later, overlaps, strict=True) if hit]
        if home is not None and z.polygon.intersects(home):
            carve.append(home)
        if carve:
            hold = zone_hold(network, z.polygon, carve=carve)
        closer[hold.edges] = i
    closer[exempt] = -1
    return closer, tuple(counts)
