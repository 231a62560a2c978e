"""corridor: find, measure and track the ways out of a besieged place on real road networks.

The front door for Python users: ``import corridor`` and every name below is one attribute
away; each loads its module on first use, so ``import corridor`` itself stays light (no numpy,
numba or shapely until a name needs them). See ``docs/api.md`` for the reference.

Examples
--------
>>> import corridor
>>> sc = corridor.load_scenario(corridor.bundled_scenario("mosul-2016"))
>>> networks = corridor.NetworkLoader(sc.network_path, kind=sc.network_kind)
>>> import datetime as dt
>>> report = corridor.report_at(sc, networks, dt.date(2016, 11, 23), mover="isis-fighters")
>>> report.status, [x.name for x in report.reach.exits if x.reachable]
('open', ['Tal Afar'])
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from corridor._version import __version__

# public name -> the module that owns it
_WHERE: dict[str, str] = {
    # loading networks and scenarios
    "load_osm": "corridor.network.osm",
    "load_geojson": "corridor.network.geojson",
    "load_network": "corridor.network.load",
    "NetworkLoader": "corridor.network.load",
    "from_networkx": "corridor.network.nx",
    "to_networkx": "corridor.network.nx",
    "load_scenario": "corridor.scenario.load",
    "bundled_scenario": "corridor.bundled",
    "bundled_scenarios": "corridor.bundled",
    # the model
    "RoadNetwork": "corridor.model.network",
    "Mover": "corridor.model.network",
    "Area": "corridor.model.areas",
    "Closure": "corridor.model.situation",
    "Situation": "corridor.model.situation",
    "build_situation": "corridor.model.situation",
    "Scenario": "corridor.model.scenario",
    "Event": "corridor.model.scenario",
    "State": "corridor.model.timeline",
    "state_at": "corridor.model.timeline",
    "change_dates": "corridor.model.timeline",
    # analysis
    "analyze": "corridor.analysis.report",
    "CorridorReport": "corridor.analysis.report",
    "Prepared": "corridor.analysis.prepared",
    "reach": "corridor.analysis.routes",
    "routes": "corridor.analysis.routes",
    "fastest_path": "corridor.analysis.routes",
    "min_cut": "corridor.analysis.cut",
    "critical_segments": "corridor.analysis.cut",
    "max_flow": "corridor.analysis.cut",
    "evacuation_time": "corridor.analysis.evacuation",
    "replay": "corridor.analysis.replay",
    "report_at": "corridor.analysis.replay",
    "mover_network": "corridor.analysis.replay",
    "ClosureSession": "corridor.analysis.session",
    "ClosureAnswer": "corridor.analysis.session",
    # result types
    "ReachResult": "corridor.analysis.results",
    "ExitReach": "corridor.analysis.results",
    "Route": "corridor.analysis.results",
    "CutResult": "corridor.analysis.results",
    "FlowResult": "corridor.analysis.results",
    "EvacuationResult": "corridor.analysis.results",
    "Terminal": "corridor.analysis.results",
    "ClosedRoads": "corridor.analysis.results",
    "ClosureBinding": "corridor.analysis.results",
    "NetworkInfo": "corridor.analysis.results",
    # outputs
    "report_json": "corridor.outputs.json",
    "report_geojson": "corridor.outputs.geojson",
    "map_html": "corridor.outputs.map",
    # errors
    "CorridorError": "corridor.errors",
    "InputFileError": "corridor.errors",
    "NetworkError": "corridor.errors",
    "ScenarioError": "corridor.errors",
    "AreaError": "corridor.errors",
    "UnknownIdError": "corridor.errors",
    "OutputError": "corridor.errors",
}

__all__ = ["__version__", *_WHERE]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        msg = f"module 'corridor' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # what type checkers and editors see
    from corridor.analysis.cut import critical_segments, max_flow, min_cut
    from corridor.analysis.evacuation import evacuation_time
    from corridor.analysis.prepared import Prepared
    from corridor.analysis.replay import mover_network, replay, report_at
    from corridor.analysis.report import CorridorReport, analyze
    from corridor.analysis.results import (
        ClosedRoads,
        ClosureBinding,
        CutResult,
        EvacuationResult,
        ExitReach,
        FlowResult,
        NetworkInfo,
        ReachResult,
        Route,
        Terminal,
    )
    from corridor.analysis.routes import fastest_path, reach, routes
    from corridor.analysis.session import ClosureAnswer, ClosureSession
    from corridor.bundled import bundled_scenario, bundled_scenarios
    from corridor.errors import (
        AreaError,
        CorridorError,
        InputFileError,
        NetworkError,
        OutputError,
        ScenarioError,
        UnknownIdError,
    )
    from corridor.model.areas import Area
    from corridor.model.network import Mover, RoadNetwork
    from corridor.model.scenario import Event, Scenario
    from corridor.model.situation import Closure, Situation, build_situation
    from corridor.model.timeline import State, change_dates, state_at
    from corridor.network.geojson import load_geojson
    from corridor.network.load import NetworkLoader, load_network
    from corridor.network.nx import from_networkx, to_networkx
    from corridor.network.osm import load_osm
    from corridor.outputs.geojson import report_geojson
    from corridor.outputs.json import report_json
    from corridor.outputs.map import map_html
    from corridor.scenario.load import load_scenario
