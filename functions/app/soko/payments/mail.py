"""Payment documents by e-mail: a buyer's receipt when a payment completes (PDF attached), in the
buyer's language (English or Luganda).

Sent once per ``PaymentCompleted`` event: a delivery record keyed by the event id is claimed with a
conditional put before the call to SES, released if the call fails (the queue retries), and marked
with SES's message id when it succeeds. A buyer without an e-mail address gets nothing here (the
receipt stays in the app: ``GET /payments/receipts/{order_id}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from soko.payments.events import PaymentCompleted
from soko.payments.ports import Deliveries, Reports
from soko.payments.receipts import Receipt, buyers_receipt
from soko.providers.email import Attachment, EmailSender
from soko.shared import clock
from soko.shared.observability import logger

RECEIPT_TEXTS = {
    "en": {
        "subject": "Your Soko receipt: {title}",
        "text": (
            "Hello {name},\n\n"
            "We received your payment of UGX {amount} for order {order_id} ({title}). Your receipt is "
            "attached (PDF).\n\n"
            "Soko holds the money until you confirm that the order was delivered; only then is the farmer "
            "paid.\n\n"
            "Thank you for buying on Soko."
        ),
    },
    "lg": {
        "subject": "Lisiiti yo eya Soko: {title}",
        "text": (
            "Oli otya {name},\n\n"
            "Tufunye ssente zo UGX {amount} ez'oda {order_id} ({title}). Lisiiti yo eri wansi (PDF).\n\n"
            "Soko ekuuma ssente okutuusa lw'okakasa nti ebintu bituuse; olwo omulimi n'alyoka asasulwa.\n\n"
            "Webale kugula ku Soko."
        ),
    },
}
_FRIEND = {"en": "Soko buyer", "lg": "mugguzi wa Soko"}


def receipt_mail(r: Receipt, name: str) -> tuple[str, str]:
    """The receipt e-mail's subject and text, in the receipt's language."""
    texts = RECEIPT_TEXTS.get(r.language, RECEIPT_TEXTS["en"])
    who = name.strip() or _FRIEND.get(r.language, _FRIEND["en"])
    fields = {
        "name": who,
        "amount": f"{r.amount_ugx:,}",
        "order_id": r.order_id,
        "title": r.title or r.order_id,
    }
    return texts["subject"].format(**fields), texts["text"].format(**fields)


@dataclass
class ReceiptMailDeps:
    """What sending a receipt needs (built by ``soko.payments.deps.receipt_mail``)."""

    reports: Reports
    deliveries: Deliveries
    email_address: Callable[[str], str | None]  # a user's e-mail address, None without one
    email: Callable[[], EmailSender]
    pdf: Callable[[Receipt], bytes]  # soko.payments.documents.receipt_pdf (fpdf2 is in a layer)


def send_receipt(event: PaymentCompleted, deps: ReceiptMailDeps) -> str:
    """Mail the receipt of a completed payment to its buyer: "sent", "no_email", "no_receipt" or
    "duplicate" (already sent for this event). Raises when SES fails, after releasing the claim."""
    address = deps.email_address(event.buyer_id)
    if not address:
        return "no_email"
    found = buyers_receipt(event.order_id, event.buyer_id, deps.reports)
    if found is None:  # not (or no longer) a paid order of this buyer: nothing to tell
        logger.warning(
            "receipt e-mail: no receipt for a completed payment", extra={"order_id": event.order_id}
        )
        return "no_receipt"
    key = f"receipt#{event.event_id}"
    if not deps.deliveries.claim_delivery(key, event.buyer_id, "email", clock.now_iso()):
        return "duplicate"
    subject, text = receipt_mail(found, deps.reports.full_name(event.buyer_id))
    pdf = deps.pdf(found)
    sender = deps.email()
    try:
        message_id = sender.send(
            str(address),
            subject,
            text,
            attachments=[Attachment(f"soko-receipt-{found.order_id}.pdf", "application/pdf", pdf)],
        )
    except Exception:
        deps.deliveries.release_delivery(key)
        raise
    deps.deliveries.mark_delivered(key, message_id, clock.now_iso())
    return "sent"
