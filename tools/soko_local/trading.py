"""``make trade-day``: a scripted day of trading in the running local runtime, through its HTTP API.

On top of ``make seed``'s demo world, the demo buyers order from the demo farmers' listings and each
order goes one of the ways orders go in real life, in a fixed mix: most are confirmed, paid by mobile
money (the sandbox PesaPal), delivered and received, then reviewed; some are rejected by the farmer,
cancelled by the buyer, declined at payment, or paid and disputed. Buyers also search for crops
nobody offers in their district. The script answers its own tally of what it did, so a test (and
anyone watching the admin dashboard) can compare what the analytics report with what happened.
Deterministic for a given ``--orders`` and ``--seed``; every step is a real request a user could
make, nothing is written behind the API's back.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import requests

from soko_local.seed import BUYERS, FARMERS, PASSWORD, _email

TIMEOUT = 30
WAIT_SECONDS = 60
# What happens to order i: OUTCOMES[i % len(OUTCOMES)].
OUTCOMES = (
    "completed",
    "rejected",
    "completed",
    "cancelled",
    "completed",
    "payment_failed",
    "completed",
    "disputed",
    "completed",
    "completed",
)
# Searches that find nothing: crops nobody offers in these districts.
EMPTY_SEARCHES = (("sesame", "Kotido"), ("rice", "Hoima"), ("millet", "Arua"))


RETRIES = 5


def _code(reply: requests.Response) -> str | None:
    try:
        return str(reply.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


class TradingError(RuntimeError):
    """A step the API refused: the message says which and why."""


@dataclass
class Tally:
    """What the script did, counted by the script itself."""

    placed: int = 0
    confirmed: int = 0
    rejected: int = 0
    cancelled: int = 0
    payments_succeeded: int = 0
    payments_failed: int = 0
    completed: int = 0
    disputed: int = 0
    reviews: int = 0
    empty_searches: int = 0
    gmv_ugx: int = 0  # goods value of the orders paid (no transport in this script: fare 0)
    completed_value_ugx: int = 0
    completed_kg_by_crop: dict[str, float] = field(default_factory=dict)
    orders: list[dict[str, Any]] = field(default_factory=list)  # id, farmer_id, buyer_id, outcome, total

    def add(self, other: Tally) -> None:
        for name, value in asdict(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        kg: Counter[str] = Counter(self.completed_kg_by_crop)
        kg.update(other.completed_kg_by_crop)
        self.completed_kg_by_crop = dict(kg)
        self.orders.extend(other.orders)


@dataclass(frozen=True)
class Account:
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Trader:
    def __init__(self, base_url: str):
        self.url = base_url.rstrip("/")
        self.http = requests.Session()

    def call(self, method: str, path: str, who: Account | None = None, **kwargs: Any) -> requests.Response:
        """One request; a write that lost a race (409 ``CONCURRENT_UPDATE``, "try again") is tried
        again, as the API asks and a real client does."""
        headers = who.headers if who else {}
        for attempt in range(RETRIES):
            reply = self.http.request(method, f"{self.url}{path}", headers=headers, timeout=TIMEOUT, **kwargs)
            if reply.status_code != 409 or _code(reply) != "CONCURRENT_UPDATE":
                break
            time.sleep(0.1 * (attempt + 1))
        return reply

    def ok(self, reply: requests.Response, step: str) -> dict[str, Any]:
        if reply.status_code >= 300:
            raise TradingError(f"{step}: HTTP {reply.status_code} {reply.text[:300]}")
        return dict(reply.json()) if reply.content else {}

    def account(self, name: str) -> Account:
        tokens = self.ok(
            self.call("POST", "/auth/login", json={"email": _email(name), "password": PASSWORD}),
            f"sign in {name} (run `make seed` first)",
        )
        who = Account("", tokens["access_token"])
        return Account(self.ok(self.call("GET", "/auth/me", who), "who am I")["id"], who.token)

    def eventually(self, check: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.2)
        raise TradingError(f"timed out waiting for {what}")

    def order_view(self, order_id: str, who: Account) -> dict[str, Any]:
        return self.ok(self.call("GET", f"/orders/{order_id}", who), "read the order")

    def status(self, order_id: str, farmer: Account, status: str) -> None:
        self.ok(
            self.call("PATCH", f"/orders/{order_id}/status", farmer, json={"new_status": status}),
            f"farmer sets {status}",
        )

    def pay(self, order_id: str, buyer: Account, succeed: bool) -> None:
        started = self.ok(
            self.call(
                "POST", "/payments/initiate", buyer, json={"order_id": order_id, "phone": "0772123456"}
            ),
            "start the payment",
        )
        outcome = "complete" if succeed else "fail"
        self.ok(
            self.call("POST", f"/_sandbox/pesapal/{started['order_tracking_id']}/{outcome}"),
            f"the sandbox {outcome}s the payment",
        )
        payment = started["payment_id"]

        def settled() -> bool:
            status = self.ok(self.call("GET", f"/payments/{payment}/status", buyer), "payment status")
            return bool(status["status"] == ("completed" if succeed else "failed"))

        self.eventually(settled, "the payment's outcome")
        if succeed:
            self.eventually(
                lambda: self.order_view(order_id, buyer)["payment_status"] == "paid (escrow)",
                "the order to show it is paid",
            )

    def trade(
        self, index: int, outcome: str, buyer: Account, farmer: Account, listing: dict[str, Any]
    ) -> Tally:
        tally = Tally()
        kg = 5 + (index * 7) % 16
        order = self.ok(
            self.call("POST", "/orders/", buyer, json={"listing_id": listing["id"], "quantity_kg": str(kg)}),
            "place an order",
        )
        tally.placed += 1
        order_id, total = order["id"], int(order["total_ugx"])
        tally.orders.append(
            {
                "id": order_id,
                "buyer_id": buyer.id,
                "farmer_id": farmer.id,
                "outcome": outcome,
                "total_ugx": total,
            }
        )
        if outcome == "rejected":
            self.status(order_id, farmer, "rejected")
            tally.rejected += 1
            return tally
        if outcome == "cancelled":
            self.ok(self.call("POST", f"/orders/{order_id}/cancel", buyer), "the buyer cancels")
            tally.cancelled += 1
            return tally
        self.status(order_id, farmer, "confirmed")
        tally.confirmed += 1
        if outcome == "payment_failed":
            self.pay(order_id, buyer, succeed=False)
            tally.payments_failed += 1
            return tally
        self.pay(order_id, buyer, succeed=True)
        tally.payments_succeeded += 1
        tally.gmv_ugx += total
        self.status(order_id, farmer, "delivered")
        if outcome == "disputed":
            self.ok(
                self.call(
                    "POST",
                    f"/orders/{order_id}/disputes",
                    buyer,
                    json={"reason": "poor_quality", "details": "Half the bags were wet when they arrived."},
                ),
                "the buyer opens a dispute",
            )
            tally.disputed += 1
            return tally
        self.ok(self.call("POST", f"/orders/{order_id}/receipt", buyer), "the buyer confirms receipt")
        tally.completed += 1
        tally.completed_value_ugx += total
        tally.completed_kg_by_crop = {listing["crop"]: float(kg)}
        rating = 3 + index % 3
        self.ok(
            self.call("POST", f"/orders/{order_id}/review", buyer, json={"rating": rating}),
            "the buyer reviews",
        )
        tally.reviews += 1
        return tally


def run(base_url: str, orders: int = 20, seed: int = 2026, parallel: int = 3) -> Tally:
    """One day of trading: ``orders`` orders in the fixed mix of outcomes, ``parallel`` at a time."""
    trader = Trader(base_url)
    farmers = {name: trader.account(name) for name, *_ in FARMERS}
    buyers = [trader.account(name) for name, *_ in BUYERS]
    by_farmer = {account.id: account for account in farmers.values()}
    listings = [
        listing
        for account in farmers.values()
        for listing in trader.ok(
            trader.call("GET", "/listings/", params={"farmer_id": account.id, "limit": 20}),
            "a farmer's listings",
        )["items"]
        if listing.get("status", "active") == "active"
    ]
    if not listings:
        raise TradingError("the demo farmers have no listings: run `make seed` first")
    pick = random.Random(seed)  # noqa: S311  (a repeatable demo mix, not a secret)
    plan = [
        (i, OUTCOMES[i % len(OUTCOMES)], buyers[i % len(buyers)], pick.choice(listings))
        for i in range(orders)
    ]
    tally = Tally()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [
            pool.submit(Trader(base_url).trade, i, outcome, buyer, by_farmer[listing["farmer_id"]], listing)
            for i, outcome, buyer, listing in plan
        ]
        for future in futures:
            tally.add(future.result())
    for crop, district in EMPTY_SEARCHES:
        found = trader.ok(
            trader.call("GET", "/listings/", params={"crop": crop, "district": district}), "search"
        )
        if not found["items"]:
            tally.empty_searches += 1
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    try:
        tally = run(f"http://{args.host}:{args.port}", args.orders, args.seed)
    except requests.ConnectionError:
        print(
            f"error: no local runtime at {args.host}:{args.port}; start it with `make dev`", file=sys.stderr
        )
        return 1
    except TradingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    summary = {k: v for k, v in asdict(tally).items() if k != "orders"}
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
