"""Order timers over HTTP against a runtime of their own with short parameters (one minute): a
pending order nobody answers expires and its stock returns; a delivered order the buyer neither
confirms nor disputes is released only once its dispute window has ended. The runtime fires the
EventBridge Scheduler schedules the market sets (soko_local.timers)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from support.runtime import ROOT, RunningRuntime, running

from .test_market import TIMEOUT, User, create_listing, pay, placed, set_status, stock_kg
from .test_market import new_user as market_user

SHORT = ("PendingOrderTtlMinutes=1", "UnpaidOrderTtlMinutes=1", "DisputeWindowMinutes=1")


@pytest.fixture(scope="module")
def soko(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    extra = [arg for p in SHORT for arg in ("--parameter", p)]
    with running(
        ROOT / "template.yaml", tmp_path_factory.mktemp("timers"), "--no-watch", "--empty", *extra
    ) as rt:
        yield rt


def order_of(soko: Any, http: requests.Session, user: User, order_id: str) -> dict[str, Any]:
    reply = http.get(f"{soko.url}/orders/{order_id}", headers=user.headers, timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def wait_for(check: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def test_an_unanswered_order_expires_and_its_stock_returns(soko: Any, http: requests.Session) -> None:
    farmer, buyer = market_user(soko, http, "farmer"), market_user(soko, http, "buyer")
    listing = create_listing(soko, http, farmer, quantity_kg="40")
    order = placed(soko, http, buyer, listing["id"], "10")
    assert stock_kg(soko, http, listing["id"]) == 30

    expired = wait_for(
        lambda: (o := order_of(soko, http, buyer, order["id"]))["status"] == "expired" and o,
        150,
        "the expiry",
    )

    assert expired["expired_reason"] == "unanswered"
    assert stock_kg(soko, http, listing["id"]) == 40
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 409


def test_silence_releases_escrow_only_after_the_window(soko: Any, http: requests.Session) -> None:
    farmer, buyer = market_user(soko, http, "farmer"), market_user(soko, http, "buyer")
    listing = create_listing(soko, http, farmer, quantity_kg="40")
    order = placed(soko, http, buyer, listing["id"], "10")
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 200
    pay(soko, http, buyer, order["id"])
    delivered = set_status(soko, http, farmer, order["id"], "delivered")
    assert delivered.status_code == 200, delivered.text
    release_at = datetime.fromisoformat(delivered.json()["release_at"].replace("Z", "+00:00"))

    completed = wait_for(
        lambda: (o := order_of(soko, http, buyer, order["id"]))["status"] == "completed" and o,
        150,
        "the release",
    )

    assert completed["released_by"] == "window"
    assert datetime.fromisoformat(completed["completed_at"].replace("Z", "+00:00")) >= release_at
    assert datetime.now(UTC) >= release_at
