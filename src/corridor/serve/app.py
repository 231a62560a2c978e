"""The workbench's web app (FastAPI): the page, the map assets, and the JSON API.

Thin routes over :mod:`corridor.serve.sessions` (analysis), :mod:`corridor.serve.store` (the
event log) and :mod:`corridor.outputs` (the report JSON of ``corridor analyze --json``, the map's
layers). The paths and bodies are a contract (docs/serve.md): add, never rename.

Errors are JSON ``{"error": "<one line>"}`` with a 4xx code, from one table
(:data:`STATUS`); an unexpected failure is a 500 with a fixed message (the traceback goes to the
server's log, never to the client). Every response carries a strict Content-Security-Policy (no
origin but the server's own), ``X-Content-Type-Options: nosniff`` and a ``Server-Timing`` header
with the server's time (also ``X-Elapsed-Ms``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import shapely
from fastapi import Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException

from corridor.errors import CorridorError, ScenarioError, UnknownIdError
from corridor.model.areas import Area
from corridor.model.situation import Closure
from corridor.model.timeline import change_dates, first_date
from corridor.scenario.schema import MAX_RADIUS_M
from corridor.serve.events import EventError
from corridor.serve.sessions import NotFound, Workbench
from corridor.serve.store import Conflict, EventLog, StoreError
from corridor.text import shown as shown_text

log = logging.getLogger("corridor.serve")

MAX_BODY_BYTES = 1_000_000
BODY_IDLE_S = 10.0
"""Seconds a request body may go without a byte arriving (408 after): a client that opens a
request and sends its body slowly, or never, does not hold the connection."""
BODY_TOTAL_S = 30.0
"""Seconds a whole request body may take (408 after): 1 MB at 35 kB/s."""
"""The largest request body accepted (HTTP 413 beyond)."""
MAX_VERTICES = 2_000
"""The most vertices a what-if polygon may have."""
MAX_WHAT_IFS = 500
"""The most what-if ways, and separately areas, one request may close."""
MAX_TEXT = 10_000
"""The longest author name or event field text accepted (characters)."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

#: The one table from errors to HTTP status codes (the CLI exits 2 for all of them).
STATUS: tuple[tuple[type[Exception], int], ...] = (
    (Conflict, 409),
    (NotFound, 404),
    (StoreError, 503),
    (EventError, 422),
    (UnknownIdError, 422),
    (CorridorError, 422),
)

WayId = Annotated[int, Field(gt=-(2**63), lt=2**63)]
LAYER_NAMES = Literal[
    "zones", "closed", "areas", "routes", "corridors", "critical", "cut", "closures", "places"
]
LonLat = Annotated[
    list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=2, max_length=2)
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
        description="/api/view: the layers to return (default: all but corridors, the slowest)",
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

    base_version: int = Field(ge=0, le=2**62)
    author: str = Field(min_length=1, max_length=200)


class Retraction(_Body):
    base_version: int = Field(ge=0, le=2**62)
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


def page_dir() -> Path:
    """The page's files (``index.html``, ``app.js``, ``app.css``), inside the package."""
    return Path(str(resources.files("corridor") / "serve" / "page"))


def leaflet_dir() -> Path:
    """Leaflet's files, from the xstatic-leaflet package the static map uses too."""
    from xstatic.pkg import leaflet

    return Path(leaflet.BASE_DIR)


# ------------------------------------------------------------------------------------ the app
def create_app(
    scenarios: list[str | Path],
    data_dir: str | Path,
    token: str | None = None,
    public_read: bool = False,
    *,
    allowed_hosts: Collection[str] | None = (),
    port: int | None = None,
) -> FastAPI:
    """
    The workbench app for ``scenarios`` (scenario files), its event log in ``data_dir``.

    Parameters
    ----------
    scenarios
        Scenario YAML files (each checked now; names must differ).
    data_dir
        Where the event log lives (``events.sqlite3``, created if missing).
    token
        When given, every write needs ``Authorization: Bearer <token>``, and every read too
        unless ``public_read``.
    public_read
        With a token: reads need none.
    allowed_hosts
        Host names the server answers to besides the loopback ones (127.0.0.1, localhost,
        [::1]): a request whose ``Host`` header names another is refused (421), and so is a
        write whose ``Origin`` does (403), so that a page on another name resolving to this
        machine (DNS rebinding) can neither read nor write. None: any host (``corridor serve``
        on every address with a token, where clients use whatever name the machine has).
    port
        The port the server listens on: when given, ``Host`` and ``Origin`` must name it too.

    Examples
    --------
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> from corridor.bundled import bundled_scenarios
    >>> app = create_app([bundled_scenarios()["helsinki-bridges"]], tempfile.mkdtemp())
    >>> client = TestClient(app, base_url="http://127.0.0.1")
    >>> [s["name"] for s in client.get("/api/scenarios").json()]
    ['helsinki-bridges']
    >>> client.post("/api/whatif", json={"date": "2026-06-03", "close_ways": [23952344]}).json()[
    ...     "answer"]["status"]
    'open'
    """
    bench = Workbench(scenarios, EventLog(Path(data_dir)))
    app = FastAPI(
        title="corridor serve",
        summary="corridor's workbench: what-if closures, reports and recorded events",
        version="1",
        docs_url=None,  # the Swagger and ReDoc pages load scripts from CDNs: not offline
        redoc_url=None,
    )
    app.state.workbench = bench
    _errors(app)
    hosts = None if allowed_hosts is None else frozenset(LOOPBACK_HOSTS) | set(allowed_hosts)
    app.add_middleware(_Guard, hosts=hosts, port=port)

    def authorised(authorization: str | None, write: bool) -> None:
        if token is None or (not write and public_read):
            return
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not (authorization or "").startswith("Bearer ") or not hmac.compare_digest(
            given.encode(), token.encode()
        ):
            raise HTTPException(
                401, "this server needs a token: send the header Authorization: Bearer <token>"
            )

    def read_access(authorization: Annotated[str | None, Header()] = None) -> None:
        authorised(authorization, write=False)

    def write_access(authorization: Annotated[str | None, Header()] = None) -> None:
        authorised(authorization, write=True)

    Read = Depends(read_access)
    Write = Depends(write_access)

    def name_of(scenario: str | None) -> str:
        return scenario if scenario is not None else next(iter(bench.sources), "")

    # -------------------------------------------------------------------------- the page
    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = page_dir() / "index.html"
        if not page.is_file():
            raise NotFound("the page is not installed (src/corridor/serve/page/index.html)")
        return FileResponse(page, media_type="text/html; charset=utf-8")

    app.mount("/page", StaticFiles(directory=page_dir(), check_dir=False), name="page")
    app.mount("/assets", StaticFiles(directory=leaflet_dir()), name="assets")

    # ---------------------------------------------------------------------- reads
    @app.get("/api/scenarios", dependencies=[Read], responses=ERRORS)
    def scenarios_list() -> JSONBody:
        """The served scenarios: movers, plans, the dates where something changes, version."""
        out = []
        for name in bench.sources:
            v = bench.current(name)
            sc = v.scenario
            dates = [d.isoformat() for d in change_dates(sc)]
            movers = list(sc.movers) or [sc.mover]
            out.append(
                {
                    "name": sc.name,
                    "title": sc.title or sc.name,
                    "description": sc.description,
                    "movers": movers,
                    "mover_names": {m: sc.mover_profile(m).name for m in movers},
                    "default_mover": sc.mover,
                    "plans": [{"name": k, "title": p.title or k} for k, p in sc.plans.items()],
                    "default_plan": None,
                    "dates": dates,
                    "plan_dates": {
                        k: [d.isoformat() for d in change_dates(sc, k)] for k in sc.plans
                    },
                    "first": first_date(sc).isoformat(),
                    "last": (sc.end.isoformat() if sc.end else dates[-1] if dates else None),
                    "center": list(sc.origin.representative),
                    "version": v.version,
                    "skipped": v.skipped,
                }
            )
        return JSONBody(out)

    @app.get("/api/progress", dependencies=[Read], responses=ERRORS)
    def progress() -> JSONBody:
        """What the server is loading, preparing or analysing now (a large extract's first
        load takes seconds): ``{"preparing": [{"scenario", "mover", "date", "plan", "stage",
        "seconds"}]}``, for a page to show while it waits."""
        return JSONBody({"preparing": bench.in_progress()})

    @app.get("/api/report", dependencies=[Read], responses=ERRORS)
    def report_get(
        scenario: Annotated[str | None, Query(max_length=200)] = None,
        date: dt.date | None = None,
        mover: Annotated[str | None, Query(max_length=200)] = None,
        plan: Annotated[str | None, Query(max_length=200)] = None,
    ) -> JSONBody:
        """The report of ``corridor analyze --json`` for these arguments (with the scenario's
        recorded events)."""
        from corridor.outputs.json import report_json

        situated, _ = bench.situated(name_of(scenario), date, mover, plan)
        return JSONBody(report_json(situated.report(), situated.network))

    @app.post("/api/report", dependencies=[Read], responses=ERRORS)
    def report_post(body: WhatIf) -> JSONBody:
        """The report after the what-if closures (``corridor analyze --close-way ...
        --json``); a way or area that closes no road is a warning in ``warnings``."""
        from corridor.outputs.json import report_json

        situated, _ = bench.situated(name_of(body.scenario), body.date, body.mover, body.plan)
        return JSONBody(report_json(situated.report(closures_of(body)), situated.network))

    @app.post("/api/view", dependencies=[Read], responses=ERRORS)
    def view(body: WhatIf) -> JSONBody:
        """The report after the what-ifs, the map's layers for it and the map's header."""
        from corridor.outputs.answers import view_json

        situated, version = bench.situated(name_of(body.scenario), body.date, body.mover, body.plan)
        report = situated.report(closures_of(body))
        return JSONBody(
            view_json(
                version.scenario,
                situated.state,
                report,
                situated.network,
                plan=body.plan,
                layers=body.layers,
                version=version.version,
            )
        )

    @app.post("/api/whatif", dependencies=[Read], responses=ERRORS)
    def what_if(body: WhatIf) -> JSONBody:
        """The quick what-if, from the situation's flows (``ClosureSession``): status, exits,
        the fastest route to each exit, the minimum cuts, the capacity and the critical
        segments, in the report's shapes (no alternative routes, no evacuation: ``quick`` is
        true), with the layers that change (``closed``, ``routes``, ``critical``, ``cut``,
        ``closures``) and the header without the evacuation time."""
        from corridor.outputs.answers import whatif_json

        situated, version = bench.situated(name_of(body.scenario), body.date, body.mover, body.plan)
        report = situated.quick(closures_of(body))
        return JSONBody(
            whatif_json(
                version.scenario,
                situated.state,
                report,
                situated.network,
                plan=body.plan,
                layers=body.layers,
                version=version.version,
            )
        )

    roads_cache: dict[tuple[str, str | None], tuple[dict[str, Any], Any, bytes]] = {}

    @app.get("/api/roads", dependencies=[Read], responses=ERRORS)
    def roads(
        scenario: Annotated[str | None, Query(max_length=200)] = None,
        mover: Annotated[str | None, Query(max_length=200)] = None,
        bbox: Annotated[
            str | None,
            Query(
                max_length=200,
                description="west,south,east,north: only the roads that reach into this box",
            ),
        ] = None,
    ) -> Response:
        """The mover's roads, one feature per OSM way (``way``, ``name``, ``ref``, ``highway``)."""
        import numpy as np

        from corridor.outputs.layers import roads_layer

        box = _bbox(bbox)
        name = name_of(scenario)
        key = (name, mover)
        if key not in roads_cache:
            layer = roads_layer(bench.network(name, mover))
            for f in layer["features"]:
                f["properties"]["way"] = f["properties"]["osm_way"]
            bounds = np.array(
                [shapely.bounds(shapely.geometry.shape(f["geometry"])) for f in layer["features"]]
            ).reshape(-1, 4)
            roads_cache[key] = (layer, bounds, bytes(JSONBody(layer).body))
        layer, bounds, whole = roads_cache[key]
        if box is None:
            return Response(whole, media_type="application/json")
        w, s, e, n = box
        inside = (
            (bounds[:, 0] <= e) & (bounds[:, 2] >= w) & (bounds[:, 1] <= n) & (bounds[:, 3] >= s)
        )
        picked = [f for f, keep in zip(layer["features"], inside.tolist(), strict=True) if keep]
        return JSONBody({**layer, "features": picked})

    # ------------------------------------------------------------------------------ events
    @app.get("/api/scenarios/{name}/events", dependencies=[Read], responses=ERRORS)
    def events_list(name: str) -> JSONBody:
        """The scenario's events: its file's, with the log replayed (retracted ones included)."""
        v = bench.current(name)
        return JSONBody(
            {
                "scenario": name,
                "version": v.version,
                "events": [e.as_json() for e in v.events.values()],
                "skipped": v.skipped,
            }
        )

    @app.post(
        "/api/scenarios/{name}/events",
        dependencies=[Write],
        status_code=201,
        responses=WRITE_ERRORS,
    )
    def event_create(name: str, body: Annotated[EventWrite, Body()]) -> JSONBody:
        """Record a new event (the fields of a scenario file's event; ``id`` may be left out)."""
        fields = dict(body.model_extra or {})
        v = bench.current(name)
        eid = fields.get("id")
        if eid is None:
            eid = fields["id"] = _new_id(v.events)
        if not isinstance(eid, str) or not eid.strip():
            raise EventError("event id: give a non-empty text id (or leave it out)")
        if eid in v.events:
            was = v.events[eid]
            msg = f"event id {eid!r} is taken ({was.status}, by {was.author}); give another id"
            raise EventError(msg)
        return _write(name, "create", eid, fields, body.author, body.base_version)

    @app.put(
        "/api/scenarios/{name}/events/{event_id}", dependencies=[Write], responses=WRITE_ERRORS
    )
    def event_amend(name: str, event_id: str, body: Annotated[EventWrite, Body()]) -> JSONBody:
        """Amend an event: its fields are replaced by those given."""
        fields = dict(body.model_extra or {})
        ev = _event(name, event_id)
        if fields.setdefault("id", event_id) != event_id:
            msg = f"event {event_id!r}: the body's id {fields['id']!r} differs; an id cannot change"
            raise EventError(msg)
        if ev.status == "retracted":
            raise EventError(f"event {event_id!r} is retracted; record a new event instead")
        return _write(name, "amend", event_id, fields, body.author, body.base_version)

    @app.post(
        "/api/scenarios/{name}/events/{event_id}/retract",
        dependencies=[Write],
        responses=WRITE_ERRORS,
    )
    def event_retract(name: str, event_id: str, body: Retraction) -> JSONBody:
        """Retract an event: it stays in the history, no longer in force. An event whose log
        entry no longer fits the file (``skipped``) can be retracted too."""
        v = bench.current(name)
        ev = v.events.get(event_id)
        if ev is None and event_id not in v.skipped_ids():
            ev = _event(name, event_id)
        if ev is not None and ev.status == "retracted":
            raise EventError(f"event {event_id!r} is already retracted")
        reason = {"reason": body.reason} if body.reason else None
        return _write(name, "retract", event_id, reason, body.author, body.base_version)

    @app.get(
        "/api/scenarios/{name}/events/{event_id}/history", dependencies=[Read], responses=ERRORS
    )
    def event_history(name: str, event_id: str) -> JSONBody:
        """Every change of an event, oldest first (an event of the file starts as written)."""
        ev = _event(name, event_id)
        bench.current(name)
        items: list[dict[str, Any]] = []
        if ev.file_index is not None:
            item = bench.source(name).file_events[ev.file_index]
            items.append(
                {
                    "version": 0,
                    "op": "file",
                    "event_id": event_id,
                    "event": _jsonable(item),
                    "author": "scenario file",
                    "created": None,
                    "base_version": 0,
                }
            )
        items += [e.as_json() for e in ev.history]
        return JSONBody({"scenario": name, "event": ev.as_json(), "history": items})

    @app.get(
        "/api/scenarios/{name}/export",
        dependencies=[Read],
        responses={**ERRORS, 200: {"content": {"application/yaml": {}}}},
        response_class=Response,
    )
    def export(name: str) -> Response:
        """The scenario file with its recorded events, as YAML (save it beside the original:
        the files it names are relative to it)."""
        v = bench.current(name)
        filename = quote(f"{name}.yaml")
        return Response(
            v.text.encode("utf-8"),
            media_type="application/yaml; charset=utf-8",
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
                "X-Corridor-Version": str(v.version),
            },
        )

    def _event(name: str, event_id: str) -> Any:
        v = bench.current(name)
        ev = v.events.get(event_id)
        if ev is None:
            msg = f"scenario {name!r} has no event {event_id!r}"
            raise NotFound(msg)
        return ev

    def _write(
        name: str,
        op: Literal["create", "amend", "retract"],
        event_id: str,
        fields: dict[str, Any] | None,
        author: str,
        base_version: int,
    ) -> JSONBody:
        if fields is not None:
            _confined(bench.source(name).path, event_id, fields)
        entry = bench.log.append(
            bench.source(name).key,
            op,
            event_id,
            fields,
            author=author,
            base_version=base_version,
            check=lambda entries: bench.check_edit(name, entries),
            shown_as=name,
        )
        v = bench.current(name)
        ev = v.events.get(event_id)
        return JSONBody(
            {
                "version": entry.version,
                "entry": entry.as_json(),
                "event": ev.as_json() if ev is not None else None,
            },
            status_code=201 if op == "create" else 200,
        )

    return app


def _confined(scenario: Path, event_id: str, fields: dict[str, Any]) -> None:
    """Refuse a ``geojson:`` target posted over HTTP that names a file outside the scenario's
    folder (``../``, an absolute path, a link that leaves it): a client may not make the server
    read any JSON file it can reach. A scenario file on disk may still name one."""
    target = fields.get("target")
    name = target.get("geojson") if isinstance(target, dict) else None
    if name is None:
        return
    folder = scenario.resolve().parent
    try:
        inside = isinstance(name, str) and (folder / name).resolve().is_relative_to(folder)
    except (OSError, ValueError):  # a name too long, a NUL
        inside = False
    if not inside:
        msg = (
            f"event {event_id!r}: target.geojson: {shown_text(name)} lies outside the scenario's "
            f"folder; over HTTP a geojson target names a file in {folder.name}/ (copy it there)"
        )
        raise EventError(msg)


def _jsonable(value: Any) -> Any:
    from corridor.serve.events import jsonable

    return jsonable(value)


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``west,south,east,north`` as numbers (None when not given)."""
    if text is None:
        return None
    try:
        w, s, e, n = (float(x) for x in text.split(","))
    except ValueError:
        msg = (
            f"bbox {text!r}: write it as WEST,SOUTH,EAST,NORTH in degrees, e.g. 24.9,60.1,25.0,60.2"
        )
        raise ScenarioError(msg) from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        msg = f"bbox {text!r}: need -180 <= WEST <= EAST <= 180 and -90 <= SOUTH <= NORTH <= 90"
        raise ScenarioError(msg)
    return w, s, e, n


def _new_id(events: dict[str, Any]) -> str:
    n = len(events) + 1
    while f"event-{n}" in events:
        n += 1
    return f"event-{n}"


def closures_of(body: WhatIf) -> list[Closure]:
    """The what-if closures of a request, as ``corridor analyze --close-way`` and
    ``--close-point`` make them (one per way, one per area)."""
    out = [Closure(ways=(w,), label=f"way {w}") for w in body.close_ways]
    for i, a in enumerate(body.close_areas):
        if isinstance(a, CircleArea):
            label = f"{a.radius_m:.0f} m around [{a.lon}, {a.lat}]"
            area = Area(label, point=(a.lon, a.lat), radius_m=a.radius_m)
        else:
            ring = [(p[0], p[1]) for p in a.polygon]
            poly = shapely.Polygon(ring)
            bad = [p for p in ring if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90)]
            if bad or not poly.is_valid or poly.area == 0:
                why = (
                    shapely.is_valid_reason(poly)
                    if not bad
                    else f"[{bad[0][0]}, {bad[0][1]}] is off the Earth"
                )
                msg = (
                    f"close_areas[{i}].polygon: not a valid polygon ({why}); give a ring of "
                    "[lon, lat] points that does not cross itself"
                )
                raise ScenarioError(msg)
            label = f"polygon of {len(ring)} points around {_centre(poly)}"
            area = Area(label, polygon=poly)
        out.append(Closure(area=area, label=label))
    return out


def _centre(poly: shapely.Polygon) -> str:
    c = poly.centroid
    return f"[{c.x:.5f}, {c.y:.5f}]"


# --------------------------------------------------------------------------------- errors
def status_of(exc: Exception) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods the routes at ``request``'s path answer, with OPTIONS (answered here),
    sorted."""
    from starlette.routing import Match

    methods = {"OPTIONS"}
    scope = dict(request.scope)
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(CorridorError)
    async def corridor_error(request: Request, exc: CorridorError) -> Response:
        body: dict[str, Any] = {"error": _one_line(str(exc))}
        if isinstance(exc, Conflict):
            body["changes"] = [e.as_json() for e in exc.changes]
        problems = getattr(exc, "problems", None)
        if isinstance(exc, EventError) and problems and len(problems) > 1:
            body["problems"] = [_one_line(p) for p in problems]
        return JSONBody(body, status_code=status_of(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # every method of every route at this path (Starlette names the first route's only)
            allowed = _allowed_methods(app, request)
            headers["Allow"] = ", ".join(allowed)
            if request.method == "OPTIONS":
                return Response(status_code=204, headers=headers)
        return JSONBody(
            {"error": _one_line(str(exc.detail))},
            status_code=exc.status_code,
            headers=headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        lines = [_validation_line(e) for e in errors] or ["invalid request"]
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        return JSONBody({"error": lines[0] + more}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONBody(
            {"error": "internal error: the server could not answer (see its log)"},
            status_code=500,
        )


def _validation_line(err: dict[str, Any]) -> str:
    loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "header")]
    where = ".".join(loc) or "request"
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "missing":
        return f"{where} is required"
    got = err.get("input")
    shown = json.dumps(got, ensure_ascii=False, default=str)[:80] if got is not None else ""
    return f"{where}: {msg}" + (f" (got {shown})" if shown and err.get("type") != "missing" else "")


# ----------------------------------------------------------------------------- the guard
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""The names a ``Host`` header may give without ``--allowed-host``."""

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _host_and_port(value: str) -> tuple[str, int | None] | None:
    """``"localhost:8000"`` -> ``("localhost", 8000)``; ``"[::1]"`` -> ``("[::1]", None)``;
    None for what is not a host and port (lower-cased; a trailing dot dropped).

    Examples
    --------
    >>> _host_and_port("LocalHost.:8000"), _host_and_port("[::1]:80"), _host_and_port("a:b:c")
    (('localhost', 8000), ('[::1]', 80), None)
    """
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[: end + 1], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:]
    else:
        host, _, port = value.partition(":")
        if ":" in port:
            return None
    host = host.rstrip(".")
    if not host or (port and not port.isdigit()):
        return None
    return host, int(port) if port else None


class _Guard:
    """ASGI middleware: refuses bodies over :data:`MAX_BODY_BYTES` (413), requests whose
    ``Host`` is not one of ``hosts`` (421: DNS rebinding) and writes whose ``Origin`` is not
    (403), adds the security headers and the server's time (``Server-Timing``,
    ``X-Elapsed-Ms``)."""

    def __init__(
        self,
        app: Callable[..., Awaitable[None]],
        *,
        hosts: frozenset[str] | None = frozenset(LOOPBACK_HOSTS),
        port: int | None = None,
    ) -> None:
        self.app = app
        self.hosts = None if hosts is None else frozenset(h.lower().rstrip(".") for h in hosts)
        self.port = port

    def _allowed(self, value: str | None) -> bool:
        if self.hosts is None:
            return True
        found = _host_and_port(value or "")
        if found is None:
            return False
        host, port = found
        return host in self.hosts and (self.port is None or port in (None, self.port))

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        host = headers.get(b"host", b"").decode("latin-1")
        if not self._allowed(host):
            await _refuse(
                send,
                421,
                f"this server does not answer to the host {host[:80]!r}; "
                "open it at 127.0.0.1 or localhost, or start it with --allowed-host",
            )
            return
        origin = headers.get(b"origin")
        if origin is not None and scope.get("method") in _WRITES:
            text = origin.decode("latin-1")
            where = text.split("://", 1)[-1]
            if text == "null" or not self._allowed(where):
                await _refuse(send, 403, f"writes from the origin {text[:80]!r} are refused")
                return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _too_large(send)
            return
        seen = 0
        complete = False
        deadline = time.monotonic() + BODY_TOTAL_S

        async def limited() -> MutableMapping[str, Any]:
            nonlocal seen, complete
            if complete:  # the body is in: later calls wait for a disconnect, untimed
                return await receive()
            wait = min(BODY_IDLE_S, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(wait, 0.0))
            except TimeoutError:
                raise HTTPException(408, _TOO_SLOW) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise HTTPException(413, _TOO_LARGE)
                complete = not message.get("more_body", False)
            else:
                complete = True
            return message

        async def timed(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - t0) * 1000
                headers = list(message.get("headers") or [])
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"server-timing", f"app;dur={ms:.2f}".encode()),
                    (b"x-elapsed-ms", f"{ms:.2f}".encode()),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, limited, timed)


_TOO_LARGE = f"the request body is larger than {MAX_BODY_BYTES:,} bytes; send less"
_TOO_SLOW = (
    f"the request body did not arrive in time (a pause over {BODY_IDLE_S:.0f} s, or over "
    f"{BODY_TOTAL_S:.0f} s in all); send it at once"
)


async def _too_large(send: Callable[[MutableMapping[str, Any]], Awaitable[None]]) -> None:
    await _refuse(send, 413, _TOO_LARGE)


async def _refuse(
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]], status: int, message: str
) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"content-security-policy", CSP.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
