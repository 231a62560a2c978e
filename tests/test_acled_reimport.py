"""ACLED re-import (issue 24): a newer export of the same area, imported into the same review file,
updates candidates by event_id_cnty and timestamp; an accepted row changed upstream is shown in
review as the difference from its event, and accept updates the event (or retracts it when ACLED
deleted the row)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.ingest.acled import acled_review, read_acled, reimport
from corridor.scenario.load import load_scenario
from fixtures import copy_mosul
from test_acled import MOSUL_ROWS, acled_row, write_csv

runner = CliRunner()
T0 = 1_600_000_000  # the first export's timestamps
T1 = 1_700_000_000  # the newer export's edits


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def mosul(tmp_path: Path) -> Path:
    return copy_mosul(tmp_path)


def first_export() -> list[dict[str, str]]:
    rows = copy.deepcopy(MOSUL_ROWS)
    for i, row in enumerate(rows):
        row["timestamp"] = str(T0 + i)
    rows.append(
        acled_row(
            event_id_cnty="IRQ1006",
            event_date="2016-11-25",
            sub_event_type="Non-state actor overtakes territory",
            actor1="Islamic State (Iraq)",
            location="Badush",
            latitude="36.4153",
            longitude="42.9714",
            notes="IS fighters were said to have taken Badush.",
            timestamp=str(T0 + 50),
        )
    )
    return rows


def newer_export() -> list[dict[str, str]]:
    """IRQ1001 edited (a day later, new notes), IRQ1006 and IRQ1005 deleted, IRQ1007 new."""
    rows = [r for r in first_export() if r["event_id_cnty"] not in ("IRQ1005", "IRQ1006")]
    rows[0].update(
        event_date="2016-11-24",
        notes="PMF fighters blocked the road between Tal Afar and Sinjar a day later than first "
        "reported.",
        timestamp=str(T1),
    )
    rows.append(
        acled_row(
            event_id_cnty="IRQ1007",
            event_date="2016-11-26",
            event_type="Strategic developments",
            sub_event_type="Change to group/activity",
            notes="PMF closed the road between Tal Afar and Sinjar once more.",
            timestamp=str(T1 + 1),
        )
    )
    return rows


def imported(mosul: Path, rows: list[dict[str, str]], name: str, *more: str):
    csv_path = write_csv(mosul.parent / name, rows)
    return run(
        "import", "acled", csv_path, "--scenario", mosul, "-o", mosul.parent / "r.yaml", *more
    )


def candidates(path: Path) -> dict[str, dict]:
    return {c["id"]: c for c in yaml.safe_load(path.read_text())["candidates"]}


def test_reimport_marks_changed_deleted_and_new_rows(mosul: Path) -> None:
    assert imported(mosul, first_export(), "a1.csv").exit_code == 0
    rv = mosul.parent / "r.yaml"
    first = candidates(rv)
    assert first["acled-irq1001"]["acled"]["timestamp"] == T0
    # the analyst's own edits on a row that does not change upstream are kept
    data = yaml.safe_load(rv.read_text())
    for c in data["candidates"]:
        if c["id"] == "acled-irq1003":
            c["accept"], c["summary"] = True, "analyst's summary"
    rv.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    res = imported(mosul, newer_export(), "a2.csv")
    assert res.exit_code == 0, res.output
    assert "r.yaml updated: 3 unchanged, 1 changed, 2 deleted, 1 new" in res.output
    got = candidates(rv)
    assert list(got) == [*first, "acled-irq1007"], "in place, the new row last"
    changed = got["acled-irq1001"]
    assert changed["date"] == dt.date(2016, 11, 24) and changed["accept"] is False
    up = changed["upstream"]
    assert up["status"] == "changed" and up["timestamp_was"] == T0
    assert up["changes"]["date"] == {"was": dt.date(2016, 11, 23), "now": dt.date(2016, 11, 24)}
    assert up["changes"]["quote"]["now"].endswith("a day later than first reported.")
    assert up["changes"]["timestamp"] == {"was": T0, "now": T1}
    assert "kind" not in up["changes"] and "target" not in up["changes"]
    for gone in ("acled-irq1005", "acled-irq1006"):
        assert got[gone]["upstream"] == {
            "status": "deleted",
            "timestamp_was": first[gone]["acled"]["timestamp"],
        }
        assert got[gone]["quote"] == first[gone]["quote"], "kept for reading"
    assert got["acled-irq1007"]["upstream"] == {"status": "new"}
    assert got["acled-irq1003"]["summary"] == "analyst's summary" and got["acled-irq1003"]["accept"]
    assert "upstream" not in got["acled-irq1002"]
    # the same export again changes nothing more
    res = imported(mosul, newer_export(), "a2.csv")
    assert "r.yaml updated: 7 unchanged" in res.output
    assert candidates(rv) == got
    # --replace writes a fresh review
    res = imported(mosul, newer_export(), "a2.csv", "--replace")
    assert res.exit_code == 0 and "updated" not in res.output
    assert (
        "acled-irq1005" not in candidates(rv) and "upstream" not in candidates(rv)["acled-irq1001"]
    )


def test_an_older_export_and_a_row_moved_out_of_the_window(mosul: Path, tmp_path: Path) -> None:
    sc = load_scenario(mosul)
    bounds = (41.0, 34.0, 44.5, 37.2)
    old = acled_review(read_acled(write_csv(tmp_path / "a.csv", newer_export())), sc, bounds=bounds)
    rows = first_export()  # older timestamps for IRQ1001
    rows[1]["event_date"] = "2015-06-01"  # IRQ1002 now before the scenario's window
    seen: set[str] = set()
    new = acled_review(
        read_acled(write_csv(tmp_path / "b.csv", rows)), sc, bounds=bounds, seen=seen
    )
    merged = reimport(old, new, seen)
    by = {c.id: c for c in merged.review.candidates}
    assert merged.counts["older"] == 1 and by["acled-irq1001"].date == dt.date(2016, 11, 24)
    assert by["acled-irq1002"].extra["upstream"]["status"] == "outside"
    assert by["acled-irq1007"].extra["upstream"]["status"] == "deleted"
    assert by["acled-irq1006"].extra["upstream"] == {"status": "new"}


def test_accepted_rows_changed_upstream_are_shown_and_updated_or_retracted(mosul: Path) -> None:
    rv = mosul.parent / "r.yaml"
    assert imported(mosul, first_export(), "a1.csv").exit_code == 0
    res = run("events", "accept", rv, "--scenario", mosul, "--only", "acled-irq1001,acled-irq1006")
    assert res.exit_code == 0, res.output
    events = {e["id"]: e for e in yaml.safe_load(mosul.read_text())["events"]}
    assert events["acled-irq1001"]["source"] == "ACLED-IRQ1001", "the event keeps the ACLED id"
    assert f"timestamp {T0}" in events["acled-irq1001"]["notes"]
    # the analyst narrows the event to one mover by hand: an update keeps that
    text = mosul.read_text()
    assert text.count("  - id: acled-irq1001\n") == 1
    mosul.write_text(
        text.replace(
            "  - id: acled-irq1001\n", "  - id: acled-irq1001\n    movers: [isis-fighters]\n"
        )
    )
    assert imported(mosul, newer_export(), "a2.csv").exit_code == 0
    # review: the difference from the accepted event, and what accept will do
    res = run("events", "review", rv, "--scenario", mosul, "--json")
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in json.loads(res.stdout)["candidates"]}
    upd = rows["acled-irq1001"]
    assert upd["accept_does"] == "update" and upd["event"] == "acled-irq1001"
    assert upd["event_differs"]["date"] == {"event": "2016-11-23", "candidate": "2016-11-24"}
    assert set(upd["event_differs"]) == {"date", "quote"}
    assert "with" in upd and upd["not_applied"] is None
    ret = rows["acled-irq1006"]
    assert ret["accept_does"] == "retract" and ret["event"] == "acled-irq1006" and "with" in ret
    assert "ACLED deleted this row" in rows["acled-irq1005"]["not_applied"]
    assert (
        rows["acled-irq1007"]["upstream"] == {"status": "new"} and "with" in rows["acled-irq1007"]
    )
    res = run("events", "review", rv, "--scenario", mosul)
    assert "changed upstream: accept" in res.output  # the table wraps the rest
    assert "deleted upstream: accept" in res.output
    # a deleted row never accepted has nothing to accept
    res = run("events", "accept", rv, "--scenario", mosul, "--only", "acled-irq1005")
    assert res.exit_code == 2 and "ACLED deleted row IRQ1005 upstream" in res.output
    # accept updates the one and retracts the other, keeping a numbered backup
    before = mosul.read_text()
    res = run("events", "accept", rv, "--scenario", mosul, "--only", "acled-irq1001,acled-irq1006")
    assert res.exit_code == 0, res.output
    assert "acled-irq1001 → event acled-irq1001 updated from the changed row" in res.output
    assert "acled-irq1006 → event acled-irq1006 retracted" in res.output
    assert "1 updated, 1 retracted (the old file is scenario.yaml.bak2)" in res.output
    assert (mosul.parent / "scenario.yaml.bak2").read_text() == before
    text = mosul.read_text()
    assert "# event acled-irq1006 retracted: ACLED deleted row IRQ1006 upstream" in text
    sc = load_scenario(mosul)
    by = {e.id: e for e in sc.events}
    assert "acled-irq1006" not in by
    assert by["acled-irq1001"].date == dt.date(2016, 11, 24)
    assert by["acled-irq1001"].quote.endswith("a day later than first reported.")
    assert [e.id for e in sc.events].count("acled-irq1001") == 1
    assert f"timestamp {T1}" in by["acled-irq1001"].notes
    assert by["acled-irq1001"].movers == frozenset({"isis-fighters"})
    # once done, accepting them again is refused and writes nothing
    res = run("events", "accept", rv, "--scenario", mosul, "--only", "acled-irq1001,acled-irq1006")
    assert res.exit_code == 2 and "holds ACLED row IRQ1001's new values" in res.output
    assert mosul.read_text() == text
    # the new row is accepted as a new event
    res = run("events", "accept", rv, "--scenario", mosul, "--only", "acled-irq1007")
    assert res.exit_code == 0 and "acled-irq1007 → event acled-irq1007" in res.output


def test_an_accepted_unchanged_row_is_not_accepted_twice(mosul: Path) -> None:
    rv = mosul.parent / "r.yaml"
    assert imported(mosul, first_export(), "a1.csv").exit_code == 0
    assert (
        run("events", "accept", rv, "--scenario", mosul, "--only", "acled-irq1001").exit_code == 0
    )
    assert imported(mosul, newer_export()[1:] + first_export()[:1], "a2.csv").exit_code == 0
    # the review file's candidate id is renamed by hand: its ACLED id still finds the event
    data = yaml.safe_load(rv.read_text())
    data["candidates"][0]["id"] = "renamed"
    rv.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    res = run("events", "accept", rv, "--scenario", mosul, "--only", "renamed")
    assert res.exit_code == 2
    assert "already in the scenario: event 'acled-irq1001' keeps its ACLED id IRQ1001" in res.output


def test_a_broken_review_file_is_not_overwritten(mosul: Path) -> None:
    rv = mosul.parent / "r.yaml"
    rv.write_text("review: 1\ncandidates: [{id: x, kind: nonsense}]\n")
    res = imported(mosul, first_export(), "a1.csv")
    assert res.exit_code == 2 and "kind: 'nonsense' is not a kind" in res.output
    assert rv.read_text() == "review: 1\ncandidates: [{id: x, kind: nonsense}]\n"


def test_a_bad_timestamp_is_one_line(mosul: Path) -> None:
    rows = first_export()
    rows[0]["timestamp"] = "yesterday"
    res = imported(mosul, rows, "bad.csv")
    assert res.exit_code == 2 and "timestamp 'yesterday' is not a whole number" in res.output


def test_a_hand_edited_upstream_key_is_read_not_trusted(mosul: Path) -> None:
    rv = mosul.parent / "r.yaml"
    assert imported(mosul, first_export(), "a1.csv").exit_code == 0
    data = yaml.safe_load(rv.read_text())
    data["candidates"][0]["upstream"] = "changed, I think"
    data["candidates"][1]["upstream"] = {"status": "changed", "changes": ["date"]}
    data["candidates"][2]["acled"]["timestamp"] = "soon"
    rv.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    res = run("events", "review", rv, "--scenario", mosul)
    assert res.exit_code == 0, res.output
    res = run("events", "review", rv, "--scenario", mosul, "--json")
    rows = {r["id"]: r for r in json.loads(res.stdout)["candidates"]}
    assert rows["acled-irq1001"]["upstream"] is None and "with" in rows["acled-irq1001"]
    res = imported(mosul, newer_export(), "a2.csv")
    assert res.exit_code == 0, res.output
    assert candidates(rv)["acled-irq1001"]["upstream"]["status"] == "changed"
