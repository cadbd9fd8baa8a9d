"""A buyer's receipt for a paid order: what was paid, when, how, and the provider's reference.

Only the order's buyer gets it; anyone else (the farmer included: the receipt is the buyer's
document) and an order that is not paid get the same 404, so an order id reveals nothing.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from soko.payments.errors import PaymentNotFound
from soko.payments.ports import Reports
from soko.shared.identity import Caller

_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
METHODS = {"pesapal": "Mobile money (PesaPal)", "momo": "MTN Mobile Money"}


class ReceiptNotFound(PaymentNotFound):
    code = "RECEIPT_NOT_FOUND"


class Receipt(BaseModel):
    order_id: str
    title: str
    amount_ugx: int = Field(description="What the buyer paid: the produce plus `fare_ugx`")
    fare_ugx: int = Field(0, description="The transport fare paid with the order (its own line)")
    currency: str
    method: str = Field(description="How the buyer paid")
    provider_reference: str = Field(description="The provider's confirmation code (or tracking id)")
    payment_id: str
    paid_at: str
    state: str = Field(
        description="Where the money is: held (in escrow), released (to the farmer), refunded, reversed"
    )
    language: str = "en"


def paid_at(payment: dict[str, Any]) -> str:
    for step in payment.get("history", []):
        if step.get("status") == "completed":
            return str(step["at"])
    return str(payment.get("updated_at", ""))


def receipt(caller: Caller, order_id: str, deps: Reports) -> Receipt:
    missing = ReceiptNotFound("No paid order of yours with this id.", details={"order_id": order_id[:40]})
    if not _ORDER_ID.match(order_id):
        raise missing
    found = buyers_receipt(order_id, caller.user_id, deps)
    if found is None:
        raise missing
    return found


def buyers_receipt(order_id: str, buyer_id: str, deps: Reports) -> Receipt | None:
    """The receipt of ``buyer_id``'s paid order, or None (not paid, not theirs). Also what the
    receipt e-mail attaches (soko.payments.mail)."""
    attempt = deps.dal.get_attempt(order_id)
    if attempt is None or attempt.get("state") != "completed":
        return None
    payment = deps.dal.get_payment(str(attempt["payment_id"]))
    if (
        payment is None
        or payment["buyer_id"] != buyer_id
        or payment["status"] not in ("completed", "reversed")
    ):
        return None
    order = deps.order(order_id)
    return Receipt(
        order_id=order_id,
        title=order.title if order else "",
        amount_ugx=int(payment["amount_ugx"]),
        fare_ugx=int(payment.get("fare_ugx", 0)),
        currency=str(payment["currency"]),
        method=METHODS.get(str(payment["provider"]), str(payment["provider"])),
        provider_reference=str(payment.get("confirmation_code") or payment.get("tracking_id", "")),
        payment_id=str(payment["id"]),
        paid_at=paid_at(payment),
        state="reversed" if payment["status"] == "reversed" else str(payment.get("escrow", "held")),
        language=deps.language(buyer_id),
    )
