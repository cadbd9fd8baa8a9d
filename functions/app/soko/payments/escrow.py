"""Escrow: a completed order's payout to the farmer (less the commission) and a refund of a paid
order that will not be delivered, each once only; and the order events that call for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from soko.market.events import OrderCancelled, OrderCompleted, OrderRejected
from soko.payments import events as ev
from soko.payments import ledger
from soko.payments.ports import Payments
from soko.shared import clock, ids
from soko.shared.errors import Conflict
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger

RETRIES = 3


def _paid(order_id: str, deps: Payments) -> dict[str, Any] | None:
    attempt = deps.dal.get_attempt(order_id)
    if attempt is None or attempt.get("state") != "completed":
        return None
    return deps.dal.get_payment(str(attempt["payment_id"]))


def schedule_payout(order_id: str, deps: Payments) -> bool:
    """The completed order's escrow goes to the farmer (less the commission), once."""
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is None or payment.get("escrow") != "held":
            logger.info("no escrow to pay out", extra={"order_id": order_id})
            return False
        gross = int(payment["amount_ugx"])
        fee = ledger.commission(gross, deps.config.commission_percent)
        now = clock.now()
        at = clock.iso(now)
        due = clock.iso(now + timedelta(seconds=deps.config.payout_delay_seconds))
        payout_id = ids.ulid()
        payout = {
            "pk": f"PAYOUT#{payout_id}",
            "sk": "PAYOUT",
            "id": payout_id,
            "payment_id": payment["id"],
            "order_id": order_id,
            "farmer_id": payment["farmer_id"],
            "gross_ugx": gross,
            "fee_ugx": fee,
            "net_ugx": gross - fee,
            "status": "scheduled",
            "due_at": due,
            "created_at": at,
            "gsi2pk": "PAYOUTS#scheduled",
            "gsi2sk": f"{due}#{payout_id}",
        }
        event = ev.PayoutScheduled(
            payout_id=payout_id,
            payment_id=payment["id"],
            order_id=order_id,
            farmer_id=payment["farmer_id"],
            gross_ugx=gross,
            fee_ugx=fee,
            net_ugx=gross - fee,
            due_at=due,
        )
        if deps.dal.change_payment(
            payment,
            changes={"escrow": "released", "payout_id": payout_id},
            history={"status": payment["status"], "at": at, "note": f"payout {payout_id} scheduled"},
            now=at,
            entry=ledger.payout_scheduled(payout_id, order_id, payment["farmer_id"], gross, fee),
            events=[event],
            payout=payout,
        ):
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def request_refund(order_id: str, reason: str, deps: Payments) -> bool:
    """A paid order that will not be delivered: the full amount back to the buyer (PesaPal allows
    one full refund of a COMPLETED mobile-money payment). The ledger moves first; the provider call
    follows and is retried (with the event) until the provider accepted it."""
    payment = None
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is None or payment.get("escrow") not in ("held", "refunded"):
            return False
        if payment["escrow"] == "refunded":
            break
        amount = int(payment["amount_ugx"])
        at = clock.now_iso()
        if deps.dal.change_payment(
            payment,
            changes={"escrow": "refunded", "refund": "requested"},
            history={"status": payment["status"], "at": at, "note": f"refund requested: {reason}"},
            now=at,
            entry=ledger.returned_to_buyer("refund", payment["id"], payment["buyer_id"], order_id, amount),
            events=[
                ev.RefundRequested(
                    payment_id=payment["id"],
                    order_id=order_id,
                    buyer_id=payment["buyer_id"],
                    amount_ugx=amount,
                    reason=reason,
                )
            ],
        ):
            payment = deps.dal.get_payment(payment["id"])
            break
    if payment is None or payment.get("refund") != "requested":
        return False
    deps.provider().refund(
        confirmation_code=str(payment.get("confirmation_code", "")),
        amount=int(payment["amount_ugx"]),
        remarks=f"Soko order {order_id}: {reason}",
    )
    at = clock.now_iso()
    deps.dal.change_payment(
        payment,
        changes={"refund": "submitted"},
        history={"status": payment["status"], "at": at, "note": "refund submitted to the provider"},
        now=at,
    )
    return True


def on_order_event(event: ReceivedEvent, deps: Payments) -> None:
    """OrderCompleted schedules the payout; OrderCancelled and OrderRejected refund a paid order."""
    match event.parse_any(OrderCompleted, OrderCancelled, OrderRejected):
        case OrderCompleted(order_id=order_id):
            schedule_payout(order_id, deps)
        case OrderCancelled(order_id=order_id):
            request_refund(order_id, "order cancelled", deps)
        case OrderRejected(order_id=order_id):
            request_refund(order_id, "order rejected", deps)
