"""The workbench's web app (FastAPI): the page, the map assets, and the JSON API.

:func:`create_app` builds the app: the page and its assets, the routes (one router per
resource: :mod:`corridor.serve.routes.analysis`, :mod:`corridor.serve.routes.events`, thin over
:mod:`corridor.serve.sessions` and :mod:`corridor.outputs`), the bodies they take
(:mod:`corridor.serve.schemas`), the token check (:mod:`corridor.serve.deps`), the middleware
that guards every request (:class:`_Guard`) and the error table. The paths and bodies are a
contract (docs/serve.md): add, never rename.

Errors are JSON ``{"error": "<one line>"}`` with a 4xx code, from one table
(:data:`STATUS`); an unexpected failure is a 500 with a fixed message (the traceback goes to the
server's log, never to the client). Every response carries a strict Content-Security-Policy (no
origin but the server's own), ``X-Content-Type-Options: nosniff`` and a ``Server-Timing`` header
with the server's time (also ``X-Elapsed-Ms``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterator, MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from corridor.errors import CorridorError, UnknownIdError
from corridor.serve.events import EventError
from corridor.serve.routes import analysis, events
from corridor.serve.schemas import JSONBody
from corridor.serve.sessions import NotFound, Workbench
from corridor.serve.store import Conflict, EventLog, StoreError

log = logging.getLogger("corridor.serve")

MAX_BODY_BYTES = 1_000_000
"""The largest request body accepted (HTTP 413 beyond)."""
BODY_IDLE_S = 10.0
"""Seconds a request body may go without a byte arriving (408 after): a client that opens a
request and sends its body slowly, or never, does not hold the connection."""
BODY_TOTAL_S = 30.0
"""Seconds a whole request body may take (408 after): 1 MB at 35 kB/s."""
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
    app.state.token = token
    app.state.public_read = public_read
    app.state.roads_cache = {}
    _errors(app)
    hosts = None if allowed_hosts is None else frozenset(LOOPBACK_HOSTS) | set(allowed_hosts)
    app.add_middleware(_Guard, hosts=hosts, port=port)

    # -------------------------------------------------------------------------- the page
    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = page_dir() / "index.html"
        if not page.is_file():
            raise NotFound("the page is not installed (src/corridor/serve/page/index.html)")
        return FileResponse(page, media_type="text/html; charset=utf-8")

    @app.get("/page/draw.js", include_in_schema=False)
    def shared_drawing() -> Response:
        """The map drawing the static map inlines (corridor/outputs/assets/draw.js)."""
        from corridor.outputs.map import draw_script

        return Response(draw_script(), media_type="text/javascript; charset=utf-8")

    @app.get("/page/draw.css", include_in_schema=False)
    def shared_styles() -> Response:
        """The styles of the shared drawing (corridor/outputs/assets/draw.css)."""
        from corridor.outputs.map import draw_style

        return Response(draw_style(), media_type="text/css; charset=utf-8")

    app.mount("/page", StaticFiles(directory=page_dir(), check_dir=False), name="page")
    app.mount("/assets", StaticFiles(directory=leaflet_dir()), name="assets")

    app.include_router(analysis.router)
    app.include_router(events.router)
    _declare_limits(app, bench)
    return app


_LON = r" *-?(180(\.0+)?|(1[0-7]\d|\d{1,2})(\.\d+)?) *"
_LAT = r" *-?(90(\.0+)?|[1-8]?\d(\.\d+)?) *"
#: A bbox as the server reads it: west, south, east, north in degrees, within range (that west
#: is not east of east and south not north of north, a pattern cannot say: a 422 says it).
BBOX_PATTERN = f"^{_LON},{_LAT},{_LON},{_LAT}$"


def _declare_limits(app: FastAPI, bench: Workbench) -> None:
    """Write into the OpenAPI schema the values the server takes, as the served scenarios fix
    them: ``scenario``, ``mover`` and ``plan`` as enums (every served scenario's names, movers
    with the base movers, plans), ``bbox`` as a pattern; a client generated from the schema
    then sends what the server accepts."""
    from corridor.model.network import Mover

    served = [bench.current(name).scenario for name in bench.sources]
    values = {
        "scenario": sorted(bench.sources),
        "mover": sorted({m for sc in served for m in sc.movers} | {m.value for m in Mover}),
        "plan": sorted({p for sc in served for p in sc.plans}),
    }
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        for key, allowed in values.items():
            for where in _named(doc, key):
                _restrict(where, {"enum": allowed} if allowed else {"not": {}})
        for where in _named(doc, "bbox"):
            _restrict(where, {"pattern": BBOX_PATTERN})
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def _named(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The schemas of the query parameters and of the request bodies' properties named ``key``."""
    found = []
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            found += [p["schema"] for p in op.get("parameters", []) if p.get("name") == key]
    for model in doc.get("components", {}).get("schemas", {}).values():
        if key in model.get("properties", {}):
            found.append(model["properties"][key])
    return found


def _restrict(schema: dict[str, Any], rule: dict[str, Any]) -> None:
    """Add ``rule`` to the string branch of ``schema`` (``anyOf`` with null, or a string)."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            branch.update(rule)


# --------------------------------------------------------------------------------- errors
def status_of(exc: Exception) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _routes(routes: Any) -> Iterator[Any]:
    """``routes`` with each included router's own routes in its place (the routers are included
    without a prefix, so their routes match the request's path as they are)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods the routes at ``request``'s path answer, with OPTIONS (answered here),
    sorted."""
    from starlette.routing import Match

    methods = {"OPTIONS"}
    scope = dict(request.scope)
    for route in _routes(app.router.routes):
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
