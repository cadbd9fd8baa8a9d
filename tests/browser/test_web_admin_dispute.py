"""The admin console in a browser: an admin resolving a dispute (issue 15's journey), and the
console closed to everyone else.

The disputed order is built through the API as a buyer and a farmer would (listing, order, the
farmer's confirmation, the sandbox PesaPal payment, delivery, the buyer's dispute); the admin's part
is the journey under test, in Chromium. The session is handed to the browser as the app keeps it
(the refresh token in localStorage: lib/auth.ts), since signing in is the account pages' journey."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any

import requests
from playwright.sync_api import Page, Request, expect
from websockets.sync.client import connect

from support.browser import auth, register
from support.runtime import RunningRuntime
from support.web_quality import sign_in_browser

ADMIN = (
    os.environ.get("SOKO_ADMIN_EMAIL", "admin@soko.ug"),
    os.environ.get("SOKO_ADMIN_PASSWORD", "Matooke-Market-Dev-2026"),
)
TIMEOUT = 30
expect.set_options(timeout=15_000)  # the local runtime's first calls start their functions
PRICE, KG = 1_234, 7  # a total (UGX 8,638) no other dispute in the session has
TOTAL = PRICE * KG
ADMIN_PAGE_CALLS = ("/auth/me", "/catalogue", "/admin/flags", "/admin/payments/mismatches", "/admin/queues")


def _eventually[T](check: Callable[[], T | None], what: str, timeout: float = 30) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _login(url: str, email: str, password: str) -> dict[str, Any]:
    reply = requests.post(f"{url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def _warm(url: str, tokens: dict[str, Any], paths: tuple[str, ...]) -> None:
    """Start the functions the page calls at once (and the WebSocket's authorizer) before the
    browser does: on a loaded machine the local runtime's cold starts can pass the functions'
    10-second timeout, which the page would rightly show as an error."""
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    for path in paths:
        requests.get(f"{url}{path}", headers=headers, timeout=TIMEOUT)
    socket = requests.get(f"{url}/config.json", timeout=TIMEOUT).json()["websocketUrl"]

    # (the sync client: Playwright's sync API already runs an event loop in this thread)
    with connect(f"{socket}?token={tokens['access_token']}", open_timeout=TIMEOUT):
        pass


def _disputed_order(url: str) -> dict[str, Any]:
    """A delivered, paid order its buyer disputed: the admin's open case."""
    farmer = register(url, "farmer", name="Okello Farmer")
    buyer = register(url, "buyer", name="Nakato Buyer")
    listing = requests.post(
        f"{url}/listings/",
        json={
            "title": "Sorted yellow beans",
            "crop": "beans",
            "price_per_kg": PRICE,
            "quantity_kg": "40",
            "district": "Gulu",
        },
        headers=auth(farmer),
        timeout=TIMEOUT,
    )
    assert listing.status_code == 201, listing.text
    order = requests.post(
        f"{url}/orders/",
        json={"listing_id": listing.json()["id"], "quantity_kg": str(KG)},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    assert order.json()["total_ugx"] == TOTAL

    def status(who: dict[str, Any], new_status: str) -> None:
        reply = requests.patch(
            f"{url}/orders/{order_id}/status",
            json={"new_status": new_status},
            headers=auth(who),
            timeout=TIMEOUT,
        )
        assert reply.status_code == 200, reply.text

    status(farmer, "confirmed")
    started = requests.post(
        f"{url}/payments/initiate",
        json={"order_id": order_id, "phone": "0772123456"},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert started.status_code == 201, started.text
    paid = requests.post(
        f"{url}/_sandbox/pesapal/{started.json()['order_tracking_id']}/complete", timeout=TIMEOUT
    )
    assert paid.status_code == 200, paid.text
    _eventually(
        lambda: (
            requests.get(f"{url}/orders/{order_id}", headers=auth(buyer), timeout=TIMEOUT).json()[
                "payment_status"
            ]
            == "paid (escrow)"
        ),
        "the order to be paid",
    )
    status(farmer, "delivered")
    opened = requests.post(
        f"{url}/orders/{order_id}/disputes",
        json={"reason": "poor_quality", "details": "Half the beans were weevilled."},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert opened.status_code in (200, 201), opened.text
    return {"order_id": order_id, "buyer": buyer, "farmer": farmer}


def test_an_admin_resolves_a_dispute_with_a_split(page: Page, web_runtime: RunningRuntime) -> None:
    url = web_runtime.url
    disputed = _disputed_order(url)
    admin_api = {"Authorization": f"Bearer {_login(url, *ADMIN)['access_token']}"}

    def open_case() -> dict[str, Any] | None:
        items = requests.get(
            f"{url}/admin/disputes",
            params={"status": "open", "limit": "100"},
            headers=admin_api,
            timeout=TIMEOUT,
        ).json()["items"]
        return next((c for c in items if c["order_id"] == disputed["order_id"]), None)

    case = _eventually(open_case, "the dispute case")

    admin_tokens = _login(url, *ADMIN)
    _warm(
        url,
        admin_tokens,
        (*ADMIN_PAGE_CALLS, f"/users/{disputed['farmer']['id']}", f"/orders/{disputed['order_id']}"),
    )
    # The admin opens /admin, is asked to sign in, signs in and lands back on the console.
    page.goto("/admin")
    page.wait_for_url("**/#/admin")
    page.get_by_role("link", name="Sign in to continue").click()
    page.get_by_label("Email or phone number").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/#/admin")
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Admin", exact=True)).to_be_visible()  # the menu entry
    disputes_card = page.get_by_role("link", name=re.compile(r"^\d+\+? Open disputes$"))
    expect(disputes_card).to_be_visible()
    assert int(disputes_card.inner_text().split()[0].rstrip("+")) >= 1
    disputes_card.click()

    expect(page.get_by_role("heading", name="Disputes", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"UGX 8,638$")).click()
    page.wait_for_url(f"**/#/admin/disputes/{case['id']}")
    expect(page.get_by_role("heading", name="Dispute", exact=True)).to_be_visible()
    expect(page.get_by_text("Half the beans were weevilled.")).to_be_visible()
    expect(page.get_by_text("Poor quality")).to_be_visible()
    expect(page.get_by_text("Nakato Buyer")).to_be_visible()
    expect(page.get_by_text("Okello Farmer")).to_be_visible()
    money = page.get_by_role("table", name="Money trail")
    expect(money).to_contain_text("paid")
    expect(money).to_contain_text("UGX 8,638")

    page.get_by_label("Outcome").select_option("split")
    page.get_by_label("Amount back to the buyer (UGX)").fill("3000")
    page.get_by_label("Reason").fill("Photos show half the sacks spoilt; split agreed on the phone")
    page.get_by_role("button", name="Resolve the dispute").click()

    resolved = page.get_by_role("status").filter(has_text="Resolved: Split")
    expect(resolved).to_be_visible()
    expect(resolved).to_contain_text("UGX 3,000")
    expect(resolved).to_contain_text(f"UGX {TOTAL - 3_000:,}")
    expect(page.get_by_role("button", name="Resolve the dispute")).to_have_count(0)

    # The API agrees, and the admin's action is in the audit log with its reason.
    seen = requests.get(f"{url}/admin/disputes/{case['id']}", headers=admin_api, timeout=TIMEOUT).json()
    assert seen["status"] == "resolved"
    assert seen["resolution"]["outcome"] == "split"
    assert (seen["resolution"]["buyer_amount_ugx"], seen["resolution"]["farmer_amount_ugx"]) == (
        3_000,
        TOTAL - 3_000,
    )
    assert seen["resolution"]["reason"] == "Photos show half the sacks spoilt; split agreed on the phone"

    def logged() -> dict[str, Any] | None:
        items = requests.get(
            f"{url}/admin/audit", params={"target": case["id"]}, headers=admin_api, timeout=TIMEOUT
        ).json()["items"]
        return next((a for a in items if a["action"] == "dispute.resolve"), None)

    entry = _eventually(logged, "the audit entry")
    assert entry["reason"] == "Photos show half the sacks spoilt; split agreed on the phone"

    # The audit page shows it too.
    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Target id").fill(case["id"])
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("table", name="Audit log")).to_contain_text("dispute.resolve")


def test_a_resolved_dispute_shows_the_apis_conflict_to_a_second_admin(
    page: Page, web_runtime: RunningRuntime
) -> None:
    """A page opened before another admin resolved the case still offers the form; sending it shows
    the API's 409 message, and nothing changes."""
    url = web_runtime.url
    disputed = _disputed_order(url)
    admin_api = {"Authorization": f"Bearer {_login(url, *ADMIN)['access_token']}"}

    def open_case() -> dict[str, Any] | None:
        items = requests.get(
            f"{url}/admin/disputes",
            params={"status": "open", "limit": "100"},
            headers=admin_api,
            timeout=TIMEOUT,
        ).json()["items"]
        return next((c for c in items if c["order_id"] == disputed["order_id"]), None)

    case = _eventually(open_case, "the dispute case")
    admin_tokens = _login(url, *ADMIN)
    _warm(
        url,
        admin_tokens,
        (*ADMIN_PAGE_CALLS, f"/admin/disputes/{case['id']}", f"/users/{disputed['farmer']['id']}"),
    )
    sign_in_browser(page, admin_tokens)
    page.goto(f"/#/admin/disputes/{case['id']}")
    expect(page.get_by_role("button", name="Resolve the dispute")).to_be_visible()

    first = requests.post(
        f"{url}/admin/disputes/{case['id']}/resolve",
        json={"outcome": "refund", "reason": "refunded by the other admin"},
        headers=admin_api,
        timeout=TIMEOUT,
    )
    assert first.status_code == 200, first.text

    page.get_by_label("Outcome").select_option("release")
    page.get_by_label("Reason").fill("release it")
    page.get_by_role("button", name="Resolve the dispute").click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    again = requests.post(
        f"{url}/admin/disputes/{case['id']}/resolve",
        json={"outcome": "release", "reason": "release it"},
        headers=admin_api,
        timeout=TIMEOUT,
    )
    assert again.status_code == 409
    expect(alert).to_have_text(again.json()["error"]["message"])
    seen = requests.get(f"{url}/admin/disputes/{case['id']}", headers=admin_api, timeout=TIMEOUT).json()
    assert seen["resolution"]["outcome"] == "refund"


def test_a_non_admin_opening_admin_sees_not_available_and_no_admin_data(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    buyer = register(url, "buyer", name="Curious Buyer")
    admin_calls: list[str] = []

    def watch(request: Request) -> None:
        if re.search(r"//[^/]+/admin/", request.url):
            admin_calls.append(request.url)

    page.on("request", watch)
    sign_in_browser(page, buyer)
    page.goto("/admin")
    page.wait_for_url("**/#/admin")
    expect(page.get_by_role("heading", name="Not for this account")).to_be_visible()
    expect(page.get_by_text("This page is not available to your account.")).to_be_visible()
    expect(page.get_by_role("link", name="Admin", exact=True)).to_have_count(0)
    for section in ("disputes", "health", "audit"):
        page.goto(f"/#/admin/{section}")
        expect(page.get_by_role("heading", name="Not for this account")).to_be_visible()
    expect(page.get_by_text("Open disputes")).to_have_count(0)
    expect(page.get_by_role("table")).to_have_count(0)
    assert admin_calls == []
    # and the API refuses the buyer anyway
    assert requests.get(f"{url}/admin/disputes", headers=auth(buyer), timeout=TIMEOUT).status_code == 403
