"""Recorded events: the log replayed on a scenario file's events, as events, YAML and a Scenario.

The scenario's current events are its file's events (version 0, author ``scenario file``) with
the log's entries applied in order: ``create`` adds an event, ``amend`` replaces an event's
fields, ``retract`` marks it retracted (kept, with its history, but no longer in force).

The scenario *with* its recorded events is YAML text: the file's own text, with each amended
event's item replaced, each retracted one replaced by a comment, and the created events appended
to ``events:`` (every other byte as it was). That text is what ``/export`` returns. The server
analyses what that text reads as, assembled from the file's parsed data and the events' fields
(:func:`scenario_data`; the editor verifies the text reads back as exactly those fields) and
checked by the scenario loader's own steps (``ScenarioSpec``, ``build_scenario``): an edit is
refused with the loader's own message when the scenario with it would not load, so an edit
costs one check of the scenario's data, never a write and a parse of its whole text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import EventError, Problem, ScenarioError
from corridor.scenario.edit import Retract, dump_item, edit_events
from corridor.scenario.yaml_lines import LOADER, YamlLines
from corridor.serve.store import Entry

FILE_AUTHOR = "scenario file"


@dataclass
class CurrentEvent:
    """One event as it stands after the log: its fields and who made and changed it."""

    id: str
    fields: dict[str, Any]
    status: str = "current"  # or "retracted"
    author: str = FILE_AUTHOR
    created: str | None = None
    updated: str | None = None
    updated_by: str | None = None
    version: int = 0  # the log version of its last change (0: as in the file)
    file_index: int | None = None  # its position in the file's ``events`` (None: created here)
    history: list[Entry] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            **jsonable(self.fields),
            "id": self.id,
            "status": self.status,
            "origin": "file" if self.file_index is not None else "log",
            "author": self.author,
            "created": self.created,
            "updated": self.updated,
            "updated_by": self.updated_by,
            "version": self.version,
        }


def jsonable(value: Any) -> Any:
    """YAML data as JSON data (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def replay_log(file_events: Sequence[Any], entries: Sequence[Entry]) -> dict[str, CurrentEvent]:
    """The events after ``entries``, by id, in order: the file's first, then those created."""
    events: dict[str, CurrentEvent] = {}
    for i, item in enumerate(file_events):
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in events:
            events[item["id"]] = CurrentEvent(item["id"], dict(item), file_index=i)
    for e in entries:
        ev = events.get(e.event_id)
        if e.op == "create":
            events[e.event_id] = CurrentEvent(
                e.event_id,
                dict(e.body or {}),
                author=e.author,
                created=e.created,
                updated=e.created,
                version=e.version,
                history=[e],
            )
        elif ev is not None:
            ev.version, ev.updated, ev.updated_by = e.version, e.created, e.author
            ev.history.append(e)
            if e.op == "amend":
                ev.fields = dict(e.body or {})
            else:
                ev.status = "retracted"
    return events


def in_force(events: dict[str, CurrentEvent]) -> list[CurrentEvent]:
    """The events the scenario holds, in the order its text lists them."""
    kept = [e for e in events.values() if e.status == "current"]
    return [e for e in kept if e.file_index is not None] + [e for e in kept if e.file_index is None]


# ------------------------------------------------------------------------------------ the text
def scenario_text(text: str, events: dict[str, CurrentEvent]) -> str:
    """The scenario file's ``text`` with the events as they stand (see the module docstring),
    written by :func:`corridor.scenario.edit.edit_events`."""
    changed: dict[int, dict[str, Any] | Retract] = {}
    for e in events.values():
        if e.file_index is not None and e.version:
            changed[e.file_index] = (
                Retract(f"event {json.dumps(e.id)} retracted (corridor serve, version {e.version})")
                if e.status == "retracted"
                else e.fields
            )
    added = [e.fields for e in events.values() if e.file_index is None and e.status == "current"]
    return edit_events(text, changed=changed, added=added)


class EditedLines(YamlLines):
    """The file's line lookup for the scenario with its recorded events: an event as in the file
    is found on its line there; a created or amended one (``None`` in ``origin``) on the line of
    ``events:``, since the text that would hold it is only written for ``/export``."""

    def __init__(self, lines: YamlLines, origin: Sequence[int | None]) -> None:
        super().__init__(lines.root)
        self._lines = lines
        self._origin = list(origin)

    def _at(self, loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
        if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int):
            i = loc[1]
            j = self._origin[i] if 0 <= i < len(self._origin) else None
            return None if j is None else ("events", j, *loc[2:])
        return loc

    def line(self, loc: tuple[Any, ...]) -> int:
        at = self._at(loc)
        return self._lines.line(("events",) if at is None else at)

    def file(self, loc: tuple[Any, ...]) -> str:
        at = self._at(loc)
        return self._lines.file(("events",) if at is None else at)


def scenario_data(
    data: dict[str, Any], lines: YamlLines, events: dict[str, CurrentEvent]
) -> tuple[dict[str, Any], YamlLines]:
    """The parsed file ``data`` (with its ``lines``) with the events as they stand: what
    parsing :func:`scenario_text` gives, without writing and parsing the text again (an edit's
    cost does not grow with the log). The file's own items where unchanged; a created or
    amended event's fields as they are, which :func:`corridor.scenario.edit.edit_events`
    verifies the written text reads back as (:func:`item_problem` checks each on its way in)."""
    file_items = data.get("events") or []
    items: list[Any] = []
    origin: list[int | None] = []
    for e in in_force(events):
        if e.file_index is not None and not e.version:
            items.append(file_items[e.file_index])
            origin.append(e.file_index)
        else:
            items.append(e.fields)
            origin.append(None)
    return {**data, "events": items}, EditedLines(lines, origin)


def item_size(fields: dict[str, Any]) -> int | None:
    """The bytes ``fields`` take as one item of the scenario's ``events:`` (as ``/export`` writes
    it), or None when the written item would not read back as ``fields``."""
    text = "".join(dump_item(fields, 2))
    try:
        back = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError:
        return None
    return len(text.encode("utf-8")) if back == [fields] else None


def event_problem(
    exc: ScenarioError, events: dict[str, CurrentEvent], entry: Entry, path: Path
) -> EventError:
    """The loader's problems with the scenario after ``entry`` as an error about its event: the
    event's own problems first, located inside it (``target.point: ...``), then the others
    (``retract of event 'x' refused: ...: no event with id 'x' to reopen``)."""
    event_id = entry.event_id
    order = [e.id for e in in_force(events)]
    index = order.index(event_id) if event_id in order else -1
    mine: list[str] = []
    others: list[str] = []
    for p in exc.details:
        if len(p.loc) >= 2 and p.loc[0] == "events" and p.loc[1] == index:
            inner = Problem(p.loc[2:], "").where
            message = p.message.replace(f"events[{index}].", "").replace(
                f"events[{index}]", "event"
            )
            where = f"{inner}: " if inner and not p.loc_in_message else ""
            hint = f"; {p.hint}" if p.hint else ""
            mine.append(f"event {event_id!r}: {where}{message}{hint}")
        else:
            problem = replace(p, line=0).format(path.name)
            others.append(f"{entry.op} of event {event_id!r} refused: {problem}")
    problems = mine + others or list(exc.problems)
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return EventError(problems[0] + more, problems, exc.details)
