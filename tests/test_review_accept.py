"""Review and accept (issue 24): every target kind previewed with before → after or the true
reason it cannot be; a target that binds no road flagged before accepting; a candidate already in
the scenario refused in one line naming the event; numbered backups; --only reports every
refusal at once and writes nothing unless all pass, or --skip-refused writes the rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.bundled import bundled_scenario
from corridor.cli.main import app
from corridor.ingest.accept import next_backup
from corridor.scenario.load import load_scenario

runner = CliRunner()

#: On 20 Feb 2017 the Mosul-Tal Afar highway (R1, ways 1101 and 1102) is the fighters' one way
#: out of west Mosul: closing it anywhere between Syria Gate and Badush seals them in.
DAY = "2017-02-20"
BOX = [[42.9, 36.38], [43.0, 36.38], [43.0, 36.45], [42.9, 36.45], [42.9, 36.38]]
DESERT = [[40.0, 33.0], [40.01, 33.0], [40.01, 33.01], [40.0, 33.0]]


@pytest.fixture
def mosul(tmp_path: Path) -> Path:
    src = bundled_scenario("mosul-2016")
    for name in ("scenario.yaml", "roads.geojson"):
        shutil.copy(src.parent / name, tmp_path / name)
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [BOX]},
    }
    (tmp_path / "box.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    return tmp_path / "scenario.yaml"


def review_file(path: Path, candidates: list[dict]) -> Path:
    base = {"accept": False, "confidence": 0.5, "date_uncertainty_days": 0, "date": DAY}
    data = {
        "review": 1,
        "scenario": "",
        "origin": "test",
        "candidates": [base | c for c in candidates],
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def review(rv: Path, scenario: Path) -> dict[str, dict]:
    res = runner.invoke(app, ["events", "review", str(rv), "--scenario", str(scenario), "--json"])
    assert res.exit_code == 0, res.output
    return {r["id"]: r for r in json.loads(res.stdout)["candidates"]}


def accept(rv: Path, scenario: Path, *more: str):
    return runner.invoke(app, ["events", "accept", str(rv), "--scenario", str(scenario), *more])


def close(cid: str, target: dict, **more: object) -> dict:
    return {"id": cid, "kind": "close", "actor": "isf", "target": target, **more}


def zone(cid: str, target: dict) -> dict:
    return {"id": cid, "kind": "zone", "actor": "pmu", "target": target}


SEALING = [
    close("ref-between", {"ref": "R1", "between": ["syria-gate", "badush"]}),
    close("ref-whole", {"ref": "R1"}),
    close("name", {"name": "Mosul–Tal Afar highway (Syria Gate – Badush)"}),
    close("name-between", {"name": "Mosul–Tal Afar highway (Syria Gate – Badush)",
                           "between": ["syria-gate", "badush"]}),
    close("between-area", {"ref": "R1", "between": [{"point": [43.0794, 36.3668], "radius_m": 500},
                                                    "badush"]}),
    close("way", {"way": 1101}),
    close("ways", {"ways": [1101, 1102]}),
    close("point", {"point": [42.9714, 36.4153], "radius_m": 2500}),
    close("polygon", {"polygon": BOX}),
    close("geojson", {"geojson": "box.geojson"}),
    close("place", {"place": "badush"}),
    zone("zone-place", {"place": "badush"}),
    zone("zone-polygon", {"polygon": BOX}),
    zone("zone-geojson", {"geojson": "box.geojson"}),
]  # fmt: skip


def test_every_target_kind_is_previewed_before_and_after(mosul: Path) -> None:
    rows = review(review_file(mosul.parent / "r.yaml", SEALING), mosul)
    for c in SEALING:
        r = rows[c["id"]]
        assert r["not_applied"] is None and r["warning"] is None, r
        assert r["road_segments"] > 0, r
        assert (r["without"]["status"], r["with"]["status"]) == ("open", "sealed"), r
        assert r["without"]["exits_reachable"] == 1 and r["with"]["exits_reachable"] == 0, r
        assert r["with"]["capacity_pph"] == 0 < r["without"]["capacity_pph"], r


def test_reopen_restrict_and_population_are_previewed(mosul: Path) -> None:
    rv = review_file(
        mosul.parent / "r.yaml",
        [
            {"id": "reopen-event", "kind": "reopen", "actor": "isf",
             "target": {"event": "mosul-dohuk-road-closed"}},
            {"id": "reopen-ref", "kind": "reopen", "actor": "isf",
             "target": {"ref": "R7", "between": ["mosul", "dohuk"]}},
            {"id": "restrict", "kind": "restrict", "actor": "isf", "capacity_factor": 0.5,
             "target": {"ref": "R1"}},
            {"id": "population", "kind": "population", "value": 1000, "target": {"place": "mosul"}},
        ],
    )  # fmt: skip
    rows = review(rv, mosul)
    for key in ("reopen-event", "reopen-ref"):  # the reopened road holds segments
        assert rows[key]["not_applied"] is None and rows[key]["road_segments"] > 0, rows[key]
        assert "with" in rows[key]
    assert rows["reopen-event"]["road_segments"] == rows["reopen-ref"]["road_segments"]
    r = rows["restrict"]
    assert (
        r["with"]["status"] == "open"
        and r["with"]["capacity_pph"] * 2 == r["without"]["capacity_pph"]
    )
    assert "with" in rows["population"] and rows["population"]["not_applied"] is None


def test_the_true_reason_when_a_candidate_cannot_be_previewed(mosul: Path) -> None:
    rv = review_file(
        mosul.parent / "r.yaml",
        [
            close("no-place", {"ref": "R1", "between": ["mosul", "atlantis"]}),
            close("two-targets", {"ref": "R1", "place": "badush"}),
            zone("zone-point", {"point": [42.97, 36.41], "radius_m": 500}),
            {"id": "reopen-nothing", "kind": "reopen", "target": {"event": "no-such-event"}},
            {"id": "pop-nowhere", "kind": "population", "value": 5, "target": {"place": "nowhere"}},
            close("late", {"ref": "R1"}, date="2019-01-01"),
            close("early", {"ref": "R1"}, date="2016-01-01"),
            close("intent", {"ref": "R1"}, stance="intent"),
            close("stranger", {"place": "badush"}, actor="nobody"),
            {"id": "no-checkpoint", "kind": "close", "target": {"checkpoint": "nope"}},
        ],
    )
    rows = review(rv, mosul)
    assert "atlantis" in rows["no-place"]["not_applied"]
    assert "exactly one target" in rows["two-targets"]["not_applied"]
    assert (
        "a zone event's target is a polygon, a geojson file or a place"
        in rows["zone-point"]["not_applied"]
    )
    assert "no event with id 'no-such-event' to reopen" in rows["reopen-nothing"]["not_applied"]
    assert "no place with id 'nowhere'" in rows["pop-nowhere"]["not_applied"]
    for key in ("late", "early"):
        assert "outside the scenario's window 2016-10-17 to 2017-03-15" in rows[key]["not_applied"]
    assert "stance 'intent'" in rows["intent"]["not_applied"]
    assert "actor 'nobody' is not an actor of the scenario" in rows["stranger"]["not_applied"]
    assert "no checkpoint with id 'nope'" in rows["no-checkpoint"]["not_applied"]
    # an in-window candidate is never said to be outside the window
    for key in ("no-place", "two-targets", "zone-point", "reopen-nothing", "pop-nowhere", "intent",
                "stranger", "no-checkpoint"):  # fmt: skip
        assert "window" not in rows[key]["not_applied"], rows[key]


def test_a_target_binding_no_road_is_flagged_before_accepting(mosul: Path) -> None:
    rv = review_file(
        mosul.parent / "r.yaml",
        [
            close("desert-point", {"point": [40.0, 33.0], "radius_m": 100}),
            close("no-such-way", {"way": 999999}),
            close("no-such-ref", {"ref": "R99", "between": ["mosul", "badush"]}),
            zone("desert-zone", {"polygon": DESERT}),
        ],
    )
    rows = review(rv, mosul)
    for key in rows:
        r = rows[key]
        assert r["road_segments"] == 0 and "binds no road of the mover's network" in r["warning"], r
        assert "isis-fighters: offroad network" in r["warning"], r
        assert r["with"] == r["without"], "previewed: it changes nothing"
    assert "way 999999 is not in the offroad network" in rows["no-such-way"]["warning"]
    assert "R99" in rows["no-such-ref"]["warning"]
    assert "the nearest road is" in rows["desert-zone"]["warning"]
    assert "the nearest road is" in rows["desert-point"]["warning"]


# --------------------------------------------------------------------------------- accepting
def test_accepting_twice_is_refused_naming_the_event(mosul: Path) -> None:
    rv = review_file(mosul.parent / "r.yaml", [close("cut", {"place": "badush"})])
    assert accept(rv, mosul, "--only", "cut").exit_code == 0
    written = mosul.read_text()
    res = accept(rv, mosul, "--only", "cut")
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == ["error: candidate cut: already in the scenario: event 'cut' has its id"]
    assert mosul.read_text() == written
    assert [e.id for e in load_scenario(mosul).events].count("cut") == 1
    # the review says so too, instead of previewing it a second time
    row = review(rv, mosul)["cut"]
    assert "already in the scenario" in row["not_applied"] and "with" not in row


def test_the_same_content_under_another_id_is_refused(mosul: Path) -> None:
    # the scenario closes R7 between Mosul and Dohuk on 17 Oct (mosul-dohuk-road-closed)
    rv = review_file(
        mosul.parent / "r.yaml",
        [{"id": "dohuk", "kind": "close", "date": "2016-10-17",
          "target": {"between": ["mosul", "dohuk"], "ref": "R7"}}],
    )  # fmt: skip
    before = mosul.read_text()
    res = accept(rv, mosul, "--only", "dohuk")
    assert res.exit_code == 2
    assert (
        "candidate dohuk: already in the scenario: event 'mosul-dohuk-road-closed' has the same "
        "kind (close), date (2016-10-17) and target"
    ) in res.output
    assert mosul.read_text() == before


def test_backups_are_numbered_and_never_overwritten(mosul: Path) -> None:
    rv = review_file(
        mosul.parent / "r.yaml",
        [close(f"c{i}", {"place": "badush"}, date=f"2017-02-2{i}") for i in range(4)],
    )
    texts = [mosul.read_text()]
    for i in range(3):
        res = accept(rv, mosul, "--only", f"c{i}")
        assert res.exit_code == 0, res.output
        assert f"(the old file is scenario.yaml.bak{i + 1})" in res.output
        texts.append(mosul.read_text())
    for i in range(3):
        assert (mosul.parent / f"scenario.yaml.bak{i + 1}").read_text() == texts[i]
    # a gap or a stray file is never written over: the next number is past the highest
    (mosul.parent / "scenario.yaml.bak1").unlink()
    (mosul.parent / "scenario.yaml.bak7").write_text("keep me")
    assert next_backup(mosul) == mosul.parent / "scenario.yaml.bak8"
    res = accept(rv, mosul, "--only", "c3")
    assert res.exit_code == 0 and "scenario.yaml.bak8" in res.output
    assert (mosul.parent / "scenario.yaml.bak7").read_text() == "keep me"
    assert (mosul.parent / "scenario.yaml.bak8").read_text() == texts[3]
    assert not (mosul.parent / "scenario.yaml.bak").exists()


def test_only_reports_every_refusal_at_once_and_writes_nothing(mosul: Path) -> None:
    rv = review_file(
        mosul.parent / "r.yaml",
        [
            close("good-1", {"place": "badush"}),
            close("again", {"place": "syria-gate"}),
            {"id": "intent", "kind": "intent", "target": {"ref": "R1"}},
            {"id": "pop", "kind": "population", "target": {"place": "mosul"}},
            close("good-2", {"ref": "R1"}),
            close("twin", {"ref": "R1"}),
        ],
    )
    assert accept(rv, mosul, "--only", "again").exit_code == 0
    before = mosul.read_text()
    backups = sorted(p.name for p in mosul.parent.glob("scenario.yaml.bak*"))
    res = accept(rv, mosul, "--only", "good-1,again,intent,pop,good-2,twin")
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines == [
        "refused: candidate again: already in the scenario: event 'again' has its id",
        "refused: candidate intent: cannot accept it: kind 'intent' is kept for review and never "
        "applied",
        "refused: candidate pop: cannot accept it: a population event needs `target: {place: id}` "
        "and `value` (people)",
        "refused: candidate twin: it has the same kind, date and target as candidate good-2, "
        "accepted too",
        "error: 4 of 6 candidates refused, nothing written (--skip-refused writes the others)",
    ]
    assert mosul.read_text() == before
    assert sorted(p.name for p in mosul.parent.glob("scenario.yaml.bak*")) == backups
    # unknown ids are named together too
    res = accept(rv, mosul, "--only", "good-1,nope,nada")
    assert res.exit_code == 2 and "--only nope, nada: no such candidates" in res.output


def test_skip_refused_writes_the_passing_ones_and_lists_the_skipped(mosul: Path) -> None:
    rv = review_file(
        mosul.parent / "r.yaml",
        [close("good-1", {"place": "badush"}), close("good-2", {"ref": "R1"}),
         {"id": "intent", "kind": "intent", "target": {"ref": "R1"}}, close("twin", {"ref": "R1"})],
    )  # fmt: skip
    res = accept(rv, mosul, "--only", "good-1,intent,good-2,twin", "--skip-refused")
    assert res.exit_code == 0, res.output
    assert "skipped: candidate intent: cannot accept it" in res.output
    assert (
        "skipped: candidate twin: it has the same kind, date and target as candidate good-2"
        in res.output
    )
    assert "2 events written to" in res.output and "2 refused and skipped" in res.output
    ids = [e.id for e in load_scenario(mosul).events]
    assert "good-1" in ids and "good-2" in ids and "twin" not in ids and "intent" not in ids
    # all refused: nothing to write, even with --skip-refused
    before = mosul.read_text()
    res = accept(rv, mosul, "--only", "good-1,good-2", "--skip-refused")
    assert res.exit_code == 2 and "2 of 2 candidates refused, nothing written" in res.output
    assert mosul.read_text() == before
