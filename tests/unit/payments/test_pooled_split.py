"""The money of a pooled order's payout (soko.payments.pooled): the coop's fee half up, the members'
shares by grams with the largest remainder (ties in listed order), every shilling accounted, and the
``coop_split`` ledger entry balancing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soko.payments import pooled


def test_the_fee_rounds_half_up_and_the_rest_is_shared_by_largest_remainder() -> None:
    pay = pooled.split(10_001, Decimal("2.5"), [("a", 1), ("b", 1), ("c", 1)])
    assert pay.fee == 250  # 250.025
    # 9751 / 3 = 3250.33..: floors 3250 each, one shilling left, to the first of the tied remainders
    assert [m.amount for m in pay.members] == [3251, 3250, 3250]
    assert pay.fee + sum(m.amount for m in pay.members) == 10_001


def test_half_a_shilling_of_fee_rounds_up() -> None:
    assert pooled.split(30, Decimal(5), [("a", 1)]).fee == 2  # 1.5 -> 2
    assert pooled.split(29, Decimal(5), [("a", 1)]).fee == 1  # 1.45 -> 1


def test_the_largest_fraction_gets_the_shilling_left_whatever_the_order() -> None:
    pay = pooled.split(100, Decimal(0), [("small", 1), ("big", 2)])  # 33.33 and 66.67
    assert [(m.member_id, m.amount) for m in pay.members] == [("small", 33), ("big", 67)]


def test_a_zero_fee_and_zero_net() -> None:
    assert pooled.split(0, Decimal(10), [("a", 5), ("b", 5)]).members[1].amount == 0
    assert pooled.split(7, Decimal(0), [("a", 5)]).fee == 0


@pytest.mark.parametrize("shares", [[], [("a", 0)], [("a", 5), ("b", -5)]])
def test_shares_without_grams_are_refused(shares: list[tuple[str, int]]) -> None:
    with pytest.raises(ValueError, match="grams"):
        pooled.split(100, Decimal(1), shares)


@given(
    net=st.integers(min_value=0, max_value=10**9),
    fee_percent=st.decimals(min_value=0, max_value=50, places=2),
    grams=st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=15),
)
def test_every_shilling_is_accounted_and_no_share_is_off_by_more_than_one(
    net: int, fee_percent: Decimal, grams: list[int]
) -> None:
    shares = [(f"m{i}", g) for i, g in enumerate(grams)]
    pay = pooled.split(net, fee_percent, shares)
    assert pay.fee + sum(m.amount for m in pay.members) == net
    pool = net - pay.fee
    for member in pay.members:
        exact = Decimal(pool) * member.grams / sum(grams)
        assert abs(member.amount - exact) < 1
    entry = pooled.split_entry("R", "manager", "manager", pay)
    if entry is not None:
        assert sum(p.amount for p in entry.postings) == 0


def test_the_split_entry_moves_the_members_and_a_foreign_fee_out_of_the_manager() -> None:
    pay = pooled.split(1_000, Decimal(10), [("manager", 1), ("m1", 1), ("m2", 2)])
    assert (pay.fee, [m.amount for m in pay.members]) == (100, [225, 225, 450])
    own = pooled.split_entry("R", "manager", "manager", pay)
    assert own is not None and {p.account: p.amount for p in own.postings} == {
        "farmer:m1": 225,
        "farmer:m2": 450,
        "farmer:manager": -675,  # the manager keeps their share and the fee
    }
    other = pooled.split_entry("R", "manager", "treasurer", pay)
    assert other is not None and {p.account: p.amount for p in other.postings} == {
        "farmer:m1": 225,
        "farmer:m2": 450,
        "farmer:treasurer": 100,
        "farmer:manager": -775,
    }
    alone = pooled.split(50, Decimal(0), [("manager", 3)])
    assert pooled.split_entry("R", "manager", "manager", alone) is None
