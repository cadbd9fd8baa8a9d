"""Disputes through the whole local pipeline: OrderDisputed on the bus -> the disputes consumer (a
case) and the notifications consumer (both parties and the admins' inbox); an admin resolves the
case over HTTP -> the disputes table's stream -> its outbox relay -> DisputeResolved on the bus ->
both parties notified of what they get.

``OrderDisputed`` is put on the bus here as the market publishes it; with the market's
``POST /orders/{id}/disputes`` the same flow starts from the buyer's request."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any

import requests

from soko.market.events import OrderDisputed
from soko.shared import ids
from support.runtime import RunningRuntime

PASSWORD = "Lira-sorghum-2026"
ADMIN = (
    os.environ.get("SOKO_ADMIN_EMAIL", "admin@soko.ug"),
    os.environ.get("SOKO_ADMIN_PASSWORD", "Matooke-Market-Dev-2026"),
)
TIMEOUT = 30


def _login(http: requests.Session, url: str, email: str, password: str) -> dict[str, str]:
    reply = http.post(f"{url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def _account(http: requests.Session, url: str, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    created = http.post(
        f"{url}/auth/register", json={"email": email, "password": PASSWORD, "role": role}, timeout=TIMEOUT
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], _login(http, url, email, PASSWORD)


def _wait_for[T](check: Callable[[], T | None], timeout: float = 30) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.3)
    raise AssertionError("timed out")


def _notified(http: requests.Session, url: str, headers: dict[str, str], kind: str, dispute_id: str) -> Any:
    items = http.get(f"{url}/notifications/", headers=headers, timeout=TIMEOUT).json()["items"]
    return next((n for n in items if n["type"] == kind and n["data"].get("dispute_id") == dispute_id), None)


def test_a_dispute_opens_a_case_an_admin_resolves_and_everyone_is_told(
    soko: RunningRuntime, http: requests.Session
) -> None:
    url = soko.url
    buyer_id, buyer = _account(http, url, "buyer")
    farmer_id, farmer = _account(http, url, "farmer")
    admin = _login(http, url, *ADMIN)
    disputed = OrderDisputed(
        order_id=ids.ulid(),
        listing_id=ids.ulid(),
        buyer_id=buyer_id,
        farmer_id=farmer_id,
        crop="sorghum",
        district="Lira",
        quantity_kg="10.000",  # type: ignore[arg-type]
        price_per_kg_ugx=900,
        total_ugx=9_000,
        dispute_id=ids.ulid(),
        reason="quality",
        details="Half the sacks were wet.",
        photos=[],
        opened_at="2026-11-21T09:30:00Z",
    )
    events = soko.client("events")
    bus = soko.endpoints["outputs"]["EventBusName"]
    entry = {
        "EventBusName": bus,
        "Source": disputed.SOURCE,
        "DetailType": disputed.DETAIL_TYPE,
        "Detail": disputed.model_dump_json(),
    }
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
    case_url = f"{url}/disputes/{disputed.dispute_id}"

    case = _wait_for(lambda: (r := http.get(case_url, headers=buyer, timeout=TIMEOUT)).ok and r.json())
    assert (case["status"], case["total_ugx"]) == ("open", 9_000)
    assert http.get(case_url, headers=_account(http, url, "buyer")[1], timeout=TIMEOUT).status_code == 404
    for who in (buyer, farmer, admin):
        _wait_for(lambda who=who: _notified(http, url, who, "dispute_opened", disputed.dispute_id))
    listed = http.get(f"{url}/admin/disputes", headers=admin, timeout=TIMEOUT).json()["items"]
    assert disputed.dispute_id in [c["id"] for c in listed]

    resolve = f"{url}/admin/disputes/{disputed.dispute_id}/resolve"
    body = {"outcome": "split", "buyer_amount_ugx": 3_000, "reason": "Photos show a third was wet."}
    assert http.post(resolve, json=body, headers=farmer, timeout=TIMEOUT).status_code == 403
    answer = http.post(resolve, json=body, headers=admin, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    again = http.post(resolve, json={**body, "outcome": "refund"}, headers=admin, timeout=TIMEOUT)
    assert again.status_code == 409 and again.json()["error"]["code"] == "DISPUTE_ALREADY_RESOLVED"

    told_buyer = _wait_for(lambda: _notified(http, url, buyer, "dispute_resolved", disputed.dispute_id))
    told_farmer = _wait_for(lambda: _notified(http, url, farmer, "dispute_resolved", disputed.dispute_id))
    assert "UGX 3,000 is refunded to you" in told_buyer["body"]
    assert "UGX 6,000 is released to you" in told_farmer["body"]
    seen = http.get(case_url, headers=farmer, timeout=TIMEOUT).json()
    assert seen["status"] == "resolved" and seen["resolution"]["farmer_amount_ugx"] == 6_000
    resolved = http.get(
        f"{url}/admin/disputes", params={"status": "resolved"}, headers=admin, timeout=TIMEOUT
    )
    assert disputed.dispute_id in [c["id"] for c in resolved.json()["items"]]
