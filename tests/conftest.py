"""Test configuration: hypothesis profiles, compiled kernels, and ``tests/`` on ``sys.path``.

Profiles (choose with ``HYPOTHESIS_PROFILE=<name>``; ``ci`` is the default):

- ``ci`` (``make test``, CI): deterministic (``derandomize=True``), 150 examples per property by
  default; a test scales that with ``@settings(max_examples=strategies.examples(factor))`` (more
  for cheap properties, fewer for costly ones). Every run checks the same examples, so a
  failure in CI reproduces anywhere.
- ``dev``: the same, 20 examples, for quick edits.
- ``thorough`` (``make test-thorough``, not part of ``make test`` or CI): 1000 examples per
  property, fresh random ones on every run (``derandomize=False``). ``make test-thorough`` picks
  a seed, prints it first (and pytest's header repeats it), and passes it as
  ``--hypothesis-seed``; ``make test-thorough SEED=<seed>`` runs the same examples again. A
  failure also prints its ``@reproduce_failure`` blob. Run it for a release or after touching
  ``analysis/``.

Every profile has no deadline (timings on shared CI runners vary) and no example database, so
a seed alone says which examples run. (Hypothesis still caches source constants in
``.hypothesis/constants``, which carries its own ``.gitignore``.)

The compiled kernels (:mod:`corridor.analysis.kernels`) are kept by numba's cache after the
first run. Under pytest-xdist (``make test`` runs ``-n 2``) the controlling process compiles
them before the workers start, so a cold cache (a fresh clone, as in CI) is compiled once, not
once per worker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# pytest runs with --import-mode=importlib, which does not put test directories on sys.path;
# the test modules import their shared strategies as ``strategies``.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

# The suite runs the kernels compiled, as large networks do, whatever the input's size; the
# Python path that small inputs take is compared with it in tests/reference/test_kernel_modes.py
# (and tests that need ``auto`` set it themselves).
os.environ.setdefault("CORRIDOR_KERNELS", "compiled")

_COMMON = {
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("ci", max_examples=150, derandomize=True, print_blob=False, **_COMMON)
settings.register_profile("dev", max_examples=20, derandomize=True, print_blob=False, **_COMMON)
settings.register_profile(
    "thorough", max_examples=1000, derandomize=False, print_blob=True, **_COMMON
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.getoption("hypothesis_seed", None)
    profile = settings.get_current_profile_name()
    if settings.default.derandomize:
        return f"hypothesis: profile {profile!r}, derandomized (the same examples every run)"
    if seed is None:
        return f"hypothesis: profile {profile!r}, random examples, no seed given"
    return (
        f"hypothesis: profile {profile!r}, seed {seed} "
        f"(again: make test-thorough SEED={seed}, or --hypothesis-seed={seed})"
    )


def pytest_configure(config: pytest.Config) -> None:
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        _compile_kernels()


def _compile_kernels() -> None:
    """Compile every kernel (:func:`corridor.analysis.kernels.compile_all`; small inputs would
    otherwise run as Python) and call each once on a tiny graph, with the argument types the
    analysis uses, so that numba compiles (or loads from its cache) each before the xdist
    workers need them."""
    import numpy as np

    from corridor.analysis import kernels

    kernels.compile_all()
    i64, f64 = np.int64, np.float64
    u = np.array([0, 1, 0], dtype=i64)
    v = np.array([1, 2, 2], dtype=i64)
    n, m = 3, len(u)
    kernels.residual_layout(n, np.repeat(u, 2)[::2], np.repeat(v, 2)[::2])  # strided arrays
    indptr, pos, head, twin = kernels.residual_layout(n, u, v)
    resid = kernels.place(pos, np.ones(m, dtype=i64), np.zeros(m, dtype=i64), np.empty(2 * m, i64))
    work = np.full((4, n), -1, dtype=i64)
    kernels.max_flow(indptr, head, twin, resid, 0, 2, 10, work)
    kernels.close_arcs(indptr, head, twin, pos, u, v, np.array([2], dtype=i64), resid, 0, 2, work)
    cost = kernels.place(pos, np.ones(m), -np.ones(m), np.empty(2 * m))
    cap = kernels.place(pos, np.ones(m), np.zeros(m), np.empty(2 * m))
    kernels.min_cost_flow(indptr, head, twin, cost, cap, 0, 2, np.zeros(n), np.zeros(2 * m, bool))
    weight = np.ones(2 * m)
    sources = np.array([0], dtype=i64)
    kernels.dijkstra_from(indptr, head, weight, sources)
    frozen = sources.copy()
    frozen.flags.writeable = False  # as cached node sets are
    kernels.dijkstra_from(indptr, head, weight, frozen)
    kernels.astar(indptr, head, weight, sources, np.arange(n) == 2, np.zeros(n, dtype=f64))
    kernels.reach_from(indptr, head, weight > 0, sources)
    ptr = np.array([0, 2, 3], dtype=i64)
    members = np.array([0, 1, 2], dtype=i64)
    is_open = np.ones(m, dtype=bool)
    kernels.chains_open(ptr, members, is_open)
    kernels.mark_along_chains(
        ptr, members, u[:2].copy(), is_open, is_open, v.astype(np.int32), np.zeros(n, bool)
    )
    # the turn-aware search back to the origin (its bound comes from dijkstra_from, above)
    kernels.turn_astar(indptr, head, weight, weight, weight, sources, np.arange(2 * m) == 2)
