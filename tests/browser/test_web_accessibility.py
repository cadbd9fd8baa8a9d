"""Accessibility: axe-core finds no serious or critical violation on the main pages, in English
and in Luganda, each opened as the role it is for; the keyboard reaches the menu and the first
form's fields; every control has an accessible name.

axe is injected into the page, which the app's CSP (script-src 'self') forbids: these contexts
bypass the CSP, and only these (the safety checks keep it)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from support.browser import ARTIFACTS
from support.runtime import RunningRuntime
from support.web_quality import WEB, login, not_found, settle, sign_in_browser, until

AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
# the main pages, and who opens them (None: signed out)
MAIN_PAGES: list[tuple[str, str | None]] = [
    ("/#/", None),
    ("/#/signin", None),
    ("/#/signup", None),
    ("/#/prices", None),
    ("/#/orders", "buyer"),
    ("/#/farm/listings/new", "farmer"),
    ("/#/transport/vehicles", "transporter"),
    ("/#/transport/jobs", "transporter"),
    ("/#/admin", "admin"),
    ("/#/admin/disputes", "admin"),
    ("/#/market/prices", None),
    ("/#/farm/sales", "farmer"),
    ("/#/reports", "farmer"),
    ("/#/admin/reports", "admin"),
    ("/#/groups", "buyer"),
    ("/#/coops", "farmer"),
]
NAME_RULES = ["button-name", "link-name", "label", "select-name", "input-button-name", "aria-command-name"]


@pytest.fixture
def a11y_page(
    browser: Browser, web_runtime: RunningRuntime, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A tab like the harness's ``page`` (phone-sized, uncaught errors fail the test, the last
    view saved in tests/artifacts/), in a context that bypasses the CSP so axe can be injected."""
    context = browser.new_context(
        base_url=web_runtime.url,
        viewport={"width": 412, "height": 860},
        locale="en-GB",
        timezone_id="Africa/Kampala",
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda err: problems.append(f"uncaught: {err}"))
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    with contextlib.suppress(Exception):
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


def _axe(page: Page, rules: list[str] | None = None) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        if not AXE.is_file():
            pytest.fail("axe-core is missing: `cd web && npm ci`")
        page.add_script_tag(content=AXE.read_text())
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    violations: list[dict[str, Any]] = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", options
    )
    return violations


def _readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    … and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def _open(page: Page, runtime: RunningRuntime, address: str, role: str | None, language: str) -> None:
    if role:
        sign_in_browser(page, login(runtime.url, role))
    else:
        page.goto("/#/quality-start")
    page.goto(address)  # a hash navigation: the app keeps its session in memory
    settle(page)
    if role:  # the session was adopted: the page is the role's, not the sign-in invitation
        until(page, "!document.querySelector('main a[href*=\"signin?next\"]')")
    # As a user switches (a signed-in account's own language wins at start, and the switch saves it
    # on the account: the shared role accounts may come in either language). The switch's buttons
    # are English then Luganda, each named in the page's current language.
    if page.evaluate("document.documentElement.lang") != language:
        page.locator("header .lang button").nth(0 if language == "en" else 1).click()
        until(page, f"document.documentElement.lang === '{language}'")
        settle(page)


@pytest.mark.parametrize("language", ["en", "lg"])
@pytest.mark.parametrize(("address", "role"), MAIN_PAGES, ids=[a for a, _ in MAIN_PAGES])
def test_axe_finds_no_serious_violation(
    a11y_page: Page, web_runtime: RunningRuntime, address: str, role: str | None, language: str
) -> None:
    _open(a11y_page, web_runtime, address, role, language)
    assert a11y_page.evaluate("document.documentElement.lang") == language
    violations = _axe(a11y_page)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not not_found(a11y_page), f"{address} answers the shell's Page not found"
    assert not serious, f"{address} in {language}:\n{_readable(serious)}"


@pytest.mark.parametrize(("address", "role"), MAIN_PAGES, ids=[a for a, _ in MAIN_PAGES])
def test_every_control_has_an_accessible_name(
    a11y_page: Page, web_runtime: RunningRuntime, address: str, role: str | None
) -> None:
    _open(a11y_page, web_runtime, address, role, "en")
    violations = _axe(a11y_page, NAME_RULES)  # any impact counts here
    assert not violations, f"{address}: controls without a name:\n{_readable(violations)}"
    unlabelled = a11y_page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && [...e.labels].some(l => l.textContent.trim())))
            .map(e => e.outerHTML.slice(0, 120))"""
    )
    assert not unlabelled, f"{address}: fields without a visible label: {unlabelled}"


_TABBABLE = """el => {
  const all = [...el.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')];
  return all.filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0)
            .map(e => e.outerHTML.slice(0, 160));
}"""


def _tab_through(page: Page, presses: int) -> list[str]:
    page.locator("body").focus()
    reached = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement ? document.activeElement.outerHTML.slice(0, 160) : ''")
        )
    return reached


def test_the_keyboard_reaches_the_menu_and_the_first_forms_fields(page: Page) -> None:
    """Signed out, on the sign-in page: Tab from the top reaches the skip link, the header's
    controls (brand, languages, menu) and every field and button of the first form, in order."""
    page.goto("/#/signin")
    settle(page)
    header = page.locator("header.top").evaluate(_TABBABLE)
    form = page.locator("main form").first
    fields = form.evaluate(_TABBABLE) if form.count() else []
    wanted = header + fields
    assert header, "the header has nothing to reach by keyboard"
    reached = _tab_through(page, len(wanted) + 8)
    missing = [w for w in wanted if w not in reached]
    assert not missing, f"Tab never reaches: {missing}\nreached, in order: {reached}"
    assert reached[0].startswith("<a") and "skip" in reached[0], "the first Tab stop is not the skip link"
    if not fields and not_found(page):
        pytest.fail("the sign-in page answers the shell's Page not found")
    assert fields, "the sign-in page has no form"
    # the menu entry and the fields are in document order
    order = [reached.index(w) for w in wanted]
    assert order == sorted(order), f"Tab order differs from reading order: {reached}"


def test_the_skip_link_moves_focus_to_the_content(page: Page) -> None:
    page.goto("/#/")
    settle(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
