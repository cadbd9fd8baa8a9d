"""Helpers of the payments functional suite: the handlers run in-process against moto resources
provisioned from template.yaml, and talk over real HTTP to the sandbox PesaPal/MoMo served on
127.0.0.1 by a werkzeug server in a thread. That server also serves ``/webhook/pesapal`` by
invoking the template's IPN functions, so the sandbox's IPN reaches the webhook exactly as in
the local runtime."""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from soko_local.sandbox_payments import PaymentsSandbox

EVENTS = Path(__file__).parents[3] / "events"
Invoke = Callable[[str, dict[str, Any]], Any]


def sample(function: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / f"{function}.json").read_text()))


def http_event(
    function: str,
    method: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    user: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    path_id: str | None = None,
) -> dict[str, Any]:
    event = copy.deepcopy(sample(function))
    for key in ("body", "queryStringParameters", "pathParameters"):
        event.pop(key, None)
    event["rawPath"] = path
    event["rawQueryString"] = urlencode(query or {})
    event["headers"] = {"content-type": "application/json", **(headers or {})}
    context = event["requestContext"]
    context.pop("authorizer", None)
    context["http"].update(method=method, path=path)
    context["requestId"] = str(uuid.uuid4())
    if query:
        event["queryStringParameters"] = query
    if path_id:
        event["pathParameters"] = {"id": path_id}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if user is not None:
        context["authorizer"] = {"lambda": user}
    return event


def sqs_event(events: list[dict[str, Any]]) -> dict[str, Any]:
    """SQS records holding EventBridge events built from outbox items."""
    records = []
    for item in events:
        body = {
            "version": "0",
            "id": str(uuid.uuid4()),  # a redelivery gets a new EventBridge id: dedup is on event_id
            "detail-type": item["detail_type"],
            "source": item["source"],
            "time": "2026-11-21T09:30:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": json.loads(item["detail"]),
        }
        records.append(
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "x",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}


@dataclass
class User:
    id: str
    role: str

    @property
    def context(self) -> dict[str, str]:
        return {"userId": self.id, "role": self.role, "email": f"{self.id.lower()}@example.com"}


def order_detail(order_id: str, **fields: Any) -> dict[str, Any]:
    """An order event's detail as the marketplace publishes it (its consumers parse the whole
    contract); the payments consumer acts on ``order_id`` alone."""
    return {
        "order_id": order_id,
        "listing_id": "L1",
        "buyer_id": "B1",
        "farmer_id": "F1",
        "crop": "maize_grain",
        "district": "Gulu",
        "quantity_kg": "100.000",
        "price_per_kg_ugx": 1_200,
        "total_ugx": 120_000,
        **fields,
    }


def new_user(role: str) -> User:
    return User(id=uuid.uuid4().hex[:26].upper(), role=role)


@dataclass
class Tables:
    payments_name: str
    market_name: str

    def _t(self, name: str) -> Any:
        return boto3.resource("dynamodb", region_name="us-east-1").Table(name)

    def all_payments_items(self) -> list[dict[str, Any]]:
        return list(self._t(self.payments_name).scan()["Items"])  # tests may scan; product code queries

    def outbox(self, detail_type: str, table: str = "payments") -> list[dict[str, Any]]:
        name = self.payments_name if table == "payments" else self.market_name
        items = self._t(name).scan()["Items"]
        return [i for i in items if str(i["pk"]).startswith("OUTBOX#") and i["detail_type"] == detail_type]

    def set_order_status(self, order_id: str, status: str) -> None:
        self._t(self.market_name).update_item(
            Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": status},
        )

    def mismatches(self) -> list[dict[str, Any]]:
        return [i for i in self.all_payments_items() if str(i["pk"]).startswith("MISMATCH#")]

    def payment(self, payment_id: str) -> dict[str, Any]:
        return dict(
            self._t(self.payments_name).get_item(Key={"pk": f"PAYMENT#{payment_id}", "sk": "PAYMENT"})["Item"]
        )

    def balances(self) -> dict[str, int]:
        items = self.all_payments_items()
        return {
            str(i["pk"]).removeprefix("ACCOUNT#"): int(i["balance"])
            for i in items
            if str(i["pk"]).startswith("ACCOUNT#")
        }

    def put_order(self, buyer: User, farmer: User, total: int, status: str = "confirmed") -> str:
        order_id = uuid.uuid4().hex[:26].upper()
        self._t(self.market_name).put_item(
            Item={
                "pk": f"ORDER#{order_id}",
                "sk": "ORDER",
                "id": order_id,
                "listing_id": "L1",
                "buyer_id": buyer.id,
                "farmer_id": farmer.id,
                "crop": "maize_grain",
                "title": "Maize",
                "district": "Gulu",
                "quantity_g": 100_000,
                "price_per_kg": total // 100,
                "total_ugx": total,
                "status": status,
                "payment_status": "unpaid",
                "created_at": "2026-11-21T09:00:00Z",
                "updated_at": "2026-11-21T09:00:00Z",
                "version": 1,
            }
        )
        return order_id

    def order(self, order_id: str) -> dict[str, Any]:
        return dict(
            self._t(self.market_name).get_item(Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"})["Item"]
        )


@dataclass
class SandboxServer:
    """The sandbox providers on 127.0.0.1 plus ``/webhook/pesapal`` -> the IPN functions."""

    invoke: Invoke
    sandbox: PaymentsSandbox = field(default_factory=PaymentsSandbox)
    url: str = ""
    ipn_calls: int = 0

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        if request.path == "/webhook/pesapal":
            self.ipn_calls += 1
            function = "PesapalIpnGetFunction" if request.method == "GET" else "PesapalIpnPostFunction"
            event = http_event(
                function,
                request.method,
                "/webhook/pesapal",
                query=dict(request.args) or None,
                body=request.get_data(as_text=True) or None,
            )
            result = self.invoke(function, event)
            response = Response(result["body"], status=result["statusCode"], content_type="application/json")
        else:
            found = self.sandbox.dispatch(request, request.path.removeprefix("/_sandbox"))
            response = found if found is not None else Response("not found", status=404)
        return response(environ, start_response)

    @contextmanager
    def running(self) -> Iterator[SandboxServer]:
        server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{server.server_port}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            thread.join(timeout=5)

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        import requests  # noqa: PLC0415

        reply = requests.post(f"{self.url}/_sandbox{path}", json=body or {}, timeout=30)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())
