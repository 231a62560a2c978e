"""The labelled set of news articles for ``corridor extract`` (``tests/data/news_articles.yaml``),
the small scenarios its articles speak of, and how extraction is scored against it.

The articles are written for corridor: they reproduce how wire reports, situation reports and
live blogs word road cuts, sieges, corridors and their traps (negations, denials, intentions,
hypotheticals, background), studied on published reporting about Mosul 2016-17, Aleppo 2016,
eastern Ghouta 2018, Mariupol 2022, Bakhmut 2023, Tigray 2021-22, Gaza 2023 and El Fasher
2024, without copying a published sentence. Mosul uses the bundled
scenario; the others are schematic scenarios built here (invented coordinates, roads named as
reports name them). ``bench/extract.py`` prints the same scores.

Every third of the first 49 articles in file order (chosen before the extractor was tuned on
the set), nine articles written after the tuning and a second batch of thirteen (``batch: b2``,
written and committed after a later change of the rules, before extraction ran on them) carry
``held_out: true``: their scores are given apart, so that the tuned part's figures are not
mistaken for what extraction does on text it was not fitted to. ``load_articles(batch=...)``
selects one batch.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ARTICLES = Path(__file__).parent / "data" / "news_articles.yaml"

#: Schematic scenarios: places (id, name, aliases, [lon, lat]), roads (ref, name, place ids in
#: order), actors (id, name, aliases, side), origin, exits, window.
SCENARIOS: dict[str, dict[str, Any]] = {
    "aleppo": {
        "window": ("2016-06-01", "2016-12-31"),
        "places": [
            (
                "aleppo-east",
                "Eastern Aleppo",
                ["east Aleppo", "rebel-held Aleppo"],
                [37.170, 36.220],
            ),
            ("mallah", "Mallah Farms", ["al-Mallah farms", "Malah farms"], [37.140, 36.245]),
            ("handarat", "Handarat", ["Handarat camp"], [37.115, 36.265]),
            ("kafr-hamra", "Kafr Hamra", [], [37.070, 36.290]),
            ("ramouseh", "Ramouseh", ["Ramousah", "Ramouseh district"], [37.150, 36.150]),
            ("khan-tuman", "Khan Tuman", [], [37.050, 36.100]),
            ("zirba", "Zirba", [], [37.100, 36.000]),
        ],
        "roads": [
            ("C1", "Castello Road", ["aleppo-east", "mallah", "handarat", "kafr-hamra"]),
            ("R2", "Ramouseh road", ["aleppo-east", "ramouseh", "khan-tuman"]),
            ("M5", "Aleppo–Damascus highway (M5)", ["ramouseh", "zirba"]),
        ],
        "actors": [
            (
                "saa",
                "Syrian army",
                [
                    "SAA",
                    "government forces",
                    "pro-government forces",
                    "regime forces",
                    "Syrian troops",
                ],
                "gov",
            ),
            (
                "rebels",
                "Rebel groups",
                ["rebels", "rebel fighters", "opposition fighters", "insurgents", "Fatah Halab"],
                "opp",
            ),
        ],
        "origin": "aleppo-east",
        "exits": ["kafr-hamra", "khan-tuman", "zirba"],
    },
    "mariupol": {
        "window": ("2022-02-24", "2022-05-20"),
        "places": [
            ("mariupol", "Mariupol", ["Mariupol city"], [37.550, 47.100]),
            ("manhush", "Manhush", ["Manhush village"], [37.300, 47.050]),
            ("berdiansk", "Berdiansk", ["Berdyansk"], [36.800, 46.760]),
            ("vasylivka", "Vasylivka", [], [35.280, 47.440]),
            ("zaporizhzhia", "Zaporizhzhia", ["Zaporizhia", "Zaporozhye"], [35.140, 47.840]),
            ("nikolske", "Nikolske", [], [37.300, 47.200]),
        ],
        "roads": [
            ("M14", "Mariupol–Berdiansk highway (M14)", ["mariupol", "manhush", "berdiansk"]),
            ("T0803", "Berdiansk–Vasylivka road", ["berdiansk", "vasylivka"]),
            ("M18", "Vasylivka–Zaporizhzhia highway", ["vasylivka", "zaporizhzhia"]),
            ("H20", "Mariupol–Nikolske road", ["mariupol", "nikolske"]),
        ],
        "actors": [
            (
                "russia",
                "Russian armed forces",
                ["Russian forces", "Russian troops", "Russian army"],
                "ru",
            ),
            (
                "ukraine",
                "Ukrainian armed forces",
                ["Ukrainian forces", "Ukrainian troops", "Azov"],
                "ua",
            ),
            ("dpr", "Donetsk separatists", ["DPR", "separatist forces"], "ru"),
        ],
        "origin": "mariupol",
        "exits": ["zaporizhzhia"],
    },
    "gaza": {
        "window": ("2023-10-07", "2024-03-31"),
        "places": [
            ("gaza-city", "Gaza City", [], [34.460, 31.505]),
            ("wadi-gaza", "Wadi Gaza", ["the Gaza valley"], [34.430, 31.460]),
            ("nuseirat", "Nuseirat", ["Nuseirat camp"], [34.385, 31.450]),
            ("deir-al-balah", "Deir al-Balah", ["Deir el-Balah"], [34.350, 31.418]),
            ("khan-younis", "Khan Younis", ["Khan Yunis"], [34.305, 31.345]),
            ("rafah", "Rafah", [], [34.245, 31.285]),
        ],
        "roads": [
            (
                "SD",
                "Salah al-Din road",
                ["gaza-city", "wadi-gaza", "deir-al-balah", "khan-younis", "rafah"],
            ),
            ("RS", "al-Rashid coastal road", ["gaza-city", "nuseirat", "deir-al-balah"]),
        ],
        "actors": [
            (
                "idf",
                "Israeli army",
                ["IDF", "Israeli forces", "Israeli troops", "Israeli military"],
                "il",
            ),
            ("hamas", "Hamas", ["Qassam Brigades"], "ps"),
        ],
        "origin": "gaza-city",
        "exits": ["rafah"],
    },
    "ghouta": {
        "window": ("2018-02-18", "2018-04-14"),
        "places": [
            ("damascus", "Damascus", ["the capital"], [36.200, 33.450]),
            ("harasta", "Harasta", [], [36.300, 33.550]),
            ("douma", "Douma", ["Duma"], [36.450, 33.620]),
            ("misraba", "Misraba", ["Mesraba"], [36.400, 33.520]),
            ("beit-sawa", "Beit Sawa", [], [36.480, 33.450]),
            ("hamouriyeh", "Hamouriyeh", ["Hamouria", "Hammouriyeh"], [36.360, 33.420]),
            ("wafideen", "al-Wafideen", ["Wafideen", "Wafideen checkpoint"], [36.580, 33.700]),
        ],
        "roads": [
            ("DH", "Douma–Harasta road", ["douma", "misraba", "harasta"]),
            ("HD", "Harasta–Damascus highway", ["harasta", "damascus"]),
            ("WF", "Wafideen road", ["douma", "wafideen"]),
            ("SG", "Misraba–Hamouriyeh road", ["misraba", "beit-sawa", "hamouriyeh"]),
            ("HM", "Hamouriyeh–Damascus road", ["hamouriyeh", "damascus"]),
        ],
        "actors": [
            (
                "saa",
                "Syrian army",
                [
                    "government forces",
                    "pro-government forces",
                    "regime forces",
                    "Syrian troops",
                    "Tiger Forces",
                ],
                "gov",
            ),
            ("jaish", "Jaish al-Islam", ["Army of Islam"], "opp"),
            ("faylaq", "Faylaq al-Rahman", [], "opp"),
        ],
        "origin": "douma",
        "exits": ["damascus", "wafideen"],
    },
    "tigray": {
        "window": ("2021-06-01", "2022-06-30"),
        "places": [
            ("mekelle", "Mekelle", ["Mekele", "Makelle"], [39.470, 13.500]),
            ("abala", "Abala", [], [39.750, 13.350]),
            ("semera", "Semera", ["Samara"], [41.000, 11.790]),
            ("adigrat", "Adigrat", [], [39.460, 14.280]),
            ("shire", "Shire", ["Inda Selassie"], [38.280, 14.100]),
            ("may-tsebri", "May Tsebri", ["Mai Tsebri"], [37.900, 13.550]),
            ("alamata", "Alamata", [], [39.550, 12.420]),
            ("kobo", "Kobo", [], [39.630, 12.150]),
        ],
        "roads": [
            ("SAM", "Semera–Abala–Mekelle road", ["semera", "abala", "mekelle"]),
            ("A2", "Mekelle–Alamata road (A2)", ["mekelle", "alamata", "kobo"]),
            ("TKZ", "Shire–May Tsebri road (Tekeze bridge)", ["shire", "may-tsebri"]),
            ("AD", "Mekelle–Adigrat road", ["mekelle", "adigrat"]),
        ],
        "actors": [
            (
                "endf",
                "Ethiopian National Defense Force",
                [
                    "ENDF",
                    "Ethiopian army",
                    "federal forces",
                    "Ethiopian forces",
                    "Ethiopian troops",
                    "government forces",
                    "Ethiopian National Defence Force",
                ],
                "eth",
            ),
            (
                "tdf",
                "Tigray Defense Forces",
                ["TDF", "Tigrayan forces", "TPLF", "Tigrayan fighters", "Tigray Defence Forces"],
                "tig",
            ),
            (
                "amhara",
                "Amhara regional forces",
                ["Amhara forces", "Amhara militia", "Fano"],
                "eth",
            ),
            ("eritrea", "Eritrean army", ["Eritrean forces", "Eritrean troops"], "eth"),
        ],
        "origin": "mekelle",
        "exits": ["semera", "kobo"],
    },
    "fasher": {
        "window": ("2023-04-15", "2025-10-31"),
        "places": [
            ("fasher", "El Fasher", ["al-Fashir", "El-Fasher", "Fasher"], [25.350, 13.630]),
            ("zamzam", "Zamzam camp", ["Zamzam"], [25.300, 13.500]),
            ("tawila", "Tawila", [], [24.880, 13.430]),
            ("abu-shouk", "Abu Shouk camp", ["Abu Shouk"], [25.420, 13.720]),
            ("mellit", "Mellit", [], [25.550, 14.130]),
            ("kutum", "Kutum", [], [24.670, 14.200]),
        ],
        "roads": [
            ("FT", "El Fasher–Tawila road", ["fasher", "zamzam", "tawila"]),
            ("FM", "El Fasher–Mellit road", ["fasher", "abu-shouk", "mellit"]),
            ("FK", "El Fasher–Kutum road", ["fasher", "kutum"]),
        ],
        "actors": [
            ("rsf", "Rapid Support Forces", ["RSF", "paramilitaries", "RSF fighters"], "rsf"),
            ("saf", "Sudanese army", ["SAF", "Sudanese Armed Forces", "army troops"], "saf"),
            ("joint", "Joint Forces", ["Joint Protection Force", "joint forces"], "saf"),
        ],
        "origin": "fasher",
        "exits": ["tawila", "mellit"],
    },
    "bakhmut": {
        "window": ("2022-08-01", "2023-05-31"),
        "places": [
            ("bakhmut", "Bakhmut", ["Artemivsk", "Artyomovsk"], [38.000, 48.595]),
            ("khromove", "Khromove", ["Khromovo"], [37.920, 48.600]),
            ("chasiv-yar", "Chasiv Yar", ["Chasov Yar"], [37.840, 48.590]),
            ("ivanivske", "Ivanivske", [], [37.870, 48.530]),
            ("kostiantynivka", "Kostiantynivka", ["Konstantinovka"], [37.700, 48.530]),
            ("soledar", "Soledar", [], [38.090, 48.680]),
            ("sloviansk", "Sloviansk", ["Slavyansk"], [37.600, 48.850]),
            ("kramatorsk", "Kramatorsk", [], [37.550, 48.730]),
        ],
        "roads": [
            ("BC", "Bakhmut–Chasiv Yar road", ["bakhmut", "khromove", "chasiv-yar"]),
            (
                "T0504",
                "Bakhmut–Kostiantynivka highway (T0504)",
                ["bakhmut", "ivanivske", "kostiantynivka"],
            ),
            ("M03", "Bakhmut–Sloviansk highway (M03)", ["bakhmut", "soledar", "sloviansk"]),
            ("CK", "Chasiv Yar–Kramatorsk road", ["chasiv-yar", "kramatorsk"]),
        ],
        "actors": [
            (
                "russia",
                "Russian armed forces",
                ["Russian forces", "Russian troops", "Russian army", "Moscow's forces"],
                "ru",
            ),
            ("wagner", "Wagner Group", ["Wagner", "Wagner fighters", "Wagner mercenaries"], "ru"),
            (
                "ukraine",
                "Ukrainian armed forces",
                ["Ukrainian forces", "Ukrainian troops", "Ukraine's army", "Kyiv's forces"],
                "ua",
            ),
        ],
        "origin": "bakhmut",
        "exits": ["kramatorsk", "kostiantynivka"],
    },
}


def write_scenario(name: str, folder: Path) -> Path:
    """Write the schematic scenario ``name`` (scenario.yaml and roads.geojson) into ``folder``."""
    spec = SCENARIOS[name]
    where = {p[0]: p[3] for p in spec["places"]}
    features = []
    way = 1000
    for ref, road, stops in spec["roads"]:
        for a, b in itertools.pairwise(stops):
            way += 1
            (x0, y0), (x1, y1) = where[a], where[b]
            mid = [round((x0 + x1) / 2, 5), round((y0 + y1) / 2, 5)]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"osm_id": way, "highway": "primary", "name": road, "ref": ref},
                    "geometry": {"type": "LineString", "coordinates": [where[a], mid, where[b]]},
                }
            )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "roads.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    sides = sorted({a[3] for a in spec["actors"]})
    data = {
        "corridor": 1,
        "name": f"{name}-news-test",
        "start": spec["window"][0],
        "end": spec["window"][1],
        "network": {"geojson": "roads.geojson"},
        "mover": "car",
        "origin": spec["origin"],
        "exits": spec["exits"],
        "population": 100000,
        "places": [
            {"id": i, "name": n, "aliases": al, "point": pt, "radius_m": 1500}
            for i, n, al, pt in spec["places"]
        ],
        "sides": [{"id": s, "name": s} for s in sides],
        "actors": [
            {"id": i, "name": n, "aliases": al, "side": s} for i, n, al, s in spec["actors"]
        ],
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def load_articles(held_out: bool | None = None, batch: str | None = None) -> list[dict[str, Any]]:
    """The labelled articles: all of them, or only the held-out ones (``True``) or only the
    tuned ones (``False``); with ``batch``, only those of that batch (``""``: of none)."""
    data = yaml.safe_load(ARTICLES.read_text(encoding="utf-8"))
    articles = list(data["articles"])
    if held_out is not None:
        articles = [a for a in articles if bool(a.get("held_out")) == held_out]
    if batch is not None:
        articles = [a for a in articles if str(a.get("batch") or "") == batch]
    return articles


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Score:
    """How extraction did on the labelled set."""

    articles: int = 0
    expected: int = 0  # applied events labelled
    proposed: int = 0  # applied candidates extracted
    matched: int = 0
    intents_expected: int = 0
    intents_found: int = 0
    exact_dates: int = 0  # labelled events (applied and intents) found with the exact date
    dated: int = 0
    trap_violations: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def intent_recall(self) -> float:
        return self.intents_found / self.intents_expected if self.intents_expected else 1.0

    @property
    def exact_date_rate(self) -> float:
        return self.exact_dates / self.dated if self.dated else 1.0

    def line(self) -> str:
        return (
            f"{self.articles} articles, {self.expected} events: precision {self.precision:.2f}, "
            f"recall {self.recall:.2f}, intent recall {self.intent_recall:.2f}, exact dates "
            f"{self.exact_date_rate:.2f}, trap violations {len(self.trap_violations)}"
        )


APPLIED = ("close", "reopen", "zone", "population")


def _applied(c: Any) -> bool:
    return c.kind in APPLIED and c.extra.get("stance") in ("reported", "claimed")


def _fits(c: Any, want: dict[str, Any], *, with_date: bool = True) -> bool:
    """Whether candidate ``c`` is the labelled event ``want`` (kind, date, and where labelled
    the stance, actor, road, its two places in any order, or the place)."""
    if c.kind != want["kind"]:
        return False
    if with_date and c.date != _day(want["date"]):
        return False
    if "stance" in want and c.extra.get("stance") != want["stance"]:
        return False
    if "actor" in want and c.actor != want["actor"]:
        return False
    if "road" in want and c.target.get("ref") != want["road"]:
        return False
    if "between" in want and sorted(c.target.get("between") or []) != sorted(want["between"]):
        return False
    return "place" not in want or c.target.get("place") == want["place"]


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def score_article(article: dict[str, Any], cands: list[Any], s: Score) -> None:
    """Add one article's result to ``s``: expected events matched by kind, date, actor and
    target (as labelled); traps are sentences that must give no applied candidate."""
    s.articles += 1
    applied = [c for c in cands if _applied(c)]
    intents = [c for c in cands if c.kind == "intent" and c.extra.get("stance") == "intent"]
    s.proposed += len(applied)
    free = list(applied)
    for want in article.get("expect") or []:
        pool = intents if want["kind"] == "intent" else free
        if want["kind"] == "intent":
            s.intents_expected += 1
        else:
            s.expected += 1
        s.dated += 1
        hit = next((c for c in pool if _fits(c, want)), None)
        if hit is None:
            late = next((c for c in pool if _fits(c, want, with_date=False)), None)
            got = f"; got {late.date}" if late is not None else ""
            s.misses.append(f"{article['id']}: {want}{got}")
            continue
        s.exact_dates += hit.date_uncertainty_days == 0 or not want.get("exact", True)
        pool.remove(hit)
        if want["kind"] == "intent":
            s.intents_found += 1
        else:
            s.matched += 1
    for c in free:
        s.extras.append(f"{article['id']}: {c.kind} {c.date} {c.actor} {c.target}: {c.quote!r}")
    text = _flat(article["text"])
    for trap in article.get("traps") or []:
        words = _flat(trap)
        if words not in text:
            msg = f"{article['id']}: the trap {trap!r} is not in the article's text"
            raise ValueError(msg)
        for c in applied:
            quotes = [c.quote] + [r["quote"] for r in c.extra.get("restated", [])]
            if any(words in _flat(q) for q in quotes):
                s.trap_violations.append(f"{article['id']}: {trap!r} gave {c.kind}")


def run_set(
    scenarios: dict[str, tuple[Any, Any]], held_out: bool | None = None, batch: str | None = None
) -> Score:
    """Extract every article (or only the held-out or only the tuned ones, or one batch, see
    :func:`load_articles`) with its scenario (``{name: (scenario, network)}``) and score."""
    from corridor.ingest.news import NewsSource, extract

    s = Score()
    for article in load_articles(held_out, batch):
        sc, net = scenarios[article["scenario"]]
        published = article["published"]
        if isinstance(published, str):
            published = dt.date.fromisoformat(published)
        source = NewsSource(published=published, outlet=article.get("outlet", "Test Wire"))
        cands = extract(article["text"], sc, source, network=net, prefix=article["id"])
        score_article(article, cands, s)
    return s


def load_all(folder: Path) -> dict[str, tuple[Any, Any]]:
    """The scenarios of the set with their car/offroad networks (Mosul is the bundled one)."""
    from corridor.bundled import bundled_scenario
    from corridor.network.load import NetworkLoader
    from corridor.scenario.load import load_scenario

    out: dict[str, tuple[Any, Any]] = {}
    paths = {"mosul": bundled_scenario("mosul-2016")}
    for name in SCENARIOS:
        paths[name] = write_scenario(name, folder / name)
    for name, path in paths.items():
        sc = load_scenario(path)
        net = NetworkLoader(sc.network_path, kind=sc.network_kind)(sc.mover_profile().base)
        out[name] = (sc, net)
    return out
