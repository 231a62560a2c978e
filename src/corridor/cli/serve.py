"""``corridor serve``: the workbench, a live map and JSON API (docs/serve.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.common import VerboseOpt, handle_errors, resolve_scenario
from corridor.errors import ServeError

app = typer.Typer()

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/corridor/serve`` (``~/.local/share/corridor/serve``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "corridor" / "serve"


@app.command()
@handle_errors
def serve(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="A scenario YAML file, a bundled scenario's name, or a directory of scenarios "
            "(its */scenario.yaml and *.yaml). Default: every bundled scenario.",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Any but a loopback address (127.0.0.1, ::1, localhost) "
            "needs --token.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port (0: any free port).")
    ] = 8000,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Directory of the event log (events.sqlite3). Default: "
            "$XDG_DATA_HOME/corridor/serve, i.e. ~/.local/share/corridor/serve.",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="CORRIDOR_TOKEN",
            help="Every write (and read, unless --public-read) needs 'Authorization: Bearer "
            "TOKEN'. Also read from CORRIDOR_TOKEN.",
            show_default=False,
        ),
    ] = None,
    public_read: Annotated[
        bool, typer.Option("--public-read", help="With --token: reads need no token.")
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A host name the server also answers to (repeatable). Requests naming any "
            "other Host than 127.0.0.1, localhost, [::1] or --host are refused (421), and writes "
            "from any other Origin (403): a web page cannot reach the server by a name that "
            "resolves to this machine (DNS rebinding).",
            show_default=False,
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Serve the workbench: a live map where a click closes a road, and the JSON API."""
    import ipaddress
    import socket

    paths = scenario_paths(scenario)
    if token is not None and not token.strip():
        raise ServeError("--token is empty; give a long random text (or leave it out)")
    loopback = host in LOOPBACK
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            loopback = False
    if not loopback and token is None:
        msg = (
            f"--host {host} is not a loopback address: give --token TOKEN (or set "
            "CORRIDOR_TOKEN) so that only those who hold it can read and write"
        )
        raise ServeError(msg)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP: asyncio then sets TCP_NODELAY on each connection (with proto 0 it does
    # not, and Nagle's algorithm meets the client's delayed ACK: 40 ms on a small response)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        msg = f"--host {host} --port {port}: cannot listen there ({exc.strerror or exc}); choose another port"
        raise ServeError(msg) from None
    from corridor.serve.app import create_app

    names = [
        *(allowed_host or []),
        host if ":" not in host.strip("[]") else f"[{host.strip('[]')}]",
    ]
    wildcard = host.strip("[]") in ("0.0.0.0", "::")
    application = create_app(
        [str(p) for p in paths],
        data or default_data_dir(),
        token=token,
        public_read=public_read,
        # on every address with a token, clients name this machine as they know it
        allowed_hosts=None if wildcard and not allowed_host else names,
        port=sock.getsockname()[1],
    )
    _serve(application, sock, host, verbose=verbose)


LIMIT_CONCURRENCY = 512
"""Open connections and requests ``corridor serve`` takes at once (503 beyond)."""


def _serve(application: object, sock: object, host: str, *, verbose: bool) -> None:
    import socket

    import uvicorn

    from corridor.cli.common import err_console

    assert isinstance(sock, socket.socket)
    sock.listen(128)  # connections wait in the backlog until uvicorn accepts them
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"corridor serve: http://{shown}:{bound_port}/ (Ctrl+C stops)", flush=True)
    err_console().print(
        f"event log: {application.state.workbench.log.path}",  # type: ignore[attr-defined]
        markup=False,
        highlight=False,
    )
    config = uvicorn.Config(
        application,  # type: ignore[arg-type]
        log_level="info" if verbose else "warning",
        access_log=verbose,
        timeout_graceful_shutdown=2,
        # past this many open connections and requests, 503 at once: slow or idle clients
        # cannot exhaust the file descriptors (a slow body ends in 408, serve/app.py)
        limit_concurrency=LIMIT_CONCURRENCY,
        timeout_keep_alive=5,
    )
    uvicorn.Server(config).run(sockets=[sock])


def scenario_paths(value: str | None) -> list[Path]:
    """The scenario files to serve: every bundled one, a file, a bundled name, or a
    directory's ``*/scenario.yaml`` and ``*.yaml``."""
    from corridor.bundled import bundled_scenarios

    if value is None:
        return list(bundled_scenarios().values())
    p = Path(value)
    if p.is_dir() and not (p / "scenario.yaml").is_file():
        found = sorted(p.glob("*/scenario.yaml")) + sorted(
            f for f in p.glob("*.yaml") if f.is_file()
        )
        if not found:
            msg = f"{p}: no scenario here (looked for */scenario.yaml and *.yaml)"
            raise ServeError(msg)
        return found
    return [resolve_scenario(value)]
