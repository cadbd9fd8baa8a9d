"""The allocation rule: largest remainder, shares add up exactly, no commitment over-drawn, ties to
the earliest commitment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from soko.coops.allocation import largest_remainder
from soko.coops.logic import PoolShort, split


def test_an_even_split_is_exact() -> None:
    assert largest_remainder(2_000_000, [400_000] * 5) == [400_000] * 5


def test_the_units_left_go_to_the_largest_remainders() -> None:
    # 10 by 1:1:1 -> 3.33 each; one unit left goes to the earliest (all remainders tie)
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    # 7 by 5:3:2 -> 3.5, 2.1, 1.4: floors 3, 2, 1 and one left for the largest remainder (0.5)
    assert largest_remainder(7, [5, 3, 2]) == [4, 2, 1]


def test_ties_go_to_the_earliest_in_the_list() -> None:
    assert largest_remainder(1, [3, 3, 3]) == [1, 0, 0]
    assert largest_remainder(2, [3, 3, 3]) == [1, 1, 0]


def test_awkward_numbers_add_up_to_the_gram() -> None:
    weights = [333_333, 416_667, 250_001, 599_999, 400_000]
    shares = largest_remainder(1_234_567, weights)
    assert sum(shares) == 1_234_567
    assert all(s <= w for s, w in zip(shares, weights, strict=True))


@given(
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=45).filter(
        lambda w: sum(w) > 0
    ),
    fraction=st.fractions(min_value=0, max_value=1),
)
def test_shares_always_add_up_and_stay_within_each_weight(weights: list[int], fraction: object) -> None:
    total = int(sum(weights) * fraction)  # type: ignore[operator]
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))
    exact = [total * w / sum(weights) for w in weights]
    assert all(abs(s - e) < 1 for s, e in zip(shares, exact, strict=True))  # within one unit of exact


def test_the_split_draws_on_what_each_commitment_has_left() -> None:
    commitments = [
        {"quantity_g": 500_000, "allocated_g": 400_000},  # 100 kg left
        {"quantity_g": 300_000, "allocated_g": 0},  # 300 kg left
    ]
    assert split(200_000, commitments) == [50_000, 150_000]


def test_an_order_larger_than_the_pool_is_refused() -> None:
    with pytest.raises(PoolShort):
        split(500_001, [{"quantity_g": 500_000, "allocated_g": 0}])


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        largest_remainder(-1, [1])
    with pytest.raises(ValueError):
        largest_remainder(1, [0, 0])
    assert largest_remainder(0, [0, 0]) == [0, 0]
