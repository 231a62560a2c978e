"""A zone holds a road by the road's geometry, not its midpoint (issue 27).

The network's edges are straight segments between nodes; long rural segments cross front lines
with their midpoint on either side. A zone that blocks closes every segment with more than
``ZONE_HOLD_TOLERANCE_M`` inside it; a later zone that does not block takes its own area out; the
origin's ground never counts. Checked against shapely's own intersection lengths.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.analysis.check import check_scenario
from corridor.analysis.routes import reach
from corridor.model.areas import ZONE_HOLD_TOLERANCE_M, Area, zone_hold
from corridor.model.situation import ZoneRule, build_situation, zone_control
from corridor.network.load import NetworkLoader
from corridor.scenario.load import load_scenario
from corridor.testing import network_from_segments
from fixtures import scenario_dict, write_scenario

# a 21 km road due east from a town at (0, 0) to a camp at (0.19, 0) (about 111 km a degree)
TOWN, CAMP = (0.0, 0.0), (0.19, 0.0)
ORIGIN = Area("Town", point=TOWN, radius_m=500)
EXIT = Area("Camp", point=CAMP, radius_m=500)
KM = 1 / 111.32  # degrees of longitude per km at the equator


def _long_road():
    return network_from_segments([TOWN, CAMP], [(0, 1)])


def _held_ground(west_km: float, east_km: float) -> shapely.Polygon:
    return shapely.box(west_km * KM, -0.05, east_km * KM, 0.05)


def test_a_long_segment_running_9_km_through_hostile_ground_is_closed() -> None:
    """The segment's midpoint (10.5 km) lies 1 km outside the held area (0.5 - 9.5 km): the
    midpoint rule left it open; the road runs 9 km through it, so it is closed."""
    net = _long_road()
    mid_km = float(net.edge_mid_lon[0]) / KM
    zone = _held_ground(0.5, 9.5)
    assert not zone.contains(shapely.Point(net.edge_mid_lon[0], 0.0)), "midpoint outside"
    assert mid_km > 9.5
    s = build_situation(net, ORIGIN, [EXIT], zones=[ZoneRule(zone, "west bank", blocks=True)])
    assert not s.open.any(), "both directions of the road are closed"
    assert s.zone_edges == (2,)
    assert reach(s).status == "sealed"
    hold = zone_hold(net, zone)
    assert np.allclose(hold.inside_m, 9000, rtol=2e-3), hold.inside_m


def test_a_road_touching_or_grazing_a_zone_stays_open() -> None:
    """A zone that only touches the road, or lets it cross a corner for less than the
    tolerance, holds nothing; one metre more than the tolerance holds it."""
    net = _long_road()
    touching = shapely.box(5 * KM, 0.0, 6 * KM, 0.05)  # its southern edge lies on the road
    short = (ZONE_HOLD_TOLERANCE_M - 2) / 1000
    grazing = _held_ground(12.0, 12.0 + short)
    over = _held_ground(12.0, 12.0 + (ZONE_HOLD_TOLERANCE_M + 2) / 1000)
    for polygon, held in ((touching, False), (grazing, False), (over, True)):
        s = build_situation(net, ORIGIN, [EXIT], zones=[ZoneRule(polygon, "z", blocks=True)])
        assert bool((~s.open).any()) is held, polygon.bounds


def test_a_later_zone_that_does_not_block_takes_its_area_out() -> None:
    """Hostile ground from 1 to 15 km, then a later friendly zone over 1-14 km: 1 km of hostile
    ground remains on the road, which stays closed; a friendly zone over all of it opens it. A
    later hostile zone does not reopen anything."""
    net = _long_road()
    hostile = ZoneRule(_held_ground(1, 15), "hostile", blocks=True)
    most = ZoneRule(_held_ground(0.8, 14), "friendly, most of it", blocks=False)
    all_of_it = ZoneRule(_held_ground(0.8, 15.2), "friendly, all of it", blocks=False)
    exempt = np.zeros(net.n_edges, dtype=bool)
    assert (zone_control(net, [hostile, most], exempt)[0] == 0).all()
    assert (zone_control(net, [hostile, all_of_it], exempt)[0] == -1).all()
    # the order matters: an earlier friendly zone is overruled by the hostile one
    assert (zone_control(net, [all_of_it, hostile], exempt)[0] == 1).all()
    # counts are each polygon's own, whatever overrules it
    assert zone_control(net, [hostile, all_of_it], exempt)[1] == (2, 2)


def test_the_origins_own_ground_does_not_count() -> None:
    """The town lies inside hostile ground that reaches 2 km out of it and 5 m further: the
    road leaving it runs 2.005 km through the zone, but only 5 m of it outside the town (radius
    2 km), below the tolerance, so the way out is open; 50 m more closes it."""
    net = _long_road()
    town = Area("Town", point=TOWN, radius_m=2000)
    for reach_km, closed in ((2.005, False), (2.05, True)):
        zone = ZoneRule(shapely.box(-0.1, -0.05, reach_km * KM, 0.05), "around", blocks=True)
        s = build_situation(net, town, [EXIT], zones=[zone])
        assert bool((~s.open).any()) is closed, reach_km


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_vertices=st.integers(3, 40),
    n_roads=st.integers(1, 60),
)
def test_inside_lengths_equal_shapelys_intersection(seed: int, n_vertices: int, n_roads: int):
    """Against the reference: each segment's metres inside a random (repaired) polygon are its
    length times the share of its line that shapely's intersection keeps; held exactly when
    that exceeds the tolerance or half the segment."""
    rng = np.random.default_rng(seed)
    ang = np.sort(rng.uniform(0, 2 * np.pi, n_vertices))
    r = rng.uniform(0.01, 0.05, n_vertices)
    polygon = shapely.make_valid(shapely.Polygon(np.c_[r * np.cos(ang), r * np.sin(ang)]))
    coords = rng.uniform(-0.06, 0.06, (2 * n_roads, 2))
    net = network_from_segments(
        [tuple(c) for c in coords], [(2 * i, 2 * i + 1) for i in range(n_roads)]
    )
    hold = zone_hold(net, polygon)
    got = dict(zip(hold.edges.tolist(), hold.inside_m.tolist(), strict=True))
    for e in range(net.n_edges):
        line = shapely.LineString(
            [(net.lon[net.src[e]], net.lat[net.src[e]]), (net.lon[net.dst[e]], net.lat[net.dst[e]])]
        )
        share = shapely.intersection(line, polygon).length / line.length if line.length else 0.0
        inside_m = share * float(net.length_m[e])
        expected = inside_m > ZONE_HOLD_TOLERANCE_M or share > 0.5
        if abs(inside_m - ZONE_HOLD_TOLERANCE_M) < 1e-3 or abs(share - 0.5) < 1e-9:
            continue  # on the threshold: either answer is right
        assert (e in got) is expected, (e, inside_m, share)
        if e in got:
            assert abs(got[e] - inside_m) < 1e-6 * max(1.0, inside_m), (e, got[e], inside_m)


def test_scenario_check_counts_a_zone_a_road_runs_through(tmp_path: Path) -> None:
    """A zone across the west road between W1 and West City with no segment's midpoint inside
    holds that road: `scenario check` does not call it empty; a zone off every road is."""
    data = scenario_dict()
    # R-W runs W1 (9.95) -> West City (9.90): midpoint 9.925; the zone covers 9.93-9.945
    data["zones"] = [
        {
            "id": "across-the-west-road",
            "actor": "red-army",
            "polygon": [
                [9.93, 49.99],
                [9.945, 49.99],
                [9.945, 50.01],
                [9.93, 50.01],
                [9.93, 49.99],
            ],
        },
        {
            "id": "empty-desert",
            "actor": "red-army",
            "polygon": [[10.3, 50.3], [10.4, 50.3], [10.4, 50.4], [10.3, 50.4], [10.3, 50.3]],
        },
    ]
    sc = load_scenario(write_scenario(tmp_path, data))
    found = {
        (f.code, f.key)
        for f in check_scenario(sc, NetworkLoader(sc.network_path, kind=sc.network_kind))
    }
    assert ("zone-holds-no-road", "zones[1]") in found
    assert ("zone-holds-no-road", "zones[0]") not in found


def test_a_front_bound_from_the_day_before_equals_one_bound_afresh(monkeypatch) -> None:
    """Detailed fronts of consecutive days are bound from the day before (only the segments
    meeting what changed are recomputed): the same edges and metres as binding each alone."""
    from corridor.model import areas

    rng = np.random.default_rng(5)
    n = 30
    xy = [(i * 0.002 + rng.uniform(-3e-4, 3e-4), j * 0.002) for j in range(n) for i in range(n)]
    segs = [(j * n + i, j * n + i + 1) for j in range(n) for i in range(n - 1)]
    segs += [(j * n + i, (j + 1) * n + i) for j in range(n - 1) for i in range(n)]
    net = network_from_segments(xy, segs)
    full_hold, partial = areas._hold, []

    def counted(lines, polygon, among=None):
        partial.append(among is not None)
        return full_hold(lines, polygon, among)

    monkeypatch.setattr(areas, "_hold", counted)
    k = 800
    lat = np.linspace(-0.01, 0.07, k)
    x = 0.03 + 0.002 * np.sin(np.arange(k) / 9.0)
    for day in range(6):
        bump = np.exp(-(((np.arange(k) - rng.integers(0, k)) / 60.0) ** 2))
        x = x + bump * rng.normal(0, 0.003)
        ring = np.concatenate([np.column_stack([x, lat]), [[-0.01, 0.07], [-0.01, -0.01]]])
        front = shapely.Polygon(ring)
        got = zone_hold(net, front)
        ref_idx, ref_m = full_hold(areas._edge_lines(net), front)
        lines = areas._edge_lines(net)
        ref_edges = np.flatnonzero(np.isin(lines.seg_of_edge, ref_idx))
        assert got.edges.tolist() == ref_edges.tolist(), day
        by_line = dict(zip(ref_idx.tolist(), ref_m.tolist(), strict=True))
        expect = [by_line[int(s)] for s in lines.seg_of_edge[got.edges]]
        assert np.allclose(got.inside_m, expect, rtol=0, atol=1e-9), day
    assert sum(partial) == 5, f"days 2-6 bound from the day before: {partial}"
