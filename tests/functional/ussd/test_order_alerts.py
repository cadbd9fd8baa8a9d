"""SMS order alerts (the notifications pipeline: NotificationsConsumerFunction) and delivery reports
(SmsDeliveryReportsFunction, passed on to the pipeline as SmsDeliveryReported)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import boto3
import pytest
from conftest import REGION

from soko.identity.dal import UsersDal
from soko.identity.logic import Identity, register_by_phone
from soko.identity.models import IdentityConfig
from soko.market.dal import MarketDal
from soko.market.logic import Market, change_status, create_listing, place_order
from soko.market.models import ListingCreate, MarketConfig, OrderCreate, StatusChange
from soko.notifications import deps as notifications_deps
from soko.shared.config import load
from soko.shared.identity import Caller
from soko.ussd.logic import _NoImages
from soko_local.provision import Deployment
from support.events import from_outbox, sqs_event

FARMER_PHONE, BUYER_PHONE = "+256772000555", "+256772000666"


class FakeSms:
    sent: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, config: Any) -> None: ...

    def send_one(self, to: str, message: str) -> str:
        FakeSms.sent.append((to, message))
        return f"ATXid_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def world(deployment: Deployment, invoke: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    FakeSms.sent = []
    monkeypatch.setattr(notifications_deps, "configured_sender", lambda: FakeSms(None))
    invoke("UssdFunction", {})  # sets the function's environment (tables) for the logic calls below
    users = UsersDal(load(IdentityConfig).users_table_name)
    identity = Identity(config=load(IdentityConfig), dal=users, signing_secret=lambda: "")
    farmer = register_by_phone(FARMER_PHONE, "Akello Grace", "Gulu", "lg", identity)
    buyer_id = "01JD00000000000000000BUYER"
    users.create_user(
        users.get_user(farmer.id).model_copy(  # type: ignore[union-attr]
            update={
                "id": buyer_id,
                "role": "buyer",
                "phone": BUYER_PHONE,
                "email": "buyer@example.com",
                "email_lower": "buyer@example.com",
                "password_hash": "$argon2id$x",
                "language": "en",
            }
        ),
        [],
    )
    market = Market(load(MarketConfig), MarketDal(load(MarketConfig).market_table_name), _NoImages())
    return {"farmer": farmer, "buyer": Caller(user_id=buyer_id, role="buyer", email=""), "market": market}


def _sqs_event(deployment: Deployment, detail_type: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["MarketTable"])
    outbox = [
        i for i in table.scan()["Items"] if i["pk"].startswith("OUTBOX#") and i["detail_type"] == detail_type
    ]
    return sqs_event(from_outbox({**outbox[-1], "source": "soko.orders"}))


def test_alerts_go_once_to_a_farmer_without_the_app_and_to_the_buyer(
    world: dict[str, Any], deployment: Deployment, invoke: Any
) -> None:
    farmer = Caller(user_id=world["farmer"].id, role="farmer", email="")
    listing = create_listing(
        farmer,
        ListingCreate(
            title="Maize", crop="maize", price_per_kg=1000, quantity_kg=Decimal(500), district="Gulu"
        ),
        world["market"],
    )
    order = place_order(
        world["buyer"], OrderCreate(listing_id=listing.id, quantity_kg=Decimal(20)), world["market"]
    )
    placed = _sqs_event(deployment, "OrderPlaced")
    assert invoke("NotificationsConsumerFunction", placed) == {"batchItemFailures": []}
    assert FakeSms.sent == [
        (
            FARMER_PHONE,
            "Soko: oda empya ya 20kg Kasooli (UGX 20,000). "
            "Kuba koodi ya Soko olonde 2 okugikkiriza oba okugigaana.",
        )
    ]
    # the same event again (SQS redelivery, or the relay publishing twice): no second SMS
    invoke("NotificationsConsumerFunction", placed)
    redelivered = json.loads(placed["Records"][0]["body"])
    redelivered["id"] = str(uuid.uuid4())  # EventBridge id differs; our event_id does not
    invoke(
        "NotificationsConsumerFunction",
        {"Records": [{**placed["Records"][0], "body": json.dumps(redelivered)}]},
    )
    assert len(FakeSms.sent) == 1

    change_status(farmer, order.id, StatusChange(new_status="confirmed"), world["market"])
    assert invoke("NotificationsConsumerFunction", _sqs_event(deployment, "OrderConfirmed")) == {
        "batchItemFailures": []
    }
    assert sorted(to for to, _ in FakeSms.sent[1:]) == sorted([FARMER_PHONE, BUYER_PHONE])
    assert dict(FakeSms.sent[1:])[BUYER_PHONE] == (
        "Soko: the farmer accepted your order for 20kg Maize (grain) (UGX 20,000)."
    )
    assert all(len(message) <= 160 for _, message in FakeSms.sent)


def test_delivery_reports_are_recorded_for_our_messages(
    world: dict[str, Any], deployment: Deployment, invoke: Any
) -> None:
    from soko.messaging.dal import MessagingDal  # noqa: PLC0415

    dal = MessagingDal(deployment.physical["MessagingTable"])
    dal.record_sent(
        "ATXid_1", event_id="e", order_id="o", recipient="farmer", kind="OrderPlaced", now_iso="t", now=1
    )

    def report(form: dict[str, str]) -> dict[str, Any]:
        event = json.loads(
            (Path(__file__).parents[3] / "events" / "SmsDeliveryReportsFunction.json").read_text()
        )
        event["body"] = urlencode(form)
        result: dict[str, Any] = invoke("SmsDeliveryReportsFunction", event)
        return result

    ok = report(
        {"id": "ATXid_1", "status": "Failed", "phoneNumber": FARMER_PHONE, "failureReason": "UserInBlacklist"}
    )
    assert ok["statusCode"] == 200 and json.loads(ok["body"]) == {"recorded": True}
    stored = dal.get_message("ATXid_1")
    assert stored is not None and stored["status"] == "Failed"
    assert stored["reports"][0]["failure_reason"] == "UserInBlacklist"
    unknown = report({"id": "ATXid_unknown", "status": "Success"})
    assert json.loads(unknown["body"]) == {"recorded": False}
    assert report({"id": "ATXid_1", "status": "Delivered!"})["statusCode"] == 422
    assert report({"status": "Success"})["statusCode"] == 422
