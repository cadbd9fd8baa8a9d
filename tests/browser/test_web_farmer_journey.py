"""A farmer's journey in the browser: list produce, add a photo (a presigned POST straight to the
media bucket on another origin, with progress: the bucket's CORS rules must allow the app), confirm
a buyer's order, send it, deliver it with the buyer's PIN from the SMS sandbox, and see the money;
and the price outlook's chart with the age of its data, for anyone.

The buyer's side (ordering, paying in the PesaPal sandbox) goes through the API: it is the buyer
journey's subject. The farmer's session is the one the app keeps (its refresh token), issued by
the API at sign-in: signing in through the form is the account pages' journey."""

from __future__ import annotations

import calendar
import io
import re
import time
from pathlib import Path
from typing import Any

import requests
from PIL import Image
from playwright.sync_api import Page, WebSocket, expect

from soko.ml.public import Freshness, age_text
from support.browser import auth, register, register_verified, sign_in_in_browser, sms_sent, unique_phone
from support.runtime import RunningRuntime

TIMEOUT = 30
# Each step runs a Lambda of the local runtime (cold the first time): on a busy machine a step can
# take longer than the context's 15 s default, so the journey waits for the API's answer longer.
SLOW = 45_000
DISTRICT = "Gulu"


def small_jpeg() -> bytes:
    """A real 64x48 JPEG (a maize-yellow gradient) the browser can decode."""
    image = Image.new("RGB", (64, 48))
    image.putdata([(230, 180 + x // 2, 40 + y) for y in range(48) for x in range(64)])
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def verified_buyer(url: str) -> dict[str, Any]:
    """A buyer whose phone is confirmed (the delivery PIN is texted to a verified phone)."""
    return register_verified(url, "buyer", name="Nakato Sarah")


def wait_for(predicate: Any, what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def pin_texted(url: str, phone: str) -> str:
    def newest() -> str | None:
        pins = sms_sent(url, phone, r"delivery PIN for .* is (\d{6})")
        return pins[-1] if pins else None

    pin: str = wait_for(newest, "the delivery PIN's SMS")
    return pin


def live(sockets: list[WebSocket]) -> bool:
    """A WebSocket of the page that is open and stays open past the authorizer's 5 s (a refused
    handshake closes at once; the app then retries with backoff)."""
    open_now = [ws for ws in sockets if not ws.is_closed()]
    if not open_now:
        return False
    time.sleep(6)
    return any(not ws.is_closed() for ws in open_now)


def fill_crop_and_district(page: Page) -> None:
    """The catalogue's pickers when `GET /catalogue` answers, plain text fields otherwise."""
    crop = page.get_by_label("Crop", exact=True)
    if crop.evaluate("e => e.tagName") == "SELECT":
        crop.select_option("maize_grain")
    else:
        crop.fill("maize")
    district = page.get_by_label("District", exact=True)
    if district.evaluate("e => e.tagName") == "SELECT":
        district.select_option(DISTRICT)
    else:
        district.fill(DISTRICT)


def test_a_farmer_lists_with_a_photo_delivers_with_the_pin_and_sees_the_earnings(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    farmer = register(url, "farmer", name="Okello John", phone=unique_phone())
    buyer = verified_buyer(url)
    frames: list[str] = []  # what the live channel (the WebSocket API) brings the farmer's page
    sockets: list[WebSocket] = []

    def watch(ws: WebSocket) -> None:
        sockets.append(ws)
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    page.on("websocket", watch)
    sign_in_in_browser(page, farmer)

    # -- list produce
    page.get_by_role("link", name="My listings").click()
    expect(page.get_by_role("heading", name="My listings")).to_be_visible(timeout=SLOW)
    expect(page.get_by_text("You have nothing listed yet.")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name="List produce").click()
    title = f"Dry white maize {time.time_ns() % 100000}"
    page.get_by_label("Title").fill(title)
    fill_crop_and_district(page)
    page.get_by_label("Quantity (kg)").fill("200")
    page.get_by_label("Price per kg (UGX)").fill("1150")
    page.get_by_label("Description").fill("Sun-dried, sorted, in 100 kg bags.")
    page.get_by_role("button", name="List it").click()
    expect(page.get_by_role("heading", name="Change listing")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("status").filter(has_text="Listed. Buyers can order it now.")).to_be_visible(
        timeout=SLOW
    )
    address = page.evaluate("location.hash")
    listing_id = re.fullmatch(r"#/farm/listings/([^/]+)/edit", address).group(1)  # type: ignore[union-attr]
    listing = requests.get(f"{url}/listings/{listing_id}", timeout=TIMEOUT).json()
    assert (listing["title"], listing["crop"], listing["district"], listing["price_per_kg"]) == (
        title,
        "maize_grain",
        DISTRICT,
        1150,
    )
    assert float(listing["quantity_kg"]) == 200 and listing["farmer_id"] == farmer["id"]

    # -- a photo, straight to the media bucket on its own origin (CORS), with progress
    jpeg = small_jpeg()
    aws = web_runtime.endpoints["aws_endpoint"]
    with page.expect_response(
        lambda r: r.url.startswith(aws) and r.request.method == "POST", timeout=SLOW
    ) as posted:
        page.get_by_label("Add a photo (JPEG, PNG or WebP)").set_input_files(
            {"name": "maize.jpg", "mimeType": "image/jpeg", "buffer": jpeg}
        )
    upload = posted.value
    assert upload.status == 204
    assert upload.headers["access-control-allow-origin"] == url  # the bucket's rule answered the app
    progress = page.get_by_role("progressbar", name="Photo upload")
    expect(progress).to_have_js_property("value", 100, timeout=SLOW)
    expect(page.get_by_role("status").filter(has_text="Photo uploaded.")).to_be_visible(timeout=SLOW)
    image = page.get_by_role("img", name=f"Photo 1 of {title}")
    image.scroll_into_view_if_needed()
    expect(image).to_have_attribute("loading", "lazy")
    expect(image).to_have_attribute("width", "320")
    wait_for(lambda: image.evaluate("i => i.complete && i.naturalWidth") == 64, "the photo to show")
    listing = requests.get(f"{url}/listings/{listing_id}", timeout=TIMEOUT).json()
    assert len(listing["images"]) == 1
    stored = requests.get(listing["images"][0], timeout=TIMEOUT)
    assert stored.status_code == 200 and stored.content == jpeg

    # -- a buyer orders (API); the farmer confirms in the browser
    placed = requests.post(
        f"{url}/orders/",
        json={"listing_id": listing_id, "quantity_kg": "40"},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    page.get_by_role("link", name="Incoming orders").click()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="40 kg of"))
    expect(card.get_by_text("Waiting for the farmer")).to_be_visible(timeout=SLOW)
    expect(card.get_by_text("UGX 46,000")).to_be_visible(timeout=SLOW)
    card.get_by_role("button", name="Confirm order").click()
    expect(card.get_by_text("Waiting for the buyer to pay before you send it.")).to_be_visible(timeout=SLOW)
    assert (
        requests.get(f"{url}/orders/{order_id}", headers=auth(buyer), timeout=TIMEOUT).json()["status"]
        == "confirmed"
    )

    # -- the buyer pays in the PesaPal sandbox; the page learns it on the live channel
    wait_for(lambda: live(sockets), "the live channel to be open", 120)
    started = requests.post(
        f"{url}/payments/initiate",
        json={"order_id": order_id, "phone": buyer["phone"]},
        headers=auth(buyer),
        timeout=TIMEOUT,
    )
    assert started.status_code == 201, started.text
    done = requests.post(
        f"{url}/_sandbox/pesapal/{started.json()['order_tracking_id']}/complete", timeout=TIMEOUT
    )
    assert done.status_code == 200, done.text
    dispatch = card.get_by_role("button", name="Mark dispatched")
    expect(dispatch).to_be_visible(timeout=60_000)  # no reload: the page learnt it by itself
    assert any('"notification"' in f and order_id in f for f in frames), frames  # over the live channel
    dispatch.click()
    expect(card.get_by_text("On the way")).to_be_visible(timeout=SLOW)
    card.get_by_role("button", name="Mark delivered").click()
    expect(card.get_by_text("Delivered", exact=True)).to_be_visible(timeout=SLOW)

    # -- the buyer's delivery PIN (texted to them when they paid) releases the money
    pin = pin_texted(url, buyer["phone"])
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    card.get_by_label("Buyer's delivery PIN").fill(wrong)
    card.get_by_role("button", name="Enter PIN").click()
    expect(card.get_by_role("alert")).to_contain_text("That is not the buyer's delivery PIN", timeout=SLOW)
    card.get_by_label("Buyer's delivery PIN").fill(pin)
    card.get_by_role("button", name="Enter PIN").click()
    expect(card.get_by_text("Completed: your money is released.")).to_be_visible(timeout=SLOW)
    shown = requests.get(f"{url}/orders/{order_id}", headers=auth(buyer), timeout=TIMEOUT).json()
    assert (shown["status"], shown["released_by"]) == ("completed", "pin")

    # -- the earnings show the sale
    def earned() -> dict[str, Any] | None:
        answer = requests.get(f"{url}/payments/earnings", headers=auth(farmer), timeout=TIMEOUT).json()
        return answer if answer["net_ugx"] > 0 else None

    earnings = wait_for(earned, "the sale in the farmer's earnings")
    page.get_by_role("link", name="Earnings").click()
    expect(page.get_by_role("heading", name="Earnings")).to_be_visible(timeout=SLOW)
    net = f"UGX {earnings['net_ugx']:,}"
    expect(page.get_by_role("table").get_by_text(net).first).to_be_visible(timeout=SLOW)
    month = max((m for m in earnings["months"] if m["net_ugx"]), key=lambda m: m["month"])
    assert month["gross_ugx"] == 46_000 and month["net_ugx"] == earnings["net_ugx"]
    with page.expect_download(timeout=SLOW) as download:
        page.get_by_role("button", name=re.compile(r"^CSV for ")).first.click()
    csv = download.value
    assert csv.suggested_filename == f"soko-statement-{month['month']}.csv"
    assert order_id in Path(csv.path()).read_text(encoding="utf-8")


def test_the_price_outlook_draws_the_forecast_and_says_how_old_its_data_is(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    markets = requests.get(f"{url}/ml/price/markets", timeout=TIMEOUT).json()["items"]
    market = next(m for m in markets if m["has_real_data"] and m["id"] != markets[0]["id"])
    # what the page must show, asked first (which also readies the functions behind it)
    forecast = requests.post(
        f"{url}/ml/price/predict",
        json={"crop": "maize_grain", "market": market["id"], "weeks_ahead": 12},
        timeout=TIMEOUT,
    ).json()
    route = requests.post(
        f"{url}/location/route",
        json={"crop": "maize_grain", "quantity_kg": 100, "district": market["district"]},
        timeout=TIMEOUT,
    ).json()
    page.goto("/#/prices")
    expect(page.get_by_role("heading", name="Price outlook")).to_be_visible(timeout=SLOW)
    page.get_by_label("Crop", exact=True).select_option("maize_grain", timeout=SLOW)
    page.get_by_label("Market", exact=True).select_option(market["id"])
    heading = page.get_by_role("heading", name="12-week forecast for Maize (grain)")
    expect(heading).to_contain_text(market["name"], timeout=SLOW)
    chart = page.get_by_role(
        "img", name=re.compile(rf"Forecast price per kg for Maize \(grain\) in {re.escape(market['name'])}")
    )
    expect(chart.locator("canvas").first).to_be_visible(timeout=SLOW)
    # uPlot came on demand: fetched for the chart, named nowhere in the app's first page
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert any("uPlot" in name for name in loaded)
    assert "uPlot" not in requests.get(f"{url}/", timeout=TIMEOUT).text
    assert len(forecast["predictions"]) == 12 and forecast["data_through"]
    age = page.locator(".data-age")
    expect(age).to_contain_text("Newest price:", timeout=SLOW)
    through = calendar.timegm(time.strptime(forecast["data_through"], "%Y-%m-%d"))
    shown = time.strftime("%d %b %Y", time.gmtime(through)).lstrip("0")
    assert forecast["stale"] == (forecast["data_age_days"] > forecast["stale_after_days"])
    words = age_text(Freshness.model_validate({**forecast, "age_days": forecast["data_age_days"]}))
    expect(age).to_contain_text(f"Newest price: {shown} ({words}).", timeout=SLOW)
    # the demo's WFP prices end in April 2025: past 60 days the page warns that it is old data
    warning = page.get_by_role("alert").filter(has_text="Old data")
    if forecast["stale"]:
        expect(warning).to_contain_text(f"the newest price is from {shown} ({words})", timeout=SLOW)
        expect(warning).to_contain_text(f"older than {forecast['stale_after_days']} days", timeout=SLOW)
        last = f"Last price seen: UGX {forecast['last_price']:,} per kg"
        expect(warning).to_contain_text(last, timeout=SLOW)
    else:
        expect(warning).to_have_count(0)
    page.get_by_text("Forecast numbers").click()
    first = forecast["predictions"][0]
    expect(page.get_by_role("cell", name=f"UGX {first['price']:,}").first).to_be_visible(timeout=SLOW)
    # where to sell: from the market's district, the markets by net price after transport
    where = page.get_by_role("table", name="Net price after transport, best first")
    expect(where).to_be_visible(timeout=SLOW)
    best = max(route["options"], key=lambda o: o["net_per_kg"])
    expect(where.get_by_role("row").nth(1)).to_contain_text(best["name"], timeout=SLOW)
    expect(where.get_by_role("row").nth(1)).to_contain_text(f"UGX {best['net_per_kg']:,}", timeout=SLOW)
    if best["stale"]:  # its price's date and age, marked as old data
        expect(where.get_by_role("row").nth(1)).to_contain_text("old data", timeout=SLOW)
