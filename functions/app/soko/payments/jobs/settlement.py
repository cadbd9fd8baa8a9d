"""The settlement job (EventBridge schedule): settles every due payout in one batch."""

from __future__ import annotations

from typing import Any

from soko.payments import batch
from soko.payments.deps import payments
from soko.shared.observability import lambda_entry


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return batch.settle(payments()).model_dump()
