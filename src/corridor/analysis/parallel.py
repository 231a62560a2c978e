"""The independent parts of one answer at once, on the machine's cores.

A report on a large network spends its time in a few compiled searches that do not depend on each
other: the turn-aware routes, the cheapest and the unit maximum flows with their cuts, the pocket.
The kernels release Python's lock while they run (numba ``nogil``), so threads of one process run
them side by side, sharing the situation's arrays instead of copying them to other processes.
:func:`run_all` does so where it pays: on a network of at least :data:`PARALLEL_EDGES` edges,
with the kernels compiled, on a machine (or a process's CPU affinity) with two cores or more.
Elsewhere, and with ``CORRIDOR_THREADS=1``, it runs the parts one after the other, in order.
Either way the answer is the same: the parts share nothing they write (each flow has its own
residual capacities; the kernels' scratch rows are per thread, see
:attr:`corridor.analysis.flow_graph.Residual.work`). The parts never call :func:`run_all`
themselves, so the pool cannot wait on itself; a forked worker (the samplers', the batch's)
makes a pool of its own, since a fork copies the parent's pool but not its threads.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from corridor.analysis.kernels import is_compiled
from corridor.errors import SettingError

PARALLEL_EDGES = 200_000
"""Road edges from which a report's parts run in threads (below, a part takes a few ms and a
thread's hand-over would cost more than it saves)."""

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _forget_pool() -> None:
    """In a forked child (the samplers' and the batch's workers): the parent's pool threads are
    not there, so a task given to its pool would never run; the child makes its own."""
    global _pool, _lock
    _pool, _lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_pool)


def threads() -> int:
    """How many parts may run at once: ``CORRIDOR_THREADS`` when set (1 turns threads off),
    else the cores this process may use."""
    value = os.environ.get("CORRIDOR_THREADS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            msg = f"CORRIDOR_THREADS={value!r}: expected a whole number of threads (1: none)"
            raise SettingError(msg) from None
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=threads(), thread_name_prefix="corridor")
        return _pool


def run_all(n_edges: int, *parts: Callable[[], Any]) -> list[Any]:
    """Each of ``parts`` called once, their results in order: the last here, the others in
    threads when the network has ``n_edges >= PARALLEL_EDGES`` (see the module). An exception
    of any part is raised once every part has finished.

    Examples
    --------
    >>> run_all(10, lambda: 1, lambda: 2)
    [1, 2]
    """
    if len(parts) < 2 or n_edges < PARALLEL_EDGES or not is_compiled() or threads() < 2:
        return [part() for part in parts]
    pool = _executor()
    futures: list[Future[Any]] = [pool.submit(part) for part in parts[:-1]]
    try:
        last = parts[-1]()
    finally:
        done = [f.result() for f in futures]  # waits; re-raises a part's exception
    return [*done, last]
