"""Recorded events: the log replayed on a scenario file's events, as events, YAML and a Scenario.

The scenario's current events are its file's events (version 0, author ``scenario file``) with
the log's entries applied in order: ``create`` adds an event, ``amend`` replaces an event's
fields, ``retract`` marks it retracted (kept, with its history, but no longer in force).

The scenario *with* its recorded events is YAML text: the file's own text, with each amended
event's item replaced, each retracted one replaced by a comment, and the created events appended
to ``events:`` (every other byte as it was). That text is what ``/export`` returns, and what the
server analyses, read by the scenario loader's own steps (``parse_yaml``, ``ScenarioSpec``,
``build_scenario``): an edit is refused with the loader's own message when the scenario with it
would not load.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corridor.errors import EventError, Problem, ScenarioError
from corridor.model.scenario import Scenario
from corridor.scenario.edit import Retract, edit_events
from corridor.scenario.load import scenario_from_yaml
from corridor.scenario.problems import scenario_error
from corridor.scenario.yaml_lines import YamlRefused, parse_yaml
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


def load_text(text: str, path: Path) -> Scenario:
    """The scenario ``text`` describes, its files relative to ``path``; the loader's steps and
    messages (:func:`corridor.scenario.load.scenario_from_yaml`)."""
    try:
        data, lines = parse_yaml(text)
    except YamlRefused as exc:
        raise scenario_error(path, exc.problems) from None
    return scenario_from_yaml(data, lines, path)


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
