"""Reporting in (issues 24 and 29): ``python -m bench.extract [--quick]``.

Quality: the labelled news set (``tests/data/news_articles.yaml``, scored by
``tests/news_set.py``): precision and recall of applied candidates (kind and date right),
intent recall, exact-date rate and trap violations, for the tuned part and the held-out part
apart, and for the newest held-out batch (b2) alone. Targets (issue 24): precision and recall >= 0.85, exact dates >= 0.9, no trap violated.

Speed (issue 29, item 5): ``extract`` on generated wire text of 1, 3 and 10 MB (0.1, 0.3 and
1 MB in quick mode) about the bundled Mosul scenario, with the network, in this process; the
ratio of the largest to the smallest time over the ratio of their sizes is 1 when extraction is
linear (target: 10 MB in at most 10 s). The adversarial text "Mr. A " x 16,000 (every full stop
an abbreviation) once. ``corridor import acled`` on generated ACLED exports of 100,000 and
1,000,000 rows (10,000 and 100,000 in quick mode; ACLED's own column set, a twentieth of the rows
in the scenario's area and window), run as a user runs it in a fresh process: seconds and peak
RSS (the child's ``ru_maxrss``, read by a small wrapper process that does nothing else).
Target: 1,000,000 rows in at most 60 s, memory growing with the rows kept, not the rows read.
The exports are written once under ``out/bench/`` and reused.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "out" / "bench"

#: ACLED's export columns, in its order.
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip

# Sentences of generated wire text: a third report an action on the scenario's roads and places
# (with the usual traps), the rest is the filler of a long report.
_ACTIONS = [
    "Popular Mobilization Units cut the road between Tal Afar and Sinjar on {day}, officials said.",
    "Iraqi forces took control of the Mosul-Tal Afar highway near Badush {rel}.",
    "The Peshmerga could not cut off the road between Mosul and Dohuk, a commander said.",
    "Federal Police closed the Mosul-Baghdad highway south of Hamam al-Alil {rel}.",
    "About {n},000 people fled Mosul {rel} towards Khazir, the UN said.",
    "Counter Terrorism Service troops entered Gogjali on {day}.",
    "The Hashd plan to seal the road to Tal Afar next week, a spokesman said.",
    "Kurdish officials denied that the road to Zummar had been closed.",
    "If the road is cut, the fighters in west Mosul will be trapped.",
    '"We reopened the road to Erbil last night," a Peshmerga officer said on {day}.',
]
_FILLER = [
    "Aid agencies said shelters in the camps east of the city were full.",
    "The fighting has lasted for weeks and the front moved little, residents said.",
    "Gen. Ali al-Jubouri told reporters that progress was slow but steady.",
    "Prices of food and fuel in the old city rose again, traders said.",
    "Mr. Hassan, a teacher, said his family had stayed inside for days.",
    "Officials gave no figure for the losses of either side.",
    "Heavy rain slowed traffic on the roads south of the city.",
    "The U.N. said it was preparing for a larger wave of displacement.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_RELS = ["yesterday", "last night", "overnight", "on Tuesday night", "earlier this week"]


def wire_text(size: int, seed: int = 29) -> str:
    """Generated wire reports of about ``size`` characters, paragraphs of four sentences."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    total = 0
    while total < size:
        para = []
        for _ in range(4):
            if rng.random() < 0.33:
                s = _ACTIONS[int(rng.integers(len(_ACTIONS)))].format(
                    day=_DAYS[int(rng.integers(7))],
                    rel=_RELS[int(rng.integers(len(_RELS)))],
                    n=int(rng.integers(1, 40)),
                )
            else:
                s = _FILLER[int(rng.integers(len(_FILLER)))]
            para.append(s)
        text = " ".join(para)
        out.append(text)
        total += len(text) + 2
    return "\n\n".join(out)


def set_scores() -> dict[str, Any]:
    """The labelled set's scores, tuned and held out (and the newest held-out batch apart)."""
    sys.path.insert(0, str(REPO / "tests"))
    try:
        import news_set
    finally:
        sys.path.remove(str(REPO / "tests"))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="corridor-bench-news-") as tmp:
        scenarios = news_set.load_all(Path(tmp))
        parts = (("tuned", False, None), ("held_out", True, None), ("held_out_b2", True, "b2"))
        for name, held, batch in parts:
            s = news_set.run_set(scenarios, held_out=held, batch=batch)
            out[name] = {
                "line": s.line(),
                "articles": s.articles,
                "events": s.expected,
                "precision": s.precision,
                "recall": s.recall,
                "intent_recall": s.intent_recall,
                "exact_dates": s.exact_date_rate,
                "trap_violations": s.trap_violations,
                "misses": s.misses,
                "extras": s.extras,
            }
    return out


def extract_speed(sizes: list[int]) -> dict[str, Any]:
    """Seconds of ``extract`` on generated text of each size (characters), with the bundled
    Mosul scenario and its network, and on the adversarial abbreviation text."""
    from corridor.bundled import bundled_scenario
    from corridor.ingest.news import NewsSource, extract
    from corridor.network.load import NetworkLoader
    from corridor.scenario.load import load_scenario

    sc = load_scenario(bundled_scenario("mosul-2016"))
    net = NetworkLoader(sc.network_path, kind=sc.network_kind)(sc.mover_profile().base)
    source = NewsSource(published=dt.date(2016, 11, 24), outlet="Bench Wire")
    runs = []
    for size in sizes:
        text = wire_text(size)
        t0 = time.perf_counter()
        cands = extract(text, sc, source, network=net)
        runs.append(
            {"chars": len(text), "seconds": time.perf_counter() - t0, "candidates": len(cands)}
        )
    adversarial = "Mr. A " * 16_000
    t0 = time.perf_counter()
    extract(adversarial, sc, source, network=net)
    adv = {"chars": len(adversarial), "seconds": time.perf_counter() - t0}
    first, last = runs[0], runs[-1]
    growth = (last["seconds"] / max(first["seconds"], 1e-9)) / (last["chars"] / first["chars"])
    return {"runs": runs, "adversarial": adv, "growth": growth}


def write_acled(path: Path, rows: int, seed: int = 5) -> None:
    """An ACLED export of ``rows`` rows over Iraq and Syria, 2015-2019: one row in twenty lies
    in the bundled Mosul scenario's area (its network's bounds) and window (2016-10-17 to
    2017-03-15)."""
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".part")
    actors = [
        ("Islamic State (Iraq)", "Military Forces of Iraq (2014-)"),
        ("Popular Mobilization Forces", "Islamic State (Iraq)"),
        ("Military Forces of Iraq (2014-) Federal Police", "Islamic State (Iraq)"),
        ("Peshmerga Militia", "Islamic State (Iraq)"),
        ("Protesters (Iraq)", ""),
    ]
    types = [
        ("Battles", "Armed clash"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Strategic developments", "Non-violent transfer of territory"),
        ("Strategic developments", "Headquarters or base established"),
        ("Protests", "Peaceful protest"),
    ]
    notes = [
        "On {d}, PMF blocked the road between Tal Afar and Sinjar.",
        "On {d}, IS militants clashed with Iraqi forces near {loc}. Casualties unknown.",
        "On {d}, Iraqi forces took control of {loc} after clashes with IS.",
        "On {d}, the Federal Police reopened the road between Mosul and Hamam al-Alil.",
        "On {d}, residents of {loc} protested against shortages of water and power.",
    ]
    places = [("Mosul", 36.335, 43.119), ("Tal Afar", 36.374, 42.443), ("Badush", 36.415, 42.971),
              ("Hamam al-Alil", 36.158, 43.259), ("Sinjar", 36.323, 41.864),
              ("Basra", 30.51, 47.78), ("Baghdad", 33.31, 44.36), ("Raqqa", 35.95, 39.01),
              ("Ramadi", 33.42, 43.30), ("Kirkuk", 35.47, 44.39)]  # fmt: skip
    start, wstart, wdays = dt.date(2015, 1, 1), dt.date(2016, 10, 17), 149
    inside = rng.random(rows) < 0.05
    with tmp.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(ACLED_COLUMNS)
        for i in range(rows):
            if inside[i]:
                day = wstart + dt.timedelta(days=int(rng.integers(wdays)))
                loc, lat, lon = places[int(rng.integers(5))]
            else:
                day = start + dt.timedelta(days=int(rng.integers(5 * 365)))
                if wstart <= day <= wstart + dt.timedelta(days=wdays):
                    day -= dt.timedelta(days=400)
                loc, lat, lon = places[int(rng.integers(5, len(places)))]
            k = int(rng.integers(len(types)))
            a1, a2 = actors[k]
            et, st = types[k]
            w.writerow(
                [
                    f"IRQ{i + 1}", day.isoformat(), day.year, int(rng.integers(1, 4)),
                    "Political violence", et, st, a1, "", 2, a2, "", 3, 23, "", 368,
                    "Middle East", "Iraq", "Nineveh", "Mosul", "", loc,
                    f"{lat + rng.normal(0, 0.01):.4f}", f"{lon + rng.normal(0, 0.01):.4f}",
                    int(rng.integers(1, 4)), "Shafaq News; Rudaw", "National-Regional",
                    notes[k].format(d=day.strftime("%d %B %Y"), loc=loc),
                    int(rng.integers(0, 5)), "", 1_700_000_000 + i,
                ]
            )  # fmt: skip
    tmp.replace(path)


_WRAPPER = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "print(done.returncode); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "print((done.stderr or done.stdout).strip()[-400:])"
)


def acled_speed(sizes: list[int]) -> list[dict[str, Any]]:
    """``corridor import acled`` on generated exports of each size (rows), in fresh processes."""
    from corridor.bundled import bundled_scenario

    OUT.mkdir(parents=True, exist_ok=True)
    scenario = bundled_scenario("mosul-2016")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    runs = []
    for rows in sizes:
        csv_path = OUT / f"acled-{rows}.csv"
        if not csv_path.exists():
            t0 = time.perf_counter()
            write_acled(csv_path, rows)
            written = time.perf_counter() - t0
        else:
            written = 0.0
        review = OUT / f"acled-{rows}.review.yaml"
        # --replace: a fresh import each run, not a re-import onto the last run's review
        cmd = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "corridor.cli.main",
               "import", "acled", str(csv_path), "-s", str(scenario), "-o", str(review),
               "--replace"]  # fmt: skip
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        seconds = time.perf_counter() - t0
        code, rss_kb, said = ([*done.stdout.splitlines(), "", "", ""])[:3]
        run = {
            "rows": rows,
            "mb": csv_path.stat().st_size / 1e6,
            "seconds": seconds,
            "peak_rss_mb": int(rss_kb or 0) / 1024,
            "generated_s": written,
            "summary": said,
        }
        if code != "0":
            run["error"] = said or done.stderr.strip()[-400:]
        runs.append(run)
    return runs


def bench_extract(quick: bool = False) -> dict[str, Any]:
    """Every measurement of this module; a section that fails says why instead."""
    out: dict[str, Any] = {}
    for name, run in (
        ("set", set_scores),
        ("extract", lambda: extract_speed([100_000, 300_000, 1_000_000] if quick else
                                          [1_000_000, 3_000_000, 10_000_000])),
        ("acled", lambda: acled_speed([10_000, 100_000] if quick else [100_000, 1_000_000])),
    ):  # fmt: skip
        try:
            out[name] = run()
        except Exception as exc:  # a benchmark never ends in a traceback
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def lines(r: dict[str, Any]) -> list[str]:
    out = []
    s = r.get("set", {})
    if "error" in s:
        out.append(f"news set: not measured ({s['error']})")
    else:
        for name in ("tuned", "held_out", "held_out_b2"):
            out.append(f"news set, {name.replace('_', ' ')}: {s[name]['line']}")
        out.append(
            "  targets (issue 24): precision and recall >= 0.85, exact dates >= 0.9, 0 traps"
        )
    e = r.get("extract", {})
    if "error" in e:
        out.append(f"extract: not measured ({e['error']})")
    else:
        sizes = ", ".join(
            f"{x['chars'] / 1e6:.1f} MB {x['seconds']:.2f} s ({x['candidates']:,} candidates)"
            for x in e["runs"]
        )
        big, small = e["runs"][-1], e["runs"][0]
        out.append(
            f"extract: {sizes}; {big['chars'] / small['chars']:.0f}x the text took "
            f"{big['seconds'] / max(small['seconds'], 1e-9):.1f}x the time (linear: "
            f"{big['chars'] / small['chars']:.0f}; growth {e['growth']:.2f}, 1 = linear); "
            f"target 10 MB <= 10 s"
        )
        a = e["adversarial"]
        out.append(f'extract "Mr. A " x 16,000 ({a["chars"]:,} chars): {a["seconds"]:.2f} s')
    runs = r.get("acled", [])
    if isinstance(runs, dict):
        out.append(f"import acled: not measured ({runs['error']})")
        runs = []
    for x in runs:
        if "error" in x:
            out.append(f"import acled {x['rows']:,} rows: failed ({x['error']})")
            continue
        out.append(
            f"import acled {x['rows']:,} rows ({x['mb']:.0f} MB): {x['seconds']:.1f} s, peak RSS "
            f"{x['peak_rss_mb']:,.0f} MB; {x['summary']}"
        )
    if len(runs) == 2 and not any("error" in x for x in runs):
        a, b = runs
        out.append(
            f"  {b['rows'] / a['rows']:.0f}x the rows: {b['seconds'] / a['seconds']:.1f}x the "
            f"time, {b['peak_rss_mb'] / max(a['peak_rss_mb'], 1):.1f}x the memory; target "
            "1,000,000 rows <= 60 s"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes")
    args = ap.parse_args(argv)
    for line in lines(bench_extract(args.quick)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
