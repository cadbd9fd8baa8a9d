"""The app as a PWA: an installable manifest, a service worker that controls the page from the
first visit and keeps the whole shell, and, offline, the shell, the last-seen listings and prices
(with the "Offline: showing what you saw on …" notice), and actions that say they need a
connection."""

from __future__ import annotations

import struct
from typing import Any

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from support.runtime import RunningRuntime
from support.web_quality import DIST, not_found, settle, until

OFFLINE_ACTION = "This needs an internet connection"
OFFLINE_SAVED = "Offline: showing what you saw on"
OFFLINE_BANNER = "You are offline"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_makes_the_app_installable(web_runtime: RunningRuntime) -> None:
    answer = requests.get(f"{web_runtime.url}/manifest.webmanifest", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/manifest+json")
    manifest: dict[str, Any] = answer.json()
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"].startswith("/")
    assert manifest["display"] == "standalone"
    assert manifest.get("scope", "/") == "/"
    sizes: set[str] = set()
    for icon in manifest["icons"]:
        image = requests.get(f"{web_runtime.url}{icon['src']}", timeout=10)
        assert image.status_code == 200, icon["src"]
        assert icon["type"] == "image/png"
        width, height = _png_size(image.content)
        assert icon["sizes"] == f"{width}x{height}", f"{icon['src']} is {width}x{height}"
        if "any" in icon.get("purpose", "any").split():
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def _controlled(page: Page) -> None:
    page.goto("/#/")
    until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    settle(page)


def test_the_service_worker_controls_the_first_visit_and_keeps_the_whole_shell(page: Page) -> None:
    _controlled(page)
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == page.url.split("#")[0].rstrip("/") + "/"
    cached: list[str] = page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys())
                for (const request of await (await caches.open(name)).keys())
                    urls.push(new URL(request.url).pathname);
            return urls;
        }"""
    )
    built = {f"/{p.relative_to(DIST).as_posix()}" for p in (DIST / "assets").iterdir()}
    missing = sorted(built - set(cached))
    assert not missing, f"built files the service worker did not cache at install: {missing}"
    assert {"/", "/manifest.webmanifest", "/config.json"} <= set(cached)


def test_offline_a_reload_shows_the_shell(page: Page, context: BrowserContext) -> None:
    _controlled(page)
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("link", name="Soko")).to_be_visible()
    expect(page.get_by_role("navigation")).to_be_attached()
    expect(page.get_by_role("status").filter(has_text=OFFLINE_BANNER)).to_be_visible()
    # a page the visitor never opened still opens: every page's chunk was cached at install
    page.goto("/#/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


@pytest.mark.parametrize("address", ["/#/", "/#/prices"])
def test_offline_the_last_seen_listings_and_prices_are_shown(
    page: Page, context: BrowserContext, address: str
) -> None:
    _controlled(page)
    page.goto(address)
    settle(page)
    if not_found(page):
        pytest.fail(f"{address} answers the shell's Page not found")
    online_text = page.locator("main").inner_text()
    context.set_offline(True)
    page.reload()
    expect(page.get_by_text(OFFLINE_SAVED).first).to_be_visible()  # one per saved answer shown
    expect(page.locator("main .error")).to_have_count(0)
    offline_text = page.locator("main").inner_text()
    # what was seen is what is shown: its lines are there again (the notice aside)
    seen = [line for line in online_text.splitlines() if line.strip()][:10]
    assert all(line in offline_text for line in seen), f"online:\n{online_text}\n\noffline:\n{offline_text}"


def test_offline_an_action_says_it_needs_a_connection(page: Page, context: BrowserContext) -> None:
    _controlled(page)
    page.goto("/#/signin")
    settle(page)
    if not_found(page):
        pytest.fail("the sign-in page answers the shell's Page not found")
    context.set_offline(True)
    form = page.locator("main form").first
    for field in form.locator("input").all():
        kind = field.get_attribute("type") or "text"
        if kind == "password":
            field.fill("Correct-Horse-9-Battery")
        elif kind == "email" or "mail" in (field.get_attribute("autocomplete") or ""):
            field.fill("offline.buyer@example.ug")
        elif kind in ("text", "tel"):
            field.fill("offline.buyer@example.ug" if kind == "text" else "+256770000001")
    form.locator("button[type=submit], button:not([type])").first.click()
    expect(page.get_by_role("alert").filter(has_text=OFFLINE_ACTION)).to_be_visible()
