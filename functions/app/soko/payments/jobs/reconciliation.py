"""The reconciliation job (EventBridge schedule): compares recent pending and completed payments
with the provider's statuses, applies what we missed and flags mismatches."""

from __future__ import annotations

from typing import Any

from soko.payments import batch
from soko.payments.deps import payments
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return batch.reconcile(payments()).model_dump()
