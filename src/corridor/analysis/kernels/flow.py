"""Flows on a residual layout: the layout itself, Dinic's maximum flow (resumable, with shared
scratch rows), successive-shortest-path minimum-cost flow and the closing of arcs under a flow.

Positions, not arcs, index the residual arrays: :func:`residual_layout` gives each arc and its
reverse a position, :func:`place` puts per-arc values there.

Compiled ``nogil`` (:mod:`.jit`), so threads run them side by side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.kernels.jit import kernel
from corridor.analysis.kernels.search import heap_pop, heap_push


@kernel
def residual_layout(
    n: int, u: NDArray[np.int64], v: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Arcs ``u[i] -> v[i]`` and their reverses sorted by tail (stable counting sort).

    Returns ``(indptr, pos, head, twin)``: arc ``a`` (``a + m`` for the reverse of ``a``) sits at
    position ``pos[a]``; position ``p`` holds the arc's head and ``twin[p]``, the position of its
    reverse.
    """
    m = len(u)
    indptr = np.zeros(n + 1, dtype=np.int64)
    for i in range(m):
        indptr[u[i] + 1] += 1
        indptr[v[i] + 1] += 1
    for x in range(n):
        indptr[x + 1] += indptr[x]
    fill = indptr[:-1].copy()
    order = np.empty(2 * m, dtype=np.int64)
    head = np.empty(2 * m, dtype=np.int64)
    pos = np.empty(2 * m, dtype=np.int64)
    for a in range(2 * m):
        t = u[a] if a < m else v[a - m]
        p = fill[t]
        fill[t] += 1
        order[p] = a
        head[p] = v[a] if a < m else u[a - m]
        pos[a] = p
    twin = np.empty(2 * m, dtype=np.int64)
    for p in range(2 * m):
        a = order[p]
        twin[p] = pos[a + m] if a < m else pos[a - m]
    return indptr, pos, head, twin


@kernel
def place(pos: NDArray[np.int64], forward: NDArray, backward: NDArray, out: NDArray) -> NDArray:
    """``out[pos[a]] = forward[a]``, ``out[pos[a + m]] = backward[a]``: per-arc values of arcs and
    reverses into layout positions."""
    m = len(forward)
    for a in range(m):
        out[pos[a]] = forward[a]
        out[pos[a + m]] = backward[a]
    return out


@kernel
def _levels(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    twin: NDArray[np.int64],
    resid: NDArray[np.int64],
    s: int,
    t: int,
    level: NDArray[np.int64],
    queue: NDArray[np.int64],
    it: NDArray[np.int64],
    n_prev: int,
) -> int:
    """Residual hops to ``t`` (breadth first, backwards from ``t``, until ``s`` is labelled).

    Only the ``n_prev`` nodes the previous call labelled (``queue[:n_prev]``) are reset, so a
    search near ``t`` costs only what it visits; ``it`` starts at each labelled node's first arc.
    Returns how many nodes it labelled.
    """
    for i in range(n_prev):
        level[queue[i]] = -1
    level[t] = 0
    it[t] = indptr[t]
    queue[0] = t
    lo, hi = 0, 1
    while lo < hi:
        y = queue[lo]
        lo += 1
        if level[s] >= 0:
            break
        for q in range(indptr[y], indptr[y + 1]):
            x = head[q]
            if level[x] < 0 and resid[twin[q]] > 0:  # the arc x -> y has room
                level[x] = level[y] + 1
                it[x] = indptr[x]
                queue[hi] = x
                hi += 1
    return hi


@kernel
def max_flow(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    twin: NDArray[np.int64],
    resid: NDArray[np.int64],
    s: int,
    t: int,
    limit: int,
    work: NDArray[np.int64],
) -> int:
    """Push up to ``limit`` more units from ``s`` to ``t`` through the residual capacities
    ``resid`` (by layout position, updated in place); returns the amount pushed.

    ``work`` is a (4, n) scratch array whose first row is -1 everywhere; it is left so, which
    lets many small searches on one graph share it without clearing n entries each time.

    Dinic's algorithm; with ``limit`` large it returns the maximum flow on top of the flow the
    residual capacities already hold. The levels are hops to ``t`` (a backward breadth-first
    search), so the depth-first search for blocking flows only walks arcs that lead to ``t``.
    """
    if s == t or limit <= 0:
        return 0
    level = work[0]
    queue = work[1]
    it = work[2]
    stack = work[3]
    total = 0
    n_labelled = 0
    while total < limit:
        n_labelled = _levels(indptr, head, twin, resid, s, t, level, queue, it, n_labelled)
        if level[s] < 0:
            break
        depth = 0
        x = s
        while total < limit:
            if x == t:
                f = limit - total
                for i in range(depth):
                    r = resid[stack[i]]
                    if r < f:
                        f = r
                cut_at = -1
                for i in range(depth):
                    p = stack[i]
                    resid[p] -= f
                    resid[twin[p]] += f
                    if resid[p] == 0 and cut_at < 0:
                        cut_at = i
                total += f
                # retreat to the tail of the first saturated arc
                depth = cut_at if cut_at >= 0 else 0
                x = s if depth == 0 else head[stack[depth - 1]]
                continue
            advanced = False
            while it[x] < indptr[x + 1]:
                p = it[x]
                y = head[p]
                if resid[p] > 0 and level[y] == level[x] - 1 and level[y] >= 0:
                    stack[depth] = p
                    depth += 1
                    x = y
                    advanced = True
                    break
                it[x] += 1
            if not advanced:
                if depth == 0:
                    break
                level[x] = -1  # dead end for this phase
                depth -= 1
                p = stack[depth]
                x = head[twin[p]]
                it[x] += 1
    for i in range(n_labelled):
        level[queue[i]] = -1
    return total


@kernel
def close_arcs(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    twin: NDArray[np.int64],
    pos: NDArray[np.int64],
    u: NDArray[np.int64],
    v: NDArray[np.int64],
    arcs: NDArray[np.int64],
    resid: NDArray[np.int64],
    s: int,
    t: int,
    work: NDArray[np.int64],
) -> int:
    """Close ``arcs`` (both directions, one arc at a time) in the residual capacities of a
    flow from ``s`` to ``t``, keeping it a flow: the flow on each closed arc is rerouted from its
    tail to its head where possible, and the rest returned to ``s`` and taken back from ``t``.
    Returns by how much the flow value dropped, or -1 if a return failed (which flow
    decomposition rules out: a bug). Closing arcs one at a time matters: a reroute that cancels
    flow on a closed arc would give its forward direction room again."""
    m = len(pos) // 2
    dropped = 0
    for a in arcs:
        forward = pos[a]
        backward = pos[a + m]
        f = resid[backward]  # the flow on the arc
        resid[forward] = 0
        resid[backward] = 0
        if f == 0:
            continue
        x = u[a]
        y = v[a]
        rest = f - max_flow(indptr, head, twin, resid, x, y, f, work)
        if rest > 0:
            if x != s and max_flow(indptr, head, twin, resid, x, s, rest, work) != rest:
                return -1
            if y != t and max_flow(indptr, head, twin, resid, t, y, rest, work) != rest:
                return -1
            dropped += rest
    return dropped


_ZERO = 1e-12  # reduced costs below this (rounding of zero) count as zero


@kernel
def min_cost_flow(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    twin: NDArray[np.int64],
    cost: NDArray[np.float64],
    resid: NDArray[np.float64],
    s: int,
    t: int,
    pot: NDArray[np.float64],
    used: NDArray[np.bool_],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Minimum-cost maximum flow from ``s`` to ``t`` by successive shortest paths. ``cost`` and
    ``resid`` are by layout position (reverse arcs: negated cost, zero capacity); ``resid`` is
    updated in place and ends as the residual of the flow. ``pot`` are the starting potentials
    (minus the costs to the sink, or any with non-negative reduced costs on the arcs with capacity);
    they are updated in place. ``used`` (per position, all False) is set where an augmenting
    path ran: a graph without arcs none of whose positions is set gives the same paths.

    Returns the breakpoints of the least cost as a function of the flow value: after each
    augmenting path, the flow value and the total cost ``sum cost * flow`` (paths in order of
    increasing cost, so the cost is convex in the value).
    """
    n = len(indptr) - 1
    npos = len(head)
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    pred = np.full(n, -1, dtype=np.int64)
    touched = np.empty(n, dtype=np.int64)
    path = np.empty(n, dtype=np.int64)
    zstack = np.empty(npos + 1, dtype=np.int64)
    hk = np.empty(npos + 1)
    hv = np.empty(npos + 1, dtype=np.int64)
    values = np.empty(64)
    costs = np.empty(64)
    flow_value = 0.0
    total_cost = 0.0
    paths = 0
    while True:
        # Dijkstra on reduced costs from s, stopped when t is settled. Arcs of (near) zero
        # reduced cost, the shortest-path tree of the search before, go through a stack instead
        # of the heap: their heads are settled at the current distance, in any order.
        n_touched = 0
        dist[s] = 0.0
        touched[n_touched] = s
        n_touched += 1
        size = heap_push(hk, hv, 0, 0.0, s)
        top = 0
        while size > 0 or top > 0:
            if top > 0:
                top -= 1
                x = zstack[top]
                d = dist[x]
            else:
                d = hk[0]
                x = hv[0]
                size = heap_pop(hk, hv, size)
            if done[x] or d > dist[x]:
                continue
            done[x] = True
            if x == t:
                break
            px = pot[x]
            for p in range(indptr[x], indptr[x + 1]):
                if resid[p] <= 0.0:
                    continue
                y = head[p]
                if done[y]:
                    continue
                r = cost[p] + px - pot[y]
                if r < _ZERO:
                    r = 0.0
                nd = d + r
                if nd < dist[y]:
                    if dist[y] == np.inf:
                        touched[n_touched] = y
                        n_touched += 1
                    dist[y] = nd
                    pred[y] = p
                    if r == 0.0:
                        zstack[top] = y
                        top += 1
                    else:
                        size = heap_push(hk, hv, size, nd, y)
        reachable = done[t]
        dt = dist[t]
        plen = 0
        path_cost = 0.0
        delta = np.inf
        if reachable:
            # the path back from t: its true cost and its bottleneck
            x = t
            while x != s:
                p = pred[x]
                path[plen] = p
                plen += 1
                path_cost += cost[p]
                if resid[p] < delta:
                    delta = resid[p]
                x = head[twin[p]]
        for i in range(n_touched):
            y = touched[i]
            if done[y] and dist[y] < dt:
                pot[y] += dist[y] - dt
            dist[y] = np.inf
            done[y] = False
            pred[y] = -1
        if not reachable:
            break
        for i in range(plen):
            p = path[i]
            resid[p] -= delta
            resid[twin[p]] += delta
            used[p] = True
        flow_value += delta
        total_cost += delta * path_cost
        if paths == len(values):
            values = np.concatenate((values, np.empty(paths)))
            costs = np.concatenate((costs, np.empty(paths)))
        values[paths] = flow_value
        costs[paths] = total_cost
        paths += 1
    return values[:paths], costs[:paths]
