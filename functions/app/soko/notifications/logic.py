"""Notification rules (no boto3 here): which event notifies whom, once per (event id, recipient),
stored first and then pushed live to the recipient's open WebSocket connections.

| event (source) | notification | to |
|---|---|---|
| ``OrderPlaced`` (soko.orders) | ``order_placed`` | farmer |
| ``OrderConfirmed``, ``OrderRejected``, ``OrderCompleted`` | ``order_confirmed``, ... | buyer |
| ``ReviewSubmitted`` (soko.orders) | ``review_received`` | farmer |
| ``PaymentCompleted`` (soko.payments) | ``payment_completed`` | buyer and farmer (those named) |
| ``PayoutSent`` (soko.payments: the payout settled) | ``payout_sent`` | farmer |

Each event is read with its producer's contract (soko.market.events, soko.payments.events),
leniently: a field the event leaves out is None, and a recipient it does not name is skipped;
unknown fields are ignored, and a field of the wrong type fails the record (to the DLQ).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from soko.market import events as orders
from soko.notifications.models import Draft, Notification, NotificationPage, NotificationType, ReadAll
from soko.payments import events as payments
from soko.realtime.public import Connections, push
from soko.shared import clock, ids
from soko.shared.dynamo import Page
from soko.shared.errors import NotFound
from soko.shared.events import EventDetail, ReceivedEvent, lenient
from soko.shared.identity import Caller


class NotificationNotFound(NotFound):
    code = "NOTIFICATION_NOT_FOUND"


@dataclass
class Notifications:
    dal: NotificationStore
    connections: Callable[[], Connections]  # only the consumer pushes


class NotificationStore(Protocol):
    def create(self, item: dict[str, Any], now: int) -> bool: ...
    def page(self, user_id: str, limit: int, cursor: str | None) -> Page: ...
    def mark_read(self, user_id: str, notification_id: str, now_iso: str) -> dict[str, Any] | None: ...
    def mark_unread_read(self, user_id: str, limit: int, now_iso: str) -> tuple[int, bool]: ...


# An event's contract -> (the field naming the recipient, notification type, title, body).
_ORDER_TEXTS: dict[type[EventDetail], tuple[str, NotificationType, str, str]] = {
    orders.OrderPlaced: (
        "farmer_id",
        "order_placed",
        "New order",
        "You have a new order for {crop}. Accept or reject it.",
    ),
    orders.OrderConfirmed: (
        "buyer_id",
        "order_confirmed",
        "Order confirmed",
        "The farmer accepted your order for {crop}.",
    ),
    orders.OrderRejected: (
        "buyer_id",
        "order_rejected",
        "Order declined",
        "The farmer declined your order for {crop}.",
    ),
    orders.OrderCompleted: (
        "buyer_id",
        "order_completed",
        "Order completed",
        "Your order for {crop} is completed.",
    ),
}
NOTIFYING = tuple(
    lenient(contract)
    for contract in (*_ORDER_TEXTS, orders.ReviewSubmitted, payments.PaymentCompleted, payments.PayoutSent)
)
_DATA_FIELDS = ("order_id", "listing_id", "payment_id", "payout_id", "crop")


def _money(amount: int | None) -> str:
    return f" of UGX {amount:,}" if amount is not None else ""


def drafts(event: ReceivedEvent) -> list[Draft]:
    """The notifications an event calls for (pure). Events are read with their producers'
    contracts, leniently: a recipient the event does not name is skipped."""
    detail = event.parse_any(*NOTIFYING)
    if detail is None:
        return []
    data: dict[str, str | int] = {
        name: value for name in _DATA_FIELDS if isinstance(value := getattr(detail, name, None), str)
    }
    out: list[Draft] = []

    def add(recipient_field: str, type_: NotificationType, title: str, body: str) -> None:
        recipient = getattr(detail, recipient_field)
        if recipient:
            out.append(Draft(recipient_id=recipient, type=type_, title=title, body=body, data=data))

    match detail:
        case orders.ReviewSubmitted(rating=rating):
            add("farmer_id", "review_received", "New review", f"A buyer rated you {rating or '?'} of 5.")
        case payments.PaymentCompleted(amount_ugx=amount):
            money = _money(amount)
            add("buyer_id", "payment_completed", "Payment received", f"Your payment{money} went through.")
            add(
                "farmer_id",
                "payment_completed",
                "Buyer paid",
                f"The buyer paid{money}; it is held until delivery.",
            )
        case payments.PayoutSent(net_ugx=amount):  # settled, not merely scheduled
            add(
                "farmer_id", "payout_sent", "Payout on its way", f"Your payout{_money(amount)} is on its way."
            )
        case _:
            contract = next(c for c in _ORDER_TEXTS if isinstance(detail, c))
            field, type_, title, body = _ORDER_TEXTS[contract]
            add(field, type_, title, body.format(crop=getattr(detail, "crop", None) or "produce"))
    return out


def notification_id(dedup_id: str, recipient_id: str) -> str:
    return hashlib.sha256(f"{dedup_id}|{recipient_id}".encode()).hexdigest()[:26]


def _view(item: dict[str, Any]) -> Notification:
    return Notification.model_validate(item)


def on_event(event: ReceivedEvent, deps: Notifications) -> int:
    """Store (once per event id and recipient) and push; returns how many were new."""
    created = 0
    for draft in drafts(event):
        item = {
            "id": notification_id(event.dedup_id, draft.recipient_id),
            **draft.model_dump(),
            "read": False,
            "created_at": clock.now_iso(),
            "event_id": event.dedup_id,
            "seq": ids.ulid(),  # orders the list (created_at is to the second)
        }
        if not deps.dal.create(item, clock.epoch()):
            continue  # a redelivered event: this recipient was notified already
        created += 1
        notification = _view(item).model_dump(mode="json", exclude_none=True)
        push(draft.recipient_id, {"type": "notification", "notification": notification}, deps.connections())
    return created


def list_notifications(
    caller: Caller, limit: int, cursor: str | None, deps: Notifications
) -> NotificationPage:
    page = deps.dal.page(caller.user_id, limit, cursor)
    return NotificationPage(items=[_view(item) for item in page.items], next_cursor=page.next_cursor)


def mark_read(caller: Caller, notification: str, deps: Notifications) -> Notification:
    item = deps.dal.mark_read(caller.user_id, notification, clock.now_iso())
    if item is None:
        raise NotificationNotFound("No such notification.", details={"id": notification})
    return _view(item)


READ_ALL_BATCH = 100  # notifications marked per read-all call (bounded work per request)


def mark_all_read(caller: Caller, deps: Notifications) -> ReadAll:
    """Marks up to ``READ_ALL_BATCH`` unread notifications read; ``remaining`` tells the client to call
    again (a user rarely has more; the work of one request stays bounded)."""
    marked, remaining = deps.dal.mark_unread_read(caller.user_id, READ_ALL_BATCH, clock.now_iso())
    return ReadAll(updated=marked, remaining=remaining)
