"""What the web app's cross-cutting checks (budget, accessibility, offline, safety) share: the
app's pages read from its own sources and build, signing a browser in as a role, and telling a
page that has landed from the shell's "Page not found"."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page

from support.browser import register

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
DIST = WEB / "dist"
PAGES = WEB / "src" / "pages"
ADMIN_EMAIL = "admin@soko.ug"
ADMIN_PASSWORD = "Matooke-Market-Dev-2026"  # the local runtime's dev admin (README)
NOT_FOUND = ("Page not found", "Olupapula terulabise")

# `{ path: "/listings/:id", load: () => import("./Listing"), ... }` in pages/<area>/routes.ts
_ROUTE = re.compile(r"path:\s*[\"'`]([^\"'`]+)[\"'`][^{}]*?import\(\s*[\"'`]([^\"'`]+)[\"'`]\s*\)", re.S)
_ROUTE_REVERSED = re.compile(
    r"import\(\s*[\"'`]([^\"'`]+)[\"'`]\s*\)[^{}]*?path:\s*[\"'`]([^\"'`]+)[\"'`]", re.S
)
_ROLES = re.compile(r"roles:\s*\[([^\]]*)\]")


@dataclass(frozen=True)
class Route:
    area: str
    path: str  # the hash path, wouter syntax ("/listings/:id")
    module: str  # the page module's source, relative to web/ ("src/pages/buyer/Market.tsx")
    roles: tuple[str, ...]


def _module_source(routes_file: Path, spec: str) -> str:
    base = (routes_file.parent / spec).resolve()
    candidates = [base, base.with_suffix(base.suffix + ".tsx"), base.with_suffix(base.suffix + ".ts")]
    for candidate in [*candidates, base / "index.tsx", base / "index.ts"]:
        if candidate.is_file():
            return candidate.relative_to(WEB).as_posix()
    return base.relative_to(WEB).as_posix()


def app_routes() -> list[Route]:
    """Every page the areas declare (web/src/pages/*/routes.ts), in declaration order."""
    found: list[Route] = []
    for routes_file in sorted(PAGES.glob("*/routes.ts")):
        text = routes_file.read_text()
        for block in re.split(r"\n\s*\{", text):
            match = _ROUTE.search(block)
            path, spec = (match.group(1), match.group(2)) if match else (None, None)
            if match is None:
                reverse = _ROUTE_REVERSED.search(block)
                if reverse is None:
                    continue
                spec, path = reverse.group(1), reverse.group(2)
            roles_match = _ROLES.search(block)
            roles = tuple(re.findall(r"[\"'](\w+)[\"']", roles_match.group(1))) if roles_match else ()
            assert path is not None and spec is not None
            found.append(Route(routes_file.parent.name, path, _module_source(routes_file, spec), roles))
    return found


def login(base_url: str, role: str) -> dict[str, Any]:
    """Tokens (and account) of a fresh account of ``role``, or of the dev admin for "admin"."""
    if role == "admin":
        answer = requests.post(
            f"{base_url}/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=30
        )
        assert answer.status_code == 200, answer.text
        return {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, **answer.json()}
    return register(base_url, role, name=f"Quality {role.title()}")


def sign_in_browser(page: Page, account: dict[str, Any]) -> None:
    """Hand the browser the account's session as the app keeps it (the refresh token in
    localStorage; the app rotates it and keeps the access token in memory). The token is put in
    place before the app's first script runs, once per tab, so exactly one app instance presents
    it: presenting a rotated token again (a reload racing the rotation) would revoke the session."""
    page.add_init_script(
        "if (!sessionStorage.getItem('test.seeded')) {"
        f" localStorage.setItem('soko.refresh', {json.dumps(account['refresh_token'])});"
        " sessionStorage.setItem('test.seeded', '1'); }"
    )
    page.goto("/#/quality-sign-in")
    # wait for the rotation to be stored before the caller navigates on
    until(page, f"localStorage.getItem('soko.refresh') !== {account['refresh_token']!r}")
    page.wait_for_load_state("networkidle")


def until(page: Page, expression: str, timeout: float = 45.0) -> Any:
    """Poll a JavaScript expression until it is truthy. (Playwright's wait_for_function compiles
    its predicate with eval, which the app's CSP rightly refuses; evaluate does not.)"""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def settle(page: Page) -> None:
    """Wait until the page has loaded what it shows (no request in flight, no "Loading…", no busy
    button: a page may ask in steps, e.g. the prices page's forecast after its crop list)."""
    page.wait_for_load_state("networkidle")
    until(page, "!document.querySelector('.loading, [aria-busy=\"true\"]')")
    page.wait_for_load_state("networkidle")


def not_found(page: Page) -> bool:
    """Whether the shell shows "Page not found" (the page has not landed yet)."""
    heading = page.locator("h1").first
    return heading.count() > 0 and heading.inner_text().strip() in NOT_FOUND
