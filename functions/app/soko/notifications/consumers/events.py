"""Order, review, payment and dispute events -> notifications (stored once per event and recipient,
pushed live when the recipient is connected; admins' notifications go to their shared inbox)."""

from __future__ import annotations

from soko.notifications import logic
from soko.notifications.deps import notifications
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    logic.on_event(event, notifications())


consumer = EventConsumer("notifications.events", handle)
lambda_handler = consumer.lambda_handler
