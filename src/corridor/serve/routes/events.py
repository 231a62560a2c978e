"""The event routes: a scenario's events, recording, amending and retracting one, its history,
and the scenario exported with them (docs/serve.md, "Events"). Every write goes through the
event log (:mod:`corridor.serve.store`), checked by the workbench against the scenario's loader."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body
from fastapi.responses import Response

from corridor.serve.deps import Bench, Read, Write
from corridor.serve.events import EventError
from corridor.serve.schemas import ERRORS, WRITE_ERRORS, EventWrite, JSONBody, Retraction
from corridor.serve.sessions import NotFound, Workbench
from corridor.text import shown as shown_text

router = APIRouter()


# ------------------------------------------------------------------------------ events


@router.get("/api/scenarios/{name}/events", dependencies=[Read], responses=ERRORS)
def events_list(bench: Bench, name: str) -> JSONBody:
    """The scenario's events: its file's, with the log replayed (retracted ones included)."""
    v = bench.current(name)
    return JSONBody(
        {
            "scenario": name,
            "version": v.version,
            "events": [e.as_json() for e in v.events.values()],
            "skipped": v.skipped,
        }
    )


@router.post(
    "/api/scenarios/{name}/events",
    dependencies=[Write],
    status_code=201,
    responses=WRITE_ERRORS,
)
def event_create(bench: Bench, name: str, body: Annotated[EventWrite, Body()]) -> JSONBody:
    """Record a new event (the fields of a scenario file's event; ``id`` may be left out)."""
    fields = dict(body.model_extra or {})
    v = bench.current(name)
    eid = fields.get("id")
    if eid is None:
        eid = fields["id"] = _new_id(v.events)
    if not isinstance(eid, str) or not eid.strip():
        raise EventError("event id: give a non-empty text id (or leave it out)")
    if eid in v.events:
        was = v.events[eid]
        msg = f"event id {eid!r} is taken ({was.status}, by {was.author}); give another id"
        raise EventError(msg)
    return _write(bench, name, "create", eid, fields, body.author, body.base_version)


@router.put("/api/scenarios/{name}/events/{event_id}", dependencies=[Write], responses=WRITE_ERRORS)
def event_amend(
    bench: Bench, name: str, event_id: str, body: Annotated[EventWrite, Body()]
) -> JSONBody:
    """Amend an event: its fields are replaced by those given."""
    fields = dict(body.model_extra or {})
    ev = _event(bench, name, event_id)
    if fields.setdefault("id", event_id) != event_id:
        msg = f"event {event_id!r}: the body's id {fields['id']!r} differs; an id cannot change"
        raise EventError(msg)
    if ev.status == "retracted":
        raise EventError(f"event {event_id!r} is retracted; record a new event instead")
    return _write(bench, name, "amend", event_id, fields, body.author, body.base_version)


@router.post(
    "/api/scenarios/{name}/events/{event_id}/retract",
    dependencies=[Write],
    responses=WRITE_ERRORS,
)
def event_retract(bench: Bench, name: str, event_id: str, body: Retraction) -> JSONBody:
    """Retract an event: it stays in the history, no longer in force. An event whose log
    entry no longer fits the file (``skipped``) can be retracted too."""
    v = bench.current(name)
    ev = v.events.get(event_id)
    if ev is None and event_id not in v.skipped_ids():
        ev = _event(bench, name, event_id)
    if ev is not None and ev.status == "retracted":
        raise EventError(f"event {event_id!r} is already retracted")
    reason = {"reason": body.reason} if body.reason else None
    return _write(bench, name, "retract", event_id, reason, body.author, body.base_version)


@router.get(
    "/api/scenarios/{name}/events/{event_id}/history", dependencies=[Read], responses=ERRORS
)
def event_history(bench: Bench, name: str, event_id: str) -> JSONBody:
    """Every change of an event, oldest first (an event of the file starts as written)."""
    ev = _event(bench, name, event_id)
    bench.current(name)
    items: list[dict[str, Any]] = []
    if ev.file_index is not None:
        item = bench.source(name).file_events[ev.file_index]
        items.append(
            {
                "version": 0,
                "op": "file",
                "event_id": event_id,
                "event": _jsonable(item),
                "author": "scenario file",
                "created": None,
                "base_version": 0,
            }
        )
    items += [e.as_json() for e in ev.history]
    return JSONBody({"scenario": name, "event": ev.as_json(), "history": items})


@router.get(
    "/api/scenarios/{name}/export",
    dependencies=[Read],
    responses={**ERRORS, 200: {"content": {"application/yaml": {}}}},
    response_class=Response,
)
def export(bench: Bench, name: str) -> Response:
    """The scenario file with its recorded events, as YAML (save it beside the original:
    the files it names are relative to it)."""
    v = bench.current(name)
    filename = quote(f"{name}.yaml")
    return Response(
        v.text.encode("utf-8"),
        media_type="application/yaml; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
            "X-Corridor-Version": str(v.version),
        },
    )


def _event(bench: Workbench, name: str, event_id: str) -> Any:
    v = bench.current(name)
    ev = v.events.get(event_id)
    if ev is None:
        msg = f"scenario {name!r} has no event {event_id!r}"
        raise NotFound(msg)
    return ev


def _write(
    bench: Workbench,
    name: str,
    op: Literal["create", "amend", "retract"],
    event_id: str,
    fields: dict[str, Any] | None,
    author: str,
    base_version: int,
) -> JSONBody:
    if fields is not None:
        _confined(bench.source(name).path, event_id, fields)
    entry = bench.log.append(
        bench.source(name).key,
        op,
        event_id,
        fields,
        author=author,
        base_version=base_version,
        check=lambda entries: bench.check_edit(name, entries),
        shown_as=name,
    )
    v = bench.current(name)
    ev = v.events.get(event_id)
    return JSONBody(
        {
            "version": entry.version,
            "entry": entry.as_json(),
            "event": ev.as_json() if ev is not None else None,
        },
        status_code=201 if op == "create" else 200,
    )


def _confined(scenario: Path, event_id: str, fields: dict[str, Any]) -> None:
    """Refuse a ``geojson:`` target posted over HTTP that names a file outside the scenario's
    folder (``../``, an absolute path, a link that leaves it): a client may not make the server
    read any JSON file it can reach. A scenario file on disk may still name one."""
    target = fields.get("target")
    name = target.get("geojson") if isinstance(target, dict) else None
    if name is None:
        return
    folder = scenario.resolve().parent
    try:
        inside = isinstance(name, str) and (folder / name).resolve().is_relative_to(folder)
    except (OSError, ValueError):  # a name too long, a NUL
        inside = False
    if not inside:
        msg = (
            f"event {event_id!r}: target.geojson: {shown_text(name)} lies outside the scenario's "
            f"folder; over HTTP a geojson target names a file in {folder.name}/ (copy it there)"
        )
        raise EventError(msg)


def _jsonable(value: Any) -> Any:
    from corridor.serve.events import jsonable

    return jsonable(value)


def _new_id(events: dict[str, Any]) -> str:
    n = len(events) + 1
    while f"event-{n}" in events:
        n += 1
    return f"event-{n}"
