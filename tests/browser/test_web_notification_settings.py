"""The notification settings page: a buyer turns SMS about orders off and sets quiet hours (East
Africa Time); the page says it saved, shows the choice again after a reload, and the API holds it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from support.browser import auth, register
from support.runtime import RunningRuntime
from support.web_quality import sign_in_browser


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The local runtime's first calls of a function are cold starts (seconds on a busy machine)."""
    expect.set_options(timeout=45_000)
    yield
    expect.set_options(timeout=5_000)


def test_a_buyer_chooses_channels_and_quiet_hours(page: Page, web_runtime: RunningRuntime) -> None:
    buyer = register(web_runtime.url, "buyer", name="Nakato Sarah")
    sign_in_browser(page, buyer)
    page.goto("/#/notifications")
    page.get_by_role("link", name="Notification settings").click()
    expect(page.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Turn on notifications on this device")).to_be_visible()

    orders = page.get_by_role("group", name="Orders")
    sms = orders.get_by_role("checkbox", name="SMS")
    expect(sms).to_be_checked()  # the default
    sms.uncheck()
    page.get_by_role("group", name="Price alerts").get_by_role("checkbox", name="E-mail").check()
    page.get_by_role("checkbox", name="Use quiet hours").check()
    page.get_by_label("From").fill("21:30")
    page.get_by_label("Until").fill("06:00")
    page.get_by_role("button", name="Save settings").click()
    expect(
        page.get_by_role("status").filter(has_text="Your notification settings are saved.")
    ).to_be_visible()

    saved = requests.get(f"{web_runtime.url}/notifications/preferences", headers=auth(buyer), timeout=30)
    assert saved.status_code == 200, saved.text
    assert saved.json()["categories"]["orders"]["sms"] is False
    assert saved.json()["categories"]["alerts"]["email"] is True
    assert saved.json()["quiet_hours"] == {"start": "21:30", "end": "06:00"}

    page.reload()
    expect(page.get_by_role("group", name="Orders").get_by_role("checkbox", name="SMS")).not_to_be_checked()
    expect(page.get_by_label("From")).to_have_value("21:30")
