"""Kernels of the evacuation over time (:mod:`corridor.analysis.timed`): a Dijkstra that keeps
its tree, from one source to every node."""

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
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Least cost from ``source`` to every node along the CSR's entries (``inf``: unreachable),
    and the CSR position of the entry each node is reached by (-1: the source or unreached)."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    pred = np.full(n, -1, dtype=np.int64)
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
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            nd = d + weight[p]
            if nd < dist[y]:
                dist[y] = nd
                pred[y] = p
                size = heap_push(hk, hv, size, nd, y)
    return dist, pred
