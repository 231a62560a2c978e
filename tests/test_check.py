"""``check_scenario``: what only the network can tell about a scenario, per mover and date."""

from __future__ import annotations

import math
from pathlib import Path

from corridor.analysis.check import check_scenario
from corridor.network.load import NetworkLoader
from corridor.scenario.load import load_scenario
from corridor.testing import bundled
from fixtures import scenario_dict, write_scenario

OFF_ROAD = (10.0 + 139.0 / (111_320.0 * math.cos(math.radians(50.06))), 50.06)


def _check(path: Path) -> dict[tuple[str, str], str]:
    sc = load_scenario(path)
    return {
        (f.code, f.key): f.message
        for f in check_scenario(sc, NetworkLoader(sc.network_path, kind=sc.network_kind))
    }


def test_the_bundled_scenario_checks_clean() -> None:
    sc, networks = bundled()
    assert check_scenario(sc, networks) == []


def test_the_valley_fixture_checks_clean(tmp_path: Path) -> None:
    assert _check(write_scenario(tmp_path)) == {}


def test_findings_of_a_careless_scenario(tmp_path: Path) -> None:
    data = scenario_dict()
    data["end"] = "2020-01-30"
    close = {"actor": "red-army", "kind": "close", "confidence": 0.8, "source": "T1"}
    data["events"] += [
        {
            **close,
            "id": "roadblock",
            "date": "2020-01-07",
            "target": {"point": list(OFF_ROAD), "radius_m": 60},
        },
        {**close, "id": "again", "date": "2020-01-05", "target": {"way": 302}},
        {**close, "id": "late", "date": "2020-02-03", "target": {"way": 202}},
    ]
    data["zones"] = [
        {
            "id": "empty-desert",
            "actor": "red-army",
            "polygon": [[10.3, 50.3], [10.4, 50.3], [10.4, 50.4], [10.3, 50.4], [10.3, 50.3]],
        }
    ]
    found = _check(write_scenario(tmp_path, data))
    events = {e["id"]: i for i, e in enumerate(data["events"])}
    assert ("closure-closes-nothing", f"events[{events['roadblock']}]") in found
    assert "139 m away" in found[("closure-closes-nothing", f"events[{events['roadblock']}]")]
    assert ("same-road-same-day", f"events[{events['again']}]") in found
    assert ("event-after-end", f"events[{events['late']}]") in found
    assert ("zone-holds-no-road", "zones[0]") in found


def test_an_exit_no_road_links_is_found_with_a_reason(tmp_path: Path) -> None:
    """Cut the only road to the border out of the data: the exit is unreachable with nothing
    closed, and no mover's network reaches it."""
    from fixtures import roads_geojson

    roads = roads_geojson()
    roads["features"] = [f for f in roads["features"] if f["properties"]["osm_id"] != 501]
    found = _check(write_scenario(tmp_path, roads=roads))
    unreached = [k for k in found if k[0] == "exit-unreachable-when-open"]
    assert unreached, found
    assert "no mover's network links them" in found[unreached[0]]


def test_same_road_same_day_is_the_pairwise_answer_in_linear_time(tmp_path: Path) -> None:
    """Issue 29, item 4: 1,000 closures of one road on one day took 24 s (every pair compared);
    each segment now remembers the first closure covering it. The findings equal the pairwise
    reference's: for each closure the first earlier one sharing a segment, and that segment."""
    import random

    import numpy as np

    from corridor.analysis.check import _same_road_same_day
    from corridor.model.situation import closure_edge_mask

    rng = random.Random(29)
    ways = [101, 102, 103, 201, 202, 301, 302, 401, 501, 502]
    data = scenario_dict()
    data.pop("plans", None)
    close = {"date": "2020-01-05", "actor": "red-army", "kind": "close", "confidence": 0.8}
    data["events"] = [
        {
            **close,
            "id": f"c{i}",
            "source": "T1",
            "target": {"ways": rng.sample(ways, rng.randint(1, 3))},
        }
        for i in range(60)
    ]
    sc = load_scenario(write_scenario(tmp_path, data))
    net = sc.mover_profile("civilians").adapted_network(NetworkLoader(sc.network_path))
    events = tuple(sc.events)
    got = [(f.key, f.message) for f in _same_road_same_day(sc, net, events, {}, "civilians")]
    want = []
    masks: list[tuple[str, np.ndarray]] = []
    for e in events:
        try:
            mask = closure_edge_mask(net, e.closure)
        except LookupError:  # a way the car network lacks: skipped, as the check does
            continue
        for other, m in masks:
            if (mask & m).any():
                road = net.road_label(int(np.flatnonzero(mask & m)[0]))
                want.append((e.id, f"events {other} and {e.id} both close {road} on {e.date}"))
                break
        masks.append((e.id, mask))
    assert len(got) == len(want) > 0
    assert all(g[0] == w[0] and g[1].startswith(w[1]) for g, w in zip(got, want, strict=True))
