"""What the two PesaPal IPN endpoints (GET and POST) share: untrusted input in, PesaPal's
acknowledgement out, always HTTP 200 (status 500 inside when the notification was not processed)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import ValidationError

from soko.payments import attempts
from soko.payments.deps import payments
from soko.payments.models import Acknowledgement, Notification
from soko.shared.http import JSON
from soko.shared.observability import logger

DESCRIPTION = (
    "PesaPal's instant payment notification (public). It carries no status and no signature, so it is "
    "never trusted: the payment is looked up by `OrderTrackingId` and its status read back with "
    "GetTransactionStatus. Repeated notifications change nothing twice. Always HTTP 200 with PesaPal's "
    "acknowledgement: `status` 200 when processed, 500 for an unknown tracking id, junk, or a provider "
    "that did not answer (PesaPal retries)."
)
RESPONSES: dict[int, OpenAPIResponse] = {
    200: {"description": "Acknowledgement", "content": {JSON: {"model": Acknowledgement}}},
}


def acknowledge(fields: Any) -> Response[str]:
    data = fields if isinstance(fields, dict) else {}
    try:
        notification = Notification.model_validate(
            {k: str(v) for k, v in data.items() if isinstance(v, str | int)}
        )
        ack = attempts.on_notification(notification, payments())
    except Exception as err:  # PesaPal gets its acknowledgement, never a 5xx (it retries on 500)
        if isinstance(err, ValidationError):
            logger.warning("a PesaPal notification that is not one")
        else:
            logger.exception("a PesaPal notification could not be processed")
        ack = Acknowledgement(
            order_notification_type=str(data.get("OrderNotificationType", ""))[:40],
            order_tracking_id=str(data.get("OrderTrackingId", ""))[:100],
            order_merchant_reference=str(data.get("OrderMerchantReference", ""))[:100],
            status=500,
        )
    return Response(200, JSON, ack.model_dump_json(by_alias=True))
