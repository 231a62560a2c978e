"""Test configuration: hypothesis profiles, and ``tests/`` on ``sys.path`` for ``strategies``.

Profiles (choose with ``HYPOTHESIS_PROFILE=<name>``; ``ci`` is the default):

- ``ci``: deterministic (``derandomize=True``, no example database), 150 examples per property
  by default; a test scales that with ``@settings(max_examples=strategies.examples(factor))``
  (more for cheap properties, fewer for costly ones). The property, reference and evacuation
  tests run in about 35 s on two idle cores (about 3800 examples in all).
- ``dev``: the same, 20 examples, for quick edits.
- ``thorough``: 1000 examples, still deterministic, for a release or after touching analysis/.

Every profile has no deadline (timings on shared CI runners vary) and no example database, so
the same code always runs the same examples. (Hypothesis still caches source constants in
``.hypothesis/constants``, which carries its own ``.gitignore``.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# pytest runs with --import-mode=importlib, which does not put test directories on sys.path;
# the test modules import their shared strategies as ``strategies``.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

_COMMON = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("ci", max_examples=150, **_COMMON)
settings.register_profile("dev", max_examples=20, **_COMMON)
settings.register_profile("thorough", max_examples=1000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
