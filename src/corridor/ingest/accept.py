"""Write accepted candidates into a scenario file as events, keeping the file as it was.

Each event is first checked against the scenario schema (its keys and its target's types). The
new events go after the last item of ``events:`` and their sources after the last entry of
``sources:``, written by the scenario editor (:mod:`corridor.scenario.edit`: every key and value
through the YAML emitter, and the text parsed again to hold exactly the accepted events): every
other byte (comments, folded notes, key order) stays as it was, except that an ``events:`` or
``sources:`` in flow style is written again as a block. The result is loaded with
:func:`corridor.scenario.load.load_scenario` before it replaces the file, which is written
atomically, with the old file kept as ``NAME.bak``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import CorridorError, EditRefused
from corridor.ingest.review import Candidate, ReviewError
from corridor.model.scenario import Scenario
from corridor.scenario.edit import edit_events
from corridor.text import shown


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` wrote: each candidate id with its event id and source key."""

    candidate: str
    event: str
    source: str


def event_keys() -> set[str]:
    """The keys the scenario schema allows on an event (``corridor scenario schema``)."""
    from corridor.scenario.schema import EventSpec

    keys: set[str] = set()
    for name, f in EventSpec.model_fields.items():
        keys.add(f.alias or name)
    return keys


def _all_ids(scenario: Scenario) -> set[str]:
    ids = {*scenario.places, *scenario.sides, *scenario.actors, *scenario.movers}
    ids |= {e.id for e in scenario.events} | {z.id for z in scenario.zones} | set(scenario.plans)
    for p in scenario.plans.values():
        ids |= {e.id for e in p.add}
    return ids


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _source_key(c: Candidate) -> str:
    acled = c.extra.get("acled")
    if isinstance(acled, dict) and acled.get("event_id"):
        return f"ACLED-{re.sub(r'[^0-9A-Za-z_-]+', '-', str(acled['event_id']))}"
    return c.id


TIMED_FIELDS = {"window": ("until", "hours"), "restrict": ("capacity_factor", "speed_factor")}
"""The fields of a window or restriction candidate (kept among its other keys in the review
file) that its event takes."""


def event_of(c: Candidate, event_id: str, source_key: str, allowed: set[str]) -> dict[str, Any]:
    """The scenario event for candidate ``c``, as a mapping of the schema's keys."""
    out: dict[str, Any] = {"id": event_id}
    if c.summary:
        out["summary"] = c.summary
    out["date"] = c.date
    if c.actor:
        out["actor"] = c.actor
    out["kind"] = c.kind
    out["target"] = c.target
    if c.kind == "population":
        out["value"] = c.value
    # a window's days and hours, a restriction's factors (a road-status layer's restricted)
    for key in TIMED_FIELDS.get(c.kind, ()):
        if c.extra.get(key) is not None:
            out[key] = c.extra[key]
    out["confidence"] = c.confidence
    out["source"] = source_key
    if c.quote:
        out["quote"] = c.quote
    notes = f"Accepted from review candidate {c.id} (rule {c.rule or 'none'})."
    if c.date_uncertainty_days:
        if "date_uncertainty_days" in allowed:
            out["date_uncertainty_days"] = c.date_uncertainty_days
        else:
            notes += f" Date uncertain by ±{c.date_uncertainty_days} days."
    out["notes"] = notes
    return out


def _source_entry(c: Candidate) -> dict[str, Any]:
    keys = ("outlet", "title", "date", "url")
    return {k: c.source[k] for k in keys if c.source.get(k) not in (None, "")}


# ----------------------------------------------------------------------------- text insertion
def insert_events(
    text: str, events: Sequence[dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> str:
    """``text`` (a scenario file) with ``events`` appended to ``events:`` and ``sources``
    added to ``sources:``, every other line left as it was
    (:func:`corridor.scenario.edit.edit_events`: every key and value through the emitter, the
    result parsed again and refused unless it holds exactly these events and sources)."""
    return edit_events(text, added=events, sources=sources)


def check_event(event: dict[str, Any], candidate: str) -> None:
    """Refuse ``event`` unless the scenario schema takes it (its keys and target types)."""
    from pydantic import ValidationError

    from corridor.scenario.schema import EventSpec

    try:
        EventSpec.model_validate(event)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(
            str(p) if isinstance(p, int) or re.fullmatch(r"[A-Za-z_]\w{0,40}", p) else shown(p)
            for p in err["loc"]
        )
        msg = f"candidate {candidate}: cannot accept it: {where or 'event'}: {err['msg']}"
        raise ReviewError(msg) from None


# ---------------------------------------------------------------------------------- accepting
def accept_candidates(
    candidates: Sequence[Candidate], scenario: Scenario, path: Path
) -> list[Accepted]:
    """
    Write ``candidates`` into the scenario file ``path`` as events, with their sources.

    The new file is checked (:func:`corridor.scenario.load.load_scenario`) before it replaces the
    old one, which is kept as ``NAME.bak``; the write is atomic.

    Raises
    ------
    ReviewError
        A candidate cannot become an event (its kind, a duplicate, a missing target or value),
        or the scenario with it would not validate (the first problem, in one line).
    """
    from corridor.files import write_atomic
    from corridor.scenario.load import load_scenario

    for c in candidates:
        why = c.problem()
        if why:
            msg = f"candidate {c.id}: cannot accept it: {why}"
            raise ReviewError(msg)
    allowed = event_keys()
    ids = _all_ids(scenario)
    text = path.read_text(encoding="utf-8")
    known_sources = _existing_sources(text)
    events: list[dict[str, Any]] = []
    sources: dict[str, dict[str, Any]] = {}
    done: list[Accepted] = []
    for c in candidates:
        eid = _unique(c.id, ids)
        entry = _source_entry(c)
        key = base = _source_key(c)
        n = 1
        while (key in known_sources and known_sources[key] != entry) or (
            key in sources and sources[key] != entry
        ):
            n += 1
            key = f"{base}-{n}"
        if key not in known_sources:
            sources[key] = entry
        event = event_of(c, eid, key, allowed)
        check_event(event, c.id)
        events.append(event)
        done.append(Accepted(c.id, eid, key))
    try:
        new_text = insert_events(text, events, sources)
    except EditRefused as exc:
        raise ReviewError(str(exc)) from None
    check = path.with_name(f".{path.name}.accept-{os.getpid()}.yaml")
    try:
        check.write_text(new_text, encoding="utf-8")
        load_scenario(check)
    except CorridorError as exc:
        first = str(getattr(exc, "problems", [str(exc)])[0]).replace(check.name, path.name)
        msg = f"the scenario with the accepted events would not be valid: {first}"
        raise ReviewError(msg) from None
    finally:
        with contextlib.suppress(OSError):
            check.unlink()
    shutil.copy2(path, path.with_name(path.name + ".bak"))
    write_atomic(path, new_text)
    return done


def _existing_sources(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    sources = data.get("sources") if isinstance(data, dict) else None
    return dict(sources) if isinstance(sources, dict) else {}
