"""``corridor serve`` over HTTP: the time of one what-if closure, on the server and round trip.

A real ``corridor serve`` (a separate process, 127.0.0.1, a free port) is driven with httpx:
after one warm-up report (which loads the network and prepares the situation, timed apart), each
request closes one different road, an OSM way of the fastest routes, as a what-if, through:

- ``POST /api/whatif`` with ``layers: []``: the answer from the situation's flows
  (``ClosureSession``) alone; then ``POST /api/whatif``: with the layers that change;
- ``POST /api/report``: the full report, as ``corridor analyze --close-way W --json``;
- ``POST /api/view``: the full report with the map's layers and header.

The server's own time comes from the ``X-Elapsed-Ms`` header; the round trip is measured by the
client. Inputs:

- Andorra (``../shared/data/osm/andorra.osm.pbf``), with the origin and exits of the other
  benchmarks (``bench.synthetic.real_situation``); target p95 <= 50 ms.
- The synthetic grid of 1M edges (``bench/synthetic.py``), written once as an OSM PBF under
  ``out/bench-serve/`` (then loaded through corridor's network cache); target p95 <= 300 ms.

Run ``python -m bench.serve`` (``make bench`` runs it too; ``--quick`` takes the 100k grid).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ANDORRA = REPO.parent / "shared" / "data" / "osm" / "andorra.osm.pbf"
OUT = REPO / "out" / "bench-serve"
REQUESTS = 40
TARGET_MS = {"andorra": 50.0, "synthetic": 300.0}
#: the quick what-if (ClosureSession) without and with the layers that change, the full report,
#: the full report with the map's layers
PATHS = ("/api/whatif (no layers)", "/api/whatif", "/api/report", "/api/view")


def _area_yaml(area: Any) -> str:
    lon, lat = area.point
    return f"{{name: {area.name}, point: [{lon:.7f}, {lat:.7f}], radius_m: {area.radius_m:.1f}}}"


def write_scenario(folder: Path, name: str, network: Path, origin: Any, exits: list[Any]) -> Path:
    """A scenario file for a network file: its origin and exits, no events."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    lines = [
        "corridor: 1",
        f"name: {name}",
        f"network: {{osm: {network.resolve()}}}",
        "mover: car",
        f"origin: {_area_yaml(origin)}",
        "exits:",
        *[f"  - {_area_yaml(e)}" for e in exits],
        "population: 100000",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def andorra_scenario(folder: Path) -> Path:
    from bench.synthetic import real_situation
    from corridor.network.osm import load_osm

    s = real_situation(load_osm(ANDORRA, "car"))
    return write_scenario(folder, "andorra", ANDORRA, s.origin_area, list(s.exit_areas))


def write_pbf(table: Any, path: Path) -> None:
    """A way table as an OSM PBF file (pyosmium's writer): its nodes, then its ways."""
    import osmium

    tmp = path.with_suffix(".tmp.pbf")
    tmp.unlink(missing_ok=True)
    refs, first = np.unique(table.node_ref, return_index=True)
    writer = osmium.SimpleWriter(str(tmp))
    try:
        for ref, i in zip(refs.tolist(), first.tolist(), strict=True):
            loc = osmium.osm.Location(float(table.node_lon[i]), float(table.node_lat[i]))
            writer.add_node(osmium.osm.mutable.Node(id=ref, location=loc, version=1))
        ptr = table.way_ptr
        for w, (a, b) in enumerate(zip(ptr[:-1].tolist(), ptr[1:].tolist(), strict=True)):
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=int(table.way_id[w]),
                    nodes=table.node_ref[a:b].tolist(),
                    tags=table.way_tags[w],
                    version=1,
                )
            )
    finally:
        writer.close()
    tmp.replace(path)


def grid_scenario(folder: Path, size: int) -> Path:
    from bench import synthetic

    case = synthetic.generate(size, seed=0)
    pbf = folder / f"{case.name}.osm.pbf"
    if not pbf.exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_pbf(case.table, pbf)
    return write_scenario(folder, case.name, pbf, case.origin, list(case.exits))


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def drive(scenario: Path, requests: int = REQUESTS) -> dict[str, Any]:
    """Start ``corridor serve scenario``, warm it up, then time ``requests`` what-ifs."""
    import httpx

    corridor = Path(sys.executable).with_name("corridor")
    with tempfile.TemporaryDirectory(prefix="corridor-bench-serve-") as data:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(corridor), "serve", str(scenario), "--port", "0", "--data", data],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "CORRIDOR_KERNELS": os.environ.get("CORRIDOR_KERNELS", "auto")},
        )
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split()[2]
            started_s = time.perf_counter() - t0
            with httpx.Client(base_url=url, timeout=600) as client:
                t1 = time.perf_counter()
                base = client.get("/api/report")
                base.raise_for_status()
                warm_s = time.perf_counter() - t1
                report = base.json()
                ways = list(
                    dict.fromkeys(
                        w for r in report["routes"] if r["rank"] == 0 for w in r["osm_ways"]
                    )
                )
                if not ways:
                    msg = f"{scenario}: the origin is sealed; no route to close"
                    raise RuntimeError(msg)
                out: dict[str, Any] = {
                    "edges": report["network"]["edges"],
                    "start_s": started_s,
                    "first_report_s": warm_s,
                    "status": report["status"],
                }
                for path in PATHS:
                    server: list[float] = []
                    trip: list[float] = []
                    changed = 0
                    url, _, variant = path.partition(" ")
                    for i in range(requests):
                        body: dict[str, Any] = {"close_ways": [ways[i % len(ways)]]}
                        if variant:
                            body["layers"] = []
                        t = time.perf_counter()
                        r = client.post(url, json=body)
                        trip.append((time.perf_counter() - t) * 1000)
                        r.raise_for_status()
                        server.append(float(r.headers["x-elapsed-ms"]))
                        data_out = r.json()
                        rep = data_out.get("report") or data_out.get("answer") or data_out
                        changed += rep["min_cut"] != report["min_cut"] or rep["status"] != "open"
                    out[path] = {
                        "requests": requests,
                        "server_p50_ms": _percentile(server, 50),
                        "server_p95_ms": _percentile(server, 95),
                        "trip_p50_ms": _percentile(trip, 50),
                        "trip_p95_ms": _percentile(trip, 95),
                        "trip_mean_ms": statistics.fmean(trip),
                        "answers_changed": changed,
                        "bytes": len(r.content),
                    }
        finally:
            proc.kill()
            proc.wait()
    return out


def bench_serve(*, quick: bool = False, requests: int = REQUESTS) -> dict[str, Any]:
    """Every input's timings (see the module docstring)."""
    results: dict[str, Any] = {}
    inputs: list[tuple[str, str, Path]] = []
    if ANDORRA.exists():
        inputs.append(("andorra", "andorra", andorra_scenario(OUT)))
    size = 100_000 if quick else 1_000_000
    inputs.append(("synthetic", f"synthetic-{size // 1000}k", grid_scenario(OUT, size)))
    for kind, name, path in inputs:
        r = drive(path, requests)
        r["target_p95_ms"] = TARGET_MS[kind]
        results[name] = r
    return results


def lines(results: dict[str, Any]) -> list[str]:
    out = []
    for name, r in results.items():
        for path in PATHS:
            x = r[path]
            worst = max(x["server_p95_ms"], x["trip_p95_ms"])
            verdict = "meets" if worst <= r["target_p95_ms"] else "MISSES"
            out.append(
                f"  {name} ({r['edges']:,} edges) POST {path}, one what-if, "
                f"{x['requests']} requests: server p50 {x['server_p50_ms']:.1f} ms, p95 "
                f"{x['server_p95_ms']:.1f} ms; round trip p50 {x['trip_p50_ms']:.1f} ms, p95 "
                f"{x['trip_p95_ms']:.1f} ms ({verdict} the target p95 <= "
                f"{r['target_p95_ms']:.0f} ms; {x['bytes']:,} bytes)"
            )
        out.append(
            f"  {name}: server up in {r['start_s']:.1f} s; first report (network load, "
            f"situation, preparation) {r['first_report_s']:.2f} s"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="the 100k grid instead of 1M")
    ap.add_argument("--requests", type=int, default=REQUESTS)
    args = ap.parse_args(argv)
    results = bench_serve(quick=args.quick, requests=args.requests)
    print("corridor serve: one what-if over HTTP (httpx, 127.0.0.1)")
    for line in lines(results):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
