"""Every channel, one preference: which channels a notification goes on, when, and delivering each
at most once (no boto3 here: ports for the store, the accounts and each sender).

**The decision** (:func:`decide`, pure):

| recipient | channels |
|---|---|
| the admins' inbox | in-app |
| a phone only (a notice to a number, no account) | SMS, in the notice's language |
| a basic phone (no password: ``uses_app`` False) | in-app, and SMS to the verified phone |
| an app user | in-app; SMS if chosen (a verified phone, and a text not for basic phones only); |
| | web push if chosen and a browser subscribed; mobile push if chosen and a device registered; |
| | e-mail if chosen, with an e-mail address, and an e-mail sender wired |

A notification without an SMS text (a review, a payment) is never an SMS. A farmer's order SMS
tell them to dial the USSD code, so they go to basic phones only (as messaging's alerts did).

**Defaults** (:data:`DEFAULT_CHANNELS`): web and mobile push on for every category; SMS on for
orders and disputes (the buyer's news of the farmer's answer may come hours later), and weather;
e-mail off; no quiet hours.

**Once per channel**: before sending, a delivery record (notification, channel) is claimed with a
conditional put; a claim that exists and did not fail means it was sent (or is being sent): skip.
A failed send marks its record ``failed`` and fails the event (SQS retries; the retry may claim
a failed record again). The SMS record keeps the provider's message id; messaging's delivery
reports (``SmsDeliveryReported``) turn it ``delivered`` (or ``failed``).

**Quiet hours**: a non-urgent notification whose recipient is in their quiet hours is stored in-app
at once; its other channels wait for a one-time timer at the end of the quiet hours (the timer
consumer delivers them then, with the same once-per-channel records). Urgent ones go now.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from soko.identity.public import UserView
from soko.notifications.models import (
    CATEGORIES,
    CategoryChannels,
    Channel,
    Draft,
    Preferences,
    QuietHours,
)
from soko.providers.sms import SmsSender
from soko.shared import clock
from soko.shared.notices import NoticeCategory
from soko.shared.observability import logger
from soko.shared.timers import Timers, timer_name

DEFAULT_CHANNELS: dict[NoticeCategory, CategoryChannels] = {
    category: CategoryChannels(
        sms=category in {"orders", "disputes", "weather"}, web_push=True, mobile_push=True, email=False
    )
    for category in CATEGORIES
}
TIMER_KIND = "notification.deliver"
PushOutcome = Literal["sent", "gone"]


def default_preferences() -> Preferences:
    return Preferences(categories=dict(DEFAULT_CHANNELS), quiet_hours=None)


@dataclass(frozen=True)
class Reach:
    """What a user has that a channel needs (besides the account itself)."""

    web_push: bool = False
    mobile_push: bool = False
    email: bool = False  # a verified e-mail and an e-mail sender wired


def decide(draft: Draft, user: UserView | None, prefs: Preferences, reach: Reach) -> list[Channel]:
    """The channels ``draft`` goes on (pure; see the module's table). ``user`` is None for the
    admins' inbox and for a phone-only recipient (``draft.recipient_id`` ``phone:...``)."""
    if user is None:
        return ["sms"] if draft.recipient_id.startswith("phone:") and draft.sms else ["in_app"]
    if not user.uses_app:
        return ["in_app", "sms"] if user.phone and draft.sms else ["in_app"]
    chosen = prefs.categories.get(draft.category, DEFAULT_CHANNELS[draft.category])
    out: list[Channel] = ["in_app"]
    if chosen.sms and user.phone and draft.sms and not draft.sms_basic_phone_only:
        out.append("sms")
    if chosen.web_push and reach.web_push:
        out.append("web_push")
    if chosen.mobile_push and reach.mobile_push:
        out.append("mobile_push")
    if chosen.email and reach.email and user.email:
        out.append("email")
    return out


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def quiet_until(now: datetime, quiet: QuietHours | None) -> datetime | None:
    """When the quiet hours around ``now`` end (EAT), or None when ``now`` is not in them."""
    if quiet is None:
        return None
    local = now.astimezone(clock.EAT)
    at = local.hour * 60 + local.minute
    start, end = _minutes(quiet.start), _minutes(quiet.end)
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    due = midnight + timedelta(minutes=end)
    return due if due > local else due + timedelta(days=1)


class Users(Protocol):
    def get(self, user_id: str) -> UserView | None: ...


class WebPush(Protocol):
    def send(self, subscription: dict[str, Any], payload: str) -> PushOutcome: ...


class MobilePush(Protocol):
    def publish(self, endpoint_arn: str, payload: str) -> PushOutcome: ...


class EmailSender(Protocol):
    """The e-mail port (the SES adapter's ``send(to, subject, text)``)."""

    def send(self, to: str, subject: str, text: str) -> Any: ...


class DeliveryStore(Protocol):
    def get_preferences(self, user_id: str) -> dict[str, Any] | None: ...
    def claim_delivery(self, notification_id: str, channel: Channel, now: int) -> bool: ...
    def mark_delivery(
        self, notification_id: str, channel: Channel, status: str, *, provider_id: str | None = None
    ) -> None: ...
    def link_sms(self, message_id: str, notification_id: str, now: int) -> None: ...
    def web_push_subscriptions(self, user_id: str) -> list[dict[str, Any]]: ...
    def delete_web_push_subscription(self, user_id: str, subscription_id: str) -> None: ...
    def devices(self, user_id: str) -> list[dict[str, Any]]: ...
    def delete_device(self, user_id: str, device_id: str) -> None: ...


@dataclass
class Senders:
    """What delivers (each built on first use; None: the channel is not wired here)."""

    users: Users
    sms: Callable[[], SmsSender]
    timers: Callable[[], Timers]
    web_push: Callable[[], WebPush] | None = None
    mobile_push: Callable[[], MobilePush] | None = None
    email: Callable[[], EmailSender] | None = None


def preferences_of(store: DeliveryStore, user_id: str) -> Preferences:
    stored = store.get_preferences(user_id)
    if stored is None:
        return default_preferences()
    saved = Preferences.model_validate(stored)
    return Preferences(categories={**DEFAULT_CHANNELS, **saved.categories}, quiet_hours=saved.quiet_hours)


class DeliveryFailed(Exception):
    """A channel's send failed (the event fails and is retried; sent channels are not resent)."""


def deliver(
    draft: Draft,
    notification_id: str,
    store: DeliveryStore,
    senders: Senders,
    *,
    now: datetime | None = None,
    after_quiet_hours: bool = False,
) -> list[Channel]:
    """Deliver ``draft`` on its channels besides in-app (stored by the caller); returns the channels
    sent now. In quiet hours (not urgent), sets the timer instead and sends nothing."""
    now = now or clock.now()
    is_user = not draft.recipient_id.startswith("phone:") and draft.recipient_id != "admins"
    user = senders.users.get(draft.recipient_id) if is_user else None
    if is_user and (user is None or user.suspended):
        return []
    prefs = preferences_of(store, user.id) if user else default_preferences()
    chosen = [c for c in decide(draft, user, prefs, _reach(user, store, senders)) if c != "in_app"]
    if not chosen:
        return []
    if user is not None and not draft.urgent and not after_quiet_hours:
        due = quiet_until(now, prefs.quiet_hours)
        if due is not None:
            name = timer_name("notif", notification_id)
            senders.timers().set(name, due, kind=TIMER_KIND, subject=notification_id, user_id=user.id)
            return []
    sent: list[Channel] = []
    failed: list[Channel] = []
    for channel in chosen:
        if not store.claim_delivery(notification_id, channel, clock.epoch()):
            continue  # sent before (a redelivered event, or a timer that fired twice)
        try:
            status, provider_id = _send(
                channel, draft=draft, notification_id=notification_id, user=user, store=store, senders=senders
            )
        except Exception:
            logger.exception("notification channel failed", extra={"channel": channel})
            store.mark_delivery(notification_id, channel, "failed")
            failed.append(channel)
            continue
        store.mark_delivery(notification_id, channel, status, provider_id=provider_id)
        if status == "sent":
            sent.append(channel)
    if failed:
        raise DeliveryFailed(f"channels failed: {', '.join(failed)}")
    return sent


def _reach(user: UserView | None, store: DeliveryStore, senders: Senders) -> Reach:
    if user is None or not user.uses_app:
        return Reach()
    return Reach(
        web_push=senders.web_push is not None and bool(store.web_push_subscriptions(user.id)),
        mobile_push=senders.mobile_push is not None and bool(store.devices(user.id)),
        email=senders.email is not None and bool(user.email),
    )


def _language(draft: Draft, user: UserView | None) -> str:
    return user.language if user is not None else (draft.language or "en")


def push_payload(draft: Draft, notification_id: str, language: str) -> dict[str, Any]:
    return {
        "id": notification_id,
        "type": draft.type,
        "title": draft.title.pick(language),
        "body": draft.body.pick(language),
        "data": draft.data,
    }


def _send(
    channel: Channel,
    *,
    draft: Draft,
    notification_id: str,
    user: UserView | None,
    store: DeliveryStore,
    senders: Senders,
) -> tuple[str, str | None]:
    """(the record's status, the provider's id) after sending on one channel."""
    language = _language(draft, user)
    match channel:
        case "sms":
            assert draft.sms is not None
            to = user.phone if user is not None else draft.recipient_id.removeprefix("phone:")
            assert to
            message_id = senders.sms().send_one(to, draft.sms.pick(language))
            store.link_sms(message_id, notification_id, clock.epoch())
            return "sent", message_id
        case "web_push":
            assert user is not None and senders.web_push is not None
            payload = json.dumps(push_payload(draft, notification_id, language))
            outcomes = []
            for subscription in store.web_push_subscriptions(user.id):
                outcome = senders.web_push().send(subscription["subscription"], payload)
                if outcome == "gone":  # 404/410: the browser unsubscribed
                    store.delete_web_push_subscription(user.id, subscription["id"])
                outcomes.append(outcome)
            return ("sent" if "sent" in outcomes else "gone"), None
        case "mobile_push":
            assert user is not None and senders.mobile_push is not None
            payload = json.dumps(push_payload(draft, notification_id, language))
            outcomes = []
            for device in store.devices(user.id):
                outcome = senders.mobile_push().publish(device["endpoint_arn"], payload)
                if outcome == "gone":  # the endpoint is disabled: the app was removed or the token expired
                    store.delete_device(user.id, device["id"])
                outcomes.append(outcome)
            return ("sent" if "sent" in outcomes else "gone"), None
        case "email":
            assert user is not None and user.email and senders.email is not None
            text = f"{draft.body.pick(language)}\n\n-- Soko"
            senders.email().send(user.email, draft.title.pick(language), text)
            return "sent", None
    raise ValueError(channel)
