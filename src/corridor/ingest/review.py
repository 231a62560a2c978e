"""Review files: candidate events that an analyst reads, edits and accepts into a scenario.

A review file is YAML written by ``corridor import acled`` (and later ``corridor extract``)::

    review: 1
    scenario: /path/to/scenario.yaml
    origin: "ACLED export acled.csv"
    unmatched_actors: {"Tribal Militia (Iraq)": 2}   # ACLED actor names that bind to no actor
    candidates:
      - id: acled-irq1234
        accept: false          # set true, or name the id with `corridor events accept --only`
        kind: close            # close | reopen | zone | population | intent, other (never applied)
        date: 2016-11-03
        date_uncertainty_days: 0
        stance: reported       # news only: reported | claimed | intent | background (kept)
        actor: pmu             # a scenario actor id, or null
        target: {point: [42.45, 36.37], radius_m: 2000}
        confidence: 0.6
        quote: "..."           # ACLED's notes, verbatim
        source: {outlet: "...", title: "...", date: 2016-11-03}
        ...

Everything here is plain data (dicts of YAML scalars), so the file round-trips through an
editor; :func:`read_review` checks what ``accept`` and ``review`` rely on and says, in one line
naming the candidate, what is wrong.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import InputFileError, ReviewError
from corridor.scenario.yaml_lines import LOADER

REVIEW_VERSION = 1
#: The kinds a candidate may have; ``other`` and ``intent`` (an announced action) are kept for
#: the analyst and never applied.
KINDS = ("close", "reopen", "restrict", "zone", "population", "intent", "other")
APPLIED_KINDS = ("close", "reopen", "restrict", "zone", "population")
#: A candidate's ``stance`` (how its source speaks of it; news candidates carry one): only
#: these are applied, the others (intent, hypothetical, negated, denied, background) are kept.
APPLIED_STANCES = ("reported", "claimed")


class _NoAliases(yaml.CSafeDumper if yaml.__with_libyaml__ else yaml.SafeDumper):  # type: ignore[misc]
    """Writes a value each time it occurs (no ``&id001`` anchors for an analyst to trip on);
    libyaml's C emitter where PyYAML has it (a review of 50,000 ACLED rows is written in
    seconds, not minutes)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    """``data`` as review-file YAML: in order, unicode as is, lines of 100, no anchors."""
    return yaml.dump(
        data,
        Dumper=_NoAliases,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=None,
    )


@dataclass
class Candidate:
    """One candidate event, as in a review file (see the module's docstring for the keys)."""

    id: str
    kind: str
    date: dt.date
    confidence: float
    quote: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    actor: str | None = None
    date_uncertainty_days: int = 0
    accept: bool = False
    summary: str = ""
    rule: str = ""
    value: int | None = None
    duplicate_of: str | None = None
    unresolved: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # provenance: acled, location, actors

    @property
    def acled_id(self) -> str | None:
        """The ACLED ``event_id_cnty`` this candidate came from (None: not from ACLED)."""
        acled = self.extra.get("acled")
        if isinstance(acled, dict) and acled.get("event_id"):
            return str(acled["event_id"])
        return None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "accept": self.accept, "kind": self.kind}
        out["date"] = self.date
        out["date_uncertainty_days"] = self.date_uncertainty_days
        out["actor"] = self.actor
        out["target"] = self.target
        if self.kind == "population":
            out["value"] = self.value
        out["confidence"] = self.confidence
        out["summary"] = self.summary
        out["quote"] = self.quote
        out["source"] = self.source
        out["rule"] = self.rule
        if self.duplicate_of:
            out["duplicate_of"] = self.duplicate_of
        out["unresolved"] = list(self.unresolved)
        out.update(self.extra)
        return out

    def problem(self) -> str:
        """Why this candidate cannot become an event as it stands ("" if it can)."""
        if self.kind not in APPLIED_KINDS:
            return f"kind {self.kind!r} is kept for review and never applied"
        stance = self.extra.get("stance")
        if stance is not None and stance not in APPLIED_STANCES:
            return (
                f"stance {stance!r}: the text does not report it as done; it is kept for "
                "review (set `stance: reported` to apply it anyway)"
            )
        if self.duplicate_of:
            return f"it repeats the scenario's event {self.duplicate_of!r}"
        upstream = self.extra.get("upstream")
        if isinstance(upstream, dict) and upstream.get("status") == "deleted":
            return "ACLED deleted this row upstream; it is kept for reading, never applied"
        if not self.target:
            return (
                "it has no target; give one (ref with between, way, place, point with "
                "radius_m, or polygon)"
            )
        if self.kind == "zone" and not self.actor:
            return "a zone event needs the actor that takes the area; set `actor`"
        if self.kind == "population" and (self.value is None or "place" not in self.target):
            return "a population event needs `target: {place: id}` and `value` (people)"
        return ""


@dataclass
class Review:
    """A review file: the scenario it was made for, where the candidates come from, and them."""

    scenario: str
    origin: str
    candidates: list[Candidate]
    unmatched_actors: dict[str, int] = field(default_factory=dict)

    def to_yaml(self) -> str:
        head = (
            "# corridor review file: candidate events for an analyst to check.\n"
            "# Set `accept: true` on those to keep (or name them with `corridor events accept "
            "--only ID`),\n# edit any value (actor, target, date, confidence, value) and run\n"
            "#   corridor events review THIS.yaml --scenario S\n"
            "#   corridor events accept THIS.yaml --scenario S.yaml\n"
            "# Kind `other` and duplicates are kept for reading, never applied.\n"
        )
        data: dict[str, Any] = {
            "review": REVIEW_VERSION,
            "scenario": self.scenario,
            "origin": self.origin,
            "unmatched_actors": dict(self.unmatched_actors),
            "candidates": [],
        }
        if not self.candidates:
            return head + _dump(data)
        del data["candidates"]
        # one candidate at a time (the text is the same as one dump of the whole, whose
        # sequence items PyYAML writes at column 0): memory grows with the text, not with
        # PyYAML's node tree of 50,000 candidates
        parts = [head, _dump(data), "candidates:\n"]
        parts += [_dump([c.to_dict()]) for c in self.candidates]
        return "".join(parts)


_KNOWN = {
    "id",
    "accept",
    "kind",
    "date",
    "date_uncertainty_days",
    "actor",
    "target",
    "value",
    "confidence",
    "summary",
    "quote",
    "source",
    "rule",
    "duplicate_of",
    "unresolved",
}


def read_review(path: Path) -> Review:
    """Read and check a review file; a mistake is one :class:`ReviewError` line naming the
    candidate (its position and id) and the key."""
    if not path.is_file():
        msg = f"{path}: no such review file; make one with `corridor import acled`"
        raise InputFileError(msg)
    try:
        # libyaml's C parser where PyYAML has it: a re-import reads 50,000 candidates in seconds
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        msg = f"{path}: not a valid YAML review file ({str(exc).splitlines()[0]})"
        raise ReviewError(msg) from None
    if not isinstance(data, dict) or data.get("review") != REVIEW_VERSION:
        msg = f"{path}: not a review file (it should start with `review: {REVIEW_VERSION}`)"
        raise ReviewError(msg)
    items = data.get("candidates") or []
    if not isinstance(items, list):
        msg = f"{path}: candidates: expected a list of candidates"
        raise ReviewError(msg)
    out: list[Candidate] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        cand = _candidate(path, i, item)
        if cand.id in seen:
            msg = f"{path}: candidates[{i}]: id {cand.id!r} is given twice; ids must differ"
            raise ReviewError(msg)
        seen.add(cand.id)
        out.append(cand)
    unmatched = data.get("unmatched_actors") or {}
    return Review(
        scenario=str(data.get("scenario") or ""),
        origin=str(data.get("origin") or ""),
        candidates=out,
        unmatched_actors=dict(unmatched) if isinstance(unmatched, dict) else {},
    )


def _candidate(path: Path, i: int, item: object) -> Candidate:
    where = f"{path}: candidates[{i}]"
    if not isinstance(item, dict):
        msg = f"{where}: expected a mapping of keys (id, kind, date, ...)"
        raise ReviewError(msg)
    cid = item.get("id")
    if not isinstance(cid, str) or not cid.strip():
        msg = f"{where}: id: give each candidate an id (text)"
        raise ReviewError(msg)
    where = f"{path}: candidates[{i}] ({cid})"

    def bad(key: str, what: str) -> ReviewError:
        return ReviewError(f"{where}: {key}: {what}")

    kind = item.get("kind")
    if kind not in KINDS:
        raise bad("kind", f"{kind!r} is not a kind; expected one of {', '.join(KINDS)}")
    day = item.get("date")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            raise bad("date", f"{day!r} is not a date; write YYYY-MM-DD") from None
    if not isinstance(day, dt.date):
        raise bad("date", "give the date as YYYY-MM-DD")
    conf = item.get("confidence")
    if (
        isinstance(conf, bool)
        or not isinstance(conf, int | float)
        or not math.isfinite(conf)
        or not 0 <= conf <= 1
    ):
        raise bad("confidence", f"{conf!r} is not a number in [0, 1]")
    unc = item.get("date_uncertainty_days", 0) or 0
    if isinstance(unc, bool) or not isinstance(unc, int) or unc < 0:
        raise bad("date_uncertainty_days", f"{unc!r} is not a whole number of days >= 0")
    value = item.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise bad("value", f"{value!r} is not a number of people (a whole number >= 0)")
    target = item.get("target") or {}
    source = item.get("source") or {}
    if not isinstance(target, dict):
        raise bad("target", "expected a mapping such as {place: id} or {point: [lon, lat], ...}")
    if not isinstance(source, dict):
        raise bad("source", "expected a mapping of outlet, title, date, url")
    actor = item.get("actor")
    if actor is not None and not isinstance(actor, str):
        raise bad("actor", "give an actor id of the scenario, or null")
    unresolved = item.get("unresolved") or []
    return Candidate(
        id=cid,
        kind=kind,
        date=day,
        confidence=float(conf),
        quote=str(item.get("quote") or ""),
        source=source,
        target=target,
        actor=actor,
        date_uncertainty_days=unc,
        accept=bool(item.get("accept", False)),
        summary=str(item.get("summary") or ""),
        rule=str(item.get("rule") or ""),
        value=value,
        duplicate_of=item.get("duplicate_of") or None,
        unresolved=[str(u) for u in unresolved] if isinstance(unresolved, list) else [],
        extra={k: v for k, v in item.items() if k not in _KNOWN},
    )


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... the first not in ``taken``.

    >>> unique_id("a", {"a", "a-2"})
    'a-3'
    """
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name
