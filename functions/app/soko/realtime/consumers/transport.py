"""Pushes the logistics domain's booking events (``soko.logistics``: every step, the arrival at the
drop-off, each position update) to the booking's parties' open WebSocket connections
(:mod:`soko.realtime.transport`). Idempotent on the event id (``EventConsumer``); a push is best
effort (a party who is not connected reads the booking over REST; a failed post is logged, a gone
connection forgotten), so a record fails only when its detail does not fit the contract or the
connections cannot be read."""

from __future__ import annotations

from soko.realtime import transport
from soko.realtime.deps import pusher
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    detail = event.parse_any(*transport.CONTRACTS)
    if detail is None:
        raise ValueError(f"not a booking event: {event.source} {event.detail_type}")
    transport.push_event(detail, pusher())


consumer = EventConsumer("realtime.transport", handle)
lambda_handler = consumer.lambda_handler
