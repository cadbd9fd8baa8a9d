"""Payments over HTTP against the real application under the local runtime: order -> pay (the
sandbox PesaPal completes the payment and sends its IPN to our webhook, as PesaPal does) -> the
order shows "paid (escrow)" -> the farmer delivers it and the buyer confirms receipt -> a payout is
scheduled and settled."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests

from .test_market import TIMEOUT, create_listing, new_user, placed, set_status

WAIT_SECONDS = 60


def eventually(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_order_pay_complete_payout(soko: Any, http: requests.Session) -> None:
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    listing = create_listing(soko, http, farmer, price_per_kg=1_200)
    order = placed(soko, http, buyer, listing["id"], "10")
    assert order["total_ugx"] == 12_000

    def initiate() -> requests.Response:
        return http.post(
            f"{soko.url}/payments/initiate",
            json={"order_id": order["id"], "phone": "0772123456"},
            headers=buyer.headers,
            timeout=TIMEOUT,
        )

    assert initiate().json()["error"]["code"] == "ORDER_NOT_PAYABLE"  # not confirmed yet
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 200
    started = initiate()
    assert started.status_code == 201, started.text
    payment = started.json()
    assert payment["status"] == "pending" and payment["redirect_url"]
    assert initiate().json()["error"]["code"] == "PAYMENT_IN_PROGRESS"

    # An early IPN (before the buyer paid) changes nothing.
    early = http.get(
        f"{soko.url}/webhook/pesapal",
        params={"OrderTrackingId": payment["order_tracking_id"], "OrderNotificationType": "IPNCHANGE"},
        timeout=TIMEOUT,
    )
    assert early.status_code == 200 and early.json()["status"] == 200

    def payment_status() -> dict[str, Any]:
        reply = http.get(
            f"{soko.url}/payments/{payment['payment_id']}/status", headers=buyer.headers, timeout=TIMEOUT
        )
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    assert payment_status()["status"] == "pending"

    completed = http.post(
        f"{soko.url}/_sandbox/pesapal/{payment['order_tracking_id']}/complete", timeout=TIMEOUT
    )
    assert completed.status_code == 200, completed.text
    assert completed.json()["ipn"]["status"] == 200
    assert payment_status()["status"] == "completed"

    def order_view() -> dict[str, Any]:
        return dict(
            http.get(f"{soko.url}/orders/{order['id']}", headers=buyer.headers, timeout=TIMEOUT).json()
        )

    eventually(lambda: order_view()["payment_status"] == "paid (escrow)", "the order to show paid (escrow)")

    assert (
        set_status(soko, http, farmer, order["id"], "completed").status_code == 409
    )  # never the farmer alone
    assert set_status(soko, http, farmer, order["id"], "delivered").status_code == 200
    received = http.post(f"{soko.url}/orders/{order['id']}/receipt", headers=buyer.headers, timeout=TIMEOUT)
    assert received.status_code == 200, received.text
    eventually(lambda: payment_status()["escrow"] == "released", "the payout to be scheduled")
    eventually(lambda: order_view()["payment_status"] == "payout scheduled", "the order to show the payout")

    settled = http.post(
        f"{soko.url}/_local/schedules/PaymentsSettlementFunctionSchedule/run", timeout=TIMEOUT
    )
    assert settled.status_code == 200, settled.text
    result = settled.json()["result"]
    assert result["settled"] >= 1 and result["settled_ugx"] >= 11_400
    eventually(
        lambda: order_view()["payment_status"] == "paid out to farmer", "the order to show the settlement"
    )


def test_a_paid_order_the_farmer_cannot_deliver_is_refunded(soko: Any, http: requests.Session) -> None:
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    listing = create_listing(soko, http, farmer, price_per_kg=900)
    order = placed(soko, http, buyer, listing["id"], "20")
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 200
    started = http.post(
        f"{soko.url}/payments/initiate",
        json={"order_id": order["id"], "phone": "0772123456"},
        headers=buyer.headers,
        timeout=TIMEOUT,
    )
    assert started.status_code == 201, started.text
    payment = started.json()
    paid = http.post(f"{soko.url}/_sandbox/pesapal/{payment['order_tracking_id']}/complete", timeout=TIMEOUT)
    assert paid.status_code == 200, paid.text

    def order_view() -> dict[str, Any]:
        return dict(
            http.get(f"{soko.url}/orders/{order['id']}", headers=buyer.headers, timeout=TIMEOUT).json()
        )

    eventually(lambda: order_view()["payment_status"] == "paid (escrow)", "the order to show paid (escrow)")
    assert set_status(soko, http, farmer, order["id"], "rejected").status_code == 200

    def escrow() -> Any:
        reply = http.get(
            f"{soko.url}/payments/{payment['payment_id']}/status", headers=buyer.headers, timeout=TIMEOUT
        )
        return reply.json().get("escrow")

    eventually(lambda: escrow() == "refunded", "the refund of the rejected order")
    eventually(lambda: order_view()["payment_status"] == "refunded", "the order to show the refund")
