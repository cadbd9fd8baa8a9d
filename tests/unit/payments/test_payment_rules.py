"""The payment rules against an in-memory payments table and provider (no moto): who may pay
which order, when a provider's answer credits a payment, when it is disputed, and that every
movement keeps the ledger balanced and happens once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from fakes.payments import FakeProvider, InMemoryPayments

from soko.market.events import OrderCancelled, OrderCompleted, OrderRejected
from soko.payments import attempts, batch, escrow, rules
from soko.payments import events as ev
from soko.payments.errors import OrderAlreadyPaid, OrderNotFound, OrderNotPayable, PaymentInProgress
from soko.payments.models import InitiateRequest, PaymentsConfig
from soko.payments.ports import Payments
from soko.providers.payments import ProviderStatus
from soko.shared.errors import Forbidden
from soko.shared.events import ReceivedEvent
from soko.shared.identity import Caller

BUYER = Caller(user_id="B1", role="buyer", email="b@example.com")
FARMER = Caller(user_id="F1", role="farmer", email="f@example.com")
TOTAL = 120_000


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

    def order(self, status: str = "confirmed") -> str:
        order = Order(id=f"O{len(self.orders) + 1}", status=status)
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

    def order_event(
        self, contract: type[OrderCompleted | OrderCancelled | OrderRejected], order_id: str
    ) -> None:
        fields = {
            "order_id": order_id,
            "listing_id": "L1",
            "buyer_id": BUYER.user_id,
            "farmer_id": FARMER.user_id,
            "crop": "maize_grain",
            "district": "Gulu",
            "quantity_kg": Decimal(100),
            "price_per_kg_ugx": 1_200,
            "total_ugx": TOTAL,
        }
        detail = (
            contract(**fields, completed_at="2026-11-21T09:30:00Z")
            if contract is OrderCompleted
            else contract(**fields)
        )  # type: ignore[call-arg]
        event = ReceivedEvent.model_validate(
            {
                "id": "e1",
                "source": contract.SOURCE,
                "detail-type": contract.DETAIL_TYPE,
                "time": "2026-11-21T09:30:00Z",
                "detail": detail.model_dump(mode="json"),
            }
        )
        escrow.on_order_event(event, self.deps)

    def balanced(self) -> dict[str, int]:
        balances = {k: v for k, v in self.store.balances.items() if v}
        assert sum(self.store.balances.values()) == 0, balances
        return balances


@pytest.fixture
def world() -> World:
    store, provider, orders = InMemoryPayments(), FakeProvider(), {}
    deps = Payments(
        config=PaymentsConfig(
            payments_table_name="unit", market_table_name="unit", commission_percent=Decimal(5)
        ),
        dal=store,
        provider=lambda: provider,
        order=orders.get,
    )
    return World(deps, store, provider, orders)


# ---------------------------------------------------------------------------- the decision (pure)
PAYMENT = {
    "status": "pending",
    "merchant_reference": "P1",
    "amount_ugx": TOTAL,
    "currency": "UGX",
    "escrow": "none",
}


@pytest.mark.parametrize(
    ("stored", "seen", "expected"),
    [
        ({}, ProviderStatus("completed", TOTAL, "UGX", "P1", "MP1"), ("completed", "MP1")),
        ({}, ProviderStatus("completed", TOTAL - 1, "UGX", "P1"), "disputed"),  # an underpayment is not paid
        ({}, ProviderStatus("completed", TOTAL + 1, "UGX", "P1"), "disputed"),
        ({}, ProviderStatus("completed", TOTAL, "KES", "P1"), "disputed"),
        ({}, ProviderStatus("completed", TOTAL, "UGX", "P2"), None),  # another merchant reference
        ({}, ProviderStatus("pending", None, "", "P1"), None),
        ({}, ProviderStatus("failed", None, "", "P1", description="declined"), ("failed", "declined")),
        (
            {"status": "completed", "escrow": "held"},
            ProviderStatus("reversed", TOTAL, "UGX", "P1"),
            "reversed",
        ),
        ({"status": "completed", "escrow": "released"}, ProviderStatus("reversed", TOTAL, "UGX", "P1"), None),
        ({"status": "completed", "escrow": "held"}, ProviderStatus("completed", TOTAL, "UGX", "P1"), None),
        ({"status": "disputed"}, ProviderStatus("completed", TOTAL, "UGX", "P1"), None),
    ],
)
def test_what_the_provider_says_decides_the_status(
    stored: dict[str, object], seen: ProviderStatus, expected: object
) -> None:
    decision = rules.decide({**PAYMENT, **stored}, seen)
    assert (decision[0] if isinstance(expected, str) and decision else decision) == expected


# ---------------------------------------------------------------------------- who may pay
def test_only_the_buyer_pays_a_confirmed_order_once(world: World) -> None:
    stranger = Caller(user_id="S1", role="buyer", email="s@example.com")
    confirmed, pending = world.order(), world.order("pending")
    request = InitiateRequest(order_id=confirmed, phone="0772123456")
    with pytest.raises(OrderNotFound):
        attempts.initiate(stranger, request, world.deps)
    with pytest.raises(Forbidden):
        attempts.initiate(FARMER, request, world.deps)
    with pytest.raises(OrderNotPayable):
        attempts.initiate(BUYER, InitiateRequest(order_id=pending, phone="0772123456"), world.deps)
    payment = world.pay(confirmed)
    assert world.provider.submitted == [(payment["id"], TOTAL, "UGX")]
    with pytest.raises(PaymentInProgress):  # the provider still says pending
        attempts.initiate(BUYER, request, world.deps)
    world.provider.says(payment, "completed")
    attempts.refresh(world.store.payments[str(payment["id"])], world.deps)
    with pytest.raises(OrderAlreadyPaid):
        attempts.initiate(BUYER, request, world.deps)


def test_a_failed_attempt_frees_the_order_for_another(world: World) -> None:
    order_id = world.order()
    first = world.pay(order_id)
    world.provider.says(first, "failed")
    assert attempts.refresh(world.store.payments[str(first["id"])], world.deps)["status"] == "failed"
    assert world.pay(order_id)["id"] != first["id"]
    assert world.balanced() == {} and [type(e) for e in world.store.events] == [ev.PaymentFailed]


# ---------------------------------------------------------------------------- crediting and the ledger
def test_a_completed_payment_is_held_in_escrow_once(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    assert (payment["status"], payment["escrow"]) == ("completed", "held")
    assert world.balanced() == {f"buyer:{BUYER.user_id}": -TOTAL, f"escrow:{order_id}": TOTAL}
    for _ in range(2):  # a replayed notification changes nothing
        attempts.refresh(world.store.payments[str(payment["id"])], world.deps)
    assert [type(e) for e in world.store.events] == [ev.PaymentCompleted]
    assert len(world.store.journal) == 1


@pytest.mark.parametrize(("amount", "currency"), [(TOTAL - 1_000, "UGX"), (TOTAL, "USD")])
def test_a_wrong_amount_or_currency_is_disputed_never_credited(
    world: World, amount: int, currency: str
) -> None:
    order_id = world.order()
    payment = world.pay(order_id)
    world.provider.says(payment, "completed", amount=amount, currency=currency)
    after = attempts.refresh(world.store.payments[str(payment["id"])], world.deps)
    assert after["status"] == "disputed" and after["escrow"] == "none"
    assert world.balanced() == {} and world.store.events == []
    assert [m["payment_id"] for m in world.store.mismatches()] == [payment["id"]]
    with pytest.raises(PaymentInProgress):  # blocked for new attempts: the buyer never pays twice
        attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone="0772123456"), world.deps)


def test_a_completed_order_pays_the_farmer_less_commission_once_and_settles(world: World) -> None:
    order_id = world.order()
    world.paid(order_id)
    world.orders[order_id].status = "completed"
    world.order_event(OrderCompleted, order_id)
    world.order_event(OrderCompleted, order_id)  # redelivered: no second payout
    assert world.balanced() == {
        f"buyer:{BUYER.user_id}": -TOTAL,
        f"farmer:{FARMER.user_id}": 114_000,
        "platform:fees": 6_000,
    }
    assert len(world.store.payouts) == 1
    summary = batch.settle(world.deps)
    assert (summary.settled, summary.settled_ugx) == (1, 114_000)
    assert world.balanced()[f"settled:{FARMER.user_id}"] == 114_000
    assert batch.settle(world.deps).settled == 0


@pytest.mark.parametrize("contract", [OrderCancelled, OrderRejected])
def test_a_paid_order_that_ends_undelivered_is_refunded_in_full_once(
    world: World, contract: type[OrderCancelled | OrderRejected]
) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.order_event(contract, order_id)
    world.order_event(contract, order_id)
    assert world.balanced() == {}  # the buyer has it all back
    assert world.provider.refunds == [(payment["confirmation_code"], TOTAL)]
    stored = world.store.payments[str(payment["id"])]
    assert (stored["escrow"], stored["refund"]) == ("refunded", "submitted")
    assert [type(e) for e in world.store.events] == [ev.PaymentCompleted, ev.RefundRequested]


def test_an_unpaid_order_ending_moves_no_money(world: World) -> None:
    order_id = world.order()
    world.pay(order_id)
    world.order_event(OrderRejected, order_id)
    world.order_event(OrderCompleted, order_id)
    assert world.balanced() == {} and world.provider.refunds == [] and world.store.payouts == {}
