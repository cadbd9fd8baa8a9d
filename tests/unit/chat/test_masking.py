"""Masking as an attacker would try it: every Ugandan number form with every separator is masked
(none of its last digits survive), amounts and dates are not, and no input makes the patterns
backtrack for long (the text is up to 2,000 characters of anyone's choosing)."""

from __future__ import annotations

import itertools
import re
import time

import pytest

from soko.chat.masking import BULLET, mask
from soko.chat.models import MAX_TEXT

SEPARATORS = [
    " ",
    "-",
    ".",
    "/",
    ",",
    "_",
    ", ",
    " - ",
    ";",
    ":",
    "*",
    "#",
    "|",
    "~",
    "\u2013",
    "  ",
    "\n",
    "'",
    '"',
]
FORMS = [
    "0772{s}123{s}456",
    "+256{s}772{s}123{s}456",
    "256{s}772{s}123{s}456",
    "772{s}123{s}456",
    "07{s}72{s}12{s}34{s}56",
]


@pytest.mark.parametrize(("form", "sep"), list(itertools.product(FORMS, SEPARATORS)))
def test_a_ugandan_number_is_masked_whatever_separates_its_digits(form: str, sep: str) -> None:
    text = f"call me on {form.format(s=sep)} today"
    masked = mask(text)
    assert BULLET in masked, text
    assert "456" not in masked and "3456" not in re.sub(r"\D", "", masked), (text, masked)
    assert masked.startswith("call me on ") and masked.endswith(" today")


@pytest.mark.parametrize(
    "text",
    [
        "UGX 1,200,000 for 2,500 kg",
        "700,000, 800,000 or 900,000",
        "5, 10, 20, 50, 100, 200, 500 kg bags",
        "delivery 14:30 - 16:45, 20/11",
        "2026-11-22, 2026-11-29 and 2026-12-06",
        "grade 1-2, 50-60 kg, 3 x 100 kg",
        "100 kg @ 1200. Ok",
        "I am at home. Come at 5",
    ],
)
def test_amounts_dates_and_plain_words_are_left_alone(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "a" + " at b" * 400,
        "a@" + "b. " * 700,
        "a" + " dot b" * 400,
        "x (at) " * 300,
        "0," * 1000,
        "1 " * 1000,
        "-" * MAX_TEXT,
        "0" + "_" * 5 + "1" * 5 + "_" * 1900,
        "a@b" + " . c" * 500,
        ("0772" + ", " * 3) * 200,
    ],
)
def test_no_input_makes_masking_slow(text: str) -> None:
    text = text[:MAX_TEXT]
    started = time.perf_counter()
    mask(text)
    assert time.perf_counter() - started < 0.5
