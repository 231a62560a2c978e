"""Review and accept: ACLED rows → review file → scenario events, end to end on Mosul."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.bundled import bundled_scenario
from corridor.cli.main import app
from corridor.io.accept import event_keys, insert_events
from corridor.io.review import ReviewError, read_review
from corridor.io.scenario import load_scenario
from test_acled import MOSUL_ROWS, write_csv

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def accept(review: Path, scenario: Path, *more: str):
    return run("events", "accept", str(review), "--scenario", str(scenario), *more)


@pytest.fixture
def mosul_copy(tmp_path: Path) -> Path:
    """The bundled Mosul scenario and its network, copied to a folder of the test's own."""
    src = bundled_scenario("mosul-2016")
    for name in ("scenario.yaml", "roads.geojson"):
        shutil.copy(src.parent / name, tmp_path / name)
    return tmp_path / "scenario.yaml"


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
    assert (mosul_copy.parent / "scenario.yaml.bak").read_text() == before
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


def test_accept_marked_candidates_and_reuse_of_a_source(
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
    # accepting the same candidate again: a new event id, the same source key (not a copy)
    res = accept(review_file, mosul_copy, "--only", "acled-irq1001")
    assert res.exit_code == 0, res.output
    assert "event acled-irq1001-2 (source ACLED-IRQ1001)" in res.output
    assert mosul_copy.read_text().count("ACLED-IRQ1001: {") == 1


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
    assert (
        mosul_copy.read_text() == before and not (mosul_copy.parent / "scenario.yaml.bak").exists()
    )


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
    # on 23 Nov the fighters' one way out runs through Tal Afar: closing it seals Mosul
    assert cut["without"]["status"] == "open" and cut["with"]["status"] == "sealed"
    assert cut["with"]["exits_reachable"] < cut["without"]["exits_reachable"]
    assert cut["with"]["capacity_pph"] == 0 < cut["without"]["capacity_pph"]
    assert "with" not in rows["acled-irq1002"] and "repeats" in rows["acled-irq1002"]["not_applied"]
    assert "with" in rows["acled-irq1005"], "a zone candidate is replayed too"
    res = run("events", "review", str(review_file), "--scenario", str(mosul_copy))
    assert res.exit_code == 0, res.output
    assert "open → sealed" in res.output and "PMF fighters blocked" in res.output


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
        '# head\ncorridor: 1\nsources:\n  A: {outlet: x}\n  B: {outlet: "y: z"}\n  # about A\n\n'
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
