"""What the coops functional tests share: farmer accounts made through identity's API (with a
verified phone, as a USSD sign-up gives), a coop with members, and the market's and payments' events
as dicts shaped by their contracts (soko.market.events, soko.payments.events), fed to the consumers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import boto3

from soko.shared import ids
from soko.shared.events import EventDetail
from support.events import eventbridge_event, sqs_event
from support.gateway import Api
from support.lambda_env import REGION, Invoke
from support.users import User

ORDERS_CONSUMER = "CoopOrdersConsumerFunction"
PAYMENTS_CONSUMER = "CoopPaymentsConsumerFunction"


@dataclass
class Captured:
    events: list[EventDetail] = field(default_factory=list)

    def publish(self, events: Iterable[EventDetail], **_: Any) -> None:
        self.events.extend(events)

    def of(self, detail_type: str) -> list[Any]:
        return [e for e in self.events if detail_type == e.DETAIL_TYPE]


def _account(api: Api, users_table: str, role: str, name: str, phone: str | None = None) -> User:
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "Soko-test-2026!", "role": role, "fullName": name}
    reply = api.post("/auth/register", body).expect(201)
    user = User(reply.json["id"], role, email, phone=phone)
    if phone:  # a verified phone, as a USSD sign-up gives one (the app's SMS-code flow is identity's)
        table = boto3.resource("dynamodb", region_name=REGION).Table(users_table)
        table.update_item(
            Key={"pk": f"USER#{user.id}", "sk": "PROFILE"},
            UpdateExpression="SET phone = :p, phone_verified = :t",
            ExpressionAttributeValues={":p": phone, ":t": True},
        )
        table.put_item(Item={"pk": f"PHONE#{phone}", "sk": "PHONE", "user_id": user.id})
    return user


def _phone() -> str:
    return f"+2567{uuid.uuid4().int % 10**8:08d}"


@dataclass
class CoopsWorld:
    api: Api
    manager: User
    farmers: list[User]  # five farmers with verified phones
    buyer: User
    captured: Captured = field(default_factory=Captured)

    @classmethod
    def register(cls, api: Api, users_table: str) -> CoopsWorld:
        return cls(
            api,
            manager=_account(api, users_table, "farmer", "Akello Grace", _phone()),
            farmers=[_account(api, users_table, "farmer", f"Farmer {n}", _phone()) for n in range(5)],
            buyer=_account(api, users_table, "buyer", "Kampala Fresh Foods"),
        )

    def coop(self, crops: list[str] | None = None, fee: str = "2") -> dict[str, Any]:
        body = {
            "name": "Gulu Maize Growers",
            "district": "Gulu",
            "crops": crops or ["maize_grain"],
            "fee_percent": fee,
        }
        return dict(self.api.post("/coops", body, user=self.manager).expect(201).json)

    def coop_with_members(self, **kwargs: Any) -> dict[str, Any]:
        coop = self.coop(**kwargs)
        for farmer in self.farmers:
            self.api.post(f"/coops/{coop['id']}/members", {"user_id": farmer.id}, user=self.manager).expect(
                201
            )
        return coop

    def commit(self, coop_id: str, farmer: User, kg: str, crop: str = "maize_grain") -> dict[str, Any]:
        body = {"crop": crop, "quantity_kg": kg}
        return dict(self.api.post(f"/coops/{coop_id}/commitments", body, user=farmer).expect(201).json)

    def publish(self, coop_id: str, crop: str = "maize_grain", price: int = 1100) -> dict[str, Any]:
        body = {"crop": crop, "title": "Gulu maize, pooled", "price_per_kg": price}
        return dict(self.api.post(f"/coops/{coop_id}/listings", body, user=self.manager).expect(202).json)


def order_event(detail_type: str, order_id: str, listing_id: str, kg: str, **extra: Any) -> dict[str, Any]:
    """A soko.orders event as the market publishes it (soko.market.events' ``_Order`` fields, plus
    the optional ``coop_id`` the market helper adds)."""
    price = 1100
    detail = {
        "schema_version": 1,
        "event_id": ids.ulid(),
        "occurred_at": "2026-11-21T09:30:00Z",
        "order_id": order_id,
        "listing_id": listing_id,
        "buyer_id": "01JD0000000000000000000002",
        "farmer_id": "01JD0000000000000000000000",
        "crop": "maize_grain",
        "district": "Gulu",
        "quantity_kg": kg,
        "price_per_kg_ugx": price,
        "total_ugx": int(Decimal(kg) * price),
        **extra,
    }
    return eventbridge_event("soko.orders", detail_type, detail)


def payment_event(detail_type: str, order_id: str, **fields: Any) -> dict[str, Any]:
    detail = {"schema_version": 1, "event_id": ids.ulid(), "occurred_at": "2026-11-21T09:30:00Z", **fields}
    if detail_type == "PaymentCompleted":
        detail = {
            "payment_id": ids.ulid(),
            "buyer_id": "01JD0000000000000000000002",
            "farmer_id": "01JD0000000000000000000000",
            "amount_ugx": 550000,
            "currency": "UGX",
            "provider": "pesapal",
            "confirmation_code": "PP-1",
            **detail,
        }
    detail["order_id"] = order_id
    return eventbridge_event("soko.payments", detail_type, detail)


def feed(invoke: Invoke, function: str, *events: dict[str, Any]) -> dict[str, Any]:
    result = invoke(function, sqs_event(*events))
    assert isinstance(result, dict)
    return result
