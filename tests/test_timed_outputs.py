"""The evacuation over time in what users read (issue 25): a closed checkpoint, `compare`'s
"all out by" column and `--start`, `analyze --chart`, the gate spans the chart shades.

On the bundled khazir-2017 scenario (a daily 09:00-14:00 window on R6 and the Khazir checkpoint
at 1,200 persons/h, 08:00-18:00) and its plans `no-pause` and `screening-halted`.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from corridor.analysis.replay import replay, report_at
from corridor.cli.main import app
from corridor.model.timeline import state_at
from corridor.outputs.charts import gate_spans
from corridor.testing import bundled

runner = CliRunner()
JAN = dt.date(2017, 1, 1)


@pytest.fixture(scope="module")
def khazir():  # type: ignore[no-untyped-def]
    return bundled("khazir-2017")


def test_a_closed_checkpoint_lets_nobody_through_even_in_the_window(khazir) -> None:  # type: ignore[no-untyped-def]
    """Closing the only checkpoint on the only road seals the place: the window on R6, which
    opens its road even where a closure would close it, does not open a closed checkpoint; the
    evacuation over time gets no one out. Reopened, the checkpoint meters the flow again."""
    sc, nets = khazir
    closed = state_at(sc, JAN.replace(day=26), plan="screening-halted")
    assert [c.id for c in closed.closed_checkpoints] == ["khazir-screening"]
    assert closed.checkpoints == ()
    assert any("checkpoint Khazir closed" in c.closure.label for c in closed.closures)
    r = report_at(sc, nets, JAN.replace(day=26), plan="screening-halted")
    assert r.status == "sealed"
    assert r.timed is not None and r.timed.finish is None and r.timed.persons_out == 0
    # what happened that day: the checkpoint open, everyone out in days
    base = report_at(sc, nets, JAN.replace(day=26))
    assert base.timed is not None and base.timed.finish is not None
    # reopened on the 28th: the same answer as what happened on the 28th
    again = state_at(sc, JAN.replace(day=28), plan="screening-halted")
    assert [c.id for c in again.checkpoints] == ["khazir-screening"]
    assert again.closed_checkpoints == ()
    a = report_at(sc, nets, JAN.replace(day=28), plan="screening-halted")
    b = report_at(sc, nets, JAN.replace(day=28))
    assert a.timed is not None and b.timed is not None
    assert a.timed.finish == b.timed.finish


def test_compare_shows_when_the_last_person_is_out_under_each_plan() -> None:
    res = runner.invoke(app, ["compare", "khazir-2017", "--plan", "screening-halted"])
    assert res.exit_code == 0, res.output
    assert "all out by" in res.output
    assert "3 Feb 11:30" in res.output  # what happened on the 26th
    assert "not all out in 14 d" in res.output  # the plan on the 26th
    assert "The two part on 2017-01-26." in res.output


def test_compare_start_and_the_finish_count_as_a_difference() -> None:
    """Dropping the pause changes no status, exit, cut or capacity; it changes when the last
    person is out (from 08:00, the window's 09:00 opening delays the start), and that is the
    first difference `compare` names."""
    res = runner.invoke(
        app, ["compare", "khazir-2017", "--plan", "no-pause", "--start", "08:00", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["first_difference"] == "2017-01-24"
    res = runner.invoke(app, ["compare", "khazir-2017", "--plan", "no-pause", "--start", "8h"])
    assert res.exit_code == 2
    assert "--start" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_analyze_chart_draws_the_evacuation_over_time(tmp_path, suffix) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"khazir.{suffix}"
    res = runner.invoke(app, ["analyze", "khazir-2017", "--chart", str(out)])
    assert res.exit_code == 0, res.output
    body = out.read_bytes()
    if suffix == "png":
        assert body.startswith(b"\x89PNG")
    else:
        text = body.decode()
        assert "<svg" in text
        # the gate rows are labelled (matplotlib writes SVG text as glyph paths with the text
        # in comments)
        assert "window R6 09:00-14:00" in text
        assert "persons out" in text


def test_analyze_chart_without_an_evacuation_over_time_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "m.png"
    res = runner.invoke(app, ["analyze", "mosul-2016", "--chart", str(out)])
    assert res.exit_code == 2
    assert "--chart" in res.output and "--start" in res.output
    assert "Traceback" not in res.output
    assert not out.exists()
    # with --start there is one, through the roads' own capacity
    res = runner.invoke(app, ["analyze", "mosul-2016", "--start", "06:00", "--chart", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"\x89PNG")


def test_gate_spans_are_the_open_hours_in_the_charted_days(khazir) -> None:  # type: ignore[no-untyped-def]
    sc, nets = khazir
    r = report_at(sc, nets, None)
    spans = dict(gate_spans(sc, r))
    assert set(spans) == {
        "window R6 09:00-14:00",
        "checkpoint Khazir 08:00-18:00, 1,200 persons/h",
    }
    for label, hours in (("window R6", (9, 14)), ("checkpoint Khazir", (8, 18))):
        (got,) = [v for k, v in spans.items() if k.startswith(label)]
        assert got, label
        for a, b in got:
            assert (a.hour, b.hour) == hours, (label, a, b)
            assert a.date() >= r.timed.start.date()
        days = [a.date() for a, _ in got]
        assert days == sorted(set(days))  # one span a day, in order, no gap
        assert (days[-1] - days[0]).days == len(days) - 1
    # the chart covers the whole evacuation: the last span ends after the last person is out
    assert r.timed.finish is not None
    assert max(b for _, b in spans["window R6 09:00-14:00"]) >= r.timed.finish


def test_gate_spans_follow_a_plan_s_windows(khazir) -> None:  # type: ignore[no-untyped-def]
    """Without the pause (plan no-pause) the chart has only the checkpoint's row."""
    sc, nets = khazir
    (r,) = replay(sc, nets, plan="no-pause", dates=[JAN.replace(day=24)])
    assert [label for label, _ in gate_spans(sc, r)] == [
        "checkpoint Khazir 08:00-18:00, 1,200 persons/h"
    ]
