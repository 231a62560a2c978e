"""Headless Chromium for the map tests: Debian's /usr/bin/chromium driven by Playwright.

No browser is downloaded: ``make test`` installs Debian's ``chromium`` when it is missing. Every
request other than ``file://`` is aborted and recorded, so a page that reaches for the network
fails its test; so does any console error or uncaught page error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUT = Path(__file__).resolve().parents[2] / "out" / "browser"


@dataclass
class PageLog:
    """What a page did that a test forbids: network requests, failed requests, console errors."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.blocked, f"the page tried to reach the network: {self.blocked}"
        assert not self.failed, f"requests failed: {self.failed}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (make test does)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _watched_page(ctx: Any, allowed: tuple[str, ...]) -> tuple[Any, PageLog]:
    """A page of ``ctx`` whose requests outside the ``allowed`` URL prefixes are aborted and
    recorded, as are failed requests, console errors and uncaught page errors."""
    log = PageLog()

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(allowed):
            r.continue_()
        else:
            log.blocked.append(url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed.append(f"{r.url}: {r.failure}"))
    return page, log


@pytest.fixture
def offline_page(browser: Any) -> Iterator[tuple[Any, PageLog]]:
    """A page in a fresh context with every non-file request aborted and recorded."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
    yield _watched_page(ctx, ("file://", "data:", "about:"))
    ctx.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    """Where screenshots go for a person to look at (``out/`` is gitignored)."""
    OUT.mkdir(parents=True, exist_ok=True)
    return OUT


@pytest.fixture
def served_pages(browser: Any) -> Iterator[Any]:
    """Pages of a local test server: ``new(base)`` opens a page in a fresh context (a second
    browser, as far as the server can tell) that may reach ``base`` (``http://127.0.0.1:<port>/``)
    and nothing else; any other request is aborted and recorded in its :class:`PageLog`, as are
    console errors and uncaught page errors."""
    contexts: list[Any] = []

    def new(base: str) -> tuple[Any, PageLog]:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/"), base
        ctx = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        contexts.append(ctx)
        return _watched_page(ctx, (base, "data:", "about:", "blob:" + base.rstrip("/")))

    yield new
    for ctx in contexts:
        ctx.close()
