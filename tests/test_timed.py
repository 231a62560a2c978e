"""The evacuation over time (issue 25): windows, checkpoints, hours.

The reference is networkx's maximum flow on the full time-expanded network, built here from the
definition with exact fractions (no pruning, no resumed flows): node (v, t) for t = 0..T, an arc
(a, t) -> (b, t + d) of capacity floor(r (t + 1) s) - floor(r t s) for every t at which its gate
lets people in, unbounded waiting (v, t) -> (v, t + 1), and every (sink, t) drained. The least
T with a flow of D is the last entry step; everyone is out by the start of step T + 1, which is
what :func:`earliest_arrivals` reports.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.evacuation import evacuation_time
from corridor.analysis.prepared import SituationWork
from corridor.analysis.timed import (
    earliest_arrivals,
    timed_evacuation,
    timed_graph,
    transit_steps,
)
from corridor.model.areas import Area
from corridor.model.scenario import Checkpoint, Event
from corridor.model.situation import Closure, Situation, build_situation
from corridor.testing import network_from_segments
from strategies import LAT0, LON0, examples, situations

STEP_S = 300


def _nx_out_by(n, u, v, steps, rate, gate, gate_open, demand, last: int, wait=None) -> int:
    """networkx: the most persons out by the start of step ``last + 1`` (entries up to ``last``)."""
    g = nx.DiGraph()
    k = Fraction(STEP_S, 3600)
    for a in range(len(u)):
        for t in range(last + 1 - int(steps[a])):
            if gate[a] >= 0 and not gate_open[gate[a], t]:
                continue
            if np.isinf(rate[a]):
                cap = demand
            else:
                r = Fraction(int(rate[a]))
                cap = int(r * (t + 1) * k) - int(r * t * k)  # floor of non-negatives
            if cap <= 0:
                continue
            key = ((int(u[a]), t), (int(v[a]), t + int(steps[a])))
            if g.has_edge(*key):  # parallel arcs add up
                g.edges[key]["capacity"] += cap
            else:
                g.add_edge(*key, capacity=cap)
    for x in range(n):
        for t in range(last):
            if x != 1 and (wait is None or wait[x]):
                g.add_edge((x, t), (x, t + 1), capacity=demand)
    for t in range(last + 1):
        g.add_edge((1, t), "out", capacity=demand)
    if (0, 0) not in g or "out" not in g:
        return 0
    return min(demand, int(nx.maximum_flow_value(g, (0, 0), "out")))


@st.composite
def timed_networks(draw):
    n = draw(st.integers(2, 6))
    m = draw(st.integers(1, 9))
    arcs = [(draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))) for _ in range(m)]
    arcs = [(a, b) for a, b in arcs if a != b and b != 0 and a != 1] or [(0, 1)]
    u = np.array([a for a, _ in arcs], dtype=np.int64)
    v = np.array([b for _, b in arcs], dtype=np.int64)
    steps = np.array([draw(st.integers(0, 3)) for _ in arcs], dtype=np.int64)
    rate = np.array(
        [draw(st.sampled_from([60.0, 100.0, 250.0, 500.0, 1000.0, np.inf])) for _ in arcs]
    )
    n_gates = draw(st.integers(0, 2))
    horizon = 40
    opened = np.zeros((n_gates, horizon + 1), dtype=bool)
    for g in range(n_gates):
        for _ in range(draw(st.integers(1, 3))):
            a = draw(st.integers(0, horizon - 1))
            opened[g, a : a + draw(st.integers(1, 12))] = True
    gate = np.array([draw(st.integers(-1, n_gates - 1)) for _ in arcs], dtype=np.int64)
    demand = draw(st.integers(1, 400))
    wait = np.array([draw(st.booleans()) or x < 2 for x in range(n)])
    return n, u, v, steps, rate, gate, opened, demand, horizon, wait


@settings(max_examples=examples(0.6), deadline=None)
@given(timed_networks())
def test_earliest_arrivals_match_networkx_time_expanded_max_flow(case) -> None:
    n, u, v, steps, rate, gate, opened, demand, horizon, wait = case
    got = earliest_arrivals(
        n, u, v, steps, rate, gate, opened, demand, step_s=STEP_S, horizon_steps=horizon,
        hour_steps=5, wait=wait,
    )  # fmt: skip

    def nx_out_by(*args):
        return _nx_out_by(*args, wait=wait)

    at_horizon = nx_out_by(n, u, v, steps, rate, gate, opened, demand, horizon)
    if got.finish_step is None:
        assert at_horizon < demand, f"networkx moves all {demand} by the horizon, we found none"
    else:
        last = got.finish_step - 1
        assert nx_out_by(n, u, v, steps, rate, gate, opened, demand, last) >= demand, (
            f"finish at step {got.finish_step}, but networkx moves fewer than {demand} by then"
        )
        if last > 0:
            before = nx_out_by(n, u, v, steps, rate, gate, opened, demand, last - 1)
            assert before < demand, f"networkx moves all {demand} a step before {got.finish_step}"
    for s, out in zip(got.steps.tolist(), got.out.tolist(), strict=True):
        ref = nx_out_by(n, u, v, steps, rate, gate, opened, demand, s - 1)
        assert out == ref, f"persons out by step {s}: {out}, networkx {ref}"


# ------------------------------------------------------------------- hand-checked


def one_road() -> Situation:
    """A 22 km primary road from a town (node 0) over a middle node (1) to a camp (node 2)."""
    coords = [(LON0, LAT0), (LON0 + 0.1, LAT0), (LON0 + 0.2, LAT0)]
    net = network_from_segments(coords, [(0, 1), (1, 2)], highway="primary")
    town = Area("town", point=coords[0], radius_m=50)
    camp = Area("camp", point=coords[2], radius_m=50)
    return build_situation(net, town, [camp])


def checkpoint_at_middle(hours=None) -> Checkpoint:
    area = Area("middle", point=(LON0 + 0.1, LAT0), radius_m=50)
    return Checkpoint("mid", "Middle", area, 500.0, hours=hours)


@pytest.mark.parametrize("method", ["whole", "gates"])
def test_a_checkpoint_at_500_an_hour_lets_10000_out_in_20_hours_plus_the_way(method) -> None:
    s = one_road()
    travel_s = float(s.network.travel_time_s[s.network.src == 0][0] * 2)
    start = dt.datetime(2023, 11, 5, 8, 0)
    r = timed_evacuation(
        SituationWork(s), 10_000, start, checkpoints=[checkpoint_at_middle()], method=method
    )
    assert r.exact, f"{method}: not exact"
    expected = start + dt.timedelta(hours=20, seconds=travel_s)
    assert r.finish is not None, "nobody out"
    assert abs((r.finish - expected).total_seconds()) <= STEP_S, (
        f"out at {r.finish}, by hand {expected} (20 h + {travel_s:.0f} s)"
    )
    assert r.bottleneck is not None and r.bottleneck.id == "mid", f"{r.bottleneck} decides it"
    assert r.profile[0] == (3600.0, pytest.approx(500 - 500 * travel_s / 3600, abs=45)), r.profile[
        0
    ]


@pytest.mark.parametrize("method", ["whole", "gates"])
def test_a_window_10_to_14_lets_2000_a_day_out_on_the_fifth_day_at_14(method) -> None:
    s = one_road()
    travel_s = float(s.network.travel_time_s[s.network.src == 0][0] * 2)
    start = dt.datetime(2023, 11, 5, 8, 0)
    window = Event(
        "pause", start.date(), "window", closure=Closure(ways=(1, 2)), hours=(600, 840),
        until=start.date() + dt.timedelta(days=30),
    )  # fmt: skip
    r = timed_evacuation(
        SituationWork(s), 10_000, start, windows=[window], checkpoints=[checkpoint_at_middle()],
        method=method,
    )  # fmt: skip
    assert r.exact, f"{method}: not exact"
    expected = dt.datetime(2023, 11, 9, 14, 0) + dt.timedelta(seconds=travel_s)
    assert r.finish is not None, "nobody out"
    assert abs((r.finish - expected).total_seconds()) <= STEP_S, (
        f"out at {r.finish}, by hand {expected}"
    )
    out_by = dict(r.profile)
    assert (out_by[86400.0], out_by[2 * 86400.0]) == (2000, 4000), f"persons out: {r.profile}"
    # lifting the checkpoint gets everyone out on the first day, lifting the window in 20 h
    assert r.bottleneck is not None and r.bottleneck.id == "mid", f"{r.bottleneck} decides it"
    fast = Checkpoint("mid", "Middle", checkpoint_at_middle().area, 5000.0)
    r = timed_evacuation(SituationWork(s), 100_000, start, windows=[window], checkpoints=[fast])
    assert r.bottleneck is not None and r.bottleneck.kind == "window", f"{r.bottleneck} decides it"


def test_a_window_that_ends_leaves_people_inside() -> None:
    s = one_road()
    start = dt.datetime(2023, 11, 5, 8, 0)
    window = Event("pause", start.date(), "window", closure=Closure(ways=(1,)), hours=(600, 840))
    r = timed_evacuation(SituationWork(s), 30_000, start, windows=[window], horizon_s=3 * 86400)
    assert r.finish is None, f"one 4 h window of a 6000 pph road let 30,000 out by {r.finish}"
    assert r.persons_out == r.profile[-1][1] == 24_000, f"{r.persons_out} out, expected 6000 x 4"


def test_a_window_opens_a_closed_road_in_its_hours() -> None:
    s = one_road()
    closed = s.with_closed(np.flatnonzero(s.network.way_id == 2))
    start = dt.datetime(2023, 11, 5, 8, 0)
    assert timed_evacuation(SituationWork(closed), 100, start).finish is None, "closed, yet out"
    window = Event("pause", start.date(), "window", closure=Closure(ways=(2,)), hours=(600, 840))
    r = timed_evacuation(SituationWork(closed), 100, start, windows=[window])
    assert r.finish is not None and dt.datetime(2023, 11, 5, 10) < r.finish < dt.datetime(
        2023, 11, 5, 11
    ), f"the window 10:00-14:00 opens the closed road, yet out at {r.finish}"


def test_a_checkpoint_off_the_road_warns() -> None:
    far = Checkpoint("far", "Far", Area("far", point=(LON0, LAT0 + 0.5), radius_m=50), 10.0)
    r = timed_evacuation(SituationWork(one_road()), 100, dt.datetime(2023, 1, 1), checkpoints=[far])
    assert [w.code for w in r.warnings] == ["checkpoint-binds-nothing"], r.warnings


def test_transit_steps_keep_fastest_routes_within_half_a_step() -> None:
    # 50 arcs of 100 s in a row: each alone rounds to 0 steps, the route must keep its 5000 s
    n = 52
    u = np.array([0, *range(2, 51), 51])
    v = np.array([*range(2, 52), 1])
    steps = transit_steps(n, u, v, np.full(len(u), 100.0), 300.0)
    assert abs(int(steps.sum()) * 300 - 100 * len(u)) <= 150, (
        f"{steps.sum()} steps for {len(u) * 100} s"
    )


@settings(max_examples=examples(0.3), deadline=None)
@given(situations(), st.integers(1, 50_000))
def test_without_gates_the_time_expanded_flow_is_the_quickest_flow(
    situation: Situation, population: int
) -> None:
    """On the time-expanded network with no window or checkpoint, the evacuation takes the
    quickest flow's time to within the rounding: a step for capacities, half a step per arc."""
    work = SituationWork(situation)
    tg = timed_graph(work)
    step = 60.0
    steps = transit_steps(tg.n, tg.u, tg.v, tg.transit_s, step)
    got = earliest_arrivals(
        tg.n, tg.u, tg.v, steps, tg.rate_pph, tg.gate, np.zeros((0, 1), bool), population,
        step_s=step, horizon_steps=int(3 * 86400 // step),
    )  # fmt: skip
    hours = evacuation_time(situation, population).hours
    if hours is None or hours > 3 * 24 - 1:
        return
    assert got.finish_step is not None, f"quickest flow {hours} h, time-expanded: not out"
    slack = step * (2 + len(tg.u) / 2) / 3600
    assert abs(got.finish_step * step / 3600 - hours) <= slack, (
        f"time-expanded {got.finish_step * step / 3600:.3f} h, quickest flow {hours:.3f} h"
    )
    r = timed_evacuation(work, population, dt.datetime(2020, 1, 1))
    assert r.hours == pytest.approx(hours), "no gates: not the quickest flow's time"


# ------------------------------------------------------------------- scenario and CLI


def timed_scenario(tmp_path, **extra):
    """The core valley scenario (tests/fixtures.py: one exit, West) with a window on the last
    stretch of the west road (way 202, W1 - West) and a checkpoint at West, plus ``extra``
    top-level keys."""
    from fixtures import WEST, core_scenario_dict, write_scenario

    data = core_scenario_dict(
        start="2020-01-01",
        population=20_000,
        checkpoints=[
            {
                "id": "w1-post",
                "name": "W1 post",
                "at": {"point": list(WEST), "radius_m": 600},
                "rate_pph": 1000,
                "hours": "08:00-18:00",
                "source": "hypothetical",
                "confidence": 0.8,
            }
        ],
        events=[
            {
                "id": "west-pause",
                "kind": "window",
                "date": "2020-01-01",
                "until": "2020-01-31",
                "hours": "10:00-14:00",
                "target": {"way": 202},
                "confidence": 0.7,
                "source": "hypothetical",
            }
        ],
    )
    data.update(extra)
    return write_scenario(tmp_path, data)


def test_analyze_says_when_the_last_person_is_out(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from corridor.cli.main import app

    path = timed_scenario(tmp_path)
    res = CliRunner().invoke(app, ["analyze", str(path), "--at", "2020-01-02", "--json"])
    assert res.exit_code == 0, res.output
    t = json.loads(res.output)["evacuation"]["timed"]
    # 1,000 an hour through the post, only 10:00-14:00: 4,000 a day, 20,000 on the fifth day
    assert t["start"] == "2020-01-02T00:00" and t["finish"].startswith("2020-01-06T14:"), t
    assert t["bottleneck"]["kind"] in ("window", "checkpoint"), t["bottleneck"]
    assert [g["id"] for g in t["gates"]] == ["west-pause", "w1-post"], t["gates"]
    hourly = [out for _, out in t["profile"]]
    assert hourly == sorted(hourly) and hourly[-1] == 20_000, hourly
    res = CliRunner().invoke(app, ["analyze", str(path), "--at", "2020-01-02", "--start", "12:00"])
    assert res.exit_code == 0, res.output
    # from 12:00 the first day lets 2,000 through (12:00-14:00): the last 2,000 on the sixth
    assert "20,000 people are out by 7 January 12:0" in " ".join(res.output.split()), res.output


def test_start_adds_the_timed_evacuation_only_when_asked(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from corridor.cli.main import app
    from fixtures import core_scenario_dict, write_scenario

    path = write_scenario(tmp_path, core_scenario_dict(population=1000))
    plain = CliRunner().invoke(app, ["analyze", str(path), "--json"])
    assert "timed" not in json.loads(plain.output)["evacuation"], "timed without being asked"
    res = CliRunner().invoke(app, ["analyze", str(path), "--json", "--start", "08:00"])
    timed = json.loads(res.output)["evacuation"]["timed"]
    quick = json.loads(res.output)["evacuation"]["hours"]
    assert timed["hours"] == pytest.approx(quick, abs=0.01) and timed["gates"] == [], timed
    bad = CliRunner().invoke(app, ["analyze", str(path), "--start", "25:00"])
    assert bad.exit_code == 2 and "HH:MM" in bad.output, bad.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": "25:00-26:00"}, "does not exist"),
        ({"hours": "14:00-10:00"}, "empty or run past midnight"),
        ({"until": "2019-12-31"}, "is before `date`"),
        ({"hours": None}, "a window needs `hours"),
        ({"kind": "restrict", "hours": None, "until": None, "capacity_factor": 0}, "greater than or equal to 0.001"),
        ({"kind": "restrict", "hours": None, "until": None, "speed_factor": 1.5}, "less than or equal to 1"),
        ({"kind": "restrict", "hours": None, "until": None}, "needs capacity_factor or speed_factor"),
        ({"kind": "close", "target": {"checkpoint": "nowhere"}, "hours": None, "until": None}, "no checkpoint with id"),
    ],
)  # fmt: skip
def test_bad_windows_and_restrictions_are_one_line_each(tmp_path, change, message) -> None:
    from corridor.errors import ScenarioError
    from corridor.scenario.load import load_scenario

    path = timed_scenario(tmp_path)
    import yaml

    data = yaml.safe_load(path.read_text())
    ev = data["events"][0]
    for k, val in change.items():
        if val is None:
            ev.pop(k, None)
        else:
            ev[k] = val
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert message in text and f"{path}:" in text, text


@pytest.mark.parametrize(
    ("change", "message"),
    [({"rate_pph": 0}, "greater than 0"), ({"rate_pph": 2e7}, "less than or equal to 10000000"),
     ({"hours": "8-18"}, "not HH:MM-HH:MM"), ({"to": "2019-01-01", "from": "2020-01-01"}, "is not after")],
)  # fmt: skip
def test_bad_checkpoints_are_one_line_each(tmp_path, change, message) -> None:
    from corridor.errors import ScenarioError
    from corridor.scenario.load import load_scenario

    path = timed_scenario(tmp_path)
    import yaml

    data = yaml.safe_load(path.read_text())
    data["checkpoints"][0].update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert message in str(err.value) and f"{path}:" in str(err.value), str(err.value)


def test_a_restriction_slows_and_thins_the_road_until_reopened(tmp_path) -> None:
    from corridor.analysis.replay import report_at
    from corridor.network.load import NetworkLoader
    from corridor.scenario.load import load_scenario

    restrict = {
        "id": "under-fire", "kind": "restrict", "date": "2020-01-03", "target": {"way": 202},
        "capacity_factor": 0.25, "speed_factor": 0.5, "confidence": 0.6, "source": "hypothetical",
    }  # fmt: skip
    lift = {
        "id": "lifted", "kind": "reopen", "date": "2020-01-05", "target": {"event": "under-fire"},
        "confidence": 0.6, "source": "hypothetical",
    }  # fmt: skip
    path = timed_scenario(tmp_path, checkpoints=[], events=[restrict, lift])
    sc = load_scenario(path)
    nets = NetworkLoader(sc.network_path)
    before, during, after = (report_at(sc, nets, dt.date(2020, 1, d)) for d in (2, 3, 5))
    assert during.flow.value_pph < before.flow.value_pph, (before.flow, during.flow)
    assert during.evacuation.hours > before.evacuation.hours
    assert after.flow.value_pph == before.flow.value_pph, "reopen did not lift the restriction"
    assert during.timed is not None and before.timed is None, "restrictions add the timed view"


def test_a_checkpoint_off_the_roads_warns_and_fails_under_strict(tmp_path) -> None:
    from typer.testing import CliRunner

    from corridor.cli.main import app

    far = {"id": "far", "at": {"point": [11.0, 51.0], "radius_m": 100}, "rate_pph": 10,
           "source": "x", "confidence": 1}  # fmt: skip
    path = timed_scenario(tmp_path, checkpoints=[far], events=[])
    res = CliRunner().invoke(app, ["analyze", str(path)])
    assert res.exit_code == 0 and "checkpoint far" in res.output, res.output
    res = CliRunner().invoke(app, ["analyze", str(path), "--strict"])
    assert res.exit_code == 2, res.output


@settings(max_examples=examples(0.3), deadline=None)
@given(situations(), st.integers(1, 20_000), st.integers(0, 23), st.integers(1, 6))
def test_the_gate_graph_brackets_the_whole_time_expanded_network(
    situation: Situation, population: int, hour: int, length: int
) -> None:
    """The gate graph's answer is never earlier than the whole network's (it is feasible), its
    relaxation never later, and an exact one is the whole network's to the step."""
    net = situation.network
    start = dt.datetime(2020, 1, 1, hour)
    ways = tuple(int(w) for w in np.unique(net.way_id)[:2])
    window = Event(
        "w", start.date(), "window", closure=Closure(ways=ways), hours=(600, 600 + 60 * length),
        until=start.date() + dt.timedelta(days=5),
    )  # fmt: skip
    work = SituationWork(situation)
    opts = {"windows": [window], "horizon_s": 3 * 86400, "bottleneck": False}
    whole = timed_evacuation(work, population, start, method="whole", **opts)
    gates = timed_evacuation(work, population, start, method="gates", **opts)
    inf = dt.datetime.max
    w_end, g_end = whole.finish or inf, gates.finish or inf
    assert g_end >= w_end, f"gate graph {g_end} before the whole network's {w_end}"
    if gates.exact:
        assert g_end == w_end, f"exact gate graph {g_end}, whole network {w_end}"
    elif gates.earliest is not None:
        assert gates.earliest <= w_end, f"bound {gates.earliest} after the answer {w_end}"


def test_samples_draw_windows_and_checkpoints_by_confidence(tmp_path) -> None:
    from corridor.analysis.uncertainty import sample_scenario
    from corridor.scenario.load import load_scenario

    sc = load_scenario(timed_scenario(tmp_path))  # window 0.7, checkpoint 0.8
    draws = [sample_scenario(sc, 1, i) for i in range(400)]
    windows = np.mean([any(e.kind == "window" for e in d.events) for d in draws])
    posts = np.mean([len(d.checkpoints) == 1 for d in draws])
    assert abs(windows - 0.7) < 0.08 and abs(posts - 0.8) < 0.08, (windows, posts)


def test_timeline_shows_the_evacuation_over_time_per_date(tmp_path) -> None:
    import csv
    import io

    from typer.testing import CliRunner

    from corridor.cli.main import app

    path = timed_scenario(tmp_path)
    res = CliRunner().invoke(app, ["timeline", str(path), "--csv", "--start", "10:00"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output.lstrip())))
    # from 10:00 on 1 January the first arrive at the window minutes after it opens: the first
    # day lets a little under 4,000 through, so the last few leave when it opens on the sixth
    assert rows[0]["timed_finish"].startswith("2020-01-06T10:"), rows[0]
    assert rows[0]["timed_persons_out"] == "20000", rows[0]
    table = CliRunner().invoke(app, ["timeline", str(path)])
    assert "over time" in table.output, table.output
