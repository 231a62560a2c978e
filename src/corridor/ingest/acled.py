"""ACLED exports: read the CSV and turn the rows about a scenario into candidate events.

The columns are ACLED's (``event_id_cnty,event_date,...,notes,fatalities,tags,timestamp``), in
any order, with any extra columns, and with the older names too (``ally_actor_1`` for
``assoc_actor_1``, upper-case headers, a UTF-8 byte-order mark, ``dd-mm-yyyy`` or
``dd Month yyyy`` dates). Every rule that decides a candidate's kind, date range, radius and
confidence is in the data file ``corridor/data/rules/acled.yaml``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from corridor.errors import AcledError, InputFileError
from corridor.ingest.news import NewsGazetteer, RoadFinder, road_target_of_text
from corridor.ingest.review import Candidate, Review, unique_id
from corridor.model.areas import haversine_m
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Event, Place, Scenario
from corridor.model.timeline import in_window

#: Bad rows named in full in one error message; the rest are counted.
SHOWN_BAD_ROWS = 3


# ------------------------------------------------------------------------------------ columns
#: Each field corridor reads, with the column names ACLED has used for it (first: current).
COLUMNS: dict[str, tuple[str, ...]] = {
    "event_id": ("event_id_cnty", "event_id", "data_id"),
    "event_date": ("event_date",),
    "time_precision": ("time_precision",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "actor1": ("actor1",),
    "assoc_actor_1": ("assoc_actor_1", "ally_actor_1"),
    "actor2": ("actor2",),
    "assoc_actor_2": ("assoc_actor_2", "ally_actor_2"),
    "country": ("country",),
    "admin1": ("admin1",),
    "location": ("location",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "geo_precision": ("geo_precision",),
    "source": ("source",),
    "notes": ("notes",),
    "fatalities": ("fatalities",),
    "timestamp": ("timestamp",),
}
REQUIRED = ("event_id", "event_date", "event_type", "actor1", "latitude", "longitude")


@dataclass(frozen=True)
class AcledRow:
    """One ACLED event, as corridor uses it. ``line`` is its line in the CSV file."""

    line: int
    event_id: str
    date: dt.date
    time_precision: int
    event_type: str
    sub_event_type: str
    actors1: tuple[str, ...]  # actor1, then its associated actors
    actors2: tuple[str, ...]
    location: str
    lon: float
    lat: float
    geo_precision: int
    source: str
    notes: str
    fatalities: int = 0
    country: str = ""
    admin1: str = ""
    timestamp: int | None = None  # ACLED's last change of the row (seconds since 1970)

    @property
    def n_sources(self) -> int:
        return len([s for s in self.source.split(";") if s.strip()])


def _header_map(header: Sequence[str], path: Path) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    found: dict[str, int] = {}
    for key, options in COLUMNS.items():
        for opt in options:
            if opt in names:
                found[key] = names.index(opt)
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in found]
    if missing:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        msg = (
            f"{path}:1: not an ACLED export: no column {', '.join(missing)} (the header has "
            f"{shown}); export the events as CSV with ACLED's column names"
        )
        raise AcledError(msg)
    return found


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d %B %Y", "%d-%B-%Y", "%Y/%m/%d", "%d/%m/%Y")


def _date(text: str) -> dt.date:
    text = text.strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    msg = f"event_date {text!r} is not a date (YYYY-MM-DD, as ACLED exports it)"
    raise ValueError(msg)


def _code(text: str, name: str, default: int) -> int:
    if not text.strip():
        return default
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if value not in (1, 2, 3):
        msg = f"{name} {text!r} is not one of ACLED's codes 1, 2, 3"
        raise ValueError(msg)
    return value


def _coordinate(text: str, name: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        msg = f"{name} {text!r} is not a number"
        raise ValueError(msg) from None
    if not math.isfinite(value) or abs(value) > limit:
        msg = f"{name} {text!r} is outside [-{limit:g}, {limit:g}]"
        raise ValueError(msg)
    return value


def _names(*cells: str) -> tuple[str, ...]:
    out: list[str] = []
    for cell in cells:
        out += [n.strip() for n in cell.split(";") if n.strip()]
    return tuple(out)


def read_acled(path: Path) -> list[AcledRow]:
    """
    Read an ACLED CSV export.

    Parameters
    ----------
    path
        The CSV file, as ACLED exports it (any column order, extra columns allowed).

    Returns
    -------
    list of AcledRow
        Every row, in file order (:func:`iter_acled` reads them one at a time instead).

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.
    AcledError
        A required column is missing, or rows are not valid: one line naming the first few by
        their line in the file and event id.
    """
    return list(iter_acled(path))


#: The longest field corridor reads in an ACLED export (characters); ACLED's notes are a few
#: hundred characters, so a longer one means the file is not what it seems.
MAX_FIELD_CHARS = 128 * 1024


def iter_acled(path: Path) -> Iterator[AcledRow]:
    r"""
    The rows of an ACLED CSV export, read one at a time (memory does not grow with the file).

    Bad rows are collected as the file is read and reported together, in one
    :class:`AcledError` line, once the last row has been read; a field longer than
    :data:`MAX_FIELD_CHARS` or text that is not UTF-8 stops the reading at once with one line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text(
    ...     "event_id_cnty,event_date,event_type,actor1,latitude,longitude\n"
    ...     "IRQ1,2016-11-23,Battles,PMF,36.37,42.44\n")
    >>> [r.event_id for r in iter_acled(d / "a.csv")]
    ['IRQ1']
    """
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        msg = f"{path}: no such ACLED export; check the path"
        raise InputFileError(msg) from None
    except OSError as exc:
        msg = f"{path}: cannot read it ({exc.strerror or exc})"
        raise InputFileError(msg) from None
    with handle:
        old_limit = csv.field_size_limit(MAX_FIELD_CHARS)
        reader = csv.reader(handle)
        try:
            yield from _rows(path, reader)
        except csv.Error as exc:
            line = max(1, reader.line_num)
            msg = (
                f"{path}:{line}: not a CSV row corridor can read ({exc}); an ACLED field is "
                f"at most a few hundred characters (corridor reads up to {MAX_FIELD_CHARS:,}): "
                "check that the file is an ACLED export and that its quotes are balanced"
            )
            raise AcledError(msg) from None
        except UnicodeDecodeError as exc:
            msg = f"{path}: not UTF-8 text (byte {exc.start} of a block); save the export as UTF-8 CSV"
            raise AcledError(msg) from None
        except OSError as exc:
            msg = f"{path}: cannot read it ({exc.strerror or exc})"
            raise InputFileError(msg) from None
        finally:
            csv.field_size_limit(old_limit)


def _rows(path: Path, reader: Any) -> Iterator[AcledRow]:
    try:
        header = next(reader)
    except StopIteration:
        msg = f"{path}: empty file; export the events as CSV with a header row"
        raise AcledError(msg) from None
    cols = _header_map(header, path)
    width = len(header)
    bad: list[str] = []
    for cells in reader:
        line = reader.line_num
        if not any(cells) or not any(c.strip() for c in cells):
            continue
        get = _getter(cells, cols)
        try:
            if len(cells) < width:
                msg = f"{len(cells)} cells where the header has {width}"
                raise ValueError(msg)
            row = _row(line, get)
        except ValueError as exc:
            if len(bad) < SHOWN_BAD_ROWS:
                eid = get("event_id")
                bad.append(f"{path}:{line}" + (f" (event {eid})" if eid else "") + f": {exc}")
            else:
                bad.append("")
            continue
        yield row
    if bad:
        more = f" (and {len(bad) - 1} more bad rows)" if len(bad) > 1 else ""
        msg = f"{bad[0]}{more}; fix or delete the row"
        raise AcledError(msg)


def _getter(cells: Sequence[str], cols: dict[str, int]) -> Any:
    def get(key: str) -> str:
        i = cols.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    return get


def _row(line: int, get: Any) -> AcledRow:
    if not get("event_id"):
        msg = "event_id_cnty is empty"
        raise ValueError(msg)
    fatalities = get("fatalities")
    stamp = get("timestamp")
    if stamp and not stamp.isdigit():
        msg = f"timestamp {stamp[:40]!r} is not a whole number of seconds since 1970"
        raise ValueError(msg)
    return AcledRow(
        line=line,
        event_id=get("event_id"),
        date=_date(get("event_date")),
        time_precision=_code(get("time_precision"), "time_precision", 1),
        event_type=get("event_type"),
        sub_event_type=get("sub_event_type"),
        actors1=_names(get("actor1"), get("assoc_actor_1")),
        actors2=_names(get("actor2"), get("assoc_actor_2")),
        location=get("location"),
        lat=_coordinate(get("latitude"), "latitude", 90),
        lon=_coordinate(get("longitude"), "longitude", 180),
        geo_precision=_code(get("geo_precision"), "geo_precision", 1),
        source=get("source"),
        notes=get("notes"),
        fatalities=int(fatalities) if fatalities.isdigit() else 0,
        country=get("country"),
        admin1=get("admin1"),
        timestamp=int(stamp) if stamp else None,
    )


# -------------------------------------------------------------------------------------- rules
@functools.cache
def acled_rules() -> dict[str, Any]:
    """The rules of ``corridor/data/rules/acled.yaml`` (kinds, precisions, confidence)."""
    text = resources.files("corridor").joinpath("data/rules/acled.yaml").read_text("utf-8")
    rules: dict[str, Any] = yaml.safe_load(text)
    return rules


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def _strip_parens(text: str) -> str:
    return re.sub(r"\([^)]*\)", " ", text).strip()


def _has_phrase(haystack: str, phrase: str) -> bool:
    """Whether the normalised ``phrase`` occurs in the normalised ``haystack`` as whole words."""
    p = _norm(phrase)
    return bool(p) and f" {p} " in f" {haystack} "


def kind_of(row: AcledRow, rules: dict[str, Any] | None = None) -> tuple[str, str]:
    """The candidate kind of ``row`` and the name of the rule that gave it."""
    rules = rules or acled_rules()
    notes = _norm(row.notes)
    for rule in rules["kinds"]:
        if "event_type" in rule and row.event_type.lower() not in {
            t.lower() for t in rule["event_type"]
        }:
            continue
        if "sub_event_type" in rule and row.sub_event_type.lower() not in {
            t.lower() for t in rule["sub_event_type"]
        }:
            continue
        if "notes_any" in rule and not any(_has_phrase(notes, w) for w in rule["notes_any"]):
            continue
        if "notes_also" in rule and not any(_has_phrase(notes, w) for w in rule["notes_also"]):
            continue
        return str(rule["kind"]), str(rule["name"])
    return "other", "other"


def confidence_of(row: AcledRow, rules: dict[str, Any] | None = None) -> tuple[float, str]:
    """The confidence of a candidate from ``row`` and how it was reached, from the rules."""
    c = (rules or acled_rules())["confidence"]
    t = float(c["time_precision"][row.time_precision])
    g = float(c["geo_precision"][row.geo_precision])
    n = max(1, min(3, row.n_sources))
    s = float(c["sources"][n])
    value = min(float(c["max"]), max(float(c["min"]), float(c["base"]) + t + g + s))
    how = (
        f"base {c['base']} {t:+g} (time_precision {row.time_precision}) {g:+g} (geo_precision "
        f"{row.geo_precision}) {s:+g} ({row.n_sources} source{'s' if row.n_sources != 1 else ''})"
    )
    return round(value, 2), how


# ------------------------------------------------------------------------------------ matching
@dataclass
class Gazetteer:
    """The scenario's actors and places by every name they go by (normalised)."""

    actors: dict[str, str] = field(default_factory=dict)  # name -> actor id
    places: dict[str, str] = field(default_factory=dict)  # name -> place id

    @classmethod
    def of(cls, scenario: Scenario) -> Gazetteer:
        g = cls()
        for a in scenario.actors.values():
            names = [a.id, a.name, _strip_parens(a.name), *a.aliases]
            names += re.findall(r"\(([^)]*)\)", a.name)
            for n in names:
                if _norm(n):
                    g.actors.setdefault(_norm(n), a.id)
        for p in scenario.places.values():
            for n in [p.id, p.name, _strip_parens(p.name), *p.aliases]:
                if _norm(n):
                    g.places.setdefault(_norm(n), p.id)
        return g

    def actor(self, name: str, rules: dict[str, Any] | None = None) -> str | None:
        """The scenario actor an ACLED actor name stands for, or None: the whole name (with or
        without its part in parentheses), else the longest scenario name of two words or more
        inside it ("... 9th Division"), else the rules' other names for it."""
        for t in (name, _strip_parens(name)):
            if _norm(t) in self.actors:
                return self.actors[_norm(t)]
        best = max(
            (k for k in self.actors if " " in k and _has_phrase(_norm(name), k)),
            key=len,
            default=None,
        )
        if best:
            return self.actors[best]
        for acled_name, more in ((rules or acled_rules()).get("actor_names") or {}).items():
            if _has_phrase(_norm(name), acled_name):
                for t in more:
                    if _norm(t) in self.actors:
                        return self.actors[_norm(t)]
        return None


def _place_at(scenario: Scenario, gaz: Gazetteer, row: AcledRow) -> tuple[Place | None, str]:
    """The scenario place a row's location names, or whose area holds its coordinates."""
    named = gaz.places.get(_norm(row.location))
    if named:
        return scenario.places[named], "name"
    import shapely

    inside: list[tuple[float, Place]] = []
    for p in scenario.places.values():
        a = p.area
        if a.point is not None:
            if float(haversine_m(row.lon, row.lat, *a.point)) <= float(a.radius_m or 0):
                inside.append((float(a.radius_m or 0), p))
        elif a.polygon is not None and shapely.intersects_xy(a.polygon, row.lon, row.lat):
            inside.append((float(a.polygon.area) * 1e10, p))
    if inside:
        return min(inside, key=lambda t: t[0])[1], "coordinates"
    return None, ""


def circle_ring(lon: float, lat: float, radius_m: float, n: int = 16) -> list[list[float]]:
    """A closed ring of ``n`` points approximating a circle (``[lon, lat]``, 5 decimals)."""
    k = math.pi / 180 * 6_371_008.8
    ring = [
        [
            round(lon + radius_m * math.cos(a) / (k * math.cos(math.radians(lat))), 5),
            round(lat + radius_m * math.sin(a) / k, 5),
        ]
        for a in (2 * math.pi * i / n for i in range(n))
    ]
    return [*ring, ring[0]]


# ------------------------------------------------------------------------------------- filters
def in_area(
    row: AcledRow,
    *,
    bounds: tuple[float, float, float, float] | None,
    places: Iterable[Place] = (),
    radius_km: float | None = None,
) -> bool:
    """Whether a row lies in the network's ``bounds`` or, with ``radius_km``, that close to a
    scenario place."""
    if radius_km is not None:
        return any(
            float(haversine_m(row.lon, row.lat, *p.area.representative)) <= radius_km * 1000
            for p in places
        )
    if bounds is None:
        return True
    minx, miny, maxx, maxy = bounds
    return minx <= row.lon <= maxx and miny <= row.lat <= maxy


# ---------------------------------------------------------------------------------- candidates
def candidate_of(
    row: AcledRow,
    scenario: Scenario,
    gaz: Gazetteer,
    rules: dict[str, Any] | None = None,
    *,
    roads: RoadFinder | None = None,
    news_gaz: NewsGazetteer | None = None,
) -> tuple[Candidate, list[str]]:
    """The candidate event a row stands for, and the ACLED actor names no scenario actor
    matches.

    A closure whose notes name a road ("blocked the road between Tal Afar and Sinjar") targets
    that road as ``corridor extract`` reads the same words (:func:`road_target_of_text`, with
    ``roads`` the scenario network's :class:`RoadFinder`); otherwise, or when the road cannot
    be settled, a circle of the location's precision around ACLED's point."""
    rules = rules or acled_rules()
    kind, rule = kind_of(row, rules)
    confidence, how = confidence_of(row, rules)
    radius = float(rules["radius_m"][row.geo_precision])
    unresolved: list[str] = []
    unmatched: list[str] = []
    matched = {n: gaz.actor(n, rules) for n in (*row.actors1, *row.actors2)}
    unmatched = [n for n, a in matched.items() if a is None]
    actor = next((matched[n] for n in row.actors1 if matched[n]), None)
    if actor is None:
        who = ", ".join(row.actors1) or "none given"
        unresolved.append(f"actor: no scenario actor matches ACLED's actor1 ({who})")
    place, how_place = _place_at(scenario, gaz, row)
    point = [round(row.lon, 5), round(row.lat, 5)]
    target: dict[str, Any]
    if kind == "zone":
        target = (
            {"place": place.id} if place else {"polygon": circle_ring(row.lon, row.lat, radius)}
        )
    elif kind == "population":
        target = {"place": place.id} if place else {}
        if place is None:
            unresolved.append(f"target: no scenario place at {row.location!r}")
        unresolved.append("value: ACLED gives no number of people; fill `value`")
    else:
        target = {"point": point, "radius_m": int(radius)}
        road, why = road_target_of_text(row.notes, scenario, roads, gaz=news_gaz)
        if road:
            target = road
        elif why:
            unresolved += [f"{w}; kept the {int(radius)} m circle at ACLED's point" for w in why]
    where = row.location or f"{row.lat}, {row.lon}"
    cand = Candidate(
        id=f"acled-{re.sub(r'[^0-9a-z]+', '-', row.event_id.lower()).strip('-')}",
        kind=kind,
        date=row.date,
        date_uncertainty_days=int(rules["date_uncertainty_days"][row.time_precision]),
        actor=actor,
        target=target,
        confidence=confidence,
        summary=f"{row.sub_event_type or row.event_type} at {where} (ACLED)",
        quote=row.notes,
        source={
            "outlet": f"ACLED ({row.source})" if row.source else "ACLED",
            "title": f"ACLED event {row.event_id}: {row.event_type} / {row.sub_event_type}, "
            f"{where}",
            "date": row.date,
        },
        rule=f"acled:{rule}",
        unresolved=unresolved,
        extra={
            "confidence_rule": how,
            "location": {
                "name": row.location,
                "point": point,
                "radius_m": int(radius),
                "place": place.id if place else None,
                "matched_by": how_place or None,
            },
            "acled": {
                "event_id": row.event_id,
                "line": row.line,
                "event_type": row.event_type,
                "sub_event_type": row.sub_event_type,
                "actors": [*row.actors1, *row.actors2],
                "time_precision": row.time_precision,
                "geo_precision": row.geo_precision,
                "fatalities": row.fatalities,
                "timestamp": row.timestamp,
                "digest": row_digest(row),
            },
        },
    )
    cand.duplicate_of = duplicate_of(cand, scenario, place)
    return cand, unmatched


def row_digest(row: AcledRow) -> str:
    """A short digest of what corridor reads of a row (not its line or timestamp): a re-import
    tells a row changed upstream from a candidate the analyst edited."""
    import hashlib

    cells = [getattr(row, f.name) for f in fields(row) if f.name not in ("line", "timestamp")]
    return hashlib.sha256(repr(cells).encode("utf-8")).hexdigest()[:16]


def _event_geometry(scenario: Scenario, e: Event) -> Any:
    import shapely

    if e.zone is not None:
        return e.zone
    if e.closure is not None:
        c = e.closure
        if c.area is not None:
            return c.area.geometry()
        if c.between is not None:
            return shapely.LineString([c.between[0].representative, c.between[1].representative])
    if e.place and e.place in scenario.places:
        return scenario.places[e.place].area.geometry()
    return None


def duplicate_of(cand: Candidate, scenario: Scenario, place: Place | None) -> str | None:
    """The id of the scenario event ``cand`` repeats: same kind and actor, dates within the
    candidate's uncertainty, and the event's area within the candidate's radius of its point
    (or the same place)."""
    from shapely.geometry import Point
    from shapely.ops import nearest_points

    loc = cand.extra["location"]
    lon, lat = loc["point"]
    for e in scenario.events:
        if e.kind != cand.kind or e.actor != cand.actor:
            continue
        if abs((e.date - cand.date).days) > cand.date_uncertainty_days:
            continue
        if place is not None and e.place == place.id:
            return e.id
        geom = _event_geometry(scenario, e)
        if geom is None:
            continue
        near = nearest_points(geom, Point(lon, lat))[0]
        if float(haversine_m(near.x, near.y, lon, lat)) <= float(loc["radius_m"]):
            return e.id
    return None


def acled_review(
    rows: Iterable[AcledRow],
    scenario: Scenario,
    *,
    bounds: tuple[float, float, float, float] | None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    radius_km: float | None = None,
    origin: str = "",
    network: RoadNetwork | None = None,
    seen: set[str] | None = None,
) -> Review:
    """
    The review of the ACLED ``rows`` that fall in ``scenario``'s area and window.

    Parameters
    ----------
    rows
        Rows read by :func:`read_acled` or, streamed, :func:`iter_acled`: only the rows kept
        stay in memory.
    scenario
        The scenario the candidates are for: its actors, places and events.
    bounds
        (min lon, min lat, max lon, max lat) of its network; rows outside are left out.
    start, end
        The window (inclusive); default the scenario's start and end.
    radius_km
        Keep rows within this distance of a scenario place instead of inside ``bounds``.
    origin
        What the review says the candidates came from.
    network
        The scenario's road network: notes that name a road target that road.
    seen
        Filled with the event id of every row read, kept or not (for :func:`reimport`: a row
        left out is not a row deleted).
    """
    start = start or scenario.start
    end = end or scenario.end
    places = list(scenario.places.values())
    gaz = Gazetteer.of(scenario)
    rules = acled_rules()
    roads = RoadFinder(scenario, network) if network is not None else None
    news_gaz = NewsGazetteer.of(scenario)
    candidates: list[Candidate] = []
    unmatched: Counter[str] = Counter()
    ids: Counter[str] = Counter()
    for row in rows:
        if seen is not None:
            seen.add(row.event_id)
        if not in_window(row.date, start, end):
            continue
        if not in_area(row, bounds=bounds, places=places, radius_km=radius_km):
            continue
        cand, names = candidate_of(row, scenario, gaz, rules, roads=roads, news_gaz=news_gaz)
        ids[cand.id] += 1
        if ids[cand.id] > 1:  # the same event_id twice in one export
            cand.id = f"{cand.id}-{ids[cand.id]}"
        unmatched.update(names)
        candidates.append(cand)
    return Review(
        scenario=str(scenario.path),
        origin=origin,
        candidates=candidates,
        unmatched_actors=dict(sorted(unmatched.items())),
    )


# ----------------------------------------------------------------------------------- re-import
#: The candidate fields a re-import compares (ACLED's own, as the candidate holds them).
COMPARED_FIELDS = (
    "kind",
    "date",
    "date_uncertainty_days",
    "actor",
    "target",
    "confidence",
    "summary",
    "quote",
    "source",
    "rule",
)
COMPARED_ACLED = (
    "event_type",
    "sub_event_type",
    "actors",
    "time_precision",
    "geo_precision",
    "fatalities",
)


def _acled_key(c: Candidate, counts: Counter[str]) -> tuple[str, int] | None:
    """A candidate's ACLED ``event_id_cnty``, with which time it is given in its review (an
    export may hold one id twice); None for a candidate not from ACLED."""
    eid = c.acled_id
    if eid is None:
        return None
    counts[eid] += 1
    return eid, counts[eid]


def _timestamp(c: Candidate) -> int | None:
    ts = (c.extra.get("acled") or {}).get("timestamp")
    return ts if isinstance(ts, int) and not isinstance(ts, bool) else None


def _plain(value: Any) -> Any:
    """``value`` as a review file holds it after a round trip (tuples as lists)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def candidate_changes(old: Candidate, new: Candidate) -> dict[str, dict[str, Any]]:
    """What differs between the candidate of a row in the earlier review and the one of its
    newer version: each field with ``was`` and ``now`` (ACLED's own fields by their names)."""
    out: dict[str, dict[str, Any]] = {}
    a, b = old.to_dict(), new.to_dict()
    for key in COMPARED_FIELDS:
        if _plain(a.get(key)) != _plain(b.get(key)):
            out[key] = {"was": a.get(key), "now": b.get(key)}
    oa, na = old.extra.get("acled") or {}, new.extra.get("acled") or {}
    for key in COMPARED_ACLED:
        if _plain(oa.get(key)) != _plain(na.get(key)):
            out[key] = {"was": oa.get(key), "now": na.get(key)}
    return out


@dataclass
class Reimport:
    """A review updated from a newer export: the merged review and how many candidates are
    ``unchanged``, ``changed``, ``deleted`` (ACLED removed the row), ``outside`` (the row is
    now outside the scenario's area or window), ``new`` or ``older`` (the export's row is
    older than the review's: kept as it was)."""

    review: Review
    counts: Counter[str] = field(default_factory=Counter)


def reimport(old: Review, new: Review, seen: set[str]) -> Reimport:
    """
    Update the review ``old`` with ``new``, the review of a newer export of the same area.

    Candidates are matched by ACLED's ``event_id_cnty`` and compared by ``timestamp`` and by
    the digest of the row's cells (:func:`row_digest`): a row unchanged keeps its candidate as
    the analyst left it (``accept`` and edits included); a changed row's candidate is replaced
    by the new one, under the same id, with ``upstream: {status: changed, timestamp_was,
    changes}`` (each field that differs from the candidate as it was, ``was`` and ``now``: an
    analyst's edit of that candidate shows there too) and ``accept: false``; a row no longer in the export is kept with
    ``upstream: {status: deleted}`` (or ``outside`` when the export still has it, outside the
    scenario's area or window) and ``accept: false``; a new row is added with
    ``upstream: {status: new}``. A row whose export timestamp is older than the review's is
    left as it was. Candidates not from ACLED are kept as they are.

    Parameters
    ----------
    old
        The review file as it is (read by :func:`corridor.ingest.review.read_review`).
    new
        :func:`acled_review` of the newer export.
    seen
        Every event id the newer export holds (:func:`acled_review`'s ``seen``).
    """
    counts: Counter[str] = Counter()
    new_by_key: dict[tuple[str, int], Candidate] = {}
    order: Counter[str] = Counter()
    for c in new.candidates:
        key = _acled_key(c, order)
        if key is not None:
            new_by_key[key] = c
    out: list[Candidate] = []
    taken = {c.id for c in old.candidates}
    used: set[tuple[str, int]] = set()
    order = Counter()
    for c in old.candidates:
        key = _acled_key(c, order)
        if key is None:
            out.append(c)
            continue
        fresh = new_by_key.get(key)
        if fresh is None:
            status = "outside" if key[0] in seen else "deleted"
            up = c.extra.get("upstream")
            if isinstance(up, dict) and up.get("status") == status:
                counts["unchanged"] += 1
            else:
                c.extra["upstream"] = {"status": status, "timestamp_was": _timestamp(c)}
                c.accept = False
                counts[status] += 1
            out.append(c)
            continue
        used.add(key)
        was, now = _timestamp(c), _timestamp(fresh)
        if was is not None and now is not None and now < was:
            counts["older"] += 1
            out.append(c)
            continue
        digest_was = (c.extra.get("acled") or {}).get("digest")
        digest_now = (fresh.extra.get("acled") or {}).get("digest")
        same_row = digest_was is not None and digest_was == digest_now
        changes = {} if same_row else candidate_changes(c, fresh)
        up = c.extra.get("upstream")
        gone = up.get("status") if isinstance(up, dict) else None
        if gone in ("deleted", "outside"):  # back in the export, or back in the area
            changes["upstream"] = {"was": gone, "now": "in the export"}
        if not changes:
            if isinstance(c.extra.get("acled"), dict):  # the row as the export now has it
                if now is not None:
                    c.extra["acled"]["timestamp"] = now
                if digest_now is not None:
                    c.extra["acled"]["digest"] = digest_now
            counts["unchanged"] += 1
            out.append(c)
            continue
        if was != now:
            changes["timestamp"] = {"was": was, "now": now}
        fresh.id = c.id
        fresh.accept = False
        fresh.extra["upstream"] = {"status": "changed", "timestamp_was": was, "changes": changes}
        counts["changed"] += 1
        out.append(fresh)
    for key, c in new_by_key.items():
        if key in used:
            continue
        c.id = unique_id(c.id, taken)
        taken.add(c.id)
        c.extra["upstream"] = {"status": "new"}
        counts["new"] += 1
        out.append(c)
    review = Review(
        scenario=new.scenario or old.scenario,
        origin=new.origin,
        candidates=out,
        unmatched_actors=new.unmatched_actors,
    )
    return Reimport(review, counts)
