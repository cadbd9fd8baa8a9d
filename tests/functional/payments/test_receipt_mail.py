"""Payment documents by e-mail, through SES's sandbox twin over HTTP. The receipt:
PaymentCompleted -> PaymentsReceiptMailConsumerFunction, the receipt PDF attached, in the buyer's
language; once per event; nothing for a buyer without an e-mail address; a failed send is retried.
The statement: POST /payments/statements/email, farmers only, PDF attached, once an hour per month."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from payments_support import sqs_event
from test_payments import paid_order

from soko.identity.dal import UsersDal
from soko.identity.models import StoredUser
from soko.payments import deps as payments_deps
from soko.payments import mail, statements
from soko.providers.email import EmailError
from soko.shared import clock
from soko_local.provision import Deployment
from support.gateway import http_event
from support.lambda_env import Invoke
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user

CONSUMER = "PaymentsReceiptMailConsumerFunction"


def account(
    deployment: Deployment, user: User, email: str | None, language: str = "en", role: str = "buyer"
) -> None:
    """``user`` as an account in the users table (identity's own write)."""
    now = clock.now_iso()
    stored = StoredUser(
        id=user.id,
        role=role,  # type: ignore[arg-type]
        email=email,
        email_lower=email.lower() if email else None,
        phone=None if email else "+256772000123",
        phone_verified=None if email else True,
        full_name="Nakato Sarah",
        language=language,  # type: ignore[arg-type]
        created_at=now,
        updated_at=now,
    )
    UsersDal(deployment.physical["UsersTable"]).create_user(stored, [])


class Down:
    def send(self, *args: Any, **kwargs: Any) -> str:
        raise EmailError("SES did not take the message (ServiceUnavailable)", code="ServiceUnavailable")


def completed_event(tables: Tables, order_id: str) -> dict[str, Any]:
    [item] = [
        i for i in tables.outbox("PaymentCompleted") if json.loads(str(i["detail"]))["order_id"] == order_id
    ]
    return item


def test_a_buyer_with_an_email_gets_the_receipt_once_with_the_pdf(
    run: Invoke, server: SandboxServer, tables: Tables, deployment: Deployment
) -> None:
    buyer, _, order_id, payment = paid_order(run, server, tables, total=75_000)
    account(deployment, buyer, "Buyer.Receipts@example.com")
    event = completed_event(tables, order_id)

    for _ in range(2):  # redelivered: still one e-mail
        result = run(CONSUMER, sqs_event([event]))
        assert result["batchItemFailures"] == [], result

    [sent] = server.mails(to="buyer.receipts@example.com")
    assert sent["subject"].startswith("Your Soko receipt: ")
    assert "UGX 75,000" in sent["text"] and order_id in sent["text"]
    assert sent["text"].startswith("Hello Nakato Sarah,")
    [pdf] = sent["attachments"]
    assert (pdf["filename"], pdf["content_type"]) == (f"soko-receipt-{order_id}.pdf", "application/pdf")
    assert pdf["size"] > 500
    records = [i for i in tables.all_payments_items() if str(i["pk"]).startswith("DELIVERY#receipt#")]
    assert [(r["status"], r["channel"], r["user_id"], r["message_id"]) for r in records] == [
        ("sent", "email", buyer.id, sent["id"])
    ]
    assert payment["payment_id"]


def test_the_receipt_is_in_luganda_for_a_luganda_speaker(
    run: Invoke, server: SandboxServer, tables: Tables, deployment: Deployment
) -> None:
    buyer, _, order_id, _ = paid_order(run, server, tables, total=40_000)
    account(deployment, buyer, "mukasa.lg@example.com", language="lg")

    assert run(CONSUMER, sqs_event([completed_event(tables, order_id)]))["batchItemFailures"] == []

    [sent] = server.mails(to="mukasa.lg@example.com")
    assert sent["subject"].startswith("Lisiiti yo eya Soko")
    assert "Webale kugula ku Soko." in sent["text"]


def test_no_email_no_mail_and_a_failed_send_is_retried(
    run: Invoke, server: SandboxServer, tables: Tables, deployment: Deployment, monkeypatch: Any
) -> None:
    phone_only, _, first, _ = paid_order(run, server, tables, total=20_000)
    account(deployment, phone_only, None)
    assert run(CONSUMER, sqs_event([completed_event(tables, first)]))["batchItemFailures"] == []
    assert server.mails() == []

    buyer, _, second, _ = paid_order(run, server, tables, total=30_000)
    account(deployment, buyer, "retry.me@example.com")
    event = sqs_event([completed_event(tables, second)])
    monkeypatch.setattr(payments_deps, "configured_email", Down)
    with pytest.raises(BatchProcessingError):  # the whole batch failed: SQS retries it
        run(CONSUMER, event)
    assert server.mails() == []
    assert not [i for i in tables.all_payments_items() if str(i["pk"]).startswith("DELIVERY#")]  # released

    monkeypatch.undo()
    assert run(CONSUMER, event)["batchItemFailures"] == []
    assert len(server.mails(to="retry.me@example.com")) == 1


def test_a_malformed_event_fails_its_record(run: Invoke) -> None:
    bad = {
        "source": "soko.payments",
        "detail_type": "PaymentCompleted",
        "detail": json.dumps({"order_id": "x"}),
    }
    with pytest.raises(BatchProcessingError):  # alone in its batch: the whole batch fails
        run(CONSUMER, sqs_event([bad]))


def test_the_texts_exist_in_both_languages() -> None:
    assert set(mail.RECEIPT_TEXTS) == {"en", "lg"}
    for texts in mail.RECEIPT_TEXTS.values():
        assert set(texts) == {"subject", "text"}


def email_statement(run: Invoke, user: User, body: Any) -> dict[str, Any]:
    function = "PaymentsStatementEmailFunction"
    event = http_event(function, "POST", "/payments/statements/email", body=body, context=user.context)
    result: dict[str, Any] = run(function, event)
    return {**json.loads(result["body"]), "http_status": result["statusCode"]}


def test_a_farmer_gets_their_statement_by_email_once_an_hour(
    run: Invoke, server: SandboxServer, deployment: Deployment
) -> None:
    farmer = new_user("farmer")
    account(deployment, farmer, "okello.farm@example.com", language="lg", role="farmer")
    month = statements.this_month().strftime("%Y-%m")

    sent = email_statement(run, farmer, {"month": month})

    assert sent["http_status"] == 202, sent
    assert sent["message"] == "Your statement is on its way to your e-mail address."
    [mail_] = server.mails(to="okello.farm@example.com")
    assert mail_["subject"] == f"Embalirira yo eya Soko ey'omwezi {month}"
    assert "UGX 0" in mail_["text"] and "Nakato Sarah" in mail_["text"]
    [pdf] = mail_["attachments"]
    assert (pdf["filename"], pdf["content_type"]) == (f"soko-statement-{month}.pdf", "application/pdf")
    again = email_statement(run, farmer, {"month": month})
    assert again["http_status"] == 429 and again["error"]["code"] == "STATEMENT_EMAIL_LIMIT", again
    assert len(server.mails()) == 1


def test_statement_emails_refuse_what_they_cannot_send(
    run: Invoke, server: SandboxServer, deployment: Deployment
) -> None:
    phone_farmer, buyer = new_user("farmer"), new_user("buyer")
    account(deployment, phone_farmer, None, role="farmer")
    account(deployment, buyer, "a.buyer@example.com")
    month = statements.this_month().strftime("%Y-%m")
    cases = [
        (phone_farmer, {"month": month}, 409, "NO_EMAIL_ADDRESS"),
        (buyer, {"month": month}, 403, None),
        (phone_farmer, {"month": "2999-01"}, 400, "INVALID_MONTH"),
        (phone_farmer, {"month": "0000-01"}, 400, "INVALID_MONTH"),  # year 0 is no date: 400, not 500
        (phone_farmer, {"month": "2026-13"}, 422, "VALIDATION_ERROR"),
        (phone_farmer, {}, 422, "VALIDATION_ERROR"),
        (phone_farmer, {"month": month, "to": "x@example.com"}, 422, "VALIDATION_ERROR"),
    ]
    for who, body, status, code in cases:
        answer = email_statement(run, who, body)
        assert answer["http_status"] == status, (body, answer)
        if code:
            assert answer["error"]["code"] == code, (body, answer)
    assert server.mails() == []


def test_the_statement_texts_exist_in_both_languages() -> None:
    assert set(mail.STATEMENT_TEXTS) == {"en", "lg"}
