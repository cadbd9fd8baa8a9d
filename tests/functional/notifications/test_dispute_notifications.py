"""Dispute notifications: an opened dispute (``OrderDisputed``) and its resolution
(``DisputeResolved``) notify the order's buyer and farmer (pushed live) and the admins' shared
inbox, once per event; what one admin reads is read for every admin; nobody else sees the admins'
inbox."""

from __future__ import annotations

from typing import Any

import pytest
from notifications_support import Notifications

from soko.disputes.events import DisputeResolved
from soko.market.events import OrderDisputed
from soko.shared import ids
from support.events import eventbridge_event, order_detail, sqs_event
from support.users import User, new_user


def opened(buyer: User, farmer: User) -> dict[str, Any]:
    detail = order_detail(
        ids.ulid(),
        buyer_id=buyer.id,
        farmer_id=farmer.id,
        event_id=ids.ulid(),
        dispute_id=ids.ulid(),
        reason="quality",
        details="wet bags",
        photos=[],
        opened_at="2026-11-21T09:30:00Z",
    )
    OrderDisputed.model_validate(detail)
    return detail


def resolved(dispute: dict[str, Any], outcome: str, buyer_amount: int) -> dict[str, Any]:
    total = dispute["total_ugx"]
    detail = DisputeResolved(
        dispute_id=dispute["dispute_id"],
        order_id=dispute["order_id"],
        buyer_id=dispute["buyer_id"],
        farmer_id=dispute["farmer_id"],
        outcome=outcome,  # type: ignore[arg-type]
        total_ugx=total,
        buyer_amount_ugx=buyer_amount,
        farmer_amount_ugx=total - buyer_amount,
        reason="checked the photos",
        resolved_by="A1",
        resolved_at="2026-11-22T10:00:00Z",
    )
    return detail.model_dump(mode="json")


def test_an_opened_dispute_notifies_both_parties_live_and_the_admins(notifications: Notifications) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    admins = new_user("admin"), new_user("admin")
    live = notifications.connect(farmer)
    dispute = opened(buyer, farmer)

    assert notifications.deliver("soko.orders", "OrderDisputed", dispute) == {"batchItemFailures": []}

    [to_buyer], [to_farmer] = notifications.mine(buyer), notifications.mine(farmer)
    assert (to_buyer["type"], to_farmer["type"]) == ("dispute_opened", "dispute_opened")
    assert to_buyer["data"]["dispute_id"] == dispute["dispute_id"] == to_farmer["data"]["dispute_id"]
    assert to_farmer["data"]["order_id"] == dispute["order_id"]
    assert "admin decides" in to_farmer["body"]
    assert [p["notification"]["id"] for p in notifications.pushes.received[live]] == [to_farmer["id"]]
    for admin in admins:
        [to_admins] = notifications.mine(admin)
        assert (to_admins["type"], to_admins["title"]) == ("dispute_opened", "New dispute")
        assert "UGX 120,000" in to_admins["body"]
    assert to_admins["id"] not in {to_buyer["id"], to_farmer["id"]}


def test_a_redelivered_dispute_event_notifies_nobody_twice(notifications: Notifications) -> None:
    buyer, farmer, admin = new_user("buyer"), new_user("farmer"), new_user("admin")
    dispute = opened(buyer, farmer)
    decision = resolved(dispute, "refund", dispute["total_ugx"])

    for _ in range(2):
        notifications.deliver("soko.orders", "OrderDisputed", dispute)
        notifications.deliver("soko.disputes", "DisputeResolved", decision)

    assert [n["type"] for n in notifications.mine(buyer)] == ["dispute_resolved", "dispute_opened"]
    assert len(notifications.mine(farmer)) == 2 and len(notifications.mine(admin)) == 2


@pytest.mark.parametrize(
    ("outcome", "buyer_amount", "to_buyer", "to_farmer"),
    [
        ("release", 0, "UGX 120,000 goes to the farmer", "UGX 120,000 is released to you"),
        ("refund", 120_000, "UGX 120,000 is refunded to you", "the buyer is refunded UGX 120,000"),
        ("split", 20_000, "UGX 20,000 is refunded to you", "UGX 100,000 is released to you"),
    ],
)
def test_a_resolution_tells_each_party_what_they_get(
    notifications: Notifications, outcome: str, buyer_amount: int, to_buyer: str, to_farmer: str
) -> None:
    buyer, farmer, admin = new_user("buyer"), new_user("farmer"), new_user("admin")
    dispute = opened(buyer, farmer)
    live = notifications.connect(buyer)

    answer = notifications.deliver(
        "soko.disputes", "DisputeResolved", resolved(dispute, outcome, buyer_amount)
    )

    assert answer == {"batchItemFailures": []}
    [for_buyer], [for_farmer], [for_admins] = (notifications.mine(u) for u in (buyer, farmer, admin))
    assert for_buyer["type"] == for_farmer["type"] == for_admins["type"] == "dispute_resolved"
    assert to_buyer in for_buyer["body"] and to_farmer in for_farmer["body"]
    assert outcome in for_admins["body"]
    assert [p["notification"]["id"] for p in notifications.pushes.received[live]] == [for_buyer["id"]]


def test_a_resolution_whose_amounts_do_not_add_up_fails_its_record_alone(
    notifications: Notifications,
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    dispute = opened(buyer, farmer)
    bad = {**resolved(dispute, "split", 20_000), "farmer_amount_ugx": 1}
    batch = sqs_event(
        eventbridge_event("soko.orders", "OrderDisputed", dispute),
        eventbridge_event("soko.disputes", "DisputeResolved", bad),
    )

    answer = notifications.api.invoke("NotificationsConsumerFunction", batch)

    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert [n["type"] for n in notifications.mine(buyer)] == ["dispute_opened"]


def test_what_one_admin_reads_is_read_for_all_and_nobody_else_can(notifications: Notifications) -> None:
    first, second = new_user("admin"), new_user("admin")
    buyer, farmer = new_user("buyer"), new_user("farmer")
    dispute = opened(buyer, farmer)
    notifications.deliver("soko.orders", "OrderDisputed", dispute)
    notifications.deliver("soko.disputes", "DisputeResolved", resolved(dispute, "release", 0))
    [newest, oldest] = notifications.mine(first)

    for outsider in (buyer, farmer):
        notifications.api.post(f"/notifications/{newest['id']}/read", user=outsider).expect(404)
    notifications.api.post(f"/notifications/{newest['id']}/read", user=first).expect(200)

    assert [(n["id"], n["read"]) for n in notifications.mine(second)] == [
        (oldest["id"], False),
        (newest["id"], True),
    ]
    answer = notifications.api.post("/notifications/read-all", user=second).expect(200).json
    assert answer == {"updated": 1, "remaining": False}
    assert all(n["read"] for n in notifications.mine(first))
    assert not any(n["read"] for n in notifications.mine(buyer))
