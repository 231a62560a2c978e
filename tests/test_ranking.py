"""Roads ranked by what closing each alone does: the answers equal fresh analyses."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from tests.fixtures import write_scenario

from corridor.analysis.prepared import Prepared
from corridor.analysis.ranking import RankBy, rank_roads
from corridor.analysis.replay import mover_network
from corridor.analysis.report import analyze
from corridor.model.timeline import situation_at
from corridor.network.load import NetworkLoader
from corridor.scenario.load import load_scenario
from corridor.testing import bundled


def _situation(sc, networks, day, mover):
    net = mover_network(sc, networks, mover)
    return situation_at(sc, net, day, mover=mover, adapted=True)[0]


def _assert_equals_fresh(situation, ranking):
    prepared = Prepared.of(situation)
    base = analyze(situation, k=0, prepared=prepared)
    assert ranking.capacity_pph == base.flow.value_pph
    for r in ranking.roads:
        fresh = analyze(situation.with_closed(r.edges), k=0, prepared=prepared)
        where = f"closing {r.road} (edges {r.edges.tolist()})"
        assert r.capacity_lost_pph == base.flow.value_pph - fresh.flow.value_pph, where
        assert r.seals == (base.status == "open" and fresh.status == "sealed"), where
        after = {x.name: x for x in fresh.reach.exits}
        for b in base.reach.exits:
            if not b.reachable:
                continue
            a = after[b.name]
            if a.reachable:
                assert r.extra_time_s[b.name] == pytest.approx(
                    a.travel_time_s - b.travel_time_s, abs=1e-2
                ), where
            else:
                assert r.extra_time_s[b.name] is None and b.name in r.exits_cut, where


@pytest.mark.parametrize("mover", ["fighters", "civilians"])
def test_valley_ranking_equals_fresh_analyses(tmp_path, mover):
    sc = load_scenario(write_scenario(tmp_path))
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    s = _situation(sc, networks, dt.date(2020, 1, 1), mover)
    for by_way in (False, True):
        ranking = rank_roads(s, by_way=by_way)
        assert ranking.roads, "nothing ranked"
        _assert_equals_fresh(s, ranking)


def test_mosul_ranking_equals_fresh_analyses_and_orders():
    sc, networks = bundled("mosul-2016")
    s = _situation(sc, networks, dt.date(2016, 10, 17), "isis-fighters")
    ranking = rank_roads(s, by_way=True)
    _assert_equals_fresh(s, ranking)
    lost = [r.capacity_lost_pph for r in ranking.roads]
    assert lost == sorted(lost, reverse=True), "by capacity: most lost first"
    sealed = rank_roads(s, by=RankBy.SEAL, by_way=True)
    flags = [r.seals for r in sealed.roads]
    assert flags == sorted(flags, reverse=True), "by seal: sealing roads first"
    assert len(rank_roads(s, top=2).roads) <= 2


def test_stretches_carry_flow():
    sc, networks = bundled("mosul-2016")
    s = _situation(sc, networks, dt.date(2016, 10, 17), "isis-fighters")
    flow = analyze(s, k=0).flow.edge_flow_pph
    ranking = rank_roads(s)
    assert all((flow[r.edges] > 0).any() for r in ranking.roads)
    seen = [tuple(sorted(set(s.network.segment[r.edges].tolist()))) for r in ranking.roads]
    assert len(seen) == len(set(seen)), "a stretch listed twice (both directions)"
    assert np.isin(np.flatnonzero(flow > 0), np.concatenate([r.edges for r in ranking.roads])).all()


def test_rank_by_is_forgiving_and_lists_choices():
    assert RankBy("TIME") is RankBy.TIME
    with pytest.raises(ValueError, match="capacity, time, seal"):
        RankBy("speed")


def test_cli_rank_json_csv_and_table(tmp_path):
    import json

    from typer.testing import CliRunner

    from corridor.cli.main import app

    path = str(write_scenario(tmp_path))
    res = CliRunner().invoke(app, ["rank", path, "--by", "seal", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    road = out["roads"][0]
    assert set(road) >= {"road", "osm_ways", "capacity_lost_pph", "extra_time_s", "seals"}
    csv = CliRunner().invoke(app, ["rank", path, "--by-way", "--top", "2", "--csv"])
    assert csv.exit_code == 0 and len(csv.stdout.strip().splitlines()) == 3, csv.output
    table = CliRunner().invoke(app, ["rank", path])
    assert table.exit_code == 0 and "persons/h lost" in table.stdout, table.output
    bad = CliRunner().invoke(app, ["rank", path, "--by", "speed"])
    assert bad.exit_code == 2 and "capacity, time, seal" in bad.output
