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

from soko.alerts import events as alerts
from soko.analytics import events as analytics
from soko.coops import events as coops
from soko.disputes import events as disputes
from soko.groups import events as groups
from soko.logistics import events as logistics
from soko.market import events as orders
from soko.messaging.events import SmsDeliveryReported
from soko.notifications import channels, texts
from soko.notifications.channels import DeliveryStore, Senders
from soko.notifications.models import (
    Draft,
    Notification,
    NotificationPage,
    NotificationType,
    Preferences,
    PreferencesUpdate,
    ReadAll,
)
from soko.payments import events as payments
from soko.realtime.public import Connections, push
from soko.shared import clock, ids
from soko.shared.dynamo import Page
from soko.shared.errors import NotFound
from soko.shared.events import EventDetail, ReceivedEvent, lenient
from soko.shared.identity import Caller
from soko.shared.notices import ADMINS_INBOX, Notice, NoticeCategory, Texts
from soko.shared.timers import TimerMessage
from soko.weather import events as weather


class NotificationNotFound(NotFound):
    code = "NOTIFICATION_NOT_FOUND"


@dataclass
class Notifications:
    dal: NotificationStore
    connections: Callable[[], Connections]  # only the consumer pushes
    senders: Senders | None = None  # only the consumers deliver on channels


class NotificationStore(DeliveryStore, Protocol):
    def get(self, user_id: str, notification_id: str) -> dict[str, Any] | None: ...
    def sms_reported(self, message_id: str, status: str) -> bool: ...
    def put_preferences(self, user_id: str, preferences: dict[str, Any]) -> None: ...
    def create(self, item: dict[str, Any], now: int) -> bool: ...
    def page(self, user_id: str, limit: int, cursor: str | None) -> Page: ...
    def mark_read(self, user_id: str, notification_id: str, now_iso: str) -> dict[str, Any] | None: ...
    def mark_unread_read(self, user_id: str, limit: int, now_iso: str) -> tuple[int, bool]: ...


# An event's contract -> (the field naming the recipient, notification type).
_ORDER_TEXTS: dict[type[EventDetail], tuple[str, NotificationType]] = {
    orders.OrderPlaced: ("farmer_id", "order_placed"),
    orders.OrderConfirmed: ("buyer_id", "order_confirmed"),
    orders.OrderRejected: ("buyer_id", "order_rejected"),
    orders.OrderDispatched: ("buyer_id", "order_dispatched"),
    orders.OrderCancelled: ("farmer_id", "order_cancelled"),
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
_CATEGORY: dict[str, NoticeCategory] = {
    "payment_completed": "payments",
    "payout_sent": "payments",
    "dispute_opened": "disputes",
    "dispute_resolved": "disputes",
}


def inbox(caller: Caller) -> str:
    """Whose notifications the caller reads: admins read the admins' shared inbox."""
    return ADMINS_INBOX if caller.is_admin else caller.user_id


def _money(amount: int | None) -> dict[str, str]:
    text = f" of {texts.ugx(amount)}" if amount is not None else ""
    return {"money": text, "money_lg": f" {texts.ugx(amount)}" if amount is not None else ""}


class _Add(Protocol):
    def __call__(
        self,
        recipient_field: str,
        type_: NotificationType,
        title: Texts,
        body: Texts,
        sms: Texts | None = None,
    ) -> None: ...


def _order_sms(role: str, detail: EventDetail, **values: str) -> Texts | None:
    """The SMS about an order event (messaging's texts) for ``role``, when the event has its facts."""
    return texts.sms(
        f"{role}.{type(detail).DETAIL_TYPE}",
        crop=getattr(detail, "crop", None),
        quantity_kg=getattr(detail, "quantity_kg", None),
        total_ugx=getattr(detail, "total_ugx", None),
        **values,
    )


def _dispute_drafts(detail: EventDetail, add: _Add) -> None:
    match detail:
        case orders.OrderDisputed(crop=crop, total_ugx=total):
            add(
                "buyer_id",
                "dispute_opened",
                texts.title("dispute_opened"),
                texts.body("dispute_opened.buyer", crop),
            )
            add(
                "farmer_id",
                "dispute_opened",
                texts.title("order_disputed"),
                texts.body("dispute_opened.farmer", crop),
                _order_sms("farmer", detail),
            )
            add(
                ADMINS_INBOX,
                "dispute_opened",
                texts.title("new_dispute"),
                texts.body("dispute_opened.admins", crop, **_money(total)),
            )
        case disputes.DisputeResolved(outcome=outcome):
            amounts = {
                "total": texts.ugx(detail.total_ugx),
                "buyer": texts.ugx(detail.buyer_amount_ugx),
                "farmer": texts.ugx(detail.farmer_amount_ugx),
            }
            sms_amounts = {"buyer": f"{detail.buyer_amount_ugx:,}", "farmer": f"{detail.farmer_amount_ugx:,}"}
            title = texts.title("dispute_resolved")
            for role in ("farmer", "buyer"):
                en, lg = texts.SMS[f"{role}.DisputeResolved"]
                add(
                    f"{role}_id",
                    "dispute_resolved",
                    title,
                    texts.body(f"dispute_resolved.{outcome}.{role}", **amounts),
                    Texts(en=en.format(**sms_amounts), lg=lg.format(**sms_amounts)),
                )
            add(
                ADMINS_INBOX,
                "dispute_resolved",
                title,
                texts.body("dispute_resolved.admins", outcome=outcome),
            )


def _order_end_drafts(detail: EventDetail, add: _Add) -> None:
    """Delivered (the buyer's window to confirm or dispute), completed, expired."""
    match detail:
        case orders.OrderDelivered(crop=crop, release_at=release_at):
            until = texts.until(release_at)
            by = {
                "by": f" before {until}" if until else "",
                "by_lg": f" nga {until} tannatuuka" if until else "",
            }
            add(
                "buyer_id",
                "order_delivered",
                texts.title("order_delivered"),
                texts.body("order_delivered", crop, **by),
                _order_sms("buyer", detail, until=until) if until else None,
            )
        case orders.OrderCompleted(crop=crop):
            title = texts.title("order_completed")
            add("buyer_id", "order_completed", title, texts.body("order_completed.buyer", crop))
            add(
                "farmer_id",
                "order_completed",
                title,
                texts.body("order_completed.farmer", crop),
                _order_sms("farmer", detail),
            )
        case orders.OrderExpired(crop=crop, reason=reason):
            key = "order_expired.unanswered" if reason == "unanswered" else "order_expired.unpaid"
            for role in ("buyer", "farmer"):
                body = texts.body(key, crop)
                add(
                    f"{role}_id",
                    "order_expired",
                    texts.title("order_expired"),
                    body,
                    _order_sms(role, detail),
                )


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

    def add(
        recipient_field: str,
        type_: NotificationType,
        title: Texts,
        body: Texts,
        sms: Texts | None = None,
    ) -> None:
        recipient = ADMINS_INBOX if recipient_field == ADMINS_INBOX else getattr(detail, recipient_field)
        if not recipient:
            return
        role = recipient_field.removesuffix("_id")
        out.append(
            Draft(
                recipient_id=recipient,
                type=type_,
                category=_CATEGORY.get(type_, "orders"),
                title=title,
                body=body,
                sms=sms,
                sms_basic_phone_only=role == texts.SMS_BASIC_PHONE_ONLY,
                data=data,
            )
        )

    match detail:
        case orders.OrderDisputed() | disputes.DisputeResolved():
            _dispute_drafts(detail, add)
        case orders.OrderDelivered() | orders.OrderCompleted() | orders.OrderExpired():
            _order_end_drafts(detail, add)
        case orders.ReviewSubmitted(rating=rating):
            body = texts.body("review_received", rating=str(rating or "?"))
            add("farmer_id", "review_received", texts.title("review_received"), body)
        case payments.PaymentCompleted(amount_ugx=amount):
            money = _money(amount)
            add(
                "buyer_id",
                "payment_completed",
                texts.title("payment_completed"),
                texts.body("payment_completed", **money),
            )
            add(
                "farmer_id", "payment_completed", texts.title("buyer_paid"), texts.body("buyer_paid", **money)
            )
        case payments.PayoutSent(net_ugx=amount):  # settled, not merely scheduled
            add(
                "farmer_id",
                "payout_sent",
                texts.title("payout_sent"),
                texts.body("payout_sent", **_money(amount)),
            )
        case _:
            contract = next(c for c in _ORDER_TEXTS if isinstance(detail, c))
            field, type_ = _ORDER_TEXTS[contract]
            crop = getattr(detail, "crop", None)
            add(
                field,
                type_,
                texts.title(type_),
                texts.body(type_, crop),
                _order_sms(field.removesuffix("_id"), detail),
            )
            if type_ == "order_confirmed":  # the farmer who confirmed (on a basic phone: by SMS)
                body = texts.body("order_confirmed.farmer", crop)
                add("farmer_id", type_, texts.title(type_), body, _order_sms("farmer", detail))
    return out


def notification_id(dedup_id: str, recipient_id: str) -> str:
    return hashlib.sha256(f"{dedup_id}|{recipient_id}".encode()).hexdigest()[:26]


def _view(item: dict[str, Any]) -> Notification:
    return Notification.model_validate(item)


NOTICES: tuple[type[Notice], ...] = (
    alerts.PriceAlertTriggered,
    alerts.PriceDigestCompiled,
    weather.WeatherAdviceIssued,
    logistics.TransportNoticeIssued,
    analytics.WeeklyReportReady,
    groups.GroupNoticeIssued,
    coops.CoopNoticeIssued,
)


def _item(draft: Draft, nid: str, dedup_id: str, language: str) -> dict[str, Any]:
    return {
        "id": nid,
        "recipient_id": draft.recipient_id,
        "type": draft.type,
        "category": draft.category,
        "title": draft.title.pick(language),
        "body": draft.body.pick(language),
        "texts": {
            lang: {"title": draft.title.pick(lang), "body": draft.body.pick(lang)} for lang in ("en", "lg")
        },
        "data": draft.data,
        "read": False,
        "created_at": clock.now_iso(),
        "event_id": dedup_id,
        "seq": ids.ulid(),  # orders the list (created_at is to the second)
        "draft": draft.model_dump(mode="json"),  # what a quiet-hours timer delivers later
    }


def _notify(draft: Draft, dedup_id: str, deps: Notifications) -> bool:
    """Store in-app (users and the admins' inbox) and push it live, then deliver the other
    channels; True when the in-app notification is new."""
    nid = notification_id(dedup_id, draft.recipient_id)
    created = False
    if not draft.recipient_id.startswith("phone:"):
        user = (
            deps.senders.users.get(draft.recipient_id)
            if deps.senders and draft.recipient_id != ADMINS_INBOX
            else None
        )
        item = _item(draft, nid, dedup_id, user.language if user else "en")
        created = deps.dal.create(item, clock.epoch())
        if created and draft.recipient_id != ADMINS_INBOX:  # admins see their shared inbox when they list it
            notification = _view(item).model_dump(mode="json", exclude_none=True)
            push(
                draft.recipient_id, {"type": "notification", "notification": notification}, deps.connections()
            )
    if deps.senders is not None:  # also on a redelivery: what was sent is not sent again
        channels.deliver(draft, nid, deps.dal, deps.senders)
    return created


def notice_draft(notice: Notice) -> Draft:
    """A notice as the pipeline's draft: to the user, or to a phone only (SMS in its language)."""
    return Draft(
        recipient_id=notice.user_id or f"phone:{notice.phone}",
        type="notice",
        category=notice.category,
        urgent=notice.urgent,
        title=notice.title,
        body=notice.body,
        sms=notice.sms,
        language=notice.language,
        data={**notice.data, "notice_id": notice.notice_id},
    )


def on_event(event: ReceivedEvent, deps: Notifications) -> int:
    """One event: an order/payment/dispute event's notifications, a notice, or an SMS delivery
    report. Stored once per (event id, recipient), each channel sent once; returns how many
    in-app notifications were new."""
    report = event.parse_any(SmsDeliveryReported)
    if report is not None:
        deps.dal.sms_reported(report.message_id, report.status)
        return 0
    notice = event.parse_any(*NOTICES)
    if notice is not None:
        return int(_notify(notice_draft(notice), f"notice:{notice.notice_id}", deps))
    return sum(_notify(draft, event.dedup_id, deps) for draft in drafts(event))


def on_timer(message: TimerMessage, deps: Notifications) -> list[str]:
    """The end of a recipient's quiet hours: deliver what waited (channels sent already are not
    sent again; a notification that expired meanwhile is skipped)."""
    user_id = str(getattr(message, "user_id", "") or "")
    item = deps.dal.get(user_id, message.subject) if user_id else None
    if item is None or "draft" not in item or deps.senders is None:
        return []
    draft = Draft.model_validate(item["draft"])
    return list(channels.deliver(draft, message.subject, deps.dal, deps.senders, after_quiet_hours=True))


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


def get_preferences(caller: Caller, deps: Notifications) -> Preferences:
    """The caller's channels per category and quiet hours (the defaults until they change them)."""
    return channels.preferences_of(deps.dal, caller.user_id)


def put_preferences(caller: Caller, update: PreferencesUpdate, deps: Notifications) -> Preferences:
    """Replace the categories given (the others keep their choice) and the quiet hours."""
    current = channels.preferences_of(deps.dal, caller.user_id)
    merged = Preferences(
        categories={**current.categories, **update.categories}, quiet_hours=update.quiet_hours
    )
    deps.dal.put_preferences(caller.user_id, merged.model_dump(mode="json"))
    return merged
