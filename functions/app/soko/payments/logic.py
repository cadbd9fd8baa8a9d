"""Payment rules (no boto3): initiating an attempt, applying what the provider says, escrow,
payouts, refunds, settlement and reconciliation.

Nothing a notification says is trusted: every status change follows a status read back from the
provider, and only when the merchant reference, the currency and the amount match the payment (an
underpayment is not paid). Changes are transactions conditioned on the payment's version, so a
replayed notification, a racing reconciliation run or a redelivered event changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from soko.payments import events as ev
from soko.payments import ledger
from soko.payments.dal import PaymentsDal
from soko.payments.models import (
    Acknowledgement,
    InitiateRequest,
    JobSummary,
    Notification,
    Payment,
    PaymentsConfig,
)
from soko.providers.payments import Payer, PaymentProvider, ProviderError, ProviderStatus
from soko.shared import clock, ids
from soko.shared.errors import Conflict, DependencyUnavailable, Forbidden, NotFound
from soko.shared.events import ReceivedEvent
from soko.shared.identity import Caller
from soko.shared.observability import logger

CURRENCY = "UGX"
RETRIES = 3
SETTLEMENT_BATCH = 100


class OrderView(Protocol):
    """What payments needs to know about an order (the marketplace owns orders)."""

    @property
    def id(self) -> str: ...
    @property
    def buyer_id(self) -> str: ...
    @property
    def farmer_id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def total_ugx(self) -> int: ...
    @property
    def title(self) -> str: ...


@dataclass
class Payments:
    config: PaymentsConfig
    dal: PaymentsDal
    provider: Callable[[], PaymentProvider]
    order: Callable[[str], OrderView | None]


class PaymentNotFound(NotFound):
    code = "PAYMENT_NOT_FOUND"


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"


class OrderNotPayable(Conflict):
    code = "ORDER_NOT_PAYABLE"


class OrderAlreadyPaid(Conflict):
    code = "ORDER_ALREADY_PAID"


class PaymentInProgress(Conflict):
    code = "PAYMENT_IN_PROGRESS"


class ProviderUnavailable(DependencyUnavailable):
    code = "PAYMENT_PROVIDER_UNAVAILABLE"


def view(item: dict[str, Any]) -> Payment:
    return Payment(
        payment_id=item["id"],
        order_id=item["order_id"],
        order_tracking_id=item["tracking_id"],
        merchant_reference=item["merchant_reference"],
        redirect_url=item.get("redirect_url", ""),
        status=item["status"],
        escrow=item.get("escrow", "none"),
        amount_ugx=int(item["amount_ugx"]),
        currency=item["currency"],
        provider=item["provider"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        history=item.get("history", []),
    )


def _facts(payment: dict[str, Any]) -> dict[str, Any]:
    return {
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "buyer_id": payment["buyer_id"],
        "farmer_id": payment["farmer_id"],
        "amount_ugx": int(payment["amount_ugx"]),
        "currency": payment["currency"],
        "provider": payment["provider"],
    }


# ---------------------------------------------------------------------------- initiate
def initiate(caller: Caller, request: InitiateRequest, deps: Payments) -> Payment:
    order = deps.order(request.order_id)
    if order is None or caller.user_id not in (order.buyer_id, order.farmer_id):
        raise OrderNotFound("No such order.", details={"id": request.order_id})
    if caller.user_id != order.buyer_id:
        raise Forbidden("Only the order's buyer can pay for it.")
    if order.status != "confirmed":
        raise OrderNotPayable(
            f"An order that is {order.status} cannot be paid; the farmer confirms it first.",
            details={"status": order.status},
        )
    payment_id = ids.ulid()
    _claim(order.id, payment_id, deps)
    provider = deps.provider()
    try:
        submitted = provider.submit(
            reference=payment_id,
            amount=order.total_ugx,
            currency=CURRENCY,
            description=f"Soko order {order.id}: {order.title}",
            payer=Payer(phone=request.phone, email=caller.email),
        )
    except ProviderError as err:
        deps.dal.release_attempt(order.id, payment_id)
        logger.warning("payment provider refused an initiate", extra={"error": str(err)})
        raise ProviderUnavailable("The payment provider is not answering; please try again.") from None
    now = clock.now_iso()
    item = {
        "pk": f"PAYMENT#{payment_id}",
        "sk": "PAYMENT",
        "id": payment_id,
        "order_id": order.id,
        "buyer_id": order.buyer_id,
        "farmer_id": order.farmer_id,
        "amount_ugx": order.total_ugx,
        "currency": CURRENCY,
        "provider": provider.name,
        "merchant_reference": payment_id,
        "tracking_id": submitted.tracking_id,
        "redirect_url": submitted.redirect_url,
        "status": "pending",
        "escrow": "none",
        "history": [{"status": "pending", "at": now, "note": "submitted"}],
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "gsi1pk": f"TRACKING#{submitted.tracking_id}",
        "gsi1sk": "PAYMENT",
        "gsi2pk": "STATUS#pending",
        "gsi2sk": f"{now}#{payment_id}",
    }
    if not deps.dal.create_payment(item):
        raise PaymentInProgress("Another payment for this order started at the same moment.")
    return view(item)


def _claim(order_id: str, payment_id: str, deps: Payments) -> None:
    """Hold the order's one live attempt, or say why not (a pending one is checked first)."""
    for _ in range(2):
        now = clock.epoch()
        held = deps.dal.claim_attempt(order_id, payment_id, now, now - deps.config.initiate_stale_seconds)
        if held is None:
            return
        details = {"payment_id": held.get("payment_id")}
        if held.get("state") == "completed":
            raise OrderAlreadyPaid("This order is already paid.", details=details)
        if held.get("state") != "pending":
            break
        # A pending attempt may have failed without telling us: ask the provider, then retry once.
        payment = deps.dal.get_payment(str(held["payment_id"]))
        try:
            if payment is None or refresh(payment, deps)["status"] == "pending":
                break
        except ProviderError as err:  # cannot tell: the pending attempt stays the live one
            logger.warning("could not read a pending attempt's status", extra={"error": str(err)})
            break
    raise PaymentInProgress("A payment for this order is already in progress.", details=details)


# ---------------------------------------------------------------------------- status
def get_status(caller: Caller, payment_id: str, deps: Payments) -> Payment:
    payment = deps.dal.get_payment(payment_id)
    if payment is None or not (
        caller.is_admin or caller.user_id in (payment["buyer_id"], payment["farmer_id"])
    ):
        raise PaymentNotFound("No such payment.", details={"id": payment_id})
    return view(payment)


def _decide(payment: dict[str, Any], seen: ProviderStatus) -> tuple[str, str] | None:
    """(new status, note) for what the provider said, or None to change nothing."""
    status = payment["status"]
    if seen.reference and seen.reference != payment["merchant_reference"]:
        return None
    if status == "pending" and seen.state == "completed":
        if seen.amount != int(payment["amount_ugx"]) or (seen.currency or CURRENCY) != payment["currency"]:
            return "disputed", f"provider collected {seen.amount} {seen.currency or '?'}"
        return "completed", seen.confirmation_code
    if status == "pending" and seen.state in ("failed", "reversed"):
        return seen.state, seen.description or seen.state
    if status == "completed" and seen.state == "reversed" and payment.get("escrow") == "held":
        return "reversed", seen.description or "reversed"
    return None


def _mismatch(payment: dict[str, Any], seen: ProviderStatus) -> str:
    """Why our record disagrees with the provider's final answer ('' when it does not)."""
    if seen.state == "pending":
        return ""
    if seen.reference and seen.reference != payment["merchant_reference"]:
        return "the provider names another merchant reference"
    if payment["status"] == "completed" and seen.state != "completed" and payment.get("escrow") != "held":
        return f"provider says {seen.state} after the escrow was {payment.get('escrow')}"
    if payment["status"] == "completed" and seen.state == "failed":
        return "provider says failed for a payment we credited"
    return ""


def _apply(payment: dict[str, Any], to_status: str, note: str, deps: Payments) -> bool:
    now = clock.now_iso()
    facts = _facts(payment)
    history = {"status": to_status, "at": now, "note": note}
    if to_status == "completed":
        return deps.dal.change_payment(
            payment,
            changes={
                "status": "completed",
                "escrow": "held",
                "confirmation_code": note,
                "gsi2pk": "STATUS#completed",
            },
            history=history,
            now=now,
            attempt_state="completed",
            entry=ledger.payment_received(
                payment["id"], payment["buyer_id"], payment["order_id"], facts["amount_ugx"]
            ),
            events=[ev.PaymentCompleted(**facts, confirmation_code=note)],
        )
    if to_status == "disputed":
        changed = deps.dal.change_payment(
            payment,
            changes={"status": "disputed", "gsi2pk": "STATUS#disputed"},
            history=history,
            now=now,
        )
        if changed:
            deps.dal.record_mismatch(payment, "completed", f"amount or currency mismatch: {note}", now)
            logger.warning("payment disputed", extra={"payment_id": payment["id"], "note": note})
        return changed
    if to_status == "reversed" and payment["status"] == "completed":
        return deps.dal.change_payment(
            payment,
            changes={"status": "reversed", "escrow": "refunded"},
            remove=["gsi2pk", "gsi2sk"],
            history=history,
            now=now,
            entry=ledger.returned_to_buyer(
                "reversal", payment["id"], payment["buyer_id"], payment["order_id"], facts["amount_ugx"]
            ),
            events=[ev.PaymentReversed(**facts)],
        )
    return deps.dal.change_payment(
        payment,
        changes={"status": to_status},
        remove=["gsi2pk", "gsi2sk"],
        history=history,
        now=now,
        attempt_state="failed",
        events=[ev.PaymentFailed(**facts, reason=note)],
    )


def refresh(payment: dict[str, Any], deps: Payments, *, flag_mismatches: bool = False) -> dict[str, Any]:
    """Read the attempt's status from the provider and apply it (idempotent); the payment after."""
    seen = deps.provider().status(payment["tracking_id"])
    for _ in range(RETRIES):
        decision = _decide(payment, seen)
        if decision is None:
            problem = _mismatch(payment, seen) if flag_mismatches else ""
            if problem:
                deps.dal.record_mismatch(payment, seen.state, problem, clock.now_iso())
                logger.warning("payment mismatch", extra={"payment_id": payment["id"], "problem": problem})
            return payment
        if _apply(payment, *decision, deps):
            logger.info("payment changed", extra={"payment_id": payment["id"], "status": decision[0]})
            if decision[0] == "completed":
                try:
                    _catch_up_with_the_order(str(payment["order_id"]), deps)
                except ProviderError as err:  # the refund reached the ledger; reconciliation resubmits it
                    logger.warning("refund not submitted yet", extra={"error": str(err)})
            return deps.dal.get_payment(payment["id"]) or payment
        payment = deps.dal.get_payment(payment["id"]) or payment  # changed meanwhile: decide again
    return payment


def _catch_up_with_the_order(order_id: str, deps: Payments) -> None:
    """A payment that completes after its order ended (the farmer completed or rejected it while the
    buyer was still confirming on the handset) gets what the order event could not give it then:
    the payout or the refund. Both are once-only, so a late order event changes nothing twice."""
    order = deps.order(order_id)
    if order is None:
        return
    if order.status == "completed":
        schedule_payout(order_id, deps)
    elif order.status in ("rejected", "cancelled"):
        request_refund(order_id, f"order {order.status} before the payment completed", deps)


def on_notification(notification: Notification, deps: Payments) -> Acknowledgement:
    """A PesaPal IPN: look the attempt up by tracking id, read its status back, acknowledge."""
    ack = {
        "order_notification_type": notification.notification_type,
        "order_tracking_id": notification.order_tracking_id,
        "order_merchant_reference": notification.merchant_reference,
    }
    payment = deps.dal.payment_by_tracking(notification.order_tracking_id)
    if payment is None:
        logger.warning("notification for an unknown tracking id")
        return Acknowledgement(**ack, status=500)
    try:
        refresh(payment, deps)
    except ProviderError as err:
        logger.warning("could not read a payment's status", extra={"error": str(err)})
        return Acknowledgement(**ack, status=500)
    return Acknowledgement(**ack, status=200)


# ---------------------------------------------------------------------------- escrow: payouts and refunds
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
            extra=[deps.dal.payout_put(payout)],
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


REFUND_REASONS = {"OrderCancelled": "order cancelled", "OrderRejected": "order rejected"}


def on_order_event(event: ReceivedEvent, deps: Payments) -> None:
    order_id = str(event.detail.get("order_id", ""))
    if not order_id:
        raise ValueError("an order event without order_id")
    if event.detail_type == "OrderCompleted":
        schedule_payout(order_id, deps)
    elif event.detail_type in REFUND_REASONS:
        request_refund(order_id, REFUND_REASONS[event.detail_type], deps)


# ---------------------------------------------------------------------------- scheduled jobs
def settle(deps: Payments) -> JobSummary:
    """Settle every payout that is due, in one batch (the farmer's balance moves to settled)."""
    now = clock.now_iso()
    batch_id = ids.ulid()
    summary = JobSummary()
    for payout in deps.dal.due_payouts(now, SETTLEMENT_BATCH):
        summary.checked += 1
        entry = ledger.payout_settled(payout["id"], payout["farmer_id"], int(payout["net_ugx"]))
        sent = ev.PayoutSent(
            payout_id=str(payout["id"]),
            order_id=str(payout["order_id"]),
            farmer_id=str(payout["farmer_id"]),
            net_ugx=int(payout["net_ugx"]),
            batch_id=batch_id,
            settled_at=now,
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
    """Compare recent pending and completed payments with the provider: apply final answers we
    missed (a lost IPN, MoMo's single callback) and flag what disagrees."""
    since = clock.iso(clock.now() - timedelta(days=deps.config.reconcile_days))
    summary = JobSummary()
    flagged_before = len(deps.dal.mismatches())
    seen: set[str] = set()
    for status in ("pending", "completed"):
        for payment in deps.dal.payments_since(status, since):
            if payment["id"] in seen:  # completed during this run: already compared
                continue
            seen.add(payment["id"])
            summary.checked += 1
            try:
                after = refresh(payment, deps, flag_mismatches=True)
            except ProviderError:
                summary.errors += 1
                continue
            if after["status"] == "completed" and (
                after.get("escrow") == "held" or after.get("refund") == "requested"
            ):
                try:  # an order that ended while its payment was pending; a refund the provider missed
                    _catch_up_with_the_order(str(after["order_id"]), deps)
                except ProviderError:
                    summary.errors += 1
                after = deps.dal.get_payment(str(after["id"])) or after
            if after["status"] != payment["status"] or after.get("escrow") != payment.get("escrow"):
                summary.changed += 1
    summary.mismatches = len(deps.dal.mismatches()) - flagged_before
    logger.info("reconciliation", extra=summary.model_dump())
    return summary


def ledger_balances(deps: Payments) -> dict[str, int]:
    return deps.dal.balances()
