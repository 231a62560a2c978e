"""The errors corridor raises for bad input: every error class of the package lives here.

Each kind is also a builtin (``ValueError``, ``LookupError``, ``FileNotFoundError``) so callers
can catch either. Messages say where (file, line, key or feature), what is wrong and how to fix it;
the CLI prints them on one line and exits with code 2.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


class CorridorError(Exception):
    """Base class of every error that corridor reports to a user."""


class InputFileError(CorridorError, FileNotFoundError):
    """A file the user named is missing or cannot be read."""


class NetworkError(CorridorError, ValueError):
    """A road network source (OSM extract, GeoJSON, networkx graph) is invalid or unusable."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file: where, what, and how to fix it.

    Parameters
    ----------
    loc
        The key path in the file, pydantic style: ``("events", 0, "date")``.
    message
        What is wrong.
    hint
        How to fix it, if there is more to say than the message.
    line
        The line in the file (1-based); 0 if not known.
    refers_to
        For an unknown id, the ``(kind, id)`` it names, e.g. ``("actor", "red-army")``.
    loc_in_message
        The message names the location itself (``exits is required``), so it is not prefixed.

    Examples
    --------
    >>> Problem(("end",), "end 2019-01-01 is before start 2020-01-01", line=5).format("s.yaml")
    's.yaml:5: end: end 2019-01-01 is before start 2020-01-01'
    """

    loc: tuple[str | int, ...]
    message: str
    hint: str = ""
    line: int = 0
    refers_to: tuple[str, str] | None = None
    loc_in_message: bool = False
    file: str = ""
    """The file the line is in, when not the one the problem is reported for (a fragment the
    scenario includes)."""

    @property
    def where(self) -> str:
        """The location as written in messages: ``events[0].target.between[1]``; a key that
        holds a control or invisible character, or is long, as its clipped ``repr`` (a message
        stays one line, whatever a file's keys hold)."""
        out = ""
        for key in self.loc:
            out += f"[{key}]" if isinstance(key, int) else ("." if out else "") + _key_text(key)
        return out

    def format(self, file: str | os.PathLike[str]) -> str:
        """The problem on one line: ``file:line: loc: message; hint`` (no line if it is 0)."""
        line = f":{self.line}" if self.line else ""
        where = f" {self.where}:" if self.loc and not self.loc_in_message else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.file or os.fspath(file)}{line}:{where} {self.message}{hint}"


def _key_text(key: str) -> str:
    """A key of a location as shown: itself when printable and short, else its ``repr``
    clipped to about 60 characters.

    >>> print(_key_text("events"), _key_text("a" + chr(0x1C) + "b"))
    events 'a\\x1cb'

    """
    if key.isprintable() and len(key) <= 60:
        return key
    text = repr(key)
    return text if len(text) <= 62 else f"{text[:60]}…"


class ScenarioError(CorridorError, ValueError):
    """A scenario file does not describe a valid scenario.

    ``problems`` holds every problem found, each already formatted as ``file:line: message``;
    ``details`` holds the same problems as :class:`Problem` objects, when the loader made them.
    """

    def __init__(
        self,
        message: str,
        problems: list[str] | None = None,
        details: list[Problem] | None = None,
    ) -> None:
        super().__init__(message)
        self.problems: list[str] = problems if problems is not None else [message]
        self.details: list[Problem] = details if details is not None else []


class CommunitiesError(CorridorError, ValueError):
    """A list of communities (CSV or GeoJSON, for ``corridor scan``) cannot be used."""


class AreaError(CorridorError, ValueError):
    """An origin, exit or closure area does not match the network (no nodes, overlap, ...).

    ``key`` names the scenario key at fault (``origin``, ``exits[1]``), when known.
    """

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class UnknownIdError(CorridorError, LookupError):
    """A plan, mover, place, actor or way id that does not exist."""


class OutputError(CorridorError, OSError):
    """An output path cannot be written."""


class StrictWarningError(CorridorError, ValueError):
    """With ``--strict``: an input binds to nothing (a closure or zone off every road)."""


class NotFound(CorridorError, LookupError):
    """A scenario, event or file the request names does not exist (HTTP 404)."""


class StoreError(CorridorError, OSError):
    """The data directory or its database cannot be used."""


class Conflict(CorridorError, ValueError):
    """A write based on an older version than the scenario's: ``changes`` are the
    event-log entries since (``corridor.serve.store.Entry``)."""

    def __init__(self, message: str, changes: list[Any]) -> None:
        super().__init__(message)
        self.changes = changes


class EventError(ScenarioError):
    """An edit of the events that the scenario cannot take (the loader's message, for the event)."""


class EditRefused(ScenarioError):
    """An edit of a scenario file's text that would not hold exactly the events and sources
    intended (:func:`corridor.scenario.edit.edit_events`): nothing is written."""


class ServeError(CorridorError, ValueError):
    """``corridor serve`` cannot start as asked."""


class AcledError(CorridorError, ValueError):
    """An ACLED export cannot be read: a missing column, or rows that are not valid."""


class ReviewError(CorridorError, ValueError):
    """A review file is not valid, or a candidate in it cannot become an event."""


class LayerError(CorridorError, ValueError):
    """A control map or road-status layer (GeoJSON) cannot be imported: not GeoJSON, no date, a
    geometry of the wrong kind, too large."""


class NewsError(CorridorError, ValueError):
    """An article cannot be read for candidate events (too long, not text)."""


class SettingError(CorridorError, ValueError):
    """An environment setting corridor reads (``CORRIDOR_KERNELS``, ``CORRIDOR_THREADS``) has
    a value it cannot use."""
