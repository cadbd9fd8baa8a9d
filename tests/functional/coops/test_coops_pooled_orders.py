"""A pooled order's life through the consumers (events shaped by soko.market.events and
soko.payments.events contracts): allocation (shares add up to the gram, reserved in one
transaction, once), release, completion, the paid SMS, the members' payouts and the split payments
reads; allocations racing each other on one pool."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from coops_support import ORDERS_CONSUMER, PAYMENTS_CONSUMER, CoopsWorld, feed, order_event, payment_event

from soko.coops.dal import CoopsDal
from soko.coops.logic import Coops, allocate
from soko.coops.public import CoopReads
from soko.shared import ids
from soko.shared.errors import Conflict
from soko.shared.notices import SMS_LIMIT
from support.lambda_env import Invoke
from support.moto_serial import serialized_dynamodb
from support.tables import Table

KGS = ("333.333", "416.667", "250.001", "599.999", "400")  # 2 t from five members


def _pool(world: CoopsWorld, kgs: tuple[str, ...] = KGS) -> tuple[dict[str, Any], dict[str, Any]]:
    coop = world.coop_with_members()
    for farmer, kg in zip(world.farmers, kgs, strict=True):
        world.commit(coop["id"], farmer, kg)
    return coop, world.publish(coop["id"])


def _commitments(table: Table, coop_id: str) -> list[dict[str, Any]]:
    items = [i for i in table.partition(f"COOP#{coop_id}") if str(i["sk"]).startswith("COMMIT#")]
    return sorted(items, key=lambda i: str(i["sk"]))


def test_a_confirmed_order_is_allocated_to_the_gram_once(
    world: CoopsWorld, invoke: Invoke, table: Table
) -> None:
    coop, pool = _pool(world)
    order_id = ids.ulid()
    confirmed = order_event("OrderConfirmed", order_id, pool["listing_id"], "1234.567", coop_id=coop["id"])
    assert feed(invoke, ORDERS_CONSUMER, confirmed)["batchItemFailures"] == []

    [allocated] = world.captured.of("OrderAllocated")
    grams = [s.grams for s in allocated.shares]
    assert sum(grams) == 1_234_567
    assert [s.member_id for s in allocated.shares] == [f.id for f in world.farmers]  # earliest first
    for share, kg in zip(allocated.shares, KGS, strict=True):  # proportional, within a gram
        assert abs(Decimal(share.grams) - Decimal(kg) * 1000 * Decimal("1234.567") / 2000) < 1
    commitments = _commitments(table, coop["id"])
    assert [int(c["allocated_g"]) for c in commitments] == grams
    assert int(table.item(f"COOP#{coop['id']}", f"POOL#{pool['listing_id']}")["allocated_g"]) == 1_234_567

    # the same event again, and a second delivery under a new event id: nothing moves
    feed(invoke, ORDERS_CONSUMER, confirmed)
    again = order_event("OrderConfirmed", order_id, pool["listing_id"], "1234.567")
    assert feed(invoke, ORDERS_CONSUMER, again)["batchItemFailures"] == []
    assert [int(c["allocated_g"]) for c in _commitments(table, coop["id"])] == grams
    assert len(world.captured.of("OrderAllocated")) == 1

    split = CoopReads(table.name).payout_split(order_id)
    assert split is not None
    assert split.fee_payee_id == world.manager.id and split.fee_percent == Decimal("2")
    assert [(s.member_id, s.grams) for s in split.shares] == [
        (s.member_id, s.grams) for s in allocated.shares
    ]


def test_an_order_of_a_listing_that_is_no_pool_is_not_ours(
    world: CoopsWorld, invoke: Invoke, table: Table
) -> None:
    order_id = ids.ulid()
    event = order_event("OrderConfirmed", order_id, ids.ulid(), "10")
    assert feed(invoke, ORDERS_CONSUMER, event)["batchItemFailures"] == []
    assert table.item(f"ORDER#{order_id}", "ORDER") is None
    assert CoopReads(table.name).payout_split(order_id) is None


def test_a_malformed_order_event_fails_its_record(world: CoopsWorld, invoke: Invoke) -> None:
    good = order_event("OrderConfirmed", ids.ulid(), ids.ulid(), "10")
    event = order_event("OrderConfirmed", ids.ulid(), ids.ulid(), "10")
    del event["detail"]["listing_id"]
    assert len(feed(invoke, ORDERS_CONSUMER, good, event)["batchItemFailures"]) == 1


def test_an_order_ending_unpaid_gives_its_grams_back(world: CoopsWorld, invoke: Invoke, table: Table) -> None:
    coop, pool = _pool(world)
    order_id = ids.ulid()
    feed(invoke, ORDERS_CONSUMER, order_event("OrderConfirmed", order_id, pool["listing_id"], "1500"))
    assert sum(int(c["allocated_g"]) for c in _commitments(table, coop["id"])) == 1_500_000
    for ended in ("OrderExpired", "OrderCancelled"):  # the second changes nothing
        extra = {"reason": "unpaid"} if ended == "OrderExpired" else {}
        feed(invoke, ORDERS_CONSUMER, order_event(ended, order_id, pool["listing_id"], "1500", **extra))
        assert [int(c["allocated_g"]) for c in _commitments(table, coop["id"])] == [0] * 5
    assert table.item(f"ORDER#{order_id}", "ORDER")["status"] == "released"
    assert {
        a["status"] for a in table.partition(f"ORDER#{order_id}") if str(a["sk"]).startswith("ALLOC#")
    } == {"released"}
    assert int(table.item(f"COOP#{coop['id']}", f"POOL#{pool['listing_id']}")["allocated_g"]) == 0
    assert CoopReads(table.name).payout_split(order_id) is None
    # the member cannot confirm a released part
    world.api.post(f"/coops/{coop['id']}/allocations/{order_id}/confirm", user=world.farmers[0]).expect(
        409, "ALLOCATION_RELEASED"
    )


def test_members_confirm_see_get_paid_and_earn(world: CoopsWorld, invoke: Invoke, table: Table) -> None:
    coop, pool = _pool(world, ("400",) * 5)
    order_id = ids.ulid()
    feed(invoke, ORDERS_CONSUMER, order_event("OrderConfirmed", order_id, pool["listing_id"], "2000"))
    first = world.farmers[0]

    confirm = f"/coops/{coop['id']}/allocations/{order_id}/confirm"
    allocation = world.api.post(confirm, user=first).expect(200).json
    assert allocation["confirmed_by_member"] is True and allocation["quantity_kg"] == "400.000"
    assert allocation["status"] == "proposed"
    world.api.post(confirm, user=first).expect(200)  # again: the same
    world.api.post(confirm, user=world.manager).expect(404, "ALLOCATION_NOT_FOUND")  # supplied nothing
    world.api.post(confirm, user=world.buyer).expect(403, "NOT_A_MEMBER")
    world.api.post(f"/coops/{coop['id']}/allocations/{ids.ulid()}/confirm", user=first).expect(
        404, "ALLOCATION_NOT_FOUND"
    )

    # paid: every allocated member is told, in English and Luganda, once per member
    paid = payment_event("PaymentCompleted", order_id)
    feed(invoke, PAYMENTS_CONSUMER, paid)
    notices = world.captured.of("CoopNoticeIssued")
    assert sorted(n.user_id for n in notices) == sorted(f.id for f in world.farmers)
    for notice in notices:
        assert "400kg" in notice.sms.en and "400kg" in notice.sms.lg
        assert len(notice.sms.en) <= SMS_LIMIT and len(notice.sms.lg) <= SMS_LIMIT
        assert notice.category == "payments" and notice.data["order_id"] == order_id
    assert len({n.notice_id for n in notices}) == 5
    feed(invoke, PAYMENTS_CONSUMER, payment_event("PaymentCompleted", ids.ulid()))  # not a pooled order
    assert len(world.captured.of("CoopNoticeIssued")) == 5

    # completed, then each member's payout recorded once per payout id
    feed(
        invoke,
        ORDERS_CONSUMER,
        order_event(
            "OrderCompleted", order_id, pool["listing_id"], "2000", completed_at="2026-11-25T09:00:00Z"
        ),
    )
    assert table.item(f"ORDER#{order_id}", f"ALLOC#{first.id}")["status"] == "confirmed"
    payout_id = ids.ulid()
    payout = payment_event(
        "PayoutScheduled",
        order_id,
        payout_id=payout_id,
        payment_id=ids.ulid(),
        farmer_id=first.id,
        gross_ugx=440_000,
        fee_ugx=22_000,
        net_ugx=409_640,
        due_at="2026-11-26T09:00:00Z",
        coop_id=coop["id"],
    )
    feed(invoke, PAYMENTS_CONSUMER, payout)
    redelivered = {**payout, "detail": {**payout["detail"], "event_id": ids.ulid()}}
    feed(invoke, PAYMENTS_CONSUMER, redelivered)
    mine = world.api.get("/coops/mine", user=first).expect(200).json
    [part] = mine["allocations"]
    assert part["status"] == "paid" and part["share_ugx"] == 409_640
    assert mine["earnings_ugx"] == 409_640
    # the coop's fee paid to someone who also supplied the order is not part of their share
    fee = payment_event(
        "PayoutScheduled",
        order_id,
        payout_id=ids.ulid(),
        payment_id=ids.ulid(),
        farmer_id=first.id,
        gross_ugx=0,
        fee_ugx=0,
        net_ugx=41_800,
        due_at="2026-11-26T09:00:00Z",
        coop_id=coop["id"],
        coop_payee="fee",
    )
    feed(invoke, PAYMENTS_CONSUMER, fee)
    assert world.api.get("/coops/mine", user=first).expect(200).json["earnings_ugx"] == 409_640
    manager_view = world.api.get(f"/coops/{coop['id']}", user=world.manager).expect(200).json
    assert len(manager_view["allocations"]) == 5


class _Quiet:
    def publish(self, events: Any) -> None:
        list(events)


def _allocate_until_done(
    store: CoopsDal, listing_id: str, order_id: str, kg: Decimal, errors: list[BaseException]
) -> None:
    """What the consumer does, redelivery included: a conflict is retried."""
    try:
        for _ in range(20):
            try:
                allocate(order_id, listing_id, kg, Coops(store=store, publisher=_Quiet()))
                return
            except Conflict as err:
                if err.code != "CONCURRENT_UPDATE":
                    raise
        raise AssertionError("never allocated")
    except BaseException as err:
        errors.append(err)


def _drawn(table: Table, order_ids: list[str]) -> dict[str, int]:
    drawn: dict[str, int] = {}
    for order_id in order_ids:
        for part in table.partition(f"ORDER#{order_id}"):
            for commitment_id, grams in (part.get("parts") or {}).items():
                drawn[commitment_id] = drawn.get(commitment_id, 0) + int(grams)
    return drawn


def test_allocations_racing_on_one_pool_never_overdraw_it(
    world: CoopsWorld, table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight orders allocated at once (threads, each in its own transaction against moto, each
    request atomic as in DynamoDB): every order is allocated exactly, and no commitment gives more
    than it committed."""
    serialized_dynamodb(monkeypatch)
    coop, pool = _pool(world, ("400",) * 5)
    store = CoopsDal(table.name)
    order_ids = [ids.ulid() for _ in range(8)]  # 8 x 250 kg: exactly the 2 t pool
    errors: list[BaseException] = []
    threads = [
        threading.Thread(
            target=_allocate_until_done, args=(store, pool["listing_id"], o, Decimal("250"), errors)
        )
        for o in order_ids
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    commitments = _commitments(table, coop["id"])
    assert all(int(c["allocated_g"]) <= int(c["quantity_g"]) for c in commitments)
    assert sum(int(c["allocated_g"]) for c in commitments) == 2_000_000
    for order_id in order_ids:
        parts = [a for a in table.partition(f"ORDER#{order_id}") if str(a["sk"]).startswith("ALLOC#")]
        assert sum(int(p["grams"]) for p in parts) == 250_000
    # per commitment, what the orders drew adds up to what it has allocated
    assert _drawn(table, order_ids) == {c["id"]: int(c["allocated_g"]) for c in commitments}
