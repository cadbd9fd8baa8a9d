"""Release of escrow and the ends of an order, against an in-memory market: the buyer's receipt,
the delivery PIN (its hash only, its SMS, its lockout), the dispute window's timer (never before its
time, a no-op once the order moved on), disputes and their resolution, expiry of unanswered and
unpaid orders, and the buyer's open-quantity cap on a listing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fakes.market import InMemoryMarket
from fakes.media import InMemoryMedia

from soko.disputes.events import DisputeResolved
from soko.market import delivery_pin, order_disputes, order_timers, orders
from soko.market import events as ev
from soko.market.listings import create_listing
from soko.market.models import (
    PAID,
    DeliveryPin,
    DisputeCreate,
    ImageUploadRequest,
    ListingCreate,
    MarketConfig,
    OrderCreate,
    StatusChange,
)
from soko.market.ports import Market
from soko.shared import clock
from soko.shared.errors import Forbidden, Unprocessable
from soko.shared.identity import Caller
from soko.shared.timers import TimerMessage

FARMER = Caller(user_id="F1", role="farmer", email="f@example.com")
BUYER = Caller(user_id="B1", role="buyer", email="b@example.com")
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@contextmanager
def freeze_time(moment: datetime) -> Iterator[None]:
    """soko.shared.clock says it is ``moment``."""
    original = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = original


class FakeTimers:
    def __init__(self) -> None:
        self.set_: dict[str, tuple[datetime, str, str]] = {}
        self.cancelled: list[str] = []

    def set(self, name: str, due: datetime, *, kind: str, subject: str, **fields: Any) -> None:
        self.set_.setdefault(name, (due, kind, subject))

    def cancel(self, name: str) -> None:
        self.cancelled.append(name)
        self.set_.pop(name, None)


@pytest.fixture
def deps() -> Market:
    config = MarketConfig(market_table_name="unit", dispute_window_minutes=60)
    return Market(config=config, dal=InMemoryMarket(), media=InMemoryMedia())


def store(deps: Market) -> InMemoryMarket:
    assert isinstance(deps.dal, InMemoryMarket)
    return deps.dal


def place(deps: Market, kg: str = "40", listing_kg: str = "100") -> str:
    listing = create_listing(
        FARMER,
        ListingCreate(
            title="Matooke",
            crop="matooke",
            price_per_kg=1000,
            quantity_kg=Decimal(listing_kg),
            district="Masaka",
        ),
        deps,
    )
    return orders.place_order(BUYER, OrderCreate(listing_id=listing.id, quantity_kg=Decimal(kg)), deps).id


def status(deps: Market, who: Caller, order_id: str, to: str) -> str:
    return orders.change_status(who, order_id, StatusChange.model_validate({"new_status": to}), deps).status


def pay(deps: Market, order_id: str) -> None:
    store(deps).set_payment_status(order_id, PAID, 2, "2026-03-02T08:00:00Z")
    store(deps).release_open_when_paid(store(deps).orders[order_id])


def delivered(deps: Market) -> str:
    order_id = place(deps)
    status(deps, FARMER, order_id, "confirmed")
    pay(deps, order_id)
    status(deps, FARMER, order_id, "delivered")
    return order_id


# ---------------------------------------------------------------------------- receipt
def test_a_farmer_alone_can_no_longer_complete_an_order(deps: Market) -> None:
    order_id = delivered(deps)
    with pytest.raises(orders.IllegalTransition, match="receipt"):
        status(deps, FARMER, order_id, "completed")
    with pytest.raises(Forbidden):
        orders.confirm_receipt(FARMER, order_id, deps)
    assert store(deps).orders[order_id]["status"] == "delivered"


def test_an_unpaid_order_is_not_delivered(deps: Market) -> None:
    order_id = place(deps)
    status(deps, FARMER, order_id, "confirmed")
    with pytest.raises(orders.NotPaid):
        status(deps, FARMER, order_id, "delivered")


def test_the_buyers_receipt_completes_a_delivered_order_and_only_that(deps: Market) -> None:
    order_id = place(deps)
    status(deps, FARMER, order_id, "confirmed")
    with pytest.raises(orders.IllegalTransition):
        orders.confirm_receipt(BUYER, order_id, deps)
    pay(deps, order_id)
    status(deps, FARMER, order_id, "dispatched")
    with pytest.raises(orders.IllegalTransition):
        orders.confirm_receipt(BUYER, order_id, deps)
    status(deps, FARMER, order_id, "delivered")
    done = orders.confirm_receipt(BUYER, order_id, deps)
    assert (done.status, done.released_by) == ("completed", "receipt")
    completed = store(deps).events[-1]
    assert isinstance(completed, ev.OrderCompleted) and completed.released_by == "receipt"
    with pytest.raises(orders.IllegalTransition):
        orders.confirm_receipt(BUYER, order_id, deps)


# ---------------------------------------------------------------------------- delivery PIN
class Phone:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, message: str) -> str:
        self.sent.append((to, message))
        return "id"


def issue(deps: Market, order_id: str, phone: Phone) -> str:
    assert delivery_pin.issue(
        order_id,
        deps,
        hash_pin=lambda pin: f"hash:{pin}",
        contact=lambda user_id: ("+256772000111", "en"),
        send=phone.send,
    )
    message = phone.sent[-1][1]
    found = re.search(r"\b([0-9]{6})\b", message)
    assert found is not None, message
    return found.group(1)


def enter(deps: Market, order_id: str, pin: str, who: Caller = FARMER) -> str:
    return delivery_pin.enter(
        who, order_id, DeliveryPin(pin=pin), deps, verify=lambda stored, pin: stored == f"hash:{pin}"
    ).status


def test_the_pin_is_texted_once_and_only_its_hash_is_kept(deps: Market) -> None:
    order_id = place(deps)
    status(deps, FARMER, order_id, "confirmed")
    pay(deps, order_id)
    phone = Phone()
    pin = issue(deps, order_id, phone)
    stored = store(deps).orders[order_id]
    assert stored["pin_hash"] == f"hash:{pin}"  # the hash, never the PIN
    assert not [k for k, v in stored.items() if v in (pin, int(pin))]
    assert phone.sent[0][0] == "+256772000111"
    assert not delivery_pin.issue(  # a redelivered payment event sends no second PIN
        order_id, deps, hash_pin=str, contact=lambda u: ("+256772000111", "en"), send=phone.send
    )
    assert len(phone.sent) == 1


def test_the_right_pin_completes_the_order(deps: Market) -> None:
    order_id = place(deps)
    status(deps, FARMER, order_id, "confirmed")
    pay(deps, order_id)
    pin = issue(deps, order_id, Phone())
    with pytest.raises(orders.IllegalTransition):
        enter(deps, order_id, pin)  # confirmed: not on its way yet
    status(deps, FARMER, order_id, "dispatched")
    with pytest.raises(Forbidden):
        enter(deps, order_id, pin, who=BUYER)
    assert enter(deps, order_id, pin) == "completed"
    assert store(deps).orders[order_id]["released_by"] == "pin"


def test_five_wrong_pins_lock_it(deps: Market) -> None:
    order_id = delivered(deps)
    pin = issue(deps, order_id, Phone())
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(delivery_pin.WrongPin) as refused:
            enter(deps, order_id, wrong)
        assert refused.value.details == {"tries_left": left}
    with pytest.raises(delivery_pin.PinLocked) as locked:
        enter(deps, order_id, pin)  # even the right one, now
    assert locked.value.status == 409
    assert orders.get_order(BUYER, order_id, deps).delivery_pin_locked
    assert orders.confirm_receipt(BUYER, order_id, deps).status == "completed"  # the buyer still can


def test_an_order_without_a_pin_says_so(deps: Market) -> None:
    order_id = delivered(deps)
    with pytest.raises(delivery_pin.NoPin):
        enter(deps, order_id, "123456")


# ---------------------------------------------------------------------------- the dispute window
def test_delivery_sets_the_release_timer_and_it_never_releases_early(deps: Market) -> None:
    with freeze_time(START):
        order_id = delivered(deps)
    event = store(deps).events[-1]
    assert isinstance(event, ev.OrderDelivered)
    assert (event.delivered_at, event.release_at) == ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")
    timers = FakeTimers()
    name = order_timers.on_order_event(event, deps, timers)
    assert name == f"order.{order_id}.release"
    assert timers.set_[name] == (START + timedelta(hours=1), "order.release", order_id)
    fired = TimerMessage(timer=name, kind="order.release", subject=order_id)
    with freeze_time(START + timedelta(minutes=59)), pytest.raises(orders.WindowStillOpen):
        order_timers.on_timer(fired, deps)
    assert store(deps).orders[order_id]["status"] == "delivered"
    with freeze_time(START + timedelta(hours=1)):
        assert order_timers.on_timer(fired, deps) == "completed"
    assert store(deps).orders[order_id]["released_by"] == "window"
    with freeze_time(START + timedelta(hours=2)):
        assert order_timers.on_timer(fired, deps) is None  # fired twice: nothing more


def test_a_release_timer_that_fires_after_the_receipt_does_nothing(deps: Market) -> None:
    with freeze_time(START):
        order_id = delivered(deps)
        orders.confirm_receipt(BUYER, order_id, deps)
    events = len(store(deps).events)
    with freeze_time(START + timedelta(hours=5)):
        assert (
            order_timers.on_timer(TimerMessage(timer="t", kind="order.release", subject=order_id), deps)
            is None
        )
    assert len(store(deps).events) == events


# ---------------------------------------------------------------------------- disputes
def dispute(**fields: Any) -> DisputeCreate:
    return DisputeCreate.model_validate(
        {"reason": "poor_quality", "details": "Half of it was rotten", **fields}
    )


def test_the_buyer_disputes_within_the_window_with_photos_of_the_order(deps: Market) -> None:
    with freeze_time(START):
        order_id = delivered(deps)
        form = order_disputes.photo_upload(
            BUYER, order_id, ImageUploadRequest(content_type="image/jpeg"), deps
        )
        assert form.key.startswith(f"disputes/{order_id}/") and form.key.endswith(".jpg")
        with pytest.raises(Unprocessable):
            order_disputes.open_dispute(BUYER, order_id, dispute(photos=["listings/x/1.jpg"]), deps)
        with pytest.raises(Unprocessable):
            order_disputes.open_dispute(BUYER, order_id, dispute(photos=[f"disputes/{order_id}/../x"]), deps)
        with pytest.raises(Forbidden):
            order_disputes.open_dispute(FARMER, order_id, dispute(), deps)
        opened = order_disputes.open_dispute(BUYER, order_id, dispute(photos=[form.key]), deps)
    assert opened.status == "disputed" and opened.dispute is not None
    assert (opened.dispute.reason, opened.dispute.status, opened.dispute.photos) == (
        "poor_quality",
        "open",
        [form.key],
    )
    event = store(deps).events[-1]
    assert isinstance(event, ev.OrderDisputed) and event.dispute_id == opened.dispute.id
    with freeze_time(START + timedelta(hours=2)):  # the window's timer fires: the order is frozen
        assert (
            order_timers.on_timer(TimerMessage(timer="t", kind="order.release", subject=order_id), deps)
            is None
        )
        with pytest.raises(orders.IllegalTransition):
            orders.confirm_receipt(BUYER, order_id, deps)
    resolved = DisputeResolved(
        dispute_id=opened.dispute.id,
        order_id=order_id,
        buyer_id=BUYER.user_id,
        farmer_id=FARMER.user_id,
        outcome="split",
        total_ugx=40_000,
        buyer_amount_ugx=10_000,
        farmer_amount_ugx=30_000,
        reason="a quarter was spoilt",
        resolved_by="A1",
        resolved_at="2026-03-03T08:00:00Z",
    )
    assert order_disputes.apply_resolution(resolved, deps)
    assert not order_disputes.apply_resolution(resolved, deps)  # redelivered: nothing more
    view = orders.get_order(BUYER, order_id, deps)
    assert view.status == "resolved" and view.dispute is not None
    assert (view.dispute.status, view.dispute.outcome, view.dispute.buyer_amount_ugx) == (
        "resolved",
        "split",
        10_000,
    )


def test_no_dispute_after_the_window_or_before_delivery(deps: Market) -> None:
    with freeze_time(START):
        order_id = delivered(deps)
        other = place(deps, kg="10")
        with pytest.raises(orders.IllegalTransition):
            order_disputes.open_dispute(BUYER, other, dispute(), deps)
    with freeze_time(START + timedelta(hours=1)), pytest.raises(orders.WindowClosed):
        order_disputes.open_dispute(BUYER, order_id, dispute(), deps)


# ---------------------------------------------------------------------------- expiry
def test_an_unanswered_order_expires_and_its_stock_returns(deps: Market) -> None:
    with freeze_time(START):
        order_id = place(deps)
    listing_id = store(deps).orders[order_id]["listing_id"]
    timers = FakeTimers()
    name = order_timers.on_order_event(store(deps).events[-1], deps, timers)  # type: ignore[arg-type]
    assert timers.set_[name or ""] == (START + timedelta(minutes=2880), "order.expire-pending", order_id)
    assert store(deps).listings[listing_id]["quantity_g"] == 60_000
    fired = TimerMessage(timer=name or "", kind="order.expire-pending", subject=order_id)
    assert order_timers.on_timer(fired, deps) == "expired"
    assert store(deps).listings[listing_id]["quantity_g"] == 100_000
    assert store(deps).open_quantity(listing_id, BUYER.user_id) == 0
    expired = store(deps).events[-1]
    assert isinstance(expired, ev.OrderExpired) and expired.reason == "unanswered"
    assert order_timers.on_timer(fired, deps) is None  # twice: nothing more
    assert store(deps).listings[listing_id]["quantity_g"] == 100_000


def test_a_confirmed_order_expires_only_if_still_unpaid(deps: Market) -> None:
    unpaid, paid = place(deps, kg="10"), place(deps, kg="10")
    for order_id in (unpaid, paid):
        status(deps, FARMER, order_id, "confirmed")
        # the pending timer fires late, after the farmer answered: nothing happens
        late = TimerMessage(timer="t", kind="order.expire-pending", subject=order_id)
        assert order_timers.on_timer(late, deps) is None
    pay(deps, paid)
    for order_id, expected in ((unpaid, "expired"), (paid, None)):
        fired = TimerMessage(timer="t", kind="order.expire-unpaid", subject=order_id)
        assert order_timers.on_timer(fired, deps) == expected
    assert store(deps).orders[unpaid]["expired_reason"] == "unpaid"
    assert store(deps).orders[paid]["status"] == "confirmed"


def test_the_confirmation_sets_the_unpaid_timer_and_completion_cancels_the_release(deps: Market) -> None:
    with freeze_time(START):
        order_id = place(deps)
        status(deps, FARMER, order_id, "confirmed")
    timers = FakeTimers()
    confirmed = store(deps).events[-1]
    name = order_timers.on_order_event(confirmed, deps, timers)  # type: ignore[arg-type]
    assert timers.set_[name or ""] == (START + timedelta(minutes=1440), "order.expire-unpaid", order_id)
    pay(deps, order_id)
    status(deps, FARMER, order_id, "delivered")
    order_timers.on_order_event(store(deps).events[-1], deps, timers)  # type: ignore[arg-type]
    orders.confirm_receipt(BUYER, order_id, deps)
    order_timers.on_order_event(store(deps).events[-1], deps, timers)  # type: ignore[arg-type]
    assert timers.cancelled == [f"order.{order_id}.release"]


# ---------------------------------------------------------------------------- open-quantity cap
def test_a_buyer_cannot_hold_more_than_half_a_listing_open(deps: Market) -> None:
    order_id = place(deps, kg="40")
    listing_id = store(deps).orders[order_id]["listing_id"]
    with pytest.raises(orders.OpenQuantityExceeded) as refused:
        orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(11)), deps)
    assert refused.value.details == {"open_kg": "40.000", "max_open_kg": "50.000"}
    orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(10)), deps)
    assert store(deps).open_quantity(listing_id, BUYER.user_id) == 50_000
    status(deps, FARMER, order_id, "confirmed")
    pay(deps, order_id)  # paid: no longer open
    assert store(deps).open_quantity(listing_id, BUYER.user_id) == 10_000
    another = Caller(user_id="B2", role="buyer", email="b2@example.com")
    orders.place_order(another, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(25)), deps)  # 25 of 50


def test_every_exit_from_the_open_states_releases_the_quantity_once(deps: Market) -> None:
    order_ids = [place(deps, kg="10") for _ in range(3)]
    listing_ids = [store(deps).orders[o]["listing_id"] for o in order_ids]
    orders.cancel_order(BUYER, order_ids[0], deps)
    status(deps, FARMER, order_ids[1], "rejected")
    status(deps, FARMER, order_ids[2], "confirmed")
    status(deps, FARMER, order_ids[2], "rejected")
    assert [store(deps).open_quantity(listing, BUYER.user_id) for listing in listing_ids] == [0, 0, 0]


def test_a_listing_can_still_be_bought_out_and_a_buyer_buys_more_once_paid(deps: Market) -> None:
    order_id = place(deps, kg="50")  # half of the 100 kg
    listing_id = store(deps).orders[order_id]["listing_id"]
    with pytest.raises(orders.OpenQuantityExceeded):
        orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal("0.001")), deps)
    status(deps, FARMER, order_id, "confirmed")
    pay(deps, order_id)
    rest = orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(50)), deps)
    assert store(deps).listings[listing_id]["quantity_g"] == 0  # sold out, to one buyer, in two steps
    orders.cancel_order(BUYER, rest.id, deps)  # its stock returns and leaves the listing's size unchanged
    another = Caller(user_id="B2", role="buyer", email="b2@example.com")
    orders.place_order(another, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(50)), deps)
