"""Write accepted candidates into a scenario file as events, keeping the file as it was.

The new events go after the last item of ``events:`` and their sources after the last entry of
``sources:``, as new lines in the file's own indentation: every other byte (comments, flow
lists, folded notes, key order) stays as it was. The result is loaded with
:func:`corridor.scenario.load.load_scenario` before it replaces the file, which is written
atomically, with the old file kept as ``NAME.bak``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import CorridorError
from corridor.ingest.review import Candidate, ReviewError
from corridor.model.scenario import Scenario


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


def _inline(value: Any) -> str:
    """``value`` as one line of YAML (flow style; dates bare, the rest as JSON, a YAML subset)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if (
        isinstance(value, str)
        and re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", value)
        and value.lower() not in ("yes", "no", "on", "off", "true", "false", "null", "y", "n")
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


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
def _block_end(root: yaml.Node | None, lines: list[str], key: str) -> tuple[int, int] | None:
    """For the top-level block collection ``key``: (the line index to insert before, the
    column of its items); None if the key is absent. A flow or empty one is refused."""
    if not isinstance(root, yaml.MappingNode):
        return None
    for k, v in root.value:
        if getattr(k, "value", None) != key:
            continue
        if isinstance(v, yaml.SequenceNode | yaml.MappingNode) and not v.flow_style and v.value:
            last = v.value[-1]
            end = last[1].end_mark if isinstance(v, yaml.MappingNode) else last.end_mark
            first = v.value[0][0] if isinstance(v, yaml.MappingNode) else v.value[0]
            col = first.start_mark.column
            at = end.line if end.column == 0 else end.line + 1
            # back over blank lines and comments that follow the last item
            while at > 0 and at - 1 < len(lines) and _is_trailing(lines[at - 1], col):
                at -= 1
            return at, col
        msg = f"the scenario's `{key}:` is written in flow style or empty; write it as a block"
        raise ReviewError(msg)
    return None


def _is_trailing(line: str, col: int) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    indent = len(line) - len(line.lstrip())
    return stripped.startswith("#") and indent < col


def _seq_prefix(root: yaml.Node, lines: list[str], key: str, col: int) -> str:
    """The ``"  - "`` that starts each item of the top-level sequence ``key``."""
    for k, v in root.value:
        if getattr(k, "value", None) == key and isinstance(v, yaml.SequenceNode):
            line = lines[v.value[0].start_mark.line]
            dash = line.rfind("-", 0, col)
            if dash >= 0:
                return " " * dash + "-" + " " * (col - dash - 1)
    return "  - "


def insert_events(
    text: str, events: Sequence[dict[str, Any]], sources: dict[str, dict[str, Any]]
) -> str:
    """``text`` (a scenario file) with ``events`` appended to ``events:`` and ``sources``
    added to ``sources:``, every other line left as it was."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    inserts: list[tuple[int, list[str]]] = []
    appended: list[str] = []
    if sources:
        spot = _block_end(root, lines, "sources")
        if spot is None:
            appended += ["sources:\n"] + [f"  {k}: {_inline(v)}\n" for k, v in sources.items()]
        else:
            at, col = spot
            inserts.append((at, [f"{' ' * col}{k}: {_inline(v)}\n" for k, v in sources.items()]))
    spot = _block_end(root, lines, "events")
    prefix, col = "  - ", 4
    if spot is not None and root is not None:
        col = spot[1]
        prefix = _seq_prefix(root, lines, "events", col)
    block: list[str] = []
    for ev in events:
        for i, (k, v) in enumerate(ev.items()):
            block.append(f"{prefix if i == 0 else ' ' * col}{k}: {_inline(v)}\n")
    if spot is None:
        appended += ["events:\n", *block]
    else:
        inserts.append((spot[0], block))
    for at, new in sorted(inserts, key=lambda t: t[0], reverse=True):
        lines[at:at] = new
    return "".join(lines + appended)


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
        events.append(event_of(c, eid, key, allowed))
        done.append(Accepted(c.id, eid, key))
    new_text = insert_events(text, events, sources)
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
