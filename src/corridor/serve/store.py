"""The workbench's event log: SQLite (the standard library's ``sqlite3``), append-only.

A scenario's rows are keyed by its identity (:func:`scenario_key`: its name and its file's resolved
path), not by its name alone: a copy of a scenario folder (same ``name:``) has a log of its own. A
log written before (rows keyed by the name) is moved, when the server starts, to the first served
file of that name that has no rows yet (:meth:`EventLog.migrate`).

Every edit of a scenario's events is one row: ``create``, ``amend`` or ``retract``, with the
event's fields (as a scenario file writes them, JSON), the author, the time (UTC) and the version
the client based it on. A scenario's *version* is the number of rows it has; its current events
are the rows replayed, in order, on the events of its file (:mod:`corridor.serve.events`).

Durability: the database is in WAL mode with ``synchronous=FULL``, so a commit is on disk (the
WAL fsynced) before :meth:`EventLog.append` returns, and the server acknowledges an edit only
after that. A write takes SQLite's write lock first (``BEGIN IMMEDIATE``), then checks the base
version, so two servers on one data directory cannot both append version N.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from corridor.errors import Conflict, StoreError

Op = Literal["create", "amend", "retract"]
DB_NAME = "events.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    scenario TEXT NOT NULL,
    version INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('create', 'amend', 'retract')),
    event_id TEXT NOT NULL,
    body TEXT,
    author TEXT NOT NULL,
    created TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    PRIMARY KEY (scenario, version)
) WITHOUT ROWID
"""


def scenario_key(name: str, path: Path) -> str:
    """The log's key for the scenario ``name`` in the file ``path``: ``name@/resolved/path``.

    Examples
    --------
    >>> scenario_key("valley", Path("/data/valley/scenario.yaml"))
    'valley@/data/valley/scenario.yaml'
    """
    return f"{name}@{Path(path).resolve()}"


@dataclass(frozen=True)
class Entry:
    """One row of the log: the ``version``-th edit of ``scenario``'s events (``scenario``: the
    log's key, :func:`scenario_key`)."""

    scenario: str
    version: int
    op: Op
    event_id: str
    body: dict[str, Any] | None  # the event's fields (create, amend); None for a retraction
    author: str
    created: str  # ISO 8601, UTC
    base_version: int

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "op": self.op,
            "event_id": self.event_id,
            "event": self.body,
            "author": self.author,
            "created": self.created,
            "base_version": self.base_version,
        }


class EventLog:
    """The append-only log in ``data_dir/events.sqlite3`` (created if missing)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / DB_NAME
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            msg = (
                f"--data {data_dir}: cannot open the event database {self.path} ({exc}); "
                "choose a writable directory"
            )
            raise StoreError(msg) from None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def migrate(self, name: str, key: str) -> int:
        """Move the rows of an old log keyed by the scenario's ``name`` to ``key``, if ``key`` has
        no rows yet; the number of rows moved."""
        if name == key:
            return 0
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                taken = db.execute("SELECT 1 FROM log WHERE scenario = ? LIMIT 1", (key,))
                moved = 0
                if taken.fetchone() is None:
                    cur = db.execute("UPDATE log SET scenario = ? WHERE scenario = ?", (key, name))
                    moved = cur.rowcount
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return moved

    def entries(self, scenario: str, since: int = 0) -> list[Entry]:
        """The entries of ``scenario`` after version ``since``, in order."""
        with self._lock:
            return self._entries(scenario, since)

    def version(self, scenario: str) -> int:
        """The number of entries of ``scenario``."""
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM log WHERE scenario = ?", (scenario,)
            ).fetchone()
        return int(row[0])

    def append(
        self,
        scenario: str,
        op: Op,
        event_id: str,
        body: dict[str, Any] | None,
        *,
        author: str,
        base_version: int,
        check: Callable[[list[Entry]], None] | None = None,
        shown_as: str | None = None,
    ) -> Entry:
        """Append one edit, committed (on disk) when this returns (``shown_as``: the scenario's
        name in messages; the key by default).

        Raises :class:`Conflict` when ``base_version`` is not the scenario's version; ``check``
        gets the whole log with the new entry last and raises to refuse it (nothing written).
        """
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            label = shown_as or scenario
            try:
                current = self._entries(scenario, 0)
                if not 0 <= base_version <= len(current):
                    msg = (
                        f"base_version {base_version} does not exist: scenario {label!r} is "
                        f"at version {len(current)}; reload the events, then edit again"
                    )
                    raise Conflict(msg, [])
                if base_version != len(current):
                    since = current[base_version:]
                    msg = (
                        f"scenario {label!r} is at version {len(current)}, and this edit was "
                        f"based on version {base_version}: since then {_changed(since)}; reload "
                        "the events, then edit again"
                    )
                    raise Conflict(msg, since)
                now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
                entry = Entry(
                    scenario, len(current) + 1, op, event_id, body, author, now, base_version
                )
                if check is not None:
                    check([*current, entry])
                db.execute(
                    "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        scenario,
                        entry.version,
                        op,
                        event_id,
                        None if body is None else json.dumps(body, ensure_ascii=False),
                        author,
                        now,
                        base_version,
                    ),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return entry

    def _entries(self, scenario: str, since: int) -> list[Entry]:
        rows = self._db.execute(
            "SELECT scenario, version, op, event_id, body, author, created, base_version "
            "FROM log WHERE scenario = ? AND version > ? ORDER BY version",
            (scenario, since),
        ).fetchall()
        return [
            Entry(s, v, op, eid, None if body is None else json.loads(body), a, c, b)
            for s, v, op, eid, body, a, c, b in rows
        ]


def _changed(since: list[Entry]) -> str:
    parts = [f"{e.op} {e.event_id!r} by {e.author!r}" for e in since[:3]]
    return ", ".join(parts) + (f" and {len(since) - 3} more" if len(since) > 3 else "")
