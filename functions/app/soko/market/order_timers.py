"""The order's real timers (``soko.shared.timers``: one-time EventBridge Scheduler schedules to the
market's timer queue), and what they do when they fire.

Timers are set by the market's consumer of its own order events, not by the function that moved the
order: an event is in the outbox in the same transaction as the move, so a timer is set (and retried
until it is) whichever channel moved the order (app, USSD) and even if that function stopped right
after its write. Setting one twice is a no-op (its name is the order's id and purpose).

- ``OrderPlaced``: ``order.<id>.expire-pending`` at created + PendingOrderTtlMinutes; if the order is
  still pending then, it expires (``unanswered``);
- ``OrderConfirmed``: ``order.<id>.expire-unpaid`` at confirmed + UnpaidOrderTtlMinutes (a group's
  order: at the group's ``pay_by``); if it is still confirmed and unpaid then, it expires (``unpaid``);
- ``OrderDelivered``: ``order.<id>.release`` at ``release_at`` (delivered + DisputeWindowMinutes); if
  it is still delivered then, it is completed (released_by ``window``).

A timer that fires after the order moved on does nothing (the conditional write of the move is what
correctness rests on); the release timer is also cancelled when the order is completed or disputed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from soko.market import events as ev
from soko.market import orders
from soko.market.ports import Market
from soko.shared.timers import TimerMessage, Timers, timer_name

SET_BY = (ev.OrderPlaced, ev.OrderConfirmed, ev.OrderDelivered, ev.OrderCompleted, ev.OrderDisputed)


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def release_timer(order_id: str) -> str:
    return timer_name("order", order_id, "release")


def on_order_event(event: ev.OrderDetail, deps: Market, timers: Timers) -> str | None:
    """Set (or cancel) the timer an order event starts (or ends); the timer's name, if any."""
    order_id = event.order_id
    if isinstance(event, ev.OrderDelivered):
        name = release_timer(order_id)
        timers.set(name, _moment(event.release_at), kind="order.release", subject=order_id)
        return name
    if isinstance(event, ev.OrderCompleted | ev.OrderDisputed):
        timers.cancel(release_timer(order_id))
        return None
    found = deps.dal.get_order(order_id)
    if found is None:
        return None
    order = found[0]
    if isinstance(event, ev.OrderPlaced):
        name = timer_name("order", order_id, "expire-pending")
        due = _moment(order["created_at"]) + timedelta(minutes=deps.config.pending_order_ttl_minutes)
        timers.set(name, due, kind="order.expire-pending", subject=order_id)
        return name
    if isinstance(event, ev.OrderConfirmed):
        name = timer_name("order", order_id, "expire-unpaid")
        confirmed = order.get("confirmed_at") or order["updated_at"]
        due = _moment(confirmed) + timedelta(minutes=deps.config.unpaid_order_ttl_minutes)
        if order.get("pay_by"):  # a bulk-buying group's order: unpaid at the group's pay_by
            due = _moment(str(order["pay_by"]))
        timers.set(name, due, kind="order.expire-unpaid", subject=order_id)
        return name
    return None


def on_timer(message: TimerMessage, deps: Market) -> str | None:
    """A fired timer: the order's new status, or None when it had moved on (nothing done)."""
    if message.kind == "order.release":
        moved = orders.release_after_window(message.subject, deps)
    elif message.kind in orders.EXPIRY_REASONS:
        moved = orders.expire(message.subject, message.kind, deps)
    else:
        raise ValueError(f"unknown order timer kind {message.kind!r}")
    return moved.status if moved else None
