"""Payment attempts: initiating one (an order has at most one live attempt), reading a payment,
and applying what the provider says (after an IPN, a redirect or reconciliation). Changes are
transactions conditioned on the payment's version, so a replayed notification, a racing
reconciliation run or a redelivered event changes nothing twice."""

from __future__ import annotations

from typing import Any

from soko.payments import escrow, ledger
from soko.payments import events as ev
from soko.payments.errors import (
    OrderAlreadyPaid,
    OrderNotFound,
    OrderNotPayable,
    PaymentInProgress,
    PaymentNotFound,
    ProviderUnavailable,
)
from soko.payments.models import Acknowledgement, InitiateRequest, Notification, Payment
from soko.payments.ports import Payments
from soko.payments.rules import CURRENCY, decide, facts, mismatch, view
from soko.providers.http import ProviderError
from soko.providers.payments import Payer
from soko.shared import clock, ids
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller
from soko.shared.observability import logger

RETRIES = 3


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


def get_status(caller: Caller, payment_id: str, deps: Payments) -> Payment:
    payment = deps.dal.get_payment(payment_id)
    if payment is None or not (
        caller.is_admin or caller.user_id in (payment["buyer_id"], payment["farmer_id"])
    ):
        raise PaymentNotFound("No such payment.", details={"id": payment_id})
    return view(payment)


def _apply(payment: dict[str, Any], to_status: str, note: str, deps: Payments) -> bool:
    now = clock.now_iso()
    known = facts(payment)
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
                payment["id"], payment["buyer_id"], payment["order_id"], known["amount_ugx"]
            ),
            events=[ev.PaymentCompleted(**known, confirmation_code=note)],
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
                "reversal", payment["id"], payment["buyer_id"], payment["order_id"], known["amount_ugx"]
            ),
            events=[ev.PaymentReversed(**known)],
        )
    return deps.dal.change_payment(
        payment,
        changes={"status": to_status},
        remove=["gsi2pk", "gsi2sk"],
        history=history,
        now=now,
        attempt_state="failed",
        events=[ev.PaymentFailed(**known, reason=note)],
    )


def refresh(payment: dict[str, Any], deps: Payments, *, flag_mismatches: bool = False) -> dict[str, Any]:
    """Read the attempt's status from the provider and apply it (idempotent); the payment after."""
    seen = deps.provider().status(payment["tracking_id"])
    for _ in range(RETRIES):
        decision = decide(payment, seen)
        if decision is None:
            problem = mismatch(payment, seen) if flag_mismatches else ""
            if problem:
                deps.dal.record_mismatch(payment, seen.state, problem, clock.now_iso())
                logger.warning("payment mismatch", extra={"payment_id": payment["id"], "problem": problem})
            return payment
        if _apply(payment, *decision, deps):
            logger.info("payment changed", extra={"payment_id": payment["id"], "status": decision[0]})
            if decision[0] == "completed":
                try:
                    catch_up_with_the_order(str(payment["order_id"]), deps)
                except ProviderError as err:  # the refund reached the ledger; reconciliation resubmits it
                    logger.warning("refund not submitted yet", extra={"error": str(err)})
            return deps.dal.get_payment(payment["id"]) or payment
        payment = deps.dal.get_payment(payment["id"]) or payment  # changed meanwhile: decide again
    return payment


def catch_up_with_the_order(order_id: str, deps: Payments) -> None:
    """A payment that completes after its order ended (the farmer completed or rejected it while the
    buyer was still confirming on the handset) gets what the order event could not give it then:
    the payout or the refund. Both are once-only, so a late order event changes nothing twice."""
    order = deps.order(order_id)
    if order is None:
        return
    if order.status == "completed":
        escrow.schedule_payout(order_id, deps)
    elif order.status in ("rejected", "cancelled"):
        escrow.request_refund(order_id, f"order {order.status} before the payment completed", deps)


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
