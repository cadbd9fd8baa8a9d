"""SMS about disputes (the notifications pipeline, NotificationsConsumerFunction): a farmer without the
app is told when the buyer disputes an order and what each party is paid when an admin resolves it;
a buyer with a phone is told the resolution; once per event and recipient."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import pytest
from disputes_support import Gateway

from soko.disputes.events import DisputeResolved
from soko.notifications import deps as notifications_deps
from soko.shared import ids
from soko_local.provision import Deployment
from support.events import eventbridge_event, order_detail, sqs_event
from support.tables import dynamodb

ALERTS = "NotificationsConsumerFunction"


class FakeSms:
    sent: ClassVar[list[tuple[str, str]]] = []

    def send_one(self, to: str, message: str) -> str:
        FakeSms.sent.append((to, message))
        return f"ATXid_{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _sms(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeSms.sent = []
    monkeypatch.setattr(notifications_deps, "configured_sender", FakeSms)


def account(deployment: Deployment, role: str, phone: str, *, app: bool, language: str = "en") -> str:
    user_id = ids.ulid()
    item = {
        "pk": f"USER#{user_id}",
        "sk": "PROFILE",
        "id": user_id,
        "role": role,
        "phone": phone,
        "phone_verified": True,  # only a verified phone is texted
        "language": language,
        "created_at": "2026-11-21T09:30:00Z",
        "updated_at": "2026-11-21T09:30:00Z",
        **({"password_hash": "$argon2id$x", "email": f"{user_id.lower()}@example.com"} if app else {}),
    }
    dynamodb().Table(deployment.physical["UsersTable"]).put_item(Item=item)
    return user_id


def alert(gateway: Gateway, source: str, detail_type: str, detail: dict[str, Any]) -> None:
    batch = sqs_event(eventbridge_event(source, detail_type, detail))
    assert gateway.invoke(ALERTS, batch) == {"batchItemFailures": []}


def disputed(buyer: str, farmer: str) -> dict[str, Any]:
    return order_detail(
        ids.ulid(),
        buyer_id=buyer,
        farmer_id=farmer,
        quantity_kg="20.000",
        total_ugx=20_000,
        event_id=ids.ulid(),
        dispute_id=ids.ulid(),
        reason="quality",
        details="wet",
        photos=[],
        opened_at="2026-11-21T09:30:00Z",
    )


def settled(order: dict[str, Any], outcome: str, buyer_amount: int) -> dict[str, Any]:
    return DisputeResolved(
        dispute_id=order["dispute_id"],
        order_id=order["order_id"],
        buyer_id=order["buyer_id"],
        farmer_id=order["farmer_id"],
        outcome=outcome,  # type: ignore[arg-type]
        total_ugx=order["total_ugx"],
        buyer_amount_ugx=buyer_amount,
        farmer_amount_ugx=order["total_ugx"] - buyer_amount,
        reason="photos",
        resolved_by="A1",
        resolved_at="2026-11-22T10:00:00Z",
    ).model_dump(mode="json")


def test_a_farmer_without_the_app_hears_of_the_dispute_and_both_of_its_resolution(
    gateway: Gateway, deployment: Deployment
) -> None:
    farmer = account(deployment, "farmer", "+256772000701", app=False)
    buyer = account(deployment, "buyer", "+256772000702", app=True)
    order = disputed(buyer, farmer)

    alert(gateway, "soko.orders", "OrderDisputed", order)
    assert FakeSms.sent == [
        (
            "+256772000701",
            "Soko: the buyer disputed the order for 20kg Maize (grain) (UGX 20,000). "
            "The payment is held until Soko decides.",
        )
    ]

    resolution = settled(order, "split", 5_000)
    alert(gateway, "soko.disputes", "DisputeResolved", resolution)
    alert(gateway, "soko.disputes", "DisputeResolved", resolution)  # redelivered: nothing new

    assert FakeSms.sent[1:] == [
        (
            "+256772000701",
            "Soko: the dispute is settled: UGX 15,000 is paid to you and UGX 5,000 refunded to the buyer.",
        ),
        (
            "+256772000702",
            "Soko: your dispute is settled: UGX 5,000 is refunded to you and UGX 15,000 paid to the farmer.",
        ),
    ]
    assert all(len(message) <= 160 for _, message in FakeSms.sent)


def test_a_farmer_with_the_app_gets_no_sms_and_luganda_speakers_theirs(
    gateway: Gateway, deployment: Deployment
) -> None:
    farmer = account(deployment, "farmer", "+256772000703", app=True)
    buyer = account(deployment, "buyer", "+256772000704", app=True, language="lg")
    order = disputed(buyer, farmer)

    alert(gateway, "soko.orders", "OrderDisputed", order)
    alert(gateway, "soko.disputes", "DisputeResolved", settled(order, "refund", 20_000))

    assert [to for to, _ in FakeSms.sent] == ["+256772000704"]
    assert "UGX 20,000" in FakeSms.sent[0][1] and FakeSms.sent[0][1].startswith("Soko: enkaayana")


def test_a_resolution_that_does_not_add_up_fails_its_record(gateway: Gateway, deployment: Deployment) -> None:
    farmer = account(deployment, "farmer", "+256772000705", app=False)
    order = disputed(account(deployment, "buyer", "+256772000706", app=True), farmer)
    bad = {**settled(order, "split", 5_000), "farmer_amount_ugx": 1}
    batch = sqs_event(
        eventbridge_event("soko.orders", "OrderDisputed", order),
        eventbridge_event("soko.disputes", "DisputeResolved", bad),
    )

    answer = gateway.invoke(ALERTS, batch)

    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert len(FakeSms.sent) == 1
