"""Analytics in the browser (issue 20): a farmer with a completed sale sees the revenue on "My
sales", asks for a CSV sales report, waits for it to be ready and downloads it (its total checked
against the file and the API); the dev admin's dashboard shows today's and this week's orders and
GMV exactly as `GET /admin/metrics` gives them; anyone sees the weekly market prices of maize.

The trade behind them (listing, order, payment in the PesaPal sandbox, delivery, receipt) goes
through the API: it is the buyer's and the farmer's journeys' subject. Counters and projections are
kept by a queue consumer, so each check first waits for the API to show the sale."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from support.browser import auth, register, sign_in_in_browser, unique_phone
from support.runtime import RunningRuntime
from support.web_quality import login

TIMEOUT = 30
SLOW = 45_000  # a page waiting on a cold function of the local runtime on a busy machine
REPORT_READY_MS = 180_000  # the report is built by a queue consumer reading the lake
PRICE, QUANTITY = 1_150, 40
GOODS = PRICE * QUANTITY  # UGX 46,000: no transport, so the GMV and the farmer's revenue
CROP, DISTRICT = "maize_grain", "Gulu"
EAT = ZoneInfo("Africa/Kampala")


@pytest.fixture(autouse=True)
def patient_expectations() -> Any:
    expect.set_options(timeout=SLOW)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


def wait_for(predicate: Callable[[], Any], what: str, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def ugx(amount: int | None) -> str:
    """As the app writes money (web/src/lib/format.ts)."""
    return "\u2013" if amount is None else f"{'-' if amount < 0 else ''}UGX {abs(round(amount)):,}"


def kg(quantity: float) -> str:
    text = f"{int(quantity):,}" if float(quantity).is_integer() else f"{quantity:,.1f}"
    return f"{text} kg"


def today_eat() -> str:
    return datetime.now(EAT).date().isoformat()


def listing_of(url: str, farmer: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": f"Dry maize for analytics {time.time_ns() % 1_000_000}",
        "crop": CROP,
        "price_per_kg": PRICE,
        "quantity_kg": "200",
        "district": DISTRICT,
    }
    created = requests.post(f"{url}/listings/", json=body, headers=auth(farmer), timeout=TIMEOUT)
    assert created.status_code == 201, created.text
    return dict(created.json())


def place_order(url: str, buyer: dict[str, Any], listing: dict[str, Any]) -> str:
    placed = requests.post(
        f"{url}/orders/",
        json={"listing_id": listing["id"], "quantity_kg": str(QUANTITY)},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["total_ugx"] == GOODS
    return str(placed.json()["id"])


def completed_sale(url: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A new farmer's maize in Gulu, ordered (40 kg), paid in the sandbox, delivered and received."""
    farmer = register(url, "farmer", name="Apio Grace", phone=unique_phone())
    phone = unique_phone()
    buyer = register(url, "buyer", name="Mukasa Peter", phone=phone)
    order_id = place_order(url, buyer, listing_of(url, farmer))

    def farmer_moves(status: str) -> None:
        moved = requests.patch(
            f"{url}/orders/{order_id}/status",
            json={"new_status": status},
            headers=auth(farmer),
            timeout=TIMEOUT,
        )
        assert moved.status_code == 200, moved.text

    def order() -> dict[str, Any]:
        answer = requests.get(f"{url}/orders/{order_id}", headers=auth(buyer), timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    farmer_moves("confirmed")
    started = requests.post(
        f"{url}/payments/initiate",
        json={"order_id": order_id, "phone": phone},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert started.status_code == 201, started.text
    done = requests.post(
        f"{url}/_sandbox/pesapal/{started.json()['order_tracking_id']}/complete", timeout=TIMEOUT
    )
    assert done.status_code == 200, done.text
    wait_for(lambda: order()["payment_status"] == "paid (escrow)", "the order paid into escrow")
    farmer_moves("delivered")
    received = requests.post(f"{url}/orders/{order_id}/receipt", headers=auth(buyer), timeout=TIMEOUT)
    assert received.status_code == 200, received.text
    assert order()["status"] == "completed"
    return farmer, buyer, order_id


def analytics_of(url: str, farmer: dict[str, Any]) -> dict[str, Any] | None:
    answer = requests.get(f"{url}/analytics/me", headers=auth(farmer), timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body if body.get("totals") and body["totals"]["gmv_ugx"] >= GOODS else None


def shown_total(page: Page, term: str) -> Locator:
    """The value of a term of the page's totals (``<dl class="totals"><dt>term</dt><dd>…``)."""
    return page.locator(
        f"xpath=//dl[contains(@class,'totals')]/dt[normalize-space()='{term}']/following-sibling::dd[1]"
    ).first


MONEY_WORDS = ("ugx", "gross", "commission", "net", "amount", "revenue", "total", "value")


def money_columns(rows: list[dict[str, str]]) -> dict[str, int]:
    """Per CSV column of money (named so) holding whole shillings on every data row (a "Total" row
    left out): its sum."""
    data = [r for r in rows if not any((v or "").strip().lower().startswith("total") for v in r.values())]
    sums: dict[str, int] = {}
    for column in rows[0] if rows else {}:
        values = [(r.get(column) or "").strip() for r in data]
        named = any(word in column.lower() for word in MONEY_WORDS)
        if data and named and all(re.fullmatch(r"-?\d+", v) for v in values):
            sums[column] = sum(int(v) for v in values)
    return sums


def test_a_farmer_sees_the_sale_in_my_sales_and_downloads_a_csv_sales_report(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    farmer, _, order_id = completed_sale(url)
    analytics = wait_for(lambda: analytics_of(url, farmer), "the sale in GET /analytics/me")
    assert analytics["totals"]["gmv_ugx"] == GOODS and analytics["totals"]["orders"] == 1
    maize = [m for m in analytics["months"] if m["crop"] == CROP]
    assert [m["revenue_ugx"] for m in maize] == [GOODS] and maize[0]["average_price_ugx"] == PRICE

    # -- My sales: the revenue, the month's row with the price obtained
    sign_in_in_browser(page, farmer)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My sales").click()
    expect(page.get_by_role("heading", name="My sales", level=1)).to_be_visible()
    expect(shown_total(page, "Revenue")).to_have_text(ugx(GOODS))
    expect(shown_total(page, "Orders")).to_have_text("1")
    prices = page.get_by_role("table", name=re.compile(r"^Maize \(grain\): your price"))
    month_row = prices.get_by_role("row").nth(1)
    expect(month_row).to_contain_text(ugx(GOODS))
    expect(month_row).to_contain_text(ugx(PRICE))
    expect(
        page.get_by_role("img", name=re.compile(r"^Orders \(bars\) and revenue")).locator("canvas").first
    ).to_be_visible()

    # -- a CSV sales report: asked for, prepared (the page polls), downloaded
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_text("You have not asked for a report yet.")).to_be_visible()
    page.get_by_label("Report", exact=True).select_option("sales")
    page.get_by_label("File type").select_option("csv")
    today = today_eat()
    page.get_by_label("From", exact=True).fill(today)
    page.get_by_label("To", exact=True).fill(today)
    page.get_by_role("button", name="Prepare the report").click()
    expect(page.get_by_role("status").filter(has_text="Asked for: Sales report")).to_be_visible()
    listed = requests.get(f"{url}/reports", headers=auth(farmer), timeout=TIMEOUT).json()["items"]
    assert len(listed) == 1, listed
    asked = listed[0]
    assert (asked["kind"], asked["format"], asked["from_date"], asked["to_date"]) == (
        "sales",
        "csv",
        today,
        today,
    )
    assert asked["owner"] == farmer["id"]

    item = page.get_by_role("list", name="Your reports").get_by_role("listitem").first
    expect(item.get_by_role("status")).to_have_text("Ready", timeout=REPORT_READY_MS)  # no reload
    ready = requests.get(f"{url}/reports/{asked['id']}", headers=auth(farmer), timeout=TIMEOUT).json()
    assert ready["status"] == "ready" and ready["rows"] >= 1, ready
    assert ready["total_ugx"] is not None
    expect(item).to_contain_text(ugx(ready["total_ugx"]))
    with page.expect_download(timeout=SLOW) as downloading:
        item.get_by_role("button", name=re.compile(r"^Download Sales report")).click()
    text = Path(downloading.value.path()).read_text(encoding="utf-8-sig")
    assert order_id in text  # the sale's own row
    rows = list(csv.DictReader(io.StringIO(text)))
    sums = money_columns(rows)
    gross = [total for column, total in sums.items() if "gross" in column.lower()]
    assert gross == [GOODS], (sums, text[:500])  # the farmer's one sale, to the shilling
    assert ready["total_ugx"] in sums.values(), (ready["total_ugx"], sums)  # the stored total is the file's


def metrics(url: str, admin: dict[str, Any], period: str) -> dict[str, Any]:
    answer = requests.get(
        f"{url}/admin/metrics", params={"period": period}, headers=auth(admin), timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def figure(page: Page, term: str) -> Locator:
    return page.locator(
        f"xpath=//dl[contains(@class,'an-figures')]//dt[normalize-space()='{term}']/following-sibling::dd[1]"
    ).first


def page_agrees(page: Page, url: str, admin: dict[str, Any], period: str) -> dict[str, Any]:
    """What the dashboard shows for ``period`` against `GET /admin/metrics`, read before and after
    the page's own read (a settled API: the same both times), retried while events are still being
    counted."""
    seen: list[Any] = []
    for _ in range(10):
        before = metrics(url, admin, period)
        with page.expect_response(lambda r: "/admin/metrics" in r.url and f"period={period}" in r.url):
            page.get_by_role("button", name="Refresh").click()
        wanted = (str(before["orders"]["placed"]), ugx(before["gmv_ugx"]))
        try:
            expect(figure(page, "Orders placed")).to_have_text(wanted[0], timeout=5_000)
            expect(figure(page, "GMV")).to_have_text(wanted[1], timeout=5_000)
            shown = wanted
        except AssertionError:
            shown = (figure(page, "Orders placed").inner_text(), figure(page, "GMV").inner_text())
        after = metrics(url, admin, period)
        if before["orders"] == after["orders"] and before["gmv_ugx"] == after["gmv_ugx"] and shown == wanted:
            return before
        seen.append((shown, wanted))
        time.sleep(2)
    raise AssertionError(f"the dashboard never showed what GET /admin/metrics?period={period} says: {seen}")


def test_the_admin_dashboard_shows_todays_orders_and_gmv_as_the_metrics_api_does(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    admin = login(url, "admin")
    start = metrics(url, admin, "day")
    assert start["period"] == "day" and start["key"] == today_eat()
    # a new order today: the counters move (the dashboard cannot pass on a stale zero)
    farmer = register(url, "farmer", name="Auma Rose", phone=unique_phone())
    buyer = register(url, "buyer", name="Kato Paul", phone=unique_phone())
    place_order(url, buyer, listing_of(url, farmer))
    wait_for(
        lambda: metrics(url, admin, "day")["orders"]["placed"] > start["orders"]["placed"],
        "the new order in today's metrics",
    )

    sign_in_in_browser(page, {"email": admin["email"], "password": admin["password"]})
    page.goto("/#/admin")
    expect(page.get_by_role("heading", name="Trading")).to_be_visible()
    periods = page.get_by_role("group", name="Period")
    expect(periods.get_by_role("button", name="Today")).to_have_attribute("aria-pressed", "true")
    day = page_agrees(page, url, admin, "day")
    assert day["orders"]["placed"] > start["orders"]["placed"]
    expect(page.locator(".an-period")).to_contain_text(datetime.now(EAT).strftime("%-d %b %Y"))
    expect(
        page.get_by_role("img", name=re.compile(r"^Orders placed and completed")).locator("canvas").first
    ).to_be_visible()
    if day["top_crops"]:
        crops = page.get_by_role("region", name="Top crops")
        expect(crops.get_by_role("row").nth(1)).to_contain_text(ugx(day["top_crops"][0]["gmv_ugx"]))

    periods.get_by_role("button", name="This week").click()
    expect(periods.get_by_role("button", name="This week")).to_have_attribute("aria-pressed", "true")
    week = page_agrees(page, url, admin, "week")
    assert week["period"] == "week" and week["orders"]["placed"] >= day["orders"]["placed"]
    expect(page.locator(".an-period")).to_contain_text(f"Week {int(week['key'].split('-W')[1])}")


def test_anyone_sees_the_weekly_market_prices_of_maize(page: Page, web_runtime: RunningRuntime) -> None:
    url = web_runtime.url
    page.goto("/")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Market prices").click()
    expect(page.get_by_role("heading", name="Market prices", level=1)).to_be_visible()
    expect(page.get_by_label("Crop", exact=True)).to_have_value(CROP)
    page.get_by_label("District", exact=True).select_option(DISTRICT)
    expect(page.get_by_role("heading", name=f"Maize (grain) in {DISTRICT}")).to_be_visible()
    answer = requests.get(
        f"{url}/analytics/market", params={"crop": CROP, "district": DISTRICT, "weeks": "12"}, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text  # public: no token
    market = answer.json()
    assert (market["crop"], market["district"]) == (CROP, DISTRICT)
    weeks = market["weeks"]
    assert len(weeks) <= 12
    table = page.get_by_role("table", name="Weekly volume and prices")
    expect(table.get_by_role("row")).to_have_count(len(weeks) + 1)
    if not any(w["orders"] for w in weeks):
        expect(page.get_by_text("Nothing of this crop was sold here on Soko in these weeks.")).to_be_visible()
    if not weeks:  # nothing to draw or compare
        return
    newest = weeks[-1]
    row = table.get_by_role("row").nth(1)  # newest first
    expect(row.get_by_role("rowheader")).to_have_text(
        f"Week {int(newest['week'].split('-W')[1])}, {newest['week'][:4]}"
    )
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text(str(newest["orders"]))
    expect(cells.nth(1)).to_have_text(kg(newest["kg"]))
    expect(cells.nth(2)).to_have_text(ugx(newest["median_price_ugx"]))
    expect(cells.nth(3)).to_have_text(ugx(newest["wfp_price_ugx"]))
    chart = page.get_by_role("img", name=re.compile(rf"^Kilograms of Maize \(grain\) sold in {DISTRICT}"))
    expect(chart.locator("canvas").first).to_be_visible()
