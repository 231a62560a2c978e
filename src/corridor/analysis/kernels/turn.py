"""The turn-aware search: A* over the directed edges of a road network, whose transitions (one
road edge onto the next at a node) carry the turn's cost and leave out banned turns
(:func:`corridor.analysis.turns.turn_graph` builds them).

The heap helpers are those of :mod:`.search`.

Compiled ``nogil`` (:mod:`.jit`), so threads run them side by side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.kernels.jit import kernel
from corridor.analysis.kernels.search import heap_pop, heap_push


@kernel
def turn_astar(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    turn: NDArray[np.float64],
    weight: NDArray[np.float64],
    bound: NDArray[np.float64],
    starts: NDArray[np.int64],
    is_goal: NDArray[np.bool_],
) -> tuple[int, NDArray[np.int64]]:
    """Least-cost sequence of edges from any of ``starts`` to any edge with ``is_goal`` (A* over
    edges). CSR ``indptr``/``head`` list, per edge ``x``, the edges ``head[p]`` it may be
    followed by in the search's direction, at cost ``weight[head[p]] + turn[p]``; a start costs
    its own ``weight`` (``inf``: closed). ``bound`` is a consistent lower bound, per edge, of
    the cost still to go (``inf``: no way there).

    Returns the goal edge reached (-1 when none can be) and, per edge, the edge it was reached
    from (-1 for the starts and for edges not reached); follow it from the goal.
    """
    m = len(indptr) - 1
    g = np.full(m, np.inf)
    parent = np.full(m, -1, dtype=np.int64)
    done = np.zeros(m, dtype=np.bool_)
    cap = len(head) + len(starts) + 1
    hk = np.empty(cap)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for x in starts:
        w = weight[x]
        if w < g[x] and bound[x] < np.inf:
            g[x] = w
            size = heap_push(hk, hv, size, w + bound[x], x)
    while size > 0:
        x = hv[0]
        size = heap_pop(hk, hv, size)
        if done[x]:
            continue
        done[x] = True
        if is_goal[x]:
            return x, parent
        gx = g[x]
        for p in range(indptr[x], indptr[x + 1]):
            y = head[p]
            if done[y] or bound[y] == np.inf:
                continue
            ng = gx + weight[y] + turn[p]
            if ng < g[y]:
                g[y] = ng
                parent[y] = x
                size = heap_push(hk, hv, size, ng + bound[y], y)
    return -1, parent
