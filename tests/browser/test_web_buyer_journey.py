"""The buyer's journey in the browser (issue 15): find maize in Gulu, order it, pay in the sandbox
PesaPal's checkout inside the page, see the order paid without reloading, confirm receipt and
review the farmer. The farmer's side (the listing, confirming, dispatching, delivering) is set up
through the API; every step the buyer takes is a click, and each is checked against the API.

The buyer signs up through the sign-up page (the phone confirmed with the code it texted); the test
keeps a separate API session of the same account for its checks."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from support.browser import auth, register, sign_up_in_browser, unique_phone
from support.runtime import RunningRuntime

TIMEOUT = 30
PRICE = 1_100
# What the page shows follows API calls (and, for the payment, the IPN and the order's consumer):
# the local runtime's first call of each function is a cold start, slow on a busy machine.
EXPECT_MS = 30_000


@pytest.fixture(autouse=True)
def patient_expectations() -> Any:
    expect.set_options(timeout=EXPECT_MS)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


def farmer_with_maize_in_gulu(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    farmer = register(url, "farmer", name="Akello Grace", phone=unique_phone())
    title = f"White maize from Gulu {time.time_ns() % 1_000_000}"
    body = {"title": title, "crop": "maize", "price_per_kg": PRICE, "quantity_kg": "200", "district": "Gulu"}
    created = requests.post(f"{url}/listings/", json=body, headers=auth(farmer), timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    return farmer, created.json()


def find_maize_in_gulu(page: Page, title: str) -> None:
    expect(page.get_by_role("heading", name="Market", level=1)).to_be_visible()
    page.get_by_label("Search").fill("maze")  # a typo: the API's search tolerates it
    page.get_by_label("District").select_option("Gulu")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    cards = page.locator(".listing-card")  # every answer is maize in Gulu (retried as the list settles)
    expect(cards.filter(has_not_text="Maize (grain)")).to_have_count(0)
    expect(cards.filter(has_not_text="Gulu")).to_have_count(0)


def order_view(url: str, account: dict[str, Any], order_id: str) -> dict[str, Any]:
    answer = requests.get(f"{url}/orders/{order_id}", headers=auth(account), timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def farmer_rating(url: str, viewer: dict[str, Any], farmer_id: str) -> tuple[Any, Any]:
    profile = requests.get(f"{url}/users/{farmer_id}", headers=auth(viewer), timeout=TIMEOUT).json()
    return profile["rating"], profile["rating_count"]


def eventually(check: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def farmer_moves(url: str, farmer: dict[str, Any], order_id: str, status: str) -> None:
    moved = requests.patch(
        f"{url}/orders/{order_id}/status", json={"new_status": status}, headers=auth(farmer), timeout=TIMEOUT
    )
    assert moved.status_code == 200, moved.text


def test_a_buyer_finds_maize_in_gulu_orders_pays_receives_and_reviews(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    farmer, listing = farmer_with_maize_in_gulu(url)
    # A new buyer signs up in the browser (phone confirmed by its SMS code) and goes to the market.
    buyer = sign_up_in_browser(page, url, role_label="Buy produce", name="Nakato Sarah")
    page.get_by_role("link", name="Market", exact=True).click()

    # Find it: a search with a typo and the district filter.
    find_maize_in_gulu(page, listing["title"])
    page.get_by_role("link", name=listing["title"]).click()

    # The listing, with its farmer's public profile (shown to a signed-in user).
    expect(page.get_by_role("heading", name=listing["title"], level=1)).to_be_visible()
    expect(page.get_by_text("UGX 1,100/kg")).to_be_visible()
    expect(page.get_by_text("Akello Grace")).to_be_visible()
    expect(page.get_by_text("No reviews yet")).to_be_visible()
    expect(page.get_by_role("link", name="Message the farmer")).to_have_attribute(
        "href", f"#/messages/new/{farmer['id']}/{listing['id']}"
    )

    # Order 25 kg, delivered to Kampala.
    page.get_by_label("Quantity (kg)").fill("25")
    page.get_by_label("Deliver to district").select_option("Kampala")
    expect(page.get_by_text("Total: UGX 27,500")).to_be_visible()
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"#/orders/[0-9A-Z]+$"))
    order_id = page.url.rsplit("/", 1)[1]
    status = page.locator(".order-status")  # the status and payment lines, announced as they change
    expect(status).to_contain_text("Waiting for the farmer")
    placed = order_view(url, buyer, order_id)
    assert (placed["status"], placed["quantity_kg"], placed["total_ugx"]) == ("pending", "25.000", 27_500)
    assert (placed["listing_id"], placed["delivery_district"]) == (listing["id"], "Kampala")

    # The farmer confirms; the page follows without a reload and offers to pay.
    farmer_moves(url, farmer, order_id, "confirmed")
    expect(page.get_by_role("heading", name="Pay UGX 27,500")).to_be_visible()
    page.get_by_label("Mobile money number").fill("0772123456")
    page.get_by_role("button", name="Pay UGX 27,500 by mobile money").click()

    # PesaPal's checkout (the sandbox's page) in a frame: pay there.
    checkout = page.frame_locator("iframe[title='PesaPal payment']")
    expect(checkout.get_by_role("heading", name="Pay with mobile money")).to_be_visible()
    checkout.get_by_role("button", name="Pay UGX 27,500").click()

    # The IPN lands; the page turns paid by itself.
    expect(status).to_contain_text("Paid (held until delivery)", timeout=60_000)
    assert order_view(url, buyer, order_id)["payment_status"] == "paid (escrow)"
    page.get_by_role("button", name="Get the receipt (PDF)").click()
    expect(page.get_by_role("link", name="Save the receipt (PDF)")).to_be_visible()

    # The farmer dispatches and delivers; the buyer confirms receipt.
    farmer_moves(url, farmer, order_id, "dispatched")
    expect(status).to_contain_text("On the way")
    farmer_moves(url, farmer, order_id, "delivered")
    page.get_by_role("button", name="I received it").click()
    expect(status).to_contain_text("Completed")
    done = order_view(url, buyer, order_id)
    assert (done["status"], done["released_by"]) == ("completed", "receipt")

    # And reviews the farmer.
    page.get_by_label("Rating").select_option(label="4 of 5")
    page.get_by_label("Comment (optional)").fill("Dry, clean maize, on time.")
    page.get_by_role("button", name="Send review").click()
    expect(page.get_by_text("Thank you for your review.")).to_be_visible()
    assert order_view(url, buyer, order_id)["reviewed"] is True
    assert eventually(lambda: farmer_rating(url, buyer, farmer["id"]) == (4, 1))  # identity's consumer

    # The history, as the buyer saw it happen.
    history = page.locator(".audit li")
    expect(history).to_have_count(len(order_view(url, buyer, order_id)["audit"]))
    expect(history.first).to_contain_text("EAT")
    page.get_by_role("link", name="My orders", exact=True).click()
    expect(page.get_by_role("link", name=listing["title"])).to_be_visible()


def test_anyone_browses_but_ordering_needs_an_account(page: Page, web_runtime: RunningRuntime) -> None:
    url = web_runtime.url
    _, listing = farmer_with_maize_in_gulu(url)

    page.goto("/")
    expect(page.get_by_role("link", name="My orders", exact=True)).to_have_count(0)
    find_maize_in_gulu(page, listing["title"])
    page.get_by_role("link", name=listing["title"]).click()

    expect(page.get_by_role("heading", name=listing["title"], level=1)).to_be_visible()
    expect(page.get_by_text("Sign in to see the farmer's profile and rating.")).to_be_visible()
    expect(page.get_by_role("button", name="Place order")).to_have_count(0)
    expect(page.get_by_label("Quantity (kg)")).to_have_count(0)
    page.get_by_role("link", name="Sign in to order").click()
    page.wait_for_url(re.compile(r"#/signin"))
    assert f"next=%2Flistings%2F{listing['id']}" in page.url

    page.goto("/#/orders")
    expect(page.get_by_role("heading", name="Please sign in")).to_be_visible()
    # Nothing was ordered: the stock is untouched.
    shown = requests.get(f"{url}/listings/{listing['id']}", timeout=TIMEOUT).json()
    assert shown["quantity_kg"] == "200.000"
