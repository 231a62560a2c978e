"""Closures and the situation: the open-edge mask, origin nodes and exit nodes for one mover.

A closure is a change to a boolean mask, never a rebuild of the network: what-if questions
recompute in milliseconds. Closing a road segment closes both of its directions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from corridor.errors import AreaError, UnknownIdError
from corridor.model.areas import Area, haversine_m, points_in_polygons
from corridor.model.network import RoadNetwork


@dataclass(frozen=True)
class Closure:
    """A blocked road: by OSM way ids, by an area (point + radius, polygon), or by road ref
    between two areas. ``label`` says what it is and where it came from, for reports."""

    ways: tuple[int, ...] = ()
    area: Area | None = None
    ref: str | None = None
    between: tuple[Area, Area] | None = None
    label: str = ""
    reopen: bool = False

    def __post_init__(self) -> None:
        given = sum([bool(self.ways), self.area is not None, self.ref is not None])
        if given != 1 or ((self.ref is None) != (self.between is None)):
            msg = "a closure names exactly one of: ways, an area, or a ref with two places between"
            raise ValueError(msg)

    def describe(self) -> str:
        if self.label:
            return self.label
        if self.ways:
            return "way " + ", ".join(str(w) for w in self.ways)
        if self.area is not None:
            return f"area {self.area.name}"
        assert self.between is not None
        return f"road {self.ref} between {self.between[0].name} and {self.between[1].name}"


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
        assert closure.ref is not None and closure.between is not None
        hit = _ref_between_mask(network, closure.ref, *closure.between)
    return network.segment_mask(hit)


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


def _ref_between_mask(network: RoadNetwork, ref: str, a: Area, b: Area) -> NDArray[np.bool_]:
    """Edges of road ``ref`` on the shortest stretch (by length) between areas a and b."""
    wanted = ref.strip().lower()
    ref_ok = np.array(
        [wanted in {r.strip().lower() for r in s.split(";")} for s in network.refs], dtype=bool
    )
    on_road = ref_ok[network.ref_code]
    if not on_road.any():
        msg = (
            f"closure: no road with ref {ref!r} in the {network.mover.value} network; check the ref"
        )
        raise UnknownIdError(msg)
    e = np.flatnonzero(on_road)
    n = network.n_nodes
    import scipy.sparse as sp  # here, not at import: most closures never need it
    from scipy.sparse.csgraph import dijkstra

    g = sp.csr_matrix((network.length_m[e] + 1e-6, (network.src[e], network.dst[e])), shape=(n, n))
    road_nodes = np.unique(np.concatenate([network.src[e], network.dst[e]]))

    def nearest(area: Area) -> int:
        lon0, lat0 = area.representative
        d = haversine_m(network.lon[road_nodes], network.lat[road_nodes], lon0, lat0)
        return int(road_nodes[int(np.argmin(d))])

    na, nb = nearest(a), nearest(b)
    dist, pred = dijkstra(g, directed=False, indices=na, return_predecessors=True)
    if not np.isfinite(dist[nb]):
        msg = f"closure: road {ref!r} does not run between {a.name!r} and {b.name!r} in the network"
        raise AreaError(msg)
    path = [nb]
    while path[-1] != na:
        path.append(int(pred[path[-1]]))
    pairs = set(itertools.pairwise(path))
    pairs |= {(v, u) for u, v in pairs}
    mask = np.zeros(network.n_edges, dtype=bool)
    for i in e:
        if (int(network.src[i]), int(network.dst[i])) in pairs:
            mask[i] = True
    return mask


@dataclass(frozen=True)
class Restriction:
    """A road kept open at reduced capacity and speed: the edges ``closure`` covers (its target)
    have their capacity multiplied by ``capacity_factor`` and their speed by ``speed_factor``,
    both in (0, 1]."""

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
    """An area held by someone from some time: edges whose midpoint lies in ``polygon`` are
    controlled by it (the last zone applied wins); they close when ``blocks`` is true."""

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
    # per zone given, in order: the edges whose midpoint it contains (the origin's own aside)
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
    nodes = np.flatnonzero(area.node_mask(network)).astype(np.int64)
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
) -> AppliedRules:
    """Which edges the closures and zones close, and by which rule (the one home of that rule:
    :func:`build_situation` and the scan both call it).

    Closures apply in order (a later ``reopen`` reopens what earlier closures closed); zones
    then apply in order, each edge controlled by the last zone containing its midpoint. Edges
    with both ends in ``exempt`` (per node; a situation's origin) are left to closures only.
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
        cand = np.flatnonzero(~exempt_edge)
        pt, zi = points_in_polygons(
            network.edge_mid_lon[cand], network.edge_mid_lat[cand], [z.polygon for z in zones]
        )
        zone_edges = tuple(np.bincount(zi, minlength=len(zones)).tolist())
        controller = np.full(len(cand), -1, dtype=np.int64)
        np.maximum.at(controller, pt, zi)
        blocks = np.array([z.blocks for z in zones], dtype=bool)
        hit = controller >= 0
        blocked = np.zeros(len(cand), dtype=bool)
        blocked[hit] = blocks[controller[hit]]
        base = len(reasons)
        reasons.extend(z.label for z in zones)
        e = cand[blocked]
        closed_by[e] = base + controller[blocked].astype(np.int32)
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
    apply in order: each edge is controlled by the last zone containing its midpoint, and closes
    when that zone blocks the mover. Edges with both ends inside the origin are exempt from zones
    (the origin itself is excepted).

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

    rules = apply_rules(network, closures, zones, exempt=in_origin)
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
