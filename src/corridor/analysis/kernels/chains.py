"""Passes over road chains (``members[ptr[c]:ptr[c + 1]]``, the road edges of chain ``c`` in
order): which chains are wholly open, and how far one can drive along each from a reached tail.

Compiled ``nogil`` (:mod:`.jit`), so threads run them side by side.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.analysis.kernels.jit import kernel


@kernel
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


@kernel
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
