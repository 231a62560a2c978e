"""A content-addressed cache of built networks.

The key is the BLAKE2 hash of the source file's bytes, the builder version and the options; the
value is one ``.npz`` file of the network's arrays (uncompressed, so loading is a few ``memcpy``).
The cache lives in ``$CORRIDOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/corridor``, else
``~/.cache/corridor``. Delete the directory to clear it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from corridor.model.network import Mover, RoadNetwork

BUILDER_VERSION = "1"

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


def cache_key(path: Path, *options: str) -> str:
    parts = [file_digest(path), BUILDER_VERSION, *options]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def _file(key: str) -> Path:
    return cache_dir() / f"network-{key}.npz"


def save(key: str, network: RoadNetwork) -> Path | None:
    """Write the network to the cache; returns the file, or None when the cache is not writable."""
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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
        os.replace(tmp, target)
    except OSError:
        return None
    return target


def load(key: str) -> RoadNetwork | None:
    """The cached network for ``key``, or None when absent or unreadable."""
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
        source=meta["source"],
        meta={**meta["meta"], "cache": str(target)},
        **arrays,
    )
