"""News text: find the sentences that report (or announce) an action corridor models, and turn
each into a candidate event for review.

Rule-based and conservative: a sentence gives a candidate only when it holds an action word of
``corridor/data/rules/news.yaml``; negations and hypotheticals give nothing; intentions give kind
``intent`` (never applied); attributed claims lower the confidence. Names resolve through the
scenario's gazetteer (places and actors with their aliases, plus the spelling variants of the
rules file); "the road between X and Y" and "the route linking X to Y" resolve to the roads of
the scenario's network that join the two places. What could not be resolved is listed, never
guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import yaml

from corridor.ingest.review import Candidate, Review
from corridor.model.areas import Area
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Scenario

_ABBREVIATIONS = re.compile(
    r"\b(?:Maj|Gen|Lt|Col|Capt|Sgt|Mr|Mrs|Ms|Dr|St|Brig|Adm|Sen|Rep|Gov|No|U\.S|U\.N|vs|etc)\.$"
)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
#: Short all-capital aliases (IS, PMU) match only in capitals: "is" is a verb.
_SHORT_CAPS = re.compile(r"[A-Z0-9-]{1,5}")
#: A mention of a road, two places apart at most this far (m) from a road of the network.
ROAD_REACH_M = 3000.0


@functools.cache
def news_rules() -> dict[str, Any]:
    """The rules of ``corridor/data/rules/news.yaml``."""
    text = resources.files("corridor").joinpath("data/rules/news.yaml").read_text("utf-8")
    rules: dict[str, Any] = yaml.safe_load(text)
    return rules


# ------------------------------------------------------------------------------------ text
def sentences(text: str) -> list[tuple[int, int]]:
    """The (start, end) character offsets of each sentence of ``text``."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[.!?][\"'”’)]?(?=\s+[\"'“‘(]?[A-Z0-9])|\n\s*\n", text):
        end = m.end()
        if _ABBREVIATIONS.search(text[start:end]):
            continue
        out.append((start, end))
        start = end
    out.append((start, len(text)))
    trimmed = []
    for s, e in out:
        chunk = text[s:e]
        lead = len(chunk) - len(chunk.lstrip())
        s2, e2 = s + lead, s + len(chunk.rstrip())
        if e2 > s2:
            trimmed.append((s2, e2))
    return trimmed


@dataclass(frozen=True)
class Token:
    text: str
    low: str
    start: int


def tokens(sentence: str) -> list[Token]:
    return [Token(m.group(), m.group().lower(), m.start()) for m in _TOKEN.finditer(sentence)]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(t.low for t in tokens(text))


def _find(toks: list[Token], phrase: tuple[str, ...], *, caps: str = "") -> list[int]:
    """Token indices where ``phrase`` starts (in capitals only when ``caps`` is given)."""
    n = len(phrase)
    if not n:
        return []
    hits = []
    for i in range(len(toks) - n + 1):
        if tuple(t.low for t in toks[i : i + n]) == phrase and (
            not caps or " ".join(t.text for t in toks[i : i + n]) == caps
        ):
            hits.append(i)
    return hits


def _any(toks: list[Token], words: list[str], lo: int = 0, hi: int | None = None) -> str:
    """The first of ``words`` found among ``toks[lo:hi]`` ("" if none)."""
    part = toks[max(0, lo) : hi]
    for w in words:
        if _find(part, _phrase(w)):
            return w
    return ""


# ------------------------------------------------------------------------------ gazetteer
@dataclass(frozen=True)
class Mention:
    kind: str  # "actor" or "place"
    id: str
    start: int  # token index
    end: int
    text: str


@dataclass
class NewsGazetteer:
    """Every name of the scenario's actors and places, with the rules' spelling variants."""

    names: list[tuple[tuple[str, ...], str, str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, scenario: Scenario, rules: dict[str, Any] | None = None) -> NewsGazetteer:
        rules = rules or news_rules()
        g = cls()
        entries: list[tuple[str, str, str]] = []
        for a in scenario.actors.values():
            names = [a.id, a.name, re.sub(r"\([^)]*\)", "", a.name), *a.aliases]
            names += re.findall(r"\(([^)]*)\)", a.name)
            entries += [("actor", a.id, n) for n in names]
        for p in scenario.places.values():
            names = [p.name, re.sub(r"\([^)]*\)", "", p.name), *p.aliases]
            entries += [("place", p.id, n) for n in names]
        seen: set[tuple[tuple[str, ...], str]] = set()
        for kind, ident, name in entries:
            for form in _variants(name.strip(), rules):
                key = _phrase(form)
                caps = form if _SHORT_CAPS.fullmatch(form) else ""
                if key and (key, caps) not in seen:
                    seen.add((key, caps))
                    g.names.append((key, caps, kind, ident))
        g.names.sort(key=lambda t: -len(t[0]))
        return g

    def mentions(self, toks: list[Token]) -> list[Mention]:
        """Names in ``toks``, longest first, not overlapping, in sentence order."""
        taken = [False] * len(toks)
        out: list[Mention] = []
        for key, caps, kind, ident in self.names:
            for i in _find(toks, key, caps=caps):
                j = i + len(key)
                if any(taken[i:j]):
                    continue
                taken[i:j] = [True] * (j - i)
                out.append(Mention(kind, ident, i, j, " ".join(t.text for t in toks[i:j])))
        return sorted(out, key=lambda m: m.start)


def _variants(name: str, rules: dict[str, Any]) -> list[str]:
    forms = [name]
    low = " ".join(_phrase(name))
    for group in rules.get("variants") or []:
        for f in group:
            pf = " ".join(_phrase(f))
            if pf and f" {pf} " in f" {low} ":
                forms += [
                    name if g == f else re.sub(re.escape(f), g, name, flags=re.I) for g in group
                ]
                if low == pf:
                    forms += list(group)
    return list(dict.fromkeys(forms))


# ----------------------------------------------------------------------------------- dates
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}


def resolve_date(
    sentence: str, published: dt.date, rules: dict[str, Any] | None = None
) -> tuple[dt.date, int, str]:
    """The date a sentence speaks of, its uncertainty in days, and the words that said it."""
    rules = rules or news_rules()
    low = " " + " ".join(_phrase(sentence)) + " "
    m = re.search(
        r" (\d{1,2}) (" + "|".join(_MONTHS) + r") | (" + "|".join(_MONTHS) + r") (\d{1,2}) ", low
    )
    if m:
        day = int(m.group(1) or m.group(4))
        month = _MONTHS[m.group(2) or m.group(3)]
        year = published.year
        try:
            when = dt.date(year, month, day)
            if when > published:
                when = dt.date(year - 1, month, day)
            return when, 0, m.group().strip()
        except ValueError:
            pass
    if " earlier this month " in low:
        half = (published.day - 1) // 2
        return published - dt.timedelta(days=published.day - 1 - half), half, "earlier this month"
    relative = rules["dates"]["relative"]
    for phrase in sorted(relative, key=len, reverse=True):
        if f" {' '.join(_phrase(phrase))} " in low:
            back, unc = relative[phrase]
            return published - dt.timedelta(days=int(back)), int(unc), phrase
    for name, wd in _WEEKDAYS.items():
        if f" {name} " in low:
            back = (published.weekday() - wd) % 7
            return published - dt.timedelta(days=back), 0, name.capitalize()
    unc = int(rules["dates"]["undated_uncertainty_days"])
    return published, unc, ""


# ----------------------------------------------------------------------------------- roads
def roads_between(network: RoadNetwork, a: Area, b: Area) -> list[str]:
    """The road refs of ``network`` that touch both areas (widened by :data:`ROAD_REACH_M`),
    shortest first."""

    def widened(area: Area) -> Area:
        if area.point is not None:
            return Area(area.name, point=area.point, radius_m=(area.radius_m or 0) + ROAD_REACH_M)
        return area

    ra = set(network.ref_code[widened(a).edge_mask(network)].tolist())
    rb = set(network.ref_code[widened(b).edge_mask(network)].tolist())
    codes = [c for c in ra & rb if c >= 0 and network.refs[c]]
    length = {c: float(np.sum(network.length_m[network.ref_code == c])) for c in codes}
    return [network.refs[c] for c in sorted(codes, key=lambda c: (length[c], network.refs[c]))]


# ------------------------------------------------------------------------------ candidates
@dataclass(frozen=True)
class NewsSource:
    published: dt.date
    outlet: str = ""
    url: str = ""
    title: str = ""


def extract(
    text: str,
    scenario: Scenario,
    source: NewsSource,
    *,
    network: RoadNetwork | None = None,
    prefix: str = "news",
) -> list[Candidate]:
    """
    Candidate events in a news text.

    Parameters
    ----------
    text
        The article.
    scenario
        Its places and actors name what the text speaks of.
    source
        The publication date (relative dates resolve against it), outlet, URL.
    network
        The scenario's road network, to resolve "the road between X and Y" to its roads;
        without it such targets stay unresolved.
    prefix
        The candidates' ids are ``PREFIX-1``, ``PREFIX-2``, ...
    """
    rules = news_rules()
    gaz = NewsGazetteer.of(scenario, rules)
    out: list[Candidate] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        cand = _candidate(sentence, (start, end), scenario, gaz, source, network, rules)
        if cand is not None:
            cand.id = f"{prefix}-{len(out) + 1}"
            out.append(cand)
    return out


def _action(toks: list[Token], rules: dict[str, Any]) -> tuple[int, str, str] | None:
    best: tuple[int, str, str] | None = None
    for kind, words in rules["actions"].items():
        for w in sorted(words, key=lambda w: -len(_phrase(w))):
            hits = _find(toks, _phrase(w))
            if hits and (best is None or hits[0] < best[0]):
                best = (hits[0], kind, w)
    return best


def _candidate(
    sentence: str,
    offsets: tuple[int, int],
    scenario: Scenario,
    gaz: NewsGazetteer,
    source: NewsSource,
    network: RoadNetwork | None,
    rules: dict[str, Any],
) -> Candidate | None:
    toks = tokens(sentence)
    found = _action(toks, rules)
    if found is None:
        return None
    at, kind, word = found
    before = toks[max(0, at - 6) : at]
    if _any(before, rules["negations"]) or re.search(r"n['’]t\b", sentence[: toks[at].start]):
        return None
    if _any(toks[:at], ["if", "unless", "whether"]) or _any(
        toks[max(0, at - 3) : at], [h for h in rules["hypotheticals"] if h not in ("if",)]
    ):
        return None
    intent = _any(toks[max(0, at - 8) : at], rules["intent"]) or (
        _any(toks[:at], ["next step", "ultimate aim", "goal is"]) and "intent"
    )
    claim = _any(toks, rules["claims"])
    conf_rules = rules["confidence"]
    mentions = gaz.mentions(toks)
    actors = [m for m in mentions if m.kind == "actor"]
    subject = [m for m in actors if m.start < at]
    # the doer names itself before the action; a name after it is what is acted on
    actor = subject[-1].id if subject else None
    places = [m for m in mentions if m.kind == "place" and m.start > at] or [
        m for m in mentions if m.kind == "place"
    ]
    unresolved: list[str] = []
    if actor is None:
        unresolved.append("actor: no scenario actor is named before the action")
    roadish = _any(toks[at:], rules["road_words"])
    target: dict[str, Any] = {}
    ids = list(dict.fromkeys(m.id for m in places))
    if roadish and kind in ("close", "reopen"):
        target = _road_target(ids, scenario, network, unresolved)
    elif ids:
        target = {"place": ids[0]}
    else:
        unresolved.append("target: the sentence names no scenario place")
    unresolved += _unknown_names(toks, mentions, sentence)
    day, unc, said = resolve_date(sentence, source.published, rules)
    if not said:
        unresolved.append(f"date: none in the sentence; the publication date ±{unc} days")
    if kind == "population":
        unresolved.append("value: give the number of people")
    confidence = float(conf_rules["report"])
    if claim:
        confidence -= float(conf_rules["claim_penalty"])
    rule = f"news:{kind}:{word}"
    if intent:
        rule += f" (intent: {intent})"
        kind = "intent"
        confidence = float(conf_rules["intent"])
    elif claim:
        rule += f" (claim: {claim})"
    return Candidate(
        id="",
        kind=kind,
        date=day,
        date_uncertainty_days=unc,
        actor=actor,
        target=target,
        confidence=round(confidence, 2),
        quote=sentence,
        summary=f"{word} ({source.outlet or 'news'}, {source.published.isoformat()})",
        source={
            k: v
            for k, v in {
                "outlet": source.outlet,
                "title": source.title,
                "date": source.published,
                "url": source.url,
            }.items()
            if v
        },
        rule=rule,
        unresolved=unresolved,
        extra={"offsets": list(offsets), "date_words": said or None},
    )


def _road_target(
    ids: list[str], scenario: Scenario, network: RoadNetwork | None, unresolved: list[str]
) -> dict[str, Any]:
    if len(ids) < 2:
        end = f"only {ids[0]} is a scenario place" if ids else "no end is a scenario place"
        unresolved.append(f"target: a road, but {end}")
        return {}
    a, b = ids[0], ids[1]
    if network is None:
        unresolved.append(f"target: the road between {a} and {b} (no network to find it on)")
        return {}
    refs = roads_between(network, scenario.places[a].area, scenario.places[b].area)
    if not refs:
        unresolved.append(f"target: no road of the network joins {a} and {b}")
        return {}
    if len(refs) > 1:
        unresolved.append(
            f"target: {len(refs)} roads join {a} and {b} ({', '.join(refs)}); "
            f"{refs[0]}, the shortest, chosen"
        )
    return {"ref": refs[0], "between": [a, b]}


def _unknown_names(toks: list[Token], mentions: list[Mention], sentence: str) -> list[str]:
    """Capitalised names (not the sentence's first word) that no gazetteer entry covers."""
    covered = {i for m in mentions for i in range(m.start, m.end)}
    names: list[str] = []
    run: list[str] = []
    for i, t in enumerate(toks):
        cap = t.text[:1].isupper() and i > 0 and i not in covered
        if cap:
            run.append(t.text)
        elif run:
            names.append(" ".join(run))
            run = []
    if run:
        names.append(" ".join(run))
    stop = {"The", "A", "An", "On", "In", "It", "They", "He", "She", "We", "Thursday"}
    stop |= {d.capitalize() for d in _WEEKDAYS} | {m.capitalize() for m in _MONTHS}
    return [f"name: {n!r} is no scenario place or actor" for n in names if n not in stop]


def news_review(candidates: list[Candidate], scenario: Scenario, origin: str) -> Review:
    """A review file of news candidates."""
    return Review(scenario=str(scenario.path), origin=origin, candidates=candidates)
