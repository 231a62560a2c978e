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


@kernel
def behind_keys(
    dist: NDArray[np.float64],
    pred_node: NDArray[np.int64],
    is_key: NDArray[np.bool_],
    source: int,
) -> NDArray[np.bool_]:
    """Per node of a search tree from ``source`` (``pred_node``: each node's parent, -1 at the
    source and for nodes not reached): whether a key node other than the source lies on its
    path from the source, the node itself excluded."""
    n = len(dist)
    order = np.argsort(dist)
    behind = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        y = order[i]
        if not np.isfinite(dist[y]):
            break
        p = pred_node[y]
        if p < 0 or p == source:
            continue
        behind[y] = behind[p] or is_key[p]
    return behind
