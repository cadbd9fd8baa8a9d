"""The farmer's weather panel in the browser: the farmer's district's week on their home page
(from the local runtime's Open-Meteo twin), heavy rain called out with the advice, the table in
Luganda, and an old forecast said to be old when the weather service fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from playwright.sync_api import Page, expect

from support.browser import auth, register, sign_in_in_browser
from support.runtime import RunningRuntime

TIMEOUT = 30
SLOW = 45_000
DISTRICT = "Kitgum"


def test_the_farmers_home_shows_their_districts_week_and_says_when_it_is_old(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url, sandbox = web_runtime.url, f"{web_runtime.url}/_sandbox/weather"
    farmer = register(url, "farmer", name="Okello Denis")
    profile = requests.put(
        f"{url}/users/me",
        json={"full_name": "Okello Denis", "district": DISTRICT},
        headers=auth(farmer),
        timeout=TIMEOUT,
    )
    assert profile.status_code == 200, profile.text
    requests.post(
        f"{sandbox}/_forecast", json={"district": DISTRICT, "day_offset": 1, "rain_mm": 52}, timeout=TIMEOUT
    ).raise_for_status()
    dynamodb, weather_table = (
        web_runtime.client("dynamodb"),
        web_runtime.endpoints["outputs"]["WeatherTableName"],
    )
    key = {"pk": {"S": f"FORECAST#{DISTRICT}"}, "sk": {"S": "LATEST"}}
    dynamodb.delete_item(TableName=weather_table, Key=key)  # the scheduled check may have cached it already
    try:
        api = requests.get(f"{url}/weather/{DISTRICT}", timeout=TIMEOUT).json()
        assert api["stale"] is False and api["days"][1]["rain_mm"] == 52

        sign_in_in_browser(page, farmer)
        page.goto("/#/farm/listings")
        panel = page.get_by_role("region", name=f"Weather in {DISTRICT}")
        expect(panel).to_be_visible(timeout=SLOW)
        table = panel.get_by_role("table", name=f"Weather in {DISTRICT}")
        expect(table.get_by_role("row")).to_have_count(8)  # the header and 7 days
        expect(table.get_by_role("row").nth(2)).to_contain_text("52 mm")
        expect(
            panel.get_by_text("Heavy rain expected: dry and store harvested grain, delay spraying.")
        ).to_be_visible()
        expect(panel.get_by_text("Old forecast")).to_have_count(0)

        # the cache period passes and the weather service fails: the last forecast, said to be old
        old = (datetime.now(UTC) - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
        dynamodb.update_item(
            TableName=weather_table,
            Key=key,
            UpdateExpression="SET fetched_at = :t",
            ExpressionAttributeValues={":t": {"S": old}},
        )
        requests.post(f"{sandbox}/_faults", json={"status": 503}, timeout=TIMEOUT).raise_for_status()
        page.reload()
        expect(panel.get_by_text("Old forecast: the weather service cannot be reached now.")).to_be_visible(
            timeout=SLOW
        )
        expect(table.get_by_role("row")).to_have_count(8)
        assert requests.get(f"{url}/weather/{DISTRICT}", timeout=TIMEOUT).json()["stale"] is True
    finally:
        requests.delete(f"{sandbox}/_faults", timeout=TIMEOUT)
        requests.delete(f"{sandbox}/_forecast", timeout=TIMEOUT)
