"""Escrow: what happens to a paid order's money, each once only.

- ``held``: paid, waiting for the order to complete; then released, refunded or frozen (or
  reversed by the provider).
- ``frozen``: the buyer disputed the order (market ``OrderDisputed``); only the dispute's
  resolution (``soko.disputes`` ``DisputeResolved``) moves it, and it is never paid out before.
- ``released``: paid out to the farmer, less the commission (settled in the next batch).
- ``refunded``: all of it back to the buyer, through the provider (see :mod:`soko.payments.refunds`).
- ``split``: a dispute's split: ``buyer_amount_ugx`` back to the buyer by a partial refund, the
  rest paid out to the farmer less the commission on that part only (rounded half up).

Events: ``OrderCompleted`` (the buyer's receipt, the delivery PIN or the end of the dispute
window) schedules the payout; ``OrderCancelled``, ``OrderRejected`` and ``OrderExpired`` of a paid
order refund it; ``OrderDisputed`` freezes it; ``DisputeResolved`` releases, refunds or splits it.
Every change is conditioned on the payment's version and escrow state, and a resolution remembers
its dispute id, so a replayed or late event changes nothing twice (a ``DisputeResolved`` that
arrives before its ``OrderDisputed`` resolves a held escrow, and the late freeze then finds
nothing to freeze).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from soko.disputes.events import DisputeResolved
from soko.market.events import OrderCancelled, OrderCompleted, OrderDisputed, OrderExpired, OrderRejected
from soko.payments import events as ev
from soko.payments import ledger, refunds
from soko.payments.ports import Payments
from soko.providers.http import ProviderError
from soko.shared import clock, ids
from soko.shared.errors import Conflict
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.observability import logger

RETRIES = 3
OPEN = ("held", "frozen")


def _paid(order_id: str, deps: Payments) -> dict[str, Any] | None:
    attempt = deps.dal.get_attempt(order_id)
    if attempt is None or attempt.get("state") != "completed":
        return None
    return deps.dal.get_payment(str(attempt["payment_id"]))


def _payout(
    payment: dict[str, Any], gross: int, fee: int, deps: Payments
) -> tuple[dict[str, Any], EventDetail]:
    now = clock.now()
    due = clock.iso(now + timedelta(seconds=deps.config.payout_delay_seconds))
    payout_id = ids.ulid()
    payout = {
        "pk": f"PAYOUT#{payout_id}",
        "sk": "PAYOUT",
        "id": payout_id,
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "farmer_id": payment["farmer_id"],
        "gross_ugx": gross,
        "fee_ugx": fee,
        "net_ugx": gross - fee,
        "status": "scheduled",
        "due_at": due,
        "created_at": clock.iso(now),
        "gsi2pk": "PAYOUTS#scheduled",
        "gsi2sk": f"{due}#{payout_id}",
    }
    event = ev.PayoutScheduled(
        payout_id=payout_id,
        payment_id=payment["id"],
        order_id=payment["order_id"],
        farmer_id=payment["farmer_id"],
        gross_ugx=gross,
        fee_ugx=fee,
        net_ugx=gross - fee,
        due_at=due,
    )
    return payout, event


def close(
    payment: dict[str, Any],
    to_buyer: int,
    reason: str,
    deps: Payments,
    *,
    cause: str,
    dispute_id: str | None = None,
    extra_events: tuple[EventDetail, ...] = (),
    resolve_case: dict[str, Any] | None = None,
) -> bool:
    """Close an open escrow in one transaction: ``to_buyer`` UGX back to the buyer (a refund
    record, before any provider call), the rest paid out to the farmer less the commission on that
    part. False if the payment changed meanwhile."""
    gross = int(payment["amount_ugx"])
    back, paid_out, fee = ledger.split(gross, to_buyer, deps.config.commission_percent)
    changes: dict[str, Any] = {
        "escrow": "refunded" if not paid_out else "released" if not back else "split",
    }
    entries: list[ledger.Entry] = []
    events: list[EventDetail] = []
    new_items: list[dict[str, Any]] = []
    notes = []
    if paid_out:
        payout, scheduled = _payout(payment, paid_out, fee, deps)
        new_items.append(payout)
        entries.append(
            ledger.payout_scheduled(payout["id"], payment["order_id"], payment["farmer_id"], paid_out, fee)
        )
        events.append(scheduled)
        changes["payout_id"] = payout["id"]
        notes.append(f"payout {payout['id']} of {paid_out - fee} UGX scheduled")
    if back:
        refund, entry, requested = refunds.record(payment, back, reason, cause)
        new_items.append(refund)
        entries.append(entry)
        events.append(requested)
        changes["refund_id"] = refund["id"]
        notes.append(f"refund of {back} UGX requested: {reason}")
    if dispute_id is not None:
        changes["resolution"] = dispute_id
    at = clock.now_iso()
    return deps.dal.change_payment(
        payment,
        changes=changes,
        history={"status": payment["status"], "at": at, "note": "; ".join(notes)[:500]},
        now=at,
        entries=entries,
        events=[*events, *extra_events],
        new_items=new_items,
        resolve_case=resolve_case,
    )


def submit_refund(payment_id: str, deps: Payments) -> None:
    """Submit the payment's recorded refund now; an outage leaves it to the reconciliation job."""
    try:
        refunds.submit(payment_id, deps)
    except ProviderError as err:
        logger.warning("refund not submitted yet", extra={"payment_id": payment_id, "error": str(err)})


def schedule_payout(order_id: str, deps: Payments) -> bool:
    """The completed order's escrow goes to the farmer (less the commission), once. A frozen escrow
    (under dispute) is never paid out: only the dispute's resolution moves it."""
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is not None and payment.get("escrow") == "frozen":
            logger.warning("a frozen escrow is not paid out", extra={"order_id": order_id})
            return False
        if payment is None or payment.get("escrow") != "held":
            logger.info("no escrow to pay out", extra={"order_id": order_id})
            return False
        if close(payment, 0, "order completed", deps, cause="order_completed"):
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def refund_payment(payment: dict[str, Any], reason: str, deps: Payments, *, cause: str) -> bool:
    """A paid order that will not be delivered: the whole held escrow back to the buyer, once, then
    submitted to the provider (record first, see :mod:`soko.payments.refunds`)."""
    for _ in range(RETRIES):
        if payment.get("escrow") == "refunded" and payment.get("refund_id"):
            break  # recorded before (an earlier run): submit it if that run did not
        if payment.get("escrow") != "held":
            return False
        if close(payment, int(payment["amount_ugx"]), reason, deps, cause=cause):
            break
        payment = deps.dal.get_payment(str(payment["id"])) or payment
    else:
        raise Conflict("The payment changed at the same moment; the event will be retried.")
    submit_refund(str(payment["id"]), deps)
    return True


def request_refund(order_id: str, reason: str, deps: Payments, *, cause: str = "order_ended") -> bool:
    payment = _paid(order_id, deps)
    return False if payment is None else refund_payment(payment, reason, deps, cause=cause)


def freeze(order_id: str, dispute_id: str, deps: Payments) -> bool:
    """The buyer disputed the order: its held escrow is frozen until the dispute is resolved."""
    for _ in range(RETRIES):
        payment = _paid(order_id, deps)
        if payment is None:
            logger.warning("a disputed order without a completed payment", extra={"order_id": order_id})
            return False
        if payment.get("escrow") == "frozen" or payment.get("resolution") == dispute_id:
            return False  # frozen already, or this dispute was resolved before its freeze arrived
        if payment.get("escrow") != "held":
            logger.warning(
                "a dispute came after the escrow moved",
                extra={"order_id": order_id, "escrow": payment.get("escrow")},
            )
            return False
        at = clock.now_iso()
        if deps.dal.change_payment(
            payment,
            changes={"escrow": "frozen", "dispute_id": dispute_id},
            history={"status": payment["status"], "at": at, "note": f"escrow frozen: dispute {dispute_id}"},
            now=at,
        ):
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def resolve_dispute(resolved: DisputeResolved, deps: Payments) -> bool:
    """An admin resolved the dispute: release (the payout, as a completion), refund (all of it back
    to the buyer through the provider) or split (``buyer_amount_ugx`` back by a partial refund, the
    rest to the farmer less the commission on that part)."""
    for _ in range(RETRIES):
        payment = _paid(resolved.order_id, deps)
        if payment is None:
            logger.warning(
                "a resolved dispute without a completed payment", extra={"order_id": resolved.order_id}
            )
            return False
        if payment.get("resolution") == resolved.dispute_id:
            if payment.get("refund_id"):
                submit_refund(str(payment["id"]), deps)  # an earlier run recorded it; submit if it did not
            return False
        if payment.get("escrow") not in OPEN:
            logger.warning(
                "a dispute resolved after the escrow moved",
                extra={"order_id": resolved.order_id, "escrow": payment.get("escrow")},
            )
            return False
        gross = int(payment["amount_ugx"])
        if resolved.total_ugx != gross:
            logger.warning("a dispute's total is not the escrow's", extra={"order_id": resolved.order_id})
        to_buyer = {"release": 0, "refund": gross, "split": resolved.buyer_amount_ugx}[resolved.outcome]
        reason = f"dispute {resolved.dispute_id} resolved ({resolved.outcome}): {resolved.reason}"
        if close(
            payment,
            to_buyer,
            reason,
            deps,
            cause=f"dispute_{resolved.outcome}",
            dispute_id=resolved.dispute_id,
        ):
            if to_buyer:
                submit_refund(str(payment["id"]), deps)
            return True
    raise Conflict("The payment changed at the same moment; the event will be retried.")


def on_order_event(event: ReceivedEvent, deps: Payments) -> None:
    """OrderCompleted schedules the payout; OrderCancelled, OrderRejected and OrderExpired refund a
    paid order; OrderDisputed freezes the escrow; DisputeResolved moves it as the admin decided."""
    match event.parse_any(OrderCompleted, OrderCancelled, OrderRejected, OrderExpired, OrderDisputed):
        case OrderCompleted(order_id=order_id):
            schedule_payout(order_id, deps)
        case OrderCancelled(order_id=order_id):
            request_refund(order_id, "order cancelled", deps)
        case OrderRejected(order_id=order_id):
            request_refund(order_id, "order rejected", deps)
        case OrderExpired(order_id=order_id):
            request_refund(order_id, "order expired", deps)
        case OrderDisputed(order_id=order_id, dispute_id=dispute_id):
            freeze(order_id, dispute_id, deps)
    match event.parse_any(DisputeResolved):
        case DisputeResolved() as resolved:
            resolve_dispute(resolved, deps)
