"""Fixtures of the chat and notifications functional suite: template.yaml provisioned into moto once
per module, handlers invoked in-process with their template environment, callers given as the
authorizer's context, and pushes to WebSocket connections recorded (``FakeConnections``)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from soko.identity.models import StoredUser
from soko.realtime.dal import ConnectionsDal
from soko.shared import ids
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.gateway import http_event
from support.lambda_env import REGION, deployed, make_invoker
from support.users import User

__all__ = ["REGION", "User"]  # the suite's tests import these from here


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-chat") as deployment:
        yield deployment


class FakeConnections:
    """Stands in for the @connections API: records what each connection received; ``gone`` ones
    answer 410."""

    def __init__(self) -> None:
        self.received: dict[str, list[dict[str, Any]]] = {}
        self.gone: set[str] = set()

    def post(self, connection_id: str, payload: dict[str, Any]) -> bool:
        if connection_id in self.gone:
            return False
        self.received.setdefault(connection_id, []).append(json.loads(json.dumps(payload)))
        return True


@dataclass
class World:
    deployment: Deployment
    connections: FakeConnections

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        return make_invoker(self.deployment)(logical_id, event)

    def http(
        self,
        logical_id: str,
        method: str,
        path: str,
        user: User | None,
        body: Any = None,
        params: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """``path`` is the route's (``/orders/{id}/status``), filled in from ``params``."""
        raw_path = path
        for name, value in (params or {}).items():
            raw_path = raw_path.replace("{" + name + "}", value)
        event = http_event(
            logical_id,
            method,
            raw_path,
            route_path=path,
            headers=headers,
            params=params,
            query=query,
            body=body,
            context=user.context if user is not None else None,
        )
        answer = self.invoke(logical_id, event)
        return answer["statusCode"], json.loads(answer.get("body") or "null"), answer.get("headers") or {}

    def ws_event(self, route: str, user: User | None, connection: str, body: Any = None) -> dict[str, Any]:
        context: dict[str, Any] = {"routeKey": route, "connectionId": connection, "stage": "live"}
        if user is not None:
            context["authorizer"] = {"principalId": user.id, **user.context}
        event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
        if body is not None:
            event["body"] = json.dumps(body)
        return event

    def connect(self, user: User) -> str:
        connection = f"conn-{uuid.uuid4().hex[:10]}"
        assert self.invoke("WsConnectFunction", self.ws_event("$connect", user, connection)) == {
            "statusCode": 200
        }
        return connection

    def user(self, role: str) -> User:
        """A user in the users table (the chat checks that the recipient exists)."""
        user_id = ids.ulid()
        table = boto3.resource("dynamodb", region_name=REGION).Table(self.deployment.physical["UsersTable"])
        stored = StoredUser(
            id=user_id, role=role, created_at="2026-11-21T09:30:00Z", updated_at="2026-11-21T09:30:00Z"
        )  # type: ignore[arg-type]
        table.put_item(
            Item={"pk": f"USER#{user_id}", "sk": "PROFILE", **stored.model_dump(exclude_none=True)}
        )
        return User(user_id, role, f"{user_id.lower()}@example.com")

    def listing(self, farmer: User) -> str:
        """A new listing of ``farmer``, created by the marketplace's own function."""
        status, listing, _ = self.http(
            "ListingsCreateFunction",
            "POST",
            "/listings/",
            farmer,
            {
                "title": "Maize grain",
                "crop": "maize",
                "price_per_kg": 1200,
                "quantity_kg": "100",
                "district": "Lira",
            },
        )
        assert status == 201, listing
        return str(listing["id"])

    def order(self, buyer: User, farmer: User, *statuses: str) -> str:
        """An order of ``buyer`` on a new listing of ``farmer``, placed and then moved through
        ``statuses`` by the marketplace's own functions (as chat sees it in production)."""
        status, order, _ = self.http(
            "OrdersCreateFunction",
            "POST",
            "/orders/",
            buyer,
            {"listing_id": self.listing(farmer), "quantity_kg": "1"},
        )
        assert status == 201, order
        for new_status in statuses:
            if new_status == "paid":  # the buyer's payment completed (payments' event to the market)
                self.invoke("MarketPaymentsConsumerFunction", _payment_completed(order))
                continue
            status, body, _ = self.http(
                "OrdersStatusFunction",
                "PATCH",
                "/orders/{id}/status",
                farmer,
                {"new_status": new_status},
                params={"id": order["id"]},
            )
            assert status == 200, body
        return str(order["id"])


def _payment_completed(order: dict[str, Any]) -> dict[str, Any]:
    from support.events import eventbridge_event, sqs_event  # noqa: PLC0415

    detail = {
        "event_id": f"pay-{order['id']}",
        "occurred_at": "2026-11-21T09:30:00Z",
        "payment_id": f"P{order['id']}",
        "order_id": order["id"],
        "buyer_id": order["buyer_id"],
        "farmer_id": order["farmer_id"],
        "amount_ugx": order["total_ugx"],
        "currency": "UGX",
        "provider": "momo",
        "confirmation_code": "MP1",
    }
    return sqs_event(eventbridge_event("soko.payments", "PaymentCompleted", detail))


@pytest.fixture
def world(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> World:
    connections = FakeConnections()
    monkeypatch.setattr(ConnectionsDal, "post", connections.post)  # a bound method: no self
    return World(deployment, connections)
