"""The scheduled payments jobs: settling every due payout in one batch, and reconciling recent
payments with the provider (applying final answers we missed and flagging what disagrees)."""

from __future__ import annotations

from datetime import timedelta

from soko.payments import events as ev
from soko.payments import ledger, refunds
from soko.payments.attempts import catch_up_with_the_order, mismatch_case, refresh
from soko.payments.models import JobSummary
from soko.payments.ports import Payments
from soko.providers.http import ProviderError
from soko.shared import clock, ids
from soko.shared.observability import logger

SETTLEMENT_BATCH = 100


def settle(deps: Payments) -> JobSummary:
    """Settle every payout that is due, in one batch (the farmer's or the transporter's balance
    moves to settled; a transporter's payout goes the farmer's way)."""
    now = clock.now_iso()
    batch_id = ids.ulid()
    summary = JobSummary()
    for payout in deps.dal.due_payouts(now, SETTLEMENT_BATCH):
        summary.checked += 1
        payee = str(payout.get("payee", "farmer"))
        payee_id = str(payout["transporter_id"] if payee == "transporter" else payout["farmer_id"])
        entry = ledger.payout_settled(payout["id"], payee_id, int(payout["net_ugx"]), payee=payee)
        common = {
            "payout_id": str(payout["id"]),
            "order_id": str(payout["order_id"]),
            "net_ugx": int(payout["net_ugx"]),
            "batch_id": batch_id,
            "settled_at": now,
        }
        sent: ev.PayoutSent | ev.FarePayoutSent = (
            ev.FarePayoutSent(**common, transporter_id=payee_id)
            if payee == "transporter"
            else ev.PayoutSent(**common, farmer_id=payee_id)
        )
        if deps.dal.settle_payout(payout, batch_id=batch_id, entry=entry, now=now, events=[sent]):
            summary.settled += 1
            summary.settled_ugx += int(payout["net_ugx"])
    if summary.settled:
        deps.dal.put_batch(
            {
                "pk": f"BATCH#{batch_id}",
                "sk": "BATCH",
                "id": batch_id,
                "payouts": summary.settled,
                "total_ugx": summary.settled_ugx,
                "at": now,
            }
        )
    logger.info("settlement", extra=summary.model_dump())
    return summary


def reconcile(deps: Payments) -> JobSummary:
    """Compare recent pending, expired and completed payments with the provider: apply final
    answers we missed (a lost IPN, MoMo's single callback, a request-to-pay whose answer timed out
    after MoMo accepted it, money paid after its attempt expired) and flag what disagrees; then
    submit again every recorded refund the provider has not accepted yet."""
    now = clock.now()
    since = clock.iso(now - timedelta(days=deps.config.reconcile_days))
    summary = JobSummary()
    seen: set[str] = set()
    for status in ("pending", "expired", "completed"):
        for payment in deps.dal.payments_since(status, since):
            if payment["id"] in seen:  # completed during this run: already compared
                continue
            seen.add(payment["id"])
            summary.checked += 1
            try:
                after = refresh(payment, deps, flag_mismatches=True, summary=summary)
            except ProviderError:
                summary.errors += 1
                continue
            if after["status"] == "completed" and after.get("escrow") == "held":
                try:  # an order that ended while its payment was pending
                    catch_up_with_the_order(str(after["order_id"]), deps)
                except ProviderError:
                    summary.errors += 1
                after = deps.dal.get_payment(str(after["id"])) or after
            if after["status"] != payment["status"] or after.get("escrow") != payment.get("escrow"):
                summary.changed += 1
    _resubmit_refunds(deps, summary, before=clock.iso(now - timedelta(seconds=60)))
    _cases_for_disputed(deps, summary, since)
    logger.info("reconciliation", extra=summary.model_dump())
    return summary


def _cases_for_disputed(deps: Payments, summary: JobSummary, since: str) -> None:
    """A disputed payment recorded before mismatch cases existed (its mismatch was a loose record
    then) gets its case, so an admin sees it in ``GET /admin/payments/mismatches``."""
    for payment in deps.dal.payments_since("disputed", since):
        if deps.dal.get_case(str(payment["id"])) is None:
            note = f"amount or currency mismatch: {payment['history'][-1].get('note', '')}"
            if deps.dal.record_mismatch(
                mismatch_case(payment, "amount_mismatch", "completed", note), clock.now_iso()
            ):
                summary.mismatches += 1


def _resubmit_refunds(deps: Payments, summary: JobSummary, *, before: str) -> None:
    """Every recorded refund the provider has not accepted yet, submitted again (idempotent). One
    recorded in the last minute is most likely being submitted by its own request: left for later."""
    for refund in deps.dal.refunds_due(before):
        summary.refunds += 1
        try:
            if refunds.submit(str(refund["payment_id"]), deps) == "submitted":
                summary.changed += 1
        except ProviderError:
            summary.errors += 1
