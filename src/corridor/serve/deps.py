"""What every route depends on: the workbench the app serves, the token check for reads and
writes, and the default scenario."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.exceptions import HTTPException

from corridor.serve.sessions import Workbench


def workbench(request: Request) -> Workbench:
    """The app's :class:`~corridor.serve.sessions.Workbench` (``app.state.workbench``)."""
    bench: Workbench = request.app.state.workbench
    return bench


Bench = Annotated[Workbench, Depends(workbench)]


def _authorised(request: Request, authorization: str | None, write: bool) -> None:
    token: str | None = request.app.state.token
    if token is None or (not write and request.app.state.public_read):
        return
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not (authorization or "").startswith("Bearer ") or not hmac.compare_digest(
        given.encode(), token.encode()
    ):
        raise HTTPException(
            401, "this server needs a token: send the header Authorization: Bearer <token>"
        )


def read_access(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """A read: needs the token when the server has one, unless reads are public."""
    _authorised(request, authorization, write=False)


def write_access(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """A write: needs the token when the server has one."""
    _authorised(request, authorization, write=True)


Read = Depends(read_access)
Write = Depends(write_access)


def name_of(bench: Workbench, scenario: str | None) -> str:
    """The scenario a request names, or the first served one."""
    return scenario if scenario is not None else next(iter(bench.sources), "")
