"""``corridor rank`` as a table for people: one row per road stretch (the flow chains of one
road with the same impact merged; never two rows for pieces of one OSM way with the same
impact), named as ``analyze`` names stretches, lengths in metres under 1 km; each row's loss
checked against networkx (closing the merged stretch loses what closing each of its pieces
loses)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from corridor.analysis.ranking import RoadImpact, flow_chains, rank_roads
from corridor.cli.main import app
from corridor.model.areas import Area
from corridor.model.network import RoadNetwork
from corridor.model.situation import Situation, build_situation
from corridor.network.ways import WayTable, network_from_ways

ANDORRA = Path("/work/shared/data/osm/andorra.osm.pbf")


def _network(*, bypass: bool) -> RoadNetwork:
    """Long Road: one OSM way (id 1) through nodes 0..8 (about 1.1 km apart), with dead-end side
    streets at nodes 2, 4 and 6 (junctions that split it into flow chains), Back Road from node
    0 round to node 8, and, with ``bypass``, a Bypass from node 3 to node 5."""
    lon = [0.01 * i for i in range(9)] + [0.02, 0.04, 0.06, 0.04, 0.04]
    lat = [0.0] * 9 + [0.005, 0.005, 0.005, -0.02, 0.01]
    ways: list[tuple[list[int], dict[str, str]]] = [
        (list(range(9)), {"highway": "primary", "name": "Long Road"}),
        ([2, 9], {"highway": "residential"}),
        ([4, 10], {"highway": "residential"}),
        ([6, 11], {"highway": "residential"}),
        ([0, 12, 8], {"highway": "tertiary", "name": "Back Road"}),
    ]
    if bypass:
        ways.append(([3, 13, 5], {"highway": "primary", "name": "Bypass"}))
    refs = np.concatenate([np.array(n, dtype=np.int64) for n, _ in ways])
    table = WayTable(
        way_id=np.arange(1, len(ways) + 1, dtype=np.int64),
        way_ptr=np.cumsum([0] + [len(n) for n, _ in ways]).astype(np.int64),
        node_ref=refs + 1,
        node_lon=np.array(lon)[refs],
        node_lat=np.array(lat)[refs],
        way_tags=[t for _, t in ways],
    )
    return network_from_ways(table, "car", source="test")


def _situation(*, bypass: bool) -> Situation:
    net = _network(bypass=bypass)
    west = Area("Westford", point=(0.0, 0.0), radius_m=200)
    east = Area("Eastbury", point=(0.08, 0.0), radius_m=200)
    return build_situation(net, west, [east])


def _nx_flow(situation: Situation, closed: np.ndarray) -> int:
    """Maximum flow (persons/h) from the origin's nodes to the exits' with the segments of
    ``closed`` shut, by networkx on a graph built from the raw edge arrays."""
    net = situation.network
    shut = np.isin(net.segment, net.segment[closed])
    g = nx.DiGraph()
    label = {v: v for v in range(net.n_nodes)}
    for nodes in situation.exits:
        label.update({int(v): "t" for v in nodes})
    label.update({int(v): "s" for v in situation.origin})
    g.add_nodes_from(["s", "t"])
    for e in np.flatnonzero(situation.open & ~shut).tolist():
        a, b = label[int(net.src[e])], label[int(net.dst[e])]
        if a != b:
            c = int(net.capacity_pph[e])
            g.add_edge(a, b, capacity=g[a][b]["capacity"] + c if g.has_edge(a, b) else c)
    return int(nx.maximum_flow_value(g, "s", "t"))


def _assert_losses_match_networkx(situation: Situation, roads: tuple[RoadImpact, ...]) -> None:
    base = _nx_flow(situation, np.zeros(0, dtype=np.int64))
    chains = flow_chains(situation)
    seg_chain = {int(situation.network.segment[e]): i for i, c in enumerate(chains) for e in c}
    for r in roads:
        whole = base - _nx_flow(situation, r.edges)
        assert r.capacity_lost_pph == whole, f"{r.label}: {r.capacity_lost_pph} vs nx {whole}"
        pieces = {seg_chain[int(situation.network.segment[e])] for e in r.edges}
        assert len(pieces) == r.pieces, r.label
        for i in pieces:  # each piece alone loses what the whole stretch loses
            alone = base - _nx_flow(situation, chains[i])
            assert alone == whole, f"{r.label}: piece {i} alone loses {alone}, whole {whole}"


def _same_impact_per_way(roads: tuple[RoadImpact, ...]) -> list[tuple[int, tuple[object, ...]]]:
    seen: dict[tuple[int, tuple[object, ...]], int] = {}
    twice = []
    for r in roads:
        for w in r.osm_ways:
            key = (w, r.same_impact())
            if key in seen:
                twice.append(key)
            seen[key] = 1
    return twice


def test_a_way_split_by_side_streets_is_one_row() -> None:
    s = _situation(bypass=False)
    assert sum(1 for c in flow_chains(s) if 1 in s.network.way_id[c]) == 4, "four chains"
    ranking = rank_roads(s)
    long_rows = [r for r in ranking.roads if 1 in r.osm_ways]
    assert len(long_rows) == 1, [r.label for r in long_rows]
    (row,) = long_rows
    assert row.pieces == 4 and row.osm_ways == (1,)
    assert row.label == "Long Road from Westford to Eastbury", row.label
    assert row.length_m == pytest.approx(float(s.network.length_m[row.edges].sum()), abs=0.1)
    assert len(row.edges) == 8  # one edge per segment of the way
    _assert_losses_match_networkx(s, ranking.roads)


def test_a_piece_of_another_impact_splits_the_way_but_never_repeats_a_row() -> None:
    s = _situation(bypass=True)
    ranking = rank_roads(s)
    long_rows = [r for r in ranking.roads if 1 in r.osm_ways]
    # the pieces beside the bypass lose less than the others: two rows, not six
    assert len(long_rows) == 2, [(r.label, r.capacity_lost_pph) for r in long_rows]
    assert long_rows[0].capacity_lost_pph != long_rows[1].capacity_lost_pph
    assert sorted(r.pieces for r in long_rows) == [2, 4]
    assert _same_impact_per_way(ranking.roads) == []
    _assert_losses_match_networkx(s, ranking.roads)


def test_the_table_reads_for_people(tmp_path: Path) -> None:
    from tests.fixtures import write_scenario

    path = str(write_scenario(tmp_path))
    table = CliRunner().invoke(app, ["rank", path, "--all"])
    assert table.exit_code == 0, table.output
    assert "road stretch" in table.stdout and " from " in table.stdout
    assert "0.0 km" not in table.stdout
    data = json.loads(CliRunner().invoke(app, ["rank", path, "--json"]).stdout)
    road = data["roads"][0]
    # the fields pinned before stay; the stretch's names are added
    assert list(road)[:5] == ["road", "ref", "osm_ways", "from", "to"]
    assert {"label", "from_name", "to_name", "pieces", "length_m"} <= set(road)
    assert road["label"].startswith(road["road"])
    both = CliRunner().invoke(app, ["rank", path, "--all", "--top", "3"])
    assert both.exit_code == 2 and "--top" in both.output


@pytest.mark.skipif(not ANDORRA.exists(), reason="needs the Andorra extract of shared/data/osm")
def test_andorra_rank_has_no_duplicate_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(ANDORRA, tmp_path / "andorra.osm.pbf")
    out = tmp_path / "andorra.yaml"
    init = [
        "scenario", "init", str(tmp_path / "andorra.osm.pbf"), "--origin", "Andorra la Vella",
        "--exit", "CG-1", "--exit", "CG-2", "-o", str(out),
    ]  # fmt: skip
    assert CliRunner().invoke(app, init).exit_code == 0
    res = CliRunner().invoke(app, ["rank", str(out), "--json"])
    assert res.exit_code == 0, res.output
    roads = json.loads(res.stdout)["roads"]
    assert 0 < len(roads) <= 60, f"{len(roads)} rows (132 before pieces were merged)"

    def same(r: dict) -> tuple[object, ...]:
        extra = tuple(
            (k, None if v is None else round(v / 60)) for k, v in r["extra_time_s"].items()
        )
        return (r["capacity_lost_pph"], tuple(sorted(r["exits_cut"])), r["seals"], extra)

    keys = [(w, same(r)) for r in roads for w in r["osm_ways"]]
    assert len(keys) == len(set(keys)), "two rows for pieces of one way with the same impact"
    assert any(
        r["from_name"] == "Sant Julià de Lòria" or r["to_name"] == "Sant Julià de Lòria"
        for r in roads
        if r["ref"] == "CG-1"
    ), [r["label"] for r in roads[:5]]
    table = CliRunner().invoke(app, ["rank", str(out), "--all"]).stdout
    assert "0.0 km" not in table and " m │" in table
    report = json.loads(CliRunner().invoke(app, ["analyze", str(out), "--json"]).stdout)
    for x in report["exits"]:
        times = [r["travel_time_s"] for r in report["routes"] if r["exit"] == x["name"]]
        assert times[1:] == sorted(times[1:]) and all(t >= times[0] for t in times), times
