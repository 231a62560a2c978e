"""The layers of ``corridor map --rank --samples N`` in a real browser (headless Chromium,
offline): drawn on every date, with their popups and legend, and no console error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from corridor.analysis.ranking import rank_dates
from corridor.analysis.replay import mover_network, replay
from corridor.analysis.uncertainty import sample_timeline
from corridor.outputs.impact import chance_overlay, impact_overlay
from corridor.outputs.map import map_data, map_html
from corridor.testing import bundled


def test_mosul_map_with_impact_and_chance(offline_page, tmp_path: Path, shots: Path) -> None:  # type: ignore[no-untyped-def]
    sc, networks = bundled("mosul-2016")
    mover = "isis-fighters"
    reports = replay(sc, networks, mover=mover)
    net = mover_network(sc, networks, mover)
    days = [dt.date.fromisoformat(r.date or "") for r in reports]
    overlays = [
        chance_overlay(
            sample_timeline(sc, networks, samples=50, seed=1, mover=mover, dates=days),
            reports,
            net,
        ),
        impact_overlay(rank_dates(sc, net, days, mover=mover), reports, net),
    ]
    html = tmp_path / "mosul.html"
    html.write_text(map_html(sc, reports, net, overlays=overlays), encoding="utf-8")
    data: dict[str, Any] = map_data(sc, reports, net, overlays=overlays)
    page, log = offline_page
    page.goto(html.as_uri())
    legend = page.inner_text(".legend")
    assert "Exits by probability reachable" in legend and "Roads by impact" in legend
    for i, frame in enumerate(data["frames"]):
        page.evaluate("i => corridorMap.setFrame(i)", i)
        for name in ("chance", "impact"):
            drawn = page.evaluate("n => corridorMap.count(n)", name)
            assert drawn == len(frame["layers"][name]["features"]), (frame["date"], name)
    assert page.evaluate("corridorMap.visible('impact') && corridorMap.visible('chance')")
    i = next(i for i, f in enumerate(data["frames"]) if f["layers"]["impact"]["features"])
    page.evaluate("i => corridorMap.setFrame(i)", i)
    page.wait_for_timeout(400)  # Leaflet fades the labels of the layers it removed for 200 ms
    labels = page.eval_on_selector_all(".chance-label", "els => els.map(e => e.textContent)")
    assert len(labels) == sum(
        f["properties"]["kind"] == "exit" for f in data["frames"][i]["layers"]["chance"]["features"]
    ) and all(t.startswith("P ") for t in labels), labels
    page.screenshot(path=str(shots / "mosul-impact-chance.png"))
    log.assert_clean()
