"""Moves of a booking that no caller makes: the transporter's answer timer and the order's end.

- ``TransportBooked`` (this domain's own event, from the booking's outbox) sets the timer
  ``booking.<id>.expire`` at the booking's ``answer_by`` (``TransportAnswerMinutes`` after it was
  made, which the booking stores), so it is set whichever channel booked and even if that function
  stopped after its write; setting it twice is a no-op (its name). When it fires (:func:`on_timer`)
  a booking still ``requested`` becomes ``expired`` (slot freed, ``TransportExpired``); one that
  moved on is left alone.
- The market's order events: ``OrderCancelled``, ``OrderRejected``, ``OrderExpired`` cancel the order's
  active booking (by ``system``); ``OrderCompleted`` delivers a picked-up booking
  (``by: order_completed``: the buyer's receipt, the farmer's PIN or the dispute window ended it) and
  cancels one not picked up yet. Each is conditional on the booking's state: a redelivered event does
  nothing more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from soko.logistics.events import TransportBooked
from soko.logistics.models import ACTIVE, Booking
from soko.logistics.steps import StepDeps, system_move
from soko.market import events as market
from soko.shared import clock
from soko.shared.timers import TimerMessage, Timers, timer_name

EXPIRE = "booking.expire"

ORDER_ENDS: dict[type[market.OrderDetail], str] = {
    market.OrderCancelled: "the order was cancelled",
    market.OrderRejected: "the farmer rejected the order",
    market.OrderExpired: "the order expired",
}
ORDER_EVENTS: tuple[type[market.OrderDetail], ...] = (*ORDER_ENDS, market.OrderCompleted)


class AnswerStillOpen(RuntimeError):
    """An answer timer fired before ``answer_by``: the message is retried (never expired early)."""


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def expiry_timer(booking_id: str) -> str:
    return timer_name("booking", booking_id, "expire")


def on_booked(event: TransportBooked, deps: StepDeps, timers: Timers, answer_minutes: int) -> str | None:
    """Set the booking's answer timer (the timer's name), unless it is no longer requested. It is due
    at the booking's ``answer_by``; a booking stored without one is given ``answer_minutes`` from
    when it was booked."""
    booking = deps.store.booking(event.booking_id)
    if booking is None or booking["status"] != "requested":
        return None
    name = expiry_timer(event.booking_id)
    answer_by = booking.get("answer_by")
    due = (
        _moment(str(answer_by))
        if answer_by
        else _moment(str(booking.get("created_at") or event.occurred_at)) + timedelta(minutes=answer_minutes)
    )
    timers.set(name, due, kind=EXPIRE, subject=event.booking_id)
    return name


def on_timer(message: TimerMessage, deps: StepDeps) -> Booking | None:
    """A fired answer timer: the expired booking, or None when it had moved on."""
    if message.kind != EXPIRE:
        raise ValueError(f"unknown booking timer kind {message.kind!r}")
    booking = deps.store.booking(message.subject)
    if booking is None or booking["status"] != "requested":
        return None
    if clock.now_iso() < str(booking["answer_by"]):
        raise AnswerStillOpen(f"The answer time of booking {message.subject} has not passed yet.")
    return system_move(message.subject, "expired", deps, allowed_from=("requested",))


def on_order_event(event: market.OrderDetail, deps: StepDeps) -> Booking | None:
    """The order's end: its active booking cancelled, or delivered when it was picked up and the
    order completed; None when the order has no active booking."""
    transport = deps.store.order_transport(event.order_id)
    if transport is None or transport["status"] not in ACTIVE:
        return None
    booking_id = str(transport["booking_id"])
    if isinstance(event, market.OrderCompleted):
        delivered = system_move(booking_id, "delivered", deps, allowed_from=("picked_up",))
        if delivered is not None:
            return delivered
        reason = "the order was completed without this transport"
        return system_move(
            booking_id, "cancelled", deps, allowed_from=("requested", "accepted"), reason=reason
        )
    reason = ORDER_ENDS[type(event)]
    return system_move(booking_id, "cancelled", deps, allowed_from=ACTIVE, reason=reason)
