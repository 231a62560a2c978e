"""``events accept`` writes exactly the events the review showed (issue 29, item 2): every key
and value through the YAML emitter, targets checked against the schema first, and the written
text parsed again to hold exactly the accepted events; the server's editor is the same one."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import EditRefused
from corridor.scenario.edit import Retract, dump, edit_events
from fixtures import scenario_dict, write_scenario

runner = CliRunner()

#: A target key that, pasted into the file unquoted, closes the target and opens a second event.
SMUGGLING_KEY = (  # on main before this change: "1 event written", and two were
    "place: town}\n  confidence: 1\n  source: T1\n- id: smuggled\n  kind: close\n"
    "  date: 2020-01-06\n  actor: red-army\n  target: {ref: R-W, between: [town, west]}\n"
    "  summary"
)


def review(tmp: Path, target: dict, **more: object) -> Path:
    cand = {
        "id": "cand-1",
        "accept": True,
        "kind": "close",
        "date": dt.date(2020, 1, 6),
        "actor": "red-army",
        "target": target,
        "confidence": 0.6,
        "summary": "road cut",
        "quote": "the road was cut",
        "source": {"outlet": "Wire", "title": "Road cut"},
        **more,
    }
    data = {"review": 1, "scenario": "valley", "origin": "test", "candidates": [cand]}
    path = tmp / "review.yaml"
    path.write_text(dump(data), encoding="utf-8")  # the emitter keeps U+0085 and U+2028
    return path


def accept(rev: Path, scenario: Path):
    return runner.invoke(app, ["events", "accept", str(rev), "--scenario", str(scenario)])


def events_in(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["events"]


def test_a_tampered_review_target_cannot_smuggle_a_second_event(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path)
    before = scenario.read_text()
    res = accept(review(tmp_path, {SMUGGLING_KEY: "town"}), scenario)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "candidate cand-1: cannot accept it: target." in lines[0], lines
    assert "Extra inputs are not permitted" in lines[0]
    assert scenario.read_text() == before and not list(tmp_path.glob("scenario.yaml.bak*"))


@pytest.mark.parametrize(
    "value",
    [
        "x\n  - id: smuggled\n    kind: close",
        "x}\n  - id: smuggled",
        "line\u2028  - id: smuggled",
        "next\x85line",
        "# not a comment",
        "'quoted' \"twice\": yes",
    ],
)
def test_hostile_values_are_written_as_one_value(tmp_path: Path, value: str) -> None:
    scenario = write_scenario(tmp_path)
    n = len(events_in(scenario))
    res = accept(
        review(tmp_path, {"ref": "R-N", "between": ["town", "north"]}, quote=value), scenario
    )
    assert res.exit_code == 0, res.output
    events = events_in(scenario)
    assert len(events) == n + 1 and events[-1]["quote"] == value


def test_an_edit_that_would_not_hold_the_events_is_refused_and_nothing_written(
    tmp_path: Path,
) -> None:
    data = scenario_dict()
    del data["events"], data["plans"]
    scenario = write_scenario(tmp_path, data)
    scenario.write_text(scenario.read_text() + "...\n")  # a document end: what follows is not it
    before = scenario.read_text()
    res = accept(review(tmp_path, {"ref": "R-N", "between": ["town", "north"]}), scenario)
    assert res.exit_code == 2, res.output
    assert "error:" in res.output and "nothing written" in res.output, res.output
    assert scenario.read_text() == before


def test_accept_rewrites_a_flow_style_events_list_as_the_server_does(tmp_path: Path) -> None:
    data = scenario_dict()
    first = data["events"][0]
    data["events"] = []
    del data["plans"]
    scenario = write_scenario(tmp_path, data)
    text = scenario.read_text()
    flow = "events: " + yaml.safe_dump([first], default_flow_style=True, width=10**6)
    scenario.write_text(text.replace("events: []\n", flow))
    res = accept(review(tmp_path, {"ref": "R-N", "between": ["town", "north"]}), scenario)
    assert res.exit_code == 0, res.output
    assert [e["id"] for e in events_in(scenario)] == ["cut-north", "cand-1"]
    assert "\n  - id: cand-1\n" in scenario.read_text()


_hostile = st.text(
    alphabet=st.sampled_from(list("ab :#-{}[]'\"\n\r\t&*!|>%@`,?\\\x85\u2028\u2029\ufeff")),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(_hostile, min_size=1, max_size=4, unique=True),
    values=st.lists(_hostile | st.integers() | st.booleans(), min_size=4, max_size=4),
)
def test_the_editor_writes_hostile_keys_and_values_as_they_are(keys, values) -> None:
    text = "name: x  # a comment\nevents:\n  - id: a\n    kind: close\n\nplans: []\n"
    fields = {"id": "b", **dict(zip(keys, values, strict=False))}
    out = edit_events(text, added=[fields], sources={"S": {"title": values[0]}})
    data = yaml.safe_load(out)
    assert data["events"] == [{"id": "a", "kind": "close"}, fields]
    assert data["sources"] == {"S": {"title": values[0]}} and data["plans"] == []
    assert out.startswith("name: x  # a comment\n")


def test_the_editor_refuses_a_taken_source_and_retracts_with_one_comment_line() -> None:
    text = "sources:\n  S: {title: a}\nevents:\n  - id: a\n  - id: b\n"
    with pytest.raises(EditRefused, match="source 'S' is already in the scenario"):
        edit_events(text, added=[{"id": "c"}], sources={"S": {"title": "other"}})
    out = edit_events(text, changed={0: Retract("event a\n- id: z retracted")})
    assert yaml.safe_load(out)["events"] == [{"id": "b"}]
    assert "# event a\\n- id: z retracted\n" in out
