"""Order, review, payment and dispute events, every notice (price alerts, digests, weather advice,
transport notices) and messaging's SMS delivery reports -> notifications: stored once per event and
recipient, pushed live, and delivered on the recipient's channels (each at most once)."""

from __future__ import annotations

from soko.notifications import logic
from soko.notifications.deps import delivering
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    logic.on_event(event, delivering())


consumer = EventConsumer("notifications.events", handle)
lambda_handler = consumer.lambda_handler
