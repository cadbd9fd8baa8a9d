"""``OrderDisputed`` (soko.orders) -> an open dispute case, once per dispute id (and the consumer
deduplicates on the event id)."""

from __future__ import annotations

from soko.disputes import logic
from soko.disputes.deps import disputes
from soko.market.events import OrderDisputed
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    order = event.parse_any(OrderDisputed)
    if order is not None:  # the rule sends nothing else; anything else is not ours to act on
        logic.open_case(order, disputes())


consumer = EventConsumer("disputes.order_disputed", handle)
lambda_handler = consumer.lambda_handler
