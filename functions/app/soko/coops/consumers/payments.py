"""Payments' events on pooled orders (soko.payments; EventBridge -> SQS -> Lambda, idempotent on
the event id, partial batch failures):

- ``PaymentCompleted`` -> each allocated member is told the pooled order is paid
  (``CoopNoticeIssued``, English and Luganda; one delivery per member and order: the notice id);
- ``PayoutScheduled`` of a pooled order -> the member's share is recorded on their allocation
  (once per payout id) and counts in their earnings; the coop's fee (``coop_payee`` ``fee``) is
  not a share, even when the manager it is paid to also supplied the order.

An order that is not a pool's (no allocation of ours) is not for us."""

from __future__ import annotations

from soko.coops import logic
from soko.coops.deps import publishing
from soko.payments.events import PaymentCompleted, PayoutScheduled
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    detail = event.parse_any(PaymentCompleted, PayoutScheduled)
    if detail is None:
        return
    deps = publishing()
    if isinstance(detail, PaymentCompleted):
        notices = logic.paid_notices(detail.order_id, deps)
        logger.info("pooled order paid", extra={"order_id": detail.order_id, "notices": len(notices)})
        return
    if not isinstance(detail, PayoutScheduled):
        return
    if detail.coop_payee == "fee":  # the coop's fee, paid to a manager: not a member's share
        logger.info("coop fee payout", extra={"order_id": detail.order_id})
        return
    recorded = logic.record_payout(detail.order_id, detail.payout_id, detail.farmer_id, detail.net_ugx, deps)
    logger.info("member payout", extra={"order_id": detail.order_id, "recorded": recorded})


consumer = EventConsumer("coops.payments", handle)
lambda_handler = consumer.lambda_handler
