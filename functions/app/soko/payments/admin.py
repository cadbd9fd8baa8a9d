"""What admins do with payments: list the open mismatch cases, resolve one (accept the provider's
amount or state, or refund through the provider), and read any account of the ledger. Every
resolution needs a reason and publishes ``AdminActionTaken`` in the same transaction as its change.

How each kind of mismatch case is resolved:

- ``amount_mismatch`` (the payment is ``disputed``): ``accept`` credits the amount the provider
  collected (UGX only) to escrow and completes the payment, and the order goes on as paid (or is
  refunded if it ended meanwhile); ``refund`` gives what the provider collected back to the buyer
  (entries ``collected`` then ``refunded``) and frees the order for a new attempt.
- ``state_mismatch`` (the provider failed or reversed a payment we credited, ...): ``accept`` gives
  a held escrow back to the buyer as a reversal (the provider kept nothing), or else acknowledges
  it (money that already moved is not touched; the same provider state never reopens the case);
  ``refund`` refunds a held escrow through the provider.
- ``refund_refused``: ``accept`` records the refund as settled outside Soko (e.g. a MoMo
  disbursement): ``refund:<payment>`` -> buyer; ``refund`` submits it to the provider again (a
  second refusal opens the case again).
"""

from __future__ import annotations

import re
from typing import Any

from soko.payments import escrow, ledger, refunds
from soko.payments import events as ev
from soko.payments.attempts import catch_up_with_the_order
from soko.payments.errors import (
    AccountNotFound,
    InvalidAccount,
    MismatchNotResolvable,
    NoOpenMismatch,
    PaymentNotFound,
    ProviderUnavailable,
)
from soko.payments.models import (
    LedgerPage,
    LedgerPosting,
    MismatchCase,
    MismatchPage,
    Resolved,
    ResolveRequest,
)
from soko.payments.ports import Payments
from soko.payments.rules import CURRENCY, facts, view
from soko.providers.http import ProviderError
from soko.providers.payments import ProviderStatus
from soko.shared import clock
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller
from soko.shared.observability import logger

ACCOUNT = re.compile(
    r"^(?:(?:buyer|escrow|refund|farmer|transporter|settled):[0-9A-Za-z_-]{1,64}|platform:fees)$"
)


def _admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Admins only.")


def _case(item: dict[str, Any]) -> MismatchCase:
    return MismatchCase.model_validate({k: v for k, v in item.items() if k in MismatchCase.model_fields})


def mismatches(caller: Caller, limit: int, cursor: str | None, deps: Payments) -> MismatchPage:
    _admin(caller)
    page = deps.dal.open_cases(limit, cursor)
    return MismatchPage(items=[_case(i) for i in page.items], next_cursor=page.next_cursor)


def ledger_of(caller: Caller, account: str, limit: int, cursor: str | None, deps: Payments) -> LedgerPage:
    _admin(caller)
    if not ACCOUNT.match(account):
        raise InvalidAccount(
            "An account is buyer:, escrow:, refund:, farmer:, transporter: or settled: and an id, "
            "or platform:fees.",
            details={"field": "account"},
        )
    balance = deps.dal.balance(account)
    if balance is None:
        raise AccountNotFound("No such account in the ledger.", details={"account": account})
    page = deps.dal.account_entries(account, limit, cursor)
    return LedgerPage(
        account=account,
        balance=int(balance.get("balance", 0)),
        items=[
            LedgerPosting(kind=i["kind"], reference=i["reference"], amount=int(i["amount"]), at=i["at"])
            for i in page.items
        ],
        next_cursor=page.next_cursor,
    )


def resolve(caller: Caller, payment_id: str, request: ResolveRequest, deps: Payments) -> Resolved:
    """Resolve the payment's open mismatch case as the admin decided (see the module's table)."""
    _admin(caller)
    payment = deps.dal.get_payment(payment_id)
    if payment is None:
        raise PaymentNotFound("No such payment.", details={"id": payment_id})
    case = deps.dal.get_case(payment_id)
    if case is None or case.get("status") != "open":
        raise NoOpenMismatch("This payment has no open mismatch to resolve.", details={"id": payment_id})
    at = clock.now_iso()
    action = ev.AdminActionTaken(
        admin_id=caller.user_id,
        action=f"payment.mismatch.{request.action}",
        target_type="payment",
        target_id=payment_id,
        reason=request.reason,
        at=at,
        details={"kind": case["kind"], "order_id": payment["order_id"]},
    )
    resolution = {"action": request.action, "reason": request.reason, "admin_id": caller.user_id, "at": at}
    if case["kind"] == "refund_refused":
        outcome = _refused_refund(payment, request, action, resolution, deps)
    elif payment["status"] == "disputed":
        outcome = _amount_mismatch(payment, request, action, resolution, deps)
    else:
        outcome = _state_mismatch(payment, request, action, resolution, deps)
    logger.info("mismatch resolved", extra={"payment_id": payment_id, "outcome": outcome})
    refund = deps.dal.get_refund(payment_id)
    return Resolved(
        case=_case(deps.dal.get_case(payment_id) or case),
        payment=view(deps.dal.get_payment(payment_id) or payment),
        refund_status=None if refund is None else str(refund["status"]),
    )


def _changed_meanwhile() -> MismatchNotResolvable:
    return MismatchNotResolvable("The payment changed at the same moment; read it again and retry.")


def _provider_says(payment: dict[str, Any], deps: Payments) -> ProviderStatus:
    try:
        return deps.provider().status(str(payment["tracking_id"]))
    except ProviderError:
        raise ProviderUnavailable("The payment provider is not answering; please try again.") from None


def _submit(payment_id: str, deps: Payments) -> None:
    escrow.submit_refund(payment_id, deps)


def _refused_refund(
    payment: dict[str, Any],
    request: ResolveRequest,
    action: ev.AdminActionTaken,
    resolution: dict[str, Any],
    deps: Payments,
) -> str:
    refund = deps.dal.get_refund(str(payment["id"]))
    if refund is None or refund["status"] != "refused":
        raise MismatchNotResolvable("The refund is not refused any more.", details={"id": payment["id"]})
    at = clock.now_iso()
    if request.action == "accept":
        amount = int(refund["amount_ugx"])
        if not deps.dal.change_refund(
            refund,
            changes={"status": "settled_outside", "settled_by": action.admin_id},
            now=at,
            entries=[ledger.refund_settled(str(payment["id"]), str(payment["buyer_id"]), amount)],
            events=[action],
            resolve_case={**resolution, "outcome": "refund settled outside Soko"},
        ):
            raise _changed_meanwhile()
        return "settled outside"
    if not deps.dal.change_refund(
        refund,
        changes={"status": "requested", "gsi2pk": "REFUNDS#requested", "gsi2sk": f"{at}#{payment['id']}"},
        now=at,
        events=[action],
        resolve_case={**resolution, "outcome": "refund submitted again"},
    ):
        raise _changed_meanwhile()
    _submit(str(payment["id"]), deps)  # refused again: the case opens again
    return "resubmitted"


def _amount_mismatch(
    payment: dict[str, Any],
    request: ResolveRequest,
    action: ev.AdminActionTaken,
    resolution: dict[str, Any],
    deps: Payments,
) -> str:
    seen = _provider_says(payment, deps)
    if seen.state != "completed" or seen.amount is None or seen.amount <= 0:
        raise MismatchNotResolvable(
            f"The provider now says {seen.state}: nothing it collected can be accepted or refunded.",
            details={"provider_state": seen.state},
        )
    if (seen.currency or CURRENCY) != CURRENCY:
        raise MismatchNotResolvable(
            "The provider collected another currency: refund it outside Soko.",
            details={"currency": seen.currency},
        )
    at = clock.now_iso()
    collected = seen.amount
    if request.action == "accept":
        known = {**facts(payment), "amount_ugx": collected}
        if not deps.dal.change_payment(
            payment,
            changes={
                "status": "completed",
                "escrow": "held",
                "amount_ugx": collected,
                "order_total_ugx": int(payment["amount_ugx"]),
                "confirmation_code": seen.confirmation_code,
                "gsi2pk": "STATUS#completed",
            },
            history={
                "status": "completed",
                "at": at,
                "note": f"admin accepted {collected} UGX: {request.reason}",
            },
            now=at,
            attempt_state="completed",
            entries=[
                ledger.payment_received(payment["id"], payment["buyer_id"], payment["order_id"], collected)
            ],
            events=[ev.PaymentCompleted(**known, confirmation_code=seen.confirmation_code), action],
            resolve_case={**resolution, "outcome": f"{collected} UGX credited to escrow"},
        ):
            raise _changed_meanwhile()
        try:
            catch_up_with_the_order(str(payment["order_id"]), deps)
        except ProviderError as err:
            logger.warning("refund not submitted yet", extra={"error": str(err)})
        return "accepted"
    refund, entry, requested = refunds.record(
        {**payment, "confirmation_code": seen.confirmation_code},
        collected,
        request.reason,
        "mismatch",
        collected=True,
    )
    if not deps.dal.change_payment(
        payment,
        changes={"escrow": "refunded", "refund_id": refund["id"]},
        remove=["gsi2pk", "gsi2sk"],
        history={"status": "disputed", "at": at, "note": f"admin refunds {collected} UGX: {request.reason}"},
        now=at,
        attempt_state="failed",  # the order is free for a new attempt
        entries=[entry],
        events=[requested, action],
        new_items=[refund],
        resolve_case={**resolution, "outcome": f"{collected} UGX refunded"},
    ):
        raise _changed_meanwhile()
    _submit(str(payment["id"]), deps)
    return "refunded"


def _state_mismatch(
    payment: dict[str, Any],
    request: ResolveRequest,
    action: ev.AdminActionTaken,
    resolution: dict[str, Any],
    deps: Payments,
) -> str:
    held = payment.get("escrow") == "held"
    at = clock.now_iso()
    if request.action == "refund":
        if not held:
            raise MismatchNotResolvable(
                f"Nothing is held to refund (the escrow is {payment.get('escrow')}).",
                details={"escrow": payment.get("escrow")},
            )
        if not escrow.close(
            payment,
            int(payment["amount_ugx"]),
            request.reason,
            deps,
            cause="mismatch",
            extra_events=(action,),
            resolve_case={**resolution, "outcome": "held escrow refunded"},
        ):
            raise _changed_meanwhile()
        _submit(str(payment["id"]), deps)
        return "refunded"
    seen = _provider_says(payment, deps)
    if held and seen.state in ("failed", "reversed"):
        if not deps.dal.change_payment(
            payment,
            changes={"status": "reversed", "escrow": "refunded"},
            remove=["gsi2pk", "gsi2sk"],
            history={
                "status": "reversed",
                "at": at,
                "note": f"admin accepted {seen.state}: {request.reason}",
            },
            now=at,
            entries=[
                ledger.returned_to_buyer(
                    "reversal",
                    payment["id"],
                    payment["buyer_id"],
                    payment["order_id"],
                    int(payment["amount_ugx"]),
                )
            ],
            events=[ev.PaymentReversed(**facts(payment)), action],
            resolve_case={**resolution, "outcome": f"accepted {seen.state}: escrow back to the buyer"},
        ):
            raise _changed_meanwhile()
        return "reversed"
    if not deps.dal.change_payment(
        payment,
        changes={},
        history={
            "status": payment["status"],
            "at": at,
            "note": f"admin accepted the mismatch: {request.reason}",
        },
        now=at,
        events=[action],
        resolve_case={**resolution, "outcome": "acknowledged"},
    ):
        raise _changed_meanwhile()
    return "acknowledged"
