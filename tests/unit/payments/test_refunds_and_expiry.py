"""Refunds record first and attempts that expire (in memory): a refund whose answer was lost is
never submitted twice, a provider outage leaves it for reconciliation, a MoMo request-to-pay that
timed out after MoMo accepted it is found again, and an expired attempt's late money is honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from payments_world import BUYER, TOTAL, World

from soko.market.events import OrderCancelled
from soko.payments import attempts, batch
from soko.payments import events as ev
from soko.payments.errors import OrderAlreadyPaid, ProviderUnavailable
from soko.payments.models import InitiateRequest
from soko.shared import clock

REQUEST = "0772123456"


def later(monkeypatch: pytest.MonkeyPatch, **delta: float) -> None:
    moment = clock.now() + timedelta(**delta)
    monkeypatch.setattr(clock, "now", lambda: moment)


# ---------------------------------------------------------------------------- refunds, record first
def test_a_refund_is_recorded_before_the_provider_is_called(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.provider.down = True
    world.order_event(OrderCancelled, order_id)  # the provider is unreachable: nothing is lost
    refund = world.store.refunds[str(payment["id"])]
    assert (refund["status"], refund["attempts"]) == ("requested", 1)
    balances = world.balanced()
    assert balances[f"refund:{payment['id']}"] == TOTAL and f"escrow:{order_id}" not in balances
    assert world.provider.refunds == []


def test_a_refund_whose_answer_was_lost_is_not_submitted_twice(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.provider.lose_refund_answers = 1  # the provider accepts, the answer never comes back
    world.order_event(OrderCancelled, order_id)
    assert world.store.refunds[str(payment["id"])]["status"] == "requested"
    world.order_event(OrderCancelled, order_id)  # redelivered event: submitted again, read as duplicate
    later(monkeypatch, minutes=5)
    summary = batch.reconcile(world.deps)
    assert world.provider.refunds == [(payment["confirmation_code"], TOTAL)]  # once at the provider
    assert world.store.refunds[str(payment["id"])]["status"] == "submitted"
    assert world.balanced() == {} and summary.errors == 0


def test_reconciliation_submits_a_refund_an_outage_held_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.provider.down = True
    world.order_event(OrderCancelled, order_id)
    assert batch.reconcile(world.deps).errors >= 1  # still down (and too recent anyway)
    world.provider.down = False
    assert batch.reconcile(world.deps).refunds == 0  # recorded under a minute ago: its own run's
    later(monkeypatch, minutes=2)
    summary = batch.reconcile(world.deps)
    assert summary.refunds == 1 and world.store.refunds[str(payment["id"])]["status"] == "submitted"
    assert world.balanced() == {}
    later(monkeypatch, minutes=4)
    assert batch.reconcile(world.deps).refunds == 0  # nothing left to submit


# ---------------------------------------------------------------------------- MoMo: record first
def test_a_request_to_pay_whose_answer_timed_out_is_reconciled(world: World) -> None:
    world.provider.chooses_ids = True  # MoMo: the X-Reference-Id is ours, recorded before the call
    world.provider.lose_submit_answers = 1  # accepted, then the answer timed out
    order_id = world.order()
    payment = attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone=REQUEST), world.deps)
    assert payment.status == "pending" and payment.order_tracking_id  # read back: MoMo has it
    stored = world.store.payments[payment.payment_id]
    assert stored["submitted"] is True and world.store.attempts[order_id]["state"] == "pending"
    world.provider.says(stored, "completed")  # the buyer approves; MoMo's one callback is lost
    batch.reconcile(world.deps)
    assert world.store.payments[payment.payment_id]["status"] == "completed"
    assert world.balanced()[f"escrow:{order_id}"] == TOTAL


def test_a_request_to_pay_that_never_arrived_is_sent_again_under_the_same_id(world: World) -> None:
    world.provider.chooses_ids = True
    world.provider.drop_submits = 1  # lost on the way: MoMo does not know the id
    order_id = world.order()
    payment = attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone=REQUEST), world.deps)
    assert (
        payment.status == "pending"
        and payment.history[-1].note == "submitted again under the same reference id"
    )
    assert world.provider.submitted == [(payment.payment_id, TOTAL, "UGX")]  # once at the provider


def test_a_request_to_pay_that_never_arrived_frees_the_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.provider.chooses_ids = True
    world.provider.down = True  # neither the submit nor the read-back gets through
    order_id = world.order()
    with pytest.raises(ProviderUnavailable):
        attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone=REQUEST), world.deps)
    [stored] = world.store.payments.values()
    assert stored["status"] == "pending" and stored["tracking_id"]  # recorded first, kept for reconciling
    world.provider.down = False
    later(monkeypatch, minutes=5)
    batch.reconcile(world.deps)  # MoMo has no such request: it never arrived
    assert world.store.payments[stored["id"]]["status"] == "failed"
    again = attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone=REQUEST), world.deps)
    assert again.payment_id != stored["id"]


def test_pesapal_unreachable_at_initiate_ends_the_attempt_unsubmitted(world: World) -> None:
    world.provider.down = True
    order_id = world.order()
    with pytest.raises(ProviderUnavailable):
        attempts.initiate(BUYER, InitiateRequest(order_id=order_id, phone=REQUEST), world.deps)
    [stored] = world.store.payments.values()
    assert stored["status"] == "failed" and world.store.events == []  # not the buyer's failure
    world.provider.down = False
    assert world.pay(order_id)["status"] == "pending"


# ---------------------------------------------------------------------------- attempts expire
def test_an_attempt_sets_its_expiry_timer_and_expires_once_if_still_pending(world: World) -> None:
    order_id = world.order()
    payment = world.pay(order_id)
    name = f"payment.{payment['id']}.expire"
    timer = world.timers.set_timers[name]
    assert (timer["kind"], timer["subject"]) == ("payment.expire", payment["id"])
    assert timer["due"] - clock.now() <= timedelta(minutes=30)
    assert attempts.expire(str(payment["id"]), world.deps) is True
    assert attempts.expire(str(payment["id"]), world.deps) is False  # fired twice
    stored = world.store.payments[str(payment["id"])]
    assert stored["status"] == "expired" and world.store.attempts[order_id]["state"] == "failed"
    assert [type(e) for e in world.store.events] == [ev.PaymentExpired]
    assert world.pay(order_id)["id"] != payment["id"]  # the buyer may try again


def test_a_completed_answer_wins_over_the_timer(world: World) -> None:
    order_id = world.order()
    payment = world.pay(order_id)
    world.provider.says(payment, "completed")
    assert attempts.expire(str(payment["id"]), world.deps) is False
    assert world.store.payments[str(payment["id"])]["status"] == "completed"
    assert attempts.expire(str(payment["id"]), world.deps) is False


def test_an_attempt_cannot_start_without_its_timer(world: World) -> None:
    world.timers.fail = True
    order_id = world.order()
    with pytest.raises(ProviderUnavailable):
        world.pay(order_id)
    assert world.store.payments == {} and world.provider.submitted == []
    world.timers.fail = False
    world.pay(order_id)


def test_late_money_for_an_expired_attempt_still_pays_the_order(world: World) -> None:
    order_id = world.order()
    payment = world.pay(order_id)
    attempts.expire(str(payment["id"]), world.deps)
    world.provider.says(payment, "completed")  # the buyer approved just after the deadline
    after = attempts.refresh(world.store.payments[str(payment["id"])], world.deps)
    assert (after["status"], after["escrow"]) == ("completed", "held")
    assert world.store.attempts[order_id]["state"] == "completed"
    with pytest.raises(OrderAlreadyPaid):
        world.pay(order_id)


def test_late_money_is_refunded_when_another_attempt_took_the_order(world: World) -> None:
    order_id = world.order()
    first = world.pay(order_id)
    attempts.expire(str(first["id"]), world.deps)
    second = world.pay(order_id)
    world.provider.says(first, "completed")
    after = attempts.refresh(world.store.payments[str(first["id"])], world.deps)
    assert (after["status"], after["escrow"]) == ("completed", "refunded")
    assert world.provider.refunds == [(after["confirmation_code"], TOTAL)]
    assert world.balanced() == {}
    assert world.store.attempts[order_id]["payment_id"] == second["id"]  # the live attempt goes on
    world.provider.says(second, "completed")
    attempts.refresh(world.store.payments[str(second["id"])], world.deps)
    assert world.balanced()[f"escrow:{order_id}"] == TOTAL


def test_late_money_is_refunded_when_the_order_expired_meanwhile(world: World) -> None:
    order_id = world.order()
    payment = world.pay(order_id)
    attempts.expire(str(payment["id"]), world.deps)
    world.orders[order_id].status = "expired"
    world.provider.says(payment, "completed")
    after = attempts.refresh(world.store.payments[str(payment["id"])], world.deps)
    assert after["escrow"] == "refunded" and world.balanced() == {}
