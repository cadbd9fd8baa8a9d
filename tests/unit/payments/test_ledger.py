"""The ledger's rules (pure): every entry balances, commission rounds to whole shillings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from soko.payments import ledger


@pytest.mark.parametrize(
    ("gross", "percent", "fee"),
    [
        (120_000, Decimal(5), 6_000),
        (50_001, Decimal(5), 2_500),
        (50_010, Decimal(5), 2_501),
        (999, Decimal(0), 0),
    ],
)
def test_commission_is_whole_shillings_rounded_half_up(gross: int, percent: Decimal, fee: int) -> None:
    assert ledger.commission(gross, percent) == fee


def test_an_entry_that_does_not_balance_is_refused() -> None:
    with pytest.raises(ValidationError, match="does not balance"):
        ledger.Entry(
            kind="payment",
            reference="p",
            postings=[
                ledger.Posting(account="buyer:b", amount=-10),
                ledger.Posting(account="escrow:o", amount=9),
            ],
        )


def test_every_flow_balances_and_a_zero_fee_payout_has_no_fee_posting() -> None:
    entries = [
        ledger.payment_received("p", "b", "o", 10_000),
        ledger.payout_scheduled("x", "o", "f", 10_000, 500),
        ledger.payout_settled("x", "f", 9_500),
        ledger.returned_to_buyer("refund", "p", "b", "o", 10_000),
    ]
    assert all(sum(p.amount for p in e.postings) == 0 for e in entries)
    assert [p.account for p in ledger.payout_scheduled("x", "o", "f", 10, 0).postings] == [
        "escrow:o",
        "farmer:f",
    ]
