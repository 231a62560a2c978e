"""The sampling model of the evidence: against an exact enumeration of every event subset."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
from shapely.geometry import box
from tests.fixtures import scenario_dict, write_scenario

from corridor.analysis.replay import report_at
from corridor.analysis.uncertainty import (
    buffered,
    exact_at,
    sample_at,
    sample_scenario,
    sample_timeline,
)
from corridor.errors import ScenarioError
from corridor.network.load import NetworkLoader
from corridor.scenario.load import load_scenario

DAY = dt.date(2020, 1, 25)  # every event of the fixture is in force


def _load(tmp_path, data=None):
    sc = load_scenario(write_scenario(tmp_path, data))
    return sc, NetworkLoader(sc.network_path, kind=sc.network_kind)


def _reference(sc, networks, day, mover):
    """P(open), P(each exit reachable) and the capacity distribution by brute force: every
    subset of the scenario's events (groups together), each analysed fresh."""
    events = list(sc.events)
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(events):
        groups.setdefault(e.group or f"\0{i}", []).append(i)
    units = list(groups.values())
    p_open = 0.0
    p_exit: np.ndarray | None = None
    capacity: dict[int, float] = {}
    for bits in itertools.product((False, True), repeat=len(units)):
        prob = 1.0
        kept: list[int] = []
        for u, b in zip(units, bits, strict=True):
            p = float(np.mean([events[i].confidence for i in u]))
            prob *= p if b else 1 - p
            if b:
                kept += u
        if prob == 0:
            continue
        sub = replace(sc, events=tuple(events[i] for i in sorted(kept)))
        r = report_at(sub, networks, day, mover=mover, k=0)
        reach = np.array([x.reachable for x in r.reach.exits], dtype=float)
        p_exit = prob * reach if p_exit is None else p_exit + prob * reach
        p_open += prob * (r.status == "open")
        capacity[r.flow.value_pph] = capacity.get(r.flow.value_pph, 0.0) + prob
    return p_open, p_exit, capacity


@pytest.mark.parametrize("mover", ["fighters", "civilians"])
def test_exact_and_sampling_match_brute_force(tmp_path, mover):
    sc, networks = _load(tmp_path)
    p_open, p_exit, _ = _reference(sc, networks, DAY, mover)
    exact = exact_at(sc, networks, DAY, mover=mover)
    assert exact.p_open == pytest.approx(p_open, abs=1e-9), "exact p_open differs from brute force"
    got = [x.p_reachable for x in exact.exits]
    assert got == pytest.approx(list(p_exit), abs=1e-9), "exact p_reachable differs"
    n = 1500
    sampled = sample_at(sc, networks, DAY, samples=n, seed=3, mover=mover)
    for name, p, q in [
        ("p_open", p_open, sampled.p_open),
        *((x.name, pe, x.p_reachable) for x, pe in zip(sampled.exits, p_exit, strict=True)),
    ]:
        tol = 4 * math.sqrt(max(p * (1 - p), 1e-4) / n)
        assert abs(q - p) <= tol, f"{mover} {name}: sampled {q:.4f}, exact {p:.4f} (tol {tol:.4f})"


def test_capacity_quantiles_match_the_exact_distribution(tmp_path):
    sc, networks = _load(tmp_path)
    _, _, capacity = _reference(sc, networks, DAY, "fighters")
    values = sorted(capacity)
    cum = np.cumsum([capacity[v] for v in values])
    expected = [values[int(np.searchsorted(cum, q - 1e-12))] for q in (0.1, 0.5, 0.9)]
    exact = exact_at(sc, networks, DAY, mover="fighters")
    got = [exact.capacity_pph.p10, exact.capacity_pph.p50, exact.capacity_pph.p90]
    assert got == expected, f"capacity quantiles {got}, expected {expected}"


def test_a_group_happens_together(tmp_path):
    data = scenario_dict()
    for e in data["events"]:
        if e["id"] in ("cut-north", "cut-track"):
            e["group"] = "offensive"
    sc, networks = _load(tmp_path, data)
    assert {e.id: e.group for e in sc.events}["cut-track"] == "offensive"
    p_open, p_exit, _ = _reference(sc, networks, DAY, "fighters")
    exact = exact_at(sc, networks, DAY, mover="fighters")
    assert [x.p_reachable for x in exact.exits] == pytest.approx(list(p_exit), abs=1e-9)
    assert exact.p_open == pytest.approx(p_open, abs=1e-9)
    # together: in every sample both cuts hold or neither
    for i in range(40):
        ids = {e.id for e in sample_scenario(sc, 5, i).events}
        assert ("cut-north" in ids) == ("cut-track" in ids), f"sample {i}: the group split"


def test_same_seed_same_answers_and_samples_do_not_depend_on_n(tmp_path):
    sc, networks = _load(tmp_path)
    a = sample_at(sc, networks, DAY, samples=60, seed=11, mover="fighters")
    b = sample_at(sc, networks, DAY, samples=60, seed=11, mover="fighters")
    assert a == b
    # sample i is the same world whether 10 or 60 are drawn (seed per sample, not per run)
    first = [tuple(e.id for e in sample_scenario(sc, 11, i).events) for i in range(10)]
    again = [tuple(e.id for e in sample_scenario(sc, 11, i).events) for i in range(10)]
    assert first == again
    other = sample_at(sc, networks, DAY, samples=60, seed=12, mover="fighters")
    assert other.seed == 12


def test_date_uncertainty_moves_events_uniformly(tmp_path):
    data = scenario_dict()
    for e in data["events"]:
        if e["id"] == "cut-north":
            e["date_uncertainty_days"] = 2  # 2020-01-03 .. 2020-01-07
            e["confidence"] = 1.0
    sc, networks = _load(tmp_path, data)
    n = 1000
    s = sample_at(sc, networks, dt.date(2020, 1, 4), samples=n, seed=2, mover="civilians")
    north = next(x for x in s.exits if x.name == "North City")
    p = 3 / 5  # cut on 3 or 4 January: 2 of the 5 days; North reachable otherwise
    assert abs(north.p_reachable - p) <= 4 * math.sqrt(p * (1 - p) / n), north
    with pytest.raises(ScenarioError, match="sample instead"):
        exact_at(sc, networks, dt.date(2020, 1, 4), mover="civilians")


def test_boundary_uncertainty_buffers_zones_in_metres(tmp_path):
    poly = box(10.0, 50.0, 10.1, 50.1)
    grown = buffered(poly, 1000)
    width_m = 0.1 * 111_320 * math.cos(math.radians(50.05))
    ratio = grown.bounds[2] - grown.bounds[0]
    assert ratio == pytest.approx(0.1 * (width_m + 2000) / width_m, rel=0.01)
    assert buffered(poly, -50_000).is_empty
    data = scenario_dict()
    ring = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]
    data["zones"] = [
        {"id": "z", "actor": "red-army", "polygon": ring, "boundary_uncertainty_m": 500}
    ]
    sc, _ = _load(tmp_path, data)
    assert sc.zones[0].boundary_uncertainty_m == 500
    areas = {round(sample_scenario(sc, 1, i).zones[0].polygon.area, 12) for i in range(5)}
    assert len(areas) == 5, "each sample draws its own buffer"


def test_files_without_the_keys_behave_as_before(tmp_path):
    sc, _ = _load(tmp_path)
    assert all(e.group is None and e.date_uncertainty_days == 0 for e in sc.events)


def test_timeline_samples_every_change_date(tmp_path):
    sc, networks = _load(tmp_path)
    out = sample_timeline(sc, networks, samples=30, seed=1, mover="fighters")
    assert [s.date for s in out][:2] == ["2020-01-01", "2020-01-05"]
    assert out[0].p_open == 1.0 and out[0].n == 30


def test_cli_samples_json_is_reproducible_and_valid(tmp_path):
    import json

    import jsonschema
    from typer.testing import CliRunner

    from corridor.cli.main import app
    from corridor.outputs.json import REPORT_SCHEMA

    path = str(write_scenario(tmp_path))
    args = ["analyze", path, "--at", "2020-01-25", "--samples", "40", "--seed", "4", "--json"]
    runs = [CliRunner().invoke(app, args) for _ in range(2)]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    assert runs[0].stdout == runs[1].stdout, "the same seed gave different JSON"
    report = json.loads(runs[0].stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["samples"]["n"] == 40 and report["samples"]["seed"] == 4
    tl = CliRunner().invoke(app, ["timeline", path, "--samples", "20", "--json"])
    assert tl.exit_code == 0, tl.output
    assert all(r["samples"]["n"] == 20 for r in json.loads(tl.stdout))
    text = CliRunner().invoke(app, ["timeline", path, "--samples", "20", "--csv"])
    assert text.exit_code == 0 and "p_open" in text.stdout.splitlines()[0], text.output


def test_answers_do_not_depend_on_the_number_of_workers(tmp_path):
    sc, networks = _load(tmp_path)
    one = sample_timeline(sc, networks, samples=24, seed=9, mover="fighters")
    two = sample_timeline(sc, networks, samples=24, seed=9, mover="fighters", workers=2)
    assert one == two, "two workers gave other answers than one"


def test_composed_situations_equal_situation_at():
    """The sampler's situations (closures and zones bound once, composed per sample) have the
    open roads of situation_at, on mosul-2016 (zones, zone events, reopenings) and buffers."""
    from corridor.analysis.replay import mover_network
    from corridor.analysis.uncertainty import _Analyst
    from corridor.model.timeline import change_dates, situation_at
    from corridor.testing import bundled

    sc, networks = bundled("mosul-2016")
    sc = replace(sc, zones=tuple(replace(z, boundary_uncertainty_m=3000) for z in sc.zones))
    for mover in ("isis-fighters", None):
        net = mover_network(sc, networks, mover)
        analyst = _Analyst(net, mover=mover, plan=None)
        for i in range(4):
            sample = sample_scenario(sc, 8, i)
            for d in change_dates(sc)[::3]:
                got, _ = analyst.situation(sample, d)
                want, _ = situation_at(sample, net, d, mover=mover, adapted=True)
                diff = np.flatnonzero(got.open != want.open)
                assert len(diff) == 0, f"{mover} sample {i} {d}: edges {diff[:5]} differ"


def test_zones_are_held_with_their_confidence(tmp_path):
    """Two layers of one front (assessed control 0.9, claimed 0.4), each sealing the town: in a
    sample the town is open only when neither is held, with probability 0.1 x 0.6 = 0.06. A
    zone without a confidence, or of confidence 1, holds in every sample; exact enumeration
    refuses uncertain zones."""
    data = scenario_dict()
    data["events"], data["plans"] = [], []
    ring = [[9.5, 49.5], [10.5, 49.5], [10.5, 50.5], [9.5, 50.5], [9.5, 49.5]]
    data["zones"] = [
        {"id": "assessed", "actor": "red-army", "polygon": ring, "confidence": 0.9, "source": "T1"},
        {"id": "claimed", "actor": "red-army", "polygon": ring, "confidence": 0.4, "source": "T2"},
    ]
    data["sources"]["T2"] = {"outlet": "Test Map", "date": "2020-01-01"}
    sc, networks = _load(tmp_path, data)
    assert report_at(sc, networks, DAY, mover="fighters").status == "sealed"
    n = 600
    got = sample_at(sc, networks, DAY, samples=n, seed=5, mover="fighters")
    sd = math.sqrt(0.06 * 0.94 / n)
    assert abs(got.p_open - 0.06) < 4 * sd, got.p_open
    held = [
        tuple(z.id for z in sample_scenario(sc, 5, i).zones) for i in range(200)
    ]  # each layer on its own
    share = {k: sum(k in h for h in held) / len(held) for k in ("assessed", "claimed")}
    assert abs(share["assessed"] - 0.9) < 0.09 and abs(share["claimed"] - 0.4) < 0.14, share
    with pytest.raises(ScenarioError, match="zone's confidence is below 1"):
        exact_at(sc, networks, DAY, mover="fighters")
    data["zones"] = [{"id": "sure", "actor": "red-army", "polygon": ring}]
    sc, networks = _load(tmp_path, data)
    assert sample_at(sc, networks, DAY, samples=50, seed=5, mover="fighters").p_open == 0.0
