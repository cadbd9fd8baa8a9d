"""Phone numbers in E.164. A local Ugandan form (07XX..., 7XX..., 2567XX...) is read as +256."""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_UGANDA = re.compile(r"^\+256[1-9]\d{8}$")
# What a client may send (documented in the API schemas): digits, an optional + and the separators
# ``normalize`` drops. Everything it accepts matches; the E.164 and Uganda rules come on top.
SCHEMA_PATTERN = r"^[0-9+\s().-]*$"


def normalize(raw: str) -> str:
    """The E.164 form of ``raw``; raises ValueError with a reason a person understands."""
    text = re.sub(r"[\s\-().]", "", raw or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("0") and len(text) == 10:
        text = "+256" + text[1:]
    elif text.startswith("256") and len(text) == 12:
        text = "+" + text
    elif text.startswith("7") and len(text) == 9:
        text = "+256" + text
    if not _E164.match(text):
        raise ValueError("Enter a phone number like +256700123456 or 0700123456.")
    if text.startswith("+256") and not _UGANDA.match(text):
        raise ValueError("A Ugandan number has 9 digits after +256 (for example +256700123456).")
    return text


def mask(phone: str) -> str:
    """+256700123456 -> +2567••••••56 (for logs and other users' eyes)."""
    return phone[:5] + "•" * max(0, len(phone) - 7) + phone[-2:] if len(phone) > 7 else "•••"
