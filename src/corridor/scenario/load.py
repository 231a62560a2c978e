"""Scenario files: YAML in, :class:`corridor.model.scenario.Scenario` out.

Loading a file takes three steps, each in its own module:

1. ``yaml_lines``: parse the YAML once, into Python data and the line of every key;
2. ``scenario_schema``: validate the data against the wire format (pydantic models,
   ``ScenarioSpec`` and friends; unknown keys are errors);
3. ``scenario_build``: check what ties the file together (ids, files, polygons, dates) and
   convert it, section by section (areas and closure targets in ``scenario_areas``).

Every problem in a file is collected (``scenario_problems``) and reported together as
``file:line: what is wrong; how to fix it``. ``scenario_json_schema()`` is the JSON Schema of
the format, for editors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from corridor.errors import InputFileError
from corridor.files import is_file
from corridor.model.scenario import Scenario
from corridor.scenario.build import build_scenario, problems_of_the_rest
from corridor.scenario.include import with_includes
from corridor.scenario.problems import file_error, pydantic_problems, scenario_error
from corridor.scenario.schema import (
    ActorSpec,
    AreaSpec,
    ClosureSpec,
    EventSpec,
    MoverSpec,
    NetworkSpec,
    PlaceSpec,
    PlanSpec,
    ScenarioSpec,
    SideSpec,
    SourceSpec,
    TargetSpec,
    ZoneSpec,
    scenario_json_schema,
)
from corridor.scenario.yaml_lines import YamlLines, YamlRefused, read_yaml_file

__all__ = [
    "ActorSpec",
    "AreaSpec",
    "ClosureSpec",
    "EventSpec",
    "MoverSpec",
    "NetworkSpec",
    "PlaceSpec",
    "PlanSpec",
    "ScenarioSpec",
    "SideSpec",
    "SourceSpec",
    "TargetSpec",
    "ZoneSpec",
    "load_scenario",
    "scenario_json_schema",
]


def load_scenario(path: str | Path) -> Scenario:
    """
    Read and check a scenario file.

    Parameters
    ----------
    path
        The scenario's YAML file; the files it names are relative to its directory.

    Returns
    -------
    Scenario
        The scenario, with its places, actors, zones, movers, events and plans.

    Raises
    ------
    InputFileError
        The file does not exist.
    ScenarioError
        The file is not a valid scenario; ``problems`` lists every problem found, as
        ``file:line: ...`` strings, and ``details`` as :class:`corridor.errors.Problem`.
    """
    path = Path(path)
    if not is_file(path):
        msg = f"{path}: no such scenario file; check the path, or run `corridor scenarios`"
        raise InputFileError(msg)
    _refuse_network_file(path)
    try:
        data, lines = read_yaml_file(path)
    except YamlRefused as exc:
        raise scenario_error(path, exc.problems) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise file_error(
            path, line, f"not valid YAML ({problem})", "check indentation and quoting"
        ) from None
    except OSError as exc:
        msg = f"{path}: cannot read it ({exc.strerror or exc})"
        raise InputFileError(msg) from None
    return scenario_from_yaml(data, lines, path)


def scenario_from_yaml(data: Any, lines: YamlLines, path: Path) -> Scenario:
    """The scenario that parsed YAML ``data`` (with its ``lines``) describes, checked by the
    loader's rules and messages; the files it names are relative to ``path``'s directory. What
    :func:`load_scenario` does after reading the file (``corridor serve`` calls it on a file's
    text with its recorded events).

    Raises
    ------
    InputFileError
        ``data`` is not a mapping.
    ScenarioError
        ``data`` is not a valid scenario (every problem, located by ``lines``).
    """
    if not isinstance(data, dict):
        raise file_error(path, 1, "a scenario is a YAML mapping starting with `corridor: 1`")
    data, lines, included = with_includes(data, lines, path)
    if included:
        raise scenario_error(path, included)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        problems = pydantic_problems(exc, lines)
        problems += problems_of_the_rest(data, path, lines, exc)
        raise scenario_error(path, problems) from None
    return build_scenario(spec, path, lines)


_NETWORK_SUFFIXES = (".pbf", ".osm", ".osm.gz", ".osm.bz2", ".geojson", ".json")


def _refuse_network_file(path: Path) -> None:
    """Refuse a road network file given where a scenario is expected, saying how to use it."""
    name = path.name.lower()
    with path.open("rb") as f:
        head = f.read(64)
    if not (name.endswith(_NETWORK_SUFFIXES) or b"OSMHeader" in head or b"<osm" in head):
        return
    kind = "geojson" if name.endswith((".geojson", ".json")) else "osm"
    msg = (
        f"{path}: this is a road network file, not a scenario; write a scenario YAML beside it "
        f"that names it, e.g. `corridor: 1`, `name: my-place`, `network: {{{kind}: {path.name}}}`, "
        "`origin: {point: [lon, lat], radius_m: 2000}`, `exits: [{point: [lon, lat], "
        "radius_m: 2000}]` (see docs/scenario-format.md)"
    )
    raise file_error(path, 1, msg.removeprefix(f"{path}: "))
