"""Browser journeys: the built web app (web/dist) served by the local runtime as `make dev` serves
it, in Debian's Chromium driven by Playwright. One runtime for the suite (demo world and WFP prices
loaded, no background training); a fresh browser profile per test; each test's last page kept as a
screenshot in tests/artifacts/."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from support.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path
from support.runtime import ROOT, RunningRuntime, running

WEB_DIST = ROOT / "web" / "dist"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def web_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("web/dist is not built: `make test` builds it (make web)")
    workdir = tmp_path_factory.mktemp("soko_web")
    with running(ROOT / "template.yaml", workdir, "--no-watch", "--no-train") as runtime:
        yield runtime


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    instance = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    yield instance
    instance.close()


def new_context(browser: Browser, runtime: RunningRuntime, **options: object) -> BrowserContext:
    """A fresh profile on a phone-sized screen, talking to ``runtime``."""
    context = browser.new_context(
        base_url=runtime.url,
        viewport={"width": 412, "height": 860},
        locale="en-GB",
        timezone_id="Africa/Kampala",
        **options,  # type: ignore[arg-type]
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def context(browser: Browser, web_runtime: RunningRuntime) -> Iterator[BrowserContext]:
    ctx = new_context(browser, web_runtime)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab whose console errors and uncaught exceptions fail the test, and whose last view is
    saved as tests/artifacts/<test>.png."""
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda err: problems.append(f"uncaught: {err}"))
    tab.on(
        "console",
        lambda msg: (
            problems.append(f"console error: {msg.text}")
            if msg.type == "error" and not _expected_console_error(msg.text)
            else None
        ),
    )
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    with contextlib.suppress(Exception):  # a screenshot is evidence, not the test
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not problems, "\n".join(problems)


def _expected_console_error(text: str) -> bool:
    """Failed requests the app handles and shows (a 4xx the user is told about, a refused call
    while offline) are logged by Chromium as console errors; they are not the app's failures."""
    # A WebSocket handshake refused or dropped (a $connect whose authorizer is still starting on a
    # loaded machine, the network switched off) is retried by the app's live channel with backoff
    # (web/src/lib/live.ts); tests that need the channel check it themselves.
    return (
        "Failed to load resource" in text
        or "net::ERR_INTERNET_DISCONNECTED" in text
        or ("WebSocket connection to" in text and "failed" in text)
        or "Error during WebSocket handshake" in text
    )
