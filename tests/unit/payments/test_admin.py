"""Admins and payments (in memory): only admins, a reason for every action, an AdminActionTaken
with each change, and each kind of mismatch case resolved to a balanced ledger."""

from __future__ import annotations

import pytest
from payments_world import BUYER, TOTAL, World

from soko.payments import admin, attempts, batch
from soko.payments import events as ev
from soko.payments.errors import (
    AccountNotFound,
    InvalidAccount,
    MismatchNotResolvable,
    NoOpenMismatch,
    PaymentNotFound,
)
from soko.payments.models import ResolveRequest
from soko.shared.errors import Forbidden, InvalidCursor
from soko.shared.identity import Caller

ADMIN = Caller(user_id="A1", role="admin", email="a@soko.ug")


def accept(reason: str = "the farmer agreed to the lower amount") -> ResolveRequest:
    return ResolveRequest(action="accept", reason=reason)


def refund(reason: str = "the buyer asked for the money back") -> ResolveRequest:
    return ResolveRequest(action="refund", reason=reason)


def underpaid(world: World, collected: int = TOTAL - 1_000) -> tuple[str, dict[str, object]]:
    order_id = world.order()
    payment = world.pay(order_id)
    world.provider.says(payment, "completed", amount=collected)
    return order_id, attempts.refresh(world.store.payments[str(payment["id"])], world.deps)


def actions(world: World) -> list[ev.AdminActionTaken]:
    return [e for e in world.store.events if isinstance(e, ev.AdminActionTaken)]


def test_only_admins(world: World) -> None:
    _, payment = underpaid(world)
    for who in (BUYER, Caller(user_id="F1", role="farmer", email="f@x.ug")):
        with pytest.raises(Forbidden):
            admin.mismatches(who, 20, None, world.deps)
        with pytest.raises(Forbidden):
            admin.resolve(who, str(payment["id"]), refund(), world.deps)
        with pytest.raises(Forbidden):
            admin.ledger_of(who, "platform:fees", 20, None, world.deps)
    assert actions(world) == [] and world.provider.refunds == []


def test_the_open_cases_are_listed_once_each_and_paged(world: World) -> None:
    cases = [str(underpaid(world)[1]["id"]) for _ in range(3)]
    batch.reconcile(world.deps)
    batch.reconcile(world.deps)  # seen again: still one case each
    first = admin.mismatches(ADMIN, 2, None, world.deps)
    assert len(first.items) == 2 and first.next_cursor
    rest = admin.mismatches(ADMIN, 2, first.next_cursor, world.deps)
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert sorted(c.payment_id for c in [*first.items, *rest.items]) == sorted(cases)  # oldest first
    assert all(c.seen == 1 for c in first.items)  # the reconciliation runs found no new mismatch
    assert {c.kind for c in first.items} == {"amount_mismatch"}
    with pytest.raises(InvalidCursor):
        admin.mismatches(ADMIN, 2, "not-a-cursor", world.deps)


def test_accepting_an_amount_mismatch_credits_what_was_collected(world: World) -> None:
    order_id, payment = underpaid(world)
    resolved = admin.resolve(ADMIN, str(payment["id"]), accept(), world.deps)
    assert (resolved.payment.status, resolved.payment.escrow) == ("completed", "held")
    assert resolved.payment.amount_ugx == TOTAL - 1_000
    assert resolved.case.status == "resolved" and resolved.case.resolution is not None
    assert world.balanced() == {
        f"buyer:{BUYER.user_id}": -(TOTAL - 1_000),
        f"escrow:{order_id}": TOTAL - 1_000,
    }
    [action] = actions(world)
    assert (action.action, action.target_id, action.admin_id) == (
        "payment.mismatch.accept",
        payment["id"],
        "A1",
    )
    assert action.reason == "the farmer agreed to the lower amount"
    with pytest.raises(NoOpenMismatch):
        admin.resolve(ADMIN, str(payment["id"]), accept(), world.deps)
    assert admin.mismatches(ADMIN, 20, None, world.deps).items == []


def test_refunding_an_amount_mismatch_returns_what_was_collected_and_frees_the_order(world: World) -> None:
    order_id, payment = underpaid(world)
    resolved = admin.resolve(ADMIN, str(payment["id"]), refund(), world.deps)
    assert resolved.refund_status == "submitted"
    assert world.provider.refunds == [(f"MP{str(payment['id'])[-6:]}", TOTAL - 1_000)]
    assert world.balanced() == {}
    assert [a.action for a in actions(world)] == ["payment.mismatch.refund"]
    assert world.pay(order_id)["status"] == "pending"  # a new attempt may follow


def test_a_mismatch_the_provider_now_reverses_cannot_be_accepted(world: World) -> None:
    _, payment = underpaid(world)
    world.provider.says(payment, "reversed")
    with pytest.raises(MismatchNotResolvable):
        admin.resolve(ADMIN, str(payment["id"]), accept(), world.deps)
    assert actions(world) == [] and world.balanced() == {}


def test_a_failed_state_for_a_credited_payment_is_accepted_as_a_reversal(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.provider.says(payment, "failed")
    assert batch.reconcile(world.deps).mismatches == 1
    assert batch.reconcile(world.deps).mismatches == 0  # the same case, seen again
    resolved = admin.resolve(ADMIN, str(payment["id"]), accept("the provider never took it"), world.deps)
    assert (resolved.payment.status, resolved.payment.escrow) == ("reversed", "refunded")
    assert world.balanced() == {}


def test_a_state_mismatch_can_be_refunded_only_while_its_escrow_is_held(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.provider.says(payment, "failed")
    batch.reconcile(world.deps)
    admin.resolve(ADMIN, str(payment["id"]), refund(), world.deps)
    assert world.balanced() == {} and len(world.provider.refunds) == 1


def test_an_acknowledged_mismatch_stays_closed(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.orders[order_id].status = "completed"
    attempts.catch_up_with_the_order(order_id, world.deps)  # paid out
    world.provider.says(payment, "failed")
    batch.reconcile(world.deps)
    with pytest.raises(MismatchNotResolvable):
        admin.resolve(ADMIN, str(payment["id"]), refund(), world.deps)  # nothing held
    resolved = admin.resolve(ADMIN, str(payment["id"]), accept("chasing the provider"), world.deps)
    assert resolved.case.resolution is not None and resolved.case.resolution.outcome == "acknowledged"
    assert batch.reconcile(world.deps).mismatches == 0
    assert admin.mismatches(ADMIN, 20, None, world.deps).items == []


def test_a_refused_refund_is_settled_outside_or_submitted_again(world: World) -> None:
    first, second = world.order(), world.order()
    paid = [world.paid(first), world.paid(second)]
    world.provider.refuse_refunds = True
    for order_id in (first, second):
        world.disputed(order_id)
        world.resolved(order_id, "refund")
    assert {c.kind for c in admin.mismatches(ADMIN, 20, None, world.deps).items} == {"refund_refused"}
    settled = admin.resolve(ADMIN, str(paid[0]["id"]), accept("refunded by MoMo disbursement"), world.deps)
    assert settled.refund_status == "settled_outside"
    world.provider.refuse_refunds = False
    again = admin.resolve(ADMIN, str(paid[1]["id"]), refund("the provider fixed its side"), world.deps)
    assert again.refund_status == "submitted"
    assert world.balanced() == {}
    assert len(actions(world)) == 2


def test_bad_ids_and_accounts(world: World) -> None:
    with pytest.raises(PaymentNotFound):
        admin.resolve(ADMIN, "NOPE", accept(), world.deps)
    order_id = world.order()
    payment = world.paid(order_id)
    with pytest.raises(NoOpenMismatch):
        admin.resolve(ADMIN, str(payment["id"]), accept(), world.deps)
    for bad in ("escrow", "escrow:", "bank:1", "escrow:a b", "platform:other", "x" * 300):
        with pytest.raises(InvalidAccount):
            admin.ledger_of(ADMIN, bad, 20, None, world.deps)
    with pytest.raises(AccountNotFound):
        admin.ledger_of(ADMIN, "escrow:UNKNOWN", 20, None, world.deps)


def test_the_ledger_of_an_account_pages_its_postings_with_the_balance(world: World) -> None:
    order_id = world.order()
    world.paid(order_id)
    world.disputed(order_id)
    world.resolved(order_id, "split", 20_000)
    page = admin.ledger_of(ADMIN, f"escrow:{order_id}", 2, None, world.deps)
    assert page.balance == 0 and len(page.items) == 2 and page.next_cursor
    rest = admin.ledger_of(ADMIN, f"escrow:{order_id}", 2, page.next_cursor, world.deps)
    postings = [*page.items, *rest.items]
    assert sorted(p.amount for p in postings) == [-100_000, -20_000, TOTAL]
    assert sum(p.amount for p in postings) == 0 and rest.next_cursor is None


def test_a_disputed_payment_from_before_cases_existed_gets_its_case(world: World) -> None:
    _, payment = underpaid(world)
    del world.store.cases[str(payment["id"])]  # recorded as a loose mismatch, before cases existed
    assert admin.mismatches(ADMIN, 20, None, world.deps).items == []
    assert batch.reconcile(world.deps).mismatches == 1
    [case] = admin.mismatches(ADMIN, 20, None, world.deps).items
    assert (case.payment_id, case.kind) == (payment["id"], "amount_mismatch")
    assert batch.reconcile(world.deps).mismatches == 0
