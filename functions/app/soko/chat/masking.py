"""Masking contact details in chat text (pure): phone numbers keep their first digits, emails
their first letter and top-level domain; everything else is unchanged.

A phone number is any run of 9 or more digits, whatever the separators between them: spaces,
``( ) / - .`` and dashes, up to five in a row (``(0772) 123456``, ``+256 (772) 123-456``,
``0772 - 123 - 456``, ``0772/123/456``, ``0 7 7 2 1 2 3 4 5 6``). Commas are not separators, so
prices written with thousands commas (``1,200,000``) never join up, and calendar dates
(``2026-11-22``, ``22/11/2026``) are read as dates first. A price range in bare digits of 9 or more
(``150000-200000``) is masked; written ``150,000-200,000`` it is not.
"""

from __future__ import annotations

import re

BULLET = "\u2022"
MIN_DIGITS = 9
_KEEP_DIGITS = 4
_SEP = r"[\s()/.\-\u2010-\u2015]"  # whitespace, brackets, slash, dot, ASCII and Unicode dashes
_DATE = (
    r"(?<!\d)(?:"
    r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"  # 2026-11-22
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d\d"  # 22/11/2026
    r")(?!\d)"
)
# A date is matched (and kept) before a phone number can start at the same place, and a phone
# number does not run on into a date that follows it.
_LEAD = r"(?:[+(][+(\s]{0,3})?"  # "+", "(", "(+" before the first digit
_CONTACT = re.compile(rf"(?P<date>{_DATE})|(?P<phone>{_LEAD}\d(?:{_SEP}{{0,5}}(?!{_DATE})\d)*)")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@[A-Za-z0-9.\-]+\.([A-Za-z]{2,})\b")


def _contact(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("date") is not None:
        return text
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_DIGITS:
        return text
    plus = "+" if "+" in text else ""
    return plus + digits[:_KEEP_DIGITS] + BULLET * (len(digits) - _KEEP_DIGITS)


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1)}{BULLET * 3}@{BULLET * 3}.{match.group(2)}"


def mask(text: str) -> str:
    """``text`` with phone numbers and emails masked (``+256700123456`` -> ``+2567••••••••``)."""
    return _CONTACT.sub(_contact, _EMAIL.sub(_email, text))
