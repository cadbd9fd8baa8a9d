"""Payment documents by e-mail, in the reader's language (English or Luganda): a buyer's receipt when
a payment completes (PDF attached), and a farmer's monthly statement when they ask for it
(``POST /payments/statements/email``, PDF attached).

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
from soko.payments.statements import Statement, statement
from soko.providers.email import Attachment, EmailSender
from soko.shared import clock
from soko.shared.errors import Conflict, DependencyUnavailable, TooManyRequests
from soko.shared.identity import Caller
from soko.shared.models import Accepted
from soko.shared.observability import logger

STATEMENT_WINDOW_SECONDS = 3600  # one e-mail of a month's statement per farmer per window

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


# ---------------------------------------------------------------------------- statements
STATEMENT_TEXTS = {
    "en": {
        "subject": "Your Soko statement for {month}",
        "text": (
            "Hello {name},\n\n"
            "Your Soko statement for {month} is attached (PDF). This month you earned UGX {earned} after "
            "Soko's fees, UGX {paid_out} was paid to your mobile money, and your balance with Soko at the "
            "end of the month is UGX {closing}.\n\n"
            "Soko"
        ),
    },
    "lg": {
        "subject": "Embalirira yo eya Soko ey'omwezi {month}",
        "text": (
            "Oli otya {name},\n\n"
            "Embalirira yo eya Soko ey'omwezi {month} eri wansi (PDF). Omwezi guno ofunye UGX {earned} "
            "nga Soko emaze okuggyako ebyayo, UGX {paid_out} zisindikiddwa ku mobile money yo, era ssente "
            "zo ezisigadde ku Soko ku nkomerero y'omwezi ziri UGX {closing}.\n\n"
            "Soko"
        ),
    },
}
_FARMER = {"en": "Soko farmer", "lg": "mulimi wa Soko"}


class NoEmailAddress(Conflict):
    code = "NO_EMAIL_ADDRESS"


class StatementEmailLimit(TooManyRequests):
    code = "STATEMENT_EMAIL_LIMIT"


class EmailUnavailable(DependencyUnavailable):
    code = "EMAIL_UNAVAILABLE"


def statement_mail(s: Statement, name: str) -> tuple[str, str]:
    """The statement e-mail's subject and text, in the statement's language."""
    texts = STATEMENT_TEXTS.get(s.language, STATEMENT_TEXTS["en"])
    fields = {
        "name": name.strip() or _FARMER.get(s.language, _FARMER["en"]),
        "month": s.month,
        "earned": f"{s.earned_net_ugx:,}",
        "paid_out": f"{s.paid_out_ugx:,}",
        "closing": f"{s.closing_balance_ugx:,}",
    }
    return texts["subject"].format(**fields), texts["text"].format(**fields)


@dataclass
class StatementMailDeps:
    """What mailing a statement needs (built by ``soko.payments.deps.statement_mail``)."""

    reports: Reports
    deliveries: Deliveries
    email_address: Callable[[str], str | None]
    email: Callable[[], EmailSender]
    pdf: Callable[[Statement, str], bytes]  # soko.payments.documents.statement_pdf


def send_statement(caller: Caller, month_text: str, deps: StatementMailDeps) -> Accepted:
    """Mail the farmer's statement of ``month_text`` (YYYY-MM) to their e-mail address, PDF
    attached: farmers only (403), a valid month (400), an account with an e-mail address (409
    ``NO_EMAIL_ADDRESS``), at most one e-mail per month's statement per hour (429, claimed with a
    conditional put before sending and released when SES fails: 503 ``EMAIL_UNAVAILABLE``)."""
    found = statement(caller, month_text, deps.reports)  # 403 for a non-farmer, 400 for a bad month
    address = deps.email_address(caller.user_id)
    if not address:
        raise NoEmailAddress(
            "Your account has no e-mail address. Add one to your profile, or download the statement."
        )
    now = clock.epoch()
    window = now // STATEMENT_WINDOW_SECONDS
    key = f"statement#{caller.user_id}#{found.month}#{window}"
    if not deps.deliveries.claim_delivery(key, caller.user_id, "email", clock.now_iso()):
        raise StatementEmailLimit(
            "This statement was e-mailed to you less than an hour ago. Look in your e-mail, or try later.",
            retry_after_seconds=max(1, STATEMENT_WINDOW_SECONDS - now % STATEMENT_WINDOW_SECONDS),
        )
    name = deps.reports.full_name(caller.user_id)
    subject, text = statement_mail(found, name)
    attachment = Attachment(f"soko-statement-{found.month}.pdf", "application/pdf", deps.pdf(found, name))
    try:
        message_id = deps.email().send(address, subject, text, attachments=[attachment])
    except Exception as err:
        deps.deliveries.release_delivery(key)
        logger.exception("statement e-mail failed", extra={"user_id": caller.user_id})
        raise EmailUnavailable("E-mail could not be sent just now. Try again in a few minutes.") from err
    deps.deliveries.mark_delivered(key, message_id, clock.now_iso())
    return Accepted(message="Your statement is on its way to your e-mail address.")
