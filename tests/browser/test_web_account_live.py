"""Live in the browser: two users chatting (two browser profiles), contact details masked as the API
masks them, and a notification arriving without a reload, with the header's unread count."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from boto3.dynamodb.conditions import Key
from playwright.sync_api import Browser, BrowserContext, Page, expect

from support.browser import auth, register
from support.runtime import RunningRuntime

TIMEOUT = 30


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The local runtime's first calls of a function are cold starts (seconds on a busy machine)."""
    expect.set_options(timeout=45_000)
    yield
    expect.set_options(timeout=5_000)


def new_context(browser: Browser, runtime: RunningRuntime) -> BrowserContext:
    """A second profile as the ``context`` fixture makes them (phone-sized, EAT)."""
    context = browser.new_context(
        base_url=runtime.url,
        viewport={"width": 412, "height": 860},
        locale="en-GB",
        timezone_id="Africa/Kampala",
    )
    context.set_default_timeout(15_000)
    return context


def sign_in(page: Page, account: dict[str, Any]) -> None:
    page.goto("/#/signin")
    page.get_by_label("Email or phone number").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def wait_live(runtime: RunningRuntime, user_id: str) -> None:
    """Until the user's browser holds a WebSocket connection (the API pushes only to those)."""
    dynamodb = runtime.client("dynamodb")
    table = next(name for name in dynamodb.list_tables()["TableNames"] if "Connections" in name)
    import boto3  # noqa: PLC0415  (the resource view of the same local endpoint)

    resource = boto3.resource(
        "dynamodb",
        endpoint_url=dynamodb.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if resource.Table(table).query(KeyConditionExpression=Key("pk").eq(f"USER#{user_id}"))["Items"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"no live connection for {user_id}")


def test_a_buyer_and_a_farmer_chat_live(browser: Browser, web_runtime: RunningRuntime) -> None:
    farmer = register(web_runtime.url, "farmer", name="Okello Farmer")
    buyer = register(web_runtime.url, "buyer", name="Akello Buyer")
    farmer_ctx, buyer_ctx = new_context(browser, web_runtime), new_context(browser, web_runtime)
    try:
        farmer_page, buyer_page = farmer_ctx.new_page(), buyer_ctx.new_page()
        sign_in(farmer_page, farmer)
        farmer_page.get_by_role("link", name="Messages").click()
        expect(farmer_page.get_by_text("No conversations yet.")).to_be_visible()
        sign_in(buyer_page, buyer)
        wait_live(web_runtime, farmer["id"])
        wait_live(web_runtime, buyer["id"])

        # the buyer starts the conversation from the link other pages use (messageLink)
        buyer_page.goto(f"/#/messages/new/{farmer['id']}")
        expect(buyer_page.get_by_role("heading", name="Write to Okello Farmer")).to_be_visible()
        buyer_page.get_by_label("Your message").fill("Is the maize dry? Call me on 0772 123 456")
        buyer_page.get_by_role("button", name="Send").click()
        expect(buyer_page.get_by_role("heading", name="Conversation with Okello Farmer")).to_be_visible()
        thread = buyer_page.get_by_role("list", name="Conversation with Okello Farmer")
        expect(thread.get_by_role("listitem")).to_have_count(1)
        expect(thread).not_to_contain_text("0772 123 456")  # masked: no confirmed order between them
        expect(thread).to_contain_text("Phone numbers and emails are hidden")

        # the farmer's list shows it without a reload
        conversation = farmer_page.get_by_role("link", name="Akello Buyer")
        expect(conversation).to_be_visible()
        expect(farmer_page.get_by_role("list", name="Messages")).to_contain_text(
            "Is the maize dry? Call me on"
        )
        conversation.click()
        farmer_thread = farmer_page.get_by_role("list", name="Conversation with Akello Buyer")
        expect(farmer_thread.get_by_role("listitem")).to_have_count(1)
        expect(farmer_thread).not_to_contain_text("0772 123 456")
        farmer_page.get_by_label("Your message").fill("Yes, dried and sorted. 50 kg left.")
        farmer_page.get_by_role("button", name="Send").click()
        expect(farmer_thread.get_by_role("listitem")).to_have_count(2)
        expect(farmer_page.get_by_label("Your message")).to_have_value("")

        # the buyer sees the answer live
        expect(thread.get_by_role("listitem")).to_have_count(2)
        expect(thread.get_by_role("listitem").last).to_contain_text("Yes, dried and sorted. 50 kg left.")

        # the API holds both, the first masked
        conversation_id = buyer_page.url.rsplit("/", 1)[-1]
        page = requests.get(
            f"{web_runtime.url}/message/conversations/{conversation_id}", headers=auth(buyer), timeout=TIMEOUT
        ).json()
        texts = [(m["sender_id"], m["masked"]) for m in reversed(page["items"])]
        assert texts == [(buyer["id"], True), (farmer["id"], False)]
        assert "0772 123 456" not in page["items"][-1]["text"]
    finally:
        farmer_ctx.close()
        buyer_ctx.close()


def test_a_notification_arrives_live_and_is_marked_read(page: Page, web_runtime: RunningRuntime) -> None:
    farmer = register(web_runtime.url, "farmer", name="Auma Farmer")
    buyer = register(web_runtime.url, "buyer", name="Mukasa Buyer")
    listing = requests.post(
        f"{web_runtime.url}/listings/",
        json={
            "title": "Dry white maize",
            "crop": "maize",
            "price_per_kg": 1100,
            "quantity_kg": "50",
            "district": "Gulu",
        },
        headers=auth(farmer),
        timeout=TIMEOUT,
    )
    assert listing.status_code == 201, listing.text
    sign_in(page, farmer)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("You have no notifications.")).to_be_visible()
    wait_live(web_runtime, farmer["id"])

    order = requests.post(
        f"{web_runtime.url}/orders/",
        json={"listing_id": listing.json()["id"], "quantity_kg": "10"},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert order.status_code == 201, order.text

    items = page.get_by_role("list", name="Notifications").get_by_role("listitem")
    expect(items).to_have_count(1, timeout=30_000)
    expect(items.first).to_contain_text("New order")
    expect(page.get_by_role("link", name="1 new notifications")).to_have_text("1 new")

    page.get_by_role("button", name="Mark as read: New order").click()
    expect(items.first.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name="1 new notifications")).to_have_count(0)
    listed = requests.get(f"{web_runtime.url}/notifications/", headers=auth(farmer), timeout=TIMEOUT).json()
    assert [(n["type"], n["read"]) for n in listed["items"]] == [("order_placed", True)]
