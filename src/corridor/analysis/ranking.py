"""Which road matters most: every road stretch closed alone, and what that does.

The single-link redundancy analysis: for each road stretch that carries flow in the situation's
maximum flow, or for every OSM way (``by_way=True``), close it alone and measure the capacity lost (persons per hour and %), the extra travel time to
each exit, the exits cut off and whether it seals the origin. Every answer comes from one
:class:`~corridor.analysis.session.ClosureSession` (the flows repaired from the shared answer),
and equals a fresh analysis of ``situation.with_closed(edges)``.

The stretches are built from *flow chains* (:func:`flow_chains`: runs of segments between
junctions of the network, closed as one, since closing any segment of one closes the rest for
every route): consecutive chains of one road with the same impact are one stretch, named by
:mod:`corridor.analysis.stretches` as ``analyze`` names its critical stretches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.cut import capacity_cut_and_flow_of
from corridor.analysis.prepared import Prepared, SituationWork
from corridor.analysis.session import ClosureSession
from corridor.analysis.stretches import (
    NamedPlace,
    Stretch,
    StretchNamer,
    end_to_end,
    named_places,
    road_key,
    stretch_along,
)
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


SAME_MINUTE_S = 60.0
"""Extra travel times are told apart to the minute when deciding whether two pieces of a road
have the same impact (as the table shows them)."""


@dataclass(frozen=True)
class RoadImpact:
    """One road stretch (or OSM way) closed alone: the named stretch and what closing it does.

    ``stretch`` is the :class:`~corridor.analysis.stretches.Stretch` closed (named as
    ``analyze`` names its critical stretches: "CG-1 from Santa Coloma to Sant Julià de Lòria");
    ``pieces`` how many flow chains (runs between junctions of the network) it merges;
    ``extra_time_s`` holds, per exit reachable before, the seconds added to its fastest route
    (None: cut off).
    """

    stretch: Stretch
    pieces: int
    capacity_lost_pph: int
    capacity_lost_pct: float
    extra_time_s: dict[str, float | None]
    exits_cut: tuple[str, ...]
    seals: bool

    @property
    def road(self) -> str:
        return self.stretch.road

    @property
    def ref(self) -> str:
        return self.stretch.ref

    @property
    def label(self) -> str:
        """The stretch as a reader names it ("CG-1 from Encamp to Soldeu")."""
        return self.stretch.label

    @property
    def osm_ways(self) -> tuple[int, ...]:
        """The stretch's OSM way ids, in increasing order."""
        return tuple(sorted(set(self.stretch.osm_ways)))

    @property
    def edges(self) -> NDArray[np.int64]:
        return self.stretch.edges

    @property
    def from_node(self) -> int:
        return self.stretch.from_node

    @property
    def to_node(self) -> int:
        return self.stretch.to_node

    @property
    def length_m(self) -> float:
        return self.stretch.length_m

    def same_impact(self) -> tuple[object, ...]:
        """What two pieces must share to be one row: persons/h lost, exits cut, whether it
        seals, and the extra time to each exit to the minute (:data:`SAME_MINUTE_S`)."""
        return _signature(self.capacity_lost_pph, self.extra_time_s, self.exits_cut, self.seals)


@dataclass(frozen=True)
class Ranking:
    """Roads ranked, most harmful first, with the situation's capacity before any closure."""

    by: RankBy
    by_way: bool
    capacity_pph: int
    roads: tuple[RoadImpact, ...]


def flow_chains(
    situation: Situation, *, prepared: Prepared | None = None
) -> list[NDArray[np.int64]]:
    """The flow chains of the situation: the runs of segments between junctions of the network
    (closing any segment of one closes the rest for every route) that carry flow in the
    situation's maximum flow; per chain, its road edges in order (one direction; closing it
    closes both). :func:`rank_roads` merges consecutive chains of one road into stretches.

    Examples
    --------
    >>> from corridor.testing import two_towns_one_bridge
    >>> s = two_towns_one_bridge()
    >>> len(flow_chains(s)) > 0
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
        if key not in seen:  # the other direction of a two-way chain already listed
            seen.add(key)
            out.append(members)
    return out


def ways(situation: Situation) -> list[NDArray[np.int64]]:
    """Every OSM way of the network: per way, its road edges (one per segment, in network
    order)."""
    net = situation.network
    first = np.unique(net.segment, return_index=True)[1]
    edges = np.sort(first).astype(np.int64)
    way = net.way_id[edges]
    order = np.argsort(way, kind="stable")
    bounds = np.flatnonzero(np.diff(way[order])) + 1
    return [edges[g] for g in np.split(order, bounds)]


def rank_roads(
    situation: Situation,
    *,
    by: RankBy | str = RankBy.CAPACITY,
    by_way: bool = False,
    top: int | None = None,
    places: Iterable[Any] = (),
    prepared: Prepared | None = None,
    on_road: Callable[[int, int], None] | None = None,
) -> Ranking:
    """Close each road stretch carrying flow (or each OSM way) alone and rank the roads.

    A stretch is a run of consecutive flow chains (:func:`flow_chains`) of one road (the
    rule of :func:`corridor.analysis.stretches.road_key`) with the same impact
    (:meth:`RoadImpact.same_impact`), joined at nodes where no third such chain meets, as long
    as closing them all together still has that impact; its numbers are those of closing it
    whole. Pieces of one OSM way with the same impact are therefore one row.

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
    places
        Places that name the stretches' ends (scenario places: anything with ``name`` and
        ``area``), beside the situation's origin and exits.
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
    >>> r.roads[0].label
    'unnamed primary near West'
    """
    by = RankBy(by)
    prepared = prepared if prepared is not None else Prepared.of(situation)
    session = ClosureSession(situation, prepared=prepared)
    base = session.answer(np.zeros(0, dtype=np.int64))
    capacity = base.capacity_cut.capacity_pph
    before = {x.name: x.travel_time_s for x in base.exits if x.reachable}
    net = situation.network
    named = [*places]
    if situation.origin_area is not None:
        named.append(NamedPlace(situation.origin_name, situation.origin_area))
    named += [
        NamedPlace(n, a) for n, a in zip(situation.exit_names, situation.exit_areas, strict=False)
    ]
    namer = StretchNamer(net, named_places(named))

    def impact(edges: NDArray[np.int64]) -> _Impact:
        a = session.answer(edges)
        lost = capacity - a.capacity_cut.capacity_pph
        after = {x.name: x.travel_time_s for x in a.exits if x.reachable}
        extra: dict[str, float | None] = {}
        for name, t in before.items():
            t2 = after.get(name)
            extra[name] = None if t2 is None or t is None else round(t2 - t, 3)
        return _Impact(
            int(lost),
            round(100.0 * lost / capacity, 2) if capacity else 0.0,
            extra,
            tuple(n for n in before if n not in after),
            base.status == "open" and a.status == "sealed",
        )

    groups = ways(situation) if by_way else flow_chains(situation, prepared=prepared)
    alone: list[_Impact] = []
    for i, edges in enumerate(groups):
        alone.append(impact(edges))
        if on_road is not None:
            on_road(i + 1, len(groups))
    runs = (
        [([i], alone[i]) for i in range(len(groups))]
        if by_way
        else _merge_chains(net, groups, alone, impact)
    )
    impacts = [
        RoadImpact(
            stretch=stretch_along(net, np.concatenate([groups[i] for i in run]), namer=namer),
            pieces=len(run),
            capacity_lost_pph=x.lost,
            capacity_lost_pct=x.pct,
            extra_time_s=x.extra,
            exits_cut=x.cut,
            seals=x.seals,
        )
        for run, x in runs
    ]
    impacts.sort(key=_order(by))
    return Ranking(by, by_way, capacity, tuple(impacts[:top] if top is not None else impacts))


@dataclass(frozen=True)
class _Impact:
    lost: int
    pct: float
    extra: dict[str, float | None]
    cut: tuple[str, ...]
    seals: bool

    def signature(self) -> tuple[object, ...]:
        return _signature(self.lost, self.extra, self.cut, self.seals)


def _signature(
    lost: int, extra: dict[str, float | None], cut: tuple[str, ...], seals: bool
) -> tuple[object, ...]:
    minutes = tuple(
        (name, None if t is None else round(t / SAME_MINUTE_S)) for name, t in extra.items()
    )
    return (lost, tuple(sorted(cut)), seals, minutes)


def _merge_chains(
    net: RoadNetwork,
    chains: list[NDArray[np.int64]],
    alone: list[_Impact],
    impact: Callable[[NDArray[np.int64]], _Impact],
) -> list[tuple[list[int], _Impact]]:
    """Consecutive chains of one road with the same impact, as runs of chain indices with the
    impact of closing each run whole (see :func:`rank_roads`)."""
    classes: dict[tuple[object, ...], list[int]] = {}
    for i, edges in enumerate(chains):
        roads = frozenset(road_key(net, int(e)) for e in edges.tolist())
        classes.setdefault((roads, alone[i].signature()), []).append(i)
    out: list[tuple[list[int], _Impact]] = []
    for members in classes.values():
        ends = [_chain_ends(net, chains[i]) for i in members]
        for path, _ in end_to_end(ends):
            run = [members[j] for j in path]
            if len(run) == 1:
                out.append((run, alone[run[0]]))
                continue
            whole = impact(np.concatenate([chains[i] for i in run]))
            if whole.signature() == alone[run[0]].signature():
                out.append((run, whole))
                continue
            # closing them together does more: grow runs one chain at a time while it does not
            current, current_impact = [run[0]], alone[run[0]]
            for i in run[1:]:
                joined = impact(np.concatenate([chains[j] for j in [*current, i]]))
                if joined.signature() == alone[i].signature():
                    current, current_impact = [*current, i], joined
                else:
                    out.append((current, current_impact))
                    current, current_impact = [i], alone[i]
            out.append((current, current_impact))
    return _merge_by_way(net, chains, out, impact)


def _merge_by_way(
    net: RoadNetwork,
    chains: list[NDArray[np.int64]],
    runs: list[tuple[list[int], _Impact]],
    impact: Callable[[NDArray[np.int64]], _Impact],
) -> list[tuple[list[int], _Impact]]:
    """Runs that share an OSM way and have the same impact made one (a piece of another impact
    between them, say where the road runs beside a bypass, leaves them apart), when closing them
    together still has that impact."""
    parent = list(range(len(runs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[int, tuple[object, ...]], int] = {}
    for k, (run, x) in enumerate(runs):
        sig = x.signature()
        for w in np.unique(net.way_id[np.concatenate([chains[i] for i in run])]).tolist():
            j = first.setdefault((int(w), sig), k)
            if j != k:
                parent[root(k)] = root(j)
    sets: dict[int, list[int]] = {}
    for k in range(len(runs)):
        sets.setdefault(root(k), []).append(k)
    out: list[tuple[list[int], _Impact]] = []
    for ks in sets.values():
        if len(ks) == 1:
            out.append(runs[ks[0]])
            continue
        run = [i for k in ks for i in runs[k][0]]
        whole = impact(np.concatenate([chains[i] for i in run]))
        if whole.signature() == runs[ks[0]][1].signature():
            out.append((run, whole))
        else:  # together they do more: each stays a row of its own
            out.extend(runs[k] for k in ks)
    return out


def _chain_ends(net: RoadNetwork, edges: NDArray[np.int64]) -> tuple[int, int]:
    """The end nodes of a chain (its edges in order, one direction)."""
    return int(net.src[edges[0]]), int(net.dst[edges[-1]])


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
            seen[key] = rank_roads(
                situation,
                by=by,
                by_way=by_way,
                top=top,
                places=scenario.places.values(),
                prepared=prepared,
            )
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
