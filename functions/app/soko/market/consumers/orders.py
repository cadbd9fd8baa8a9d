"""The market's consumer of order events it published itself and of dispute resolutions:

- ``OrderPlaced``, ``OrderConfirmed``, ``OrderDelivered`` set the order's timers (expiry, the end of
  the dispute window); ``OrderCompleted`` and ``OrderDisputed`` cancel the release timer
  (soko.market.order_timers);
- ``DisputeResolved`` (soko.disputes) -> the order becomes ``resolved``, with the outcome and amounts;
- ``TransportPickedUp`` (soko.logistics) -> a paid, confirmed order becomes ``dispatched`` (the booked
  transporter has the produce on board; soko.market.orders.dispatch_by_transport).

Idempotent on the event id; each action is idempotent by itself as well (timers by name, the
resolution conditional on the order still being disputed, the dispatch on it still being confirmed)."""

from __future__ import annotations

from soko.disputes.events import DisputeResolved
from soko.logistics.events import TransportPickedUp
from soko.market import order_disputes, order_timers, orders
from soko.market.deps import market
from soko.shared.config import load
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.timers import SchedulerTimers, TimerConfig


def handle(event: ReceivedEvent) -> None:
    resolved = event.parse_any(DisputeResolved)
    if resolved is not None:
        order_disputes.apply_resolution(resolved, market())
        return
    picked_up = event.parse_any(TransportPickedUp)
    if picked_up is not None:
        orders.dispatch_by_transport(picked_up.order_id, picked_up.transporter_id, market())
        return
    order_event = event.parse_any(*order_timers.SET_BY)
    if order_event is not None:
        order_timers.on_order_event(order_event, market(), SchedulerTimers(load(TimerConfig)))


consumer = EventConsumer("market.orders", handle)
lambda_handler = consumer.lambda_handler
