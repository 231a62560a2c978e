"""The scan: every community of a region at once, over time (``corridor scan``).

For one mover at one date each community is

- ``open``: a refuge is reachable (which one, and the least travel time to it);
- ``at-risk``: reachable, but one road segment closed would cut it off (the stretch holding it);
- ``cut-off``: no refuge reachable; it belongs to a **pocket**, the cut-off communities that
  still reach each other over open roads (either way along a road);
- ``off-network``: its area holds no node of the mover's network (the nearest node's distance).

All of it comes from one graph per date, not one search per community: the mover's open roads
reversed, a root joined to every refuge node and one extra node per community joined from each
of its nodes (so a community counts as one origin made of all its nodes, as ``analyze`` merges
an origin into one source).

- One multi-source Dijkstra from the refuges over the reversed roads
  (:func:`corridor.analysis.kernels.dijkstra_labels`) gives each community its nearest refuge
  and the time to it.
- The dominator tree of that graph from the root (Lengauer and Tarjan,
  :func:`corridor.analysis.kernels.immediate_dominators`) says which nodes every way out passes
  through. A road edge x -> y (in the reversed graph) lies on every way out of a community
  exactly when y dominates the community and the edge is y's single entry: every other arc into
  y comes from a node y dominates (a path back through y, which cannot help reach y). One pass
  down the tree (:func:`~corridor.analysis.kernels.dominator_tree_pass`) gives each community
  its nearest such edge: at-risk when it has one. Closing a segment closes both directions, and
  a segment seals a community only if one of its two directions alone does (two paths using
  the two directions join into a walk that uses neither), so this is ``analyze``'s minimum
  cut of 1, found for all communities in O(m log n).
- The pockets are the connected parts (scipy) of the open roads among the nodes no refuge
  reaches, the cut-off communities' nodes included.

A date with no change since the date before (no event, no zone beginning or ending) takes
that date's answer without looking at the scenario; a date whose changes leave the open roads
and speeds as they were reuses the search. Travel
times are the roads' times (:attr:`RoadNetwork.travel_time_s`) without the turn costs that
``analyze``'s routes add: a community's minutes are a lower bound of its report's.

Examples
--------
>>> from corridor.testing import two_towns_one_bridge
>>> s = two_towns_one_bridge()
>>> town = Community("town", "Town", *s.origin_area.point, radius_m=s.origin_area.radius_m)
>>> day = scan_situation(s.network, s.open, s.exits, bind_communities(s.network, [town]))
>>> STATUSES[day.status[0]]
'at-risk'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.stretches import NamedPlace, critical_stretches, named_places
from corridor.errors import AreaError, ScenarioError
from corridor.model.areas import EARTH_RADIUS_M, Area, haversine_m
from corridor.model.communities import Community, unique_ids
from corridor.model.network import Mover, RoadNetwork
from corridor.model.scenario import Scenario, exit_kind
from corridor.model.situation import (
    Closure,
    ZoneRule,
    apply_rules,
    area_nodes,
    restricted_network,
)
from corridor.model.timeline import change_dates, change_days, state_at

STATUSES: tuple[str, ...] = ("open", "at-risk", "cut-off", "off-network")
"""The statuses, in the order of their codes (``ScanDay.status``)."""
OPEN, AT_RISK, CUT_OFF, OFF_NETWORK = range(4)

MAX_COMMUNITIES = 200_000
"""More communities than this in one scan is refused (a country's place nodes fit)."""
MAX_DATES = 5_000
"""More dates than this in one scan is refused (13 years of daily dates)."""
MAX_NAMING_PLACES = 500
"""At most this many communities (the most populous) name the ends of at-risk stretches,
besides the scenario's places and exits (naming looks at every place per end)."""


# ----------------------------------------------------------------------------- communities


@dataclass(frozen=True, eq=False)
class BoundCommunities:
    """Communities bound to a network: the nodes in each one's area, as CSR (the nodes of
    community ``i`` are ``members[ptr[i]:ptr[i + 1]]``), and the distance (m) from each one's
    point to the nearest node of the network (``inf`` for an empty network)."""

    communities: tuple[Community, ...]
    ptr: NDArray[np.int64]
    members: NDArray[np.int64]
    nearest_m: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.communities)


def _unit_xyz(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def bind_communities(network: RoadNetwork, communities: Sequence[Community]) -> BoundCommunities:
    """The nodes of ``network`` in each community's area (as ``Area.node_mask`` selects them).

    Points with a radius are looked up all at once in a k-d tree (scipy) of the nodes on the
    unit sphere, where the chord length grows with the great-circle distance, then kept by
    their haversine distance exactly as an origin's area keeps them; a community with a polygon
    (a scenario place) is tested by its polygon.

    Examples
    --------
    >>> from corridor.testing import network_from_segments
    >>> net = network_from_segments([(0.0, 0.0), (0.01, 0.0)], [(0, 1)])
    >>> b = bind_communities(net, [Community("a", "A", 0.0, 0.0, radius_m=100),
    ...                            Community("b", "B", 0.5, 0.0, radius_m=100)])
    >>> b.members.tolist(), [round(float(m)) for m in b.nearest_m]
    ([0], [0, 54486])
    """
    from scipy.spatial import cKDTree

    repeated = unique_ids(communities)
    if repeated:
        msg = f"community id {repeated[0]!r} is given twice; each community needs its own id"
        raise ScenarioError(msg)
    k = len(communities)
    nearest = np.full(k, np.inf)
    parts: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)] * k
    if network.n_nodes and k:
        tree = cKDTree(_unit_xyz(network.lon, network.lat))
        lon = np.array([c.lon for c in communities], dtype=np.float64)
        lat = np.array([c.lat for c in communities], dtype=np.float64)
        q = _unit_xyz(lon, lat)
        chord, _ = tree.query(q, k=1)
        nearest = 2 * EARTH_RADIUS_M * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))
        radius = np.array([c.radius_m for c in communities], dtype=np.float64)
        point = np.array([c.shape is None or c.shape.point is not None for c in communities])
        r = np.array(
            [
                float(c.shape.radius_m or 0.0) if c.shape is not None else c.radius_m
                for c in communities
            ]
        )
        radius = np.where(point, r, radius)
        centres = np.array(
            [
                c.shape.point if c.shape is not None and c.shape.point else (c.lon, c.lat)
                for c in communities
            ],
            dtype=np.float64,
        )
        qc = _unit_xyz(centres[:, 0], centres[:, 1])
        chord_r = 2 * np.sin(np.minimum(radius, np.pi * EARTH_RADIUS_M) / (2 * EARTH_RADIUS_M))
        found = tree.query_ball_point(qc, chord_r * (1 + 1e-9) + 1e-12)
        for i, c in enumerate(communities):
            if not point[i]:
                assert c.shape is not None
                parts[i] = np.flatnonzero(c.shape.node_mask(network)).astype(np.int64)
                continue
            cand = np.asarray(found[i], dtype=np.int64)
            if len(cand):
                d = haversine_m(network.lon[cand], network.lat[cand], *centres[i])
                parts[i] = np.sort(cand[d <= radius[i]])
    ptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=ptr[1:])
    members = np.concatenate(parts) if k else np.zeros(0, dtype=np.int64)
    return BoundCommunities(tuple(communities), ptr, members.astype(np.int64), nearest)


# ----------------------------------------------------------------------------- one date


@dataclass(frozen=True, eq=False)
class ScanDay:
    """The scan of one situation, per community (in the order of the bound communities).

    ``status``: codes into :data:`STATUSES`; ``refuge``: the index of the nearest refuge (-1
    when none is reachable); ``minutes``: the least travel time to it (``nan``); ``risk``: for
    an at-risk community, the road edges every way out passes through, nearest first, as CSR
    (``risk_ptr``, ``risk_edges``; empty for the others); ``component``: the pocket a cut-off
    community belongs to, as a number of this date (-1 for the others: communities with one
    number reach each other).
    """

    status: NDArray[np.int8]
    refuge: NDArray[np.int64]
    minutes: NDArray[np.float64]
    risk_ptr: NDArray[np.int64]
    risk_edges: NDArray[np.int64]
    component: NDArray[np.int64]

    def risk(self, i: int) -> NDArray[np.int64]:
        """The road edges every way out of community ``i`` passes through, nearest first."""
        return self.risk_edges[self.risk_ptr[i] : self.risk_ptr[i + 1]]


def scan_situation(
    network: RoadNetwork,
    open_edges: NDArray[np.bool_],
    refuges: Sequence[NDArray[np.int64]],
    bound: BoundCommunities,
    *,
    forward: bool = False,
) -> ScanDay:
    """Every community's status on one network state (see the module).

    Parameters
    ----------
    network
        The mover's network (its travel times are the minutes).
    open_edges
        Which edges are open (a situation's ``open``).
    refuges
        The nodes of each refuge.
    bound
        The communities and their nodes (:func:`bind_communities`).
    forward
        Search from the "refuges" along the roads instead of towards them: ``refuges`` is then
        one hub (aid going in), and a community is open when the hub reaches it, at-risk when
        one stretch closed would keep the hub from it.

    Returns
    -------
    ScanDay
        Per community: status, nearest refuge, minutes, the edges an at-risk one hangs on and
        the pocket of a cut-off one.
    """
    n, k = network.n_nodes, len(bound)
    root = n
    size_n = n + 1 + k
    # reversed road arcs (tail = the edge's head; forward: the roads as they run), the root's
    # arcs to the refuge nodes, and an arc from each community node to its community's own node
    e = np.flatnonzero(open_edges).astype(np.int64)
    ref_nodes = (
        np.concatenate([np.asarray(r, dtype=np.int64) for r in refuges])
        if refuges
        else np.zeros(0, dtype=np.int64)
    )
    ref_label = (
        np.concatenate([np.full(len(r), i, dtype=np.int64) for i, r in enumerate(refuges)])
        if refuges
        else np.zeros(0, dtype=np.int64)
    )
    counts = np.diff(bound.ptr)
    c_node = n + 1 + np.repeat(np.arange(k, dtype=np.int64), counts)
    first, second = (network.src, network.dst) if forward else (network.dst, network.src)
    tail = np.concatenate(
        [
            first[e].astype(np.int64),
            np.full(len(ref_nodes), root, dtype=np.int64),
            bound.members,
        ]
    )
    head = np.concatenate([second[e].astype(np.int64), ref_nodes, c_node])
    eid = np.concatenate([e, np.full(len(ref_nodes) + len(c_node), -1, dtype=np.int64)])
    weight = np.concatenate(
        [network.travel_time_s[e], np.zeros(len(ref_nodes) + len(c_node))]
    ).astype(np.float64)
    order = np.argsort(tail, kind="stable")
    tail, head, eid, weight = tail[order], head[order], eid[order], weight[order]
    indptr = np.zeros(size_n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=size_n), out=indptr[1:])

    dist, label = kernels.dijkstra_labels(indptr, head, weight, ref_nodes, ref_label)
    idom = kernels.immediate_dominators(indptr, head, root)
    reached = idom >= 0
    none = np.full(size_n, -1, dtype=np.int64)
    pre, size, _ = kernels.dominator_tree_pass(idom, root, none)
    # each reached node's single entry: the one arc into it from a node it does not dominate
    ok = reached[tail] & reached[head] & (head != root)
    t, h, a = tail[ok], head[ok], eid[ok]
    dominated = (pre[h] <= pre[t]) & (pre[t] < pre[h] + size[h])
    t, h, a = t[~dominated], h[~dominated], a[~dominated]
    entries = np.bincount(h, minlength=size_n)
    entry = np.full(size_n, -1, dtype=np.int64)
    entry[h] = a
    own = np.where(entries == 1, entry, -1)
    _, _, nearest = kernels.dominator_tree_pass(idom, root, own)

    cnode = n + 1 + np.arange(k, dtype=np.int64)
    status = np.full(k, CUT_OFF, dtype=np.int8)
    status[counts == 0] = OFF_NETWORK
    open_c = reached[cnode]
    status[open_c] = OPEN
    status[open_c & (nearest[cnode] >= 0)] = AT_RISK
    refuge = np.where(open_c, label[cnode], -1).astype(np.int64)
    minutes = np.where(open_c, dist[cnode] / 60.0, np.nan)
    risky = np.flatnonzero(status == AT_RISK)
    rptr, redges = kernels.edges_up_tree(idom, root, own, cnode[risky])
    risk_ptr = np.zeros(k + 1, dtype=np.int64)
    lengths = np.zeros(k, dtype=np.int64)
    lengths[risky] = np.diff(rptr)
    np.cumsum(lengths, out=risk_ptr[1:])
    component = _pockets(network, open_edges, reached, bound, status)
    return ScanDay(status, refuge, minutes, risk_ptr, redges.astype(np.int64), component)


def scan_rules(
    network: RoadNetwork,
    closures: Sequence[Closure],
    zones: Sequence[ZoneRule],
    refuges: Sequence[NDArray[np.int64]],
    bound: BoundCommunities,
    *,
    forward: bool = False,
) -> ScanDay:
    """:func:`scan_situation` on the roads that ``closures`` and ``zones`` leave open, each
    community as ``analyze`` sees it as the origin.

    ``analyze`` takes the origin's own ground out of every zone that blocks
    (:func:`corridor.model.situation.zone_control`): a road leaving a town inside hostile
    ground is open along its stretch inside the town. That only opens roads that touch the
    community's area, so the scan's one graph (zones whole) is exact for every community whose
    area touches no road a zone closes; those that do are searched once more on their own roads
    (``apply_rules`` with them as the origin) when that opens anything. A community that gets a
    way out so leaves its pocket; the pockets stay those of the scan's graph.
    """
    rules = apply_rules(network, closures, zones)
    day = scan_situation(network, rules.open, refuges, bound, forward=forward)
    closing = sum(not c.reopen for c in closures)
    zone_closed = np.flatnonzero(rules.closed_by >= closing)
    if not len(zone_closed) or not len(bound):
        return day
    status, refuge, minutes = day.status.copy(), day.refuge.copy(), day.minutes.copy()
    component = day.component.copy()
    risks = {i: day.risk(i) for i in np.flatnonzero(day.status == AT_RISK).tolist()}
    for i in _touching(network, zone_closed, bound).tolist():
        members = bound.members[bound.ptr[i] : bound.ptr[i + 1]]
        in_c = np.zeros(network.n_nodes, dtype=bool)
        in_c[members] = True
        c = bound.communities[i]
        own = apply_rules(network, closures, zones, exempt=in_c, origin=c.area)
        if np.array_equal(own.open, rules.open):
            continue
        one = BoundCommunities(
            (c,), np.array([0, len(members)], dtype=np.int64), members, bound.nearest_m[i : i + 1]
        )
        alone = scan_situation(network, own.open, refuges, one, forward=forward)
        status[i], refuge[i], minutes[i] = alone.status[0], alone.refuge[0], alone.minutes[0]
        risks.pop(i, None)
        if alone.status[0] == AT_RISK:
            risks[i] = alone.risk(0)
        if alone.status[0] != CUT_OFF:
            component[i] = -1
    k = len(bound)
    lengths = np.zeros(k, dtype=np.int64)
    for i, r in risks.items():
        lengths[i] = len(r)
    risk_ptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(lengths, out=risk_ptr[1:])
    edges = [risks[i] for i in sorted(risks)]
    risk_edges = np.concatenate(edges) if edges else np.zeros(0, dtype=np.int64)
    return ScanDay(status, refuge, minutes, risk_ptr, risk_edges.astype(np.int64), component)


def _touching(
    network: RoadNetwork, edges: NDArray[np.int64], bound: BoundCommunities
) -> NDArray[np.int64]:
    """The communities (with nodes) whose area intersects one of ``edges`` (straight lines
    between their nodes): one STRtree query (shapely) for all."""
    import shapely

    has_nodes = np.flatnonzero(np.diff(bound.ptr) > 0)
    if not len(has_nodes) or not len(edges):
        return np.zeros(0, dtype=np.int64)
    coords = np.empty((2 * len(edges), 2))
    coords[0::2, 0], coords[0::2, 1] = (
        network.lon[network.src[edges]],
        network.lat[network.src[edges]],
    )
    coords[1::2, 0], coords[1::2, 1] = (
        network.lon[network.dst[edges]],
        network.lat[network.dst[edges]],
    )
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(edges)), 2))
    tree = shapely.STRtree(lines)
    areas = np.array([bound.communities[i].area.geometry() for i in has_nodes.tolist()])
    hit, _ = tree.query(areas, predicate="intersects")
    return np.unique(has_nodes[hit]).astype(np.int64)


def _pockets(
    network: RoadNetwork,
    open_edges: NDArray[np.bool_],
    reached: NDArray[np.bool_],
    bound: BoundCommunities,
    status: NDArray[np.int8],
) -> NDArray[np.int64]:
    """The connected part of the unreached open roads (either direction) each cut-off
    community lies in, numbered from 0; -1 for the others."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n, k = network.n_nodes, len(bound)
    component = np.full(k, -1, dtype=np.int64)
    cut = np.flatnonzero(status == CUT_OFF)
    if len(cut) == 0:
        return component
    src, dst = network.src.astype(np.int64), network.dst.astype(np.int64)
    e = np.flatnonzero(open_edges & ~reached[src] & ~reached[dst])
    counts = np.diff(bound.ptr)
    c_node = n + np.repeat(np.arange(k, dtype=np.int64), counts)
    keep = np.repeat(status == CUT_OFF, counts)
    rows = np.concatenate([src[e], bound.members[keep]])
    cols = np.concatenate([dst[e], c_node[keep]])
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + k, n + k))
    _, labels = connected_components(graph.tocsr(), directed=False)
    parts = labels[n + cut]
    _, numbered = np.unique(parts, return_inverse=True)
    component[cut] = numbered
    return component


# ----------------------------------------------------------------------------- over time


@dataclass(frozen=True)
class ScanPocket:
    """A pocket on one date: its id (the id of its most populous community), the ids of its
    communities, their total population (unknown ones count 0) and the date since when the
    earliest cut off of them has been cut off (without a break, within the scan's dates)."""

    date: dt.date
    id: str
    communities: tuple[str, ...]
    population: int
    since: dt.date


@dataclass(frozen=True)
class ScanChange:
    """The communities (ids) that entered and left the cut-off list on a date."""

    date: dt.date
    entered: tuple[str, ...]
    left: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ScanResult:
    """The scan of a scenario over its dates: arrays of (date, community), in the order of
    ``dates`` and ``communities``.

    ``status`` codes into :data:`STATUSES`; ``refuge`` indexes ``refuge_names`` (-1: none);
    ``minutes`` is ``nan`` where no refuge is reachable; ``stretch`` indexes ``stretch_labels``
    (-1: not at-risk); ``pocket`` indexes ``communities`` (the pocket's named community, -1:
    not cut off); ``since`` indexes ``dates`` (the first date of the community's current run of
    cut-off dates, -1: not cut off); ``population`` is -1 where unknown. ``nearest_m`` is, per
    community, the distance from its point to the mover's nearest road node.
    """

    scenario: str
    mover: str
    plan: str | None
    dates: tuple[dt.date, ...]
    communities: tuple[Community, ...]
    refuge_names: tuple[str, ...]
    status: NDArray[np.int8]
    refuge: NDArray[np.int64]
    minutes: NDArray[np.float64]
    stretch: NDArray[np.int64]
    stretch_labels: tuple[str, ...]
    pocket: NDArray[np.int64]
    since: NDArray[np.int64]
    population: NDArray[np.int64]
    nearest_m: NDArray[np.float64]
    pockets: tuple[ScanPocket, ...]
    changes: tuple[ScanChange, ...]
    computed: int = 0  # dates whose graph was searched (the others reused an earlier answer)
    # aid access: the hub the scan searched from (then ``refuge_names`` is the hub's name alone,
    # ``minutes`` the time from it, and cut-off means the hub cannot reach the community)
    hub: str | None = None

    def cut_off_people(self) -> NDArray[np.int64]:
        """The people in pockets on each date (unknown populations count 0)."""
        return np.where(self.status == CUT_OFF, np.maximum(self.population, 0), 0).sum(axis=1)


def scenario_communities(
    scenario: Scenario, *, mover: str | None = None, hub: Area | None = None
) -> list[Community]:
    """A scenario's places as communities, except the mover's refuges (a refuge is where people
    get out to, not a place cut off), or with a ``hub`` (aid access) except the hub; each keeps
    its own area and population."""
    profile = scenario.mover_profile(mover)
    exits = profile.exits if profile.exits is not None else scenario.exits
    if hub is not None:
        refuge_names = {hub.name}
    else:
        refuge_names = {a.name for a in exits if exit_kind(a) == "refuge"}
    out = []
    for pid, p in scenario.places.items():
        if p.name in refuge_names:
            continue
        lon, lat = p.area.representative
        out.append(
            Community(pid, p.name, lon, lat, p.population, p.area.radius_m or 0.0, "place", p.area)
        )
    return out


def scan_dates(
    scenario: Scenario, plan: str | None = None, *, upto: dt.date | None = None
) -> list[dt.date]:
    """The dates a scan looks at: the scenario's change dates (its first date and every later
    day on which something changes), or with ``upto`` those up to it and ``upto`` itself.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> [d.isoformat() for d in scan_dates(bundled()[0], upto=dt.date(2016, 10, 21))]
    ['2016-10-17', '2016-10-20', '2016-10-21']
    """
    days = change_dates(scenario, plan)
    if upto is not None:
        days = sorted({d for d in days if d <= upto} | {upto})
    return days


def scan(
    scenario: Scenario,
    network_for: Callable[[Mover], RoadNetwork],
    communities: Sequence[Community],
    *,
    mover: str | None = None,
    plan: str | None = None,
    dates: Sequence[dt.date] | None = None,
    upto: dt.date | None = None,
    on_date: Callable[[int, int], None] | None = None,
    hub: Area | None = None,
    what_if: Sequence[Closure] = (),
) -> ScanResult:
    """Scan ``communities`` for ``mover`` on each of ``dates`` (default: the scenario's change
    dates; with ``upto``, those up to it and ``upto`` itself).

    Parameters
    ----------
    scenario, network_for
        The scenario and its networks per base mover (a scenario's loader).
    communities
        What to scan (:func:`scenario_communities`, OSM places, a user's list).
    mover, plan
        Whose roads (default: the scenario's mover) under which plan.
    dates
        The dates, in order.
    upto
        Scan the change dates up to this date and it (so that ``since`` sees the runs before
        it); callers report the last.
    on_date
        Called with (done, total) after each date (progress bars).
    hub
        Aid access: search from this area along the mover's roads (a convoy's hub) instead of
        towards its refuges; open then means the hub reaches the community (``minutes`` from
        the hub), at-risk that one stretch closed would keep it out, cut-off that it cannot.
    what_if
        Closures on top of the timeline's on every date (the workbench's what-ifs).

    Returns
    -------
    ScanResult
        Statuses per date and community, pockets and the changes of the cut-off list.

    Examples
    --------
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled("mosul-2016")
    >>> r = scan(sc, networks, scenario_communities(sc), dates=[dt.date(2016, 11, 25)])
    >>> [p.communities[:2] for p in r.pockets if p.id == "mosul"]
    [('mosul', 'mosul-west')]
    """
    if len(communities) > MAX_COMMUNITIES:
        msg = (
            f"{len(communities):,} communities: more than a scan takes ({MAX_COMMUNITIES:,}); "
            "scan a smaller region"
        )
        raise ScenarioError(msg)
    profile = scenario.mover_profile(mover)
    net = profile.adapted_network(network_for)
    exits = profile.exits if profile.exits is not None else scenario.exits
    refuge_areas = [(i, a) for i, a in enumerate(exits) if exit_kind(a) == "refuge"]
    if hub is not None:
        refuges = [area_nodes(net, hub, "--from")]
    elif not refuge_areas:
        msg = (
            f"mover {profile.id!r} has no refuge among its exits (only waypoints): a scan needs a "
            "refuge to get out to; make one of its exits kind: refuge"
        )
        raise AreaError(msg)
    else:
        refuges = []
        for i, a in refuge_areas:
            try:
                refuges.append(area_nodes(net, a, f"exits[{i}]"))
            except AreaError as exc:
                where = scenario.where(exc.key) if scenario.path else "scenario"
                raise AreaError(f"{where}: {exc}", key=exc.key) from None
    days = scan_dates(scenario, plan, upto=upto) if dates is None else list(dates)
    if len(days) > MAX_DATES:
        msg = f"{len(days):,} dates: more than a scan takes ({MAX_DATES:,}); scan fewer dates"
        raise ScenarioError(msg)
    bound = bind_communities(net, communities)
    k, nd = len(communities), len(days)
    namer = _StretchNamer(net, scenario, exits, communities)
    status = np.zeros((nd, k), dtype=np.int8)
    refuge = np.full((nd, k), -1, dtype=np.int64)
    minutes = np.full((nd, k), np.nan)
    stretch = np.full((nd, k), -1, dtype=np.int64)
    component = np.full((nd, k), -1, dtype=np.int64)
    population = np.full((nd, k), -1, dtype=np.int64)
    base_pop = np.array([-1 if c.population is None else c.population for c in communities])
    from_places = np.array([c.kind == "place" and c.id in scenario.places for c in communities])
    previous: tuple[bytes, tuple[str, ...], tuple[int, ...]] | None = None
    day_scan: ScanDay | None = None
    computed = 0
    change = np.array(sorted(change_days(scenario, plan)), dtype="datetime64[D]")
    last_day: dt.date | None = None
    for di, day in enumerate(days):
        if day_scan is not None and last_day is not None and last_day <= day:
            lo = np.searchsorted(change, np.datetime64(last_day, "D"), side="right")
            hi = np.searchsorted(change, np.datetime64(day, "D"), side="right")
            if hi == lo:  # nothing happens in between: that date's answer, this date
                for arr in (status, refuge, minutes, stretch, component, population):
                    arr[di] = arr[di - 1]
                last_day = day
                if on_date is not None:
                    on_date(di + 1, nd)
                continue
        last_day = day
        state = state_at(scenario, day, mover=profile.id, plan=plan)
        restricted = restricted_network(net, state.restriction_rules)
        closures = (*state.closure_rules, *what_if)
        rules = apply_rules(restricted, closures, state.zone_rules)
        key = (
            np.packbits(rules.open).tobytes(),
            tuple(e.id for e in state.restrictions),
            tuple(id(z.polygon) for z in state.zone_rules),
        )
        if day_scan is None or key != previous:
            day_scan = scan_rules(
                restricted,
                closures,
                state.zone_rules,
                refuges,
                bound,
                forward=hub is not None,
            )
            computed += 1
            previous = key
        status[di] = day_scan.status
        refuge[di] = day_scan.refuge
        minutes[di] = day_scan.minutes
        component[di] = day_scan.component
        for ci in np.flatnonzero(day_scan.status == AT_RISK).tolist():
            stretch[di, ci] = namer.label(day_scan.risk(ci))
        pop = base_pop.copy()
        if from_places.any():
            for ci in np.flatnonzero(from_places).tolist():
                v = state.place_population.get(communities[ci].id)
                pop[ci] = -1 if v is None else v
        population[di] = pop
        if on_date is not None:
            on_date(di + 1, nd)
    since, pocket, pockets, changes = _over_time(days, communities, status, component, population)
    return ScanResult(
        scenario=scenario.name,
        mover=profile.id,
        plan=plan,
        dates=tuple(days),
        communities=tuple(communities),
        refuge_names=(hub.name,) if hub is not None else tuple(a.name for _, a in refuge_areas),
        status=status,
        refuge=refuge,
        minutes=minutes,
        stretch=stretch,
        stretch_labels=tuple(namer.labels),
        pocket=pocket,
        since=since,
        population=population,
        nearest_m=bound.nearest_m,
        pockets=pockets,
        changes=changes,
        computed=computed,
        hub=None if hub is None else hub.name,
    )


class _StretchNamer:
    """Names the stretch an at-risk community hangs on (as ``analyze`` names its critical
    stretches), once per distinct set of edges."""

    def __init__(
        self,
        network: RoadNetwork,
        scenario: Scenario,
        exits: Sequence[Any],
        communities: Sequence[Community],
    ) -> None:
        self.network = network
        most = sorted(communities, key=lambda c: -(c.population or 0))[:MAX_NAMING_PLACES]
        self.places: list[NamedPlace] = named_places(
            [*scenario.places.values(), *exits, *(NamedPlace(c.name, c.area) for c in most)]
        )
        self.labels: list[str] = []
        self._code: dict[str, int] = {}
        self._seen: dict[bytes, int] = {}

    def label(self, edges: NDArray[np.int64]) -> int:
        key = edges.tobytes()
        found = self._seen.get(key)
        if found is not None:
            return found
        stretches = critical_stretches(self.network, edges, places=self.places)
        nearest = int(edges[0])
        seg = self.network.segment
        chosen = next(
            (s for s in stretches if (seg[s.edges] == seg[nearest]).any()),
            stretches[0] if stretches else None,
        )
        text = chosen.label if chosen is not None else self.network.road_label(nearest)
        code = self._code.setdefault(text, len(self.labels))
        if code == len(self.labels):
            self.labels.append(text)
        self._seen[key] = code
        return code


def _over_time(
    days: Sequence[dt.date],
    communities: Sequence[Community],
    status: NDArray[np.int8],
    component: NDArray[np.int64],
    population: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], tuple[ScanPocket, ...], tuple[ScanChange, ...]]:
    """Since when each cut-off community is cut off, the pockets per date and the changes."""
    nd, k = status.shape
    cut = status == CUT_OFF
    since = np.full((nd, k), -1, dtype=np.int64)
    pocket = np.full((nd, k), -1, dtype=np.int64)
    pockets: list[ScanPocket] = []
    changes: list[ScanChange] = []
    ids = [c.id for c in communities]
    for di in range(nd):
        row = cut[di]
        if di == 0:
            since[di, row] = 0
        else:
            carried = row & cut[di - 1]
            since[di, carried] = since[di - 1, carried]
            since[di, row & ~cut[di - 1]] = di
            entered = np.flatnonzero(row & ~cut[di - 1])
            left = np.flatnonzero(~row & cut[di - 1])
            if len(entered) or len(left):
                changes.append(
                    ScanChange(
                        days[di],
                        tuple(ids[i] for i in entered),
                        tuple(ids[i] for i in left),
                    )
                )
        if di == 0 and row.any():
            changes.append(ScanChange(days[0], tuple(ids[i] for i in np.flatnonzero(row)), ()))
        pop = np.maximum(population[di], 0)
        for part in np.unique(component[di][row]):
            members = np.flatnonzero(row & (component[di] == part))
            # named after its most populous community (the first of equals)
            head = int(members[np.argmax(pop[members])])
            pocket[di, members] = head
            pockets.append(
                ScanPocket(
                    date=days[di],
                    id=ids[head],
                    communities=tuple(ids[i] for i in members),
                    population=int(pop[members].sum()),
                    since=days[int(since[di, members].min())],
                )
            )
    return since, pocket, tuple(pockets), tuple(changes)
