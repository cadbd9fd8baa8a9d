"""The bulk-buying groups' journey in the browser (issue 18). A Lira farmer's beans carry volume
price tiers (set up through the API: the farmer's listing form is the farmer journey's). A buyer
opens the listing: the tier table, "Buy together" with no group yet; a target under the first tier
is refused beside its field; the buyer starts a 200 kg group with 80 kg of their own and lands on
its page (fill 40%, no tier yet, what the next tier needs). A second buyer joins through the API:
the page shows the 5% tier reached by itself. On `#/groups` the group is among "My groups" and the
recommendations are shown with the API's explanations. A third buyer joins on the listing page, then
leaves on the group's page (the fill goes back), joins again with exactly the room left: the group
completes and each member's order is created at the tier's price; the third buyer's group page
offers to pay it and the order page shows the tier price. Each step is checked against the API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from support.browser import auth, register, sign_in_in_browser, unique_phone
from support.runtime import RunningRuntime

TIMEOUT = 30
EXPECT_MS = 45_000  # cold functions of the local runtime on a busy machine
PRICE = 2_000
TIERS = [{"min_kg": "100", "discount_percent": 5}, {"min_kg": "400", "discount_percent": 10}]


@pytest.fixture(autouse=True)
def patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=EXPECT_MS)
    yield
    expect.set_options(timeout=5_000)


def call(
    method: str, url: str, account: dict[str, Any], path: str, body: Any = None, status: int = 200
) -> Any:
    answer = requests.request(method, f"{url}{path}", json=body, headers=auth(account), timeout=TIMEOUT)
    assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else None


def tiered_listing(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    farmer = register(url, "farmer", name="Acen Ruth", phone=unique_phone())
    body = {
        "title": f"Lira beans for groups {time.time_ns() % 1_000_000}",
        "crop": "beans",
        "price_per_kg": PRICE,
        "quantity_kg": "1000",
        "district": "Lira",
        "price_tiers": TIERS,
    }
    listing = call("POST", url, farmer, "/listings/", body, status=201)
    assert [(Decimal(str(t["min_kg"])), t["discount_percent"]) for t in listing["price_tiers"]] == [
        (Decimal(100), 5),
        (Decimal(400), 10),
    ]
    return farmer, listing


def wait_for(predicate: Any, what: str, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_buyers_start_join_leave_and_complete_a_group_at_the_tier_price(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    _farmer, listing = tiered_listing(url)
    starter = register(url, "buyer", name="Opio Daniel", phone=unique_phone())
    second = register(url, "buyer", name="Auma Betty", phone=unique_phone())
    third = register(url, "buyer", name="Ogwang Peter", phone=unique_phone())

    # The starter opens the listing: its volume prices, and nobody buying together yet.
    sign_in_in_browser(page, starter)
    page.goto(f"/#/listings/{listing['id']}")
    expect(page.get_by_role("heading", name=listing["title"], level=1)).to_be_visible()
    tiers = page.get_by_role("region", name="Volume prices").get_by_role("table")
    expect(tiers.get_by_role("row", name="100 kg or more 5% off UGX 1,900/kg")).to_be_visible()
    expect(tiers.get_by_role("row", name="400 kg or more 10% off UGX 1,800/kg")).to_be_visible()
    together = page.get_by_role("region", name="Buy together")
    expect(together.get_by_text("No open group for this listing yet.")).to_be_visible()

    # A target below the first tier is refused beside its field, before anything is sent.
    together.get_by_label("Group target (kg)").fill("50")
    together.get_by_label("Your own quantity (kg)").fill("80")
    together.get_by_role("button", name="Start the group").click()
    expect(
        together.get_by_text("The target must reach the first volume price: at least 100 kg.")
    ).to_be_visible()
    assert call("GET", url, starter, "/groups/mine")["items"] == []

    # A 200 kg group with 80 kg of the starter's own: its page shows the fill and the next tier.
    together.get_by_label("Group target (kg)").fill("200")
    together.get_by_role("button", name="Start the group").click()
    expect(page.get_by_role("heading", name="Beans group in Lira", level=1)).to_be_visible()
    group_id = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_text("80 kg of 200 kg (40%)")).to_be_visible()
    expect(
        page.get_by_text("No volume price reached yet: UGX 2,000/kg. 20 kg more for 5% off.")
    ).to_be_visible()
    expect(page.get_by_text("80 kg, joined")).to_be_visible()
    group = call("GET", url, starter, f"/groups/{group_id}")
    assert (group["status"], Decimal(group["filled_kg"]), group["members"]) == ("open", Decimal(80), 1)
    assert group["mine"]["status"] == "joined" and Decimal(group["mine"]["quantity_kg"]) == 80

    # A second buyer joins with 40 kg through the API: the page shows the 5% tier, by itself.
    call("POST", url, second, f"/groups/{group_id}/join", {"quantity_kg": "40"})
    expect(page.get_by_text("120 kg of 200 kg (60%)")).to_be_visible()
    expect(page.get_by_text("Price now: 5% off, UGX 1,900/kg.")).to_be_visible()
    expect(page.get_by_role("row", name="100 kg or more 5% off UGX 1,900/kg")).to_have_class("tier-reached")

    # "Buying groups" in the menu: the group is the starter's, and the recommendations are shown
    # with the explanations the API gives this buyer.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Buying groups").click()
    expect(page.get_by_role("heading", name="Buying groups", level=1)).to_be_visible()
    mine = page.get_by_role("list", name="My groups")
    expect(mine.get_by_role("link", name="Beans in Lira: 200 kg together")).to_be_visible()
    expect(mine.get_by_text("You are in with 80 kg")).to_be_visible()
    recommended = call("GET", url, starter, "/groups/recommended")["items"]
    expect(page.get_by_role("heading", name="Recommended for you", level=2)).to_be_visible()
    if recommended:
        for item in recommended:
            expect(page.get_by_text(item["explanation"], exact=True)).to_be_visible()
    else:
        expect(page.get_by_text("No groups to recommend yet.")).to_be_visible()

    # A third buyer joins on the listing page, leaves on the group's page, then joins again with
    # exactly the room left: the group completes.
    page.get_by_role("button", name="Sign out").click()
    sign_in_in_browser(page, third)
    page.goto(f"/#/listings/{listing['id']}")
    open_groups = page.get_by_role("list", name="Open groups")
    card = open_groups.get_by_role("listitem").filter(has_text="Beans in Lira: 200 kg together")
    expect(card.get_by_text("120 kg of 200 kg (60%)")).to_be_visible()
    card.get_by_label("Your quantity (kg)").fill("30")
    card.get_by_role("button", name="Join the group").click()
    expect(page.get_by_role("heading", name="Beans group in Lira", level=1)).to_be_visible()
    expect(page.get_by_text("150 kg of 200 kg (75%)")).to_be_visible()
    page.get_by_role("button", name="Leave the group").click()
    expect(page.get_by_text("120 kg of 200 kg (60%)")).to_be_visible()
    assert Decimal(call("GET", url, third, f"/groups/{group_id}")["filled_kg"]) == 120
    page.get_by_label("Your quantity (kg)").fill("80")
    page.get_by_role("button", name="Join the group").click()
    expect(page.get_by_text("200 kg of 200 kg (100%)")).to_be_visible()
    expect(page.get_by_text("Completed", exact=True)).to_be_visible()

    # Each member has an order at the tier's price (UGX 1,900/kg); the third buyer pays theirs.
    done = call("GET", url, third, f"/groups/{group_id}")
    assert done["status"] == "completed" and done["price_per_kg"] == 1_900
    expect(page.get_by_text("80 kg at UGX 1,900/kg = UGX 152,000")).to_be_visible()
    pay = page.get_by_role("link", name="Pay for my order")
    expect(pay).to_be_visible(timeout=90_000)  # the market creates the orders from GroupCompleted
    mine_part = wait_for(
        lambda: call("GET", url, third, f"/groups/{group_id}")["mine"].get("order_id"), "the order"
    )
    order = call("GET", url, third, f"/orders/{mine_part}")
    assert (order["price_per_kg"], order["status"], Decimal(order["quantity_kg"])) == (
        1_900,
        "confirmed",
        Decimal(80),
    )
    assert order["total_ugx"] == 152_000
    pay.click()
    expect(page.get_by_role("heading", name="Pay UGX 152,000")).to_be_visible()
    for buyer, kg in ((starter, Decimal(80)), (second, Decimal(40))):
        other = wait_for(
            lambda b=buyer: call("GET", url, b, f"/groups/{group_id}")["mine"].get("order_id"), "orders"
        )
        placed = call("GET", url, buyer, f"/orders/{other}")
        assert (placed["price_per_kg"], Decimal(placed["quantity_kg"])) == (1_900, kg)
