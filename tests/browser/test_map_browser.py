"""The map in a real browser (headless Chromium), offline: layers, popups, the time slider.

Screenshots of each state go to ``out/browser/`` for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from corridor.analysis.replay import mover_network, replay
from corridor.cli.common import bundled_scenarios
from corridor.network.load import NetworkLoader
from corridor.outputs.map import DYNAMIC, LAYERS, map_data, map_html
from corridor.scenario.load import load_scenario
from fixtures import TIMED_HOSTILE, popup_text, write_scenario, write_timed

STATIC = [k for k in LAYERS if k not in DYNAMIC]


def _write_map(tmp: Path, scenario_path: Path, name: str) -> tuple[Path, dict[str, Any]]:
    sc = load_scenario(scenario_path)
    networks = NetworkLoader(sc.network_path, kind=sc.network_kind)
    reports = replay(sc, networks)
    net = mover_network(sc, networks)
    out = tmp / f"{name}.html"
    out.write_text(map_html(sc, reports, net), encoding="utf-8")
    return out, map_data(sc, reports, net)


def _counts(page: Any) -> dict[str, int]:
    return {k: page.evaluate("n => corridorMap.count(n)", k) for k in LAYERS}


def _expected(data: dict[str, Any], i: int) -> dict[str, int]:
    frame = data["frames"][i]
    out = {k: len(frame["layers"][k]["features"]) for k in DYNAMIC}
    out.update({k: len(data["static"][k]["features"]) for k in STATIC})
    return out


def _slide_to(page: Any, index: int) -> None:
    """Move the slider as a person would, with the keyboard."""
    page.focus("#slider")
    page.keyboard.press("Home")
    for _ in range(index):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("corridorMap.frame()") == index


@pytest.fixture(scope="module")
def valley_map(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("valley-map")
    return _write_map(tmp, write_scenario(tmp), "valley")


def test_valley_map_offline(valley_map, offline_page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    html, data = valley_map
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    # every layer is on the map, each with the expected number of features, on every date
    assert all(page.evaluate("n => corridorMap.visible(n)", k) for k in LAYERS)
    dates = [f["date"] for f in data["frames"]]
    headers = []
    for i, day in enumerate(dates):
        _slide_to(page, i)
        assert _counts(page) == _expected(data, i), day
        headers.append(page.inner_text("#header"))
        assert day in headers[-1]
        page.screenshot(path=str(shots / f"valley-{day}.png"))
    assert _expected(data, 0)["roads"] == 10 and _expected(data, 0)["cut"] == 3
    assert [_expected(data, i)["closures"] for i in range(len(dates))] == [0, 1, 1, 0, 1]
    # moving the slider changes the header: the north road cut on the 5th
    assert "3/3 exits open" in headers[0] and "2/3 exits open" in headers[1]
    assert page.inner_text("#events").startswith("this day:")
    # the background is the bundled borders, drawn
    assert page.locator(".leaflet-borders-pane path").count() > 0
    log.assert_clean()


def test_valley_cut_popup_and_layer_toggle(valley_map, offline_page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    html, _ = valley_map
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    _slide_to(page, 1)  # the 5th: the cut is the west road and the desert track
    roads = set()
    for i in range(page.evaluate("corridorMap.count('cut')")):
        p = page.evaluate("i => corridorMap.point('cut', i)", i)
        page.mouse.click(p["x"], p["y"])
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert "closing these 2 segments seals Town" in text, text
        roads.add(text.split(" (minimum cut)")[0])
        page.wait_for_timeout(300)  # the popup fades in
        page.screenshot(path=str(shots / f"valley-cut-popup-{i}.png"))
        page.keyboard.press("Escape")
        page.evaluate("corridorMap.map.closePopup()")
        page.wait_for_selector(".leaflet-popup", state="detached")
    assert roads == {"West road (R-W)", "Desert track (R-S)"}
    # a closure marker's popup: actor, date, confidence, source, quote
    p = page.evaluate("corridorMap.point('closures', 0)")
    page.mouse.click(p["x"], p["y"])
    popup = page.locator(".leaflet-popup-content", has_text="Red army")
    popup.wait_for()
    text = popup.inner_text()
    for needle in ("Red army", "2020-01-05", "90%", "Test Wire", "the north road is cut"):
        assert needle in text, (needle, text)
    # toggling a layer in the layer control hides it
    page.get_by_text("Minimum cut", exact=True).click()
    assert not page.evaluate("corridorMap.visible('cut')")
    page.screenshot(path=str(shots / "valley-cut-hidden.png"))
    log.assert_clean()


MOSUL = bundled_scenarios().get("mosul-2016")


@pytest.mark.skipif(MOSUL is None, reason="the bundled mosul-2016 scenario is not there yet")
def test_mosul_slider_to_23_november(offline_page, tmp_path: Path, shots: Path) -> None:  # type: ignore[no-untyped-def]
    assert MOSUL is not None
    html, data = _write_map(tmp_path, MOSUL, "mosul-2016")
    assert data["mover"] == "isis-fighters"
    dates = [f["date"] for f in data["frames"]]
    assert "2016-11-23" in dates, dates
    i = dates.index("2016-11-23")
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    page.screenshot(path=str(shots / f"mosul-2016-{dates[0]}.png"))
    assert _counts(page) == _expected(data, 0)
    _slide_to(page, i - 1)
    before = page.inner_text("#status")
    _slide_to(page, i)
    after = page.inner_text("#status")
    page.screenshot(path=str(shots / "mosul-2016-2016-11-23.png"))
    report = data["frames"][i]["report"]
    n_open = sum(x["reachable"] for x in report["exits"])
    assert after == f"{report['status'].upper()} ({n_open}/{len(report['exits'])} exits open)"
    assert after != before, f"the header's status did not change on 23 Nov 2016: {after}"
    assert "2016-11-23" in page.inner_text("#header")
    assert _counts(page) == _expected(data, i)
    log.assert_clean()


HOSTILE = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'


def test_scenario_text_is_shown_as_text_and_runs_nothing(
    offline_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    shots: Path,
) -> None:
    """Names, quotes, sources and URLs with HTML or script render as text; javascript: URLs are
    not links; no dialog ever opens."""
    from fixtures import scenario_dict

    data = scenario_dict()
    data["actors"][0]["name"] = HOSTILE
    data["events"][0]["quote"] = HOSTILE
    data["sources"]["T1"]["outlet"] = HOSTILE
    data["sources"]["T1"]["url"] = "javascript:alert(3)"
    data["places"][0]["name"] = HOSTILE
    html, _ = _write_map(tmp_path, write_scenario(tmp_path, data), "hostile")
    page, log = offline_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    _slide_to(page, 1)  # the 5th: the north road closure, with its hostile quote and source
    p = page.evaluate("corridorMap.point('closures', 0)")
    page.mouse.click(p["x"], p["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "<img src=x" in text and "alert(2)" in text, text  # shown, as text
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    page.screenshot(path=str(shots / "hostile-popup.png"))
    page.wait_for_timeout(200)
    assert dialogs == [], f"scenario text ran as script: {dialogs}"
    log.assert_clean()


def _visible_labels(page: Any) -> list[str]:
    return page.evaluate("corridorMap.labels()")


def _overlapping(page: Any) -> list[tuple[str, str]]:
    """Pairs of shown place labels, origin/exit labels and controls whose boxes overlap."""
    return page.evaluate(
        """() => {
        const els = [...document.querySelectorAll(
            '.place-label:not(.place-hidden), .area-label, .leaflet-control')];
        const boxes = els.map(e => [e.textContent.slice(0, 30), e.getBoundingClientRect()])
            .filter(([, r]) => r.width && r.height);
        const out = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, r] = boxes[i], [b, s] = boxes[j];
            if (r.left < s.right - 1 && s.left < r.right - 1 && r.top < s.bottom - 1 && s.top < r.bottom - 1
                && !(els[i].classList.contains('area-label') && els[j].classList.contains('area-label'))
                && !(els[i].classList.contains('leaflet-control') && els[j].classList.contains('leaflet-control'))
                && !(els[i].classList.contains('area-label') && els[j].classList.contains('leaflet-control'))
                && !(els[j].classList.contains('area-label') && els[i].classList.contains('leaflet-control')))
                out.push([a, b]);
        }
        return out;
    }"""
    )


def _frame_clear_of_controls(page: Any) -> None:
    """Every origin and exit area lies inside the map, clear of the scale bar and the controls."""
    bad = page.evaluate(
        """() => {
        const m = corridorMap.map, box = m.getContainer().getBoundingClientRect();
        const ctrls = [...document.querySelectorAll(
            '.leaflet-control-scale, .leaflet-control-layers, .legend, .leaflet-control-zoom')]
            .map(e => e.getBoundingClientRect());
        const out = [];
        corridorMap.areaBoxes().forEach(([name, r]) => {
            if (r.left < box.left + 5 || r.right > box.right - 5 || r.top < box.top + 5 || r.bottom > box.bottom - 5)
                out.push(name + ' leaves the map');
            ctrls.forEach(c => {
                if (r.left < c.right && c.left < r.right && r.top < c.bottom && c.top < r.bottom)
                    out.push(name + ' is under a control');
            });
        });
        return out;
    }"""
    )
    assert bad == [], bad


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_bundled_scenario_at_two_zoom_levels(
    name: str, offline_page, tmp_path: Path, shots: Path
) -> None:  # type: ignore[no-untyped-def]
    """Both bundled scenarios: the first view frames origin and exits clear of the controls;
    town labels, the most populous first, never overlap; every layer is drawn; zoomed in on the
    origin, more detail and still no overlap. Screenshots: out/browser/<name>-zoom-<z>.png."""
    html, data = _write_map(tmp_path, bundled_scenarios()[name], name)
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    page.wait_for_timeout(200)
    _frame_clear_of_controls(page)
    assert _counts(page) == _expected(data, data["start"])
    for k in ("roads", "areas", "places", "corridors"):
        assert page.evaluate("n => corridorMap.count(n)", k) > 0, f"{name}: no {k} drawn"
    assert page.locator(".leaflet-borders-pane path").count() > 0, "no offline borders"
    first = _visible_labels(page)
    # a place that is the origin or an exit is named by its area's label; the other places (towns)
    # must show at least one label in the first view
    area_names = {f["properties"]["name"] for f in data["static"]["areas"]["features"]}
    frame_places = data["frames"][data["start"]]["layers"]["places"]["features"]
    towns = [f for f in frame_places if f["properties"]["name"] not in area_names]
    if towns:
        assert first, f"{name}: no town label in the first view"
    else:
        assert page.locator(".area-label").count() == len(area_names), f"{name}: unnamed area"
    assert _overlapping(page) == []
    # the most populous place that is not the origin is labelled first (unless the origin's
    # own label covers it)
    z0 = page.evaluate("corridorMap.map.getZoom()")
    page.screenshot(path=str(shots / f"{name}-zoom-{z0}.png"))
    # zoom in twice on the origin
    page.evaluate(
        "() => { const a = corridorMap.data.static.areas.features.find(f => f.properties.role === 'origin');"
        " const c = L.geoJSON(a).getBounds().getCenter();"
        " corridorMap.map.setView(c, corridorMap.map.getZoom() + 2, {animate: false}); }"
    )
    page.wait_for_timeout(200)
    z1 = page.evaluate("corridorMap.map.getZoom()")
    assert z1 == z0 + 2
    assert _overlapping(page) == []
    page.screenshot(path=str(shots / f"{name}-zoom-{z1}.png"))
    # the legend stays below the layers control (it scrolls when the window is short)
    assert page.evaluate(
        """() => { const a = document.querySelector('.legend').getBoundingClientRect(),
                         b = document.querySelector('.leaflet-control-layers').getBoundingClientRect();
                   return a.top >= b.bottom - 1; }"""
    ), "the legend covers the layers control"
    # the legend folds away and comes back
    page.click(".legend-toggle")
    assert page.locator(".legend-body").is_hidden()
    page.click(".legend-toggle")
    assert page.locator(".legend-body").is_visible()
    log.assert_clean()


def test_this_day_names_zone_changes_and_the_pocket_is_drawn(
    tmp_path: Path,
    offline_page,  # type: ignore[no-untyped-def]
    shots: Path,
) -> None:
    """A zone that begins and ends mid-timeline is named on the "this day" line of its dates
    (zone, actor, side, confidence, source); the pocket layer is drawn on every date."""
    import copy

    from fixtures import scenario_dict

    data = copy.deepcopy(scenario_dict())
    box = [[9.92, 49.99], [9.98, 49.99], [9.98, 50.01], [9.92, 50.01], [9.92, 49.99]]
    zone = {"id": "red-w", "actor": "red-army", "from": "2020-01-02", "to": "2020-01-04"}
    data["zones"] = [{**zone, "polygon": box, "source": "T1", "confidence": 0.6}]
    data["events"], data["plans"] = [], []
    html, mapped = _write_map(tmp_path, write_scenario(tmp_path, data), "zones")
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    dates = [f["date"] for f in mapped["frames"]]
    assert dates == ["2020-01-01", "2020-01-02", "2020-01-04"]
    lines = []
    for i in range(len(dates)):
        _slide_to(page, i)
        lines.append(page.inner_text("#events"))
        assert page.locator(".leaflet-pocket-pane path").count() == 1, dates[i]
    assert lines[0] == ""
    assert lines[1].startswith("this day:") and "zone red-w begins: red-army" in lines[1]
    assert "(conf 0.6, T1)" in lines[1]
    assert "zone red-w ends: red-army" in lines[2] and "no longer holds it" in lines[2]
    page.screenshot(path=str(shots / "zones-this-day.png"))
    log.assert_clean()


# ------------------------------------------- windows, restricted roads and checkpoints (issue 25)
TIMED_LAYERS = ("windows", "restricted", "checkpoints")


@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_timed(tmp_path_factory.mktemp("timed-browser"))


def test_the_static_map_draws_windows_restrictions_and_checkpoints(
    timed: Path, tmp_path: Path, offline_page: Any, shots: Path
) -> None:
    html, data = _write_map(tmp_path, timed, "timed")
    page, log = offline_page
    page.goto(html.as_uri())
    page.wait_for_function("window.corridorMap !== undefined")
    dates = [f["date"] for f in data["frames"]]
    for i, day in enumerate(dates):
        page.evaluate("i => corridorMap.setFrame(i)", i)
        got = {k: page.evaluate("n => corridorMap.count(n)", k) for k in TIMED_LAYERS}
        assert got == {k: len(data["frames"][i]["layers"][k]["features"]) for k in TIMED_LAYERS}, (
            day
        )
    page.evaluate("i => corridorMap.setFrame(i)", dates.index("2017-01-25"))
    assert page.evaluate("corridorMap.count('restricted')") == 1
    text = popup_text(page, ".corridor-checkpoint:not(.legend-mark)")
    assert "1,200 persons/h" in text and "08:00-18:00" in text and "open" in text
    assert TIMED_HOSTILE in text  # the name as text, not markup
    assert page.evaluate("window.pwned === undefined")
    page.evaluate("corridorMap.map.fitBounds(corridorMap.frameBounds())")
    p = page.evaluate("corridorMap.point('windows', 0)")  # the middle of the window's roads
    page.mouse.click(p["x"], p["y"])
    page.wait_for_selector(".leaflet-popup-content")
    assert "09:00-14:00 daily" in page.inner_text(".leaflet-popup-content")
    assert page.locator(".legend").inner_text().count("checkpoint (hollow: closed)") == 1
    page.screenshot(path=str(shots / "timed-map-2017-01-25.png"))
    log.assert_clean()
