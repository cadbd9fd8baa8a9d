"""The transporter's journey in the browser (issue 17): a transporter signs up, registers a vehicle
serving Gulu and Kampala (a wrong plate is refused beside its field first); a buyer orders from a
Gulu farmer's listing and the farmer confirms (through the API); the buyer arranges transport on the
order's page, sees the quotes and books the transporter's vehicle, and is told that the fare is paid
with the order; the transporter, in a second browser, finds the job and accepts it; the buyer's
booking view turns "Accepted" without a reload. Then the transporter shares their location: refused
by the browser first (a clear message), then allowed: the phone's fix reaches the API and the
buyer's view shows the position. Each step is checked against the API too."""

from __future__ import annotations

import contextlib
import random
import re
import string
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from support.browser import ARTIFACTS, auth, register, sign_in_in_browser, sign_up_in_browser, unique_phone
from support.runtime import RunningRuntime

TIMEOUT = 30
EXPECT_MS = 30_000
KG = 25


@pytest.fixture(autouse=True)
def patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=EXPECT_MS)  # cold functions of the local runtime on a busy machine
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def second(browser: Browser, web_runtime: RunningRuntime) -> Iterator[Page]:
    """The buyer's own browser (a second profile), console errors failing the test like `page`."""
    context: BrowserContext = browser.new_context(
        base_url=web_runtime.url,
        viewport={"width": 412, "height": 860},
        locale="en-GB",
        timezone_id="Africa/Kampala",
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda err: problems.append(f"uncaught: {err}"))
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    with contextlib.suppress(Exception):  # evidence, not the test
        tab.screenshot(path=str(ARTIFACTS / "test_web_transport_buyer.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


def plate() -> str:
    """A Ugandan plate no other run uses (UAx 123y)."""
    letters = string.ascii_uppercase
    return f"UA{random.choice(letters)} {random.randint(100, 999)}{random.choice(letters)}"


def get(url: str, account: dict[str, Any], path: str, **params: Any) -> Any:
    answer = requests.get(f"{url}{path}", params=params, headers=auth(account), timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    return answer.json()


def confirmed_order_from_gulu(url: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A Gulu farmer's maize, 25 kg ordered to Kampala by a buyer, confirmed by the farmer."""
    farmer = register(url, "farmer", name="Akello Grace", phone=unique_phone())
    title = f"Maize for the road {time.time_ns() % 1_000_000}"
    body: dict[str, Any] = {
        "title": title,
        "crop": "maize",
        "price_per_kg": 1_000,
        "quantity_kg": "300",
        "district": "Gulu",
    }
    listing = requests.post(f"{url}/listings/", json=body, headers=auth(farmer), timeout=TIMEOUT)
    assert listing.status_code == 201, listing.text
    buyer = register(url, "buyer", name="Nakato Sarah", phone=unique_phone())
    order = requests.post(
        f"{url}/orders/",
        json={"listing_id": listing.json()["id"], "quantity_kg": str(KG), "delivery_district": "Kampala"},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert order.status_code == 201, order.text
    confirmed = requests.patch(
        f"{url}/orders/{order.json()['id']}/status",
        json={"new_status": "confirmed"},
        headers=auth(farmer),
        timeout=TIMEOUT,
    )
    assert confirmed.status_code == 200, confirmed.text
    return farmer, buyer, confirmed.json()


def test_a_transporter_registers_a_vehicle_is_booked_from_an_order_and_accepts_the_job(
    page: Page, second: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    name = f"Okello Moses {time.time_ns() % 100_000}"
    number = plate()

    # A transporter signs up in the browser; the menu offers the transporter's pages.
    transporter = sign_up_in_browser(page, url, role_label="Carry produce (transporter)", name=name)
    assert transporter["role"] == "transporter"
    expect(page.get_by_role("link", name="My orders", exact=True)).to_have_count(0)
    # The sign-up lands on the market once the session is adopted; wait for it, so the menu's click is
    # not overtaken by that landing (seen when the machine is busy).
    expect(page.get_by_role("heading", name="Market", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="My vehicles", exact=True
    ).click()
    expect(page.get_by_role("heading", name="My vehicles", level=1)).to_be_visible()
    expect(page.get_by_text("No vehicle yet")).to_be_visible()

    # Registers a pick-up serving Gulu and Kampala; a wrong plate is refused beside its field first.
    page.get_by_label("Vehicle type").select_option(label="Pick-up")
    page.get_by_label("Number plate").fill("KBZ 12")
    page.get_by_label("Capacity (kg)").fill("1500")
    page.get_by_label("Districts you serve").fill("Gulu, Kampala")
    page.get_by_label("Price per km (UGX)").fill("1000")
    page.get_by_label("Minimum fare (UGX)").fill("20000")
    expect(page.get_by_role("checkbox", name="Sun")).to_be_checked()
    page.get_by_role("button", name="Register the vehicle").click()
    expect(page.get_by_label("Number plate")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Please correct the fields marked above.")).to_be_visible()
    assert get(url, transporter, "/transport/vehicles")["items"] == []
    page.get_by_label("Number plate").fill(number.lower())
    page.get_by_role("button", name="Register the vehicle").click()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=f"Pick-up · {number}"))
    expect(card).to_be_visible()
    expect(card).to_contain_text("Gulu, Kampala")
    expect(card).to_contain_text("UGX 1,000")
    expect(card).to_contain_text("Every day")
    vehicles = get(url, transporter, "/transport/vehicles")["items"]
    assert [(v["type"], v["plate"], v["capacity_kg"], v["districts"], v["active"]) for v in vehicles] == [
        ("pickup", number, 1500, ["Gulu", "Kampala"], True)
    ]
    vehicle = vehicles[0]

    # Through the API: a buyer orders 25 kg from a Gulu farmer's listing to Kampala; it is confirmed.
    _farmer, buyer, order = confirmed_order_from_gulu(url)

    # The buyer, in their own browser, arranges transport on the order's page and books the vehicle.
    sign_in_in_browser(second, buyer)
    second.goto(f"/#/orders/{order['id']}")
    expect(second.get_by_role("heading", name="Transport", level=2)).to_be_visible()
    expect(second.get_by_text("Book transport before you pay")).to_be_visible()
    second.get_by_role("button", name="Arrange transport").click()
    offers = second.get_by_role("list", name="Transport offers")
    offer = offers.get_by_role("listitem").filter(has=second.get_by_role("heading", name=f"{name} · Pick-up"))
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("UGX")
    expect(offer).to_contain_text("km")
    expect(offer).to_contain_text("25 kg")
    offer.get_by_role("button", name="Book").click()
    expect(second.get_by_role("link", name="Follow the transport")).to_be_visible()
    expect(second.locator(".tr-current")).to_contain_text("Waiting for the transporter")
    bookings = get(url, buyer, "/transport/bookings", order_id=order["id"])["items"]
    assert [(b["status"], b["vehicle_id"], b["transporter_id"], b["booked_by"]) for b in bookings] == [
        ("requested", vehicle["id"], transporter["id"], buyer["id"])
    ]
    booking = bookings[0]
    # The pay screen: the fare is paid with the order, and the amount includes it.
    total = order["total_ugx"] + booking["fare_ugx"]
    expect(second.get_by_role("heading", name=f"Pay UGX {total:,}")).to_be_visible()
    expect(second.get_by_text("for the transport you booked")).to_be_visible()

    # The buyer follows the booking: waiting for the transporter, the trail so far.
    second.get_by_role("link", name="Follow the transport").click()
    expect(second.get_by_role("heading", name="Transport", level=1)).to_be_visible()
    state = second.locator(".tr-state")
    expect(state).to_contain_text("Waiting for the transporter")
    expect(second.get_by_text(name)).to_be_visible()

    # The transporter finds the new job and accepts it.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My jobs", exact=True).click()
    new = page.get_by_role("region", name="New: answer these")
    job = f"{KG} kg from Gulu to Kampala"
    new.get_by_role("link", name=job).click()
    expect(page.get_by_role("heading", name=job, level=1)).to_be_visible()
    expect(page.get_by_text("Answer by")).to_be_visible()
    expect(page.get_by_role("button", name="Picked up")).to_have_count(0)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".tr-state")).to_contain_text("Accepted")
    expect(page.get_by_role("button", name="Picked up")).to_be_visible()
    expect(page.get_by_role("button", name="Share my location")).to_have_attribute("aria-pressed", "false")
    accepted = get(url, transporter, f"/transport/bookings/{booking['id']}")
    assert accepted["status"] == "accepted"
    assert [s["status"] for s in accepted["audit"]] == ["requested", "accepted"]

    # The buyer's booking view turns accepted by itself (the live push; a slow poll backs it up).
    expect(state).to_contain_text("Accepted", timeout=75_000)
    expect(second.locator(".tr-timeline li")).to_have_count(2)
    expect(second.get_by_role("button", name="Cancel transport")).to_be_visible()
    assert get(url, buyer, f"/transport/bookings/{booking['id']}")["status"] == "accepted"

    # The transporter shares their location: the browser refuses at first, and the page says so.
    share = page.get_by_role("button", name="Share my location")
    share.click()
    expect(page.get_by_role("alert")).to_contain_text("does not let Soko read your location")
    expect(share).to_have_attribute("aria-pressed", "false")
    # Allowed (the phone is in Gulu): the first fix is posted at once, the rest every ~15 s.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 2.7746, "longitude": 32.2990, "accuracy": 15})
    share.click()
    expect(share).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("Sharing. Last sent")).to_be_visible()
    tracked = get(url, buyer, f"/transport/bookings/{booking['id']}")
    assert tracked["position"] is not None
    assert (round(tracked["position"]["lat"], 3), round(tracked["position"]["lon"], 3)) == (2.775, 32.299)
    # The buyer sees it (the live push of the position), with a link to the map.
    expect(second.get_by_role("link", name="See it on the map")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=2\.774")
    )
