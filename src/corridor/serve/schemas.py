"""The workbench's request and response bodies, the JSON response class and the limits a
request is held to: what the routes (:mod:`corridor.serve.routes`) take and the OpenAPI schema
(``/openapi.json``) declares."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from corridor.outputs.answers import LayerName
from corridor.scenario.schema import MAX_RADIUS_M

MAX_VERTICES = 2_000
"""The most vertices a what-if polygon may have."""
MAX_WHAT_IFS = 500
"""The most what-if ways, and separately areas, one request may close."""
MAX_TEXT = 10_000
"""The longest author name or event field text accepted (characters)."""

MAX_SAFE_ID = 2**53 - 1
"""The largest way id a what-if takes: the page holds ids as JavaScript numbers, exact up to
here (OSM's ids are far smaller); the schema says so, and a JSON number a client rounds stays
within it."""
WayId = Annotated[int, Field(ge=-MAX_SAFE_ID, le=MAX_SAFE_ID)]
LAYER_NAMES = LayerName  # the map's layers a view answers (corridor.outputs.answers)
LonLat = tuple[
    Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)],
    Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)],
]


def plain_json(value: Any) -> Any:
    """``value`` (a request's JSON) unchanged, or ValueError (a 422) when it nests deeper than
    a scenario file may (:data:`corridor.scenario.yaml_lines.MAX_DEPTH`) or holds text that is
    not Unicode (a lone surrogate, ``"\\ud800"``): what no scenario file can hold is refused
    before any work, in one line.

    Examples
    --------
    >>> plain_json({"a": [1, "x"]})
    {'a': [1, 'x']}
    """
    from corridor.scenario.yaml_lines import MAX_DEPTH

    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                msg = f"the body nests deeper than {MAX_DEPTH} levels; a scenario needs about 8"
                raise ValueError(msg)
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack += [(c, depth + 1) for c in children]
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = f"U+{ord(item[exc.start]):04X}"
                msg = f"a text holds a lone surrogate ({bad}); send valid Unicode text"
                raise ValueError(msg) from None
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_json(value)


class CircleArea(_Body):
    """Every road within ``radius_m`` metres of (lon, lat)."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    radius_m: float = Field(gt=0, le=MAX_RADIUS_M)


class PolygonArea(_Body):
    """Every road inside (or crossing) a polygon: a ring of [lon, lat] points."""

    polygon: list[LonLat] = Field(min_length=3, max_length=MAX_VERTICES)


class WhatIf(_Body):
    """A situation (scenario, date, mover, plan) and what-if closures on top of it."""

    scenario: str | None = Field(default=None, max_length=200)
    date: dt.date | None = None
    mover: str | None = Field(default=None, max_length=200)
    plan: str | None = Field(default=None, max_length=200)
    close_ways: list[WayId] = Field(default=[], max_length=MAX_WHAT_IFS)
    close_areas: list[CircleArea | PolygonArea] = Field(default=[], max_length=MAX_WHAT_IFS)
    layers: list[LAYER_NAMES] | None = Field(
        default=None,
        description="/api/view: the layers to return (default: all but corridors and "
        "communities, the slowest; communities is corridor scan's, at this date)",
    )


class EventWrite(BaseModel):
    """An event's fields as a scenario file writes them (``id``, ``date``, ``kind``, ``target``,
    ``confidence``, ``source``, ...: docs/scenario-format.md), with the version the edit is based
    on and its author."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return plain_json(value)

    base_version: int = Field(ge=0, le=MAX_SAFE_ID)
    author: str = Field(min_length=1, max_length=200)


class Retraction(_Body):
    base_version: int = Field(ge=0, le=MAX_SAFE_ID)
    author: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=MAX_TEXT)


class ErrorBody(BaseModel):
    error: str


class ConflictBody(BaseModel):
    error: str
    changes: list[dict[str, Any]]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not JSON"},
    401: {"model": ErrorBody, "description": "A token is required (Authorization: Bearer)"},
    404: {"model": ErrorBody, "description": "No such scenario or event"},
    413: {"model": ErrorBody, "description": "The request body is too large"},
    422: {"model": ErrorBody, "description": "Invalid input (the CLI's one-line message)"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The body is not JSON"},
    **ERRORS,
    409: {"model": ConflictBody, "description": "Based on an old version: the changes since"},
}


class JSONBody(Response):
    """JSON as ``json.dumps`` writes it (as ``corridor analyze --json``; NaN passes; a lone
    surrogate a message echoes is written as its ``\\ud800`` escape)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8", errors="backslashreplace")
