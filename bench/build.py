"""Network builds, each timed in a fresh subprocess so that peak memories are comparable.

``python -m bench.build TOOL PATH REPEATS`` builds the car network of an OSM file ``REPEATS``
times with one tool and prints one JSON line: the build times, the child's peak RSS
(``ru_maxrss``) and its RSS baseline after imports, and the size of what was built. Tools:

- ``corridor``: ``corridor.network.osm.load_osm(path, "car", use_cache=False)``;
- ``corridor-cached``: the same with the cache on, in an empty ``CORRIDOR_CACHE_DIR``; the first
  load writes the cache (not counted), the timed ones read it;
- ``pyrosm``: ``OSM(path).get_network("driving", nodes=True)`` then
  ``to_graph(nodes, edges, graph_type="networkx")`` (pyrosm's defaults, which simplify);
- ``pyrosm-full``: the same with ``simplify=False, retain_all=True`` (every OSM segment, like
  corridor and the OSMnx call below);
- ``osmnx``: ``osmnx.graph_from_xml(path, simplify=False, retain_all=True)``; PATH is an OSM XML
  of the car ways, written beforehand by :func:`write_car_xml` (not timed).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TOOLS = ("corridor", "corridor-cached", "pyrosm", "pyrosm-full", "osmnx")


def _rss_mb() -> float:
    """Peak RSS of this process, in MB.

    ``VmHWM`` is the high-water mark of this process's own address space; ``ru_maxrss`` would
    also count the parent's RSS at ``fork`` (Linux keeps it across ``exec``), which would make the
    peaks of children forked from a large parent incomparable.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def network_bytes(net: Any) -> int:
    """Bytes held by a RoadNetwork's arrays."""
    import numpy as np

    return sum(v.nbytes for v in vars(net).values() if isinstance(v, np.ndarray))


def _build(tool: str, path: str) -> tuple[Any, dict[str, Any]]:
    if tool in ("corridor", "corridor-cached"):
        from corridor.network.osm import load_osm

        net = load_osm(path, "car", use_cache=tool == "corridor-cached")
        return net, {
            "nodes": net.n_nodes,
            "edges": net.n_edges,
            "bytes": network_bytes(net),
            "bytes_per_edge": network_bytes(net) / max(net.n_edges, 1),
        }
    if tool in ("pyrosm", "pyrosm-full"):
        import pyrosm

        osm = pyrosm.OSM(path)
        nodes, edges = osm.get_network("driving", nodes=True)
        kw = {"simplify": False, "retain_all": True} if tool == "pyrosm-full" else {}
        g = osm.to_graph(nodes, edges, graph_type="networkx", **kw)
        return g, {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    if tool == "osmnx":
        import osmnx

        g = osmnx.graph_from_xml(path, simplify=False, retain_all=True)
        return g, {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    msg = f"unknown tool {tool!r}; expected one of {', '.join(TOOLS)}"
    raise ValueError(msg)


def _imports(tool: str) -> None:
    if tool.startswith("corridor"):
        import corridor.network.osm  # noqa: F401
    elif tool.startswith("pyrosm"):
        import pyrosm  # noqa: F401
    else:
        import osmnx  # noqa: F401


def child(tool: str, path: str, repeats: int) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore")
    _imports(tool)
    baseline = _rss_mb()
    if tool == "corridor-cached":
        os.environ["CORRIDOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="corridor-bench-")
        _build(tool, path)  # writes the cache
    times = []
    info: dict[str, Any] = {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        graph, info = _build(tool, path)
        times.append(time.perf_counter() - t0)
        del graph
    return {"tool": tool, "times_s": times, "peak_mb": _rss_mb(), "baseline_mb": baseline, **info}


def run_child(tool: str, path: Path, repeats: int, *, timeout: float = 900) -> dict[str, Any]:
    """Run one tool's builds in a fresh interpreter; the parsed JSON line it prints."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "bench.build", tool, str(path), str(repeats)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"tool": tool, "error": tail[0]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def write_car_xml(src: Path, dst: Path) -> int:
    """Write the ways corridor's car mover keeps, and their nodes, to OSM XML (pyosmium).

    A way that refers to nodes missing from a clipped extract is split into its runs of present
    nodes (ids ``way_id * 1000 + k``), as corridor drops such segments and OSMnx refuses them.
    Returns the number of ways written.
    """
    import osmium

    from corridor.model.network import Mover
    from corridor.network import tags
    from corridor.network.ways import tags_subset

    pieces: list[Any] = []
    need: set[int] = set()
    ways = (
        osmium.FileProcessor(str(src))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for w in ways:
        way_tags = dict(w.tags)
        if not tags.keeps(tags_subset(way_tags), Mover.CAR):
            continue
        runs: list[list[int]] = [[]]
        for n in w.nodes:
            if n.location.valid():
                runs[-1].append(n.ref)
            elif runs[-1]:
                runs.append([])
        runs = [r for r in runs if len(r) >= 2]
        for k, run in enumerate(runs):
            wid = w.id if len(runs) == 1 else w.id * 1000 + k
            pieces.append(osmium.osm.mutable.Way(id=wid, nodes=run, tags=way_tags, version=1))
            need.update(run)
    if dst.exists():
        dst.unlink()
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src), osmium.osm.NODE):
            if obj.id in need:
                writer.add_node(obj)
        for way in pieces:
            writer.add_way(way)
    return len(pieces)


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
