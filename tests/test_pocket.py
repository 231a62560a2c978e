"""The pocket: what the origin still reaches, checked against networkx reachability."""

from __future__ import annotations

import datetime as dt
from functools import cache

import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings

from corridor.analysis.pocket import places_reached, pocket_of, reached_segments
from corridor.analysis.replay import mover_network, places_at, replay, report_at
from corridor.model.areas import haversine_m
from corridor.model.timeline import situation_at
from corridor.testing import bundled, two_towns_one_bridge
from strategies import examples, situations


@cache
def mosul():
    sc, networks = bundled("mosul-2016")
    return sc, networks, mover_network(sc, networks, "isis-fighters"), replay(sc, networks)


def nx_reached(net, open_mask, origin) -> set[int]:
    """Nodes the origin reaches over open edges, by networkx."""
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    e = np.flatnonzero(open_mask)
    g.add_edges_from(zip(net.src[e].tolist(), net.dst[e].tolist(), strict=True))
    out: set[int] = set()
    for o in origin.tolist():
        out |= nx.descendants(g, o) | {o}
    return out


def places_by_rule(net, places, reached: set[int]) -> list[str]:
    """The documented rule, written out again: a reached node in the place's area, or, for an
    area without nodes, its nearest node reached."""
    out = []
    for p in places:
        lon, lat = p.area.representative
        d = haversine_m(net.lon, net.lat, lon, lat)
        if p.area.point is not None:
            inside = np.flatnonzero(d <= p.area.radius_m)
        else:
            inside = np.flatnonzero(shapely.contains_xy(p.area.polygon, net.lon, net.lat))
        nodes = inside.tolist() if len(inside) else [int(np.argmin(d))]
        if reached & set(nodes):
            out.append(p.id)
    return out


def test_mosul_and_tal_afar_one_pocket_on_25_november() -> None:
    sc, networks, _, _ = mosul()
    r = report_at(sc, networks, dt.date(2016, 11, 25))
    p = r.pocket
    assert p is not None
    names = {x.id for x in p.places}
    assert {"mosul", "tal-afar", "badush", "syria-gate"} <= names
    assert not names & {"sinjar", "sufuk-crossing", "rabia-crossing", "qaim-crossing", "raqqa"}
    assert [(x.name, x.kind) for x in p.exits] == [("Tal Afar", "waypoint")]
    assert r.headline == "open only to waypoints (Tal Afar); sealed from every refuge"
    assert r.status == "open"
    pops = {x.id: x.population for x in p.places}
    assert pops["mosul"] == 1_500_000 and pops["tal-afar"] == 200_000
    assert p.population == sum(v or 0 for v in pops.values())
    # the pocket shrank since 17 October, when Syria was reachable
    first = report_at(sc, networks, dt.date(2016, 10, 17))
    assert first.pocket is not None and first.pocket.area_km2 > 10 * p.area_km2
    assert "sufuk-crossing" in {x.id for x in first.pocket.places}


@pytest.mark.parametrize("i", range(6))
def test_pocket_matches_networkx_reachability_on_every_date(i: int) -> None:
    sc, _networks, net, reports = mosul()
    for r in reports[i::6]:
        day = dt.date.fromisoformat(r.date)
        situation, state = situation_at(sc, net, day, mover=r.mover, adapted=True)
        reached = nx_reached(net, situation.open, situation.origin)
        assert set(r.reach.reached_nodes.tolist()) == reached, r.date
        p = r.pocket
        assert p is not None
        places = places_at(sc, state)
        assert [x.id for x in p.places] == places_by_rule(net, places, reached), r.date
        assert {x.name for x in p.exits} == {x.name for x in r.reach.exits if x.reachable}
        for x in p.places:  # the population at the date
            assert x.population == state.place_population.get(x.id), (r.date, x.id)
        # the outline holds every reached node on an open segment
        seg = reached_segments(net, situation.open, r.reach.reached_nodes)
        nodes = np.unique(np.concatenate([net.src[seg], net.dst[seg]]))
        assert shapely.contains_xy(p.outline, net.lon[nodes], net.lat[nodes]).all(), r.date
        assert p.segments == len(seg) and p.area_km2 > 0


def test_area_is_the_cells_one_segment_makes() -> None:
    s = two_towns_one_bridge()
    net = s.network
    bridge = np.flatnonzero(net.way_id == 13)[:1]
    reached = np.unique(np.concatenate([net.src[bridge], net.dst[bridge]])).astype(np.int64)
    mask = np.zeros(net.n_edges, dtype=bool)
    mask[bridge] = True
    p = pocket_of(net, mask, reached, cell_m=100.0)
    # the bridge runs 111 m east along the equator: 2 or 3 cells of 100 m wide, one row, and
    # their neighbours: 3 rows of 4 or 5 cells (0.12 or 0.15 km²)
    assert p.segments == 1 and p.area_km2 in (pytest.approx(0.12), pytest.approx(0.15))
    assert p.places == () and p.exits == ()


def test_no_reached_road_is_an_empty_pocket() -> None:
    s = two_towns_one_bridge()
    net = s.network
    p = pocket_of(net, np.zeros(net.n_edges, dtype=bool), s.origin[:1])
    assert p.area_km2 == 0 and p.outline.is_empty and p.segments == 0


def test_places_reached_counts_a_place_off_the_roads_by_its_nearest_node() -> None:
    sc, _, net, reports = mosul()
    far = sc.places["q-west"]  # "not on the road network"
    assert not far.area.node_mask(net).any()
    first = reports[0]
    inside = places_reached(net, [far], first.reach.reached_nodes)
    nearest = int(np.argmin(haversine_m(net.lon, net.lat, *far.area.representative)))
    assert bool(inside) == (nearest in set(first.reach.reached_nodes.tolist()))


def test_the_chart_labels_a_waypoint() -> None:
    from corridor.outputs.charts import _exit_label, timeline_series

    _, _, _, reports = mosul()
    kinds = timeline_series(reports)["kinds"]
    assert kinds["Tal Afar"] == "waypoint" and kinds["Sufuk border post"] == "refuge"
    assert _exit_label("Tal Afar", "waypoint") == "to Tal Afar (waypoint)"
    assert _exit_label("Sufuk border post", "refuge") == "to Sufuk border post"


@settings(max_examples=examples(0.5), deadline=None)
@given(situation=situations())
def test_pocket_on_random_networks_is_what_networkx_reaches(situation) -> None:  # type: ignore[no-untyped-def]
    from corridor.analysis.report import analyze

    net = situation.network
    r = analyze(situation, k=0)
    reached = nx_reached(net, situation.open, situation.origin)
    assert set(r.reach.reached_nodes.tolist()) == reached
    p = r.pocket
    assert p is not None
    expected = {x.name for x in r.reach.exits if x.reachable}
    assert {x.name for x in p.exits} == expected
    seg = reached_segments(net, situation.open, r.reach.reached_nodes)
    # the segments drawn: open, both ends reached by networkx
    drawn = {
        int(sg)
        for a, b, o, sg in zip(net.src, net.dst, situation.open, net.segment, strict=True)
        if o and int(a) in reached and int(b) in reached
    }
    assert {int(net.segment[e]) for e in seg} == drawn
    assert p.segments == len(seg) == len(drawn)
    if len(seg):
        nodes = np.unique(np.concatenate([net.src[seg], net.dst[seg]]))
        assert shapely.contains_xy(p.outline, net.lon[nodes], net.lat[nodes]).all()
        assert p.area_km2 > 0
    else:
        assert p.area_km2 == 0
