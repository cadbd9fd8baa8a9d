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


# ---------------------------------------------------------------------------- transport fares (issue 17)
@pytest.mark.parametrize(
    ("amount", "fare_paid", "to_buyer", "transport", "fare_due", "expected"),
    [
        # the buyer paid the booked fare, the transport delivered: the fare goes out of the escrow
        (
            135_000,
            15_000,
            0,
            "delivered",
            15_000,
            {"farmer_gross": 120_000, "fee": 6_000, "fare_from_escrow": 15_000},
        ),
        # the buyer paid 15 000 but the delivered booking cost 10 000: 5 000 back to the buyer
        (
            135_000,
            15_000,
            0,
            "delivered",
            10_000,
            {"to_buyer": 5_000, "farmer_gross": 120_000, "fee": 6_000, "fare_from_escrow": 10_000},
        ),
        # the delivered booking is dearer than what the buyer paid: the rest from the farmer's net
        (
            130_000,
            10_000,
            0,
            "delivered",
            15_000,
            {"farmer_gross": 120_000, "fee": 6_000, "fare_from_escrow": 10_000, "fare_from_farmer": 5_000},
        ),
        # no fare paid (booked after paying): all of it from the farmer's proceeds
        (
            120_000,
            0,
            0,
            "delivered",
            15_000,
            {"farmer_gross": 120_000, "fee": 6_000, "fare_from_farmer": 15_000},
        ),
        # a fare above the farmer's net: paid up to the net, the rest unpaid, never negative
        (
            10_000,
            0,
            0,
            "delivered",
            12_000,
            {"farmer_gross": 10_000, "fee": 500, "fare_from_farmer": 9_500, "fare_unpaid": 2_500},
        ),
        # not delivered: the buyer's fare goes back to them
        (135_000, 15_000, 0, "none", 0, {"to_buyer": 15_000, "farmer_gross": 120_000, "fee": 6_000}),
        # still on the road: the buyer's fare and the farmer's part stay in the escrow
        (
            130_000,
            10_000,
            0,
            "on_the_road",
            15_000,
            {"farmer_gross": 120_000, "fee": 6_000, "held": 10_000, "held_from_farmer": 5_000},
        ),
        # a dispute's split of the produce (commission on the farmer's part, rounded half up) and a
        # delivered transporter keeps the fare
        (
            115_001,
            15_000,
            49_991,
            "delivered",
            15_000,
            {"to_buyer": 49_991, "farmer_gross": 50_010, "fee": 2_501, "fare_from_escrow": 15_000},
        ),
        # refund of the produce, fare delivered but paid by nobody: the farmer's net is 0, so unpaid
        (100_001, 0, 100_001, "delivered", 7_000, {"to_buyer": 100_001, "fare_unpaid": 7_000}),
    ],
)
def test_closing_an_escrow_with_a_fare(
    amount: int,
    fare_paid: int,
    to_buyer: int,
    transport: ledger.Transport,
    fare_due: int,
    expected: dict[str, int],
) -> None:
    plan = ledger.closing(amount, fare_paid, to_buyer, Decimal(5), transport=transport, fare_due=fare_due)
    fields = {k: v for k, v in plan.model_dump().items() if v and k != "produce_to_buyer"}
    assert fields == expected
    # every shilling of the escrow is accounted for, nothing is negative, commission on produce only
    assert amount == plan.to_buyer + plan.farmer_gross + plan.fare_from_escrow + plan.held
    assert min(plan.model_dump().values()) >= 0 and plan.farmer_net >= 0
    assert plan.fee == ledger.commission(plan.farmer_gross, Decimal(5))


def _totals(entries: list[ledger.Entry]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for entry in entries:
        assert sum(p.amount for p in entry.postings) == 0
        for posting in entry.postings:
            totals[posting.account] = totals.get(posting.account, 0) + posting.amount
    return {k: v for k, v in totals.items() if v}


def test_a_fare_from_the_escrow_and_the_farmer_leaves_every_account_but_settled_and_fees_at_zero() -> None:
    plan = ledger.closing(130_000, 10_000, 0, Decimal(5), transport="delivered", fare_due=15_000)
    entries = [
        ledger.payment_received("p", "b", "o", 130_000),
        ledger.payout_scheduled("x", "o", "f", plan.farmer_gross, plan.fee),
        ledger.fare_paid(
            "y", "o", "t", from_escrow=plan.fare_from_escrow, from_farmer=plan.fare_from_farmer, farmer_id="f"
        ),
        ledger.payout_settled("x", "f", plan.farmer_net),
        ledger.payout_settled("y", "t", 15_000, payee="transporter"),
    ]
    assert _totals(entries) == {
        "buyer:b": -130_000,
        ledger.FEES: 6_000,
        "settled:f": 109_000,  # 120 000 - 6 000 commission - 5 000 of the fare
        "settled:t": 15_000,
    }


@pytest.mark.parametrize(
    ("held", "held_from_farmer", "delivered", "fare_due", "expected"),
    [
        (10_000, 5_000, True, 15_000, {"to_transporter": 15_000}),
        (15_000, 0, True, 12_000, {"to_transporter": 12_000, "to_buyer": 3_000}),
        (10_000, 5_000, False, 15_000, {"to_buyer": 10_000, "to_farmer": 5_000}),
        (0, 9_500, True, 12_000, {"to_transporter": 9_500, "fare_unpaid": 2_500}),
    ],
)
def test_a_held_fare_is_settled_when_the_transport_ends(
    held: int, held_from_farmer: int, delivered: bool, fare_due: int, expected: dict[str, int]
) -> None:
    outcome = ledger.fare_outcome(held, held_from_farmer, fare_due, delivered)
    assert {k: v for k, v in outcome.model_dump().items() if v} == expected
    assert outcome.to_transporter + outcome.to_buyer + outcome.to_farmer == held + held_from_farmer
    entries = [
        ledger.payment_received("p", "b", "o", 120_000 + held),
        ledger.payout_scheduled("x", "o", "f", 120_000, 6_000),
        *([ledger.fare_held("p", "o", "f", held_from_farmer)] if held_from_farmer else []),
        *(
            [
                ledger.fare_paid(
                    "y", "o", "t", from_escrow=outcome.to_transporter, from_farmer=0, farmer_id="f"
                )
            ]
            if outcome.to_transporter
            else []
        ),
        *([ledger.fare_released("p", "o", "f", outcome.to_farmer)] if outcome.to_farmer else []),
        *([ledger.refund_requested("p", "o", outcome.to_buyer)] if outcome.to_buyer else []),
    ]
    assert "escrow:o" not in _totals(entries)  # the order's escrow ends at zero
