"""A content-addressed cache of built networks.

The key is the BLAKE2 hash of the source file's bytes, corridor's version, the source code of the
modules whose rules shape a network (:data:`RULE_MODULES`) and the options, so a change to a file
or to a rule invalidates old entries by itself. The value is one ``.npz`` file of the network's
arrays (uncompressed, so loading is a few ``memcpy``), written atomically. The cache lives in
``$CORRIDOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/corridor``, else ``~/.cache/corridor``. Delete the
directory to clear it.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np

import corridor
from corridor.io.files import write_atomic_binary
from corridor.model.network import Mover, RoadNetwork

RULE_MODULES: tuple[str, ...] = (
    "io/tags.py",
    "io/ways.py",
    "io/defaults.py",
    "io/osm.py",
    "io/cache.py",
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
    "capacity_pph",
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
    parts = [file_digest(path), corridor.__version__, rules_digest(), *options]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def _file(key: str) -> Path:
    return cache_dir() / f"network-{key}.npz"


def save(key: str, network: RoadNetwork) -> Path | None:
    """Write the network to the cache; returns the file, or None when the cache is not writable.

    The cache is optional: a failed write is silent and leaves no file behind.
    """
    target = _file(key)
    arrays = {name: getattr(network, name) for name in ARRAYS}
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
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    return RoadNetwork(
        mover=Mover(meta["mover"]),
        names=tuple(meta["names"]),
        refs=tuple(meta["refs"]),
        highways=tuple(meta["highways"]),
        source=meta["source"] if source is None else source,
        meta={**meta["meta"], "cache": str(target)},
        **arrays,
    )
