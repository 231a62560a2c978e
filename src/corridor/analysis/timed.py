"""The evacuation over time: windows, checkpoint hours and rates, roads that change with the clock.

The quickest flow (:mod:`corridor.analysis.evacuation`) holds every road's capacity constant for
the whole evacuation. Real corridors open and close by the hour: a road may be entered only in its
window (10:00-14:00 on given days), a checkpoint lets so many persons per hour through in its
hours. Capacities are then piecewise constant in time and temporally repeated flows are no longer
optimal, so the evacuation is an earliest-arrival flow on a time-expanded network:

* time runs in steps of ``step_s`` seconds (default 5 min) from the start, up to a horizon
  (default 14 days);
* node ``(v, t)`` for each node of the flow graph (:mod:`corridor.analysis.flow_graph`: the
  origin merged into one source, the exits into one sink, one arc per chain of roads) and step;
  an arc ``(u, t) -> (v, t + d)`` for each arc entered at step ``t`` (``d`` its transit in steps)
  carrying what its capacity lets in during that step; people may wait anywhere,
  ``(v, t) -> (v, t + 1)``;
* a window or a checkpoint's hours gate *entry*: an arc gated by a window exists only at the steps
  its window is open (those already on the road finish their trip); a checkpoint is a node
  capacity: every arc whose road passes through the checkpoint's area from outside first passes
  ``in -> out`` of the checkpoint, which lets ``rate_pph`` through per hour in its hours;
* a step's capacity is rounded so that sums are exact: an arc of ``r`` persons per hour lets in
  ``floor(r (t + 1) s) - floor(r t s)`` persons in step ``t`` (``s`` = the step in hours), so
  500 persons/h let exactly 10,000 through in 20 h;
* transit times are rounded to steps along the fastest times from the origin (potentials), so that
  the fastest route to every node keeps its time to within half a step, however many arcs it has.

The persons out by each step are the maximum flow into the sink copies up to it (Gale's earliest
arrival flow exists for one source and one sink); they are found by opening the sink's copies
hour by hour and resuming Dinic's maximum flow (:func:`corridor.analysis.kernels.max_flow`) on
the time-expanded network from the flow found so far, then step by step in the last hour. Copies
that cannot lie on a path from the start to the horizon (earlier than the fastest arrival, or
too late to reach the exits) are left out; the horizon grows by doubling up to the limit. Checked
in the tests against networkx's maximum flow on the full time-expanded network, and, without
windows or checkpoints, against the quickest flow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.analysis import kernels
from corridor.analysis.flow_graph import SINK, SOURCE
from corridor.analysis.prepared import SituationWork
from corridor.analysis.results import InputWarning
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Checkpoint, Event, Hours, hours_text
from corridor.model.situation import bind_closure

STEP_S = 300
"""The default time step: 5 minutes."""
HORIZON_DAYS = 14
"""The default horizon: how long an evacuation is followed before it counts as not finished."""
HOUR_S = 3600
WINDOW_BINDS_NOTHING = "window-binds-nothing"
CHECKPOINT_BINDS_NOTHING = "checkpoint-binds-nothing"


# --------------------------------------------------------------------------- the core


@dataclass(frozen=True, eq=False)
class Arrivals:
    """Persons out over time: ``finish_step``, the step by whose start everyone is out (None: not
    within the horizon), and the persons out by the start of each of ``steps`` (every hour's,
    and the finish). What enters the last road in step ``t`` is out by the start of step
    ``t + transit + 1``: a step's people pass over the whole step."""

    finish_step: int | None
    steps: NDArray[np.int64]
    out: NDArray[np.int64]
    horizon_steps: int
    # the flow found: per (arc, step entered) with flow, the arc, the step and the persons
    flow_arc: NDArray[np.int64] | None = None
    flow_t: NDArray[np.int64] | None = None
    flow: NDArray[np.int64] | None = None


def transit_steps(
    n: int,
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    transit_s: NDArray[np.float64],
    step_s: float,
) -> NDArray[np.int64]:
    """Transit times in whole steps, rounded along the fastest times from node 0: with ``pi`` the
    least time from node 0, an arc takes ``round((pi_u + tau) / step) - round(pi_u / step)``
    steps, so a fastest route keeps its time to within half a step. Arcs from nodes node 0 does
    not reach are rounded on their own.

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.array([0, 2, 3]), np.array([2, 3, 1])
    >>> transit_steps(4, u, v, np.array([100.0, 100.0, 100.0]), 300.0).tolist()  # 300 s
    [0, 1, 0]
    """
    transit_s = np.asarray(transit_s, dtype=np.float64)
    if len(u) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(u, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, u + 1, 1)
    indptr = np.cumsum(indptr)
    dist = np.asarray(
        kernels.dijkstra_from(
            indptr, v[order].astype(np.int64), transit_s[order], np.zeros(1, dtype=np.int64)
        )
    )
    pu = dist[u]
    reached = np.isfinite(pu)
    base = np.where(reached, pu, 0.0)
    steps = np.rint((base + transit_s) / step_s) - np.rint(base / step_s)
    return np.maximum(steps, 0).astype(np.int64)


def step_capacity(
    rate_pph: NDArray[np.float64], t: NDArray[np.int64], step_s: float, demand: int
) -> NDArray[np.int64]:
    """Persons let in during step ``t`` by arcs of ``rate_pph`` (``inf``: ``demand``)."""
    k = step_s / HOUR_S
    finite = np.isfinite(rate_pph)
    r = np.where(finite, rate_pph, 0.0)
    cap = np.floor(r * (t + 1) * k + 1e-9) - np.floor(r * t * k + 1e-9)
    return np.where(finite, np.minimum(cap, demand), demand).astype(np.int64)


def earliest_arrivals(
    n: int,
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    steps: NDArray[np.int64],
    rate_pph: NDArray[np.float64],
    gate: NDArray[np.int64],
    gate_open: NDArray[np.bool_],
    demand: int,
    *,
    step_s: float = STEP_S,
    horizon_steps: int = HORIZON_DAYS * 86400 // STEP_S,
    hour_steps: int | None = None,
    wait: NDArray[np.bool_] | None = None,
) -> Arrivals:
    """The persons out by each hour from node 0 to node 1 over time (see the module docstring).

    Parameters
    ----------
    n, u, v
        Nodes and arcs ``u -> v`` (node 0 the source, node 1 the sink).
    steps
        Per arc: its transit in steps (0 allowed).
    rate_pph
        Per arc: persons per hour it lets in (``inf``: no limit).
    gate
        Per arc: -1 (always open) or a row of ``gate_open``.
    gate_open
        (gates, horizon_steps + 1): whether each gate lets people in at each step.
    demand
        The persons to move out.
    wait
        Per node: whether people may wait there (default: everywhere; never at the sink).

    Examples
    --------
    >>> import numpy as np
    >>> one = np.array([0]), np.array([1]), np.array([2]), np.array([600.0]), np.array([-1])
    >>> a = earliest_arrivals(2, *one, np.zeros((0, 289), bool), 100, horizon_steps=288)
    >>> a.finish_step  # 50 per 5-min step: they leave in steps 0 and 1, 2 steps of transit
    4
    """
    hour_steps = hour_steps or max(1, round(HOUR_S / step_s))
    wait = np.ones(n, dtype=bool) if wait is None else np.asarray(wait, dtype=bool)
    if demand <= 0:
        return Arrivals(0, np.zeros(1, np.int64), np.zeros(1, np.int64), 0)
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    steps = np.asarray(steps, dtype=np.int64)
    rate_pph = np.asarray(rate_pph, dtype=np.float64)
    gate = np.asarray(gate, dtype=np.int64)
    ever = np.asarray(rate_pph > 0)
    if len(gate_open):
        any_open = np.asarray(gate_open.any(axis=1))
        ever &= np.where(gate >= 0, any_open[np.maximum(gate, 0)], True)
    ea = _steps_from(n, u[ever], v[ever], steps[ever], SOURCE)
    if not np.isfinite(ea[SINK]) or ea[SINK] > horizon_steps:
        return Arrivals(None, np.zeros(1, np.int64), np.zeros(1, np.int64), horizon_steps)
    to_sink = _steps_from(n, v[ever], u[ever], steps[ever], SINK)
    h = min(horizon_steps, max(4 * (int(ea[SINK]) + 1), 24 * hour_steps))
    while True:
        got = _arrivals_by(
            n, u[ever], v[ever], steps[ever], rate_pph[ever], gate[ever], gate_open,
            demand, step_s, h, hour_steps, ea, to_sink, wait,
        )  # fmt: skip
        if got.finish_step is not None or h >= horizon_steps:
            return got
        h = min(horizon_steps, 2 * h)


def _steps_from(
    n: int, u: NDArray[np.int64], v: NDArray[np.int64], w: NDArray[np.int64], s: int
) -> NDArray[np.float64]:
    order = np.argsort(u, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, u + 1, 1)
    indptr = np.cumsum(indptr)
    return np.asarray(
        kernels.dijkstra_from(
            indptr, v[order], w[order].astype(np.float64), np.array([s], dtype=np.int64)
        )
    )


def _arrivals_by(
    n: int,
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    steps: NDArray[np.int64],
    rate_pph: NDArray[np.float64],
    gate: NDArray[np.int64],
    gate_open: NDArray[np.bool_],
    demand: int,
    step_s: float,
    h: int,
    hour_steps: int,
    ea: NDArray[np.float64],
    to_sink: NDArray[np.float64],
    wait: NDArray[np.bool_],
) -> Arrivals:
    """:func:`earliest_arrivals` with the horizon ``h``."""
    big = np.int64(2**40)
    first = np.where(np.isfinite(ea), ea, big).astype(np.int64)
    rest = np.where(np.isfinite(to_sink), to_sink, big).astype(np.int64)
    # movement arcs: entered at t in [first[u], h - steps - rest[v]]
    lo = first[u]
    hi = h - steps - rest[v]
    count = np.maximum(hi - lo + 1, 0)
    arc = np.repeat(np.arange(len(u)), count)
    offs = np.cumsum(count) - count
    t = lo[arc] + (np.arange(len(arc)) - offs[arc])
    g = gate[arc]
    keep = np.ones(len(arc), dtype=bool)
    gated = g >= 0
    keep[gated] = gate_open[g[gated], t[gated]]
    arc, t = arc[keep], t[keep]
    cap = step_capacity(rate_pph[arc], t, step_s, demand)
    keep = cap > 0
    arc, t, cap = arc[keep], t[keep], cap[keep]
    tu = t * n + u[arc]
    tv = (t + steps[arc]) * n + v[arc]
    # waiting: (x, t) -> (x, t + 1) for t in [first[x], h - 1 - rest[x]], not at the sink
    nodes = np.arange(n)
    wcount = np.maximum(h - 1 - rest - first + 1, 0)
    wcount[SINK] = 0
    wcount[~wait] = 0
    wx = np.repeat(nodes, wcount)
    woffs = np.cumsum(wcount) - wcount
    wt = first[wx] + (np.arange(len(wx)) - woffs[wx])
    # the sink's copies drain to one node, opened step by step
    st = np.arange(first[SINK], h + 1, dtype=np.int64)
    super_sink = (h + 1) * n
    big_n = super_sink + 1
    tail = np.concatenate([tu, wt * n + wx, st * n + SINK])
    head = np.concatenate([tv, (wt + 1) * n + wx, np.full(len(st), super_sink)])
    capacity = np.concatenate([cap, np.full(len(wx), demand), np.zeros(len(st))]).astype(np.int64)
    indptr, pos, rhead, twin = kernels.residual_layout(big_n, tail, head)
    resid = np.empty(2 * len(tail), dtype=np.int64)
    kernels.place(pos, capacity, np.zeros(len(tail), dtype=np.int64), resid)
    work = np.full((4, big_n), -1, dtype=np.int64)
    sink_pos = pos[len(tu) + len(wx) :]

    def push(limit: int) -> int:
        return int(kernels.max_flow(indptr, rhead, twin, resid, SOURCE, super_sink, limit, work))

    def done(finish: int | None) -> Arrivals:
        f = capacity[: len(tu)] - resid[pos[: len(tu)]]
        used = f > 0
        return Arrivals(finish, np.array(out_steps), np.array(out), h, arc[used], t[used], f[used])

    flow = 0
    out_steps: list[int] = []
    out: list[int] = []
    opened = 0  # sink copies opened so far (st[:opened])
    # what reaches the sink's copy t came in during step t: it is out by the end of the step
    for end in range(hour_steps, h + 1 + hour_steps, hour_steps):
        end = min(end, h + 1)
        upto = int(np.searchsorted(st, end - 1, side="right"))
        saved = resid.copy()
        resid[sink_pos[opened:upto]] = demand
        pushed = push(demand - flow)
        if flow + pushed >= demand:
            resid[:] = saved  # find the step within this hour
            for j in range(opened, upto):
                resid[sink_pos[j]] = demand
                flow += push(demand - flow)
                if flow >= demand:
                    out_steps.append(int(st[j]) + 1)
                    out.append(flow)
                    return done(int(st[j]) + 1)
        flow += pushed
        opened = upto
        out_steps.append(end)
        out.append(flow)
        if end > h:
            break
    return done(None)


FULL_BUDGET = 20_000_000
"""Arcs times steps up to which the time-expanded network of the whole flow graph is solved
directly; beyond, the gate graph (:func:`gate_graph_arrivals`)."""


@dataclass(frozen=True, eq=False)
class GateGraphArrivals:
    """What :func:`gate_graph_arrivals` found: the arrivals, whether they are exact, and the
    earliest finish any flow could reach (the relaxation's)."""

    arrivals: Arrivals
    exact: bool
    earliest_step: int | None
    links: int


def gate_graph_arrivals(
    n: int,
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    steps: NDArray[np.int64],
    rate_pph: NDArray[np.float64],
    gate: NDArray[np.int64],
    gate_open: NDArray[np.bool_],
    demand: int,
    *,
    step_s: float = STEP_S,
    horizon_steps: int = HORIZON_DAYS * 86400 // STEP_S,
    hour_steps: int | None = None,
    wait: NDArray[np.bool_] | None = None,
) -> GateGraphArrivals:
    """:func:`earliest_arrivals` on the gate graph: the source, the sink and the ends of the
    gated arcs, joined by *links*, the fastest ungated routes between them.

    With links of unlimited capacity the gate graph is a relaxation: every flow over time on
    the whole graph maps onto it, arriving no later, so its persons out by each step are an
    upper bound. Its flow is then routed along the links' routes, each person passing each
    road at the step the route reaches it; if no road then carries more in a step than it lets
    in, that flow is feasible on the whole graph and the answer is exact. Otherwise each link gets
    the least share of its roads' capacity (a road's capacity divided among the links over
    it), a flow feasible on the whole graph: the answer is then a feasible evacuation (not
    later than it says) and ``earliest_step`` the bound below it. In between, up to five times,
    the links that overload their roads are capped (first at what their route lets through,
    then at their share of the roads they overload, with those capped before) and the flow is
    checked again: feasible, it is the answer, exact when it finishes with the relaxation.
    """
    u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
    steps = np.asarray(steps, dtype=np.int64)
    rate_pph = np.asarray(rate_pph, dtype=np.float64)
    gate = np.asarray(gate, dtype=np.int64)
    wait = np.ones(n, dtype=bool) if wait is None else np.asarray(wait, dtype=bool)
    gated = gate >= 0
    free = np.flatnonzero(~gated & (rate_pph > 0))
    k_out = np.unique(np.concatenate([[SOURCE], v[gated]]))
    k_in = np.unique(np.concatenate([[SINK], u[gated]]))
    order = free[np.argsort(u[free], kind="stable")]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, u[order] + 1, 1)
    indptr = np.cumsum(indptr)
    head = v[order]
    weight = steps[order] + 1e-7  # fewest arcs among routes of equal steps
    relay = np.zeros(n, dtype=bool)
    relay[np.intersect1d(k_out, k_in)] = True
    la: list[int] = []
    lb: list[int] = []
    ld: list[int] = []
    trees: dict[int, NDArray[np.int64]] = {}
    for a in k_out.tolist():
        if indptr[a + 1] == indptr[a]:
            continue
        # a link whose route passes another key node that both ends and starts links is the
        # two links through it (a route's parts are fastest routes too): left out
        dist, pred, behind = (
            np.asarray(x) for x in kernels.dijkstra_tree(indptr, head, weight, a, relay, -1)
        )
        reach = k_in[np.isfinite(dist[k_in]) & (k_in != a) & ~behind[k_in]]
        if len(reach):
            trees[a] = np.asarray(pred)
            la += [a] * len(reach)
            lb += reach.tolist()
            ld += np.rint(dist[reach]).astype(np.int64).tolist()
    keys = np.unique(np.concatenate([[SOURCE, SINK], k_out, k_in]))
    keys = np.concatenate([[SOURCE, SINK], keys[keys > SINK]])
    kid = np.full(n, -1, dtype=np.int64)
    kid[keys] = np.arange(len(keys))
    g_idx = np.flatnonzero(gated)
    n_links = len(la)

    def path(j: int) -> NDArray[np.int64]:
        """The arcs of link ``j``'s fastest route."""
        pred = trees[la[j]]
        out = []
        x = lb[j]
        while x != la[j]:
            p = int(pred[x])
            out.append(int(order[p]))
            x = int(u[order[p]])
        return np.array(out[::-1], dtype=np.int64)

    def run(link_rate: NDArray[np.float64]) -> Arrivals:
        a, b = np.array(la, dtype=np.int64), np.array(lb, dtype=np.int64)
        cu = np.concatenate([kid[u[g_idx]], kid[a]])
        cv = np.concatenate([kid[v[g_idx]], kid[b]])
        cs = np.concatenate([steps[g_idx], np.array(ld, dtype=np.int64)])
        cg = np.concatenate([gate[g_idx], np.full(len(la), -1, dtype=np.int64)])
        cr = np.concatenate([rate_pph[g_idx], link_rate])
        return earliest_arrivals(
            len(keys), cu, cv, cs, cr, cg, gate_open, demand, step_s=step_s,
            horizon_steps=horizon_steps, hour_steps=hour_steps, wait=wait[keys],
        )  # fmt: skip

    routes: dict[int, NDArray[np.int64]] = {}

    def route(j: int) -> NDArray[np.int64]:
        if j not in routes:
            routes[j] = path(j)
        return routes[j]

    def overloaded(got: Arrivals) -> NDArray[np.int64]:
        """The links whose flow, routed along their routes at the steps it passes each road,
        makes some road carry more in a step than it lets in; none: the flow is feasible on the
        whole graph."""
        if got.flow_arc is None or got.flow is None or got.flow_t is None:
            return np.zeros(0, dtype=np.int64)
        on_link = got.flow_arc >= len(g_idx)
        link = got.flow_arc[on_link] - len(g_idx)
        t0, f0 = got.flow_t[on_link], got.flow[on_link]
        if len(link) == 0:
            return np.zeros(0, dtype=np.int64)
        keys, who, amount = [], [], []
        for j in np.unique(link).tolist():
            r = route(j)
            if len(r) == 0:
                continue
            offset = np.concatenate([[0], np.cumsum(steps[r])[:-1]])
            mine = link == j
            t = (t0[mine][:, None] + offset[None, :]).ravel()
            keys.append(np.repeat(r[None, :], mine.sum(), axis=0).ravel() * (horizon_steps + 2) + t)
            amount.append(np.repeat(f0[mine], len(r)))
            who.append(np.full(len(t), j, dtype=np.int64))
        if not keys:
            return np.zeros(0, dtype=np.int64)
        key = np.concatenate(keys)
        uniq, inv = np.unique(key, return_inverse=True)
        load = np.bincount(inv, weights=np.concatenate(amount))
        arc_of, t_of = uniq // (horizon_steps + 2), uniq % (horizon_steps + 2)
        cap = step_capacity(rate_pph[arc_of], t_of, step_s, demand)
        over = load > cap
        return np.unique(np.concatenate(who)[over[inv]])

    link_rate = np.full(n_links, np.inf)
    upper = run(link_rate)
    got = upper
    for round_ in range(5):  # cap the links that overload their roads, and try again
        bad = overloaded(got)
        if len(bad) == 0:
            exact = got.finish_step == upper.finish_step
            return GateGraphArrivals(got, exact, upper.finish_step, n_links)
        # first each at what its route lets through, then shares of the roads they overload
        capped = np.union1d(bad, np.flatnonzero(np.isfinite(link_rate)))
        sharing = np.zeros(len(u), dtype=np.int64)
        for j in (capped if round_ else bad).tolist():
            np.add.at(sharing, route(j), 1)
        for j in (capped if round_ else bad).tolist():
            r = route(j)
            if len(r):
                link_rate[j] = min(link_rate[j], float(np.min(rate_pph[r] / sharing[r])))
        got = run(link_rate)
    count = np.zeros(len(u), dtype=np.int64)
    for j in range(n_links):
        np.add.at(count, route(j), 1)
    share = np.array(
        [
            float(np.min(rate_pph[route(j)] / count[route(j)])) if len(route(j)) else np.inf
            for j in range(n_links)
        ]
    )
    lower = run(share)
    return GateGraphArrivals(lower, False, upper.finish_step, n_links)


# ------------------------------------------------------------------- from a situation


@dataclass(frozen=True)
class Gate:
    """What lets people in only at some times: a window or a checkpoint (with its hours)."""

    kind: str  # "window" or "checkpoint"
    id: str
    name: str
    hours: Hours | None
    rate_pph: float | None = None
    arcs: int = 0  # flow-graph arcs it applies to


@dataclass(frozen=True, eq=False)
class TimedGraph:
    """A situation's flow graph with its windows and checkpoints, ready for
    :func:`earliest_arrivals` (checkpoints split into ``in -> out`` arcs)."""

    n: int
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    transit_s: NDArray[np.float64]
    rate_pph: NDArray[np.float64]
    gate: NDArray[np.int64]  # per arc: -1 or an index into ``gates`` groups (see ``gate_of``)
    gates: tuple[Gate, ...]
    gate_sets: tuple[tuple[int, ...], ...]  # per gate group: the gates (indexes) it joins
    warnings: tuple[InputWarning, ...]
    wait: NDArray[
        np.bool_
    ]  # per node: may people wait there (not between a checkpoint and its road)


def _minutes(
    day: dt.date, hours: tuple[Hours, ...], start: dt.datetime
) -> list[tuple[float, float]]:
    """Intervals of seconds after ``start`` when ``hours`` of ``day`` hold."""
    midnight = dt.datetime.combine(day, dt.time())
    base = (midnight - start).total_seconds()
    return [(base + a * 60.0, base + b * 60.0) for a, b in hours]


def gate_open_steps(
    intervals: Sequence[tuple[float, float]], horizon_steps: int, step_s: float
) -> NDArray[np.bool_]:
    """Per step 0..horizon: whether its start lies in one of ``intervals`` (seconds after the
    start, ``[a, b)``)."""
    t = np.arange(horizon_steps + 1) * float(step_s)
    out = np.zeros(horizon_steps + 1, dtype=bool)
    for a, b in intervals:
        out |= (t >= a) & (t < b)
    return out


def timed_graph(
    work: SituationWork,
    windows: Sequence[Event] = (),
    checkpoints: Sequence[Checkpoint] = (),
    closed: Sequence[Checkpoint] = (),
) -> TimedGraph:
    """The flow graph of a situation, with each window gating the arcs of its target and each
    checkpoint as a node capacity on the roads through its area; the roads through a
    ``closed`` checkpoint stay closed, in a window's hours too."""
    situation = work.situation
    net = situation.network
    fg = work.prepared.flow_graph
    chains = work.prepared.chains
    open_arc = work.arc_open.copy()
    warnings: list[InputWarning] = []
    gates: list[Gate] = []
    member = np.zeros(len(fg.u), dtype=np.int64)  # bitmask of the windows over each arc
    n_windows = 0
    for w in windows:
        assert w.closure is not None
        mask, note = bind_closure(net, w.closure)
        touched = ~np.asarray(kernels.chains_open(chains.ptr, chains.members, ~mask))[fg.chain]
        if not touched.any():
            why = f" ({note})" if note else ""
            warnings.append(
                InputWarning(
                    WINDOW_BINDS_NOTHING,
                    f"window {w.id} ({w.closure.describe()}) covers no road of the "
                    f"{net.mover.value} network{why}; it opens nothing",
                    w.id,
                )
            )
            continue
        if n_windows >= 62:
            break
        # in its hours the target is open even where a closure or a zone closes it
        in_window = np.asarray(
            kernels.chains_open(chains.ptr, chains.members, situation.open | mask)
        )[fg.chain]
        open_arc |= touched & in_window
        member[touched] |= np.int64(1) << n_windows
        gates.append(
            Gate("window", w.id, _road_name(net, mask, w), w.hours, None, int(touched.sum()))
        )
        n_windows += 1
    for c in closed:
        nodes_in = c.area.node_mask(net)
        edge_in = nodes_in[net.src] | nodes_in[net.dst]
        open_arc &= np.asarray(kernels.chains_open(chains.ptr, chains.members, ~edge_in))[fg.chain]
    u, v = fg.u.copy(), fg.v.copy()
    transit = fg.transit_s.astype(np.float64).copy()
    rate = net.capacity_pph[fg.edge].astype(np.float64)
    keep = open_arc & (rate > 0)
    u, v, transit, rate, member = u[keep], v[keep], transit[keep], rate[keep], member[keep]
    arc_chain = fg.chain[keep]
    n = fg.n
    # gate groups: each distinct set of windows over an arc
    keys, group = np.unique(member, return_inverse=True)
    gate_sets: list[tuple[int, ...]] = []
    gate = np.full(len(u), -1, dtype=np.int64)
    for k, key in enumerate(keys.tolist()):
        if key == 0:
            continue
        gate_sets.append(tuple(i for i in range(n_windows) if key >> i & 1))
        gate[group == k] = len(gate_sets) - 1
    extra_u: list[NDArray[np.int64]] = []
    extra_v: list[NDArray[np.int64]] = []
    extra_t: list[NDArray[np.float64]] = []
    extra_r: list[NDArray[np.float64]] = []
    extra_g: list[NDArray[np.int64]] = []
    outs: list[int] = []
    for c in checkpoints:
        nodes_in = c.area.node_mask(net)
        fg_in = np.zeros(n + 2, dtype=bool)
        fg_in[fg.node_map[nodes_in]] = True
        fg_in[[SOURCE, SINK]] = False
        # the arcs whose road passes through the area from outside it
        edge_in = nodes_in[net.src] | nodes_in[net.dst]
        through = ~np.asarray(kernels.chains_open(chains.ptr, chains.members, ~edge_in))[arc_chain]
        through &= ~fg_in[u]
        if not through.any():
            warnings.append(
                InputWarning(
                    CHECKPOINT_BINDS_NOTHING,
                    f"checkpoint {c.id} ({c.name}) holds no road of the {net.mover.value} "
                    "network the evacuation can use; move its point onto the road or enlarge "
                    "radius_m",
                    c.id,
                )
            )
            continue
        c_in, c_out = n, n + 1
        n += 2
        outs.append(c_out)
        gates.append(Gate("checkpoint", c.id, c.name, c.hours, c.rate_pph, int(through.sum())))
        gate_sets.append((len(gates) - 1,))
        idx = np.flatnonzero(through)
        # u -> in (free), in -> out (the checkpoint), out -> v (the road, as it was)
        extra_u += [u[idx], np.array([c_in])]
        extra_v += [np.full(len(idx), c_in), np.array([c_out])]
        extra_t += [np.zeros(len(idx)), np.zeros(1)]
        extra_r += [np.full(len(idx), np.inf), np.array([c.rate_pph])]
        extra_g += [np.full(len(idx), -1), np.array([len(gate_sets) - 1])]
        u[idx] = c_out
    if extra_u:
        u = np.concatenate([u, *extra_u])
        v = np.concatenate([v, *extra_v])
        transit = np.concatenate([transit, *extra_t])
        rate = np.concatenate([rate, *extra_r])
        gate = np.concatenate([gate, *extra_g])
    wait = np.ones(n, dtype=bool)
    wait[outs] = False
    return TimedGraph(
        n, u, v, transit, rate, gate, tuple(gates), tuple(gate_sets), tuple(warnings), wait
    )


def _road_name(net: RoadNetwork, mask: NDArray[np.bool_], w: Event) -> str:
    """What a window is called: the road it opens (its ref, or the name of its first road)."""
    assert w.closure is not None
    if w.closure.ref:
        return w.closure.ref
    for e in np.flatnonzero(mask)[:1].tolist():
        name = net.edge_name(e) or net.edge_ref(e)
        if name:
            return name
    return w.id


@dataclass(frozen=True)
class TimedEvacuation:
    """The evacuation over time from ``start``: when the last person is out (``finish``, None
    when not all are out within the horizon), persons out by each hour (``profile``: seconds
    after the start, persons), the gates in force and the one that decides it."""

    population: int
    start: dt.datetime
    finish: dt.datetime | None
    hours: float | None
    persons_out: int  # by the finish, or by the horizon
    profile: tuple[tuple[float, int], ...]
    gates: tuple[Gate, ...]
    bottleneck: Gate | None  # None: the roads' own capacity decides it
    step_s: float
    horizon_s: float
    method: str
    warnings: tuple[InputWarning, ...] = ()
    exact: bool = True  # False: a feasible evacuation, no later than ``finish``; ``earliest``
    earliest: dt.datetime | None = None  # the earliest finish any flow could reach


METHOD = "earliest-arrival flow on a time-expanded network (Dinic, resumed hour by hour)"
METHOD_GATES = (
    "earliest-arrival flow on the time-expanded gate graph (gates joined by fastest routes)"
)


def _gate_matrix(
    tg: TimedGraph,
    windows: Sequence[Event],
    checkpoints: Sequence[Checkpoint],
    start: dt.datetime,
    horizon_steps: int,
    step_s: float,
    relaxed: int | None = None,
) -> NDArray[np.bool_]:
    days = [
        start.date() + dt.timedelta(days=d) for d in range(horizon_steps * int(step_s) // 86400 + 2)
    ]
    by_id_w = {w.id: w for w in windows}
    by_id_c = {c.id: c for c in checkpoints}
    rows = []
    for i, g in enumerate(tg.gates):
        if i == relaxed:
            rows.append(np.ones(horizon_steps + 1, dtype=bool))
            continue
        src = by_id_w[g.id] if g.kind == "window" else by_id_c[g.id]
        intervals = [
            iv
            for day in days
            for iv in _minutes(
                day,
                src.window_minutes(day) if isinstance(src, Event) else src.open_minutes(day),
                start,
            )
        ]
        rows.append(gate_open_steps(intervals, horizon_steps, step_s))
    per_gate = np.array(rows, dtype=bool).reshape(len(tg.gates), horizon_steps + 1)
    out = np.zeros((len(tg.gate_sets), horizon_steps + 1), dtype=bool)
    for k, members in enumerate(tg.gate_sets):
        out[k] = per_gate[list(members)].any(axis=0)
    return out


def timed_evacuation(
    work: SituationWork,
    population: int,
    start: dt.datetime,
    *,
    windows: Sequence[Event] = (),
    checkpoints: Sequence[Checkpoint] = (),
    closed: Sequence[Checkpoint] = (),
    step_s: float = STEP_S,
    horizon_s: float = HORIZON_DAYS * 86400,
    bottleneck: bool = True,
    method: str = "auto",
) -> TimedEvacuation:
    """The evacuation of ``population`` from ``start`` through the windows and checkpoints.

    Without windows and checkpoints it is the quickest flow (continuous time,
    :mod:`corridor.analysis.evacuation`); with them, an earliest-arrival flow on the
    time-expanded network (see the module docstring). ``bottleneck`` finds the gate that decides
    it: the one whose lifting (a window always open, a checkpoint without a limit) shortens the
    evacuation most. The roads through a ``closed`` checkpoint stay closed, even in a window's
    hours. ``method``: ``"whole"`` solves the time-expanded network of the whole flow
    graph, ``"gates"`` that of the gate graph (:func:`gate_graph_arrivals`), ``"auto"`` the
    whole one while its arcs times steps stay within :data:`FULL_BUDGET`.

    Examples
    --------
    >>> import datetime as dt
    >>> from corridor.analysis.prepared import SituationWork
    >>> from corridor.testing import two_towns_one_bridge
    >>> r = timed_evacuation(SituationWork(two_towns_one_bridge()), 6000, dt.datetime(2024, 1, 1, 8))
    >>> r.finish.isoformat(timespec="minutes"), r.bottleneck
    ('2024-01-01T09:01', None)
    """
    horizon_steps = max(1, int(horizon_s // step_s))
    tg = timed_graph(work, windows, checkpoints, closed)
    hour_steps = max(1, round(HOUR_S / step_s))
    if not tg.gates:
        return _quickest(work, population, start, step_s, horizon_s, tg.warnings)
    steps = transit_steps(tg.n, tg.u, tg.v, tg.transit_s, step_s)

    whole = method == "whole" or (method == "auto" and len(tg.u) * horizon_steps <= FULL_BUDGET)
    exact = True
    earliest: int | None = None

    def run(relaxed: int | None) -> Arrivals:
        nonlocal exact, earliest
        rate = tg.rate_pph
        if relaxed is not None and tg.gates[relaxed].kind == "checkpoint":
            rate = rate.copy()
            k = tg.gate_sets.index((relaxed,))
            rate[tg.gate == k] = np.inf
        opened = _gate_matrix(tg, windows, checkpoints, start, horizon_steps, step_s, relaxed)
        args = (tg.n, tg.u, tg.v, steps, rate, tg.gate, opened, int(population))
        if whole:
            return earliest_arrivals(
                *args, step_s=step_s, horizon_steps=horizon_steps, hour_steps=hour_steps,
                wait=tg.wait,
            )  # fmt: skip
        got = gate_graph_arrivals(
            *args, step_s=step_s, horizon_steps=horizon_steps, hour_steps=hour_steps,
            wait=tg.wait,
        )  # fmt: skip
        if relaxed is None:
            exact, earliest = got.exact, got.earliest_step
        return got.arrivals

    got = run(None)
    decides: Gate | None = None
    if bottleneck and population > 0:
        base = got.finish_step if got.finish_step is not None else horizon_steps + 1
        best = 1  # a gate decides only if lifting it saves more than one step
        for i, g in enumerate(tg.gates):
            alt = run(i)
            saved = base - (alt.finish_step if alt.finish_step is not None else horizon_steps + 1)
            if saved > best or (saved == best and decides is None and saved > 1):
                best, decides = saved, g
    profile = tuple(
        (float(s * step_s), int(o))
        for s, o in zip(got.steps.tolist(), got.out.tolist(), strict=True)
    )
    finish = None
    hours = None
    if got.finish_step is not None:
        hours = got.finish_step * step_s / HOUR_S
        finish = start + dt.timedelta(seconds=got.finish_step * step_s)
    return TimedEvacuation(
        population=int(population),
        start=start,
        finish=finish,
        hours=hours,
        persons_out=int(got.out[-1]) if len(got.out) else 0,
        profile=profile,
        gates=tg.gates,
        bottleneck=decides,
        step_s=float(step_s),
        horizon_s=float(horizon_s),
        method=METHOD if whole else METHOD_GATES,
        warnings=tg.warnings,
        exact=exact,
        earliest=(
            start + dt.timedelta(seconds=earliest * step_s)
            if not exact and earliest is not None
            else None
        ),
    )


def _quickest(
    work: SituationWork,
    population: int,
    start: dt.datetime,
    step_s: float,
    horizon_s: float,
    warnings: tuple[InputWarning, ...],
) -> TimedEvacuation:
    """No window, no checkpoint: the quickest flow, and persons out by each hour
    ``max(0, max_k (theta v_k - c_k))`` over its breakpoints."""
    flow = work.cheapest
    hours, _, _ = flow.quickest(float(population))
    limit_h = horizon_s / HOUR_S
    done = hours is not None and hours <= limit_h
    end_h = hours if done and hours is not None else limit_h
    grid = [float(h) for h in range(1, int(np.ceil(end_h)) + 1)]
    if done and hours is not None:
        grid = [h for h in grid if h < hours] + [hours]

    def out_by(theta: float) -> int:
        if len(flow.values) == 0:
            return 0
        best = float(np.max(theta * flow.values - flow.costs))
        return int(min(population, max(0.0, np.floor(best + 1e-9))))

    profile = tuple((h * HOUR_S, population if done and h == hours else out_by(h)) for h in grid)
    if population <= 0:
        profile = ((0.0, 0),)
    finish = start + dt.timedelta(hours=hours) if done and hours is not None else None
    return TimedEvacuation(
        population=int(population),
        start=start,
        finish=finish,
        hours=hours if done else None,
        persons_out=int(population) if done else (profile[-1][1] if profile else 0),
        profile=profile,
        gates=(),
        bottleneck=None,
        step_s=float(step_s),
        horizon_s=float(horizon_s),
        method="quickest flow (no window or checkpoint)",
        warnings=warnings,
    )


def gate_text(g: Gate) -> str:
    """``"the Salah al-Din window 10:00-14:00 daily"``, ``"the Wadi Gaza checkpoint at 1,200
    persons/h"``."""
    hours = f" {hours_text(g.hours)} daily" if g.hours is not None else ""
    if g.kind == "window":
        return f"the {g.name} window{hours}"
    rate = f" at {g.rate_pph:,.0f} persons/h" if g.rate_pph is not None else ""
    return f"the {g.name} checkpoint{rate}" + (f", open{hours}" if hours else "")
