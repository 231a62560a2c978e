"""The kernels run as plain Python on small inputs (``CORRIDOR_KERNELS=auto``) and compiled by
numba otherwise: both must give the same answers, byte for byte, on the same situations."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from corridor.analysis.report import analyze
from corridor.model.areas import Area
from corridor.model.situation import Situation, build_situation
from corridor.testing import network_from_segments

SEEDS = range(12)


def grid_situation(seed: int) -> Situation:
    """A random grid of two-way and one-way streets, an origin in one corner and two exits."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(5, 9))
    coords = [(0.002 * x, 0.002 * y) for y in range(k) for x in range(k)]
    segments = [(i, i + 1) for i in range(k * k) if (i + 1) % k]
    segments += [(i, i + k) for i in range(k * k - k)]
    keep = rng.random(len(segments)) > 0.15
    segments = [s for s, ok in zip(segments, keep, strict=True) if ok]
    oneway = (rng.random(len(segments)) < 0.2).tolist()
    lanes = rng.integers(1, 3, len(segments)).tolist()
    net = network_from_segments(coords, segments, oneway=oneway, lanes=lanes)
    top = 0.002 * (k - 1)
    s = build_situation(
        net,
        Area("origin", point=(0.0, 0.0), radius_m=250),
        [Area("a", point=(top, top), radius_m=250), Area("b", point=(top, 0.0), radius_m=250)],
    )
    closed = rng.choice(net.n_edges, size=int(rng.integers(0, 4)), replace=False)
    # a few banned turns (OSM restrictions), which the route search over edges obeys
    turns = [
        (a, b)
        for a in range(net.n_edges)
        for b in range(int(net.indptr[net.dst[a]]), int(net.indptr[net.dst[a] + 1]))
    ]
    pick = rng.choice(len(turns), size=min(len(turns), int(rng.integers(0, 6))), replace=False)
    banned = np.array(sorted(turns[i] for i in pick), dtype=np.int64).reshape(-1, 2)
    s = dataclasses.replace(s, network=dataclasses.replace(net, banned_turns=banned))
    return s.with_closed(closed)


def answers(seed: int) -> str:
    """Everything a report says, as exact text (floats by their bits)."""
    r = analyze(grid_situation(seed), k=2, population=5000)
    out = {
        "status": r.status,
        "exits": [(x.reachable, (x.travel_time_s or 0.0).hex()) for x in r.reach.exits],
        "reached": r.reach.reached_nodes.tolist(),
        "routes": [(x.exit, x.rank, x.edges.tolist()) for x in r.routes],
        "cut": r.min_cut.edges.tolist(),
        "capacity_cut": r.capacity_cut.edges.tolist(),
        "critical": r.critical.tolist(),
        "flow": r.flow.edge_flow_pph.tolist(),
        "hours": (r.evacuation.hours or 0.0).hex(),
    }
    return json.dumps(out, sort_keys=True)


def test_python_and_compiled_kernels_agree() -> None:
    code = (
        "import json, runpy, sys\n"
        f"m = runpy.run_path({str(Path(__file__))!r})\n"
        f"print(json.dumps([m['answers'](s) for s in {list(SEEDS)!r}]))\n"
        "from corridor.analysis import kernels\n"
        "assert not kernels.is_compiled(), 'python mode compiled'\n"
        "assert 'numba' not in sys.modules, 'python mode imported numba'\n"
    )
    env = {**os.environ, "CORRIDOR_KERNELS": "python"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    python = json.loads(done.stdout)
    env = {**os.environ, "CORRIDOR_KERNELS": "compiled"}
    code = code.replace("assert not kernels.is_compiled()", "assert kernels.is_compiled()")
    code = code.replace("assert 'numba' not in sys.modules", "assert 'numba' in sys.modules")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    compiled = json.loads(done.stdout)
    for seed, a, b in zip(SEEDS, python, compiled, strict=True):
        assert a == b, f"seed {seed}: python and compiled kernels differ"
