"""Writing files safely: check the place first, write to a temporary file, rename.

Nothing is left half-written: a failure removes the temporary file and says, in one line, which
path could not be written and why. Every writer of corridor (reports, maps, charts, the network
cache) goes through :func:`write_atomic_with`, which also removes corridor's own temporary files
that a killed run left in the same folder (:func:`clean_stale_temporaries`).

The rules an output path is held to, before any work (:func:`writable`, :func:`check_output`):

- its directory exists and can be written;
- it is not a FIFO, a device, a socket or a directory (writing there would block, or write
  somewhere else than a file);
- a symbolic link is followed: the file it points to is replaced, the link stays a link;
- it is not one of the files the run reads (compared with :func:`os.path.samefile`, so another
  name, a link or a hard link of an input is caught too).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from corridor.errors import OutputError

#: Corridor's temporary files older than this (seconds) belong to a run that was killed.
STALE_AFTER_S = 10 * 60
#: The names of corridor's temporary files: ``.NAME.tmp-PID-THREAD`` next to the output (and
#: ``.NAME.tmp-PID`` of older versions), ``tmpXXXXXXXX.npz.tmp`` of the network cache's old writer.
TEMPORARY_NAME = re.compile(r"\..+\.tmp-\d+(?:-\d+)?|tmp[A-Za-z0-9_]{8}\.npz\.tmp", re.S)
#: The longest stem :func:`safe_stem` returns (file names have 255 bytes on most file systems).
STEM_MAX = 100

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def is_file(path: Path) -> bool:
    """Whether ``path`` names a regular file (links followed); ``False``, not an exception,
    for a name the file system refuses (longer than it allows, a NUL byte, a folder that cannot
    be searched), as Python 3.14's ``Path.is_file`` answers.

    Examples
    --------
    >>> is_file(Path("a" * 300)), is_file(Path("."))
    (False, False)
    """
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def path_exists(path: Path) -> bool:
    """Whether anything exists at ``path``; ``False`` for a name the file system refuses (see
    :func:`is_file`)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def safe_stem(text: str) -> str:
    """A file name stem made from ``text``, safe to join to a directory.

    Letters, digits, ``-`` and ``_`` are kept; every other character (path separators, dots,
    spaces, control characters) becomes ``-``; runs of ``-`` become one, and leading and
    trailing ones go (a name never starts like an option). An empty result is ``scenario``.

    Examples
    --------
    >>> safe_stem("../victim/pwned")
    'victim-pwned'
    >>> safe_stem("Mosul, autumn 2016")
    'Mosul-autumn-2016'
    >>> safe_stem("..")
    'scenario'
    """
    kept = "".join(
        c if (c.isalnum() and unicodedata.category(c)[0] in "LN") or c in "-_" else "-"
        for c in unicodedata.normalize("NFC", text)
    )
    stem = re.sub("-{2,}", "-", kept).strip("-")[:STEM_MAX].rstrip("-")
    return stem or "scenario"


def _kind(path: Path) -> str | None:
    """What ``path`` (followed if a link) is, when it exists and is not a regular file."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return next((name for test, name in _KINDS if test(mode)), None)


def writable(path: Path) -> Path:
    """``path`` if its directory exists and can be written and it is not a special file; else
    OutputError saying how to fix it."""
    kind = _kind(path)
    if kind is not None:
        msg = f"{path}: is {kind}, not a regular file; corridor writes only files, name one"
        raise OutputError(msg)
    parent = path.expanduser().resolve().parent
    if not parent.is_dir():
        msg = f"{path}: the directory {parent} does not exist; create it first"
        raise OutputError(msg)
    if not os.access(parent, os.W_OK):
        msg = f"{path}: cannot write in {parent}; choose another place"
        raise OutputError(msg)
    return path


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: :func:`os.path.samefile` when both exist, else
    their resolved paths (links followed) are equal."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.expanduser().resolve() == b.expanduser().resolve()


def check_output(
    path: Path, inputs: Mapping[Path, str], *, label: str = "", fix: str = "choose another name"
) -> Path:
    """Refuse, in one line naming both, an output ``path`` that is one of the run's ``inputs``.

    Parameters
    ----------
    path
        Where the run will write (given by the user, or a default name).
    inputs
        Every file the run reads, each with what it is (``"the scenario's network"``).
    label
        How the message names the output (``-o out.html``); default: the path.
    fix
        What the message tells the user to do instead.

    Raises
    ------
    OutputError
        ``path`` is an input, a special file, or in a directory that cannot be written.

    Examples
    --------
    >>> check_output(Path("out.html"), {Path("scenario.yaml"): "the scenario file"})
    PosixPath('out.html')
    """
    for file, what in inputs.items():
        if same_file(path, file):
            msg = (
                f"{label or path}: that is {file}, {what}, which this run reads; corridor never "
                f"replaces its inputs, {fix}"
            )
            raise OutputError(msg)
    return writable(path)


def clean_stale_temporaries(directory: Path, *, older_than_s: float = STALE_AFTER_S) -> list[Path]:
    """Remove corridor's own temporary files (:data:`TEMPORARY_NAME`) in ``directory`` last
    modified more than ``older_than_s`` ago: what runs killed while writing left behind.

    Only regular files of corridor's naming are touched (never links, never other names); a file
    that cannot be removed is left. Returns the files removed.
    """
    removed: list[Path] = []
    cutoff = time.time() - older_than_s
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if not TEMPORARY_NAME.fullmatch(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def write_atomic_with(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``.

    A symbolic link at ``path`` is followed: its target is replaced and the link kept. Whatever
    goes wrong (an error, an interrupt), the temporary file is removed.
    """
    path = writable(path)
    target = Path(os.path.realpath(path.expanduser()))
    clean_stale_temporaries(target.parent)
    # one temporary name per process and thread: two writers of one path never share it
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        write(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        msg = f"{path}: cannot write it ({exc.strerror or exc}); choose another place"
        raise OutputError(msg) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


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
