"""Graph kernels, compiled with numba: flows, searches and chain passes.

scipy.sparse.csgraph has no maximum flow that starts from a given flow, no Dijkstra that stops at
a target, no A* and no min-cost flow, and each of its calls copies and converts the whole graph.
These kernels work in place on arrays built once per network, origin and exits:

* :func:`residual_layout`: arcs ``0..m-1`` and their reverses ``a + m`` sorted by tail (a counting
  sort, O(n + m)); ``pos`` gives each arc's position, ``indptr`` delimits each node's arcs, and
  ``twin`` gives the position of each arc's reverse;
* :func:`max_flow` is Dinic's algorithm (levels counted back from the sink, blocking flow by
  depth-first search with current-arc pointers), and it starts from whatever flow the residual
  capacities hold; :func:`close_arcs` closes arcs under a flow, rerouting what they carried;
* :func:`min_cost_flow` is successive shortest paths with Johnson potentials in which every
  Dijkstra stops as soon as the sink is settled; potentials of the nodes it settled are lowered
  by how far short of the sink they were (the usual update, shifted by a constant, which leaves
  reduced costs unchanged), so one augmentation costs only the region it searched. The first
  potentials are the costs to the sink (one backward :func:`dijkstra_from`, or computed once
  per network by the caller), which makes every forward search goal-directed (A* with an exact
  bound): it stays near the shortest paths to the sink instead of sweeping everything closer to
  the origin than the sink is;
* :func:`astar`, :func:`dijkstra_from` and :func:`reach_from` search CSR graphs whose closed
  entries weigh ``inf`` (or are not ``passable``);
* :func:`chains_open` and :func:`mark_along_chains` walk chains once;
* :func:`turn_astar` searches over edges, turns weighed and banned turns left out, guided by
  the all-open least costs from the origin (a :func:`dijkstra_from` over the turns: an exact
  bound);
* :func:`dijkstra_tree` keeps the search tree (the evacuation over time's links);
* :func:`dijkstra_labels` (the nearest source of every node), :func:`immediate_dominators`
  (Lengauer and Tarjan), :func:`dominator_tree_pass` and :func:`edges_up_tree`, for the scan.

By family: :mod:`.search` (the heap and the searches), :mod:`.flow` (layout and flows),
:mod:`.chains`, :mod:`.turn` and :mod:`.dominators`. Callers use this package
(``from corridor.analysis import kernels``).

On small inputs they run as plain Python until numba is needed, which saves a process the second
that importing numba and loading compiled code takes (:mod:`.jit`; ``CORRIDOR_KERNELS``). All are
compiled once per machine (``cache=True``: numba keeps the machine code in
``__pycache__`` next to each module, or in its user cache directory) and ``nogil``: they release
Python's lock while they run, so :mod:`corridor.analysis.parallel` runs a report's independent
searches in threads. Numba checks only the defining file's timestamp (not the compile options:
code cached before ``nogil`` was set held the lock until its file changed): :func:`min_cost_flow` (in ``flow.py``) and :func:`turn_astar` (in
``turn.py``) and :func:`dijkstra_labels` (in ``dominators.py``) call the heap helpers of
``search.py``, so after editing ``search.py`` run ``make clean`` (which removes the cached
machine code) or touch ``flow.py``, ``turn.py`` and ``dominators.py``.
"""

from __future__ import annotations

from corridor.analysis.kernels.chains import chains_open, mark_along_chains
from corridor.analysis.kernels.dominators import (
    dijkstra_labels,
    dominator_tree_pass,
    edges_up_tree,
    immediate_dominators,
)
from corridor.analysis.kernels.flow import (
    close_arcs,
    max_flow,
    min_cost_flow,
    place,
    residual_layout,
)
from corridor.analysis.kernels.jit import compile_all, is_compiled, notify_before_compiling
from corridor.analysis.kernels.search import astar, dijkstra_from, reach_from
from corridor.analysis.kernels.timed import dijkstra_tree
from corridor.analysis.kernels.turn import turn_astar

__all__ = [
    "astar",
    "chains_open",
    "close_arcs",
    "compile_all",
    "dijkstra_from",
    "dijkstra_labels",
    "dijkstra_tree",
    "dominator_tree_pass",
    "edges_up_tree",
    "immediate_dominators",
    "is_compiled",
    "mark_along_chains",
    "max_flow",
    "min_cost_flow",
    "notify_before_compiling",
    "place",
    "reach_from",
    "residual_layout",
    "turn_astar",
]
