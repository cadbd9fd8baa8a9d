"""Refunds, record first. A refund is written as a record (``REFUND#<payment>``: its stable id is
the payment's, since a provider refunds a payment once) in the same transaction as the escrow's
change and its ledger entry (escrow -> ``refund:<payment>``), BEFORE the provider is called. Then:

1. the call is counted on the record (``attempts``), so a retry knows an earlier call may have
   reached the provider;
2. the provider is called, and it is idempotent on the payment: PesaPal takes one refund per
   payment and answers a second request "already requested" (read as ``duplicate``: the earlier call
   got there, so this refund is done too);
3. the outcome is recorded: ``submitted`` (with the entry ``refund:<payment>`` -> buyer) or
   ``refused`` (a final no: a partial mobile-money refund, or MoMo, which cannot refund; the refund
   opens a mismatch case an admin resolves, e.g. after refunding by disbursement). An outage
   leaves it ``requested``; the reconciliation job submits every requested refund again.

So a failure between the provider's answer and our write can never refund twice, and the ledger
says at every moment where the money is. Refunds need no separate approval: a refund of a
cancelled, rejected or expired order follows from that order's own event, a dispute's refund or
split is approved by the admin who resolved the dispute, and a mismatch's refund by the admin who
resolved the mismatch (each with its reason in the audit log).
"""

from __future__ import annotations

from typing import Any

from soko.payments import events as ev
from soko.payments import ledger
from soko.payments.ports import Payments
from soko.providers.payments import RefundAnswer
from soko.shared import clock
from soko.shared.events import EventDetail
from soko.shared.observability import logger

RETRIES = 3


def record(
    payment: dict[str, Any], amount: int, reason: str, cause: str, *, collected: bool = False
) -> tuple[dict[str, Any], ledger.Entry, EventDetail]:
    """The refund record, its ledger entry and its event, for the payment's change to write.
    ``collected``: money the provider took that never reached the escrow (a mismatch)."""
    at = clock.now_iso()
    payment_id = str(payment["id"])
    refund = {
        "pk": f"REFUND#{payment_id}",
        "sk": "REFUND",
        "id": payment_id,
        "payment_id": payment_id,
        "order_id": payment["order_id"],
        "buyer_id": payment["buyer_id"],
        "amount_ugx": amount,
        "full": collected or amount == int(payment["amount_ugx"]),
        "reason": reason[:300],
        "cause": cause,
        "status": "requested",
        "attempts": 0,
        "provider": payment["provider"],
        "tracking_id": payment.get("tracking_id", ""),
        "confirmation_code": str(payment.get("confirmation_code", "")),
        "created_at": at,
        "updated_at": at,
        "version": 1,
        "gsi2pk": "REFUNDS#requested",
        "gsi2sk": f"{at}#{payment_id}",
    }
    entry = (
        ledger.collected_for_refund(payment_id, str(payment["buyer_id"]), amount)
        if collected
        else ledger.refund_requested(payment_id, str(payment["order_id"]), amount)
    )
    event = ev.RefundRequested(
        payment_id=payment_id,
        order_id=str(payment["order_id"]),
        buyer_id=str(payment["buyer_id"]),
        amount_ugx=amount,
        reason=reason[:300],
    )
    return refund, entry, event


def submit(payment_id: str, deps: Payments) -> str:
    """Submit a recorded refund to the provider, once; its status after ('' if there is none).
    A provider outage raises :class:`soko.providers.http.ProviderError` and leaves it requested."""
    for _ in range(RETRIES):
        refund = deps.dal.get_refund(payment_id)
        if refund is None or refund["status"] != "requested":
            return "" if refund is None else str(refund["status"])
        if not deps.dal.start_refund_call(refund, clock.now_iso()):
            continue  # another run counted a call meanwhile: read it again
        refund = {**refund, "attempts": int(refund["attempts"]) + 1, "version": int(refund["version"]) + 1}
        answer = deps.provider().refund(
            confirmation_code=str(refund["confirmation_code"]),
            tracking_id=str(refund["tracking_id"]),
            amount=int(refund["amount_ugx"]),
            full=bool(refund["full"]),
            remarks=f"Soko order {refund['order_id']}: {refund['reason']}",
        )
        if settle(refund, answer, deps):
            logger.info("refund answered", extra={"payment_id": payment_id, "outcome": answer.outcome})
            return "refused" if answer.outcome == "refused" else "submitted"
    refund = deps.dal.get_refund(payment_id)
    return "" if refund is None else str(refund["status"])


def settle(refund: dict[str, Any], answer: RefundAnswer, deps: Payments) -> bool:
    """Record the provider's answer to a refund; False if the record changed meanwhile."""
    now = clock.now_iso()
    amount = int(refund["amount_ugx"])
    if answer.outcome == "refused":
        return deps.dal.change_refund(
            refund,
            changes={"status": "refused", "provider_message": answer.message},
            now=now,
            open_case={
                "payment_id": refund["payment_id"],
                "order_id": refund["order_id"],
                "kind": "refund_refused",
                "ours": "refund requested",
                "escrow": "refunding",
                "provider_state": "refund refused",
                "note": f"the provider refused a refund of {amount} UGX: {answer.message}"[:300],
            },
        )
    return deps.dal.change_refund(
        refund,
        changes={"status": "submitted", "provider_message": answer.message, "submitted_at": now},
        now=now,
        entries=[ledger.refund_settled(str(refund["payment_id"]), str(refund["buyer_id"]), amount)],
    )
