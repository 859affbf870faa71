"""Real headless Chromium (Debian's, driven by Playwright with executable_path) against a live server.

Every page opened through ``open_page`` records page errors, dialogs and every request, and
the ``page`` fixture fails the test if a page error happened or a request left 127.0.0.1.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graph.store import GraphStore
from tests.live import Server, start_server

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def live_server(bundled) -> Iterator[Server]:
    server = start_server(GraphStore.from_graph(bundled))
    yield server
    server.server.should_exit = True
    server.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watched:
    page: Any
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, url: str) -> None:
        self.page.goto(url)
        self.wait("window.linkscope && window.linkscope.ready")

    def wait(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll a JS expression until truthy. (Playwright's wait_for_function evaluates a string
        with eval, which the explorer's Content-Security-Policy rightly forbids.)"""
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(f"() => ({expression})")
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            time.sleep(0.05)

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname not in ("127.0.0.1",) and not u.startswith("data:")]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[], Watched]]:
    contexts = []

    def make() -> Watched:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)
        page.on("pageerror", lambda e: watched.errors.append(str(e)))
        page.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)

        def on_dialog(dialog: Any) -> None:
            watched.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("request", lambda r: watched.requests.append(r.url))
        return watched

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[[], Watched]) -> Iterator[Watched]:
    watched = open_page()
    yield watched
    assert watched.errors == [], f"page errors: {watched.errors}"
    assert watched.foreign_requests() == [], f"requests left 127.0.0.1: {watched.foreign_requests()}"
    assert watched.dialogs == []


def node_position(watched: Watched, node_id: str) -> dict[str, float]:
    """Where a node is drawn, in page coordinates."""
    position: dict[str, float] = watched.page.evaluate(
        """(id) => {
            const p = network.getPositions([id])[id];
            const dom = network.canvasToDOM(p);
            const box = document.querySelector('#graph canvas').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        node_id,
    )
    return position


def click_node(watched: Watched, node_id: str, double: bool = False) -> None:
    """Click the node where it is drawn on the canvas, as a person would."""
    position = node_position(watched, node_id)
    if double:
        watched.page.mouse.dblclick(position["x"], position["y"])
    else:
        watched.page.mouse.click(position["x"], position["y"])


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs"
