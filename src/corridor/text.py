"""Echoing what a user wrote in a message, bounded: a 300 MB value must not become a 300 MB line."""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from typing import Any


def shown(value: Any, *, limit: int = 60) -> str:
    """``repr(value)``, at most about ``limit`` characters, with the length of what was cut.

    Messages echo what a user wrote; a 300 MB value must not become a 300 MB message.

    Examples
    --------
    >>> shown("abc")
    "'abc'"
    >>> shown("x" * 1000, limit=10)
    "'xx...xxx' (1,000 characters)"
    >>> shown(list(range(100)))
    '[0, 1, 2, 3, 4, 5, ...] (100 items)'
    """
    r = reprlib.Repr()
    r.maxstring = r.maxother = r.maxlong = limit
    r.maxlevel, r.maxlist, r.maxtuple, r.maxdict, r.maxset = 2, 6, 6, 4, 6
    text = r.repr(value)
    if isinstance(value, str | bytes) and len(value) > limit:
        return f"{text} ({len(value):,} characters)"
    if isinstance(value, list | tuple | dict) and len(value) > r.maxlist:
        return f"{text} ({len(value):,} items)"
    return text


def clipped(text: str, *, limit: int = 120) -> str:
    """``text`` itself if short, else its first ``limit`` characters and its length.

    Examples
    --------
    >>> clipped("abcdef", limit=3)
    'abc… (6 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""The bidirectional embedding, override and isolate characters: in a terminal they reorder the
text around them (a road name could show another road's name, or hide part of a line), so text
shown there writes them as ``<U+202E>``."""

_VISIBLE = {ord(c): f"<U+{ord(c):04X}>" for c in BIDI_CONTROLS}


def terminal_safe(text: str) -> str:
    """``text`` with the bidirectional controls written out (:data:`BIDI_CONTROLS`).

    Examples
    --------
    >>> terminal_safe("R1 \u202eevil")
    'R1 <U+202E>evil'
    """
    return text.translate(_VISIBLE)


class TerminalSafe:
    """A text stream that writes through :func:`terminal_safe` (for the CLI's consoles: every
    table, notice and error they print, whatever module built it). ``stream`` is called for the
    stream at each use, so a replaced ``sys.stdout`` (a test's, a pager's) is followed."""

    def __init__(self, stream: Callable[[], Any]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return int(self._stream().write(terminal_safe(text)))

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, flush, encoding, ...
        return getattr(self._stream(), name)
