"""The corridor on a map: one self-contained, offline HTML page (Leaflet inlined).

The page embeds, for every change date of the timeline, the report (in the stable JSON schema
of :func:`corridor.outputs.json.report_json`) and the layers that change with it (zones,
closures, closed roads, corridors, routes, minimum cut, critical segments, places); a slider
switches between them in the browser, with no server. The static layers (roads by class, origin
and exits) and an offline background of country borders and coastlines (Natural Earth, public
domain, bundled simplified in ``assets/``) are embedded once. Leaflet's JavaScript and CSS come
inlined from the ``xstatic-leaflet`` package, its images as data URIs: the page makes no request
at all unless ``tiles`` names an online tile server.

The layers themselves are built in :mod:`corridor.outputs.layers` (the same builders serve
``--geojson``).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.analysis.report import CorridorReport
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.timeline import state_at
from corridor.outputs.header import header_line, header_parts, header_text
from corridor.outputs.json import report_json
from corridor.outputs.layers import (
    ASSETS,
    DYNAMIC,
    EXIT_COLOURS,
    LAYERS,
    areas_layer,
    borders_layer,
    map_layers,
    report_day,
    roads_layer,
    side_colour,
)

if TYPE_CHECKING:
    from corridor.outputs.impact import Overlay

__all__ = [
    "DYNAMIC",
    "LAYERS",
    "borders_layer",
    "header_text",
    "map_data",
    "map_html",
    "map_layers",
]


def _frame(
    scenario: Scenario, report: CorridorReport, network: RoadNetwork, plan: str | None
) -> dict[str, Any]:
    state = state_at(scenario, report_day(report, scenario), mover=report.mover, plan=plan)
    layers = map_layers(scenario, report, network, plan=plan, state=state)
    header = header_parts(scenario, report, plan=plan)
    return {
        "date": report.date,
        "status": report.status,
        "header": header_line(header),
        "header_parts": header,
        "report": report_json(report, network),
        "layers": {k: layers[k] for k in DYNAMIC},
    }


def _leaflet() -> tuple[str, str]:
    """Leaflet's JS and CSS from the xstatic-leaflet package, images as data URIs."""
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a dependency
        msg = "the map needs Leaflet: pip install xstatic-leaflet"
        raise ImportError(msg) from exc
    base = Path(leaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)

    def inline(m: re.Match[str]) -> str:
        png = (base / m.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return js, css


def _status_colours() -> dict[str, str]:
    from corridor.outputs.scan import STATUS_COLOURS

    return dict(STATUS_COLOURS)


def draw_script() -> str:
    """The map drawing both pages share (``assets/draw.js``: road styles, layer builders and
    popups, place labels, the header): inlined into the static map, served by the workbench at
    ``/page/draw.js``."""
    return (resources.files("corridor.outputs") / ASSETS / "draw.js").read_text(encoding="utf-8")


def draw_style() -> str:
    """The styles of what ``draw.js`` draws (``assets/draw.css``: legend, popups, labels,
    markers), inlined or served at ``/page/draw.css`` as the script is."""
    return (resources.files("corridor.outputs") / ASSETS / "draw.css").read_text(encoding="utf-8")


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_data(
    scenario: Scenario,
    reports: list[CorridorReport],
    network: RoadNetwork,
    *,
    plan: str | None = None,
    start: int = 0,
    tiles: str | None = None,
    overlays: Sequence[Overlay] = (),
) -> dict[str, Any]:
    """Everything the page embeds: static layers, one frame per report, styles and titles.

    ``overlays`` add layers of :mod:`corridor.outputs.impact` (one FeatureCollection per
    report each) to the frames, with their titles.
    """
    if not reports:
        msg = "no report to map"
        raise ValueError(msg)
    first = reports[0]
    net = network
    lo = net.bounds
    frames = [_frame(scenario, r, net, plan) for r in reports]
    for o in overlays:
        if len(o.frames) != len(frames):
            msg = f"overlay {o.name}: {len(o.frames)} layers for {len(frames)} reports"
            raise ValueError(msg)
        for fr, fc in zip(frames, o.frames, strict=True):
            fr["layers"][o.name] = fc
    max_flow = max(
        (
            f["properties"]["edge_flow_pph"]
            for fr in frames
            for f in fr["layers"]["corridors"]["features"]
        ),
        default=0,
    )
    sides = [
        {"id": sid, "name": s.name, "colour": side_colour(scenario, sid)}
        for sid, s in scenario.sides.items()
    ]
    return {
        "scenario": scenario.name,
        "title": scenario.title or scenario.name,
        "mover": first.mover,
        "plan": plan,
        "origin": first.origin.name,
        "exits": [
            {"name": x.name, "colour": EXIT_COLOURS[i % len(EXIT_COLOURS)]}
            for i, x in enumerate(first.exits)
        ],
        "sides": sides,
        "bounds": [lo[0], lo[1], lo[2], lo[3]],
        "start": max(0, min(start, len(frames) - 1)),
        "tiles": tiles,
        "max_flow_pph": int(max_flow),
        "titles": {**LAYERS, **{o.name: o.title for o in overlays}},
        "overlays": [o.name for o in overlays],
        **(
            {"status_colours": _status_colours()}
            if any(o.name == "communities" for o in overlays)
            else {}
        ),
        "static": {
            "roads": roads_layer(net),
            "areas": areas_layer(first),
            "borders": borders_layer(lo),
        },
        "frames": frames,
    }


def map_html(
    scenario: Scenario,
    reports: list[CorridorReport],
    network: RoadNetwork,
    *,
    plan: str | None = None,
    start: int = 0,
    tiles: str | None = None,
    overlays: Sequence[Overlay] = (),
) -> str:
    """The map as one self-contained HTML page.

    Parameters
    ----------
    scenario
        The scenario the reports come from (for actors, sides, events and places).
    reports
        One report per date to show, in order (e.g. from :func:`corridor.analysis.replay.replay`);
        with more than one, the page has a time slider.
    network
        The network the reports were computed on (the mover's,
        :func:`corridor.analysis.replay.mover_network`).
    plan
        The plan the reports were replayed under, if any.
    start
        Index of the report shown first.
    tiles
        A tile URL template (``https://.../{z}/{x}/{y}.png``) for an online background; without
        it the page makes no request at all.
    overlays
        Layers of :mod:`corridor.outputs.impact` to add (roads by impact, exits by probability),
        one FeatureCollection per report each.

    Examples
    --------
    >>> from corridor.analysis.replay import mover_network, replay
    >>> from corridor.testing import bundled
    >>> sc, networks = bundled()
    >>> page = map_html(sc, replay(sc, networks)[:2], mover_network(sc, networks))
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    data = map_data(
        scenario, reports, network, plan=plan, start=start, tiles=tiles, overlays=overlays
    )
    js, css = _leaflet()
    page = (resources.files("corridor.outputs") / ASSETS / "map.html").read_text(encoding="utf-8")
    app = (resources.files("corridor.outputs") / ASSETS / "map.js").read_text(encoding="utf-8")
    draw = draw_script()
    style = (resources.files("corridor.outputs") / ASSETS / "map.css").read_text(encoding="utf-8")
    title = f"{data['title']} · corridor map"
    replacements = {
        "{{TITLE}}": html.escape(title),
        "{{LEAFLET_CSS}}": css,
        "{{MAP_CSS}}": style,
        "{{LEAFLET_JS}}": js.replace("</script", "<\\/script"),
        "{{DATA}}": _script_json(data),
        "{{DRAW_JS}}": draw,
        "{{DRAW_CSS}}": draw_style(),
        "{{MAP_JS}}": app,
    }
    return re.sub(r"\{\{[A-Z_]+\}\}", lambda m: replacements[m.group(0)], page)
