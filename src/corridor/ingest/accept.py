"""Write accepted candidates into a scenario file as events, keeping the file as it was.

Each event is first checked against the scenario schema (its keys and its target's types). The
new events go after the last item of ``events:`` and their sources after the last entry of
``sources:``, written by the scenario editor (:mod:`corridor.scenario.edit`: every key and value
through the YAML emitter, and the text parsed again to hold exactly the accepted events): every
other byte (comments, folded notes, key order) stays as it was, except that an ``events:`` or
``sources:`` in flow style is written again as a block. The result is loaded with
:func:`corridor.scenario.load.load_scenario` before it replaces the file, which is written
atomically, with the old file kept as the next numbered backup (``NAME.bak1``, ``NAME.bak2``,
...; an existing backup is never overwritten).

A candidate already in the scenario is refused: an event with its id, an event keeping its ACLED
id, or an event with its kind, date and target (:func:`refusal`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from corridor.errors import CorridorError, EditRefused
from corridor.ingest.review import Candidate, ReviewError, unique_id
from corridor.model.scenario import Scenario
from corridor.scenario.edit import Retract, edit_events
from corridor.text import shown


@dataclass(frozen=True)
class Accepted:
    """What ``accept`` wrote: each candidate id with its event id and source key."""

    candidate: str
    event: str
    source: str
    how: str = "added"  # added | updated (from a changed ACLED row) | retracted (a deleted one)


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


def _source_key(c: Candidate) -> str:
    return c.id if c.acled_id is None else f"ACLED-{_safe_id(c.acled_id)}"


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
    acled = c.extra.get("acled")
    if isinstance(acled, dict) and acled.get("timestamp"):
        notes += f" ACLED event {acled.get('event_id')}, timestamp {acled['timestamp']}."
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


# ---------------------------------------------------------------------------------- refusals
@dataclass(frozen=True)
class Refused:
    """A candidate ``accept`` will not write, and why (one line)."""

    candidate: str
    reason: str

    def line(self) -> str:
        return f"candidate {self.candidate}: {self.reason}"


class AcceptRefused(ReviewError):
    """Some chosen candidates are refused and nothing is written; ``refused`` holds each one."""

    def __init__(self, refused: Sequence[Refused], chosen: int) -> None:
        self.refused = list(refused)
        n = len(self.refused)
        super().__init__(
            f"{n} of {chosen} candidate{'s' if chosen != 1 else ''} refused, nothing written "
            "(--skip-refused writes the others)"
            if n != 1 or chosen != 1
            else self.refused[0].line()
        )


def _norm_target(target: Any) -> Any:
    """A target as the schema reads it (defaults left out), to compare two of them."""
    from pydantic import ValidationError

    from corridor.scenario.schema import TargetSpec

    try:
        return TargetSpec.model_validate(target).model_dump(mode="json", exclude_none=True)
    except ValidationError:
        return target


def _content(kind: Any, date: Any, target: Any) -> tuple[str, str, str]:
    """Kind, date and target as compared for duplicates (the target as the schema reads it)."""
    day = date.isoformat() if hasattr(date, "isoformat") else str(date)
    return str(kind), day, json.dumps(_norm_target(target), sort_keys=True, default=str)


def _safe_id(acled_id: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]+", "-", acled_id)


def event_acled_id(event: dict[str, Any]) -> str | None:
    """The ACLED id a scenario file's event keeps: the tail of its source key ``ACLED-ID``
    (``ACLED-ID-2`` when the key was taken)."""
    src = event.get("source")
    if isinstance(src, str) and src.startswith("ACLED-"):
        return src[len("ACLED-") :]
    return None


@dataclass(frozen=True)
class FileEvents:
    """The events written in a scenario file itself (not its fragments), by position."""

    events: list[dict[str, Any]]

    @classmethod
    def of(cls, text: str) -> FileEvents:
        from corridor.scenario.yaml_lines import LOADER

        data = yaml.load(text, Loader=LOADER) if text.strip() else {}
        events = data.get("events") if isinstance(data, dict) else None
        # every item kept in its place (a position is what the editor changes); an item that is
        # not a mapping (the loader refuses such a file) stands as an empty one
        items = (
            [e if isinstance(e, dict) else {} for e in events] if isinstance(events, list) else []
        )
        return cls(items)

    @functools.cached_property
    def _positions(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, e in enumerate(self.events):
            out.setdefault(str(e.get("id")), i)
        return out

    @functools.cached_property
    def _contents(self) -> dict[tuple[str, str, str], str]:
        out: dict[tuple[str, str, str], str] = {}
        for e in self.events:
            out.setdefault(
                _content(e.get("kind"), e.get("date"), e.get("target")), str(e.get("id"))
            )
        return out

    @functools.cached_property
    def _acled(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.events:
            held = event_acled_id(e)
            if held is not None:
                out.setdefault(held, str(e.get("id")))
                out.setdefault(re.sub(r"-\d+$", "", held), str(e.get("id")))  # ACLED-ID-2
        return out

    def index(self, event_id: str) -> int | None:
        """The position of event ``event_id`` in the file's events (None: not in the file)."""
        return self._positions.get(event_id)

    def same_content(self, c: Candidate) -> str | None:
        """The id of an event with the candidate's kind, date and target."""
        return self._contents.get(_content(c.kind, c.date, c.target))

    def by_acled(self, acled_id: str) -> str | None:
        """The id of the event that keeps ACLED id ``acled_id``."""
        return self._acled.get(acled_id) or self._acled.get(_safe_id(acled_id))


def accepted_as(
    c: Candidate, scenario: Scenario, file_events: FileEvents, *, by_content: bool = True
) -> tuple[str, str]:
    """The scenario event candidate ``c`` is already in, and how it was found ("", "" when it
    is not): an event with its id, the event keeping its ACLED id, or (``by_content``) an event
    with its kind, date and target."""
    if any(e.id == c.id for e in scenario.events):
        return c.id, f"event {c.id!r} has its id"
    acled = c.acled_id
    if acled is not None:
        held = file_events.by_acled(acled)
        if held is not None:
            return held, f"event {held!r} keeps its ACLED id {acled}"
    same = file_events.same_content(c) if by_content else None
    if same is not None:
        return same, (f"event {same!r} has the same kind ({c.kind}), date ({c.date}) and target")
    return "", ""


Content = tuple[str, str, str]
"""A candidate's or event's kind, date and target (normalised), as compared for duplicates."""


def content_of(c: Candidate) -> Content:
    """The candidate's kind, date and target, as :func:`refusal` compares them."""
    return _content(c.kind, c.date, c.target)


def refusal(
    c: Candidate,
    scenario: Scenario,
    file_events: FileEvents,
    earlier: Mapping[Content, str] | None = None,
) -> str:
    """Why ``accept`` will not write candidate ``c`` as a new event ("" if it will): it cannot
    be an event (:meth:`Candidate.problem`), it is already in the scenario
    (:func:`accepted_as`), or a candidate written before it in the same run (``earlier``: each
    one's :func:`content_of` with its id) has its content."""
    why = c.problem()
    if why:
        return f"cannot accept it: {why}"
    held, how = accepted_as(c, scenario, file_events)
    if held:
        return f"already in the scenario: {how}"
    other = (earlier or {}).get(content_of(c))
    if other is not None:
        return f"it has the same kind, date and target as candidate {other}, accepted too"
    return ""


# ------------------------------------------------------------------- ACLED rows changed upstream
#: The event fields compared when a changed ACLED row meets the event accepted from it.
COMPARED = (
    "kind",
    "date",
    "actor",
    "target",
    "value",
    "confidence",
    "date_uncertainty_days",
    "quote",
    "summary",
)


def upstream_status(c: Candidate) -> str | None:
    """What the last re-import of an ACLED export said of this candidate's row: ``changed``,
    ``deleted``, ``new`` or ``outside`` (None: first import, or unchanged)."""
    up = c.extra.get("upstream")
    return str(up.get("status")) if isinstance(up, dict) and up.get("status") else None


def _comparable(key: str, value: Any) -> Any:
    if key == "target":
        return _norm_target(value or {})
    if key == "date" and hasattr(value, "isoformat"):
        return value.isoformat()
    if key == "date_uncertainty_days":
        return float(value or 0)  # not written when 0
    if key == "confidence" and value is not None:
        return float(value)
    return value if value != "" else None


def event_changes(event: dict[str, Any], new: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The :data:`COMPARED` fields where the scenario file's ``event`` and the event ``new``
    differ: each field with (the event's value, the new one)."""
    out: dict[str, tuple[Any, Any]] = {}
    for key in COMPARED:
        a, b = _comparable(key, event.get(key)), _comparable(key, new.get(key))
        if a != b:
            out[key] = (event.get(key), new.get(key))
    return out


@dataclass(frozen=True)
class Action:
    """What ``accept`` does with one candidate: ``add`` a new event, ``update`` or ``retract``
    the event accepted from an ACLED row changed or deleted upstream (``event``, at ``index``
    in the file's events, with the fields that change), or ``refuse`` it (``reason``)."""

    kind: Literal["add", "update", "retract", "refuse"]
    reason: str = ""
    event: str = ""
    index: int | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def action_of(
    c: Candidate,
    scenario: Scenario,
    file_events: FileEvents,
    earlier: Mapping[Content, str] | None = None,
) -> Action:
    """What ``accept`` would do with candidate ``c`` (see :class:`Action`): a row ACLED
    changed or deleted after its event was accepted updates or retracts that event; anything
    else is added unless :func:`refusal` says why not."""
    status = upstream_status(c)
    if status in ("changed", "deleted"):
        held, _ = accepted_as(c, scenario, file_events, by_content=False)
        acled = c.acled_id or c.id
        if not held and status == "deleted":
            return Action(
                "refuse",
                f"ACLED deleted row {acled} upstream and no scenario event holds it; nothing to "
                "accept",
            )
        if held:
            index = file_events.index(held)
            if index is None:
                return Action(
                    "refuse",
                    f"event {held!r} (ACLED {acled}) is in an included fragment, not in the "
                    "scenario file; edit it there",
                )
            if status == "deleted":
                return Action("retract", f"ACLED deleted row {acled}", held, index)
            why = c.problem()
            if why:
                return Action("refuse", f"cannot update event {held!r} from it: {why}")
            new = event_of(c, held, "", event_keys())
            changes = event_changes(file_events.events[index], new)
            if not changes:
                return Action(
                    "refuse",
                    f"already in the scenario: event {held!r} holds ACLED row {acled}'s new values",
                )
            return Action("update", f"ACLED changed row {acled}", held, index, changes)
    why = refusal(c, scenario, file_events, earlier)
    return Action("refuse", why) if why else Action("add")


# ---------------------------------------------------------------------------------- backups
def next_backup(path: Path) -> Path:
    """The next numbered backup of ``path``: ``NAME.bak1``, or one more than the highest
    ``NAME.bakN`` next to it (a name already taken, even by a dangling link, is never used)."""
    pattern = re.compile(re.escape(path.name) + r"\.bak(\d+)")
    taken = (
        [
            int(m.group(1))
            for p in path.parent.iterdir()
            if (m := pattern.fullmatch(p.name)) is not None and len(m.group(1)) < 10
        ]
        if path.parent.is_dir()
        else []
    )
    return path.with_name(f"{path.name}.bak{max(taken, default=0) + 1}")


def _back_up(path: Path) -> Path:
    """Copy ``path`` to its next numbered backup, created new (never over another file)."""
    for _ in range(100):
        bak = next_backup(path)
        try:
            with path.open("rb") as src, bak.open("xb") as dst:
                shutil.copyfileobj(src, dst)
        except FileExistsError:  # another writer took the name first
            continue
        shutil.copystat(path, bak)
        return bak
    msg = f"{path}: cannot find a free backup name next to it; move its backups away"
    raise ReviewError(msg)


# ---------------------------------------------------------------------------------- accepting
@dataclass(frozen=True)
class AcceptResult:
    """What ``accept`` did: the events written, the candidates refused (with
    ``skip_refused``), and the old file's backup (None: nothing written)."""

    accepted: list[Accepted]
    refused: list[Refused]
    backup: Path | None


def accept_candidates(
    candidates: Sequence[Candidate],
    scenario: Scenario,
    path: Path,
    *,
    skip_refused: bool = False,
) -> AcceptResult:
    """
    Write ``candidates`` into the scenario file ``path`` as events, with their sources.

    Every candidate is checked first (:func:`refusal`, and the event against the schema). The
    new file is checked (:func:`corridor.scenario.load.load_scenario`) before it replaces the
    old one, which is kept as the next numbered backup (``NAME.bak1``, ``NAME.bak2``, ...; none
    is ever overwritten); the write is atomic.

    Parameters
    ----------
    skip_refused
        Write the candidates that pass and return the others as refused; by default one refusal
        writes nothing.

    Raises
    ------
    AcceptRefused
        Some candidates are refused (each named, with its reason) and ``skip_refused`` is off,
        or every candidate is refused.
    ReviewError
        The scenario with the events would not validate (the first problem, in one line).
    """
    from corridor.files import write_atomic

    text = path.read_text(encoding="utf-8")
    file_events = FileEvents.of(text)
    allowed = event_keys()
    ids = _all_ids(scenario)
    known_sources = _existing_sources(text)
    refused: list[Refused] = []
    passing: dict[Content, str] = {}  # the candidates added so far, by their content
    events: list[dict[str, Any]] = []
    changed: dict[int, dict[str, Any] | Retract] = {}
    sources: dict[str, dict[str, Any]] = {}
    done: list[Accepted] = []

    def source_key(c: Candidate) -> str:
        entry = _source_entry(c)
        key = base = _source_key(c)
        n = 1
        while (key in known_sources and known_sources[key] != entry) or (
            key in sources and sources[key] != entry
        ):
            n += 1
            key = f"{base}-{n}"
        return key

    for c in candidates:
        act = action_of(c, scenario, file_events, passing)
        if act.kind == "refuse":
            refused.append(Refused(c.id, act.reason))
            continue
        if act.index is not None and act.index in changed:
            refused.append(Refused(c.id, f"another candidate already changes event {act.event!r}"))
            continue
        if act.kind == "retract":
            acled = c.acled_id or c.id
            changed[act.index] = Retract(  # type: ignore[index]
                f"event {act.event} retracted: ACLED deleted row {acled} upstream "
                f"(review candidate {c.id})"
            )
            done.append(Accepted(c.id, act.event, "", "retracted"))
            continue
        key = source_key(c)
        if act.kind == "update":
            old = file_events.events[act.index]  # type: ignore[index]
            event = _updated(old, event_of(c, act.event, key, allowed), c)
        else:
            event = event_of(c, unique_id(c.id, ids), key, allowed)
        try:
            check_event(event, c.id)
        except ReviewError as exc:
            refused.append(Refused(c.id, str(exc).removeprefix(f"candidate {c.id}: ")))
            continue
        if key not in known_sources:
            sources[key] = _source_entry(c)
        if act.kind == "update":
            changed[act.index] = event  # type: ignore[index]
            done.append(Accepted(c.id, act.event, key, "updated"))
            continue
        ids.add(event["id"])
        passing.setdefault(content_of(c), c.id)
        events.append(event)
        done.append(Accepted(c.id, event["id"], key))
    if refused and (not skip_refused or not done):
        raise AcceptRefused(refused, len(candidates))
    try:
        new_text = edit_events(text, changed=changed, added=events, sources=sources)
    except EditRefused as exc:
        raise ReviewError(str(exc)) from None
    _check_loads(path, new_text)
    backup = _back_up(path)
    write_atomic(path, new_text)
    return AcceptResult(done, refused, backup)


def _updated(old: dict[str, Any], new: dict[str, Any], c: Candidate) -> dict[str, Any]:
    """The file's event ``old`` with the fields of ``new`` (from a changed ACLED row): the
    keys the analyst added (movers, group, ...) kept, a field the row no longer gives removed,
    and the notes told of the update."""
    out = dict(old)
    for key in (*COMPARED, "source", "until", "hours", "capacity_factor", "speed_factor"):
        if key in new:
            out[key] = new[key]
        elif key in COMPARED and key != "kind":
            out.pop(key, None)
    ts = (c.extra.get("acled") or {}).get("timestamp")
    note = f"Updated from review candidate {c.id}" + (f" (ACLED timestamp {ts})." if ts else ".")
    out["notes"] = f"{old['notes']} {note}" if old.get("notes") else note
    return out


def _check_loads(path: Path, new_text: str) -> None:
    """Refuse ``new_text`` unless the scenario loader takes it (checked in a file next to
    ``path``, so that its relative paths hold)."""
    from corridor.scenario.load import load_scenario

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


def _existing_sources(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    sources = data.get("sources") if isinstance(data, dict) else None
    return dict(sources) if isinstance(sources, dict) else {}
