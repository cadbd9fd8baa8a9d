"""What the payments functional tests share with other suites (the reports reconcile with the
payments ledger): the sandbox providers on a real port with the template's functions pointed at
them, and direct reads and writes of the payments and market tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from soko.providers import momo, pesapal
from soko_local.provision import Deployment
from support.lambda_env import SetEnv, make_invoker
from support.sandbox import SandboxServer
from support.users import User


@contextmanager
def sandbox_server(deployment: Deployment, setenv: SetEnv) -> Iterator[SandboxServer]:
    """The sandbox providers and the webhook on a real port; the template's functions pointed at them
    (``setenv``: ``monkeypatch.setenv``); the providers' process caches cleared before and after."""
    pesapal.clear_cache()
    server = SandboxServer()
    server.invoke = make_invoker(deployment, overrides=server.provider_urls, setenv=setenv)
    yield server
    server.close()
    pesapal.clear_cache()
    momo._tokens.clear()


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
        """The mismatch cases (one per payment)."""
        return [
            i for i in self.all_payments_items() if str(i["pk"]).startswith("MISMATCH#") and i["sk"] == "CASE"
        ]

    def refund(self, payment_id: str) -> dict[str, Any]:
        return dict(
            self._t(self.payments_name).get_item(Key={"pk": f"REFUND#{payment_id}", "sk": "REFUND"})["Item"]
        )

    def payment(self, payment_id: str) -> dict[str, Any]:
        return dict(
            self._t(self.payments_name).get_item(Key={"pk": f"PAYMENT#{payment_id}", "sk": "PAYMENT"})["Item"]
        )

    def balances(self) -> dict[str, int]:
        items = self.all_payments_items()
        return {
            str(i["pk"]).removeprefix("ACCOUNT#"): int(i["balance"])
            for i in items
            if str(i["pk"]).startswith("ACCOUNT#") and i["sk"] == "BALANCE"
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
