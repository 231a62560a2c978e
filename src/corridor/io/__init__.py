"""The old home of corridor's readers, kept for one release (until 0.2) as thin re-exports.

``corridor.io`` was three packages under one name; they now live apart:

- :mod:`corridor.network`: road networks from OSM, GeoJSON and networkx, their tag rules and cache;
- :mod:`corridor.scenario`: scenario files (load, build, schema, problems, areas, in-place edits);
- :mod:`corridor.ingest`: reports to candidates to accepted events (ACLED, news, review, accept);
- :mod:`corridor.files` and :mod:`corridor.text`: atomic writes and shown-text helpers.

Every ``corridor.io.X`` module still imports and forwards each name (private ones included) to
its new module, with a :class:`DeprecationWarning` naming it.
"""

from __future__ import annotations

import warnings
from importlib import import_module
from types import ModuleType
from typing import Any

MOVED: dict[str, str] = {
    "osm": "corridor.network.osm",
    "geojson": "corridor.network.geojson",
    "nx": "corridor.network.nx",
    "ways": "corridor.network.ways",
    "tags": "corridor.network.tags",
    "defaults": "corridor.network.defaults",
    "cache": "corridor.network.cache",
    "network": "corridor.network.load",
    "scenario_build": "corridor.scenario.build",
    "scenario_schema": "corridor.scenario.schema",
    "scenario_problems": "corridor.scenario.problems",
    "scenario_areas": "corridor.scenario.areas",
    "scenario": "corridor.scenario.load",
    "yaml_lines": "corridor.scenario.yaml_lines",
    "acled": "corridor.ingest.acled",
    "news": "corridor.ingest.news",
    "review": "corridor.ingest.review",
    "accept": "corridor.ingest.accept",
    "files": "corridor.files",
    "text": "corridor.text",
}
"""Old module name (under ``corridor.io``) -> the module that owns its names now."""


def forward(old: str) -> Any:
    """A module ``__getattr__`` for ``corridor.io.<old>`` that forwards to its new home."""
    new = MOVED[old]
    warnings.warn(
        f"corridor.io.{old} moved to {new}; the old name goes in corridor 0.2",
        DeprecationWarning,
        stacklevel=3,
    )

    def __getattr__(name: str) -> Any:
        module: ModuleType = import_module(new)
        return getattr(module, name)

    return __getattr__


def __getattr__(name: str) -> Any:
    """``from corridor.io import defaults`` keeps working: the moved module itself."""
    if name in MOVED:
        return import_module(f"corridor.io.{name}")
    msg = f"module 'corridor.io' has no attribute {name!r}"
    raise AttributeError(msg)
