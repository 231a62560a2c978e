"""Echoing what a user wrote in a message, bounded: a 300 MB value must not become a 300 MB line."""

from __future__ import annotations

import reprlib
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
