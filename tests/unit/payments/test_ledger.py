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


@pytest.mark.parametrize(
    ("gross", "to_buyer", "expected"),
    [
        (120_000, 40_000, (40_000, 80_000, 4_000)),
        (100_001, 49_991, (49_991, 50_010, 2_501)),  # 2 500.5 rounds half up
        (100_001, 200_000, (100_001, 0, 0)),  # the buyer's part is capped at the escrow
        (7, 0, (0, 7, 0)),
        (10, 10, (10, 0, 0)),
    ],
)
def test_a_split_charges_commission_on_the_farmers_part_only(
    gross: int, to_buyer: int, expected: tuple[int, int, int]
) -> None:
    assert ledger.split(gross, to_buyer, Decimal(5)) == expected
    back, paid_out, fee = expected
    assert back + paid_out == gross and fee <= paid_out


def test_the_refund_flows_balance_and_pass_through_the_refund_account() -> None:
    entries = [
        ledger.payment_received("p", "b", "o", 10_001),
        ledger.refund_requested("p", "o", 3_333),
        ledger.payout_scheduled("x", "o", "f", 6_668, ledger.commission(6_668, Decimal(5))),
        ledger.refund_settled("p", "b", 3_333),
        ledger.collected_for_refund("q", "b", 500),
        ledger.refund_settled("q", "b", 500),
    ]
    totals: dict[str, int] = {}
    for entry in entries:
        assert sum(p.amount for p in entry.postings) == 0
        for posting in entry.postings:
            totals[posting.account] = totals.get(posting.account, 0) + posting.amount
    assert totals["escrow:o"] == 0 and totals["refund:p"] == 0 and totals["refund:q"] == 0
    assert totals["buyer:b"] == -6_668 and totals["farmer:f"] + totals[ledger.FEES] == 6_668
