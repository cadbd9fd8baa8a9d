"""Messaging rules: who gets an SMS about an order event, in their language, and recording the
provider's delivery reports (no boto3 here).

"Without the app" means an account with no password: it was opened by USSD and its owner has not
set a password for the app, so SMS is the only way news reaches them. Such a farmer gets an SMS
when an order for their listing is placed, confirmed or cancelled. A buyer gets one when the farmer
responds (confirmed or rejected), if their account has a phone number (buyers are app users, but
the farmer's answer may come hours later). Each alert is sent once per event and recipient.

The end of an order: a buyer with a phone learns the farmer marked it delivered (with the time
until which they may confirm receipt or dispute, in East Africa Time) and that it expired; a
farmer without the app learns it completed (the payment released) or expired.

Disputes: a farmer without the app gets an SMS when the buyer disputes an order (``OrderDisputed``);
when an admin resolves it (``DisputeResolved``, soko.disputes) the farmer without the app and the
buyer with a phone get one saying what each is paid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol

from soko.disputes.events import DisputeResolved
from soko.identity.public import UserView
from soko.market.events import (
    OrderCancelled,
    OrderCompleted,
    OrderConfirmed,
    OrderDelivered,
    OrderDetail,
    OrderDisputed,
    OrderExpired,
    OrderPlaced,
    OrderRejected,
)
from soko.messaging.dal import MessagingDal
from soko.messaging.models import DeliveryReport, ReportRecorded, Sms
from soko.providers.sms import SmsSender
from soko.shared import clock
from soko.shared import crops as catalogue
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger

FARMER_EVENTS = {
    "OrderPlaced",
    "OrderConfirmed",
    "OrderCancelled",
    "OrderDisputed",
    "OrderCompleted",
    "OrderExpired",
}
BUYER_EVENTS = {"OrderConfirmed", "OrderRejected", "OrderDelivered", "OrderExpired"}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "farmer.OrderPlaced": "Soko: new order for {kg}kg {crop} (UGX {total}). Dial the Soko USSD code "
        "and choose 2 My orders to accept or reject it.",
        "farmer.OrderConfirmed": "Soko: the order for {kg}kg {crop} (UGX {total}) is confirmed. "
        "Prepare it for the buyer.",
        "farmer.OrderCancelled": "Soko: the buyer cancelled the order for {kg}kg {crop}. "
        "Your produce is back on sale.",
        "buyer.OrderConfirmed": "Soko: the farmer accepted your order for {kg}kg {crop} (UGX {total}).",
        "buyer.OrderRejected": "Soko: the farmer declined your order for {kg}kg {crop}. The order is closed.",
        "farmer.OrderDisputed": "Soko: the buyer disputed the order for {kg}kg {crop} (UGX {total}). "
        "The payment is held until Soko decides.",
        "buyer.OrderDelivered": "Soko: your {kg}kg {crop} is marked delivered. Confirm receipt or dispute "
        "before {until}; then UGX {total} goes to the farmer.",
        "farmer.OrderCompleted": "Soko: the order for {kg}kg {crop} is complete. UGX {total} is released "
        "to you, less Soko's fee.",
        "farmer.OrderExpired": "Soko: the order for {kg}kg {crop} expired. Your produce is back on sale.",
        "buyer.OrderExpired": "Soko: your order for {kg}kg {crop} expired and is closed.",
        "farmer.DisputeResolved": "Soko: the dispute is settled: UGX {farmer} is paid to you and UGX "
        "{buyer} refunded to the buyer.",
        "buyer.DisputeResolved": "Soko: your dispute is settled: UGX {buyer} is refunded to you and UGX "
        "{farmer} paid to the farmer.",
    },
    "lg": {
        "farmer.OrderPlaced": "Soko: oda empya ya {kg}kg {crop} (UGX {total}). Kuba koodi ya Soko "
        "olonde 2 okugikkiriza oba okugigaana.",
        "farmer.OrderConfirmed": "Soko: oda ya {kg}kg {crop} (UGX {total}) ekakasiddwa. Gitegekere omuguzi.",
        "farmer.OrderCancelled": "Soko: omuguzi asazizzaamu oda ya {kg}kg {crop}. "
        "Ebirime byo biddamu okutundibwa.",
        "buyer.OrderConfirmed": "Soko: omulimi akkirizza oda yo ya {kg}kg {crop} (UGX {total}).",
        "buyer.OrderRejected": "Soko: omulimi agaanye oda yo ya {kg}kg {crop}. Oda eggaddwawo.",
        "farmer.OrderDisputed": "Soko: omuguzi awakanyizza oda ya {kg}kg {crop} (UGX {total}). "
        "Ensimbi zikuumibwa okutuusa Soko lw'esalawo.",
        "buyer.OrderDelivered": "Soko: {kg}kg {crop} zo zituuse. Kakasa nti ozifunye "
        "oba wakanya nga {until} tannatuuka; oluvannyuma UGX {total} zigenda eri omulimi.",
        "farmer.OrderCompleted": "Soko: oda ya {kg}kg {crop} ewedde. UGX {total} zikusasulwa, "
        "okuggyako ssente za Soko.",
        "farmer.OrderExpired": "Soko: oda ya {kg}kg {crop} eweddeko obudde. Ebirime byo biddamu okutundibwa.",
        "buyer.OrderExpired": "Soko: oda yo ya {kg}kg {crop} eweddeko obudde era eggaddwawo.",
        "farmer.DisputeResolved": "Soko: enkaayana ziwedde: osasulwa UGX {farmer}, omuguzi azzibwayo UGX "
        "{buyer}.",
        "buyer.DisputeResolved": "Soko: enkaayana zo ziwedde: ozzibwayo UGX {buyer}, omulimi asasulwa UGX "
        "{farmer}.",
    },
}


class Users(Protocol):
    def get(self, user_id: str) -> UserView | None: ...


@dataclass
class Messaging:
    dal: MessagingDal
    users: Users
    sms: Callable[[], SmsSender]


def without_app(user: UserView) -> bool:
    return not user.uses_app


def _message(recipient: str, detail_type: str, user: UserView, facts: OrderDetail) -> str:
    crop = catalogue.by_id(facts.crop)
    language = user.language if user.language in TEXTS else "en"
    name = (crop.luganda if language == "lg" else crop.name) if crop else facts.crop
    kg = format(Decimal(facts.quantity_kg).normalize(), "f")
    text = TEXTS[language][f"{recipient}.{detail_type}"]
    release_at = getattr(facts, "release_at", None)
    until = clock.eat_text(release_at) if release_at else ""
    return text.format(kg=kg, crop=name, total=f"{facts.total_ugx:,}", until=until)


def alerts(
    detail_type: str, facts: OrderDetail, farmer: UserView | None, buyer: UserView | None
) -> list[Sms]:
    """The SMS an order event calls for (pure)."""
    wanted: list[tuple[Literal["farmer", "buyer"], UserView | None]] = []
    if detail_type in FARMER_EVENTS and farmer and without_app(farmer):
        wanted.append(("farmer", farmer))
    if detail_type in BUYER_EVENTS:
        wanted.append(("buyer", buyer))
    return [
        Sms(recipient=role, user_id=user.id, to=user.phone, message=_message(role, detail_type, user, facts))
        for role, user in wanted
        if user and user.phone
    ]


def _settled(recipient: str, user: UserView, resolved: DisputeResolved) -> str:
    language = user.language if user.language in TEXTS else "en"
    text = TEXTS[language][f"{recipient}.DisputeResolved"]
    return text.format(buyer=f"{resolved.buyer_amount_ugx:,}", farmer=f"{resolved.farmer_amount_ugx:,}")


def dispute_alerts(resolved: DisputeResolved, farmer: UserView | None, buyer: UserView | None) -> list[Sms]:
    """The SMS a dispute's resolution calls for (pure): the farmer without the app, the buyer with
    a phone."""
    wanted: list[tuple[Literal["farmer", "buyer"], UserView | None]] = [
        ("farmer", farmer if farmer and without_app(farmer) else None),
        ("buyer", buyer),
    ]
    return [
        Sms(recipient=role, user_id=user.id, to=user.phone, message=_settled(role, user, resolved))
        for role, user in wanted
        if user and user.phone
    ]


def _wanted(event: ReceivedEvent, deps: Messaging) -> tuple[str, list[Sms]] | None:
    """(the order id, the SMS) an event calls for; None for an event that calls for none."""
    resolved = event.parse_any(DisputeResolved)
    if resolved is not None:
        farmer, buyer = deps.users.get(resolved.farmer_id), deps.users.get(resolved.buyer_id)
        return resolved.order_id, dispute_alerts(resolved, farmer, buyer)
    facts = event.parse_any(
        OrderPlaced,
        OrderConfirmed,
        OrderCancelled,
        OrderRejected,
        OrderDisputed,
        OrderDelivered,
        OrderCompleted,
        OrderExpired,
    )
    if facts is None:
        return None
    farmer = deps.users.get(facts.farmer_id) if event.detail_type in FARMER_EVENTS else None
    buyer = deps.users.get(facts.buyer_id) if event.detail_type in BUYER_EVENTS else None
    return facts.order_id, alerts(event.detail_type, facts, farmer, buyer)


def on_order_event(event: ReceivedEvent, deps: Messaging) -> int:
    """Send the alerts of one order (or dispute) event; returns how many were sent now. An alert
    already sent for this event is not sent again; one that fails is released and the event fails
    (SQS retries it, then dead-letters it)."""
    wanted = _wanted(event, deps)
    if wanted is None:
        return 0
    order_id, messages = wanted
    event_id = event.dedup_id
    sent = 0
    for sms in messages:
        if not deps.dal.claim_alert(event_id, sms.recipient, clock.epoch()):
            continue
        try:
            message_id = deps.sms().send_one(sms.to, sms.message)
        except Exception:
            deps.dal.release_alert(event_id, sms.recipient)
            raise
        deps.dal.record_sent(
            message_id,
            event_id=event_id,
            order_id=order_id,
            recipient=sms.recipient,
            kind=event.detail_type,
            now_iso=clock.now_iso(),
            now=clock.epoch(),
        )
        logger.info("order alert sent", extra={"recipient": sms.recipient, "user_id": sms.user_id})
        sent += 1
    return sent


def record_report(report: DeliveryReport, deps: Messaging) -> ReportRecorded:
    entry = {
        "status": report.status,
        "failure_reason": report.failure_reason or "",
        "network_code": report.network_code or "",
        "at": clock.now_iso(),
    }
    recorded = deps.dal.record_report(report.id, entry)
    if not recorded:
        logger.info("delivery report for a message we did not send")
    return ReportRecorded(recorded=recorded)
