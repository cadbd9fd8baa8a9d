"""The shell: served on the API's origin with its security headers, its runtime configuration,
both languages, and the admin console's address."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from support.runtime import RunningRuntime


def test_the_app_is_served_with_a_strict_content_security_policy(web_runtime: RunningRuntime) -> None:
    page = requests.get(f"{web_runtime.url}/", timeout=10)
    assert page.status_code == 200
    assert '<div id="app">' in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    config = requests.get(f"{web_runtime.url}/config.json", timeout=10).json()
    assert config["apiBaseUrl"] == ""
    assert config["websocketUrl"].startswith("ws://")
    assert config["websocketUrl"] in csp
    # the API keeps its own paths on the same origin
    assert requests.get(f"{web_runtime.url}/health", timeout=10).json()


def test_the_shell_switches_between_english_and_luganda(page: Page) -> None:
    page.goto("/#/no-such-page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("button", name="Luganda").click()
    expect(page.get_by_role("heading", name="Olupapula terulabise")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "lg"
    page.reload()
    expect(page.get_by_role("heading", name="Olupapula terulabise")).to_be_visible()


def test_slash_admin_opens_the_admin_console_address(page: Page) -> None:
    page.goto("/admin")
    page.wait_for_url("**/#/admin")
