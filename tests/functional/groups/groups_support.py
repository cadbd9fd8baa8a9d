"""What the groups functional tests share: a tiered listing written as the market stores it (the
market's own API for tiers is built in parallel: the item is what ``MarketReads.listing_terms``
reads), the groups' API, the captured bus, the deadline timer fired as the scheduler would, and
the market's and payments' events built as their contracts say."""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import boto3

from soko.shared import clock, ids
from soko.shared.events import EventDetail
from soko_local.provision import Deployment
from support.events import eventbridge_event, order_detail, sqs_event
from support.gateway import Api, Reply
from support.lambda_env import REGION, Invoke
from support.tables import Table
from support.users import User, new_user

TIERS = [{"min_kg": "1000", "discount_percent": 5}, {"min_kg": "2000", "discount_percent": 10}]


@dataclass
class Bus:
    """EventPublisher.publish, captured (``fail``: the bus refuses the next publishes)."""

    events: list[EventDetail] = field(default_factory=list)
    fail: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, events: Any, **_: Any) -> None:
        events = list(events)
        if self.fail:
            raise RuntimeError("the bus is down")
        with self.lock:
            self.events.extend(events)

    def clear(self) -> None:
        self.events.clear()
        self.fail = False

    def of(self, detail_type: str, group_id: str | None = None) -> list[dict[str, Any]]:
        return [
            e.model_dump(mode="json")
            for e in self.events
            if detail_type == e.DETAIL_TYPE
            and (
                group_id is None
                or getattr(e, "group_id", None) == group_id
                or e.model_dump().get("data", {}).get("group_id") == group_id
            )
        ]

    def notices(self, group_id: str, step: str) -> dict[str, dict[str, Any]]:
        return {n["user_id"]: n for n in self.of("GroupNoticeIssued", group_id) if n["data"]["step"] == step}


@dataclass
class Groups:
    deployment: Deployment
    api: Api
    invoke: Invoke
    bus: Bus

    @property
    def table(self) -> Table:
        return Table(self.deployment.physical["GroupsTable"])

    @property
    def market_table(self) -> Table:
        return Table(self.deployment.physical["MarketTable"])

    # ---- the market's listing
    def listing(
        self,
        *,
        farmer: User | None = None,
        tiers: list[dict[str, Any]] | None = None,
        stock_kg: int = 5000,
        status: str = "active",
        price: int = 3800,
    ) -> dict[str, Any]:
        listing_id = ids.ulid()
        item = {
            "pk": f"LISTING#{listing_id}",
            "sk": "LISTING",
            "id": listing_id,
            "farmer_id": (farmer or new_user("farmer")).id,
            "title": "Nambale beans, dry",
            "crop": "beans",
            "district": "Lira",
            "price_per_kg": price,
            "quantity_g": stock_kg * 1000,
            "status": status,
            "price_tiers": TIERS if tiers is None else tiers,
            "created_at": clock.now_iso(),
        }
        boto3.resource("dynamodb", region_name=REGION).Table(self.market_table.name).put_item(Item=item)
        return item

    # ---- the API
    def start(
        self,
        listing: dict[str, Any],
        buyer: User,
        *,
        target: str = "2000",
        quantity: str = "500",
        **fields: Any,
    ) -> Reply:
        deadline = clock.iso(clock.now() + timedelta(days=3))
        body = {
            "listing_id": listing["id"],
            "target_kg": target,
            "deadline": deadline,
            "quantity_kg": quantity,
        }
        return self.api.post("/groups", {**body, **fields}, user=buyer)

    def group(self, listing: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        return dict(
            self.start(listing or self.listing(), kwargs.pop("buyer", None) or new_user("buyer"), **kwargs)
            .expect(201)
            .json
        )

    def join(self, group_id: str, buyer: User, kg: str) -> Reply:
        return self.api.post(f"/groups/{group_id}/join", {"quantity_kg": kg}, user=buyer)

    def leave(self, group_id: str, buyer: User) -> Reply:
        return self.api.post(f"/groups/{group_id}/leave", user=buyer)

    def stored(self, group_id: str) -> dict[str, Any]:
        item = self.table.item(f"GROUP#{group_id}", "GROUP")
        assert item is not None
        return item

    def members(self, group_id: str) -> list[dict[str, Any]]:
        return [i for i in self.table.partition(f"GROUP#{group_id}") if str(i["sk"]).startswith("MEMBER#")]

    # ---- the deadline timer
    def schedule(self, group_id: str) -> dict[str, Any]:
        name = f"group.{group_id}.deadline"
        group = self.deployment.schedule_groups["GroupTimerGroup"]
        return dict(boto3.client("scheduler", region_name=REGION).get_schedule(GroupName=group, Name=name))

    def fire(self, group_id: str) -> Any:
        body = self.schedule(group_id)["Target"]["Input"]
        return self.invoke(
            "GroupTimersConsumerFunction", {"Records": [{**sqs_event({})["Records"][0], "body": body}]}
        )

    # ---- the market's and payments' events, as their contracts say
    def consume(self, *events: dict[str, Any]) -> Any:
        return self.invoke("GroupEventsConsumerFunction", sqs_event(*events))


def order_event(
    detail_type: str, order_id: str, buyer_id: str, group_id: str | None, **fields: Any
) -> dict[str, Any]:
    detail = order_detail(order_id, buyer_id=buyer_id, event_id=ids.ulid(), **fields)
    if group_id:
        detail["group_id"] = group_id
    if detail_type == "OrderExpired":
        detail.setdefault("reason", "unpaid")
    return eventbridge_event("soko.orders", detail_type, detail)


def payment_event(order_id: str, buyer_id: str) -> dict[str, Any]:
    detail = {
        "event_id": ids.ulid(),
        "payment_id": ids.ulid(),
        "order_id": order_id,
        "buyer_id": buyer_id,
        "farmer_id": "F1",
        "amount_ugx": 100_000,
        "currency": "UGX",
        "provider": "mtn_momo",
        "confirmation_code": "X1",
    }
    return eventbridge_event("soko.payments", "PaymentCompleted", detail)


def refused_event(group_id: str, listing_id: str) -> dict[str, Any]:
    detail = {"event_id": ids.ulid(), "group_id": group_id, "listing_id": listing_id, "reason": "stock"}
    return eventbridge_event("soko.orders", "GroupOrdersRefused", detail)


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def unique() -> str:
    return uuid.uuid4().hex[:8]


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
