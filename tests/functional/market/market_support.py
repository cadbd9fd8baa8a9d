"""What the marketplace's functional tests share beyond ``support``: the AWS operations a browse
makes (it must never Scan), direct reads of the market table, and shortcuts that arrange state
through the handlers.

The API is ``support.gateway.Api``: on a protected route a signed-in caller reaches the function
only as the authorizer's context; on a public route (``GET /listings/``, ``GET /listings/{id}``) a
signed-in viewer sends ``Authorization: Bearer <token>``, signed with the deployment's
``JwtSigningSecret``. Every browse request is watched for the AWS operations it makes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from soko_local.provision import Deployment
from support.events import eventbridge_event, sqs_event
from support.gateway import Api, Reply
from support.lambda_env import ACCOUNT_ID, REGION
from support.tables import Table, empty_table
from support.users import User

BROWSE_ROUTE = ("GET", "/listings/")


# ---------------------------------------------------------------------------- DynamoDB operations seen
@dataclass
class OperationRecorder:
    """Records the name of every AWS API call made while ``recording`` (all clients, all services)."""

    recording: bool = False
    calls: list[str] = field(default_factory=list)
    browse_calls: list[list[str]] = field(default_factory=list)  # one entry per browse request

    def record(self, operation: str) -> None:
        if self.recording:
            self.calls.append(operation)

    @contextmanager
    def watch(self, method: str, route_path: str) -> Iterator[None]:
        """Around every function call: a browse request must never Scan."""
        if (method, route_path) != BROWSE_ROUTE:
            yield
            return
        self.calls = []
        self.recording = True
        try:
            yield
        finally:
            self.recording = False
        seen = list(self.calls)
        self.browse_calls.append(seen)
        assert "Scan" not in seen, f"browse used Scan: {seen}"


def forget_stream_records() -> None:
    """Drop the DynamoDB stream records moto keeps for every write (nothing reads them here: the
    outbox relay is not under test). moto deep-copies a whole table, stream records included, for
    every item of every TransactWriteItems, so kept records make each write slower than the last
    (quadratic time, gigabytes of memory over this suite)."""
    from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415

    for table in dynamodb_backends[ACCOUNT_ID][REGION].tables.values():
        if table.stream_shard is not None:
            table.stream_shard.items.clear()


# ---------------------------------------------------------------------------- the market table
class MarketTable(Table):
    def listing(self, listing_id: str) -> dict[str, Any]:
        found = self.item(f"LISTING#{listing_id}", "LISTING")
        assert found is not None, listing_id
        return found

    def grams(self, listing_id: str) -> int:
        return int(self.listing(listing_id)["quantity_g"])

    def order_items(self, order_id: str) -> list[dict[str, Any]]:
        return self.partition(f"ORDER#{order_id}")


# ---------------------------------------------------------------------------- domain helpers
@dataclass
class Market:
    """Shortcuts for arranging state through the handlers (never by writing the table)."""

    api: Api
    table: MarketTable

    def listing(
        self,
        farmer: User,
        *,
        crop: str = "maize",
        price: int = 1200,
        kg: str | int = "500",
        district: str = "Gulu",
        title: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "title": title or f"Good {crop} from {district}",
            "crop": crop,
            "price_per_kg": price,
            "quantity_kg": str(kg),
            "district": district,
            **extra,
        }
        reply = self.api.post("/listings/", body, user=farmer)
        assert reply.status == 201, reply.text
        return dict(reply.json)

    def order(
        self, buyer: User, listing_id: str, kg: str | int = "10", *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        reply = self.api.post(
            "/orders/", {"listing_id": listing_id, "quantity_kg": str(kg)}, user=buyer, headers=headers
        )
        assert reply.status == 201, reply.text
        return dict(reply.json)

    def move(self, order_id: str, user: User, new_status: str) -> Reply:
        return self.api.patch(f"/orders/{order_id}/status", {"new_status": new_status}, user=user)

    def pay(self, order_id: str) -> Any:
        """The buyer's payment completed: the event payments publishes, to the market's consumer."""
        order = self.table.item(f"ORDER#{order_id}", "ORDER")
        assert order is not None, order_id
        detail = {
            "event_id": f"pay-{order_id}",
            "occurred_at": "2026-11-21T09:30:00Z",
            "payment_id": f"P{order_id}",
            "order_id": order_id,
            "buyer_id": order["buyer_id"],
            "farmer_id": order["farmer_id"],
            "amount_ugx": int(order["total_ugx"]),
            "currency": "UGX",
            "provider": "momo",
            "confirmation_code": "MP123",
        }
        event = eventbridge_event("soko.payments", "PaymentCompleted", detail)
        return self.api.invoke("MarketPaymentsConsumerFunction", sqs_event(event))

    def deliver(self, order_id: str, farmer: User) -> dict[str, Any]:
        """Confirmed, paid and delivered: the buyer's dispute window is open."""
        self.move(order_id, farmer, "confirmed").expect(200)
        self.pay(order_id)
        return dict(self.move(order_id, farmer, "delivered").expect(200).json)

    def complete(self, order_id: str, farmer: User, buyer: User) -> dict[str, Any]:
        """Through the whole trade: confirmed, paid, delivered, and the buyer's receipt."""
        self.deliver(order_id, farmer)
        return dict(self.api.post(f"/orders/{order_id}/receipt", user=buyer).expect(200).json)


def empty_all(deployment: Deployment, market_table: MarketTable) -> None:
    empty_table(market_table.name, ("pk", "sk"))
    empty_table(deployment.physical["IdempotencyTable"], ("id",))
    forget_stream_records()


def decode_policy(fields: dict[str, str]) -> dict[str, Any]:
    policy = fields.get("policy") or fields.get("Policy")
    assert policy, fields
    return dict(json.loads(base64.b64decode(policy)))
