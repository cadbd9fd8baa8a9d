"""Events through the whole local pipeline: a table write -> its stream -> the outbox relay ->
EventBridge -> a rule -> SQS -> a consumer function -> another domain's table."""

from __future__ import annotations

import time
import uuid
from typing import Any

import requests

PASSWORD = "Lira-sorghum-2026"


def _account(http: requests.Session, url: str, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    created = http.post(
        f"{url}/auth/register", json={"email": email, "password": PASSWORD, "role": role}, timeout=30
    )
    assert created.status_code == 201, created.text
    token = http.post(f"{url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30).json()
    return created.json()["id"], {"Authorization": f"Bearer {token['access_token']}"}


def _completed_order(http: requests.Session, url: str, farmer: dict[str, str], buyer: dict[str, str]) -> str:
    listing = http.post(
        f"{url}/listings/",
        headers=farmer,
        timeout=30,
        json={
            "title": "Red sorghum",
            "crop": "sorghum",
            "price_per_kg": 900,
            "quantity_kg": "100",
            "district": "Lira",
        },
    ).json()
    order = http.post(
        f"{url}/orders/", headers=buyer, json={"listing_id": listing["id"], "quantity_kg": "10"}, timeout=30
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    changed = http.patch(
        f"{url}/orders/{order_id}/status", headers=farmer, json={"new_status": "confirmed"}, timeout=30
    )
    assert changed.status_code == 200, changed.text
    # paid (the sandbox PesaPal completes the payment), delivered, and received by the buyer
    started = http.post(
        f"{url}/payments/initiate",
        headers=buyer,
        json={"order_id": order_id, "phone": "0772123456"},
        timeout=30,
    )
    assert started.status_code == 201, started.text
    completed = http.post(
        f"{url}/_sandbox/pesapal/{started.json()['order_tracking_id']}/complete", timeout=30
    )
    assert completed.status_code == 200, completed.text
    _wait_for(
        lambda: (
            http.get(f"{url}/orders/{order_id}", headers=buyer, timeout=30).json()["payment_status"]
            == "paid (escrow)"
        )
    )
    changed = http.patch(
        f"{url}/orders/{order_id}/status", headers=farmer, json={"new_status": "delivered"}, timeout=30
    )
    assert changed.status_code == 200, changed.text
    received = http.post(f"{url}/orders/{order_id}/receipt", headers=buyer, timeout=30)
    assert received.status_code == 200, received.text
    return str(order_id)


def _wait_for(predicate: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("not in time")


def test_a_review_reaches_the_farmers_public_profile(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    farmer_id, farmer = _account(http, soko.url, "farmer")
    _, buyer = _account(http, soko.url, "buyer")
    ratings = []
    for rating in (5, 4):
        order_id = _completed_order(http, soko.url, farmer, buyer)
        reviewed = http.post(
            f"{soko.url}/orders/{order_id}/review", headers=buyer, json={"rating": rating}, timeout=30
        )
        assert reviewed.status_code == 201, reviewed.text
        ratings.append(rating)

    def profile() -> dict[str, Any] | None:
        body = http.get(f"{soko.url}/users/{farmer_id}", headers=buyer, timeout=30).json()
        return body if body.get("rating_count") == len(ratings) else None

    shown = _wait_for(profile)
    assert shown["rating"] == 4.5
    assert "email" not in shown
    listed = http.get(f"{soko.url}/users/farmers", headers=buyer, params={"limit": 100}, timeout=30).json()[
        "items"
    ]
    # the directory entry carries the rating too (it may be on a later page in a busy session)
    mine = [item for item in listed if item["id"] == farmer_id]
    assert all(item["rating"] == 4.5 for item in mine)
