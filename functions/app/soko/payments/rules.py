"""The payment rules that decide, as pure functions over a stored payment and what the provider
says: which status a payment moves to, what counts as a mismatch, and the payment as a client
sees it. Nothing a notification says is trusted: only a status read back from the provider, and
only when the merchant reference, the currency and the amount match (an underpayment is not paid).
"""

from __future__ import annotations

from typing import Any

from soko.payments.models import Payment
from soko.providers.payments import ProviderStatus

CURRENCY = "UGX"


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
        fare_ugx=int(item.get("fare_ugx", 0)),
        transport_booking_id=item.get("transport_booking_id") or None,
        currency=item["currency"],
        provider=item["provider"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        history=item.get("history", []),
    )


def facts(payment: dict[str, Any]) -> dict[str, Any]:
    return {
        "payment_id": payment["id"],
        "order_id": payment["order_id"],
        "buyer_id": payment["buyer_id"],
        "farmer_id": payment["farmer_id"],
        "amount_ugx": int(payment["amount_ugx"]),
        "currency": payment["currency"],
        "provider": payment["provider"],
        "fare_ugx": int(payment.get("fare_ugx", 0)),
    }


def decide(payment: dict[str, Any], seen: ProviderStatus) -> tuple[str, str] | None:
    """(new status, note) for what the provider said, or None to change nothing."""
    status = payment["status"]
    if seen.reference and seen.reference != payment["merchant_reference"]:
        return None
    if status in ("pending", "expired") and seen.state == "completed":  # expired: paid late, still honoured
        if seen.amount != int(payment["amount_ugx"]) or (seen.currency or CURRENCY) != payment["currency"]:
            return "disputed", f"provider collected {seen.amount} {seen.currency or '?'}"
        return "completed", seen.confirmation_code
    if status == "pending" and seen.state in ("failed", "reversed"):
        return seen.state, seen.description or seen.state
    if status == "completed" and seen.state == "reversed" and payment.get("escrow") == "held":
        return "reversed", seen.description or "reversed"
    return None


def mismatch(payment: dict[str, Any], seen: ProviderStatus) -> str:
    """Why our record disagrees with the provider's final answer ('' when it does not)."""
    if seen.state == "pending" or payment["status"] == "expired":
        return ""
    if seen.reference and seen.reference != payment["merchant_reference"]:
        return "the provider names another merchant reference"
    if payment["status"] == "completed" and seen.state != "completed" and payment.get("escrow") != "held":
        return f"provider says {seen.state} after the escrow was {payment.get('escrow')}"
    if payment["status"] == "completed" and seen.state == "failed":
        return "provider says failed for a payment we credited"
    return ""
