"""Review and accept: ACLED rows → review file → scenario events, end to end on Mosul."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.bundled import bundled_scenario
from corridor.cli.main import app
from corridor.ingest.accept import event_keys, insert_events
from corridor.ingest.review import ReviewError, read_review
from corridor.scenario.load import load_scenario
from fixtures import copy_mosul
from test_acled import MOSUL_ROWS, write_csv

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def accept(review: Path, scenario: Path, *more: str):
    return run("events", "accept", str(review), "--scenario", str(scenario), *more)


@pytest.fixture
def mosul_copy(tmp_path: Path) -> Path:
    """The bundled Mosul scenario and its network, copied to a folder of the test's own."""
    return copy_mosul(tmp_path)


@pytest.fixture
def review_file(mosul_copy: Path) -> Path:
    csv_path = write_csv(mosul_copy.parent / "acled.csv", MOSUL_ROWS)
    out = mosul_copy.parent / "review.yaml"
    res = run("import", "acled", str(csv_path), "--scenario", str(mosul_copy), "-o", str(out))
    assert res.exit_code == 0, res.output
    return out


def test_round_trip_import_accept_timeline(mosul_copy: Path, review_file: Path) -> None:
    before = mosul_copy.read_text()
    res = accept(review_file, mosul_copy, "--only", "acled-irq1001")
    assert res.exit_code == 0, res.output
    assert "acled-irq1001 → event acled-irq1001 (source ACLED-IRQ1001)" in res.output
    after = mosul_copy.read_text()
    # the old file is kept, and every line of it is still there, in order (comments included)
    assert (mosul_copy.parent / "scenario.yaml.bak1").read_text() == before
    ops = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes()
    changes = [(tag, j2 - j1) for tag, _, _, j1, j2 in ops if tag != "equal"]
    assert changes == [("insert", 1), ("insert", 10)], changes  # one source, a ten-line event
    sc = load_scenario(mosul_copy)
    event = next(e for e in sc.events if e.id == "acled-irq1001")
    assert event.kind == "close" and event.actor == "pmu" and event.confidence == 0.6
    assert event.sources[0].key == "ACLED-IRQ1001"
    assert event.sources[0].outlet == "ACLED (Reuters; AFP)"
    # the timeline shows it on its date, with its quote and source
    res = run("timeline", str(mosul_copy), "--json")
    assert res.exit_code == 0, res.output
    reports = json.loads(res.stdout)
    day = next(r for r in reports if r["date"] == "2016-11-23")
    shown = next(e for e in day["events"] if e["id"] == "acled-irq1001")
    assert shown["quote"].startswith("PMF fighters blocked the road between Tal Afar")
    assert shown["sources"][0]["key"] == "ACLED-IRQ1001"
    res = run("timeline", str(mosul_copy))
    assert "ACLED-IRQ1001" in res.output


def test_accept_marked_candidates_then_again_is_refused(
    mosul_copy: Path, review_file: Path
) -> None:
    data = yaml.safe_load(review_file.read_text())
    for c in data["candidates"]:
        c["accept"] = c["id"] in ("acled-irq1001", "acled-irq1005")
    review_file.write_text(yaml.safe_dump(data, sort_keys=False))
    res = accept(review_file, mosul_copy)
    assert res.exit_code == 0, res.output
    assert "2 events written" in res.output
    sc = load_scenario(mosul_copy)
    zone = next(e for e in sc.events if e.id == "acled-irq1005")
    assert zone.kind == "zone" and zone.actor == "isis" and zone.zone is not None
    # accepting the same candidate again is refused (issue 24: it was written twice)
    written = mosul_copy.read_text()
    res = accept(review_file, mosul_copy, "--only", "acled-irq1001")
    assert res.exit_code == 2, res.output
    assert (
        "candidate acled-irq1001: already in the scenario: event 'acled-irq1001' has its id"
        in res.output
    )
    assert mosul_copy.read_text() == written and written.count("ACLED-IRQ1001: {") == 1


def test_date_uncertainty_is_written_only_where_the_schema_has_it(
    mosul_copy: Path, review_file: Path
) -> None:
    data = yaml.safe_load(review_file.read_text())
    for c in data["candidates"]:
        if c["id"] == "acled-irq1001":
            c["date_uncertainty_days"] = 3
    review_file.write_text(yaml.safe_dump(data, sort_keys=False))
    res = accept(review_file, mosul_copy, "--only", "acled-irq1001")
    assert res.exit_code == 0, res.output
    text = mosul_copy.read_text()
    if "date_uncertainty_days" in event_keys():
        assert "date_uncertainty_days: 3" in text
    else:
        assert "date_uncertainty_days" not in text and "Date uncertain by ±3 days" in text


@pytest.mark.parametrize(
    ("only", "said"),
    [
        ("acled-irq1002", "repeats the scenario's event 'pmu-tal-afar-airbase'"),
        ("acled-irq1003", "kind 'other' is kept for review and never applied"),
        ("acled-irq1004", "a population event needs `target: {place: id}` and `value`"),
        ("acled-nothing", "--only acled-nothing: no such candidate"),
    ],
)
def test_accept_refuses_what_cannot_be_an_event(
    mosul_copy: Path, review_file: Path, only: str, said: str
) -> None:
    before = mosul_copy.read_text()
    res = accept(review_file, mosul_copy, "--only", only)
    assert res.exit_code == 2, res.output
    assert said in res.output
    assert mosul_copy.read_text() == before
    assert not list(mosul_copy.parent.glob("scenario.yaml.bak*"))


def test_accept_nothing_marked_is_a_mistake(mosul_copy: Path, review_file: Path) -> None:
    res = accept(review_file, mosul_copy)
    assert res.exit_code == 2 and "no candidate is accepted" in res.output


def test_accept_that_would_not_validate_leaves_the_file(
    mosul_copy: Path, review_file: Path
) -> None:
    data = yaml.safe_load(review_file.read_text())
    data["candidates"][0]["actor"] = "no-such-actor"
    review_file.write_text(yaml.safe_dump(data, sort_keys=False))
    before = mosul_copy.read_text()
    res = accept(review_file, mosul_copy, "--only", "acled-irq1001")
    assert res.exit_code == 2, res.output
    assert "would not be valid" in res.output and "no-such-actor" in res.output
    assert mosul_copy.read_text() == before
    assert [p.name for p in mosul_copy.parent.iterdir() if p.name.startswith(".")] == []


def test_review_shows_what_each_candidate_changes(mosul_copy: Path, review_file: Path) -> None:
    res = run("events", "review", str(review_file), "--scenario", str(mosul_copy), "--json")
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)["candidates"]}
    cut = rows["acled-irq1001"]
    # "blocked the road between Tal Afar and Sinjar" is R2 (as `extract` reads it), previewed
    # as that road: on 23 Nov Mosul's fighters still reach Tal Afar, so it seals nothing
    assert yaml.safe_load(review_file.read_text())["candidates"][0]["target"] == {
        "ref": "R2",
        "between": ["tal-afar", "sinjar"],
    }
    assert cut["without"] == cut["with"] and cut["with"]["status"] == "open"
    assert cut["road_segments"] > 0 and cut["not_applied"] is None
    assert "with" not in rows["acled-irq1002"] and "repeats" in rows["acled-irq1002"]["not_applied"]
    zone = rows["acled-irq1005"]
    assert "with" in zone, "a zone candidate is replayed too"
    assert zone["road_segments"] == 0 and "binds no road of the mover's network" in zone["warning"]
    res = run("events", "review", str(review_file), "--scenario", str(mosul_copy))
    assert res.exit_code == 0, res.output
    assert "open → open" in res.output and "PMF fighters blocked" in res.output
    assert "(warning: its" in res.output and "binds no road" in res.output  # wrapped
    assert "outside the window" not in res.output


def _review_of(path: Path, candidates: list[dict]) -> Path:
    base = {"accept": False, "confidence": 0.5, "date_uncertainty_days": 0, "actor": "isf"}
    data = {"review": 1, "scenario": "", "origin": "test",
            "candidates": [base | c for c in candidates]}  # fmt: skip
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_review_previews_every_target_kind(mosul_copy: Path) -> None:
    # on 20 Feb 2017 the Mosul-Tal Afar highway (R1) is west Mosul's way out; the army cut it
    # near Badush on 28 Feb
    day = "2017-02-20"
    rv = _review_of(
        mosul_copy.parent / "r.yaml",
        [
            {"id": "ref", "kind": "close", "date": day,
             "target": {"ref": "R1", "between": ["syria-gate", "badush"]}},
            {"id": "point", "kind": "close", "date": day,
             "target": {"point": [42.9714, 36.4153], "radius_m": 2500}},
            {"id": "place", "kind": "close", "date": day, "target": {"place": "badush"}},
            {"id": "nowhere", "kind": "close", "date": day,
             "target": {"point": [41.0, 33.0], "radius_m": 100}},
            {"id": "bad-ref", "kind": "close", "date": day,
             "target": {"ref": "R99", "between": ["mosul", "badush"]}},
            {"id": "no-place", "kind": "close", "date": day,
             "target": {"ref": "R1", "between": ["mosul", "atlantis"]}},
            {"id": "late", "kind": "close", "date": "2019-01-01",
             "target": {"ref": "R1", "between": ["syria-gate", "badush"]}},
            {"id": "intent", "kind": "close", "date": day, "stance": "intent",
             "target": {"ref": "R1", "between": ["syria-gate", "badush"]}},
        ],
    )  # fmt: skip
    res = run("events", "review", str(rv), "--scenario", str(mosul_copy), "--json")
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)["candidates"]}
    for key in ("ref", "point", "place"):
        r = rows[key]
        assert r["not_applied"] is None and r["road_segments"] > 0, r
        assert r["with"]["capacity_pph"] < r["without"]["capacity_pph"], r
    assert rows["ref"]["with"]["status"] == "sealed" != rows["ref"]["without"]["status"]
    assert "binds no road of the mover's network" in rows["nowhere"]["warning"]
    assert "R99" in rows["bad-ref"]["warning"] and rows["bad-ref"]["road_segments"] == 0
    assert "atlantis" in rows["no-place"]["not_applied"]
    assert "outside the scenario's window" in rows["late"]["not_applied"]
    assert "stance 'intent'" in rows["intent"]["not_applied"]
    res = run("events", "review", str(rv), "--scenario", str(mosul_copy))
    assert res.exit_code == 0 and res.output.count("outside the") == 1, res.output


def test_review_file_mistakes_name_the_candidate(tmp_path: Path, review_file: Path) -> None:
    data = yaml.safe_load(review_file.read_text())
    data["candidates"][1]["confidence"] = 1.5
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ReviewError, match=r"candidates\[1\] \(acled-irq1002\): confidence: 1.5"):
        read_review(bad)
    res = run("events", "review", str(bad))
    assert res.exit_code == 2 and "confidence" in res.output
    (tmp_path / "not.yaml").write_text("corridor: 1\n")
    res = run("events", "review", str(tmp_path / "not.yaml"))
    assert res.exit_code == 2 and "not a review file" in res.output


def test_insert_events_keeps_every_other_line() -> None:
    text = (
        "# head\ncorridor: 1\nsources:\n  A: {outlet: x}\n  # about A\n\nevents:\n"
        "    # first\n    - id: a\n      notes: >-\n        folded\n        text\n\n# tail\nplans: []\n"
    )
    out = insert_events(text, [{"id": "b", "kind": "close"}], {"B": {"outlet": "y: z"}})
    assert out == (
        "# head\ncorridor: 1\nsources:\n  A: {outlet: x}\n  B: {outlet: 'y: z'}\n  # about A\n\n"
        "events:\n    # first\n    - id: a\n      notes: >-\n        folded\n        text\n"
        "    - id: b\n      kind: close\n\n# tail\nplans: []\n"
    )
    assert yaml.safe_load(out)["events"][1] == {"id": "b", "kind": "close"}
    # no events or sources yet: both are added at the end
    out = insert_events("corridor: 1\n", [{"id": "b"}], {"B": {"outlet": "y"}})
    assert yaml.safe_load(out) == {
        "corridor": 1,
        "sources": {"B": {"outlet": "y"}},
        "events": [{"id": "b"}],
    }


# -------------------------------------------------------------------------------- news text
PUBLISHED = "2016-11-04"  # a Friday

#: Passages in the style of wire reports, each with the candidate expected (None: nothing):
#: (kind, date, date_uncertainty_days, actor, target).
NEWS_CORPUS: list[tuple[str, tuple[str, str, int, str | None, dict | None] | None]] = [
    (
        "The Hashd al-Shaabi on Thursday cut one of the main Isis supply routes linking Mosul "
        "to Syria.",
        ("close", "2016-11-03", 0, "pmu", {}),  # Syria is no place of the scenario
    ),
    (
        "Popular Mobilisation Units cut the road between Tal Afar and Mosul on Thursday.",
        ("close", "2016-11-03", 0, "pmu", {"ref": "R3", "between": ["tal-afar", "mosul"]}),
    ),
    (
        # "highway": R1, whose name is "Mosul–Tal Afar highway" (issue 24), not R3, the
        # shorter "Tal Afar–Muhallabiya road"
        "PMF fighters vowed to cut the highway linking Tel Afar to Mosul.",
        ("intent", "2016-11-04", 1, "pmu", {"ref": "R1", "between": ["tal-afar", "mosul"]}),
    ),
    (
        "The next step would be to cut the route between Mosul and Tall Afar, Amiri said.",
        ("intent", "2016-11-04", 1, None, {"ref": "R3", "between": ["mosul", "tal-afar"]}),
    ),
    ("The militias have not cut the road to Sinjar.", None),
    ("If Iraqi forces seize Tal Afar, the fighters could flee west.", None),
    (
        "The ISF retook Qayyarah yesterday.",
        ("zone", "2016-11-03", 0, "isf", {"place": "qayyarah"}),
    ),
    (
        "Thousands of civilians fled Mosul last week, the UN said.",
        ("population", "2016-10-28", 3, None, {"place": "mosul"}),
    ),
    (
        "Daesh fighters captured Badush on 2 November.",
        ("zone", "2016-11-02", 0, "isis", {"place": "badush"}),
    ),
    (
        "IS fighters seized Hamam al-Alil on Wednesday.",
        ("zone", "2016-11-02", 0, "isis", {"place": "hamam-al-alil"}),
    ),
    (
        "CTS troops stormed Gogjali on Tuesday, a spokesman said.",
        ("zone", "2016-11-01", 0, "cts", {"place": "gogjali"}),
    ),
    ("The weather was cold in Mosul on Thursday.", None),
    ("Officials denied that the PMU had closed the Tal Afar road.", None),
    (
        "Isis threatened to cut the road between Mosul and Qayyarah.",
        ("intent", "2016-11-04", 1, "isis", None),  # the target depends on the network's roads
    ),
    ("It is unclear whether the army will storm Tal Afar.", None),
    (
        "The Peshmerga took the village of Bashiqa earlier this month.",
        ("zone", "2016-11-02", 1, "peshmerga", {"place": "bashiqa"}),
    ),
    (
        "Islamic State militants blew up the bridge at Badush today.",
        ("close", "2016-11-04", 0, "isis", {"place": "badush"}),
    ),
]


@pytest.fixture(scope="module")
def mosul_and_network():
    from corridor.network.load import NetworkLoader

    sc = load_scenario(bundled_scenario("mosul-2016"))
    net = NetworkLoader(sc.network_path, kind=sc.network_kind)(sc.mover_profile().base)
    return sc, net


def test_news_corpus_precision_and_recall(mosul_and_network) -> None:
    import datetime as dt

    from corridor.ingest.news import NewsSource, extract

    sc, net = mosul_and_network
    source = NewsSource(published=dt.date.fromisoformat(PUBLISHED), outlet="Wire")
    tp = fp = fn = 0
    wrong: list[str] = []
    for text, expected in NEWS_CORPUS:
        got = extract(text, sc, source, network=net)
        assert len(got) <= 1, text
        if expected is None:
            fp += len(got)
            if got:
                wrong.append(f"{text!r}: expected nothing, got {got[0].kind}")
            continue
        if not got:
            fn += 1
            wrong.append(f"{text!r}: expected {expected[0]}, got nothing")
            continue
        c = got[0]
        kind, date, unc, actor, target = expected
        seen = (c.kind, c.date.isoformat(), c.date_uncertainty_days, c.actor)
        ok = seen == (kind, date, unc, actor) and (target is None or c.target == target)
        tp += ok
        fp += not ok
        fn += not ok
        if not ok:
            wrong.append(f"{text!r}: expected {expected}, got {(*seen, c.target)}")
        assert c.quote == text and c.extra["offsets"] == [0, len(text)]
        assert c.source["outlet"] == "Wire"
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(
        f"news corpus: {len(NEWS_CORPUS)} passages, precision {precision:.2f}, recall {recall:.2f}"
    )
    assert not wrong, "\n".join(wrong)


def test_news_claims_lower_the_confidence_and_unresolved_names_are_listed(
    mosul_and_network,
) -> None:
    import datetime as dt

    from corridor.ingest.news import NewsSource, extract

    sc, net = mosul_and_network
    source = NewsSource(published=dt.date(2016, 11, 4))
    (said,) = extract(
        "The PMU cut the road between Mosul and Tal Afar, a commander said.",
        sc,
        source,
        network=net,
    )
    (plain,) = extract("The PMU cut the road between Mosul and Tal Afar.", sc, source, network=net)
    assert said.confidence < plain.confidence and "claim: said" in said.rule
    (syria,) = extract("The PMU cut the route linking Mosul to Syria.", sc, source, network=net)
    assert any("'Syria'" in u for u in syria.unresolved) and syria.problem()


def test_extract_then_accept_round_trip(mosul_copy: Path) -> None:
    article = mosul_copy.parent / "article.txt"
    article.write_text(
        "Popular Mobilisation Units cut the road between Tal Afar and Mosul on Wednesday. "
        "Commanders vowed to cut the highway to Sinjar next.\n",
        encoding="utf-8",
    )
    review = mosul_copy.parent / "news.yaml"
    args = ["extract", str(article), "--scenario", str(mosul_copy), "--published", PUBLISHED]
    res = run(*args, "--outlet", "Wire", "--url", "https://example.org/a", "-o", str(review))
    assert res.exit_code == 0, res.output
    res = run(*args, "--json")
    cands = json.loads(res.stdout)["candidates"]
    assert [c["kind"] for c in cands] == ["close", "intent"]
    assert set(cands[0]) >= {"kind", "date", "date_uncertainty_days", "actor", "target", "quote"}
    res = accept(review, mosul_copy, "--only", "news-article-1")
    assert res.exit_code == 0, res.output
    res = accept(review, mosul_copy, "--only", "news-article-2")
    assert res.exit_code == 2 and "kind 'intent'" in res.output
    res = run("timeline", str(mosul_copy), "--json")
    day = next(r for r in json.loads(res.stdout) if r["date"] == "2016-11-02")
    shown = next(e for e in day["events"] if e["id"] == "news-article-1")
    assert shown["quote"].startswith("Popular Mobilisation Units cut the road")
    assert shown["sources"][0]["outlet"] == "Wire"
    assert shown["sources"][0]["url"] == "https://example.org/a"


def test_accept_only_takes_several_ids(mosul_copy: Path, review_file: Path) -> None:
    res = accept(review_file, mosul_copy, "--only", "acled-irq1001,acled-irq1005")
    assert res.exit_code == 0, res.output
    assert "2 events written" in res.output
