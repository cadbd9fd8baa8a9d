"""Payment attempts: initiating one (an order has at most one live attempt), reading a payment,
and applying what the provider says (after an IPN, a redirect or reconciliation). Changes are
transactions conditioned on the payment's version, so a replayed notification, a racing
reconciliation run or a redelivered event changes nothing twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from soko.payments import escrow, fares, ledger
from soko.payments import events as ev
from soko.payments.errors import (
    OrderAlreadyPaid,
    OrderNotFound,
    OrderNotPayable,
    PaymentInProgress,
    PaymentNotFound,
    ProviderUnavailable,
)
from soko.payments.models import Acknowledgement, InitiateRequest, JobSummary, Notification, Payment
from soko.payments.ports import OrderView, Payments
from soko.payments.rules import CURRENCY, decide, facts, mismatch, view
from soko.providers.http import ProviderError
from soko.providers.payments import Payer, Submitted
from soko.shared import clock, ids
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller
from soko.shared.observability import logger
from soko.shared.timers import timer_name

RETRIES = 3
EXPIRE = "payment.expire"


def initiate(caller: Caller, request: InitiateRequest, deps: Payments) -> Payment:
    """Start an attempt for the order's total plus the fare of its active transport, if any (see
    :mod:`soko.payments.fares`), record first: the payment is written (with the provider's id of it when we
    choose that id, MoMo's X-Reference-Id) and its expiry timer set BEFORE the provider is called,
    so an attempt the provider accepted is never lost, even when its answer is."""
    order = _payable_order(caller, request, deps)
    fare, booking_id = fares.fare_to_pay(order.id, deps)
    amount = order.total_ugx + fare
    payment_id = ids.ulid()
    _claim(order.id, payment_id, deps)
    provider = deps.provider()
    tracking_id = provider.reference_id(payment_id)
    now = clock.now()
    at = clock.iso(now)
    expires = now + timedelta(minutes=deps.config.payment_attempt_ttl_minutes)
    item: dict[str, Any] = {
        "pk": f"PAYMENT#{payment_id}",
        "sk": "PAYMENT",
        "id": payment_id,
        "order_id": order.id,
        "buyer_id": order.buyer_id,
        "farmer_id": order.farmer_id,
        "amount_ugx": amount,
        "fare_ugx": fare,
        "transport_booking_id": booking_id,
        "currency": CURRENCY,
        "provider": provider.name,
        "merchant_reference": payment_id,
        "tracking_id": tracking_id,
        "redirect_url": "",
        "status": "pending",
        "submitted": False,
        "escrow": "none",
        "history": [{"status": "pending", "at": at, "note": "recorded before submission"}],
        "created_at": at,
        "updated_at": at,
        "expires_at_iso": clock.iso(expires),
        "version": 1,
        "gsi2pk": "STATUS#pending",
        "gsi2sk": f"{at}#{payment_id}",
    }
    if tracking_id:
        item |= {"gsi1pk": f"TRACKING#{tracking_id}", "gsi1sk": "PAYMENT"}
    try:
        if deps.timers is not None:
            deps.timers.set(
                timer_name("payment", payment_id, "expire"), expires, kind=EXPIRE, subject=payment_id
            )
    except Exception:
        deps.dal.release_attempt(order.id, payment_id)
        logger.exception("could not set a payment attempt's expiry")
        raise ProviderUnavailable("Payments are not available right now; please try again.") from None
    if not deps.dal.create_payment(item):
        raise PaymentInProgress("Another payment for this order started at the same moment.")

    def send() -> Submitted:
        return provider.submit(
            reference=payment_id,
            amount=amount,
            currency=CURRENCY,
            description=f"Soko order {order.id}: {order.title}" + (" + transport" if fare else ""),
            payer=Payer(phone=request.phone, email=caller.email),
        )

    try:
        submitted = send()
    except ProviderError as err:
        logger.warning("payment provider did not answer an initiate", extra={"error": str(err)})
        return _unconfirmed(item, send, deps)
    changes = {
        "tracking_id": submitted.tracking_id,
        "redirect_url": submitted.redirect_url,
        "submitted": True,
        "gsi1pk": f"TRACKING#{submitted.tracking_id}",
        "gsi1sk": "PAYMENT",
    }
    return view(_keep_submission(item, changes, deps))


def _payable_order(caller: Caller, request: InitiateRequest, deps: Payments) -> OrderView:
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
    return order


def _keep_submission(item: dict[str, Any], changes: dict[str, Any], deps: Payments) -> dict[str, Any]:
    """Record the provider's answer to the submission (its tracking id must be kept: IPNs and the
    reconciliation job look the payment up by it); the payment after."""
    current: dict[str, Any] | None = item
    for _ in range(RETRIES):
        if current is None or _record(current, changes, "submitted", deps):
            break
        current = deps.dal.get_payment(str(item["id"]))
    return deps.dal.get_payment(str(item["id"])) or item


def _record(payment: dict[str, Any], changes: dict[str, Any], note: str, deps: Payments, **kw: Any) -> bool:
    """A change of a pending payment that moves no money (its submission, or its end unsubmitted)."""
    at = clock.now_iso()
    history = {"status": changes.get("status", payment["status"]), "at": at, "note": note}
    return deps.dal.change_payment(payment, changes=changes, history=history, now=at, **kw)


def _unconfirmed(payment: dict[str, Any], send: Callable[[], Submitted], deps: Payments) -> Payment:
    """The provider's answer to a submission never came. Without an id of our choosing (PesaPal) the
    buyer has no page to pay on: the attempt ends, unsubmitted. With one (MoMo's X-Reference-Id,
    recorded before the call) MoMo may have accepted it and the prompt be on the handset, so the
    attempt is never ended here: its status is read back, and if MoMo does not know the id yet it
    is submitted again under the same id (MoMo's idempotency key: a 409 means it has it). If that
    fails too, the attempt stays pending and the reconciliation job settles it (a request MoMo
    still does not know after ``initiate_stale_seconds`` ends as failed), or its expiry does."""
    if not payment["tracking_id"]:
        _record(
            payment,
            {"status": "failed"},
            "not submitted: the provider did not answer",
            deps,
            remove=["gsi2pk", "gsi2sk"],
            attempt_state="failed",
        )
        raise ProviderUnavailable("The payment provider is not answering; please try again.")
    try:
        seen = deps.provider().status(payment["tracking_id"])
        note = "accepted (its answer was lost; status read back)"
        if not seen.known:
            send()  # idempotent on the reference id
            seen, note = replace(seen, known=True), "submitted again under the same reference id"
    except ProviderError as err:
        logger.warning("could not confirm a submission", extra={"error": str(err)})
        raise ProviderUnavailable(
            "The payment provider did not confirm the request; if a prompt arrives, approve it. "
            "The payment's status will follow.",
            details={"payment_id": payment["id"]},
        ) from None
    _record(payment, {"submitted": True}, note, deps)
    after = deps.dal.get_payment(payment["id"]) or payment
    if seen.state != "pending":
        after = refresh(after, deps)
    return view(after)


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


def mismatch_case(payment: dict[str, Any], kind: str, provider_state: str, note: str) -> dict[str, Any]:
    return {
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "kind": kind,
        "ours": payment["status"],
        "escrow": payment.get("escrow", "none"),
        "provider_state": provider_state,
        "note": note[:300],
    }


def _apply(payment: dict[str, Any], to_status: str, note: str, deps: Payments) -> bool:
    now = clock.now_iso()
    known = facts(payment)
    history = {"status": to_status, "at": now, "note": note}
    if to_status == "completed":
        attempt_state: str | None = "completed"
        if payment["status"] == "expired":  # paid late: is the order still this attempt's?
            attempt = deps.dal.get_attempt(str(payment["order_id"]))
            if attempt is None or attempt.get("payment_id") != payment["id"]:
                attempt_state = None  # another attempt holds the order: this money goes back
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
            attempt_state=attempt_state,
            entries=[
                ledger.payment_received(
                    payment["id"], payment["buyer_id"], payment["order_id"], known["amount_ugx"]
                )
            ],
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
            deps.dal.record_mismatch(
                mismatch_case(
                    {**payment, "status": "disputed"},
                    "amount_mismatch",
                    "completed",
                    f"amount or currency mismatch: {note}",
                ),
                now,
            )
            logger.warning("payment disputed", extra={"payment_id": payment["id"], "note": note})
        return changed
    if to_status == "reversed" and payment["status"] == "completed":
        return deps.dal.change_payment(
            payment,
            changes={"status": "reversed", "escrow": "refunded"},
            remove=["gsi2pk", "gsi2sk"],
            history=history,
            now=now,
            entries=[
                ledger.returned_to_buyer(
                    "reversal", payment["id"], payment["buyer_id"], payment["order_id"], known["amount_ugx"]
                )
            ],
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


def refresh(
    payment: dict[str, Any],
    deps: Payments,
    *,
    flag_mismatches: bool = False,
    summary: JobSummary | None = None,
) -> dict[str, Any]:
    """Read the attempt's status from the provider and apply it (idempotent); the payment after.
    ``flag_mismatches``: open a mismatch case when the provider's final answer disagrees with ours
    (counted in ``summary``)."""
    seen = deps.provider().status(payment["tracking_id"])
    for _ in range(RETRIES):
        decision = decide(payment, seen)
        if decision is None:
            problem = mismatch(payment, seen) if flag_mismatches else ""
            if problem:
                opened = deps.dal.record_mismatch(
                    mismatch_case(payment, "state_mismatch", seen.state, problem), clock.now_iso()
                )
                if opened and summary is not None:
                    summary.mismatches += 1
                logger.warning("payment mismatch", extra={"payment_id": payment["id"], "problem": problem})
            if (
                flag_mismatches
                and not seen.known
                and payment["status"] == "pending"
                and payment["created_at"]
                < clock.iso(clock.now() - timedelta(seconds=deps.config.initiate_stale_seconds))
            ):  # MoMo never accepted it (a submission lost before it arrived): the order is free again
                _record(
                    payment,
                    {"status": "failed"},
                    "not submitted: the provider has no such request",
                    deps,
                    remove=["gsi2pk", "gsi2sk"],
                    attempt_state="failed",
                )
                return deps.dal.get_payment(payment["id"]) or payment
            return payment
        if _apply(payment, *decision, deps):
            logger.info("payment changed", extra={"payment_id": payment["id"], "status": decision[0]})
            if decision[0] == "disputed" and summary is not None:
                summary.mismatches += 1
            after = deps.dal.get_payment(payment["id"]) or payment
            if decision[0] == "completed":
                after_completion(after, deps)
                after = deps.dal.get_payment(payment["id"]) or after
            return after
        payment = deps.dal.get_payment(payment["id"]) or payment  # changed meanwhile: decide again
    return payment


def after_completion(payment: dict[str, Any], deps: Payments) -> None:
    """A payment that completed late (after its attempt expired and another took the order) is
    refunded at once; any other catches up with its order."""
    attempt = deps.dal.get_attempt(str(payment["order_id"]))
    if attempt is None or attempt.get("payment_id") != payment["id"]:
        escrow.refund_payment(
            payment, "paid after the attempt expired and another attempt took the order", deps, cause="late"
        )
        return
    catch_up_with_the_order(str(payment["order_id"]), deps)


def catch_up_with_the_order(order_id: str, deps: Payments) -> None:
    """A payment that completes after its order ended (the farmer rejected it, or it expired, while
    the buyer was still confirming on the handset; or its attempt had expired) gets what the order
    event could not give it then: the payout or the refund. Both are once-only, so a late order
    event changes nothing twice."""
    order = deps.order(order_id)
    if order is None:
        return
    if order.status == "completed":
        escrow.schedule_payout(order_id, deps)
    elif order.status in ("rejected", "cancelled", "expired"):
        escrow.request_refund(order_id, f"order {order.status} before the payment completed", deps)


def expire(payment_id: str, deps: Payments) -> bool:
    """The attempt's timer fired: a payment still pending is read back once (a final answer wins
    over the timer), then expires, and the order is free for another attempt. Money that arrives
    later is still honoured (see :func:`after_completion`)."""
    for _ in range(RETRIES):
        payment = deps.dal.get_payment(payment_id)
        if payment is None or payment["status"] != "pending":
            return False
        if payment.get("tracking_id"):
            try:
                payment = refresh(payment, deps)
            except ProviderError as err:  # cannot tell: expire anyway, a late completion is still honoured
                logger.warning("could not read an expiring attempt's status", extra={"error": str(err)})
            if payment["status"] != "pending":
                return False
        at = clock.now_iso()
        if deps.dal.change_payment(
            payment,
            changes={"status": "expired", "gsi2pk": "STATUS#expired"},
            history={"status": "expired", "at": at, "note": "not completed in time"},
            now=at,
            attempt_state="failed",
            events=[ev.PaymentExpired(**facts(payment), expired_at=at)],
        ):
            logger.info("payment attempt expired", extra={"payment_id": payment_id})
            return True
    return False


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
