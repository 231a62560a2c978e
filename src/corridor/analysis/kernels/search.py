"""Searches on CSR graphs: a binary heap of (key, node) pairs, Dijkstra from a set of sources,
A* to a set of targets and breadth-first reach along passable entries.

Closed entries weigh ``inf`` (Dijkstra, A*) or are not ``passable`` (reach). The heap helpers are
shared with :func:`corridor.analysis.kernels.flow.min_cost_flow`.

Compiled ``nogil`` (:mod:`.jit`), so threads run them side by side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.kernels.jit import kernel


@kernel
def heap_push(hk: NDArray[np.float64], hv: NDArray[np.int64], size: int, k: float, v: int) -> int:
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


@kernel
def heap_pop(hk: NDArray[np.float64], hv: NDArray[np.int64], size: int) -> int:
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


@kernel
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
            size = heap_push(hk, hv, size, 0.0, x)
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = heap_pop(hk, hv, size)
        if done[x]:
            continue
        done[x] = True
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            nd = d + weight[p]
            if nd < dist[y]:
                dist[y] = nd
                size = heap_push(hk, hv, size, nd, y)
    return dist


@kernel
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
            size = heap_push(hk, hv, size, bound[x], x)
    while size > 0:
        x = hv[0]
        size = heap_pop(hk, hv, size)
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
                size = heap_push(hk, hv, size, ng + bound[y], y)
    return -1, pred


@kernel
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
