"""Compiled graph kernels (numba): flows, searches and chain passes.

scipy.sparse.csgraph has no maximum flow that starts from a given flow, no Dijkstra that stops at
a target, no A* and no min-cost flow, and each of its calls copies and converts the whole graph.
These kernels work in place on arrays built once per network, origin and exits:

* :func:`residual_layout`: arcs ``0..m-1`` and their reverses ``a + m`` sorted by tail (a counting
  sort, O(n + m)); ``pos`` gives each arc's position, ``indptr`` delimits each node's arcs, and
  ``twin`` gives the position of each arc's reverse;
* :func:`max_flow` is Dinic's algorithm (levels counted back from the sink, blocking flow by
  depth-first search with current-arc pointers), and it starts from whatever flow the residual
  capacities hold;
* :func:`min_cost_flow` is successive shortest paths with Johnson potentials in which every
  Dijkstra stops as soon as the sink is settled; potentials of the nodes it settled are lowered
  by how far short of the sink they were (the usual update, shifted by a constant, which leaves
  reduced costs unchanged), so one augmentation costs only the region it searched. The first
  potentials are the costs to the sink (one backward :func:`dijkstra_from`, or computed once
  per network by the caller), which makes every forward search goal-directed (A* with an exact bound): it stays
  near the shortest paths to the sink instead of sweeping everything closer to the origin than
  the sink is;
* :func:`astar`, :func:`dijkstra_from` and :func:`reach_from` search CSR graphs whose closed
  entries weigh ``inf`` (or are not ``passable``);
* :func:`restrict_chains`, :func:`chains_open` and :func:`mark_along_chains` walk chains once.

All are compiled once per machine (``cache=True``: numba keeps the machine code next to this file
or in its user cache directory).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True)
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


@njit(cache=True)
def place(pos: NDArray[np.int64], forward: NDArray, backward: NDArray, out: NDArray) -> NDArray:
    """``out[pos[a]] = forward[a]``, ``out[pos[a + m]] = backward[a]``: per-arc values of arcs and
    reverses into layout positions."""
    m = len(forward)
    for a in range(m):
        out[pos[a]] = forward[a]
        out[pos[a + m]] = backward[a]
    return out


@njit(cache=True)
def restrict_chains(
    ptr: NDArray[np.int64], members: NDArray[np.int64], open_edges: NDArray[np.bool_]
) -> tuple[
    NDArray[np.bool_],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
]:
    """One pass over chains ``members[ptr[c]:ptr[c + 1]]``: which have every member open, and
    for the kept ones their new ``ptr``, ``members`` and the chain of each road edge (-1
    elsewhere); for the dropped ones the open members before the first closed one (``stub``)
    and the chain each belongs to."""
    n_c = len(ptr) - 1
    keep = np.ones(n_c, dtype=np.bool_)
    n_kept = 0
    n_members = 0
    n_stub = 0
    for c in range(n_c):
        for i in range(ptr[c], ptr[c + 1]):
            if not open_edges[members[i]]:
                keep[c] = False
                break
            n_stub += 1  # counts open prefixes; kept chains are subtracted below
        if keep[c]:
            n_kept += 1
            n_members += ptr[c + 1] - ptr[c]
            n_stub -= ptr[c + 1] - ptr[c]
    new_ptr = np.zeros(n_kept + 1, dtype=np.int64)
    new_members = np.empty(n_members, dtype=np.int64)
    chain_of_edge = np.full(len(open_edges), -1, dtype=np.int64)
    stub = np.empty(n_stub, dtype=np.int64)
    stub_chain = np.empty(n_stub, dtype=np.int64)
    k = 0
    j = 0
    q = 0
    for c in range(n_c):
        if keep[c]:
            for i in range(ptr[c], ptr[c + 1]):
                new_members[j] = members[i]
                chain_of_edge[members[i]] = k
                j += 1
            k += 1
            new_ptr[k] = j
        else:
            for i in range(ptr[c], ptr[c + 1]):
                if not open_edges[members[i]]:
                    break
                stub[q] = members[i]
                stub_chain[q] = c
                q += 1
    return keep, new_ptr, new_members, chain_of_edge, stub, stub_chain


@njit(cache=True)
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


@njit(cache=True)
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


_ZERO = 1e-12  # reduced costs below this (rounding of zero) count as zero


@njit(cache=True)
def _heap_push(hk: NDArray[np.float64], hv: NDArray[np.int64], size: int, k: float, v: int) -> int:
    i = size
    hk[i] = k
    hv[i] = v
    while i > 0:
        parent = (i - 1) >> 1
        if hk[parent] <= hk[i]:
            break
        hk[i], hk[parent] = hk[parent], hk[i]
        hv[i], hv[parent] = hv[parent], hv[i]
        i = parent
    return size + 1


@njit(cache=True)
def _heap_pop(hk: NDArray[np.float64], hv: NDArray[np.int64], size: int) -> int:
    size -= 1
    hk[0] = hk[size]
    hv[0] = hv[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        c = left
        if left + 1 < size and hk[left + 1] < hk[left]:
            c = left + 1
        if hk[i] <= hk[c]:
            break
        hk[i], hk[c] = hk[c], hk[i]
        hv[i], hv[c] = hv[c], hv[i]
        i = c
    return size


@njit(cache=True)
def min_cost_flow(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    twin: NDArray[np.int64],
    cost: NDArray[np.float64],
    resid: NDArray[np.float64],
    s: int,
    t: int,
    pot: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Minimum-cost maximum flow from ``s`` to ``t`` by successive shortest paths. ``cost`` and
    ``resid`` are by layout position (reverse arcs: negated cost, zero capacity); ``resid`` is
    updated in place and ends as the residual of the flow. ``pot`` are the starting potentials
    (minus the costs to the sink, or any with non-negative reduced costs on the arcs with capacity);
    they are updated in place.

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
        size = _heap_push(hk, hv, 0, 0.0, s)
        top = 0
        while size > 0 or top > 0:
            if top > 0:
                top -= 1
                x = zstack[top]
                d = dist[x]
            else:
                d = hk[0]
                x = hv[0]
                size = _heap_pop(hk, hv, size)
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
                        size = _heap_push(hk, hv, size, nd, y)
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
        flow_value += delta
        total_cost += delta * path_cost
        if paths == len(values):
            values = np.concatenate((values, np.empty(paths)))
            costs = np.concatenate((costs, np.empty(paths)))
        values[paths] = flow_value
        costs[paths] = total_cost
        paths += 1
    return values[:paths], costs[:paths]


@njit(cache=True)
def astar(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    weight: NDArray[np.float64],
    sources: NDArray[np.int64],
    is_target: NDArray[np.bool_],
    bound: NDArray[np.float64],
) -> tuple[int, NDArray[np.int64]]:
    """Fastest path from any of ``sources`` to any target node (A*): CSR ``indptr``/``head``
    with ``weight`` per entry (``inf``: closed). ``bound`` is a consistent lower bound of the
    cost from each node to the targets (``inf``: no way there), so the search only leaves the
    fastest path as far as the detours cost.

    Returns the target node reached (-1 when none can be) and, per node, the CSR entry it was
    reached by (-1 for the sources and for nodes not reached); follow it back from the target.
    """
    n = len(indptr) - 1
    g = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    cap = len(head) + len(sources) + 1
    hk = np.empty(cap)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for x in sources:
        if g[x] > 0.0 and bound[x] < np.inf:
            g[x] = 0.0
            pred[x] = -1
            size = _heap_push(hk, hv, size, bound[x], x)
    while size > 0:
        x = hv[0]
        size = _heap_pop(hk, hv, size)
        if done[x]:
            continue
        done[x] = True
        if is_target[x]:
            return x, pred
        gx = g[x]
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            if done[y] or bound[y] == np.inf:
                continue
            ng = gx + weight[p]
            if ng < g[y]:
                g[y] = ng
                pred[y] = p
                size = _heap_push(hk, hv, size, ng + bound[y], y)
    return -1, pred


@njit(cache=True)
def reach_from(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    passable: NDArray[np.bool_],
    sources: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Nodes reachable from any of ``sources`` along the CSR entries that are ``passable``
    (breadth first)."""
    n = len(indptr) - 1
    seen = np.zeros(n, dtype=np.bool_)
    queue = np.empty(n, dtype=np.int64)
    hi = 0
    for x in sources:
        if not seen[x]:
            seen[x] = True
            queue[hi] = x
            hi += 1
    lo = 0
    while lo < hi:
        x = queue[lo]
        lo += 1
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            if passable[p] and not seen[y]:
                seen[y] = True
                queue[hi] = y
                hi += 1
    return seen


@njit(cache=True)
def dijkstra_from(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    weight: NDArray[np.float64],
    sources: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Least cost from any of ``sources`` to every node (``inf``: unreachable) along the CSR's
    entries; weights may be zero, ``inf`` closes an entry."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    done = np.zeros(n, dtype=np.bool_)
    cap = len(head) + len(sources) + 1
    hk = np.empty(cap)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for x in sources:
        if dist[x] > 0.0:
            dist[x] = 0.0
            size = _heap_push(hk, hv, size, 0.0, x)
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = _heap_pop(hk, hv, size)
        if done[x]:
            continue
        done[x] = True
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            nd = d + weight[p]
            if nd < dist[y]:
                dist[y] = nd
                size = _heap_push(hk, hv, size, nd, y)
    return dist


@njit(cache=True)
def chains_open(
    ptr: NDArray[np.int64], members: NDArray[np.int64], open_edges: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Per chain ``members[ptr[c]:ptr[c + 1]]``: whether every member is open."""
    n_c = len(ptr) - 1
    out = np.ones(n_c, dtype=np.bool_)
    for c in range(n_c):
        for i in range(ptr[c], ptr[c + 1]):
            if not open_edges[members[i]]:
                out[c] = False
                break
    return out


@njit(cache=True)
def mark_along_chains(
    ptr: NDArray[np.int64],
    members: NDArray[np.int64],
    tail: NDArray[np.int64],
    open_edges: NDArray[np.bool_],
    start_reached: NDArray[np.bool_],
    dst: NDArray[np.int32],
    mask: NDArray[np.bool_],
) -> None:
    """Mark in ``mask`` the head of every open member of a chain whose tail is reached, up to
    its first closed member: the shape nodes (and the end) one can drive to along the chain."""
    for c in range(len(ptr) - 1):
        if not start_reached[tail[c]]:
            continue
        for i in range(ptr[c], ptr[c + 1]):
            e = members[i]
            if not open_edges[e]:
                break
            mask[dst[e]] = True


@njit(cache=True)
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
