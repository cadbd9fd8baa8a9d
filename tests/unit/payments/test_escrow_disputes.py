"""Disputes and the escrow (in memory): a dispute freezes the escrow, a frozen escrow is never paid
out, and each resolution (release, refund, split) leaves every account balanced, the order's escrow
at zero, and happens once however often or in whatever order its events arrive."""

from __future__ import annotations

from decimal import Decimal

import pytest
from payments_world import BUYER, FARMER, TOTAL, World

from soko.market.events import OrderCompleted
from soko.payments import events as ev
from soko.payments import ledger


def test_a_dispute_freezes_the_escrow_and_a_frozen_escrow_is_never_paid_out(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.disputed(order_id)
    stored = world.store.payments[str(payment["id"])]
    assert (stored["escrow"], stored["dispute_id"]) == ("frozen", "D1")
    world.order_event(OrderCompleted, order_id)  # e.g. the window's timer fired anyway
    world.disputed(order_id)  # replayed
    assert world.store.payouts == {}
    assert world.balanced() == {f"buyer:{BUYER.user_id}": -TOTAL, f"escrow:{order_id}": TOTAL}


def test_release_pays_the_farmer_less_commission_once(world: World) -> None:
    order_id = world.order()
    world.paid(order_id)
    world.disputed(order_id)
    for _ in range(2):  # a replay (another event id) changes nothing
        world.resolved(order_id, "release")
    world.order_event(OrderCompleted, order_id)  # and neither does a late completion
    assert world.balanced() == {
        f"buyer:{BUYER.user_id}": -TOTAL,
        f"farmer:{FARMER.user_id}": 114_000,
        ledger.FEES: 6_000,
    }
    assert len(world.store.payouts) == 1 and world.provider.refunds == []


def test_refund_returns_everything_through_the_provider_once(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.disputed(order_id)
    world.resolved(order_id, "refund")
    world.resolved(order_id, "refund")
    assert world.balanced() == {}
    assert world.provider.refunds == [(payment["confirmation_code"], TOTAL)]
    refund = world.store.refunds[str(payment["id"])]
    assert (refund["status"], refund["amount_ugx"], refund["full"]) == ("submitted", TOTAL, True)
    assert world.store.payments[str(payment["id"])]["escrow"] == "refunded"
    assert [type(e) for e in world.store.events].count(ev.RefundRequested) == 1


@pytest.mark.parametrize(
    ("total", "to_buyer", "fee"),
    [
        (120_000, 40_000, 4_000),  # the farmer's 80 000: 5% = 4 000
        (120_001, 40_001, 4_000),  # 80 000 again: odd totals split exactly
        (100_020, 49_810, 2_511),  # 50 210 x 5% = 2 510.5: half up
        (100_010, 49_999, 2_501),  # 50 011 x 5% = 2 500.55
        (100_001, 49_991, 2_501),  # 50 010 x 5% = 2 500.5: half up
        (99_999, 1, 5_000),  # 99 998 x 5% = 4 999.9
        (7, 3, 0),  # 4 x 5% = 0.2: no fee posting at all
        (9, 8, 0),  # a farmer part of 1 shilling
    ],
)
def test_a_split_balances_to_the_shilling_with_commission_on_the_farmers_part(
    world: World, total: int, to_buyer: int, fee: int
) -> None:
    order_id = world.order(total=total)
    payment = world.paid(order_id)
    world.disputed(order_id)
    world.resolved(order_id, "split", to_buyer)
    world.resolved(order_id, "split", to_buyer)
    farmer_part = total - to_buyer
    assert fee == ledger.commission(farmer_part, Decimal(5))
    expected = {
        f"buyer:{BUYER.user_id}": -total + to_buyer,
        f"farmer:{FARMER.user_id}": farmer_part - fee,
    }
    if fee:
        expected[ledger.FEES] = fee
    assert world.balanced() == expected  # escrow and the refund account are back at zero
    assert world.store.balances[f"escrow:{order_id}"] == 0
    assert world.provider.refunds == [(payment["confirmation_code"], to_buyer)]
    [payout] = world.store.payouts.values()
    assert (payout["gross_ugx"], payout["fee_ugx"], payout["net_ugx"]) == (
        farmer_part,
        fee,
        farmer_part - fee,
    )
    stored = world.store.payments[str(payment["id"])]
    assert (stored["escrow"], stored["resolution"]) == ("split", "D1")
    assert world.store.refunds[str(payment["id"])]["full"] is False


def test_a_resolution_that_arrives_before_its_dispute_resolves_a_held_escrow(world: World) -> None:
    order_id = world.order()
    world.paid(order_id)
    world.resolved(order_id, "refund")  # events are unordered
    world.disputed(order_id)  # late: nothing left to freeze
    assert world.balanced() == {}
    payment = next(iter(world.store.payments.values()))
    assert payment["escrow"] == "refunded"


def test_a_dispute_about_an_unpaid_order_moves_no_money(world: World) -> None:
    order_id = world.order()
    world.pay(order_id)  # pending, never completed
    world.disputed(order_id)
    world.resolved(order_id, "split", 1_000)
    assert world.balanced() == {} and world.store.payouts == {} and world.provider.refunds == []


def test_a_split_the_provider_cannot_refund_in_part_waits_in_the_refund_account(world: World) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    world.provider.refuse_refunds = True  # mobile money: refunds in full only
    world.disputed(order_id)
    world.resolved(order_id, "split", 30_000)
    refund = world.store.refunds[str(payment["id"])]
    assert refund["status"] == "refused"
    balances = world.balanced()
    assert balances[f"refund:{payment['id']}"] == 30_000  # the ledger says where the money is
    assert f"escrow:{order_id}" not in balances  # zero: the escrow is closed either way
    case = world.store.cases[str(payment["id"])]
    assert (case["kind"], case["status"]) == ("refund_refused", "open")
