"""A signed-in farmer's price alerts in the browser: from the price outlook's link to #/alerts with
the crop and market chosen, add an alert below a price, see it listed, stop it; the API holds what
the page shows at each step."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from support.browser import auth, register, sign_in_in_browser
from support.runtime import RunningRuntime

SLOW = 45_000


def test_a_farmer_adds_and_stops_a_price_alert(web_runtime: RunningRuntime, page: Page) -> None:
    url = web_runtime.url
    farmer = register(url, "farmer", name="Apio Grace")
    sign_in_in_browser(page, farmer)
    page.goto("/#/prices")
    page.get_by_role("link", name="Get price alerts for this crop and market").click(timeout=SLOW)
    expect(page.get_by_role("heading", name="Price alerts", level=1)).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("You have no price alerts yet.")).to_be_visible(timeout=SLOW)

    page.get_by_label("Crop").select_option("maize_grain")
    page.get_by_label("Market").select_option("Lira")
    page.get_by_label("Tell me when").select_option("below")
    page.get_by_label("Price per kg (UGX)").fill("900")
    page.get_by_role("button", name="Add alert").click()
    expect(page.get_by_role("status").filter(has_text="Alert added.")).to_be_visible(timeout=SLOW)
    mine = page.get_by_role("list", name="Your price alerts")
    expect(mine.get_by_role("heading", name="Maize in Lira")).to_be_visible(timeout=SLOW)
    expect(mine.get_by_text("at or below")).to_be_visible()

    held = requests.get(f"{url}/alerts", headers=auth(farmer), timeout=30).json()["items"]
    assert [(a["crop"], a["market"], a["below_ugx"]) for a in held] == [("maize_grain", "Lira", 900)]

    page.get_by_role("button", name="Stop the alert for Maize in Lira").click()
    expect(page.get_by_text("You have no price alerts yet.")).to_be_visible(timeout=SLOW)
    assert requests.get(f"{url}/alerts", headers=auth(farmer), timeout=30).json()["items"] == []
