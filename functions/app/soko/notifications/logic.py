"""Notification rules (no boto3 here): which event notifies whom, once per (event id, recipient),
stored first and then pushed live to the recipient's open WebSocket connections.

| event (source) | notification | to |
|---|---|---|
| ``OrderPlaced`` (soko.orders) | ``order_placed`` | farmer |
| ``OrderConfirmed``, ``OrderRejected``, ``OrderDispatched`` | ``order_confirmed``, ... | buyer |
| ``OrderDelivered`` (with the date the dispute window ends) | ``order_delivered`` | buyer |
| ``OrderCompleted`` (escrow released) | ``order_completed`` | buyer and farmer |
| ``OrderExpired`` | ``order_expired`` | buyer and farmer |
| ``ReviewSubmitted`` (soko.orders) | ``review_received`` | farmer |
| ``PaymentCompleted`` (soko.payments) | ``payment_completed`` | buyer and farmer (those named) |
| ``PayoutSent`` (soko.payments: the payout settled) | ``payout_sent`` | farmer |
| ``OrderDisputed`` (soko.orders) | ``dispute_opened`` | buyer, farmer and the admins' inbox |
| ``DisputeResolved`` (soko.disputes) | ``dispute_resolved`` | buyer, farmer and the admins' inbox |

Each event is read with its producer's contract (soko.market.events, soko.payments.events),
leniently: a field the event leaves out is None, and a recipient it does not name is skipped;
unknown fields are ignored, and a field of the wrong type fails the record (to the DLQ).
``DisputeResolved`` is read strictly: its amounts must add up, or the record fails.

**Admins** share one inbox (recipient :data:`ADMINS_INBOX`): a notification for admins is stored
once, not once per admin (there is no list of admins to fan out to, and a dispute is handled by one
of them: when one admin has read it, it is read for all). An admin's ``GET /notifications/`` lists
that shared inbox, and read / read-all mark it; it is not pushed over the WebSocket (connections
are per user), so an admin console polls the list.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from soko.disputes import events as disputes
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
    orders.OrderDispatched: (
        "buyer_id",
        "order_dispatched",
        "Order on its way",
        "The farmer dispatched your order for {crop}.",
    ),
}
NOTIFYING: tuple[type[EventDetail], ...] = (
    *(
        lenient(contract)
        for contract in (
            *_ORDER_TEXTS,
            orders.ReviewSubmitted,
            orders.OrderDelivered,
            orders.OrderCompleted,
            orders.OrderExpired,
            orders.OrderDisputed,
            payments.PaymentCompleted,
            payments.PayoutSent,
        )
    ),
    disputes.DisputeResolved,  # strictly: amounts that do not add up fail the record
)
_DATA_FIELDS = ("order_id", "listing_id", "payment_id", "payout_id", "dispute_id", "crop")
ADMINS_INBOX = "admins"  # the recipient of what every admin should see (never a user id: ids are ULIDs)


def inbox(caller: Caller) -> str:
    """Whose notifications the caller reads: admins read the admins' shared inbox."""
    return ADMINS_INBOX if caller.is_admin else caller.user_id


def _money(amount: int | None) -> str:
    return f" of UGX {amount:,}" if amount is not None else ""


def _ugx(amount: int) -> str:
    return f"UGX {amount:,}"


_RESOLVED_TEXTS: dict[str, tuple[str, str]] = {  # outcome -> (to the buyer, to the farmer)
    "release": (
        "An admin reviewed your dispute: the payment of {total} goes to the farmer.",
        "An admin reviewed the dispute: the payment of {total} is released to you.",
    ),
    "refund": (
        "An admin reviewed your dispute: {buyer} is refunded to you.",
        "An admin reviewed the dispute: the buyer is refunded {buyer}.",
    ),
    "split": (
        "An admin reviewed your dispute: {buyer} is refunded to you and {farmer} goes to the farmer.",
        "An admin reviewed the dispute: {farmer} is released to you and {buyer} refunded to the buyer.",
    ),
}


def _dispute_drafts(detail: EventDetail, add: Callable[[str, NotificationType, str, str], None]) -> None:
    match detail:
        case orders.OrderDisputed(crop=crop, total_ugx=total):
            crop = crop or "produce"
            held = "the payment stays held until an admin decides"
            add("buyer_id", "dispute_opened", "Dispute opened", f"We have your dispute about {crop}; {held}.")
            add(
                "farmer_id",
                "dispute_opened",
                "Order disputed",
                f"The buyer disputed the order for {crop}; {held}.",
            )
            money = f" of {_ugx(total)}" if total is not None else ""
            add(ADMINS_INBOX, "dispute_opened", "New dispute", f"A buyer disputed an order{money} ({crop}).")
        case disputes.DisputeResolved(outcome=outcome):
            amounts = {
                "total": _ugx(detail.total_ugx),
                "buyer": _ugx(detail.buyer_amount_ugx),
                "farmer": _ugx(detail.farmer_amount_ugx),
            }
            to_buyer, to_farmer = _RESOLVED_TEXTS[outcome]
            add("buyer_id", "dispute_resolved", "Dispute resolved", to_buyer.format(**amounts))
            add("farmer_id", "dispute_resolved", "Dispute resolved", to_farmer.format(**amounts))
            add(ADMINS_INBOX, "dispute_resolved", "Dispute resolved", f"A dispute was resolved: {outcome}.")


def _order_end_drafts(detail: EventDetail, add: Callable[[str, NotificationType, str, str], None]) -> None:
    """Delivered (the buyer's window to confirm or dispute), completed, expired."""
    match detail:
        case orders.OrderDelivered(crop=crop, release_at=release_at):
            by = f" before {clock.eat_text(release_at)}" if release_at else ""
            add(
                "buyer_id",
                "order_delivered",
                "Order delivered",
                f"The farmer says your order for {crop or 'produce'} was delivered. Confirm receipt, or "
                f"open a dispute{by}; after that the payment goes to the farmer.",
            )
        case orders.OrderCompleted(crop=crop):
            crop = crop or "produce"
            add("buyer_id", "order_completed", "Order completed", f"Your order for {crop} is completed.")
            add(
                "farmer_id",
                "order_completed",
                "Order completed",
                f"The order for {crop} is completed: your payment is released for payout.",
            )
        case orders.OrderExpired(crop=crop, reason=reason):
            crop = crop or "produce"
            why = "the farmer did not answer" if reason == "unanswered" else "it was not paid"
            for field in ("buyer_id", "farmer_id"):
                text = f"The order for {crop} expired: {why} in time."
                add(field, "order_expired", "Order expired", text)


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
        recipient = ADMINS_INBOX if recipient_field == ADMINS_INBOX else getattr(detail, recipient_field)
        if recipient:
            out.append(Draft(recipient_id=recipient, type=type_, title=title, body=body, data=data))

    match detail:
        case orders.OrderDisputed() | disputes.DisputeResolved():
            _dispute_drafts(detail, add)
        case orders.OrderDelivered() | orders.OrderCompleted() | orders.OrderExpired():
            _order_end_drafts(detail, add)
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
        if draft.recipient_id == ADMINS_INBOX:
            continue  # connections are per user: admins see their shared inbox when they list it
        notification = _view(item).model_dump(mode="json", exclude_none=True)
        push(draft.recipient_id, {"type": "notification", "notification": notification}, deps.connections())
    return created


def list_notifications(
    caller: Caller, limit: int, cursor: str | None, deps: Notifications
) -> NotificationPage:
    page = deps.dal.page(inbox(caller), limit, cursor)
    return NotificationPage(items=[_view(item) for item in page.items], next_cursor=page.next_cursor)


def mark_read(caller: Caller, notification: str, deps: Notifications) -> Notification:
    item = deps.dal.mark_read(inbox(caller), notification, clock.now_iso())
    if item is None:
        raise NotificationNotFound("No such notification.", details={"id": notification})
    return _view(item)


READ_ALL_BATCH = 100  # notifications marked per read-all call (bounded work per request)


def mark_all_read(caller: Caller, deps: Notifications) -> ReadAll:
    """Marks up to ``READ_ALL_BATCH`` unread notifications read; ``remaining`` tells the client to call
    again (a user rarely has more; the work of one request stays bounded)."""
    marked, remaining = deps.dal.mark_unread_read(inbox(caller), READ_ALL_BATCH, clock.now_iso())
    return ReadAll(updated=marked, remaining=remaining)
