"""The payments unit suites' world: an in-memory payments table, a fake provider, orders, and
helpers to pay an order and deliver an order or dispute event to the escrow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from fakes.payments import FakeProvider, InMemoryPayments

from soko.disputes.events import DisputeResolved
from soko.market.events import OrderCancelled, OrderCompleted, OrderDisputed, OrderExpired, OrderRejected
from soko.payments import attempts, escrow
from soko.payments.models import InitiateRequest, PaymentsConfig
from soko.payments.ports import Payments
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.identity import Caller

BUYER = Caller(user_id="B1", role="buyer", email="b@example.com")
FARMER = Caller(user_id="F1", role="farmer", email="f@example.com")
TOTAL = 120_000


DEFAULTS: dict[str, dict[str, Any]] = {
    "OrderCompleted": {"completed_at": "2026-11-21T09:30:00Z"},
    "OrderExpired": {"reason": "unpaid"},
    "OrderDisputed": {
        "dispute_id": "D1",
        "reason": "not as described",
        "details": "wet",
        "opened_at": "2026-11-21T09:30:00Z",
    },
}


@dataclass
class FakeTimers:
    """soko.shared.timers.Timers in memory: what was set, by name."""

    set_timers: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail: bool = False

    def set(self, name: str, due: datetime, *, kind: str, subject: str, **fields: Any) -> None:
        if self.fail:
            raise RuntimeError("scheduler unavailable")
        self.set_timers.setdefault(name, {"due": due, "kind": kind, "subject": subject, **fields})

    def cancel(self, name: str) -> None:
        self.set_timers.pop(name, None)


@dataclass
class Order:
    id: str
    buyer_id: str = BUYER.user_id
    farmer_id: str = FARMER.user_id
    status: str = "confirmed"
    total_ugx: int = TOTAL
    title: str = "Maize"


@dataclass
class World:
    deps: Payments
    store: InMemoryPayments
    provider: FakeProvider
    orders: dict[str, Order]
    timers: FakeTimers

    def order(self, status: str = "confirmed", total: int = TOTAL) -> str:
        order = Order(id=f"O{len(self.orders) + 1}", status=status, total_ugx=total)
        self.orders[order.id] = order
        return order.id

    def pay(self, order_id: str) -> dict[str, object]:
        payment = attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone="0772123456"), self.deps)
        stored = self.store.payments[payment.payment_id]
        return stored

    def paid(self, order_id: str) -> dict[str, object]:
        payment = self.pay(order_id)
        self.provider.says(payment, "completed")
        return attempts.refresh(self.store.get_payment(str(payment["id"])) or {}, self.deps)

    def deliver(self, detail: EventDetail) -> None:
        """An order or dispute event, as the escrow's consumers get it."""
        event = ReceivedEvent.model_validate(
            {
                "id": "e1",
                "source": detail.SOURCE,
                "detail-type": detail.DETAIL_TYPE,
                "time": "2026-11-21T09:30:00Z",
                "detail": detail.model_dump(mode="json"),
            }
        )
        escrow.on_order_event(event, self.deps)

    def order_event(
        self,
        contract: type[OrderCompleted | OrderCancelled | OrderRejected | OrderExpired | OrderDisputed],
        order_id: str,
        **extra: Any,
    ) -> None:
        fields: dict[str, Any] = {
            "order_id": order_id,
            "listing_id": "L1",
            "buyer_id": BUYER.user_id,
            "farmer_id": FARMER.user_id,
            "crop": "maize_grain",
            "district": "Gulu",
            "quantity_kg": Decimal(100),
            "price_per_kg_ugx": 1_200,
            "total_ugx": self.orders[order_id].total_ugx if order_id in self.orders else TOTAL,
            **DEFAULTS.get(contract.DETAIL_TYPE, {}),
            **extra,
        }
        self.deliver(contract(**fields))

    def resolved(self, order_id: str, outcome: str, buyer_amount: int = 0, dispute_id: str = "D1") -> None:
        total = self.orders[order_id].total_ugx
        buyer_part = {"release": 0, "refund": total}.get(outcome, buyer_amount)
        self.deliver(
            DisputeResolved(
                dispute_id=dispute_id,
                order_id=order_id,
                buyer_id=BUYER.user_id,
                farmer_id=FARMER.user_id,
                outcome=outcome,
                total_ugx=total,
                buyer_amount_ugx=buyer_part,
                farmer_amount_ugx=total - buyer_part,
                reason="wet maize",
                resolved_by="A1",
                resolved_at="2026-11-22T09:30:00Z",
            )
        )

    def disputed(self, order_id: str, dispute_id: str = "D1") -> None:
        self.order_event(OrderDisputed, order_id, dispute_id=dispute_id)

    def balanced(self) -> dict[str, int]:
        balances = {k: v for k, v in self.store.balances.items() if v}
        assert sum(self.store.balances.values()) == 0, balances
        return balances


@pytest.fixture
def world() -> World:
    store, provider, timers = InMemoryPayments(), FakeProvider(), FakeTimers()
    orders: dict[str, Order] = {}
    deps = Payments(
        config=PaymentsConfig(
            payments_table_name="unit", market_table_name="unit", commission_percent=Decimal(5)
        ),
        dal=store,
        provider=lambda: provider,
        order=orders.get,
        timers=timers,
    )
    return World(deps, store, provider, orders, timers)
