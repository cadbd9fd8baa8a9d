"""What the disputes functional tests share beyond ``support``: the gateway that records every AWS
operation a request makes, the disputes table, and disputed orders delivered to the consumer as the
market publishes them (``OrderDisputed``, built from its contract)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from soko.market.events import OrderDisputed
from soko.shared import ids
from support.events import eventbridge_event, order_detail, sqs_event
from support.gateway import Api
from support.tables import Table
from support.users import User, new_user

CONSUMER = "DisputesConsumerFunction"


@dataclass
class Gateway(Api):
    operations: list[str] = field(default_factory=list)  # filled by the ``gateway`` fixture

    def __post_init__(self) -> None:
        self.observe = self._fresh_operations

    @contextmanager
    def _fresh_operations(self, method: str, route_path: str) -> Iterator[None]:
        self.operations.clear()
        yield


class DisputesTable(Table):
    def cases(self) -> list[dict[str, Any]]:
        return self.with_prefix("DISPUTE#")


@dataclass
class Case:
    id: str
    order_id: str
    buyer: User
    farmer: User
    total_ugx: int
    detail: dict[str, Any]


def disputed_detail(
    buyer: User,
    farmer: User,
    *,
    total_ugx: int = 120_000,
    opened_at: str = "2026-11-21T09:30:00Z",
    **fields: Any,
) -> dict[str, Any]:
    """An ``OrderDisputed`` detail, checked against the market's contract."""
    order_id, dispute_id = ids.ulid(), ids.ulid()
    detail = order_detail(
        order_id,
        buyer_id=buyer.id,
        farmer_id=farmer.id,
        total_ugx=total_ugx,
        schema_version=1,
        event_id=ids.ulid(),
        occurred_at=opened_at,
        dispute_id=dispute_id,
        reason="quality",
        details="Half the bags were wet on arrival.",
        photos=[f"disputes/{order_id}/{dispute_id}/1.jpg", f"disputes/{order_id}/{dispute_id}/2.jpg"],
        opened_at=opened_at,
        **fields,
    )
    OrderDisputed.model_validate(detail)
    return detail


@dataclass
class Disputes:
    gateway: Gateway
    table: DisputesTable

    def deliver(self, *details: dict[str, Any]) -> dict[str, Any]:
        """The consumer's answer to one batch of OrderDisputed events."""
        batch = sqs_event(*(eventbridge_event("soko.orders", "OrderDisputed", d) for d in details))
        return dict(self.gateway.invoke(CONSUMER, batch))

    def open(
        self, *, total_ugx: int = 120_000, opened_at: str = "2026-11-21T09:30:00Z", **fields: Any
    ) -> Case:
        buyer, farmer = new_user("buyer"), new_user("farmer")
        detail = disputed_detail(buyer, farmer, total_ugx=total_ugx, opened_at=opened_at, **fields)
        assert self.deliver(detail) == {"batchItemFailures": []}
        return Case(detail["dispute_id"], detail["order_id"], buyer, farmer, total_ugx, detail)
