"""Which road matters most: every road stretch closed alone, and what that does.

The single-link redundancy analysis: for each road stretch that carries flow in the situation's
maximum flow (a stretch is a chain of segments between junctions, closed as one, since closing
any segment of it closes the rest for every route), or for every OSM way (``by_way=True``),
close it alone and measure the capacity lost (persons per hour and %), the extra travel time to
each exit, the exits cut off and whether it seals the origin. Every answer comes from one
:class:`~corridor.analysis.session.ClosureSession` (the flows repaired from the shared answer),
and equals a fresh analysis of ``situation.with_closed(edges)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.cut import capacity_cut_and_flow_of
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.session import ClosureSession
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.situation import Situation
from corridor.model.timeline import situation_at


class RankBy(StrEnum):
    """What ranks roads: capacity lost, extra travel time, or sealing (then exits cut off)."""

    CAPACITY = "capacity"
    TIME = "time"
    SEAL = "seal"

    @classmethod
    def _missing_(cls, value: object) -> RankBy:
        for m in cls:
            if m.value == str(value).lower():
                return m
        msg = f"{value!r} is not a ranking; expected one of {', '.join(m.value for m in cls)}"
        raise ValueError(msg)


@dataclass(frozen=True)
class RoadImpact:
    """One road stretch (or OSM way) closed alone: what it is and what closing it does.

    ``extra_time_s`` holds, per exit reachable before, the seconds added to its fastest route
    (None: cut off); ``from_node`` and ``to_node`` are the OSM ids of the stretch's ends.
    """

    road: str
    ref: str
    osm_ways: tuple[int, ...]
    edges: NDArray[np.int64]
    from_node: int
    to_node: int
    length_m: float
    capacity_lost_pph: int
    capacity_lost_pct: float
    extra_time_s: dict[str, float | None]
    exits_cut: tuple[str, ...]
    seals: bool


@dataclass(frozen=True)
class Ranking:
    """Roads ranked, most harmful first, with the situation's capacity before any closure."""

    by: RankBy
    by_way: bool
    capacity_pph: int
    roads: tuple[RoadImpact, ...]


def stretches(situation: Situation, *, prepared: Prepared | None = None) -> list[NDArray[np.int64]]:
    """The road stretches that carry flow in the situation's maximum flow: per stretch, its road
    edges in order (one direction; closing it closes both).

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> len(stretches(s)) > 0
    True
    """
    prepared = prepared if prepared is not None else Prepared.of(situation)
    flow = capacity_cut_and_flow_of(SituationWork(situation, prepared))[1].edge_flow_pph
    chains = prepared.chains
    used = np.unique(chains.chain_of_edge[np.flatnonzero(flow > 0)])
    used = used[used >= 0]
    seg = situation.network.segment
    out: list[NDArray[np.int64]] = []
    seen: set[tuple[int, ...]] = set()
    for c in used.tolist():
        members = chains.members[chains.ptr[c] : chains.ptr[c + 1]].astype(np.int64)
        key = tuple(sorted(set(seg[members].tolist())))
        if key not in seen:  # the other direction of a two-way stretch already listed
            seen.add(key)
            out.append(members)
    return out


def ways(situation: Situation) -> list[NDArray[np.int64]]:
    """Every OSM way of the network: per way, its road edges (in network order)."""
    way = situation.network.way_id
    order = np.argsort(way, kind="stable")
    bounds = np.flatnonzero(np.diff(way[order])) + 1
    return [g.astype(np.int64) for g in np.split(order, bounds)]


def rank_roads(
    situation: Situation,
    *,
    by: RankBy | str = RankBy.CAPACITY,
    by_way: bool = False,
    top: int | None = None,
    prepared: Prepared | None = None,
    on_road: Callable[[int, int], None] | None = None,
) -> Ranking:
    """Close each road stretch carrying flow (or each OSM way) alone and rank the roads.

    Parameters
    ----------
    situation
        Open-edge mask, origin nodes and exit nodes for one mover at one instant.
    by
        ``capacity``: most persons per hour lost first; ``time``: most exits cut, then most
        seconds added to an exit's fastest route; ``seal``: those that seal the origin first,
        then most exits cut, then capacity lost.
    by_way
        Rank every OSM way of the network instead of the stretches that carry flow.
    top
        Keep the ``top`` most harmful (all by default).
    prepared
        The structures of the situation's network, origin and exits, when held.
    on_road
        Called with (done, total) after each road.

    Returns
    -------
    Ranking
        The roads, most harmful first (ties: by road name, then first edge).

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> r = rank_roads(two_towns_one_bridge(), by="seal")
    >>> r.roads[0].seals, r.roads[0].capacity_lost_pct
    (True, 100.0)
    """
    by = RankBy(by)
    prepared = prepared if prepared is not None else Prepared.of(situation)
    session = ClosureSession(situation, prepared=prepared)
    base = session.answer(np.zeros(0, dtype=np.int64))
    capacity = base.capacity_cut.capacity_pph
    before = {x.name: x.travel_time_s for x in base.exits if x.reachable}
    groups = ways(situation) if by_way else stretches(situation, prepared=prepared)
    net = situation.network
    seg = net.segment
    impacts: list[RoadImpact] = []
    for i, edges in enumerate(groups):
        a = session.answer(edges)
        lost = capacity - a.capacity_cut.capacity_pph
        after = {x.name: x.travel_time_s for x in a.exits if x.reachable}
        extra: dict[str, float | None] = {}
        for name, t in before.items():
            t2 = after.get(name)
            extra[name] = None if t2 is None or t is None else round(t2 - t, 3)
        e0 = int(edges[0])
        _, first = np.unique(seg[edges], return_index=True)
        impacts.append(
            RoadImpact(
                road=" / ".join(net.roads_along(edges)),
                ref=net.edge_ref(e0),
                osm_ways=tuple(sorted(set(net.way_id[edges].tolist()))),
                edges=edges,
                from_node=int(net.node_osm_id[net.src[e0]]),
                to_node=int(net.node_osm_id[net.dst[int(edges[-1])]]),
                length_m=round(float(net.length_m[edges[np.sort(first)]].sum()), 1),
                capacity_lost_pph=int(lost),
                capacity_lost_pct=round(100.0 * lost / capacity, 2) if capacity else 0.0,
                extra_time_s=extra,
                exits_cut=tuple(n for n in before if n not in after),
                seals=base.status == "open" and a.status == "sealed",
            )
        )
        if on_road is not None:
            on_road(i + 1, len(groups))
    impacts.sort(key=_order(by))
    return Ranking(by, by_way, capacity, tuple(impacts[:top] if top is not None else impacts))


def rank_dates(
    scenario: Scenario,
    network: RoadNetwork,
    days: Iterable[dt.date],
    *,
    mover: str | None = None,
    plan: str | None = None,
    by: RankBy | str = RankBy.CAPACITY,
    by_way: bool = False,
    top: int | None = None,
    on_date: Callable[[int, int], None] | None = None,
) -> list[Ranking]:
    """The roads ranked (:func:`rank_roads`) at each of ``days``, in order.

    ``network`` is the mover's (:func:`corridor.analysis.replay.mover_network`). Dates that
    leave the same roads open share one ranking. ``on_date(done, total)`` is called after each.

    Examples
    --------
    >>> from corridor.analysis.replay import mover_network
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> net = mover_network(sc, networks, "isis-fighters")
    >>> a, b = rank_dates(sc, net, [dt.date(2016, 10, 17)] * 2, mover="isis-fighters")
    >>> a is b, a.roads[0].capacity_lost_pph > 0
    (True, True)
    """
    days = list(days)
    seen: dict[bytes, Ranking] = {}
    out: list[Ranking] = []
    prepared: Prepared | None = None
    for i, d in enumerate(days):
        situation, _ = situation_at(scenario, network, d, mover=mover, plan=plan, adapted=True)
        key = np.packbits(situation.open).tobytes()
        if key not in seen:
            if prepared is None or not prepared.fits(situation):
                prepared = Prepared.of(situation)
            seen[key] = rank_roads(situation, by=by, by_way=by_way, top=top, prepared=prepared)
        out.append(seen[key])
        if on_date is not None:
            on_date(i + 1, len(days))
    return out


def _order(by: RankBy) -> Callable[[RoadImpact], tuple[object, ...]]:
    def worst_delay(r: RoadImpact) -> float:
        return max((t for t in r.extra_time_s.values() if t is not None), default=0.0)

    def tie(r: RoadImpact) -> tuple[object, ...]:
        return (r.road, int(r.edges[0]))

    if by is RankBy.CAPACITY:
        return lambda r: (-r.capacity_lost_pph, -len(r.exits_cut), -worst_delay(r), *tie(r))
    if by is RankBy.TIME:
        return lambda r: (-len(r.exits_cut), -worst_delay(r), -r.capacity_lost_pph, *tie(r))
    return lambda r: (
        not r.seals,
        -len(r.exits_cut),
        -r.capacity_lost_pph,
        -worst_delay(r),
        *tie(r),
    )
