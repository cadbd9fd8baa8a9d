"""The receipt and statement e-mails' texts, in English and Luganda."""

from __future__ import annotations

import pytest

from soko.payments import mail
from soko.payments.receipts import Receipt
from soko.payments.statements import Statement


def receipt(language: str, title: str = "Maize grain, 100 kg") -> Receipt:
    return Receipt(
        order_id="01JD0000000000000000000020",
        title=title,
        amount_ugx=120_000,
        currency="UGX",
        method="MTN Mobile Money",
        provider_reference="PSP-1",
        payment_id="01JD0000000000000000000030",
        paid_at="2026-11-20T10:05:00Z",
        state="held",
        language=language,
    )


def statement(language: str) -> Statement:
    return Statement(
        farmer_id="f1",
        month="2026-11",
        language=language,
        opening_balance_ugx=0,
        lines=[],
        total_gross_ugx=0,
        total_fees_ugx=0,
        total_net_ugx=0,
        closing_balance_ugx=47_501,
        earned_gross_ugx=50_001,
        earned_net_ugx=47_501,
        paid_out_ugx=114_000,
        held_in_escrow_ugx=30_000,
        generated_at="2026-11-30T21:00:00Z",
    )


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_receipt_mail_names_the_order_the_amount_and_the_buyer(language: str) -> None:
    subject, text = mail.receipt_mail(receipt(language), "Nakato")

    assert "Maize grain, 100 kg" in subject
    assert "UGX 120,000" in text and "01JD0000000000000000000020" in text and "Nakato" in text
    assert "{" not in subject + text


def test_the_receipt_mail_is_luganda_for_a_luganda_speaker_and_greets_the_nameless() -> None:
    en_subject, en_text = mail.receipt_mail(receipt("en"), "")
    lg_subject, lg_text = mail.receipt_mail(receipt("lg"), " ")

    assert en_subject.startswith("Your Soko receipt") and en_text.startswith("Hello Soko buyer,")
    assert lg_subject.startswith("Lisiiti yo eya Soko") and lg_text.startswith("Oli otya mugguzi wa Soko,")
    assert mail.receipt_mail(receipt("en", title=""), "A")[0].endswith("01JD0000000000000000000020")


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_statement_mail_has_the_month_and_its_money(language: str) -> None:
    subject, text = mail.statement_mail(statement(language), "Okello")

    assert "2026-11" in subject
    assert "UGX 47,501" in text and "UGX 114,000" in text and "Okello" in text
    assert "{" not in subject + text


def test_the_statement_mail_differs_by_language() -> None:
    assert mail.statement_mail(statement("en"), "")[0] == "Your Soko statement for 2026-11"
    assert mail.statement_mail(statement("lg"), "")[1].startswith("Oli otya mulimi wa Soko,")
