"""The timeline engine: event order, validity intervals, plans, reopening, change dates."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from corridor.analysis.replay import mover_network, replay, report_at
from corridor.errors import UnknownIdError
from corridor.model.scenario import Scenario
from corridor.model.timeline import change_dates, state_at, timeline_events
from corridor.network.load import load_network
from corridor.scenario.load import load_scenario
from fixtures import scenario_dict, write_scenario

D = dt.date


@pytest.fixture(scope="module")
def valley(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return load_scenario(write_scenario(tmp_path_factory.mktemp("valley")))


def _net(sc: Scenario, mover: str):
    return lambda base: load_network(sc.network_path, base, kind=sc.network_kind)


def _reachable(sc: Scenario, day: dt.date, mover: str, plan: str | None = None) -> dict[str, bool]:
    r = report_at(sc, _net(sc, mover), day, mover=mover, plan=plan, k=0)
    return {x.name: x.reachable for x in r.reach.exits}


def test_change_dates(valley: Scenario) -> None:
    assert change_dates(valley) == [
        D(2020, 1, 1),
        D(2020, 1, 5),
        D(2020, 1, 10),
        D(2020, 1, 15),
        D(2020, 1, 20),
    ]
    assert D(2020, 1, 3) in change_dates(valley, "seal")
    assert D(2020, 1, 10) not in change_dates(valley, "hold-west")


def test_story_for_fighters(valley: Scenario) -> None:
    assert _reachable(valley, D(2020, 1, 1), "fighters") == {
        "West City": True,
        "North City": True,
        "Border post": True,
    }
    # the north road is cut on the 5th
    assert _reachable(valley, D(2020, 1, 5), "fighters")["North City"] is False
    # a closure holds on the days between events
    assert _reachable(valley, D(2020, 1, 7), "fighters")["North City"] is False
    # red takes the W1 junction on the 10th: the west road is blocked for blue fighters
    assert _reachable(valley, D(2020, 1, 10), "fighters") == {
        "West City": False,
        "North City": False,
        "Border post": True,
    }
    # reopening restores the north road
    assert _reachable(valley, D(2020, 1, 15), "fighters")["North City"] is True
    # the track closure applies to fighters only
    assert _reachable(valley, D(2020, 1, 20), "fighters")["Border post"] is False


def test_mover_specific_exits_and_closures(valley: Scenario) -> None:
    r = report_at(valley, _net(valley, "civilians"), D(2020, 1, 10), mover="civilians", k=0)
    assert [x.name for x in r.reach.exits] == ["West City", "North City"]
    assert r.status == "sealed"
    state = state_at(valley, D(2020, 1, 20), mover="civilians")
    assert "cut-track" not in {e.id for e in state.events_today}
    assert state.population == 5000


def test_plans_drop_and_add(valley: Scenario) -> None:
    assert "take-w1" not in {e.id for e in timeline_events(valley, "hold-west")}
    assert _reachable(valley, D(2020, 1, 10), "fighters", "hold-west")["West City"] is True
    sealed = report_at(
        valley, _net(valley, "fighters"), D(2020, 1, 3), mover="fighters", plan="seal", k=0
    )
    assert sealed.status == "sealed"
    # before the plan's start both timelines agree
    assert _reachable(valley, D(2020, 1, 1), "fighters", "seal") == _reachable(
        valley, D(2020, 1, 1), "fighters"
    )
    with pytest.raises(UnknownIdError, match="plan 'nope' does not exist"):
        timeline_events(valley, "nope")


def test_plan_drops_only_from_its_start(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["plans"][0]["start"] = "2020-01-11"  # after take-w1 (10th): not dropped
    sc = load_scenario(write_scenario(tmp_path, data))
    assert "take-w1" in {e.id for e in timeline_events(sc, "hold-west")}


def _red_zone_scenario(tmp_path: Path, **zone: object) -> Scenario:
    """The valley with no events or plans and one zone, red-w, held from 2 to 4 January."""
    data = copy.deepcopy(scenario_dict())
    box = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]
    data["zones"] = [
        {
            "id": "red-w",
            "actor": "red-army",
            "from": "2020-01-02",
            "to": "2020-01-04",
            "polygon": box,
            "source": "T1",
            **zone,
        }
    ]
    data["events"] = []
    data["plans"] = []
    return load_scenario(write_scenario(tmp_path, data))


def test_zone_validity_interval(tmp_path: Path) -> None:
    sc = _red_zone_scenario(tmp_path)
    assert D(2020, 1, 2) in change_dates(sc) and D(2020, 1, 4) in change_dates(sc)
    west = {
        d: _reachable(sc, d, "fighters")["West City"]
        for d in (D(2020, 1, 1), D(2020, 1, 2), D(2020, 1, 3), D(2020, 1, 4))
    }
    assert west == {
        D(2020, 1, 1): True,
        D(2020, 1, 2): False,
        D(2020, 1, 3): False,
        D(2020, 1, 4): True,
    }


def test_later_zone_event_wins_over_earlier_zone(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    box = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]
    data["zones"] = [
        {"id": "red-w", "actor": "red-army", "from": "2020-01-01", "polygon": box, "source": "T1"}
    ]
    data["events"] = [
        {
            "id": "blue-takes-w",
            "date": "2020-01-06",
            "actor": "blue-militia",
            "kind": "zone",
            "target": {"polygon": box},
            "confidence": 0.8,
            "source": "T1",
        }
    ]
    data["plans"] = []
    sc = load_scenario(write_scenario(tmp_path, data))
    assert _reachable(sc, D(2020, 1, 5), "fighters")["West City"] is False
    assert _reachable(sc, D(2020, 1, 6), "fighters")["West City"] is True


def test_replay_gives_one_report_per_change_date(valley: Scenario) -> None:
    reports = replay(valley, _net(valley, "fighters"), mover="fighters")
    assert [r.date for r in reports] == [d.isoformat() for d in change_dates(valley)]
    assert reports[1].events[0].id == "cut-north"
    assert reports[1].events[0].sources[0].outlet == "Test Wire"


@pytest.mark.parametrize("mover", ["fighters", "civilians"])
def test_replay_reuse_equals_fresh_analysis(valley: Scenario, mover: str) -> None:
    """Dates whose open roads and population do not change reuse the analysis before them; the
    JSON must be exactly what a fresh analysis of that date gives."""
    from corridor.outputs.json import report_json

    replayed = replay(valley, _net(valley, mover), mover=mover)
    net = mover_network(valley, _net(valley, mover), mover)
    for r in replayed:
        fresh = report_at(valley, _net(valley, mover), D.fromisoformat(r.date), mover=mover, k=0)
        assert report_json(r, net) == report_json(fresh, net), f"{mover} {r.date}"
        assert r.closures == fresh.closures, f"{mover} {r.date}"


@pytest.mark.parametrize("mover", ["fighters", "civilians"])
def test_daily_replay_equals_fresh_analysis_every_day(valley: Scenario, mover: str) -> None:
    """Asked for every day, the replay analyses only days with changes; each day's report must
    still be what a fresh analysis of that day gives (events included)."""
    from corridor.outputs.json import report_json

    days = [D(2020, 1, 1) + dt.timedelta(days=i) for i in range(31)]
    replayed = replay(valley, _net(valley, mover), mover=mover, dates=days)
    net = mover_network(valley, _net(valley, mover), mover)
    assert [r.date for r in replayed] == [d.isoformat() for d in days]
    for r, d in zip(replayed, days, strict=True):
        fresh = report_at(valley, _net(valley, mover), d, mover=mover, k=0)
        assert report_json(r, net) == report_json(fresh, net), f"{mover} {d}"
        assert r.closures == fresh.closures, f"{mover} {d}"


def test_mover_side_means_blocked_by_every_hostile_side(tmp_path: Path) -> None:
    data = copy.deepcopy(scenario_dict())
    data["movers"][0] = {"id": "fighters", "base": "offroad", "side": "blue", "source": "T1"}
    data["sides"].append({"id": "green", "name": "Green", "allies": ["blue"]})
    sc = load_scenario(write_scenario(tmp_path, data))
    assert sc.movers["fighters"].blocked_by == frozenset({"red"})
    assert _reachable(sc, D(2020, 1, 10), "fighters")["West City"] is False


def test_every_row_names_the_zone_changes_of_its_date(tmp_path: Path) -> None:
    """Rows where a zone begins or ends say so: zone, actor, side, confidence and source; in
    the table, the CSV rows, the JSON and the chart's event list."""
    from rich.console import Console

    from corridor.outputs.charts import chart_events, timeline_series
    from corridor.outputs.json import report_json
    from corridor.outputs.timeline import events_text, timeline_rows, timeline_table

    sc = _red_zone_scenario(tmp_path, confidence=0.6)
    reports = replay(sc, _net(sc, "fighters"), mover="fighters")
    by_date = {r.date: r for r in reports}
    side = sc.sides[sc.actors["red-army"].side].name
    begins = events_text(by_date["2020-01-02"])
    ends = events_text(by_date["2020-01-04"])
    assert begins == f"zone red-w begins: red-army ({side}) holds it (conf 0.6, T1)"
    assert ends == f"zone red-w ends: red-army ({side}) no longer holds it (conf 0.6, T1)"
    net = mover_network(sc, _net(sc, "fighters"), "fighters")
    console = Console(width=400, record=True)
    console.print(timeline_table(sc, reports, net))
    table = console.export_text()
    assert "(start of the timeline)" in table.split("2020-01-02")[0]
    assert table.count("(start of the timeline)") == 1
    assert "zone red-w begins" in table and "zone red-w ends" in table
    rows = {row["date"]: row for row in timeline_rows(reports, net)}
    assert rows["2020-01-04"]["events"] == ends
    js = report_json(by_date["2020-01-02"], net)["zone_changes"]
    assert [(z["zone"], z["change"], z["side"], z["sources"][0]["key"]) for z in js] == [
        ("red-w", "begins", sc.actors["red-army"].side, "T1")
    ]
    series = timeline_series(reports)
    days = [D.fromisoformat(r.date) for r in reports]
    marks = dict(zip(series["dates"], chart_events(series, sc, days), strict=True))
    assert [e["what"] + e["evidence"] for e in marks["2020-01-04"]] == [ends]
