"""Writing output files safely: check the place first, write to a temporary file, rename."""

from __future__ import annotations

import os
from pathlib import Path

from corridor.errors import OutputError


def writable(path: Path) -> Path:
    """``path`` if its directory exists and can be written; else OutputError saying how to fix it."""
    parent = path.expanduser().resolve().parent
    if not parent.is_dir():
        msg = f"{path}: the directory {parent} does not exist; create it first"
        raise OutputError(msg)
    if not os.access(parent, os.W_OK):
        msg = f"{path}: cannot write in {parent}; choose another place"
        raise OutputError(msg)
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file next to ``path`` and rename, so nothing is half-written."""
    path = writable(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
