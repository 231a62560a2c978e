"""The scan's kernels: a multi-source Dijkstra that says which source each node is nearest to,
the dominator tree of a flow graph (Lengauer and Tarjan), and one pass down that tree.

A node ``d`` dominates ``v`` when every path from the root to ``v`` passes through ``d``; the
immediate dominator of ``v`` is its nearest strict dominator, and the immediate dominators form
a tree. :mod:`corridor.analysis.scan` roots the graph at the refuges (searched backwards) and
reads off the tree which single road, closed, would cut each community off.

Compiled ``nogil`` (:mod:`.jit`), so threads run them side by side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.kernels.jit import kernel
from corridor.analysis.kernels.search import heap_pop, heap_push


@kernel
def dijkstra_labels(
    indptr: NDArray[np.int64],
    head: NDArray[np.int64],
    weight: NDArray[np.float64],
    sources: NDArray[np.int64],
    source_label: NDArray[np.int64],
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Least cost from any of ``sources`` to every node along the CSR's entries (``inf``:
    unreachable; ``inf`` weight closes an entry) and, per node, the ``source_label`` of the
    source it is nearest to (-1 where unreachable; of two sources equally near, either)."""
    n = len(indptr) - 1
    dist = np.full(n, np.inf)
    label = np.full(n, -1, dtype=np.int64)
    done = np.zeros(n, dtype=np.bool_)
    cap = len(head) + len(sources) + 1
    hk = np.empty(cap)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for i in range(len(sources)):
        x = sources[i]
        if dist[x] > 0.0:
            dist[x] = 0.0
            label[x] = source_label[i]
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
                label[y] = label[x]
                size = heap_push(hk, hv, size, nd, y)
    return dist, label


@kernel
def dominator_eval(
    v: int,
    ancestor: NDArray[np.int64],
    label: NDArray[np.int64],
    semi: NDArray[np.int64],
    path: NDArray[np.int64],
) -> int:
    """Lengauer and Tarjan's ``eval(v)``: compress v's path in the forest of linked nodes
    (iteratively, ``path`` as the stack) and return the node of least semidominator on it."""
    if ancestor[v] < 0:
        return v
    k = 0
    x = v
    while ancestor[ancestor[x]] >= 0:
        path[k] = x
        k += 1
        x = ancestor[x]
    while k > 0:
        k -= 1
        x = path[k]
        a = ancestor[x]
        if semi[label[a]] < semi[label[x]]:
            label[x] = label[a]
        ancestor[x] = ancestor[a]
    return int(label[v])


@kernel
def immediate_dominators(
    indptr: NDArray[np.int64], head: NDArray[np.int64], root: int
) -> NDArray[np.int64]:
    """The immediate dominator of every node of the CSR graph ``indptr``/``head`` rooted at
    ``root`` (``root`` is its own; -1 for nodes the root does not reach).

    Lengauer and Tarjan's algorithm with path compression (the "simple" version, O(m log n)):
    a depth-first numbering, semidominators from the predecessors in reverse order, then the
    immediate dominators in order. Iterative throughout (no recursion depth to exhaust).
    """
    n = len(indptr) - 1
    m = len(head)
    # depth-first search from the root: number, vertex by number, tree parent
    num = np.full(n, -1, dtype=np.int64)
    vertex = np.empty(n, dtype=np.int64)
    parent = np.full(n, -1, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    count = 0
    num[root] = 0
    vertex[0] = root
    count = 1
    top = 0
    stack[0] = root
    pos[0] = indptr[root]
    while top >= 0:
        x = stack[top]
        p = pos[top]
        if p < indptr[x + 1]:
            pos[top] = p + 1
            y = head[p]
            if num[y] < 0:
                num[y] = count
                vertex[count] = y
                count += 1
                parent[y] = x
                top += 1
                stack[top] = y
                pos[top] = indptr[y]
        else:
            top -= 1
    # predecessors of the reached nodes (a counting sort of the arcs by head)
    tail = np.empty(m, dtype=np.int64)
    for x in range(n):
        for p in range(indptr[x], indptr[x + 1]):
            tail[p] = x
    pptr = np.zeros(n + 1, dtype=np.int64)
    for p in range(m):
        if num[tail[p]] >= 0:
            pptr[head[p] + 1] += 1
    for i in range(n):
        pptr[i + 1] += pptr[i]
    fill = pptr[:-1].copy()
    pred = np.empty(pptr[n], dtype=np.int64)
    for p in range(m):
        if num[tail[p]] >= 0:
            y = head[p]
            pred[fill[y]] = tail[p]
            fill[y] += 1
    # semidominators (as numbers), the forest of linked nodes, buckets as linked lists
    semi = num.copy()
    label = np.arange(n, dtype=np.int64)
    ancestor = np.full(n, -1, dtype=np.int64)
    idom = np.full(n, -1, dtype=np.int64)
    bucket_head = np.full(n, -1, dtype=np.int64)
    bucket_next = np.full(n, -1, dtype=np.int64)
    path = np.empty(n, dtype=np.int64)
    for i in range(count - 1, 0, -1):
        w = vertex[i]
        for q in range(pptr[w], pptr[w + 1]):
            v = pred[q]
            u = dominator_eval(v, ancestor, label, semi, path)
            if semi[u] < semi[w]:
                semi[w] = semi[u]
        s = vertex[semi[w]]
        bucket_next[w] = bucket_head[s]
        bucket_head[s] = w
        pw = parent[w]
        ancestor[w] = pw  # link(parent, w)
        v = bucket_head[pw]
        while v >= 0:
            nxt = bucket_next[v]
            u = dominator_eval(v, ancestor, label, semi, path)
            idom[v] = u if semi[u] < semi[v] else pw
            v = nxt
        bucket_head[pw] = -1
    for i in range(1, count):
        w = vertex[i]
        if idom[w] != vertex[semi[w]]:
            idom[w] = idom[idom[w]]
    idom[root] = root
    return idom


@kernel
def dominator_tree_pass(
    idom: NDArray[np.int64], root: int, own: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """One pass down the dominator tree ``idom`` (from :func:`immediate_dominators`).

    Returns, per node, its preorder number and the size of its subtree (``v`` dominates ``x``
    exactly when ``pre[v] <= pre[x] < pre[v] + size[v]``; -1 and 0 for unreached nodes), and
    ``nearest``: the ``own`` value (-1: none) of the nearest node on the tree path from the node
    up to the root, the node itself first.
    """
    n = len(idom)
    cptr = np.zeros(n + 1, dtype=np.int64)
    for v in range(n):
        if idom[v] >= 0 and v != root:
            cptr[idom[v] + 1] += 1
    for i in range(n):
        cptr[i + 1] += cptr[i]
    fill = cptr[:-1].copy()
    child = np.empty(cptr[n], dtype=np.int64)
    for v in range(n):
        if idom[v] >= 0 and v != root:
            child[fill[idom[v]]] = v
            fill[idom[v]] += 1
    pre = np.full(n, -1, dtype=np.int64)
    size = np.zeros(n, dtype=np.int64)
    nearest = np.full(n, -1, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    stack = np.empty(n, dtype=np.int64)
    top = 0
    stack[0] = root
    count = 0
    while top >= 0:
        v = stack[top]
        top -= 1
        pre[v] = count
        order[count] = v
        count += 1
        nearest[v] = own[v] if own[v] >= 0 or v == root else nearest[idom[v]]
        for q in range(cptr[v], cptr[v + 1]):
            top += 1
            stack[top] = child[q]
    # subtree sizes, children before parents (reverse preorder)
    for i in range(count - 1, -1, -1):
        v = order[i]
        size[v] += 1
        if v != root:
            size[idom[v]] += size[v]
    return pre, size, nearest


@kernel
def edges_up_tree(
    idom: NDArray[np.int64], root: int, own: NDArray[np.int64], starts: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each of ``starts``, the ``own`` values (>= 0) on the dominator-tree path from it up
    to ``root``, nearest first, as CSR (``ptr``, ``values``): what every path from the root to
    that node passes through."""
    k = len(starts)
    ptr = np.zeros(k + 1, dtype=np.int64)
    for i in range(k):
        v = starts[i]
        c = 0
        while v >= 0:
            if own[v] >= 0:
                c += 1
            if v == root:
                break
            v = idom[v]
        ptr[i + 1] = ptr[i] + c
    values = np.empty(ptr[k], dtype=np.int64)
    for i in range(k):
        v = starts[i]
        j = ptr[i]
        while v >= 0:
            if own[v] >= 0:
                values[j] = own[v]
                j += 1
            if v == root:
                break
            v = idom[v]
    return ptr, values
