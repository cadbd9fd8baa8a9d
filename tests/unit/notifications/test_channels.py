"""Every channel, one preference: the channel decision (basic phones, app users, phone-only
notices, the admins' inbox), quiet hours, and each channel delivered at most once. The order SMS
are messaging's former alerts (each fits one SMS, English and Luganda)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import pytest

from soko.identity.public import UserView
from soko.market import events as orders
from soko.notifications.channels import (
    DeliveryFailed,
    Reach,
    Senders,
    decide,
    default_preferences,
    deliver,
    quiet_until,
)
from soko.notifications.logic import drafts, notice_draft
from soko.notifications.models import CategoryChannels, Channel, Draft, Preferences, QuietHours
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.notices import Texts
from soko.weather.events import WeatherAdviceIssued
from support.events import eventbridge_event

ORDER = {
    "order_id": "01JORDER",
    "listing_id": "01JLISTING",
    "buyer_id": "01JBUYER",
    "farmer_id": "01JFARMER",
    "crop": "sweet_potatoes",
    "district": "Gulu",
    "quantity_kg": Decimal("1250.5"),
    "price_per_kg_ugx": 1_000,
    "total_ugx": 1_250_500,
}
FARMER = UserView(id="01JFARMER", role="farmer", phone="+256772000001", uses_app=False, language="lg")
BUYER = UserView(id="01JBUYER", role="buyer", phone="+256772000002", email="b@example.com")


def _received(detail: EventDetail) -> ReceivedEvent:
    body: dict[str, Any] = detail.model_dump(mode="json")
    return ReceivedEvent.model_validate(eventbridge_event(detail.SOURCE, detail.DETAIL_TYPE, body))


def _by_recipient(detail: EventDetail) -> dict[str, Draft]:
    return {d.recipient_id: d for d in drafts(_received(detail))}


# -- the decision table ------------------------------------------------------------------------
def test_a_basic_phone_gets_in_app_and_sms_whatever_the_preferences() -> None:
    draft = _by_recipient(orders.OrderPlaced(**ORDER))["01JFARMER"]
    off = Preferences(
        categories={"orders": CategoryChannels(sms=False, web_push=False, mobile_push=False, email=False)}
    )
    assert decide(draft, FARMER, off, Reach()) == ["in_app", "sms"]
    assert decide(draft, FARMER.model_copy(update={"phone": None}), off, Reach()) == ["in_app"]


def test_an_app_user_gets_what_they_chose_and_have() -> None:
    draft = _by_recipient(orders.OrderConfirmed(**ORDER))["01JBUYER"]
    everything = Reach(web_push=True, mobile_push=True, email=True)
    assert decide(draft, BUYER, default_preferences(), everything) == [
        "in_app",
        "sms",
        "web_push",
        "mobile_push",
    ]
    assert decide(draft, BUYER, default_preferences(), Reach()) == ["in_app", "sms"]
    chosen = Preferences(
        categories={"orders": CategoryChannels(sms=False, web_push=True, mobile_push=False, email=True)}
    )
    assert decide(draft, BUYER, chosen, everything) == ["in_app", "web_push", "email"]


def test_a_farmer_with_the_app_gets_no_basic_phone_sms() -> None:
    """The farmer's order SMS tell them to dial the USSD code: basic phones only (as before)."""
    draft = _by_recipient(orders.OrderCompleted(**ORDER, completed_at="2026-12-05T08:00:00Z"))["01JFARMER"]
    app_farmer = FARMER.model_copy(update={"uses_app": True})
    assert decide(draft, app_farmer, default_preferences(), Reach()) == ["in_app"]
    assert decide(draft, FARMER, default_preferences(), Reach()) == ["in_app", "sms"]


def test_no_sms_text_no_sms_and_the_admins_inbox_is_in_app_only() -> None:
    review = _by_recipient(
        orders.ReviewSubmitted.model_construct(order_id="o", farmer_id="01JFARMER", buyer_id="b", rating=5)
    )
    assert decide(review["01JFARMER"], FARMER, default_preferences(), Reach()) == ["in_app"]
    admins = _by_recipient(
        orders.OrderDisputed(
            **ORDER, dispute_id="d", reason="x", details="x", opened_at="2026-12-05T08:00:00Z"
        )
    )["admins"]
    assert decide(admins, None, default_preferences(), Reach()) == ["in_app"]


def _notice(**fields: Any) -> WeatherAdviceIssued:
    return WeatherAdviceIssued(
        notice_id="rain:Gulu:2026-12-03",
        category="weather",
        title=Texts(en="Heavy rain", lg="Enkuba nnyingi"),
        body=Texts(en="Heavy rain tomorrow.", lg="Enkuba nnyingi enkya."),
        sms=Texts(en="Soko: heavy rain tomorrow.", lg="Soko: enkuba nnyingi enkya."),
        **fields,
    )


def test_a_phone_only_notice_is_sms_in_its_language() -> None:
    draft = notice_draft(_notice(phone="+256772000009", language="lg"))
    assert draft.recipient_id == "phone:+256772000009"
    assert decide(draft, None, default_preferences(), Reach()) == ["sms"]


# -- the order SMS (messaging's former alerts) ---------------------------------------------------
@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_end_of_an_order_reaches_basic_phones_in_one_sms(language: Literal["en", "lg"]) -> None:
    delivered = orders.OrderDelivered(
        **ORDER, delivered_at="2026-12-02T08:00:00Z", release_at="2026-12-05T08:00:00Z"
    )
    to_buyer = _by_recipient(delivered)["01JBUYER"]
    assert to_buyer.sms is not None
    assert "5 Dec 2026, 11:00 EAT" in to_buyer.sms.pick(language) and "1,250,500" in to_buyer.sms.pick(
        language
    )
    completed = orders.OrderCompleted(**ORDER, completed_at="2026-12-05T08:00:00Z", released_by="window")
    to_farmer = _by_recipient(completed)["01JFARMER"]
    expired = _by_recipient(orders.OrderExpired(**ORDER, reason="unpaid"))
    for draft in (to_buyer, to_farmer, *expired.values()):
        assert draft.sms is not None and len(draft.sms.pick(language)) <= 160, draft


def test_every_order_notification_is_in_english_and_luganda() -> None:
    placed = _by_recipient(orders.OrderPlaced(**ORDER))["01JFARMER"]
    assert (placed.title.en, placed.title.lg) == ("New order", "Oda empya")
    assert placed.body.lg == "Olina oda empya ya Lumonde. Gikkirize oba ogigaane."
    assert placed.body.en == "You have a new order for sweet_potatoes. Accept or reject it."
    for detail in (
        orders.OrderCompleted(**ORDER, completed_at="2026-12-05T08:00:00Z"),
        orders.OrderDisputed(
            **ORDER, dispute_id="d", reason="x", details="x", opened_at="2026-12-05T08:00:00Z"
        ),
        orders.OrderCancelled(**ORDER),
    ):
        for draft in drafts(_received(detail)):
            assert draft.title.lg and draft.body.lg and draft.body.lg != draft.body.en


# -- quiet hours -------------------------------------------------------------------------------
def test_quiet_hours_across_midnight_end_at_their_end_in_eat() -> None:
    quiet = QuietHours(start="22:00", end="06:00")
    at_2300_eat = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    assert quiet_until(at_2300_eat, quiet) == datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    at_0300_eat = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    assert quiet_until(at_0300_eat, quiet) == datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    at_noon_eat = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert quiet_until(at_noon_eat, quiet) is None
    assert quiet_until(at_2300_eat, None) is None
    day = QuietHours(start="13:00", end="14:30")
    assert quiet_until(datetime(2026, 12, 3, 10, 15, tzinfo=UTC), day) == datetime(
        2026, 12, 3, 11, 30, tzinfo=UTC
    )


# -- delivery, once per channel ------------------------------------------------------------------
class Store:
    def __init__(self) -> None:
        self.prefs: dict[str, dict[str, Any]] = {}
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.links: dict[str, str] = {}
        self.subscriptions: dict[str, list[dict[str, Any]]] = {}
        self.device_list: dict[str, list[dict[str, Any]]] = {}

    def get_preferences(self, user_id: str) -> dict[str, Any] | None:
        return self.prefs.get(user_id)

    def claim_delivery(self, notification_id: str, channel: Channel, now: int) -> bool:
        record = self.records.get((notification_id, channel))
        if record is not None and record["delivery"] != "failed":
            return False
        self.records[notification_id, channel] = {"delivery": "sending"}
        return True

    def mark_delivery(
        self, notification_id: str, channel: Channel, status: str, *, provider_id: str | None = None
    ) -> None:
        self.records[notification_id, channel] = {"delivery": status, "provider_id": provider_id}

    def link_sms(self, message_id: str, notification_id: str, now: int) -> None:
        self.links[message_id] = notification_id

    def web_push_subscriptions(self, user_id: str) -> list[dict[str, Any]]:
        return self.subscriptions.get(user_id, [])

    def delete_web_push_subscription(self, user_id: str, subscription_id: str) -> None:
        self.subscriptions[user_id] = [s for s in self.subscriptions[user_id] if s["id"] != subscription_id]

    def devices(self, user_id: str) -> list[dict[str, Any]]:
        return self.device_list.get(user_id, [])

    def delete_device(self, user_id: str, device_id: str) -> None:
        self.device_list[user_id] = [d for d in self.device_list[user_id] if d["id"] != device_id]


class Sms:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail = fail

    def send_one(self, to: str, message: str) -> str:
        if self.fail:
            raise RuntimeError("provider down")
        self.sent.append((to, message))
        return f"ATXid_{len(self.sent)}"


class Timers:
    def __init__(self) -> None:
        self.set_: list[tuple[str, datetime, dict[str, Any]]] = []

    def set(self, name: str, due: datetime, *, kind: str, subject: str, **fields: Any) -> None:
        self.set_.append((name, due, {"kind": kind, "subject": subject, **fields}))

    def cancel(self, name: str) -> None: ...


class WebPush:
    def __init__(self, gone: set[str] | None = None) -> None:
        self.sent: list[str] = []
        self.gone = gone or set()

    def send(self, subscription: dict[str, Any], payload: str) -> Literal["sent", "gone"]:
        if subscription["endpoint"] in self.gone:
            return "gone"
        self.sent.append(subscription["endpoint"])
        return "sent"


class Users:
    def __init__(self, *users: UserView) -> None:
        self.users = {u.id: u for u in users}

    def get(self, user_id: str) -> UserView | None:
        return self.users.get(user_id)


def _senders(sms: Sms, timers: Timers | None = None, web_push: WebPush | None = None) -> Senders:
    timers = timers or Timers()
    return Senders(
        users=Users(FARMER, BUYER),
        sms=lambda: sms,
        timers=lambda: timers,
        web_push=(lambda: web_push) if web_push else None,
    )


NOON_EAT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_each_channel_goes_once_and_the_sms_keeps_its_message_id() -> None:
    store, sms = Store(), Sms()
    draft = _by_recipient(orders.OrderPlaced(**ORDER))["01JFARMER"]
    assert deliver(draft, "n1", store, _senders(sms), now=NOON_EAT) == ["sms"]
    assert deliver(draft, "n1", store, _senders(sms), now=NOON_EAT) == []  # redelivered: not again
    assert sms.sent == [
        (
            "+256772000001",
            "Soko: oda empya ya 1250.5kg Lumonde (UGX 1,250,500). Kuba koodi ya Soko olonde 2 "
            "okugikkiriza oba okugigaana.",
        )
    ]
    assert store.records["n1", "sms"] == {"delivery": "sent", "provider_id": "ATXid_1"}
    assert store.links == {"ATXid_1": "n1"}


def test_a_failed_send_is_recorded_failed_and_retried_by_the_next_delivery() -> None:
    store = Store()
    draft = _by_recipient(orders.OrderPlaced(**ORDER))["01JFARMER"]
    with pytest.raises(DeliveryFailed):
        deliver(draft, "n2", store, _senders(Sms(fail=True)), now=NOON_EAT)
    assert store.records["n2", "sms"]["delivery"] == "failed"
    sms = Sms()
    assert deliver(draft, "n2", store, _senders(sms), now=NOON_EAT) == ["sms"]
    assert len(sms.sent) == 1


def test_quiet_hours_wait_for_a_timer_and_urgent_notices_do_not() -> None:
    store, sms, timers = Store(), Sms(), Timers()
    store.prefs[BUYER.id] = {"categories": {}, "quiet_hours": {"start": "22:00", "end": "06:00"}}
    night = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)  # 23:00 EAT
    draft = _by_recipient(orders.OrderConfirmed(**ORDER))["01JBUYER"]
    assert deliver(draft, "n3", store, _senders(sms, timers), now=night) == []
    ((_name, due, fields),) = timers.set_
    assert due == datetime(2026, 12, 3, 3, 0, tzinfo=UTC) and fields["subject"] == "n3"
    assert fields["user_id"] == BUYER.id and sms.sent == []
    # the timer fires: delivered now, once
    assert deliver(draft, "n3", store, _senders(sms, timers), now=night, after_quiet_hours=True) == ["sms"]
    urgent = notice_draft(_notice(user_id=BUYER.id, urgent=True))
    assert deliver(urgent, "n4", store, _senders(sms, timers), now=night) == ["sms"]
    assert len(timers.set_) == 1


def test_a_gone_web_push_subscription_is_removed() -> None:
    store, push = Store(), WebPush(gone={"https://push.example/gone"})
    store.subscriptions[BUYER.id] = [
        {"id": "a", "subscription": {"endpoint": "https://push.example/ok"}},
        {"id": "b", "subscription": {"endpoint": "https://push.example/gone"}},
    ]
    draft = _by_recipient(orders.OrderRejected(**ORDER))["01JBUYER"]
    assert deliver(draft, "n5", store, _senders(Sms(), web_push=push), now=NOON_EAT) == ["sms", "web_push"]
    assert [s["id"] for s in store.subscriptions[BUYER.id]] == ["a"]
    assert push.sent == ["https://push.example/ok"]
