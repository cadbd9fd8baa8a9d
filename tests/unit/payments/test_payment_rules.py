"""The payment rules against an in-memory payments table and provider (no moto): who may pay
which order, when a provider's answer credits a payment, when it is disputed, and that every
movement keeps the ledger balanced and happens once."""

from __future__ import annotations

import pytest
from payments_world import BUYER, FARMER, TOTAL, World

from soko.market.events import OrderCancelled, OrderCompleted, OrderRejected
from soko.payments import attempts, batch, rules
from soko.payments import events as ev
from soko.payments.errors import OrderAlreadyPaid, OrderNotFound, OrderNotPayable, PaymentInProgress
from soko.payments.models import InitiateRequest
from soko.providers.payments import ProviderStatus
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller

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
    assert stored["escrow"] == "refunded"
    assert world.store.refunds[str(payment["id"])]["status"] == "submitted"
    assert [type(e) for e in world.store.events] == [ev.PaymentCompleted, ev.RefundRequested]


def test_an_unpaid_order_ending_moves_no_money(world: World) -> None:
    order_id = world.order()
    world.pay(order_id)
    world.order_event(OrderRejected, order_id)
    world.order_event(OrderCompleted, order_id)
    assert world.balanced() == {} and world.provider.refunds == [] and world.store.payouts == {}
