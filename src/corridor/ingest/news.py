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

from corridor.errors import NewsError
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
#: The longest article ``extract`` reads, in characters (16 Mi): beyond it the text is refused
#: in one line (split it, one article per file). Extraction is linear in the text's length.
MAX_ARTICLE_CHARS = 16 * 1024 * 1024
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]?(?=\s+[\"'“‘(]?[A-Z0-9])|\n\s*\n")
#: A wire dateline before the first sentence: "MOSUL, Iraq (Reuters) -", "ALEPPO, Syria —".
_DATELINE = re.compile(
    r"\A\s*[A-Z][A-Z'’.\- ]{1,40}(?:,\s*[A-Z][A-Za-z0-9'’.\- ]{1,40}){0,2}"
    r"\s*(?:\([^()\n]{1,60}\))?\s*[-–—]{1,2}\s+"
)


def dateline_end(text: str) -> int:
    """Where the text starts after a wire dateline ("MOSUL, Iraq (Reuters) - "); 0 if none."""
    m = _DATELINE.match(text[:200])
    return m.end() if m else 0


def sentences(text: str) -> list[tuple[int, int]]:
    """
    The (start, end) character offsets of each sentence of ``text``, in one pass.

    A full stop ends a sentence unless it ends a known abbreviation ("Gen.", "Mr."); only the
    few characters before each stop are looked at, so the cost is linear in the text.

    Examples
    --------
    >>> sentences("Gen. Ali spoke. Roads shut.")
    [(0, 15), (16, 27)]
    """
    out: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        # the longest abbreviation is shorter than this window, so its \b never falls on the
        # window's first character by accident
        if _ABBREVIATIONS.search(text[max(start, m.start() - 10) : m.start() + 1]):
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


class Tokens(list[Token]):
    """The tokens of a sentence, with an index of where each lower-cased word occurs, so that a
    phrase is looked up in the places its first word is (not by a scan per phrase)."""

    def __init__(self, items: list[Token]) -> None:
        super().__init__(items)
        self.at: dict[str, list[int]] = {}
        for i, t in enumerate(items):
            self.at.setdefault(t.low, []).append(i)


def tokens(sentence: str) -> Tokens:
    return Tokens(
        [Token(m.group(), m.group().lower(), m.start()) for m in _TOKEN.finditer(sentence)]
    )


@functools.lru_cache(maxsize=4096)
def _phrase(text: str) -> tuple[str, ...]:
    return tuple(m.group().lower() for m in _TOKEN.finditer(text))


def _find(
    toks: list[Token],
    phrase: tuple[str, ...],
    *,
    caps: str = "",
    lo: int = 0,
    hi: int | None = None,
) -> list[int]:
    """Token indices in ``toks[lo:hi]`` where ``phrase`` starts (in capitals only when ``caps``
    is given); the phrase must end before ``hi``."""
    n = len(phrase)
    if not n:
        return []
    if isinstance(toks, Tokens):
        starts: Any = toks.at.get(phrase[0])
        if not starts:  # the usual case, made cheap: the first word is not in the sentence
            return []
    else:
        starts = range(len(toks))
    hi = len(toks) if hi is None else min(hi, len(toks))
    lo = max(0, lo)
    if hi - lo < n:
        return []
    hits = []
    for i in starts:
        if i < lo or i + n > hi:
            continue
        if all(toks[i + k].low == phrase[k] for k in range(n)) and (
            not caps or " ".join(t.text for t in toks[i : i + n]) == caps
        ):
            hits.append(i)
    return hits


def _any(toks: list[Token], words: list[str], lo: int = 0, hi: int | None = None) -> str:
    """The first of ``words`` found among ``toks[lo:hi]`` ("" if none)."""
    at = toks.at if isinstance(toks, Tokens) else None
    for w in words:
        key = _phrase(w)
        if at is not None and key and key[0] not in at:
            continue  # most words are not in the sentence at all: no call
        if _find(toks, key, lo=lo, hi=hi):
            return w
    return ""


# ------------------------------------------------------------------------------ gazetteer
@dataclass(frozen=True)
class Mention:
    kind: str  # "actor" or "place" (or "road": a network road's name, to cover its words)
    id: str
    start: int  # token index
    end: int
    text: str


@dataclass
class NewsGazetteer:
    """Every name of the scenario's actors and places, with the rules' spelling variants."""

    names: list[tuple[tuple[str, ...], str, str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # id -> the name shown in summaries
    #: first word -> the indices in ``names`` of the names starting with it
    first: dict[str, list[int]] = field(default_factory=dict)
    #: The one actor whose names say "army" ("Syrian army"), whom a bare "the army" or
    #: "troops" means; None when no actor or several do.
    army: str | None = None

    @classmethod
    def of(cls, scenario: Scenario, rules: dict[str, Any] | None = None) -> NewsGazetteer:
        rules = rules or news_rules()
        g = cls()
        entries: list[tuple[str, str, str]] = []
        for a in scenario.actors.values():
            names = [a.id, a.name, re.sub(r"\([^)]*\)", "", a.name), *a.aliases]
            names += re.findall(r"\(([^)]*)\)", a.name)
            entries += [("actor", a.id, n) for n in names]
            g.labels[a.id] = re.sub(r"\s*\([^)]*\)", "", a.name).strip() or a.id
        armies = [
            a.id
            for a in scenario.actors.values()
            if any(_phrase(n)[-1:] == ("army",) for n in names_of(a))
        ]
        g.army = armies[0] if len(armies) == 1 else None
        for p in scenario.places.values():
            names = [p.name, re.sub(r"\([^)]*\)", "", p.name), *p.aliases]
            entries += [("place", p.id, n) for n in names]
            g.labels[p.id] = re.sub(r"\s*\([^)]*\)", "", p.name).strip() or p.id
        seen: set[tuple[tuple[str, ...], str]] = set()
        for kind, ident, name in entries:
            for form in _variants(name.strip(), rules):
                key = _phrase(form)
                caps = form if _SHORT_CAPS.fullmatch(form) else ""
                if key and (key, caps) not in seen:
                    seen.add((key, caps))
                    g.names.append((key, caps, kind, ident))
        g.names.sort(key=lambda t: -len(t[0]))
        for n, (key, *_) in enumerate(g.names):
            g.first.setdefault(key[0], []).append(n)
        return g

    def mentions(self, toks: list[Token]) -> list[Mention]:
        """Names in ``toks``, longest first, not overlapping, in sentence order."""
        if not isinstance(toks, Tokens):
            toks = Tokens(list(toks))
        taken = [False] * len(toks)
        out: list[Mention] = []
        # only the names whose first word is in the sentence, in the order of self.names
        chosen = sorted({n for w in toks.at for n in self.first.get(w, ())})
        for key, caps, kind, ident in (self.names[n] for n in chosen):
            for i in _find(toks, key, caps=caps):
                j = i + len(key)
                if any(taken[i:j]):
                    continue
                taken[i:j] = [True] * (j - i)
                out.append(Mention(kind, ident, i, j, " ".join(t.text for t in toks[i:j])))
        return sorted(out, key=lambda m: m.start)


def names_of(actor: Any) -> list[str]:
    """An actor's name and aliases."""
    return [actor.name, *actor.aliases]


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
_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m and m != "May"}
_MONTHS["may"] = 5
#: Words that put what follows them in the future ("the truce will start on Thursday").
_FUTURE = [
    "will", "ll", "shall", "is to", "are to", "is due to", "are due to", "is set to",
    "are set to", "is expected to", "are expected to", "is scheduled to", "are scheduled to",
    "scheduled for", "plans to", "plan to", "planned for", "from next",
]  # fmt: skip
#: Verbs of speech: a date right after one is when the speaker spoke ("said on Sunday").
_SPEECH = ["said", "says", "told", "announced", "stated", "added", "claimed", "reported"]


#: Ends the date words of a sentence whose only date is when it was said.
SAID_ONLY = "(when it was said)"


@dataclass(frozen=True)
class DateReading:
    """The date a sentence speaks of: the day, its uncertainty (days either side), the words
    that gave it ("" if none), and whether it is a month-only mention of an earlier month (an
    event in the background of the article, not news of its day)."""

    day: dt.date
    uncertainty_days: int
    words: str
    background: bool = False


@dataclass(frozen=True)
class _DatePhrase:
    start: int  # token indices
    end: int
    kind: str  # "date", "month", "relative", "weekday"
    words: str
    value: Any


_BEFORE_MONTH = {"in", "since", "until", "till", "by", "early", "late", "mid", "of", "last",
                 "next", "this", "from", "during", "throughout", "before", "after"}  # fmt: skip


def _date_phrases(toks: list[Token], rules: dict[str, Any]) -> list[_DatePhrase]:
    """Every date phrase in the sentence, in order."""
    out: list[_DatePhrase] = []
    taken: set[int] = set()
    n = len(toks)
    for i, t in enumerate(toks):
        if t.low in _MONTHS and i not in taken:
            month = _MONTHS[t.low]
            if t.low == "may" and not t.text[0].isupper():
                continue
            day = year = None
            s, e = i, i + 1
            if i > 0 and toks[i - 1].low.isdigit() and len(toks[i - 1].low) <= 2:
                day, s = int(toks[i - 1].low), i - 1
            elif i + 1 < n and toks[i + 1].low.isdigit() and len(toks[i + 1].low) <= 2:
                day, e = int(toks[i + 1].low), i + 2
            if e < n and toks[e].low.isdigit() and len(toks[e].low) == 4:
                year, e = int(toks[e].low), e + 1
            if day is None and t.low in calendar.month_abbr[1:] and len(t.text) < 4:
                continue  # "Jan" alone is too often a name
            # "May" alone is a month only after "in", "since", "early", ...: "Shire-May Tsebri
            # road" names a town, "May God" is no date
            if (day is None and year is None and t.low == "may") and (
                i == 0 or toks[i - 1].low not in _BEFORE_MONTH
            ):
                continue
            taken.update(range(s, e))
            if day is not None:
                out.append(
                    _DatePhrase(
                        s, e, "date", " ".join(x.text for x in toks[s:e]), (day, month, year)
                    )
                )
            else:
                out.append(_DatePhrase(s, e, "month", t.text, (month, year)))
    relative = {**rules["dates"]["relative"], "earlier this month": None}
    for phrase in sorted(relative, key=lambda p: -len(_phrase(p))):
        key = _phrase(phrase)
        for i in _find(toks, key):
            span = set(range(i, i + len(key)))
            if span & taken:
                continue
            taken |= span
            out.append(_DatePhrase(i, i + len(key), "relative", phrase, relative[phrase]))
    for i, t in enumerate(toks):
        if t.low in _WEEKDAYS and i not in taken:
            out.append(_DatePhrase(i, i + 1, "weekday", t.text, _WEEKDAYS[t.low]))
    return sorted(out, key=lambda p: p.start)


#: Words that start a new clause: a future word before one of them does not reach past it
#: ("will leave after troops cut the road on Monday").
_CLAUSE_WORDS = {"after", "before", "because", "since", "when", "while", "but", "although",
                 "though", "whereas", "until", "as", "which", "who", "where"}  # fmt: skip
#: How far back (tokens) a future word reaches a date of its clause.
_FUTURE_REACH = 25


def _future(toks: list[Token], at: int, text: str = "") -> bool:
    """Whether the clause before token ``at`` speaks of the future: a future word ("will",
    "is due to") between the clause's start and ``at``, at most :data:`_FUTURE_REACH` tokens back
    ("will open the Salah al-Din road for four hours on Friday"). The clause starts after a
    comma, semicolon, colon or dash (when ``text``, the sentence, is given) or at a word that
    opens a clause ("after", "because", "when", ...)."""
    lo = _clause_from(toks, at, max(0, at - _FUTURE_REACH), text=text)
    return bool(_any(toks, _FUTURE, lo=lo, hi=at))


def _clause_from(
    toks: list[Token],
    at: int,
    lo: int = 0,
    *,
    words: set[str] | frozenset[str] = frozenset(),
    text: str = "",
) -> int:
    """The first token, not before ``lo``, of the clause that holds token ``at``: just after
    the nearest word before ``at`` that opens a clause (``words``, by default
    :data:`_CLAUSE_WORDS`), or, with ``text`` (the sentence the tokens are of), after a comma,
    semicolon, colon or dash between two tokens; else ``lo``."""
    opens = words or _CLAUSE_WORDS
    for i in range(at - 1, lo - 1, -1):
        if toks[i].low in opens:
            return i + 1
        if text and i + 1 < len(toks):
            gap = text[toks[i].start + len(toks[i].text) : toks[i + 1].start]
            if re.search(r"[,;:–—]|\s-\s", gap):
                return i + 1
    return lo


def _month_span(year: int, month: int) -> tuple[dt.date, int]:
    days = calendar.monthrange(year, month)[1]
    return dt.date(year, month, 15), max(14, days - 15)


def _resolve(p: _DatePhrase, base: dt.date, *, future: bool) -> DateReading:
    if p.kind == "date":
        day, month, year = p.value
        for y in (year,) if year else (base.year, base.year - 1, base.year + 1):
            try:
                when = dt.date(y, month, day)
            except ValueError:
                continue
            if year or (when <= base and not future) or (when >= base and future):
                return DateReading(when, 0, p.words)
        return DateReading(base, 1, "")
    if p.kind == "month":
        month, year = p.value
        if year:
            day, unc = _month_span(year, month)
            return DateReading(
                day, unc, p.words, background=(year, month) < (base.year, base.month)
            )
        if month == base.month:
            half = (base.day - 1) // 2
            if future:
                rest = calendar.monthrange(base.year, month)[1] - base.day
                return DateReading(
                    base + dt.timedelta(days=rest // 2 + rest % 2), rest // 2 + 1, p.words
                )
            return DateReading(base - dt.timedelta(days=base.day - 1 - half), half, p.words)
        if future:
            y = base.year if month > base.month else base.year + 1
            day, unc = _month_span(y, month)
            return DateReading(day, unc, p.words)
        y = base.year if month < base.month else base.year - 1
        day, unc = _month_span(y, month)
        return DateReading(day, unc, p.words, background=True)
    if p.kind == "relative":
        if p.words == "earlier this month":
            half = (base.day - 1) // 2
            return DateReading(base - dt.timedelta(days=base.day - 1 - half), half, p.words)
        back, unc = p.value
        # "last month", "last year": an earlier event told in passing, as a month name is
        return DateReading(
            base - dt.timedelta(days=int(back)), int(unc), p.words, background=int(back) >= 28
        )
    wd = int(p.value)
    if future:
        return DateReading(base + dt.timedelta(days=(wd - base.weekday()) % 7), 0, p.words)
    return DateReading(base - dt.timedelta(days=(base.weekday() - wd) % 7), 0, p.words)


def read_date(
    sentence: str | list[Token],
    published: dt.date,
    rules: dict[str, Any] | None = None,
    *,
    text: str = "",
) -> DateReading:
    """
    The date a sentence speaks of, read like a careful reader.

    A weekday is the last such day (on or before publication) in the past tense and the next
    in the future ("will come into force on Thursday"; a future word reaches the date across
    its clause, see :func:`_future`, with ``text`` the sentence when ``sentence`` is given as
    tokens); "3 November" is that day of the year
    that puts it on the right side of publication; a month alone ("In November") is the middle
    of that month with the month as uncertainty, and when it lies before the publication's
    month it is background (see :class:`DateReading`); the rules file's phrases ("last night",
    "next week") count days from publication. When the sentence says when its speaker spoke
    ("..., he said on Sunday"), its other dates count from that day.

    Examples
    --------
    >>> wed = dt.date(2016, 11, 2)
    >>> read_date("The PMU cut the road on Tuesday night.", wed).day
    datetime.date(2016, 11, 1)
    >>> read_date("The truce will start on Thursday.", wed).day
    datetime.date(2016, 11, 3)
    >>> read_date('"We cut it last night," he said on Sunday.', wed).day
    datetime.date(2016, 10, 29)
    """
    rules = rules or news_rules()
    toks = tokens(sentence) if isinstance(sentence, str) else sentence
    text = sentence if isinstance(sentence, str) else text
    found = _date_phrases(toks, rules)
    speech = next((p for p in found if _any(toks, _SPEECH, lo=p.start - 4, hi=p.start)), None)
    base = published
    others = [p for p in found if p is not speech]
    if speech is not None:
        spoke = _resolve(speech, published, future=False)
        if not others:
            # "forces said on Friday they had cut the road": the event is not dated, only
            # the day it was told
            return DateReading(
                spoke.day, spoke.uncertainty_days, f"{spoke.words} {SAID_ONLY}", spoke.background
            )
        base = spoke.day
    if not others:
        unc = int(rules["dates"]["undated_uncertainty_days"])
        return DateReading(published, unc, "")
    first = next((p for p in others if p.kind == "date"), others[0])
    reading = _resolve(first, base, future=_future(toks, first.start, text))
    if speech is not None:
        reading = DateReading(
            reading.day,
            reading.uncertainty_days,
            f"{reading.words} (counted from {speech.words})",
            reading.background,
        )
    return reading


def resolve_date(
    sentence: str, published: dt.date, rules: dict[str, Any] | None = None
) -> tuple[dt.date, int, str]:
    """The date a sentence speaks of, its uncertainty in days, and the words that said it
    (:func:`read_date` as a tuple)."""
    r = read_date(sentence, published, rules)
    return r.day, r.uncertainty_days, r.words


# ----------------------------------------------------------------------------------- roads
def roads_between(network: RoadNetwork, a: Area, b: Area) -> list[str]:
    """The road refs of ``network`` that touch both areas (widened by :data:`ROAD_REACH_M`),
    shortest first."""
    ra = set(network.ref_code[_widened(a).edge_mask(network)].tolist())
    rb = set(network.ref_code[_widened(b).edge_mask(network)].tolist())
    return _by_length(network, ra & rb)


def _widened(area: Area) -> Area:
    if area.point is not None:
        return Area(area.name, point=area.point, radius_m=(area.radius_m or 0) + ROAD_REACH_M)
    return area


def _by_length(network: RoadNetwork, codes: set[int]) -> list[str]:
    codes = {c for c in codes if c >= 0 and network.refs[c]}
    length = {c: float(np.sum(network.length_m[network.ref_code == c])) for c in codes}
    return [network.refs[c] for c in sorted(codes, key=lambda c: (length[c], network.refs[c]))]


#: Compass words: the direction (east, north) each points to.
_COMPASS = {
    "north": (0.0, 1.0), "south": (0.0, -1.0), "east": (1.0, 0.0), "west": (-1.0, 0.0),
    "northeast": (0.7, 0.7), "northwest": (-0.7, 0.7), "southeast": (0.7, -0.7),
    "southwest": (-0.7, -0.7),
}  # fmt: skip


def _road_name_keys(name: str) -> list[tuple[str, ...]]:
    """The word sequences a road name is known by: "Mosul–Tal Afar highway (Syria Gate –
    Badush)" is ("mosul", "tal", "afar", "highway"); "Tal Afar–Sinjar road (Highway 47)" also
    ("highway", "47"). One word alone ("Gwer") is too vague to count."""
    keys = [_phrase(re.sub(r"\([^)]*\)", " ", name))]
    keys += [_phrase(inner) for inner in re.findall(r"\(([^)]*)\)", name)]
    road = set(_phrase(" ".join(news_rules()["road_words"]))) | {"bridge", "street"}
    return [k for k in keys if len(k) >= 2 and set(k) & road]


class RoadFinder:
    """The roads of a scenario's network that a text's road phrase can mean: by the name the
    network gives a road, by the two places it joins, or by the stretch on one side of a place.

    One finder serves one scenario and network (places' roads and names are worked out once)."""

    def __init__(self, scenario: Scenario, network: RoadNetwork) -> None:
        self.scenario = scenario
        self.network = network
        self._touch: dict[str, set[int]] = {}
        self._pairs: dict[tuple[str, str], list[str]] = {}
        self._gaz: NewsGazetteer | None = None
        self._named_places: dict[str, list[tuple[str, set[str]]]] = {}
        names: dict[tuple[str, ...], set[int]] = {}
        pairs = np.unique(np.stack([network.name_code, network.ref_code]), axis=1)
        for nc, rc in pairs.T.tolist():
            if nc < 0 or rc < 0 or not network.refs[rc]:
                continue
            for key in _road_name_keys(network.names[nc]):
                names.setdefault(key, set()).add(rc)
        self.names = sorted(names.items(), key=lambda kv: -len(kv[0]))
        # the names by their first word: a sentence is matched against those it can hold
        self._first: dict[str, list[int]] = {}
        for n, (key, _) in enumerate(self.names):
            if key:
                self._first.setdefault(key[0], []).append(n)

    def touching(self, place: str) -> set[int]:
        """The ref codes of roads within reach of a place."""
        if place not in self._touch:
            area = _widened(self.scenario.places[place].area)
            self._touch[place] = set(self.network.ref_code[area.edge_mask(self.network)].tolist())
        return self._touch[place]

    def between(self, a: str, b: str) -> list[str]:
        """The refs of the roads joining two places, shortest first."""
        if (a, b) not in self._pairs:
            self._pairs[(a, b)] = _by_length(self.network, self.touching(a) & self.touching(b))
        return self._pairs[(a, b)]

    def named(self, toks: list[Token]) -> tuple[str, int, int] | None:
        """The ref of the longest network road name in ``toks`` and where it is (tokens)."""
        words = toks.at if isinstance(toks, Tokens) else {t.low for t in toks}
        chosen = sorted({n for w in words for n in self._first.get(w, ())})
        for key, codes in (self.names[n] for n in chosen):
            hits = _find(toks, key)
            if hits and len(codes) == 1:
                (code,) = codes
                return self.network.refs[code], hits[0], hits[0] + len(key)
        return None

    def code(self, ref: str) -> int:
        return self.network.refs.index(ref)

    def names_of(self, ref: str) -> list[tuple[str, set[str]]]:
        """The network's names of road ``ref``, each with the scenario places it names
        ("Mosul–Tal Afar highway": mosul, tal-afar)."""
        if self._gaz is None:
            self._gaz = NewsGazetteer.of(self.scenario)
        if ref not in self._named_places:
            net = self.network
            codes = np.unique(net.name_code[net.ref_code == self.code(ref)])
            self._named_places[ref] = [
                (
                    net.names[nc],
                    {m.id for m in self._gaz.mentions(tokens(net.names[nc])) if m.kind == "place"},
                )
                for nc in codes.tolist()
                if nc >= 0
            ]
        return self._named_places[ref]

    def rank(self, refs: list[str], a: str, b: str, word: str) -> list[str]:
        """``refs`` (roads joining ``a`` and ``b``) with the likeliest meaning of the text's
        phrase first: a road one of whose names names both places with the text's road word
        ("the highway linking Tal Afar to Mosul": the "Mosul–Tal Afar highway"), then one whose
        name uses that word ("the road between ...": a "... road"); otherwise as given
        (shortest first)."""

        def key(ref: str) -> tuple[bool, bool]:
            names = [
                (n, found, bool(word) and word in _phrase(n)) for n, found in self.names_of(ref)
            ]
            both = any({a, b} <= found and same for _, found, same in names)
            return (not both, not any(same for _, _, same in names))

        return sorted(refs, key=key)

    def next_along(self, ref: str, anchor: str, toward: tuple[float, float]) -> str | None:
        """The nearest scenario place on road ``ref`` that lies from ``anchor`` in the compass
        direction ``toward`` (within 60 degrees of it)."""
        code = self.code(ref)
        home = self.scenario.places[anchor].area
        x0, y0 = home.representative
        k = np.cos(np.radians(y0))
        inside_m = float(home.radius_m or 0.0)
        best: tuple[float, str] | None = None
        for pid, p in self.scenario.places.items():
            if pid == anchor or code not in self.touching(pid):
                continue
            x, y = p.area.representative
            dx, dy = (x - x0) * k, y - y0
            dist = float(np.hypot(dx, dy))
            if dist == 0 or (dx * toward[0] + dy * toward[1]) / dist < 0.5:
                continue
            if dist * 111_320.0 < inside_m:
                continue  # a part of the place itself ("west Mosul" is not west of Mosul)
            if best is None or dist < best[0]:
                best = (dist, pid)
        return best[1] if best else None


#: The words a road phrase ends on ("the main highway"), to match the network's road names.
_ROAD_HEADS = {"road", "highway", "route", "motorway", "bridge", "street", "track"}
#: A bridge carries a road: "blew up the bridge over the Tigris", "destroyed the Freedom
#: Bridge" act on a road (the network's bridge, when one is named so) as "cut the road" does.
_BRIDGE_WORDS = ("bridge", "bridges")


def road_words(rules: dict[str, Any]) -> list[str]:
    """The words that say the target is a road: the rules file's ``road_words`` and
    :data:`_BRIDGE_WORDS`."""
    return _road_words_of(tuple(rules["road_words"]))


@functools.cache
def _road_words_of(words: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys([*words, *_BRIDGE_WORDS]))


def road_target(
    toks: list[Token],
    places: list[Mention],
    finder: RoadFinder | None,
    unresolved: list[str],
) -> dict[str, Any]:
    """
    The ``{ref, between}`` target a road phrase names.

    In order: a road the network names ("the Mosul–Tal Afar highway") wins over a road found
    by its ends; "south of X" takes the stretch of that road (or of a road through X) from X to
    the next scenario place on that side; otherwise the two places named ("the road between X
    and Y") give the shortest road joining them. What could not be settled goes to
    ``unresolved`` and the target stays empty.
    """
    named = finder.named(toks) if finder is not None else None
    if named is not None:
        # "the Mosul-Baghdad highway between Hamam al-Alil and Shura": the places in the road's
        # own name are not the ends of the stretch
        places = [m for m in places if not named[1] <= m.start < named[2]]
    ids = list(dict.fromkeys(m.id for m in places))
    side: tuple[str, tuple[float, float], str] | None = None
    for m in places:
        if m.start >= 2 and toks[m.start - 1].low == "of" and toks[m.start - 2].low in _COMPASS:
            word = toks[m.start - 2].low
            side = (m.id, _COMPASS[word], word)
            break
    if finder is None:
        if len(ids) >= 2:
            unresolved.append(
                f"target: the road between {ids[0]} and {ids[1]} (no network to find it on)"
            )
        else:
            unresolved.append("target: a road (no network to find it on)")
        return {}
    ref = named[0] if named else None
    if side is not None:
        anchor, toward, word = side
        refs = [ref] if ref else _by_length(finder.network, finder.touching(anchor))
        for r in refs:
            other = finder.next_along(r, anchor, toward)
            if other is not None and finder.code(r) in finder.touching(anchor):
                return {"ref": r, "between": [anchor, other]}
        unresolved.append(
            f"target: no scenario place lies {word} of {anchor} on {ref or 'a road through it'}"
        )
        return {}
    if ref is not None:
        ends = [i for i in ids if finder.code(ref) in finder.touching(i)]
        if len(ends) >= 2:
            return {"ref": ref, "between": ends[:2]}
        unresolved.append(
            f"target: the whole of road {ref} (the text names no two scenario places on it); "
            "give `between: [place, place]` to narrow it"
        )
        return {"ref": ref}
    if len(ids) < 2:
        end = f"only {ids[0]} is a scenario place" if ids else "no end is a scenario place"
        unresolved.append(f"target: a road, but {end}")
        return {}
    a, b = ids[0], ids[1]
    refs = finder.between(a, b)
    # "the main highway between Mosul and Tal Afar": a road whose name names both ends first
    word = next((t.low for t in toks if t.low in _ROAD_HEADS), "")
    refs = finder.rank(refs, a, b, word)
    if not refs:
        unresolved.append(f"target: no road of the network joins {a} and {b}")
        return {}
    if len(refs) > 1:
        unresolved.append(
            f"target: {len(refs)} roads join {a} and {b} ({', '.join(refs)}); "
            f"{refs[0]}, the shortest, chosen"
        )
    return {"ref": refs[0], "between": [a, b]}


def road_target_of_text(
    text: str,
    scenario: Scenario,
    finder: RoadFinder | None,
    *,
    gaz: NewsGazetteer | None = None,
    rules: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The road a short text (an ACLED note) names, as ``extract`` reads it, and what stayed
    unresolved; ``({}, [])`` when the text names no road."""
    rules = rules or news_rules()
    toks = tokens(text)
    if not _any(toks, road_words(rules)):
        return {}, []
    gaz = gaz or NewsGazetteer.of(scenario, rules)
    places = [m for m in gaz.mentions(toks) if m.kind == "place"]
    unresolved: list[str] = []
    return road_target(toks, places, finder, unresolved), unresolved


# ------------------------------------------------------------------------------ candidates
@dataclass(frozen=True)
class NewsSource:
    published: dt.date
    outlet: str = ""
    url: str = ""
    title: str = ""


#: What a candidate's sentence does with its action: only ``reported`` and ``claimed`` give
#: kinds that are applied; the others are kept for the analyst.
STANCES = ("reported", "claimed", "intent", "hypothetical", "negated", "denied", "background")


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
        The article (at most :data:`MAX_ARTICLE_CHARS` characters); a wire dateline before the
        first sentence is skipped.
    scenario
        Its places and actors name what the text speaks of.
    source
        The publication date (relative dates resolve against it), outlet, URL.
    network
        The scenario's road network, to resolve road phrases to its roads; without it such
        targets stay unresolved.
    prefix
        The candidates' ids are ``PREFIX-1``, ``PREFIX-2``, ...

    Returns
    -------
    list of Candidate
        One per event: an action restated in several sentences (same kind, target, actor and
        date; a telling that names no target restates a recent event of its kind whatever
        that one acts on) is one candidate whose ``restated`` lists every other quote.

    Raises
    ------
    NewsError
        The text is longer than :data:`MAX_ARTICLE_CHARS`.
    """
    if len(text) > MAX_ARTICLE_CHARS:
        msg = (
            f"the article has {len(text):,} characters, more than the {MAX_ARTICLE_CHARS:,} "
            "corridor reads; split it into articles"
        )
        raise NewsError(msg)
    rules = news_rules()
    gaz = NewsGazetteer.of(scenario, rules)
    finder = RoadFinder(scenario, network) if network is not None else None
    quick = _action_pattern(rules)
    out: list[Candidate] = []
    by_key: dict[tuple[Any, ...], list[Candidate]] = {}
    by_kind: dict[tuple[Any, ...], list[Candidate]] = {}
    skip = dateline_end(text)
    for start, end in sentences(text[skip:]):
        start, end = start + skip, end + skip
        # a dateline opening a later paragraph (after a headline): "BAGHDAD, Nov 4 - ..."
        start += dateline_end(text[start : min(end, start + 200)])
        sentence = text[start:end]
        if not quick.search(sentence):
            continue
        cand = _candidate(sentence, (start, end), scenario, gaz, source, finder, rules)
        if cand is None:
            continue
        key = _merge_key(cand)
        # a restatement follows its event closely: only the last few of a kind are looked at,
        # so that the cost stays linear in the text
        recent = by_key.get(key, [])[-_RESTATED_WITHIN:]
        if key[2] is None:
            # no target of its own ("the ISF took control of the road near Badush"): it may
            # restate any recent event of its kind and class, whatever that one acts on
            recent = by_kind.get(key[:2], [])[-_RESTATED_WITHIN:]
        same = next((c for c in reversed(recent) if _restates(c, cand)), None)
        if same is not None:
            _merge(same, cand)
            _, action, word = [*same.rule.split(" (")[0].split(":"), "", ""][:3]
            stance = str(same.extra.get("stance"))
            same.summary = _summary(gaz, same.actor, action, word, same.target, stance, finder)
            continue
        cand.id = f"{prefix}-{len(out) + 1}"
        out.append(cand)
        by_key.setdefault(key, []).append(cand)
        by_kind.setdefault(key[:2], []).append(cand)
    return out


@functools.cache
def _action_pattern_of(words: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted({r"\W+".join(map(re.escape, _phrase(w))) for w in words}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.IGNORECASE)


def _action_pattern(rules: dict[str, Any]) -> re.Pattern[str]:
    """One pattern for every action word: a sentence without one is passed over at C speed."""
    words = [w for ws in rules["actions"].values() for w in ws] + list(rules["road_actions"])
    words += list(_DEPARTURES)
    return _action_pattern_of(tuple(words))


#: How many earlier candidates of the same kind and target a sentence may restate.
_RESTATED_WITHIN = 8


def _merge_key(c: Candidate) -> tuple[Any, ...]:
    """What two restatements of one event share: the kind, whether it is applied (reported and
    claimed are one class), and what it acts on (the road's ref, the place; none when the
    target is unresolved)."""
    stance = c.extra.get("stance")
    group = "applied" if stance in ("reported", "claimed") else stance
    return (c.kind, group, c.target.get("ref") or c.target.get("place"))


def _own_date(c: Candidate) -> bool:
    """Whether the sentence dates its event (not only the day it was said)."""
    words = c.extra.get("date_words") or ""
    return bool(words) and not words.endswith(SAID_ONLY)


def _restates(first: Candidate, later: Candidate) -> bool:
    """Whether ``later`` (same :func:`_merge_key`) tells ``first``'s event again: the same date,
    or no date of its own in one of them; actors that do not differ; a stretch (``between``)
    that does not differ."""
    undated = not _own_date(first) or not _own_date(later)
    if first.date != later.date and not undated:
        return False
    if first.actor and later.actor and first.actor != later.actor:
        return False
    a, b = first.target.get("between"), later.target.get("between")
    return not (a and b and sorted(map(str, a)) != sorted(map(str, b)))


def _merge(into: Candidate, other: Candidate) -> None:
    """Fold a restatement of ``into``'s event into it: its quote, offsets and what it adds."""
    into.extra.setdefault("restated", []).append(
        {"quote": other.quote, "offsets": other.extra["offsets"], "rule": other.rule}
    )
    if into.actor is None and other.actor is not None:
        into.actor = other.actor
        into.unresolved = [u for u in into.unresolved if not u.startswith("actor:")]
    if other.target.get("between") and not into.target.get("between"):
        into.target = dict(other.target)  # the restatement names the stretch
    if not _own_date(into) and _own_date(other):
        into.date, into.date_uncertainty_days = other.date, other.date_uncertainty_days
        into.extra["date_words"] = other.extra["date_words"]
        into.unresolved = [u for u in into.unresolved if not u.startswith("date:")]
    into.confidence = max(into.confidence, other.confidence)
    into.date_uncertainty_days = min(into.date_uncertainty_days, other.date_uncertainty_days)


@functools.cache
def _action_words(
    actions: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[str, tuple[str, ...], str]]:
    """(kind, phrase, words) of every action word, longest first within each kind."""
    return [
        (kind, _phrase(w), w)
        for kind, words in actions
        for w in sorted(words, key=lambda w: -len(_phrase(w)))
        if _phrase(w)
    ]


def _action(toks: list[Token], rules: dict[str, Any]) -> tuple[int, str, str] | None:
    """The first action in the sentence: (token index, kind, the words). "Took control of" or
    "reached" followed by a road word is a closure of that road."""
    best: tuple[int, str, str] | None = None
    at = toks.at if isinstance(toks, Tokens) else None
    for kind, key, w in _action_words(tuple((k, tuple(ws)) for k, ws in rules["actions"].items())):
        if at is not None and key[0] not in at:
            continue
        hits = _find(toks, key)
        if hits and (best is None or hits[0] < best[0]):
            best = (hits[0], kind, w)
    for w in rules["road_actions"]:
        key = _phrase(w)
        for i in _find(toks, key):
            if best is not None and i >= best[0] and best[1] != "zone":
                break
            j = i + len(key)
            if _any(toks, rules["road_words"], lo=j, hi=j + 5):
                if best is None or i <= best[0]:
                    best = (i, "close", w)
                break
    return best


#: Nouns of action by their ending ("evacuation", "displacement", "closure", "capture").
_NOUN_ENDINGS = ("tion", "ment", "ure")
_DETERMINERS = {"the", "a", "an", "its", "their", "this", "that", "planned", "promised"}


def _nominal(toks: list[Token], at: int) -> bool:
    """Whether the action at ``at`` is a noun ("the planned evacuation", "Cutting off the
    road", "the capture of") rather than a verb with a subject."""
    word = toks[at].low
    before = toks[at - 1].low if at else ""
    if word.endswith(_NOUN_ENDINGS):
        return True
    if word.endswith("ing") and (at == 0 or before in _DETERMINERS):
        return True
    return at + 1 < len(toks) and toks[at + 1].low == "of" and before in _DETERMINERS


def _clause_end(toks: list[Token], sentence: str, at: int) -> int:
    """The token after the last one of the clause holding ``at`` (a comma or "because",
    "but", "after" ends it)."""
    for i in range(at + 1, len(toks)):
        if toks[i].low in ("because", "but", "while", "after", "although", "as"):
            return i
        if "," in sentence[toks[i - 1].start + len(toks[i - 1].text) : toks[i].start]:
            return i
    return len(toks)


def _stance(toks: list[Token], at: int, sentence: str, rules: dict[str, Any]) -> tuple[str, str]:
    """The stance of the action at token ``at`` and the words that gave it."""
    clause = _clause_start(toks, at)
    denial = _any(toks, rules["denials"], lo=0, hi=at)
    if denial:
        return "denied", denial
    if _nominal(toks, at):
        # what the clause says of a named action: "the planned evacuation never began", "an
        # evacuation corridor is due to open"
        after = rules.get("after_nominal") or {}
        end = _clause_end(toks, sentence, at)
        said = _any(toks, after.get("negated") or [], lo=at + 1, hi=end)
        if said:
            return "negated", said
        said = _any(toks, after.get("intent") or [], lo=at + 1, hi=end)
        if not said and toks[at].low.endswith(_NOUN_ENDINGS):
            said = _any(toks, ["will", "would"], lo=at + 1, hi=end)  # "the evacuation will"
        if said or (at and toks[at - 1].low in ("planned", "promised")):
            return "intent", said or toks[at - 1].low
    negation = _any(toks, rules["negations"], lo=max(clause, at - 6), hi=at)
    if negation or re.search(r"n['’]t\b", sentence[toks[clause].start : toks[at].start]):
        return "negated", negation or "n't"
    hypo = _any(toks, ["if", "unless", "whether"], lo=0, hi=at) or _any(
        toks, [h for h in rules["hypotheticals"] if h != "if"], lo=at - 3, hi=at
    )
    if hypo:
        return "hypothetical", hypo
    # a nominal action ("Retaking Tal Afar", "the capture of Badush") followed by "will" is a
    # consequence foreseen, not news
    nominal = toks[at].low.endswith("ing") and (at == 0 or toks[at - 1].low in ("the", "a"))
    nominal = nominal or (
        at + 1 < len(toks) and toks[at + 1].low == "of" and at > 0 and toks[at - 1].low == "the"
    )
    if nominal and _any(toks, ["will", "would", "could"], lo=at + 1):
        return "hypothetical", "consequence"
    # an intention word of an earlier clause does not reach the action: "troops will withdraw
    # after they closed the road" reports the closing
    intent = _any(toks, rules["intent"], lo=_clause_from(toks, at, max(0, at - 8)), hi=at)
    if intent:
        return "intent", intent
    state = _any(toks, rules.get("states") or [], lo=at - 2, hi=at)
    if state:
        return "background", f"a state ({state} {toks[at].text})"
    claim = _any(toks, rules["claims"])
    if claim:
        return "claimed", claim
    return "reported", ""


_ARMY_WORDS = {"army", "troops", "soldiers"}
_QUOTES = '"“”'


def _speaker(toks: list[Token], at: int, sentence: str, actors: list[Mention]) -> str | None:
    """The actor who speaks of itself in a quotation ("'We cut the road,' a PMF spokesman
    said"): the first actor named after the closing quote, when the action is inside the
    quotation and its subject is "we"."""
    if not sentence or sentence[0] not in _QUOTES + "‘'":
        return None
    close = min((i for i in (sentence.find(q, 1) for q in _QUOTES + "’") if i > 0), default=-1)
    if close < 0 or toks[at].start > close:
        return None
    if not any(t.low in ("we", "our", "us") for t in toks[:at]):
        return None
    after = [m for m in actors if toks[m.start].start > close]
    return after[0].id if after else None


def _past_perfect(toks: list[Token], at: int) -> bool:
    """Whether the action at ``at`` is in the past perfect ("had cut", "had been sealed",
    "had already reached") outside reported speech ("said it had cut" is a claim)."""
    lows = [t.low for t in toks[max(0, at - 3) : at]]
    if "had" not in lows:
        return False
    had = at - len(lows) + lows.index("had")
    return not any(t.low in _SPEECH or t.low == "that" for t in toks[max(0, had - 6) : had])


#: Verbs of leaving: people leaving a scenario place ("buses carrying families left Harasta")
#: are a movement of population, when the place follows the verb.
_DEPARTURES = ("left", "leave", "leaving", "departed", "depart", "departing", "exited")
#: Words allowed between a verb of leaving and its place ("left the eastern districts of").
_BEFORE_PLACE = {"the", "eastern", "western", "northern", "southern", "besieged", "rebel",
                 "held", "town", "city", "of", "districts", "district", "camp"}  # fmt: skip


#: Words after "leave X" that make it a state caused ("the deal leaves Douma cut off").
_LEFT_IN_STATE = {"cut", "besieged", "surrounded", "encircled", "isolated", "without", "exposed",
                  "open", "closed", "sealed", "trapped", "stranded", "vulnerable", "alone",
                  "under"}  # fmt: skip


def _departure(toks: list[Token], mentions: list[Mention]) -> tuple[int, str, str] | None:
    """The first verb of leaving whose object is a scenario place ("left Harasta", "leave the
    besieged town of Douma"): (token index, "population", the verb). Not when a scenario actor
    is the verb's subject ("Russian troops left Manhush" is a withdrawal, not people fleeing)
    nor when the place is not the verb's object ("leaving the highway through Badush")."""
    places = {m.start: m for m in mentions if m.kind == "place"}
    actor_ends = {m.end for m in mentions if m.kind == "actor"}
    for i, t in enumerate(toks):
        if t.low not in _DEPARTURES:
            continue
        j = i + 1  # the place may start on a word of _BEFORE_PLACE too ("Eastern Aleppo")
        while j not in places and j < len(toks) and j - i <= 5 and toks[j].low in _BEFORE_PLACE:
            j += 1
        if j not in places:
            continue
        after = places[j].end
        state = [x.low for x in toks[after : after + 2]]
        if state[:1] and (state[0] in _LEFT_IN_STATE or state == ["in", "ruins"]):
            continue  # "will leave Douma cut off": a state it causes, not a departure
        if i in actor_ends or (i - 1) in actor_ends or (i and toks[i - 1].low in _ARMY_WORDS):
            continue
        return i, "population", t.text.lower()
    return None


_CONTRASTS = frozenset({"but", "while", "although", "whereas"})


def _clause_start(toks: list[Token], at: int) -> int:
    """The first token of the clause holding token ``at`` ("but", "while" start a clause)."""
    return _clause_from(toks, at, words=_CONTRASTS)


def _candidate(
    sentence: str,
    offsets: tuple[int, int],
    scenario: Scenario,
    gaz: NewsGazetteer,
    source: NewsSource,
    finder: RoadFinder | None,
    rules: dict[str, Any],
) -> Candidate | None:
    toks = tokens(sentence)
    found = _action(toks, rules)
    mentions: list[Mention] | None = None
    if _any(toks, list(_DEPARTURES)):
        mentions = gaz.mentions(toks)
        left = _departure(toks, mentions)
        if left is not None and (found is None or left[0] < found[0]):
            found = left
    if found is None:
        return None
    at, kind, word = found
    stance, why = _stance(toks, at, sentence, rules)
    if stance in ("negated", "denied", "hypothetical"):
        return None  # what did not happen, or might: no event, not even for review
    conf_rules = rules["confidence"]
    if mentions is None:
        mentions = gaz.mentions(toks)
    actors = [m for m in mentions if m.kind == "actor"]
    subject = [m for m in actors if m.start < at]
    # the doer names itself before the action; a name after it is what is acted on
    actor = subject[-1].id if subject else _speaker(toks, at, sentence, actors)
    if actor is None and gaz.army and {t.low for t in toks[max(0, at - 3) : at]} & _ARMY_WORDS:
        actor = gaz.army  # "the army", "troops": the scenario's one army
    every_place = [m for m in mentions if m.kind == "place"]
    places = [m for m in every_place if m.start > at] or every_place
    unresolved: list[str] = []
    if actor is None:
        unresolved.append("actor: no scenario actor is named before the action")
    # the road acted on follows the action, or (passive) precedes it: "the bridge on the
    # Shire road was destroyed"
    passive = at > 0 and toks[at - 1].low in ("was", "were", "been", "is", "are")
    roadish = _any(toks, road_words(rules), lo=at) or (
        passive and _any(toks, road_words(rules), hi=at)
    )
    target: dict[str, Any] = {}
    ids = list(dict.fromkeys(m.id for m in places))
    if roadish and kind in ("close", "reopen"):
        if len(ids) < 2:
            places = every_place  # "reached Mekelle after the army opened the road from Semera"
        said: list[str] = []
        target = road_target(toks, places, finder, said)
        bridge_only = roadish in _BRIDGE_WORDS and not _any(toks, rules["road_words"])
        if not target and bridge_only and ids:
            # "blew up the bridge at Badush": no network road is that bridge, the crossing
            # at the place is
            target = {"place": ids[0]}
            said = [f"target: a bridge at {ids[0]} (no road of the network is named so)"]
        unresolved += said
    elif ids:
        target = {"place": ids[0]}
    else:
        unresolved.append("target: the sentence names no scenario place")
    named = finder.named(toks) if finder is not None and roadish else None
    if named is not None:  # "the Old Bridge" is the network's name, not an unknown one
        mentions = [*mentions, Mention("road", named[0], named[1], named[2], "")]
    unresolved += _unknown_names(toks, mentions, sentence)
    when = read_date(toks, source.published, rules, text=sentence)
    if not when.words:
        unresolved.append(
            f"date: none in the sentence; the publication date ±{when.uncertainty_days} days"
        )
    if stance in ("reported", "claimed") and when.background:
        stance, why = "background", when.words
    elif stance in ("reported", "claimed") and not when.words and _past_perfect(toks, at):
        stance, why = "background", "past perfect, no date of its own"
    if kind == "population":
        unresolved.append("value: give the number of people")
    confidence = float(conf_rules["report"])
    if stance == "claimed":
        confidence -= float(conf_rules["claim_penalty"])
    rule = f"news:{kind}:{word}"
    action = kind
    if stance == "intent":
        rule += f" (intent: {why})"
        kind = "intent"
        confidence = float(conf_rules["intent"])
    elif stance == "claimed":
        rule += f" (claim: {why})"
    elif stance == "background":
        rule += f" (background: {why})"
        confidence = float(conf_rules["background"])
    return Candidate(
        id="",
        kind=kind,
        date=when.day,
        date_uncertainty_days=when.uncertainty_days,
        actor=actor,
        target=target,
        confidence=round(confidence, 2),
        quote=sentence,
        summary=_summary(gaz, actor, action, word, target, stance, finder),
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
        extra={"stance": stance, "offsets": list(offsets), "date_words": when.words or None},
    )


def _summary(
    gaz: NewsGazetteer,
    actor: str | None,
    kind: str,
    word: str,
    target: dict[str, Any],
    stance: str,
    finder: RoadFinder | None,
) -> str:
    """A line saying who did what to which road or place, e.g. "Popular Mobilization Units cut
    road R2 (Tal Afar–Sinjar road) between Tal Afar and Sinjar"."""
    who = gaz.labels.get(actor or "", "An unnamed actor")
    label = gaz.labels.get
    if "ref" in target:
        name = ""
        if finder is not None and target["ref"] in finder.network.refs:
            code = finder.code(target["ref"])
            nc = finder.network.name_code[finder.network.ref_code == code]
            if len(nc) and nc[0] >= 0:
                name = re.sub(r"\s*\([^)]*\)", "", finder.network.names[int(nc[0])]).strip()
        what = f"road {target['ref']}" + (f" ({name})" if name else "")
        if target.get("between"):
            a, b = (label(str(p), str(p)) for p in target["between"])
            what += f" between {a} and {b}"
    elif "place" in target:
        what = label(str(target["place"]), str(target["place"]))
    else:
        what = {"close": "a road", "reopen": "a road", "population": "people"}.get(kind, "ground")
    verb = {"intent": "means to", "background": "earlier:"}.get(stance, "")
    return " ".join(x for x in (who, verb, word, what) if x)


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
    stop = {"The", "A", "An", "On", "In", "It", "They", "He", "She", "We", "Thursday", "I"}
    stop |= {d.capitalize() for d in _WEEKDAYS} | {m.capitalize() for m in _MONTHS}
    return [f"name: {n!r} is no scenario place or actor" for n in names if n not in stop]


def news_review(candidates: list[Candidate], scenario: Scenario, origin: str) -> Review:
    """A review file of news candidates."""
    return Review(scenario=str(scenario.path), origin=origin, candidates=candidates)
