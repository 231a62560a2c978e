"""A small scenario written by the tests: a town with roads west, north and a desert track south.

Roads (GeoJSON, lon/lat around 10 E, 50 N):

- R-W (primary): town west gate -> W1 -> West City (exit "west")
- R-N (primary): town north gate -> N1 -> North City (exit "north")
- R-X (secondary): W1 <-> N1, a connector
- R-S (track, off-road only): town south gate -> S1 -> the border (exit "border")
- town streets (residential) join the three gates inside the origin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

TOWN = (10.0, 50.0)
GATE_W, GATE_N, GATE_S = (9.99, 50.0), (10.0, 50.007), (10.0, 49.993)
W1, WEST = (9.95, 50.0), (9.90, 50.0)
N1, NORTH = (10.0, 50.04), (10.0, 50.08)
S1, BORDER = (10.0, 49.96), (10.0, 49.92)

ROADS = [
    (101, "residential", "Town street W", "", [TOWN, GATE_W]),
    (102, "residential", "Town street N", "", [TOWN, GATE_N]),
    (103, "residential", "Town street S", "", [TOWN, GATE_S]),
    (201, "primary", "West road", "R-W", [GATE_W, W1]),
    (202, "primary", "West road", "R-W", [W1, WEST]),
    (301, "primary", "North road", "R-N", [GATE_N, N1]),
    (302, "primary", "North road", "R-N", [N1, NORTH]),
    (401, "secondary", "Connector", "R-X", [W1, N1]),
    (501, "track", "Desert track", "R-S", [GATE_S, S1]),
    (502, "track", "Desert track", "R-S", [S1, BORDER]),
]


def roads_geojson() -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                "properties": {
                    "osm_id": wid,
                    "highway": hw,
                    "name": name,
                    "ref": ref,
                    "oneway": "no",
                    "source": "test fixture",
                },
            }
            for wid, hw, name, ref, coords in ROADS
        ],
    }


def scenario_dict() -> dict:
    box_w1 = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]
    return {
        "corridor": 1,
        "name": "valley",
        "title": "Valley test scenario",
        "start": "2020-01-01",
        "end": "2020-02-01",
        "network": {"geojson": "roads.geojson"},
        "mover": "fighters",
        "origin": "town",
        "exits": ["west", "north", "border"],
        "population": "town",
        "sources": {
            "T1": {"outlet": "Test Wire", "date": "2020-01-01", "url": "https://example.org/t1"}
        },
        "places": [
            {
                "id": "town",
                "name": "Town",
                "point": list(TOWN),
                "radius_m": 1500,
                "population": 10000,
                "source": "T1",
            },
            {
                "id": "west",
                "name": "West City",
                "point": list(WEST),
                "radius_m": 500,
                "source": "T1",
            },
            {
                "id": "north",
                "name": "North City",
                "point": list(NORTH),
                "radius_m": 500,
                "source": "T1",
            },
            {
                "id": "border",
                "name": "Border post",
                "point": list(BORDER),
                "radius_m": 500,
                "source": "T1",
            },
            {"id": "w1", "name": "W1 junction", "point": list(W1), "radius_m": 300, "source": "T1"},
            {"id": "n1", "name": "N1 junction", "point": list(N1), "radius_m": 300, "source": "T1"},
        ],
        "sides": [{"id": "red", "name": "Red"}, {"id": "blue", "name": "Blue"}],
        "actors": [
            {"id": "red-army", "name": "Red army", "side": "red", "source": "T1"},
            {"id": "blue-militia", "name": "Blue militia", "side": "blue", "source": "T1"},
        ],
        "zones": [],
        "movers": [
            {
                "id": "fighters",
                "name": "Blue fighters",
                "base": "offroad",
                "blocked_by": ["red"],
                "source": "T1",
            },
            {
                "id": "civilians",
                "name": "Civilians by car",
                "base": "car",
                "blocked_by": ["red", "blue"],
                "exits": ["west", "north"],
                "source": "T1",
            },
        ],
        "events": [
            {
                "id": "cut-north",
                "date": "2020-01-05",
                "actor": "red-army",
                "kind": "close",
                "target": {"ref": "R-N", "between": ["town", "north"]},
                "confidence": 0.9,
                "source": "T1",
                "quote": "the north road is cut",
            },
            {
                "id": "take-w1",
                "date": "2020-01-10",
                "actor": "red-army",
                "kind": "zone",
                "target": {"polygon": box_w1},
                "confidence": 0.7,
                "source": "T1",
            },
            {
                "id": "reopen-north",
                "date": "2020-01-15",
                "actor": "red-army",
                "kind": "reopen",
                "target": {"event": "cut-north"},
                "confidence": 0.5,
                "source": "T1",
            },
            {
                "id": "cut-track",
                "date": "2020-01-20",
                "actor": "red-army",
                "kind": "close",
                "target": {"way": 502},
                "confidence": 0.9,
                "source": "T1",
                "movers": ["fighters"],
            },
            {
                "id": "pop",
                "date": "2020-01-20",
                "kind": "population",
                "target": {"place": "town"},
                "value": 5000,
                "confidence": 0.6,
                "source": "T1",
            },
        ],
        "plans": [
            {
                "id": "hold-west",
                "title": "West stays open",
                "start": "2020-01-02",
                "drop": ["take-w1"],
            },
            {
                "id": "seal",
                "title": "Seal everything",
                "start": "2020-01-03",
                "drop": [],
                "add": [
                    {
                        "id": "seal-all",
                        "date": "2020-01-03",
                        "actor": "red-army",
                        "kind": "close",
                        "target": {"point": list(TOWN), "radius_m": 1400},
                        "confidence": 1.0,
                        "source": "T1",
                        "notes": "hypothetical",
                    }
                ],
            },
        ],
    }


def write_scenario(tmp: Path, data: dict | None = None, roads: dict | None = None) -> Path:
    (tmp / "roads.geojson").write_text(json.dumps(roads or roads_geojson()))
    path = tmp / "scenario.yaml"
    path.write_text(yaml.safe_dump(data or scenario_dict(), sort_keys=False))
    return path


def core_scenario_dict(**changes: object) -> dict:
    """A scenario in the core format only (no timeline) on the same roads."""
    data: dict = {
        "corridor": 1,
        "name": "core",
        "network": {"geojson": "roads.geojson"},
        "mover": "car",
        "origin": {"name": "Town", "point": [10.0, 50.0], "radius_m": 1500},
        "exits": [{"name": "West", "point": [9.90, 50.0], "radius_m": 500}],
    }
    data.update(changes)
    return data


TIMED_HOSTILE = '<img src=x onerror="window.pwned=1"> Khazir & "east"'

EXTRA_EVENTS = """
  - id: r6-under-fire
    kind: restrict
    date: 2017-01-25
    target: {ref: R6, between: [mosul-east, khazir]}
    capacity_factor: 0.3
    speed_factor: 0.5
    confidence: 0.6
    source: H2
    summary: "the Erbil road under fire east of Gogjali (hypothetical)"
  - id: r6-fire-stops
    kind: reopen
    date: 2017-01-27
    target: {event: r6-under-fire}
    confidence: 0.6
    source: H2
"""


def write_timed(folder: Path) -> Path:
    """The bundled khazir-2017 (a window and a checkpoint) with a hostile checkpoint name and a
    restriction from 25 to 27 January, in ``folder``."""
    from corridor.cli.common import bundled_scenarios

    src = bundled_scenarios()["khazir-2017"]
    text = src.read_text(encoding="utf-8")
    roads = (src.parent.parent / "mosul-2016" / "roads.geojson").resolve()
    text = text.replace(
        "network: {geojson: ../mosul-2016/roads.geojson}", f"network: {{geojson: {roads}}}"
    )
    text = text.replace(
        "    name: Khazir\n    at: khazir", f"    name: {json.dumps(TIMED_HOSTILE)}\n    at: khazir"
    )
    text = text.replace("\nplans:\n", EXTRA_EVENTS + "plans:\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def popup_text(page: Any, selector: str) -> str:
    """Click the first element of ``selector`` on a Leaflet page (a browser test's page) and
    return the text of the popup it opens, closing it again."""
    page.locator(selector).first.click()
    page.wait_for_selector(".leaflet-popup-content")
    text: str = page.inner_text(".leaflet-popup-content")
    page.keyboard.press("Escape")
    return text


def copy_mosul(folder: Path) -> Path:
    """The bundled Mosul scenario and its road network, copied into ``folder`` (tests that
    write into the scenario file); the copy's scenario file."""
    import shutil

    from corridor.bundled import bundled_scenario

    src = bundled_scenario("mosul-2016")
    for name in ("scenario.yaml", "roads.geojson"):
        shutil.copy(src.parent / name, folder / name)
    return folder / "scenario.yaml"
