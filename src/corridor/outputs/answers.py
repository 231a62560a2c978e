"""The workbench's answers as JSON: the view (``POST /api/view``) and the quick what-if
(``POST /api/whatif``), built here so that a route returns them as they are.

Each answer is the report's JSON (:func:`corridor.outputs.json.report_json`, or
:func:`~corridor.outputs.json.quick_json` for a quick report), the map's layers that change with
it (:mod:`corridor.outputs.layers`), the header as text and as structured parts
(:func:`corridor.outputs.header.header_parts`: a page reads the status and the counts from
fields) and the scenario's event-log version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, cast, get_args

from corridor.analysis.report import CorridorReport
from corridor.model.network import RoadNetwork
from corridor.model.scenario import Scenario
from corridor.model.timeline import State
from corridor.outputs.header import header_line, header_parts
from corridor.outputs.json import quick_json, report_json
from corridor.outputs.layers import (
    FeatureCollection,
    areas_layer,
    checkpoints_layer,
    closed_layer,
    closures_layer,
    corridors_layer,
    critical_layer,
    cut_layer,
    places_layer,
    restricted_layer,
    routes_layer,
    windows_layer,
    zones_layer,
)

LayerName = Literal[
    "zones",
    "closed",
    "areas",
    "routes",
    "corridors",
    "critical",
    "cut",
    "closures",
    "windows",
    "restricted",
    "checkpoints",
    "places",
    "communities",
]
#: The layers of ``/api/view`` by default: every one but those asked for by name only
#: (``corridors``, the slowest of the report's, and ``communities``, a scan).
ON_DEMAND: tuple[LayerName, ...] = ("corridors", "communities")
VIEW_LAYERS: tuple[LayerName, ...] = tuple(
    cast(LayerName, n) for n in get_args(LayerName) if n not in ON_DEMAND
)
#: The layers of ``/api/whatif`` by default: those a closure changes.
QUICK_LAYERS: tuple[LayerName, ...] = ("closed", "routes", "critical", "cut", "closures")


def layers_for(
    scenario: Scenario,
    state: State,
    report: CorridorReport,
    network: RoadNetwork,
    names: Sequence[str],
    more: Mapping[str, Callable[[], FeatureCollection]] | None = None,
) -> dict[str, FeatureCollection]:
    """The map's layers ``names`` (each once, in the order given) for ``report``, computed on
    ``network`` at the timeline ``state`` of its date; ``more`` builds the layers that need
    more than the report (``communities``: a scan), asked for by name only."""
    build: dict[str, Callable[[], FeatureCollection]] = {
        "zones": lambda: zones_layer(scenario, state),
        "closed": lambda: closed_layer(report, network),
        "areas": lambda: areas_layer(report),
        "routes": lambda: routes_layer(report, network),
        "corridors": lambda: corridors_layer(report, network),
        "critical": lambda: critical_layer(report, network),
        "cut": lambda: cut_layer(report, network),
        "closures": lambda: closures_layer(scenario, state, report, network),
        "windows": lambda: windows_layer(scenario, state, network),
        "restricted": lambda: restricted_layer(scenario, state, network),
        "checkpoints": lambda: checkpoints_layer(scenario, state, network),
        "places": lambda: places_layer(scenario, state),
        **(more or {}),
    }
    missing = [n for n in names if n not in build]
    if missing:
        msg = f"no layer {', '.join(missing)} here (it needs more than the report)"
        raise ValueError(msg)
    return {name: build[name]() for name in dict.fromkeys(names)}


def view_json(
    scenario: Scenario,
    state: State,
    report: CorridorReport,
    network: RoadNetwork,
    *,
    plan: str | None = None,
    layers: Sequence[str] | None = None,
    version: int = 0,
    more: Mapping[str, Callable[[], FeatureCollection]] | None = None,
) -> dict[str, Any]:
    """``POST /api/view``'s answer: ``report``, ``layers`` (default :data:`VIEW_LAYERS`; the
    layers of ``more`` when asked for), ``header``, ``version`` and ``header_parts``."""
    names = VIEW_LAYERS if layers is None else layers
    header = header_parts(scenario, report, plan=plan)
    return {
        "report": report_json(report, network),
        "layers": layers_for(scenario, state, report, network, names, more),
        "header": header_line(header),
        "version": version,
        "header_parts": header,
    }


def whatif_json(
    scenario: Scenario,
    state: State,
    report: CorridorReport,
    network: RoadNetwork,
    *,
    plan: str | None = None,
    layers: Sequence[str] | None = None,
    version: int = 0,
    more: Mapping[str, Callable[[], FeatureCollection]] | None = None,
) -> dict[str, Any]:
    """``POST /api/whatif``'s answer for a quick report: ``answer``
    (:func:`~corridor.outputs.json.quick_json`), ``layers`` (default :data:`QUICK_LAYERS`),
    ``header`` (without the evacuation time), ``version`` and ``header_parts``."""
    names = QUICK_LAYERS if layers is None else layers
    header = header_parts(scenario, report, plan=plan)
    return {
        "answer": quick_json(report, network),
        "layers": layers_for(scenario, state, report, network, names, more),
        "header": header_line(header),
        "version": version,
        "header_parts": header,
    }
