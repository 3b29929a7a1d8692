"""Browser fixtures: one real server and one Chromium for the whole run, a fresh page per test.

Every page records its console errors and every request it makes; a test fails if the page
logged an error or asked any host but the app for anything (the page must work offline).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import ServerProcess
from tests.e2e.helpers import open_page

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def chromium_path() -> str | None:
    """The system Chromium (NEURON_CHROMIUM overrides); None: Playwright's own build."""
    explicit = os.environ.get("NEURON_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Package scope: Playwright's sync API keeps an event loop of its own while it runs, so it must
# be gone before the asyncio tests of other packages start.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Watch:
    """What a page did that it must not: console errors and requests to other hosts."""

    origin: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> Page:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("request", self._request)
        page.on("websocket", lambda ws: self._request_url(ws.url))
        return page

    def _request(self, request: object) -> None:
        self._request_url(request.url)  # type: ignore[attr-defined]

    def _request_url(self, url: str) -> None:
        self.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != urlsplit(self.origin).netloc:
            self.foreign.append(url)

    def check(self) -> None:
        assert not self.errors, f"console errors: {self.errors}"
        assert not self.foreign, f"requests to other hosts: {self.foreign}"


class Pages:
    """Opens pages on the test server; each is watched, and checked when the test ends."""

    def __init__(self, browser: Browser, server: ServerProcess) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.watches: list[Watch] = []

    def new(self, path: str = "/", **context_options: object) -> Page:
        options = {"viewport": {"width": 1366, "height": 900}, **context_options}
        context = self.browser.new_context(**options)  # type: ignore[arg-type]
        self.contexts.append(context)
        watch = Watch(self.server.url)
        self.watches.append(watch)
        page = watch.attach(context.new_page())
        if path is not None:
            open_page(page, self.server.url + path)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def check(self) -> None:
        for watch in self.watches:
            watch.check()


@pytest.fixture(scope="session")
def app_server(sqlite_server: ServerProcess) -> ServerProcess:
    return sqlite_server


@pytest.fixture
def pages(browser: Browser, app_server: ServerProcess) -> Iterator[Pages]:
    opened = Pages(browser, app_server)
    try:
        yield opened
        opened.check()
    finally:
        opened.close()

