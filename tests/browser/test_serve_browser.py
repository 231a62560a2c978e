"""The workbench page of ``corridor serve`` in a real browser (headless Chromium) against a real
server (``corridor serve`` run as a subprocess on 127.0.0.1, a free port, a temporary event log):
a click on a road of the minimum cut closes it and the view redraws (status, cut; the quick
answer, then the full view), what-ifs stack, reopen and clear, a circle and a polygon close
areas, a refused polygon is taken back with the server's message; an event recorded in the page
(the loader's message first, for a bad confidence) survives a restart of the server, which then
asks for a token; retract and history; a second browser's stale write shows the conflict;
plan, date and mover controls; exports download. The page may reach the test server only; any
other request, any console error (but those of the HTTP errors a test provokes) fails the test.

Every answer the page shows is checked against the server's API asked directly (httpx), with
the same what-ifs the page sent.

Screenshots go to ``out/browser/``; ``CORRIDOR_DOCS_SCREENSHOTS=1`` also writes the README's
``docs/img/serve.png``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from fixtures import TIMED_HOSTILE, popup_text, write_timed

SCENARIO = "mosul-2016"
MOVER = "isis-fighters"
DAY = "2016-10-29"  # the minimum cut: the Tal Afar highway (way 1101) and the R3 (way 1302)
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "serve.png"
CORRIDOR = Path(sys.executable).parent / "corridor"
HOSTILE = '<img src=x onerror="window.pwned=1"> road cut & "sealed"'


class Server:
    """``corridor serve SCENARIO --port P --data DIR`` as a subprocess; ``start`` returns once it
    prints its URL (it prints it when the socket listens)."""

    def __init__(self, data: Path, log: Path, scenario: str = SCENARIO) -> None:
        self.data, self.log, self.scenario = data, log, scenario
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, *options: str) -> Server:
        cmd = [
            str(CORRIDOR),
            "serve",
            self.scenario,
            "--port",
            str(self.port),
            "--data",
            str(self.data),
        ]
        cmd += options
        with self.log.open("a") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline() if ready else ""
        if "http://127.0.0.1:" not in line:
            self.stop()
            pytest.fail(f"corridor serve did not start: {line!r}; {self.log.read_text()[-2000:]}")
        self.port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CORRIDOR.is_file():
        pytest.skip(f"{CORRIDOR} is missing (make install)")
    tmp = tmp_path_factory.mktemp("serve-browser")
    s = Server(tmp / "data", tmp / "server.log").start()
    yield s
    s.stop()


def open_page(new: Any, server: Server, day: str = DAY, *, wait: bool = True) -> tuple[Any, Any]:
    page, log = new(server.base)
    page.set_default_timeout(15_000)
    page.goto(f"{server.base}#scenario={SCENARIO}&mover={MOVER}&date={day}")
    if wait:
        wait_idle(page)
    return page, log


def wait_for(page: Any, expression: str, timeout: float = 60) -> None:
    """Until ``expression`` is true in the page (polled from here: the page's CSP forbids the
    eval that ``page.wait_for_function`` uses)."""
    end = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > end:
            pytest.fail(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(25)


def wait_idle(page: Any) -> None:
    """Until the page has a view and no request is running."""
    wait_for(page, "!!(window.corridorServe && corridorServe.idle())")


def view(server: Server, day: str = DAY, **what_ifs: Any) -> dict[str, Any]:
    with server.api() as c:
        r = c.post(
            "/api/view",
            json={"scenario": SCENARIO, "date": day, "mover": MOVER, "layers": ["cut"], **what_ifs},
        )
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def cut_ways(v: dict[str, Any]) -> list[int]:
    return [f["properties"]["osm_way"] for f in v["layers"]["cut"]["features"]]


def click_cut(page: Any, way: int) -> None:
    """Click the middle of the minimum cut's segment of ``way``, as a person would."""
    ways = page.evaluate("corridorServe.ways('cut')")
    assert way in ways, f"way {way} is not on the page's minimum cut {ways}"
    page.evaluate("i => corridorServe.zoomTo('cut', i)", ways.index(way))  # as a person zooms in
    p = page.evaluate("i => corridorServe.point('cut', i)", ways.index(way))
    page.mouse.move(p["x"], p["y"])
    page.mouse.click(p["x"], p["y"])
    wait_idle(page)


def page_state(page: Any) -> dict[str, Any]:
    out: dict[str, Any] = page.evaluate(
        """() => ({header: document.getElementById('header').textContent,
                   status: document.getElementById('header').dataset.status,
                   cut: corridorServe.ways('cut'),
                   close_ways: corridorServe.state.viewBody.close_ways,
                   close_areas: corridorServe.state.viewBody.close_areas,
                   whatifs: Array.from(document.querySelectorAll('#whatifs li:not(.none) .what'),
                                       e => e.textContent)})"""
    )
    return out


def allowed_errors(log: Any, *codes: int) -> None:
    """Drop the browser's console lines for the HTTP errors a test provokes on purpose (the page
    shows them itself); every other console error stays."""
    expected = tuple(f"status of {c}" for c in codes)
    log.errors[:] = [
        e
        for e in log.errors
        if not e.startswith("Failed to load resource") or not any(x in e for x in expected)
    ]


# ------------------------------------------------------------------------- what-ifs
def test_click_on_the_cut_closes_the_road_and_the_view_redraws(
    server: Server, served_pages: Any, shots: Path
) -> None:
    page, log = open_page(served_pages, server)
    recorded = view(server)
    s0 = page_state(page)
    assert s0["header"] == recorded["header"], s0
    assert "OPEN (3/4 exits open)" in s0["header"] and "min cut 2" in s0["header"]
    assert sorted(s0["cut"]) == sorted(cut_ways(recorded)) == [1101, 1302]
    assert page.locator("#status.open").inner_text() == "OPEN (3/4 exits open)"

    # a click on the cut's road 1302: closed as a what-if, the capacity halves, the cut moves;
    # the quick answer (POST /api/whatif) comes first, then the full view
    posts: list[str] = []
    page.on(
        "request", lambda r: posts.append(r.url.split("/api/")[1]) if r.method == "POST" else None
    )
    click_cut(page, 1302)
    assert posts == ["whatif", "view"], posts
    s1 = page_state(page)
    one = view(server, close_ways=[1302])
    assert s1["close_ways"] == [1302] and s1["close_areas"] == []
    assert s1["header"].startswith(one["header"]), s1["header"]
    assert "what-if: 1 closure" in s1["header"] and "capacity 8,000 persons/h" in s1["header"]
    assert s1["cut"] == cut_ways(one) == [1101], "the cut moved to the highway"
    assert len(s1["whatifs"]) == 1 and "way 1302" in s1["whatifs"][0]
    assert "capacity 12,000" in page.inner_text("#baseline")  # the recorded state, for comparison
    closed = page.evaluate("corridorServe.state.view.layers.closed.features.map(f => f.properties)")
    assert [c["reason"] for c in closed if c["osm_way"] == 1302] == ["what-if: way 1302"]
    page.mouse.move(5, 300)  # off the roads: no tooltip
    page.screenshot(path=str(shots / "serve-mosul-whatif-zoomed.png"))
    # Mosul to Tal Afar: the what-if on the R3, the cut moved to the highway
    page.evaluate("corridorServe.map.fitBounds([[36.0, 42.25], [36.75, 43.5]], {animate: false})")
    page.screenshot(path=str(shots / "serve-mosul-whatif.png"))
    if os.environ.get("CORRIDOR_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(DOCS_IMG))

    # a second what-if stacks: the highway too, and the status turns to sealed
    click_cut(page, 1101)
    s2 = page_state(page)
    both = view(server, close_ways=[1302, 1101])
    assert s2["close_ways"] == [1302, 1101]
    assert s2["header"].startswith(both["header"]) and s2["status"] == "sealed"
    assert page.locator("#status.sealed").inner_text() == "SEALED (0/4 exits open)"
    assert s2["cut"] == [] and len(s2["whatifs"]) == 2
    page.screenshot(path=str(shots / "serve-mosul-sealed.png"))

    # removing the first what-if from the list leaves the second: the cut moves to 1302
    page.locator("#whatifs li", has_text="way 1302").get_by_role("button").click()
    wait_idle(page)
    s3 = page_state(page)
    assert s3["close_ways"] == [1101] and s3["cut"] == cut_ways(view(server, close_ways=[1101]))
    assert s3["cut"] == [1302] and "capacity 4,000" in s3["header"]

    # a click on a what-if road reopens it (the what-ifs' roads take clicks first)
    p = page.evaluate("corridorServe.road(1101)")
    page.mouse.click(p["x"], p["y"])
    wait_idle(page)
    reopened = page_state(page)
    assert reopened["close_ways"] == [] and reopened["header"] == recorded["header"]
    # "Clear" returns to the recorded state
    click_cut(page, 1302)
    click_cut(page, 1101)
    assert page_state(page)["close_ways"] == [1302, 1101]
    page.click("#clear")
    wait_idle(page)
    s4 = page_state(page)
    assert s4["header"] == recorded["header"] and s4["close_ways"] == [] and s4["whatifs"] == []

    # Escape cancels a drawing; a circle drawn around the highway's cut segment closes the roads
    # within it
    page.click("#draw-circle")
    page.keyboard.press("Escape")
    assert page.get_attribute("#mode-close", "aria-pressed") == "true"
    page.click("#draw-circle")
    p = page.evaluate("i => corridorServe.point('cut', i)", s4["cut"].index(1101))
    page.mouse.click(p["x"], p["y"])
    page.mouse.move(p["x"] + 20, p["y"])
    page.mouse.click(p["x"] + 20, p["y"])
    wait_idle(page)
    s5 = page_state(page)
    assert len(s5["close_areas"]) == 1 and s5["close_ways"] == []
    area = s5["close_areas"][0]
    assert 100 < area["radius_m"] < 20_000, area
    circled = view(server, close_areas=[area])
    assert s5["header"].startswith(circled["header"]) and s5["cut"] == cut_ways(circled)
    assert s5["cut"] == [1302], "the circle closed the highway, the cut moved to 1302"
    assert "m around" in s5["whatifs"][0]

    # a polygon of four clicks (finished with the button) stacks as a second area
    page.click("#draw-polygon")
    for dx, dy in ((-40, -40), (40, -40), (40, 40), (-40, 40)):
        page.mouse.click(p["x"] + dx, p["y"] + dy)
    page.click("#draw-finish")
    wait_idle(page)
    s6 = page_state(page)
    assert len(s6["close_areas"]) == 2 and len(s6["close_areas"][1]["polygon"]) == 5
    assert s6["header"].startswith(view(server, close_areas=s6["close_areas"])["header"])

    # a polygon that crosses itself: the server's message in the page, the what-if taken back
    page.click("#draw-polygon")
    for dx, dy in ((-40, -40), (40, 40), (40, -40), (-40, 40)):
        page.mouse.click(p["x"] + dx, p["y"] + dy)
    page.click("#draw-finish")
    wait_idle(page)
    error = page.inner_text("#error-text")
    assert "close_areas[2].polygon: not a valid polygon (Self-intersection" in error, error
    assert error.endswith("(that what-if was not applied)")
    assert len(page_state(page)["close_areas"]) == 2 and len(page_state(page)["whatifs"]) == 2
    allowed_errors(log, 422)

    # inspect mode: a click opens the layer's popup and closes nothing
    page.click("#mode-inspect")
    page.click("#clear")
    wait_idle(page)
    p = page.evaluate("i => corridorServe.point('cut', i)", 0)
    page.mouse.click(p["x"], p["y"])
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "(minimum cut)" in popup.inner_text() and page_state(page)["close_ways"] == []
    log.assert_clean()


# ------------------------------------------------------------------ recorded events
def record(page: Any, **fields: str) -> None:
    """Open the form, fill it and submit it (the what-ifs must be set)."""
    if page.locator("#record").is_hidden():
        page.click("#record-open")
    for name, value in fields.items():
        page.fill(f"#ev-{name}", value)
    page.click("#record-submit")
    wait_for(page, "document.getElementById('record-submit').disabled === false")
    wait_idle(page)


def test_an_event_recorded_in_the_page_survives_a_restart(
    tmp_path: Path, served_pages: Any, shots: Path
) -> None:
    s = Server(tmp_path / "data", tmp_path / "server.log").start()
    try:
        page, log = open_page(served_pages, s)
        before = page_state(page)
        click_cut(page, 1302)
        page.fill("#author", "Ana <b>analyst</b>")
        page.dispatch_event("#author", "change")
        # a confidence out of range: the server's message (the scenario loader's) in the form
        page.click("#record-open")
        page.select_option("#ev-kind", "close")
        record(page, actor="pmu", confidence="3", outlet="Test Wire", quote=HOSTILE)
        err = page.inner_text("#record-error")
        assert "confidence: Input should be less than or equal to 1 (got 3)" in err, err
        allowed_errors(log, 422)
        # corrected: recorded, the what-ifs become the recorded state
        record(page, confidence="0.8", url="https://example.org/report", **{"source-date": DAY})
        assert page.locator("#record").is_hidden()
        after = page_state(page)
        assert after["close_ways"] == [] and after["whatifs"] == []
        assert after["header"] == view(s)["header"] and after["cut"] == [1101]
        assert "capacity 8,000" in after["header"] and "what-if" not in after["header"]
        item = page.locator("#events li.ev.log")
        assert item.count() == 1
        text = item.inner_text()
        assert HOSTILE in text and "recorded by Ana <b>analyst</b>" in text, text
        assert item.locator("img, b b").count() == 0 and page.evaluate("window.pwned") is None
        assert item.locator("a").get_attribute("href") == "https://example.org/report"
        with s.api() as c:
            events = c.get(f"/api/scenarios/{SCENARIO}/events").json()
        mine = [e for e in events["events"] if e["origin"] == "log"]
        assert len(mine) == 1 and mine[0]["target"] == {"way": 1302}
        assert mine[0]["author"] == "Ana <b>analyst</b>" and mine[0]["quote"] == HOSTILE
        assert mine[0]["source"] == {
            "outlet": "Test Wire",
            "url": "https://example.org/report",
            "date": DAY,
        }
        assert events["version"] == 1 and page.inner_text("#version") == "(version 1)"
        page.screenshot(path=str(shots / "serve-mosul-recorded.png"))
        event_id = mine[0]["id"]

        # the scenario's YAML export downloads with the event; the view's JSON is the report
        with page.expect_download() as dl:
            page.click("#export-yaml")
        exported = yaml.safe_load(Path(dl.value.path()).read_text(encoding="utf-8"))
        assert event_id in [e["id"] for e in exported["events"]]
        with page.expect_download() as dl:
            page.click("#export-json")
        assert dl.value.suggested_filename == f"{SCENARIO}_{DAY}_{MOVER}.json"
        report = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
        with s.api() as c:
            expected = c.get(
                "/api/report", params={"scenario": SCENARIO, "date": DAY, "mover": MOVER}
            ).json()
        assert report == expected
        with page.expect_download() as dl:
            page.click("#export-geojson")
        fc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
        assert fc["type"] == "FeatureCollection" and {
            f["properties"]["layer"] for f in fc["features"]
        } >= {"cut", "routes", "closures", "areas"}
        log.assert_clean()
        page.context.close()

        # the server restarts on the same port and log, now with a token: the page asks for it,
        # then the event is there, in force
        s.stop()
        s.start("--token", "s3cret-token")
        page, log = open_page(served_pages, s, wait=False)
        page.locator("#token").wait_for()
        wait_for(page, "!document.getElementById('error').hidden")
        assert "needs a token" in page.inner_text("#error")
        allowed_errors(log, 401)
        page.fill("#token", "s3cret-token")
        page.click("#token-use")
        wait_idle(page)
        assert page.locator("#token-box").is_hidden() and page.locator("#error").is_hidden()
        item = page.locator("#events li.ev.log")
        assert item.count() == 1 and HOSTILE in item.inner_text()
        assert page_state(page)["header"] == after["header"] != before["header"]

        # retracted from the page: kept in the list, no longer in force; the history says who
        page.fill("#author", "Bo")
        page.dispatch_event("#author", "change")
        item.locator(".retract-btn").click()
        item.locator(".retract-reason").fill("not confirmed")
        item.locator(".retract-confirm").click()
        page.wait_for_selector("#events li.ev.log.retracted")
        wait_idle(page)
        assert page_state(page)["header"] == before["header"]
        item = page.locator("#events li.ev.log")
        item.locator(".history-btn").click()
        history = item.locator(".history")
        history.wait_for()
        lines = history.inner_text().splitlines()
        assert lines[0].startswith("v1 create by Ana <b>analyst</b> at 20"), lines
        assert lines[1].startswith("v2 retract by Bo at ") and lines[1].endswith(": not confirmed")
        log.assert_clean()
    finally:
        s.stop()


def test_a_stale_write_from_a_second_browser_gets_the_conflict(
    server: Server, served_pages: Any, shots: Path
) -> None:
    with server.api() as c:
        last = c.get("/api/scenarios").json()[0]["dates"][-1]  # the other tests' dates stay
    first, log1 = open_page(served_pages, server, last)
    second, log2 = open_page(served_pages, server, last)  # another context: another browser
    base = first.evaluate(f"corridorServe.state.base['{SCENARIO}']")
    assert second.evaluate(f"corridorServe.state.base['{SCENARIO}']") == base

    for page, name in ((first, "Ana"), (second, "Bo")):
        page.fill("#author", name)
        page.dispatch_event("#author", "change")
        p = page.evaluate("corridorServe.road(1302)")
        page.mouse.click(p["x"], p["y"])
        wait_idle(page)
        assert page_state(page)["close_ways"] == [1302]
        page.click("#record-open")
        page.fill("#ev-outlet", f"{name}'s source")

    record(first)
    assert first.locator("#record").is_hidden(), first.inner_text("#record-error")
    record(second)
    err = second.inner_text("#record-error")
    assert f"is at version {base + 1}, and this edit was based on version {base}" in err, err
    changes = second.inner_text("#record-changes")
    assert "create" in changes and "by Ana" in changes, changes
    allowed_errors(log2, 409)
    second.screenshot(path=str(shots / "serve-conflict.png"))
    with server.api() as c:
        events = c.get(f"/api/scenarios/{SCENARIO}/events").json()
    assert events["version"] == base + 1, "the stale write was refused, not recorded"

    # reloading the events (now seen) and submitting again records it, for this mover only
    second.click("#record-reload")
    wait_idle(second)
    assert "Ana's source" in second.inner_text("#events")
    second.check("#ev-only-mover")
    record(second)
    assert second.locator("#record").is_hidden(), second.inner_text("#record-error")
    with server.api() as c:
        events = c.get(f"/api/scenarios/{SCENARIO}/events").json()
    assert events["version"] == base + 2
    mine = [e for e in events["events"] if e["origin"] == "log"][-2:]
    assert [e["author"] for e in mine] == ["Ana", "Bo"]
    assert "movers" not in mine[0] and mine[1]["movers"] == [MOVER]
    # the first page learns of it from the next view: a notice, the list stays as it saw it
    first.evaluate("corridorServe.setDate(corridorServe.state.changes[0])")
    wait_idle(first)
    assert not first.locator("#notice").is_hidden()
    log1.assert_clean()
    log2.assert_clean()


def test_plan_date_and_mover_controls(server: Server, served_pages: Any) -> None:
    page, log = open_page(served_pages, server)
    with server.api() as c:
        sc = next(x for x in c.get("/api/scenarios").json() if x["name"] == SCENARIO)
    # a plan: its change dates mark the slider, the header says the plan, as the API does
    page.select_option("#plan", "encircle")
    wait_idle(page)
    assert page.inner_text("#header").startswith(view(server, plan="encircle")["header"])
    assert "plan encircle" in page.inner_text("#header")
    assert page.locator("#changes option").count() == len(sc["plan_dates"]["encircle"])
    # the next change date, by the button
    later = next(d for d in sc["plan_dates"]["encircle"] if d > DAY)
    page.click("#next")
    wait_idle(page)
    assert page.inner_text("#date").startswith(f"{later} (change date)")
    assert page.inner_text("#header").startswith(view(server, later, plan="encircle")["header"])
    # a day later, by the keyboard on the slider: every day, not only change dates
    page.focus("#slider")
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    next_day = (dt.date.fromisoformat(later) + dt.timedelta(days=1)).isoformat()
    assert page.evaluate("corridorServe.state.date") == next_day
    assert page.inner_text("#header").startswith(view(server, next_day, plan="encircle")["header"])
    # a view that takes long: the page says what it waits for and for how long, and stays usable
    held: list[Any] = []
    page.route("**/api/view", lambda r: held.append(r))
    page.click("#next")
    wait_for(page, "!document.getElementById('busy').hidden")
    page.wait_for_timeout(1300)
    assert len(held) == 1 and re.fullmatch(r"Computing the view… 1 s", page.inner_text("#busy"))
    page.click("#mode-inspect")  # not frozen
    assert page.get_attribute("#mode-inspect", "aria-pressed") == "true"
    held[0].continue_()  # (to the test server, as the context allows)
    page.unroute("**/api/view")
    wait_idle(page)
    assert page.locator("#busy").is_hidden()
    next_day = page.evaluate("corridorServe.state.date")
    assert page.inner_text("#header").startswith(view(server, next_day, plan="encircle")["header"])
    # another mover: its roads and its view
    page.select_option("#mover", "civilians")
    wait_idle(page)
    expected = view(server, next_day, plan="encircle", mover="civilians")
    assert page.inner_text("#header").startswith(expected["header"])
    assert "mover civilians" in expected["header"]
    assert "mover=civilians" in page.url and "plan=encircle" in page.url
    log.assert_clean()


def test_the_page_is_served_with_a_strict_policy(server: Server) -> None:
    with server.api() as c:
        r = c.get("/")
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
        for path in ("page/app.js", "page/app.css", "assets/leaflet.js", "assets/leaflet.css"):
            assert c.get(path).status_code == 200, path
    html = r.text
    # no inline script, no other origin: every script and style is the server's own
    assert "<script>" not in html and "<style" not in html and not re.search(r"\son\w+=", html)
    assert not re.search(r'(src|href)="(?!/|#|data:)', html), "a resource from another origin"


# ------------------------------------------------- a click where roads meet asks which (issue 23)
def test_a_click_where_roads_meet_asks_which_and_the_event_names_it(
    server: Server, served_pages: Any, shots: Path
) -> None:
    page, log = open_page(served_pages, server)
    with server.api() as c:
        roads = c.get("/api/roads", params={"scenario": SCENARIO, "mover": MOVER}).json()
    # a node two named ways share (a junction): at the first zoom both are within the click's
    # reach, and neither may take the click for the other
    ends: dict[tuple[float, float], set[int]] = {}
    for f in roads["features"]:
        g = f["geometry"]
        lines = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
        for line in lines:
            for pt in line:
                ends.setdefault((pt[0], pt[1]), set()).add(f["properties"]["way"])
    # the junction nearest the view's middle where the click reaches the roads (not a place's
    # dot or a marker, which take their own clicks)
    mid = page.evaluate("corridorServe.map.getCenter()")
    junctions = sorted(
        ((k, v) for k, v in ends.items() if len(v) >= 2),
        key=lambda kv: (kv[0][0] - mid["lng"]) ** 2 + (kv[0][1] - mid["lat"]) ** 2,
    )
    for junction in junctions:
        (lon, lat), ways = junction
        p = page.evaluate("([lon, lat]) => corridorServe.at(lon, lat)", [lon, lat])
        top = page.evaluate(
            "([x, y]) => { var e = document.elementFromPoint(x, y); return e ? e.tagName : ''; }",
            [p["x"], p["y"]],
        )
        if top == "CANVAS":
            break
    else:
        pytest.fail("no junction of the mosul roads is clickable at the first zoom")
    page.mouse.click(p["x"], p["y"])
    page.wait_for_selector(".road-chooser")
    choices = page.locator(".road-chooser .road-choice")
    offered = [int(choices.nth(i).get_attribute("data-way") or 0) for i in range(choices.count())]
    assert set(ways) <= set(offered), (ways, offered)
    assert page.evaluate("corridorServe.state.ways.length") == 0  # nothing closed yet
    pick = sorted(ways)[-1]
    name = next(f["properties"] for f in roads["features"] if f["properties"]["way"] == pick)
    page.screenshot(path=str(shots / "serve-road-chooser.png"))
    page.click(f'.road-chooser .road-choice[data-way="{pick}"]')
    wait_idle(page)
    assert [w["way"] for w in page.evaluate("corridorServe.state.ways")] == [pick]
    # the event form says which road the event closes, by name and way
    page.click("#record-open")
    what = page.inner_text("#record-what")
    assert f"(way {pick})" in what and (name["road"] or name["name"] or "road") in what, what
    page.click("#record-cancel")
    page.click("#clear")
    wait_idle(page)
    assert page.evaluate("corridorServe.state.ways.length") == 0
    log.assert_clean()


# ------------------------------------- the event form records windows and restrictions (issue 25)
def test_the_event_form_records_a_window_and_a_restriction(
    tmp_path: Path, served_pages: Any, shots: Path
) -> None:
    s = Server(tmp_path / "data", tmp_path / "server.log").start()
    try:
        page, log = open_page(served_pages, s)
        page.fill("#author", "Ana")
        page.dispatch_event("#author", "change")
        click_cut(page, 1302)
        page.click("#record-open")
        assert page.locator("#ev-hours").is_hidden()
        page.select_option("#ev-kind", "window")
        assert page.locator("#ev-hours").is_visible() and page.locator("#ev-capacity").is_hidden()
        assert page.inner_text("#record-what").startswith("The event opens only in its hours")
        # no hours: the scenario's own rule, in the form
        record(page, confidence="0.7", outlet="Test Wire", until="2016-11-02")
        assert "a window needs `hours: HH:MM-HH:MM`" in page.inner_text("#record-error")
        allowed_errors(log, 422)
        record(page, hours="10:00-14:00")
        assert page.locator("#record").is_hidden()
        with s.api() as c:
            mine = [
                e
                for e in c.get(f"/api/scenarios/{SCENARIO}/events").json()["events"]
                if e["origin"] == "log"
            ]
        assert [(e["kind"], e["hours"], e["until"], e["target"]) for e in mine] == [
            ("window", "10:00-14:00", "2016-11-02", {"way": 1302})
        ]
        wait_for(page, "corridorServe.count('windows') === 1")
        # a restriction on the Tal Afar highway (the cut's other road)
        click_cut(page, 1101)
        page.click("#record-open")
        page.select_option("#ev-kind", "restrict")
        assert page.locator("#ev-capacity").is_visible() and page.locator("#ev-hours").is_hidden()
        record(page, capacity="0.3", speed="0.5", confidence="0.6", outlet="Test Wire")
        with s.api() as c:
            mine = [
                e
                for e in c.get(f"/api/scenarios/{SCENARIO}/events").json()["events"]
                if e["origin"] == "log"
            ]
        (r,) = [e for e in mine if e["kind"] == "restrict"]
        assert (r["capacity_factor"], r["speed_factor"], r["target"]) == (0.3, 0.5, {"way": 1101})
        wait_for(page, "corridorServe.count('restricted') === 1")
        page.screenshot(path=str(shots / "serve-window-restrict.png"))
        log.assert_clean()
    finally:
        s.stop()


# ------------------------------------------------------ communities by status (issue 26)
def test_ticking_the_communities_layer_scans_them_at_the_date(
    server: Server, served_pages: Any, shots: Path
) -> None:
    page, log = open_page(served_pages, server)
    assert page.evaluate("corridorServe.count('communities')") == 0  # off until asked for
    page.hover(".leaflet-control-layers")
    page.get_by_label("Communities by status (corridor scan)").check()
    wait_for(page, "corridorServe.count('communities') > 0")
    wait_idle(page)
    with server.api() as c:
        body = {"scenario": SCENARIO, "date": DAY, "mover": MOVER, "layers": ["communities"]}
        fc = c.post("/api/view", json=body).json()["layers"]["communities"]
    assert page.evaluate("corridorServe.count('communities')") == len(fc["features"])
    statuses = {f["properties"]["status"] for f in fc["features"]}
    for status in statuses:
        assert page.locator(f".corridor-community-{status}").count() > 0, status
    assert "Communities (corridor scan)" in page.text_content("#legend-body")  # (folded or not)
    page.screenshot(path=str(shots / "serve-communities.png"))
    log.assert_clean()


# ------------------------------------------- windows, restricted roads and checkpoints (issue 25)
@pytest.fixture(scope="module")
def timed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_timed(tmp_path_factory.mktemp("timed-serve-scenario"))


@pytest.fixture(scope="module")
def timed_server(timed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not CORRIDOR.is_file():
        pytest.skip(f"{CORRIDOR} is missing (make install)")
    tmp = tmp_path_factory.mktemp("timed-serve")
    s = Server(tmp / "data", tmp / "server.log", scenario=str(timed)).start()
    yield s
    s.stop()


def test_the_workbench_page_draws_them_from_the_view(
    timed_server: Server, served_pages: Any, shots: Path
) -> None:
    page, log = served_pages(timed_server.base)
    page.set_default_timeout(15_000)
    page.goto(f"{timed_server.base}#scenario=khazir-2017&date=2017-01-25")
    wait_idle(page)
    with timed_server.api() as c:
        view = c.post("/api/view", json={"scenario": "khazir-2017", "date": "2017-01-25"}).json()
    for k in ("windows", "restricted", "checkpoints"):
        assert (
            page.evaluate("n => corridorServe.count(n)", k)
            == len(view["layers"][k]["features"])
            == 1
        ), k
    # the status comes from the header's fields, not read out of its text
    assert page.get_attribute("#status", "class") == view["header_parts"]["status"]
    text = popup_text(page, ".corridor-checkpoint:not(.legend-mark)")
    assert "1,200 persons/h" in text and TIMED_HOSTILE in text
    assert page.evaluate("window.pwned === undefined")
    # a day after the restriction was lifted: gone from the page
    page.evaluate("corridorServe.state.date")
    page.goto(f"{timed_server.base}#scenario=khazir-2017&date=2017-01-27")
    page.reload()
    wait_idle(page)
    wait_for(page, "corridorServe.state.date === '2017-01-27'")
    assert page.evaluate("corridorServe.count('restricted')") == 0
    assert page.evaluate("corridorServe.count('windows')") == 1
    page.screenshot(path=str(shots / "timed-serve-2017-01-27.png"))
    log.assert_clean()
