"""Writing files safely: check the place first, write to a temporary file, rename.

Nothing is left half-written: a failure removes the temporary file and says, in one line, which
path could not be written and why. Every writer of corridor (reports, maps, charts, the network
cache) goes through :func:`write_atomic_with`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

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


def write_atomic_with(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``."""
    path = writable(path)
    # one temporary name per process and thread: two writers of one path never share it
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        msg = f"{path}: cannot write it ({exc.strerror or exc}); choose another place"
        raise OutputError(msg) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    write_atomic_with(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_atomic_binary(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write(f)`` on a temporary file opened for binary writing, then rename it to ``path``.

    For writers that take a file object rather than a path (``numpy.savez`` appends ``.npz`` to a
    path that lacks it). A failure leaves neither ``path`` half-written nor the temporary file.
    """

    def write_file(tmp: Path) -> None:
        with tmp.open("wb") as f:
            write(f)

    write_atomic_with(path, write_file)
