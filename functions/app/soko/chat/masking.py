"""Masking contact details in chat text (pure): phone numbers keep their first digits, emails
their first letter and top-level domain; everything else is unchanged."""

from __future__ import annotations

import re

BULLET = "\u2022"
# 9 or more digits, optionally with a leading + and single spaces, dots or dashes between them.
_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[ .\-]?\d){8,14}(?!\w)")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*@[A-Za-z0-9.\-]+\.([A-Za-z]{2,})\b")
_KEEP_DIGITS = 4


def _phone(match: re.Match[str]) -> str:
    compact = re.sub(r"[ .\-]", "", match.group(0))
    keep = _KEEP_DIGITS + (1 if compact.startswith("+") else 0)
    return compact[:keep] + BULLET * (len(compact) - keep)


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1)}{BULLET * 3}@{BULLET * 3}.{match.group(2)}"


def mask(text: str) -> str:
    """``text`` with phone numbers and emails masked (``+256700123456`` -> ``+2567••••••••``)."""
    return _PHONE.sub(_phone, _EMAIL.sub(_email, text))
