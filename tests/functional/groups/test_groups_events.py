"""A group's life after the API: the deadline timer (GroupTimersConsumerFunction: completion at the
tier the fill reached, or expiry that charges nobody; early, late and repeated timers), and the
market's and payments' events (GroupEventsConsumerFunction, fed as their contracts say: the order
the market created for a member, a member's payment, drop-outs that recompute the tier and re-price
the unpaid, GroupOrdersRefused), each twice to prove idempotency, and malformed ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from groups_support import Groups, moment, order_event, payment_event, refused_event

from support.users import User, new_user


def _ok(result: Any) -> None:
    assert result == {"batchItemFailures": []}


# ---------------------------------------------------------------------------- the deadline
def test_at_the_deadline_a_group_completes_at_the_tier_its_fill_reached(groups: Groups, at: Any) -> None:
    starter, other = new_user("buyer"), new_user("buyer")
    group = groups.group(buyer=starter, target="2000", quantity="900")
    groups.join(group["id"], other, "300").expect(200)

    at(moment(group["deadline"]) - timedelta(seconds=1))  # fired early: retried, never acted on
    with groups.table.unchanged(), pytest.raises(BatchProcessingError):
        groups.fire(group["id"])

    at(moment(group["deadline"]))
    for _ in range(2):  # the same timer twice: one completion
        _ok(groups.fire(group["id"]))
    stored = groups.stored(group["id"])
    assert (stored["status"], stored["price_per_kg"], stored["discount_percent"]) == ("completed", 3610, 5)
    assert (stored["active_g"], stored["pending"]) == (1_200_000, {})
    [completed] = groups.bus.of("GroupCompleted", group["id"])
    assert (completed["price_per_kg"], sorted(m["grams"] for m in completed["members"])) == (
        3610,
        [300_000, 900_000],
    )
    assert set(groups.bus.notices(group["id"], "completed")) == {starter.id, other.id}
    assert {m["status"] for m in groups.members(group["id"])} == {"ordered"}
    view = groups.api.get(f"/groups/{group['id']}", user=other).expect(200).json
    assert (view["status"], view["tier"], view["mine"]["status"]) == (
        "completed",
        {"min_kg": "1000", "discount_percent": 5},
        "ordered",
    )


def test_at_the_deadline_a_group_below_every_tier_expires_and_nobody_is_charged(
    groups: Groups, at: Any
) -> None:
    starter, other = new_user("buyer"), new_user("buyer")
    group = groups.group(buyer=starter, target="2000", quantity="400")
    groups.join(group["id"], other, "599.999").expect(200)
    at(moment(group["deadline"]) + timedelta(minutes=3))
    for _ in range(2):
        _ok(groups.fire(group["id"]))
    assert groups.stored(group["id"])["status"] == "expired"
    assert groups.bus.of("GroupCompleted") == []  # no orders: nobody is charged
    [expired] = groups.bus.of("GroupExpired", group["id"])
    assert sorted(m["grams"] for m in expired["members"]) == [400_000, 599_999]
    told = groups.bus.notices(group["id"], "expired")
    assert set(told) == {starter.id, other.id}
    assert (
        "Nobody pays" in told[starter.id]["sms"]["en"] and "Tewali asasula" in told[starter.id]["sms"]["lg"]
    )
    assert {m["status"] for m in groups.members(group["id"])} == {"joined"}
    view = groups.api.get(f"/groups/{group['id']}", user=starter).expect(200).json
    assert (view["status"], view["pay_by"]) == ("expired", None)


def test_a_timer_after_the_group_completed_does_nothing_and_one_for_no_group_is_fine(
    groups: Groups, at: Any
) -> None:
    group = groups.group(target="1000", quantity="1000")
    at(moment(group["deadline"]))
    with groups.table.unchanged():
        _ok(groups.fire(group["id"]))
    assert len(groups.bus.of("GroupCompleted", group["id"])) == 1
    body = '{"timer": "group.X.deadline", "kind": "group.deadline", "subject": "01JD0000000000000000000000"}'
    record = {
        "messageId": "m",
        "receiptHandle": "r",
        "body": body,
        "attributes": {},
        "eventSource": "aws:sqs",
    }
    _ok(groups.invoke("GroupTimersConsumerFunction", {"Records": [record]}))


# ---------------------------------------------------------------------------- a completed group's orders
def completed_group(groups: Groups) -> tuple[dict[str, Any], dict[str, User]]:
    """2,000 kg at the 10% tier (3,420/kg): a 1,000 kg, b 600 kg, c 400 kg; their orders created
    by the market (OrderConfirmed with group_id: o-a, o-b, o-c)."""
    people = {name: new_user("buyer") for name in "abc"}
    group = groups.group(buyer=people["a"], target="2000", quantity="1000")
    groups.join(group["id"], people["b"], "600").expect(200)
    groups.join(group["id"], people["c"], "400").expect(200)
    for name, user in people.items():
        _ok(groups.consume(order_event("OrderConfirmed", f"o-{name}-{group['id']}", user.id, group["id"])))
    groups.bus.clear()
    return group, people


def test_the_market_s_orders_are_remembered_and_a_payment_marks_its_member_paid(groups: Groups) -> None:
    group, people = completed_group(groups)
    gid = group["id"]
    assert groups.table.item(f"GROUPORDER#o-a-{gid}", "GROUPORDER")["buyer_id"] == people["a"].id
    for _ in range(2):
        _ok(groups.consume(payment_event(f"o-a-{gid}", people["a"].id)))
    mine = groups.api.get(f"/groups/{gid}", user=people["a"]).expect(200).json["mine"]
    assert (mine["status"], mine["order_id"]) == ("paid", f"o-a-{gid}")
    with groups.table.unchanged():  # any other order's payment: not a group's
        _ok(groups.consume(payment_event("someone-elses-order", people["b"].id)))
        _ok(groups.consume(order_event("OrderConfirmed", "plain-order", people["b"].id, None)))
    assert groups.bus.events == []


def test_a_drop_out_recomputes_the_tier_on_the_members_left_and_reprices_the_unpaid(groups: Groups) -> None:
    group, people = completed_group(groups)
    gid = group["id"]
    _ok(groups.consume(payment_event(f"o-a-{gid}", people["a"].id)))  # a paid at 3,420
    for _ in range(2):  # c's order expired unpaid (redelivered: once)
        _ok(groups.consume(order_event("OrderExpired", f"o-c-{gid}", people["c"].id, gid)))
    stored = groups.stored(gid)
    # 1,600 kg left: the 1,000 kg tier (5%): 3,610/kg
    assert (stored["active_g"], stored["price_per_kg"], stored["discount_percent"]) == (1_600_000, 3610, 5)
    [repriced] = groups.bus.of("GroupRepriced", gid)
    assert (repriced["price_per_kg"], repriced["discount_percent"], repriced["listing_id"]) == (
        3610,
        5,
        group["listing_id"],
    )
    told = groups.bus.notices(gid, "repriced")
    assert set(told) == {people["b"].id}  # not a (paid), not c (dropped)
    assert "Pay UGX 2,166,000 for 600 kg" in told[people["b"].id]["sms"]["en"]  # 600 x 3,610
    statuses = {m["buyer_id"]: m["status"] for m in groups.members(gid)}
    assert statuses == {people["a"].id: "paid", people["b"].id: "ordered", people["c"].id: "dropped"}
    view = groups.api.get(f"/groups/{gid}", user=people["b"]).expect(200).json
    assert (view["price_per_kg"], view["tier"]["discount_percent"]) == (3610, 5)

    # the paid member's order ending later changes nothing; b dropping too: 1,000 kg, still 5%
    groups.bus.clear()
    with groups.table.unchanged():
        _ok(groups.consume(order_event("OrderCancelled", f"o-a-{gid}", people["a"].id, gid)))
    _ok(groups.consume(order_event("OrderCancelled", f"o-b-{gid}", people["b"].id, gid)))
    assert groups.stored(gid)["active_g"] == 1_000_000
    assert groups.bus.of("GroupRepriced", gid) == []


def test_dropping_below_every_tier_falls_back_to_the_list_price(groups: Groups) -> None:
    group, people = completed_group(groups)
    gid = group["id"]
    _ok(groups.consume(order_event("OrderExpired", f"o-a-{gid}", people["a"].id, gid)))  # 1,000 kg left: 5%
    _ok(groups.consume(order_event("OrderExpired", f"o-b-{gid}", people["b"].id, gid)))  # 400 kg: no tier
    stored = groups.stored(gid)
    assert (stored["active_g"], stored["price_per_kg"], stored["discount_percent"], stored["tier"]) == (
        400_000,
        3800,
        0,
        {},
    )
    assert [e["price_per_kg"] for e in groups.bus.of("GroupRepriced", gid)] == [3610, 3800]
    assert set(groups.bus.notices(gid, "repriced")) == {people["b"].id, people["c"].id}
    view = groups.api.get(f"/groups/{gid}", user=people["c"]).expect(200).json
    assert (view["tier"], view["price_per_kg"]) == (None, 3800)


def test_refused_orders_fail_the_group_and_every_member_is_told_once(groups: Groups) -> None:
    group, people = completed_group(groups)
    gid = group["id"]
    for _ in range(2):
        _ok(groups.consume(refused_event(gid, group["listing_id"])))
    assert groups.stored(gid)["status"] == "failed"
    told = groups.bus.notices(gid, "failed")
    assert set(told) == set(u.id for u in people.values())
    assert len(groups.bus.of("GroupNoticeIssued", gid)) == 3
    assert "Nobody pays" in told[people["a"].id]["sms"]["en"]
    assert groups.api.get(f"/groups/{gid}", user=people["a"]).expect(200).json["status"] == "failed"
    with groups.table.unchanged():  # an order event of a failed group changes nothing
        _ok(groups.consume(order_event("OrderExpired", f"o-b-{gid}", people["b"].id, gid)))


def test_an_open_group_ignores_refusals_and_drop_outs(groups: Groups) -> None:
    starter = new_user("buyer")
    group = groups.group(buyer=starter)
    with groups.table.unchanged():
        _ok(groups.consume(refused_event(group["id"], group["listing_id"])))
        _ok(groups.consume(order_event("OrderExpired", "o-x", starter.id, group["id"])))
    assert groups.bus.events == []


def test_a_reprice_the_bus_refused_is_published_on_the_redelivery(groups: Groups) -> None:
    group, people = completed_group(groups)
    gid = group["id"]
    groups.bus.fail = True
    event = order_event("OrderExpired", f"o-c-{gid}", people["c"].id, gid)
    with pytest.raises(BatchProcessingError):  # the record fails: SQS delivers it again
        groups.consume(event)
    assert groups.stored(gid)["price_per_kg"] == 3610 and len(groups.stored(gid)["pending"]) == 1
    groups.bus.fail = False
    _ok(groups.consume(event))
    assert [e["price_per_kg"] for e in groups.bus.of("GroupRepriced", gid)] == [3610]
    assert groups.stored(gid)["pending"] == {}


def test_a_malformed_event_fails_its_record_alone(groups: Groups) -> None:
    group, people = completed_group(groups)
    bad = refused_event(group["id"], group["listing_id"])
    bad["detail"].pop("group_id")
    good = payment_event(f"o-a-{group['id']}", people["a"].id)
    result = groups.consume(bad, good)
    assert len(result["batchItemFailures"]) == 1
    assert {m["buyer_id"]: m["status"] for m in groups.members(group["id"])}[people["a"].id] == "paid"
