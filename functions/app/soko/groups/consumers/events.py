"""What the market's and payments' events do to groups (``soko.groups.logic``):

- ``OrderPlaced``/``OrderConfirmed`` (soko.orders) with ``group_id``: the market created a member's
  order: remembered (a payment finds its member by the order id);
- ``OrderExpired``/``OrderCancelled`` with ``group_id``: the member dropped out before paying; the
  tier is recomputed on the members left (``GroupRepriced`` if the price changes);
- ``PaymentCompleted`` (soko.payments): a member paid (found by the order id);
- ``GroupOrdersRefused`` (soko.orders): the listing could not supply the group: it fails, nobody is
  charged.

``group_id`` is the optional field the market's order events carry (issue 18); an order event
without it (any other order) is skipped. Idempotent on the event
id, and each step by itself (conditional on the member's or group's status)."""

from __future__ import annotations

from soko.groups import logic
from soko.groups.deps.groups import groups
from soko.market.events import GroupOrdersRefused, OrderCancelled, OrderConfirmed, OrderExpired, OrderPlaced
from soko.payments.events import PaymentCompleted
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    refused = event.parse_any(GroupOrdersRefused)
    if refused is not None:
        failed = logic.on_refused(refused.group_id, groups())
        logger.info("group orders refused", extra={"group_id": refused.group_id, "failed": failed})
        return
    paid = event.parse_any(PaymentCompleted)
    if paid is not None:
        logger.info("order paid", extra={"group_member": logic.on_paid(paid.order_id, groups().store)})
        return
    created = event.parse_any(OrderPlaced, OrderConfirmed)
    if created is not None:
        if created.group_id:
            logic.on_group_order(created.order_id, created.group_id, created.buyer_id, groups().store)
        return
    gone = event.parse_any(OrderExpired, OrderCancelled)
    if gone is not None and gone.group_id:
        group_id = gone.group_id
        price = logic.on_dropped(group_id, gone.buyer_id, groups())
        logger.info("group drop-out", extra={"group_id": group_id, "repriced_to": price})


consumer = EventConsumer("groups.events", handle)
lambda_handler = consumer.lambda_handler
