"""Control maps in (issue 27): ``python -m bench.zones [--days 800] [--edges 100000]``.

Targets: 800 daily GeoJSON files of about 80 kB (one front line of ~3,300 vertices a day, as in
DeepStateMap's archive) import in at most 60 s on two cores (``corridor import zones``, run as a
user runs it, in a fresh process); a scenario including the 800 intervals loads and replays every
change date without re-reading the GeoJSON per date, the zones bound to the network once per
interval. The peer is the floor: the same files read with ``json`` and ``shapely.from_geojson``
and nothing else, in one process. Generated files live in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely

REPO = Path(__file__).resolve().parent.parent
DAY0 = dt.date(2024, 7, 1)


def write_archive(folder: Path, bounds: tuple[float, float, float, float], days: int) -> float:
    """``days`` files ``deepstatemap_data_YYYYMMDD.geojson`` of a front across ``bounds``: held
    ground west of a ragged line of 3,300 vertices that moves on about half the days (a few
    hundred metres over a stretch of it), stalls on the others, and misses one day in fifty.
    Returns the mean file size in kB."""
    rng = np.random.default_rng(27)
    w, s, e, n = bounds
    k = 3300
    lat = np.linspace(s - 0.01, n + 0.01, k)
    x = w + (e - w) * 0.45 + 0.004 * np.sin(np.arange(k) / 7.0) + rng.normal(0, 0.0008, k)
    sizes = []
    for d in range(days):
        if d % 50 == 49:
            continue  # a missing day
        if rng.random() < 0.5:  # the front moves over a stretch of it
            c = rng.integers(0, k)
            bump = np.exp(-(((np.arange(k) - c) / rng.uniform(30, 200)) ** 2))
            x = x + bump * rng.normal(0, 0.004)
        ring = np.concatenate(
            [
                np.column_stack([x, lat]),
                [[w - 0.05, n + 0.01], [w - 0.05, s - 0.01], [x[0], lat[0]]],
            ]
        )
        geom = {"type": "MultiPolygon", "coordinates": [[np.round(ring, 6).tolist()]]}
        feature = {"type": "Feature", "properties": {"name": "occupied"}, "geometry": geom}
        text = json.dumps({"type": "FeatureCollection", "features": [feature]})
        day = DAY0 + dt.timedelta(days=d)
        (folder / f"deepstatemap_data_{day:%Y%m%d}.geojson").write_text(text)
        sizes.append(len(text))
    return float(np.mean(sizes)) / 1000


def plain_read_s(folder: Path) -> float:
    """The floor: every file read with json and shapely, nothing else."""
    t0 = time.perf_counter()
    for f in sorted(folder.iterdir()):
        data = json.loads(f.read_bytes())
        shapely.from_geojson(json.dumps(data["features"][0]["geometry"]))
    return time.perf_counter() - t0


def bench_zones(days: int = 800, edges: int = 100_000) -> dict[str, Any]:
    from bench import synthetic
    from corridor.analysis.replay import replay
    from corridor.model import areas
    from corridor.model.network import Mover
    from corridor.model.scenario import MoverProfile
    from corridor.model.timeline import change_dates
    from corridor.network.ways import network_from_ways
    from corridor.scenario.load import load_scenario

    case = synthetic.generate(edges, seed=0)
    nets = {m: network_from_ways(case.table, m, source=case.name) for m in (Mover.CAR,)}
    net = nets[Mover.CAR]
    out: dict[str, Any] = {"days": days, "edges": net.n_edges}
    with tempfile.TemporaryDirectory(prefix="corridor-bench-zones-") as tmp:
        root = Path(tmp)
        arch = root / "archive"
        arch.mkdir()
        out["file_kb"] = write_archive(arch, net.bounds, days)
        out["files"] = len(list(arch.iterdir()))
        out["plain_read_s"] = plain_read_s(arch)
        # the scenario: its network a stand-in file (the replay is given the synthetic one)
        (root / "roads.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": []})
        )
        (lon, lat), r = case.origin.representative, case.origin.radius_m
        ex = [
            {"name": f"exit {i}", "point": list(a.representative), "radius_m": a.radius_m}
            for i, a in enumerate(case.exits)
        ]
        scenario = {
            "corridor": 1, "name": "front", "network": {"geojson": "roads.geojson"},
            "origin": {"name": "origin", "point": [lon, lat], "radius_m": r}, "exits": ex,
            "sides": [{"id": "red", "name": "Red"}],
            "actors": [{"id": "red-army", "name": "Red army", "side": "red"}],
            "movers": [{"id": "people", "name": "people", "base": "car", "blocked_by": ["red"]}],
        }  # fmt: skip
        import yaml

        (root / "scenario.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
        cmd = [sys.executable, "-m", "corridor.cli.main", "import", "zones", str(arch),
               "--actor", "red-army", "--clip-to", ",".join(f"{b:.6f}" for b in net.bounds),
               "--workers", "2", "-o", str(root / "front.yaml")]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        out["import_s"] = time.perf_counter() - t0
        if done.returncode != 0:
            out["import_error"] = (done.stderr or done.stdout).strip()[-500:]
            return out
        out["import_summary"] = done.stdout.splitlines()[0]
        with (root / "scenario.yaml").open("a") as f:
            f.write("include: [front.yaml]\n")
        t0 = time.perf_counter()
        sc = load_scenario(root / "scenario.yaml")
        out["load_s"] = time.perf_counter() - t0
        out["intervals"] = len(sc.zones)
        profile = MoverProfile(
            id="people", name="people", base=Mover.CAR, blocked_by=frozenset({"red"})
        )
        sc = replace(sc, origin=case.origin, exits=case.exits, movers={"people": profile})
        dates = change_dates(sc)
        t0 = time.perf_counter()
        for z in sc.zones:
            areas.zone_hold(net, z.polygon)
        out["bind_s"] = time.perf_counter() - t0  # each interval bound once
        t0 = time.perf_counter()
        reports = replay(sc, nets.__getitem__, mover="people", dates=dates, k=0)
        out["replay_s"] = time.perf_counter() - t0
        out["dates"] = len(dates)
        out["sealed"] = sum(r.status == "sealed" for r in reports)
    return out


def lines(r: dict[str, Any]) -> list[str]:
    if "import_error" in r:
        return [f"import zones failed: {r['import_error']}"]
    return [
        f"import zones: {r['files']} daily files of {r['file_kb']:.0f} kB in {r['import_s']:.1f} s "
        f"on 2 workers (target <= 60 s); {r['import_s'] / r['plain_read_s']:.1f}x the bare "
        f"json + shapely read of the same files ({r['plain_read_s']:.1f} s); {r['import_summary']}",
        f"scenario including {r['intervals']} intervals: loaded in {r['load_s']:.1f} s; the "
        f"zones bound to {r['edges']:,} edges once per interval in {r['bind_s']:.1f} s "
        f"({r['bind_s'] / max(r['intervals'], 1) * 1000:.0f} ms each); {r['dates']} change dates "
        f"replayed in {r['replay_s']:.1f} s (bindings included, {r['sealed']} sealed)",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.zones", description=__doc__)
    ap.add_argument("--days", type=int, default=800)
    ap.add_argument("--edges", type=int, default=100_000)
    args = ap.parse_args(argv)
    r = bench_zones(args.days, args.edges)
    for line in lines(r):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
