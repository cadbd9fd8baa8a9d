"""Sharing whole units in proportion to weights, by the largest remainder (Hamilton's method).

``largest_remainder(total, weights)``: each part gets ``floor(total x w / sum(w))``; the units left
over (fewer than the number of parts) go one each to the largest remainders, ties to the earliest
part in the list. The parts add up to ``total`` exactly, and no part exceeds its weight when
``total <= sum(weights)`` (a part's floor is at most its weight, and a part with a remainder is
below its weight). Pure integers: no floats anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("the total and the weights are whole, non-negative numbers")
    whole = sum(weights)
    if total == 0 or not weights:
        return [0] * len(weights)
    if whole == 0:
        raise ValueError("nothing to share by: every weight is 0")
    floors = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(floors)
    # largest remainder first; ties keep the list's order (sorted is stable)
    for index in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        floors[index] += 1
    return floors
