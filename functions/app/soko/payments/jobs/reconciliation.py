"""The reconciliation job (EventBridge schedule): compares recent pending, expired and completed
payments with the provider's statuses, applies what we missed (a lost IPN, MoMo's single callback,
a request-to-pay whose answer timed out after MoMo accepted it: its X-Reference-Id was recorded
before the call), opens mismatch cases, and submits again every recorded refund the provider has
not accepted yet (see soko.payments.batch.reconcile)."""

from __future__ import annotations

from typing import Any

from soko.payments import batch
from soko.payments.deps import payments
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return batch.reconcile(payments()).model_dump()
