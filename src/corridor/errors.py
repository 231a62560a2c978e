"""The errors corridor raises for bad input.

Each kind is also a builtin (``ValueError``, ``LookupError``, ``FileNotFoundError``) so callers
can catch either. Messages say where (file, line, key or feature), what is wrong and how to fix it;
the CLI prints them on one line and exits with code 2.
"""

from __future__ import annotations


class CorridorError(Exception):
    """Base class of every error that corridor reports to a user."""


class InputFileError(CorridorError, FileNotFoundError):
    """A file the user named is missing or cannot be read."""


class NetworkError(CorridorError, ValueError):
    """A road network source (OSM extract, GeoJSON, networkx graph) is invalid or unusable."""


class ScenarioError(CorridorError, ValueError):
    """A scenario file does not describe a valid scenario.

    ``problems`` holds every problem found, each already formatted as ``file:line: message``.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = problems if problems is not None else [message]


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
