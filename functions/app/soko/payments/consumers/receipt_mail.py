"""PaymentCompleted (soko.payments) -> the buyer's receipt by e-mail, PDF attached, when the buyer
has an e-mail address. Once per event: the consumer's idempotency on the event id, and a delivery
record claimed before SES is called (soko.payments.mail). A failed send fails the record, which SQS
retries, then parks in the dead-letter queue."""

from __future__ import annotations

from soko.payments import mail
from soko.payments.deps import receipt_mail
from soko.payments.events import PaymentCompleted
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    completed = event.parse(PaymentCompleted)
    outcome = mail.send_receipt(completed, receipt_mail())
    logger.info("receipt e-mail", extra={"outcome": outcome, "payment_id": completed.payment_id})


consumer = EventConsumer("payments.receipt_mail", handle)
lambda_handler = consumer.lambda_handler
