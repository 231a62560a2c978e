"""Kernels of the evacuation over time (:mod:`corridor.analysis.timed`): a Dijkstra that keeps
its tree, from one source to every node.

Compiled ``nogil`` (:mod:`.jit`), so threads run them side by side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.kernels.jit import kernel
from corridor.analysis.kernels.search import heap_pop, heap_push


@kernel
def dijkstra_tree(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    weight: NDArray[np.float64],
    source: int,
    is_key: NDArray[np.bool_],
    stop: int,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.bool_]]:
    """Least cost from ``source`` to every node along the CSR's entries (``inf``: unreachable),
    the CSR position of the entry each node is reached by (-1: the source or unreached), and
    whether a node of ``is_key`` other than the source lies on its path, the node itself
    excluded. With ``stop`` >= 0 the search ends once that node is settled."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
    behind = np.zeros(n, dtype=np.bool_)
    done = np.zeros(n, dtype=np.bool_)
    hk = np.empty(len(head) + 2)
    hv = np.empty(len(head) + 2, dtype=np.int64)
    dist[source] = 0.0
    size = heap_push(hk, hv, 0, 0.0, source)
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = heap_pop(hk, hv, size)
        if done[x]:
            continue
        done[x] = True
        if x == stop:
            break
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            nd = d + weight[p]
            if nd < dist[y]:
                dist[y] = nd
                pred[y] = p
                behind[y] = x != source and (behind[x] or is_key[x])
                size = heap_push(hk, hv, size, nd, y)
    return dist, pred, behind
