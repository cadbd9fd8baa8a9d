"""Safety: tokens never travel in URLs (except the WebSocket's documented ``?token=``), the access
token never reaches storage, the API's own error messages are shown (never a blank page), and the
Content-Security-Policy allows no inline or eval'd code."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Response, expect

from support.runtime import RunningRuntime
from support.web_quality import login, not_found, settle, sign_in_browser, until

PAGES_SIGNED_IN = ["/#/", "/#/prices", "/#/orders", "/#/notifications", "/#/profile", "/#/messages"]


class Traffic:
    """Every URL the page asks for (HTTP and WebSocket) and every token pair the API hands it."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        self.sockets: list[str] = []
        self._auth: list[Response] = []
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda socket: self.sockets.append(socket.url))
        page.on("response", self._response)

    def _response(self, response: Response) -> None:
        if response.request.method == "POST" and response.url.split("?")[0].endswith(
            ("/auth/login", "/auth/refresh", "/auth/register")
        ):
            self._auth.append(response)

    @property
    def tokens(self) -> list[dict[str, Any]]:
        """The token pairs the API handed the page, in order."""
        pairs = []
        for response in self._auth:
            try:
                body = response.json()
            except Exception:  # a refused sign-in's answer, or a body no longer available
                continue
            if isinstance(body, dict) and "access_token" in body:
                pairs.append(body)
        return pairs

    def secrets(self) -> list[str]:
        return [pair[k] for pair in self.tokens for k in ("access_token", "refresh_token") if pair.get(k)]


def _sign_in_through_the_page(page: Page, account: dict[str, Any]) -> bool:
    """Sign in with the sign-in form when it has landed (False: it has not)."""
    page.goto("/#/signin")
    settle(page)
    if not_found(page):
        return False
    form = page.locator("main form").first
    form.locator("input[type=email], input[autocomplete=username], input[type=text]").first.fill(
        account["email"]
    )
    form.locator("input[type=password]").first.fill(account["password"])
    form.locator("button[type=submit], button:not([type])").first.click()
    until(page, "!location.hash.startsWith('#/signin')", timeout=15)
    return True


def _token_parameter(url: str) -> bool:
    """Whether ``url`` has a query parameter naming a token, AWS's presigning parameters aside."""
    query = urllib.parse.urlsplit(url).query
    names = [name.lower() for name, _ in urllib.parse.parse_qsl(query, keep_blank_values=True)]
    return any("token" in name and name != "x-amz-security-token" for name in names)


def test_no_token_in_any_url_but_the_websockets(page: Page, web_runtime: RunningRuntime) -> None:
    traffic = Traffic(page)
    account = login(web_runtime.url, "buyer")
    if not _sign_in_through_the_page(page, account):
        sign_in_browser(page, account)  # the form has not landed: the session handed over
    for address in PAGES_SIGNED_IN:
        page.goto(address)
        settle(page)
    page.wait_for_timeout(1500)  # the live channel opens once signed in
    assert traffic.tokens, "the app never obtained a token (sign-in or refresh)"
    secrets = [*traffic.secrets(), account["access_token"], account["refresh_token"]]
    # A presigned media URL carries AWS's own query parameters (with temporary credentials, a
    # session token: X-Amz-Security-Token); that is the bucket's signature, not a user's token.
    leaked = [u for u in traffic.urls if any(s in u for s in secrets) or _token_parameter(u)]
    assert not leaked, f"tokens in request URLs: {leaked}"
    assert traffic.sockets, "the signed-in app opened no WebSocket"
    for url in traffic.sockets:
        assert url.count("token=") == 1 and "?token=" in url, url
    # the WebSocket carries a current access token, never the refresh token
    refresh_tokens = [pair["refresh_token"] for pair in traffic.tokens] + [account["refresh_token"]]
    assert not any(r in u for r in refresh_tokens for u in traffic.sockets)


def test_the_access_token_is_kept_in_memory_only(page: Page, web_runtime: RunningRuntime) -> None:
    """The access token (15 minutes, enough to act as the user) lives only in the app's memory: a
    script injected into the page could read anything in storage, and storage outlives the tab.
    The refresh token must be stored (a farmer reopening the app offline, or the next day, stays
    signed in), and is safer there: it is only ever sent to /auth/refresh in a body, each use
    rotates it, and presenting a used one revokes the whole family (the thief's copy dies at the
    user's next refresh). The strict CSP (no inline or foreign script) keeps injected code out."""
    traffic = Traffic(page)
    account = login(web_runtime.url, "buyer")
    if not _sign_in_through_the_page(page, account):
        sign_in_browser(page, account)
    page.goto("/#/")
    page.reload()
    settle(page)
    until(page, "localStorage.getItem('soko.refresh') !== null")
    storage: dict[str, str] = json.loads(
        page.evaluate(
            "JSON.stringify({...Object.fromEntries(Object.entries(localStorage)), "
            "...Object.fromEntries(Object.entries(sessionStorage).map(([k, v]) => ['session:' + k, v]))})"
        )
    )
    access_tokens = [pair["access_token"] for pair in traffic.tokens] + [account["access_token"]]
    assert traffic.tokens, "the app never obtained a token"
    holding = [k for k, v in storage.items() if any(t in v for t in access_tokens)]
    assert not holding, f"the access token is in storage under {holding}"
    cookies = page.context.cookies()
    assert not [c for c in cookies if any(t in c["value"] for t in access_tokens)]
    # the refresh token kept is the latest the API issued (rotation respected)
    assert storage["soko.refresh"] == traffic.tokens[-1]["refresh_token"]


def test_a_wrong_password_shows_the_apis_message(page: Page, web_runtime: RunningRuntime) -> None:
    account = login(web_runtime.url, "buyer")
    refused = requests.post(
        f"{web_runtime.url}/auth/login",
        json={"email": account["email"], "password": "Wrong-Horse-1"},
        timeout=30,
    )
    assert refused.status_code == 401
    body = refused.json()
    message = (body.get("error") or {}).get("message") or body.get("message")
    assert message
    page.goto("/#/signin")
    settle(page)
    if not_found(page):
        pytest.fail("the sign-in page answers the shell's Page not found")
    form = page.locator("main form").first
    form.locator("input[type=email], input[autocomplete=username], input[type=text]").first.fill(
        account["email"]
    )
    form.locator("input[type=password]").first.fill("Wrong-Horse-1")
    form.locator("button[type=submit], button:not([type])").first.click()
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # the page is still there
    assert "Traceback" not in page.content() and "at Object." not in page.content()


def test_an_api_error_on_a_page_is_the_apis_message_not_a_blank_page(
    page: Page, web_runtime: RunningRuntime
) -> None:
    """A listing that does not exist: the API answers 404 with its message, the page shows it."""
    answer = requests.get(f"{web_runtime.url}/listings/01NOSUCHLISTING000000000000", timeout=30)
    assert answer.status_code in (404, 422)
    body = answer.json()
    message = (body.get("error") or {}).get("message") or body.get("message")
    page.goto("/#/listings/01NOSUCHLISTING000000000000")
    settle(page)
    if not_found(page):
        pytest.fail("the listing page answers the shell's Page not found")
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_role("link", name="Soko")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/admin", "/sw.js", "/config.json", "/manifest.webmanifest"])
def test_every_app_answer_has_a_strict_csp(web_runtime: RunningRuntime, path: str) -> None:
    answer = requests.get(f"{web_runtime.url}{path}", timeout=10)
    assert answer.status_code == 200
    csp = answer.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, csp
    assert directives["script-src"] == ["'self'"], csp
    assert directives["style-src"] == ["'self'"], csp
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert not any(s in ("*", "http:", "https:") for v in directives.values() for s in v), csp
