"""Notification rules (no boto3 here): which event notifies whom, once per (event id, recipient),
stored first and then pushed live to the recipient's open WebSocket connections.

| event (source) | notification | to |
|---|---|---|
| ``OrderPlaced`` (soko.orders) | ``order_placed`` | farmer |
| ``OrderConfirmed``, ``OrderRejected``, ``OrderCompleted`` | ``order_confirmed``, ... | buyer |
| ``ReviewSubmitted`` (soko.orders) | ``review_received`` | farmer |
| ``PaymentCompleted`` (soko.payments) | ``payment_completed`` | buyer and farmer (those named) |
| ``PayoutSent`` (soko.payments: the payout settled) | ``payout_sent`` | farmer |

Payment events are read tolerantly by their documented fields (``order_id``, ``buyer_id``,
``farmer_id``, an amount in ``amount_ugx``/``net_ugx``/``total_ugx``); a recipient the event does
not name is skipped, and unknown fields are ignored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from soko.notifications.dal import NotificationsDal
from soko.notifications.models import Draft, Notification, NotificationPage, ReadAll
from soko.realtime.public import Connections, push
from soko.shared import clock, ids
from soko.shared.errors import NotFound
from soko.shared.events import ReceivedEvent
from soko.shared.identity import Caller


class NotificationNotFound(NotFound):
    code = "NOTIFICATION_NOT_FOUND"


@dataclass
class Notifications:
    dal: NotificationsDal
    connections: Connections


def _order_data(detail: dict[str, Any]) -> dict[str, str | int]:
    data: dict[str, str | int] = {}
    for name in ("order_id", "listing_id", "payment_id", "payout_id", "crop"):
        if isinstance(detail.get(name), str):
            data[name] = detail[name]
    return data


def _amount(detail: dict[str, Any]) -> int | None:
    for name in ("amount_ugx", "net_ugx", "total_ugx"):
        if isinstance(detail.get(name), int):
            return int(detail[name])
    return None


def _money(amount: int | None) -> str:
    return f" of UGX {amount:,}" if amount is not None else ""


_ORDER_TEXTS = {
    "OrderPlaced": (
        "farmer_id",
        "order_placed",
        "New order",
        "You have a new order for {crop}. Accept or reject it.",
    ),
    "OrderConfirmed": (
        "buyer_id",
        "order_confirmed",
        "Order confirmed",
        "The farmer accepted your order for {crop}.",
    ),
    "OrderRejected": (
        "buyer_id",
        "order_rejected",
        "Order declined",
        "The farmer declined your order for {crop}.",
    ),
    "OrderCompleted": (
        "buyer_id",
        "order_completed",
        "Order completed",
        "Your order for {crop} is completed.",
    ),
}


def drafts(event: ReceivedEvent) -> list[Draft]:
    """The notifications an event calls for (pure)."""
    detail, kind = event.detail, event.detail_type
    data = _order_data(detail)
    out: list[Draft] = []

    def add(recipient_field: str, type_: str, title: str, body: str) -> None:
        recipient = detail.get(recipient_field)
        if isinstance(recipient, str) and recipient:
            out.append(Draft(recipient_id=recipient, type=type_, title=title, body=body, data=data))

    if event.source == "soko.orders" and kind in _ORDER_TEXTS:
        field, type_, title, body = _ORDER_TEXTS[kind]
        add(field, type_, title, body.format(crop=detail.get("crop", "produce")))
    elif event.source == "soko.orders" and kind == "ReviewSubmitted":
        add(
            "farmer_id",
            "review_received",
            "New review",
            f"A buyer rated you {detail.get('rating', '?')} of 5.",
        )
    elif event.source == "soko.payments" and kind == "PaymentCompleted":
        money = _money(_amount(detail))
        add("buyer_id", "payment_completed", "Payment received", f"Your payment{money} went through.")
        add(
            "farmer_id",
            "payment_completed",
            "Buyer paid",
            f"The buyer paid{money}; it is held until delivery.",
        )
    elif event.source == "soko.payments" and kind == "PayoutSent":  # settled, not merely scheduled
        add(
            "farmer_id",
            "payout_sent",
            "Payout on its way",
            f"Your payout{_money(_amount(detail))} is on its way.",
        )
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
        push(draft.recipient_id, {"type": "notification", "notification": notification}, deps.connections)
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
