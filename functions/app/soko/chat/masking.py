"""Masking contact details in chat text (pure): phone numbers keep their first digits, emails
their first letter and top-level domain; everything else is unchanged.

**Phone numbers.** A *run* is digits joined by separators: any characters other than letters and
digits (spaces, ``( ) / - . , _ : ; * #``, Unicode dashes, ...), up to five in a row. A run is masked
when any of these holds:

1. it has 9 or more digits and only the usual separators (whitespace, brackets, slash, dot and
   dashes): ``(0772) 123456``, ``+256 (772) 123-456``, ``0 7 7 2 1 2 3 4 5 6``, and also a price
   range in bare digits (``150000-200000``);
2. its digits are exactly a Ugandan number, whatever the separators: ``0`` or ``256`` (``+256``)
   then 9 digits, or a bare mobile ``7`` and 8 digits (``0772,123,456``, ``0772_123_456``,
   ``772,123,456``, ``256*772*123*456``), or it starts with ``+`` and has 9 to 15 digits (another
   country's number);
3. it has 9 or more digits and a part of it (between separators other than a single thousands
   comma) is not an amount: an amount is a number in thousands format (``1,200,000``) or of at most
   8 digits without a leading zero. ``0772, 123, 4567`` and ``5, 0772123456`` are masked.

So prices with thousands commas (``1,200,000``; ``700,000, 800,000``) and lists of small numbers
(``5, 10, 20, 50, 100``) are left alone, and calendar dates (``2026-11-22``, ``22/11/2026``) are
read as dates first: a run does not run on into a date. A run that is masked is masked whole
(``0772••••••``), unless it is a list (items after ``, ``, ``; `` or ``. ``) one of whose items is
a phone number by itself: then only those items are (``0772••••••, 50 kg``).

Trade-offs: a 9-digit amount starting with 7 in thousands format (``772,123,456``) is masked (no
price between a farmer and a buyer is 700 million shillings; a phone number is). Numbers spelt in
words, or with letters for digits (``O772``), are not recognised.

**Emails**: ``name@example.com``, with spaces around ``@`` and ``.``, and written out
(``name (at) example (dot) com``, ``name [at] example [dot] com``, ``name at example dot com``).
"""

from __future__ import annotations

import re

BULLET = "\u2022"
MIN_DIGITS = 9
MAX_DIGITS = 15  # E.164
_KEEP_DIGITS = 4
_MAX_AMOUNT_DIGITS = 8
_USUAL_SEP = re.compile(r"[\s()/.\-\u2010-\u2015]")  # whitespace, brackets, slash, dot, dashes
_ANY_SEP = r"[\W_]"  # anything but letters and digits (Unicode-aware)
_DATE = (
    r"(?<!\d)(?:"
    r"(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"  # 2026-11-22
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\d\d"  # 22/11/2026
    r")(?!\d)"
)
# A date is matched (and kept) before a phone number can start at the same place, and a phone
# number does not run on into a date that follows it.
_LEAD = r"(?:[+(][+(\s]{0,3})?"  # "+", "(", "(+" before the first digit
_CONTACT = re.compile(rf"(?P<date>{_DATE})|(?P<phone>{_LEAD}\d(?:{_ANY_SEP}{{0,5}}(?!{_DATE})\d)*)")
_UGANDAN = re.compile(r"(?:(?:256|0)[2-9]\d{8}|7\d{8})")
_AMOUNT = re.compile(rf"[1-9]\d{{0,2}}(?:,\d{{3}})+|[1-9]\d{{0,{_MAX_AMOUNT_DIGITS - 1}}}|0")
_LIST_BREAK = re.compile(r"([,;.]\s+)")  # between the items of a list: "0772 123 456, 50 kg"
_PART_BREAK = re.compile(r"(?:(?!,\d)[\W_])+|,(?!\d)")  # every separator but a comma before a digit

_LOCAL = r"(?<![A-Za-z0-9._%+\-])([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*"
_LABEL = r"[A-Za-z0-9\-]+"
# name@example.com, also with spaces around the @
_EMAIL = re.compile(rf"{_LOCAL}\s*@\s*{_LABEL}(?:\.{_LABEL})*\.([A-Za-z]{{2,}})\b")
# written out or spaced: "(at)", "[at]", " at ", "(dot)", " dot ", " . ". Ordinary words can look like
# this ("100 kg @ 1200. Ok"), so a written-out address must end in a common top-level domain.
_TLDS = "com|org|net|ug|co|io|info|biz|me|edu|gov|ke|tz|rw|uk|us|africa|app|mail"
_AT = r"(?:\s*@\s*|\s*[(\[{]\s*at\s*[)\]}]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[{]\s*dot\s*[)\]}]\s*|\s+dot\s+)"
_SPELT_EMAIL = re.compile(
    rf"{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}({_TLDS})\b(?![.\-]?[A-Za-z0-9])", re.IGNORECASE
)


def _is_phone(text: str) -> bool:
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_DIGITS:
        return False
    body = text.lstrip("+( ")
    if not any(c for c in body if not c.isdigit() and not _USUAL_SEP.match(c)):
        return True  # rule 1: only the usual separators
    if _UGANDAN.fullmatch(digits) or ("+" in text and len(digits) <= MAX_DIGITS):
        return True  # rule 2
    parts = [p for p in _PART_BREAK.split(body) if p]
    return any(not _AMOUNT.fullmatch(p) or _UGANDAN.fullmatch(p.replace(",", "")) for p in parts)  # rule 3


def _masked(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    plus = "+" if "+" in text else ""
    return plus + digits[:_KEEP_DIGITS] + BULLET * (len(digits) - _KEEP_DIGITS)


def _contact(match: re.Match[str]) -> str:
    """A run masked: the items of a list (``0772 123 456, 50 kg``) one by one when one of them is a
    phone number by itself, so the other numbers stay readable; else the run as a whole
    (``0772, 123, 456`` is one number)."""
    text = match.group(0)
    if match.group("date") is not None:
        return text
    items = _LIST_BREAK.split(text)
    if len(items) > 1 and any(_is_phone(item) for item in items[::2]):
        return "".join(
            _masked(item) if n % 2 == 0 and _is_phone(item) else item for n, item in enumerate(items)
        )
    return _masked(text) if _is_phone(text) else text


def _email(match: re.Match[str]) -> str:
    return f"{match.group(1)}{BULLET * 3}@{BULLET * 3}.{match.group(2)}"


def mask(text: str) -> str:
    """``text`` with phone numbers and emails masked (``+256700123456`` -> ``+2567••••••••``)."""
    return _CONTACT.sub(_contact, _SPELT_EMAIL.sub(_email, _EMAIL.sub(_email, text)))
