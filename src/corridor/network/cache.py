"""A content-addressed cache of built networks.

The key is the BLAKE2 hash of the source file's bytes, corridor's version, the source code of the
modules whose rules shape a network (:data:`RULE_MODULES`) and the options, so a change to a file
or to a rule invalidates old entries by itself. The value is one ``.npz`` file of the network's
arrays (uncompressed, so loading is a few ``memcpy``; the turn restrictions' banned turns as
``banned_turns``), written atomically. The cache lives in
``$CORRIDOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/corridor``, else ``~/.cache/corridor``. Delete the
directory to clear it.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from corridor import _version
from corridor.files import write_atomic_binary
from corridor.model.network import Mover, RoadNetwork

RULE_MODULES: tuple[str, ...] = (
    "network/tags.py",
    "network/ways.py",
    "network/defaults.py",
    "network/osm.py",
    "network/cache.py",
    "model/network.py",
)
"""The modules (relative to the ``corridor`` package) whose source is part of every cache key."""

_rules_digest: str | None = None

ARRAYS = (
    "node_osm_id",
    "lon",
    "lat",
    "indptr",
    "dst",
    "way_id",
    "segment",
    "name_code",
    "ref_code",
    "highway_code",
    "length_m",
    "speed_kph",
    "speed_rule",
    "lanes",
    "travel_time_s",
    "delay_s",
    "capacity_pph",
    "road_count",
)


def cache_dir() -> Path:
    env = os.environ.get("CORRIDOR_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "corridor"


def file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "blake2b").hexdigest()[:32]


def rules_digest() -> str:
    """BLAKE2 hash of the source of :data:`RULE_MODULES`, computed once per process."""
    global _rules_digest  # once per process: the package's source does not change as it runs
    if _rules_digest is None:
        h = hashlib.blake2b(digest_size=16)
        package = resources.files("corridor")
        for name in RULE_MODULES:
            h.update(name.encode() + b"\0" + package.joinpath(name).read_bytes() + b"\0")
        _rules_digest = h.hexdigest()
    return _rules_digest


def cache_key(path: Path, *options: str) -> str:
    """The key of the network built from the file at ``path`` with ``options`` (e.g. the mover)."""
    parts = [file_digest(path), _version.__version__, rules_digest(), *options]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def _file(key: str) -> Path:
    return cache_dir() / f"network-{key}.npz"


def save(key: str, network: RoadNetwork) -> Path | None:
    """Write the network to the cache; returns the file, or None when the cache is not writable.

    The cache is optional: a failed write is silent and leaves no file behind.
    """
    target = _file(key)
    arrays = {name: getattr(network, name) for name in ARRAYS}
    arrays["banned_turns"] = np.asarray(network.banned_turns, dtype=np.int64).reshape(-1, 2)
    meta = {
        "mover": network.mover.value,
        "names": list(network.names),
        "refs": list(network.refs),
        "highways": list(network.highways),
        "source": network.source,
        "meta": network.meta,
    }
    meta_bytes = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)

    def write(f: BinaryIO) -> None:
        np.savez(f, meta=meta_bytes, **arrays)

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_binary(target, write)
    except OSError:  # OutputError included
        return None
    return target


def load(key: str, *, source: str | None = None) -> RoadNetwork | None:
    """The cached network for ``key``, or None when absent or unreadable.

    Parameters
    ----------
    key
        From :func:`cache_key`.
    source
        The path the caller loaded, reported as the network's ``source``. The cache is keyed by
        content: byte-identical files under other names share an entry, which stores the name it
        was first built from (the default).
    """
    target = _file(key)
    if not target.exists():
        return None
    try:
        with np.load(target, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            arrays = {name: data[name] for name in ARRAYS}
            banned = data["banned_turns"]
        if not _consistent(arrays, meta) or not _consistent_turns(banned, len(arrays["dst"])):
            return None
        return RoadNetwork(
            mover=Mover(meta["mover"]),
            names=tuple(str(x) for x in meta["names"]),
            refs=tuple(str(x) for x in meta["refs"]),
            highways=tuple(str(x) for x in meta["highways"]),
            source=str(meta["source"]) if source is None else source,
            meta={**meta["meta"], "cache": str(target)},
            banned_turns=banned,
            **arrays,
        )
    except Exception:
        # truncated, corrupt (zip CRCs catch changed bytes; a changed header may raise anything
        # from NotImplementedError to MemoryError) or of another layout: rebuilt, never served
        return None


_DTYPES = {
    "node_osm_id": np.int64,
    "lon": np.float64,
    "lat": np.float64,
    "indptr": np.int64,
    "dst": np.int32,
    "way_id": np.int64,
    "segment": np.int64,
    "name_code": np.int32,
    "ref_code": np.int32,
    "highway_code": np.int32,
    "length_m": np.float64,
    "speed_kph": np.float64,
    "speed_rule": np.int8,
    "lanes": np.float64,
    "travel_time_s": np.float64,
    "delay_s": np.float64,
    "capacity_pph": np.int64,
    "road_count": np.int32,
}


def _consistent_turns(banned: NDArray[Any], m: int) -> bool:
    """Whether a cache entry's banned turns are pairs of edge ids of its ``m`` edges."""
    return (
        banned.ndim == 2
        and banned.shape[1] == 2
        and banned.dtype == np.int64
        and (len(banned) == 0 or (banned.min() >= 0 and banned.max() < m))
    )


_CODES = {"name_code": "names", "ref_code": "refs", "highway_code": "highways"}


def _consistent(arrays: dict[str, NDArray[Any]], meta: Any) -> bool:
    """Whether a cache entry's arrays and meta fit together (a network, not random bytes)."""
    if not isinstance(meta, dict) or not isinstance(meta.get("meta"), dict):
        return False
    if any(a.ndim != 1 or a.dtype != _DTYPES[name] for name, a in arrays.items()):
        return False
    n, indptr, dst = len(arrays["node_osm_id"]), arrays["indptr"], arrays["dst"]
    m = len(dst)
    if len(arrays["lon"]) != n or len(arrays["lat"]) != n or len(indptr) != n + 1:
        return False
    if indptr[0] != 0 or indptr[-1] != m or (np.diff(indptr) < 0).any():
        return False
    node_arrays = ("node_osm_id", "lon", "lat", "road_count")
    if len(arrays["road_count"]) != n:
        return False
    edge_arrays = [a for name, a in arrays.items() if name not in node_arrays]
    if any(len(a) != m for a in edge_arrays if a is not indptr):
        return False
    if m and (dst.min() < 0 or dst.max() >= n):
        return False
    for code, table in _CODES.items():
        c = arrays[code]
        if not isinstance(meta.get(table), list) or (
            m and (c.min() < 0 or c.max() >= len(meta[table]))
        ):
            return False
    return True
