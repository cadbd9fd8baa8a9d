"""Opaque, validated pagination cursors.

A cursor wraps DynamoDB's ``LastEvaluatedKey`` together with the *scope* of the list it came
from (for example ``listings:district=Gulu``). Decoding checks the version, the scope and the
exact key attributes and their types, so a tampered, truncated or foreign cursor is a 400, never a
500 and never a way to read outside the list the caller asked for (the query's partition key
still bounds what is returned).
"""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from soko.shared.errors import InvalidCursor

__all__ = ["InvalidCursor", "decode", "encode"]

_VERSION = 1
_MAX_LENGTH = 12 * 1024  # base64 of the largest legal table + index keys (2 x (2048 + 1024) bytes)

type Key = dict[str, str | Decimal]


def encode(key: Key, *, scope: str) -> str:
    """Encode a DynamoDB key (string and number attributes) as an opaque cursor."""
    typed = {
        name: ["n", str(value)] if isinstance(value, int | Decimal) else ["s", value]
        for name, value in sorted(key.items())
    }
    raw = json.dumps({"v": _VERSION, "s": scope, "k": typed}, separators=(",", ":"), ensure_ascii=False)
    token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    if len(token) > _MAX_LENGTH:
        raise ValueError("a DynamoDB key this large cannot be a cursor")
    return token


def decode(
    cursor: str,
    *,
    scope: str,
    key_names: frozenset[str] | set[str],
    numeric_keys: frozenset[str] | None = None,
) -> Key:
    """Decode ``cursor`` for the list identified by ``scope``; raise :class:`InvalidCursor`.

    ``numeric_keys``: the key attributes that are numbers in the table's schema (every other one
    is a string). Given, the types are checked too, so a doctored cursor is refused here rather than
    by DynamoDB; None accepts either type.
    """
    invalid = InvalidCursor(
        "The cursor is not valid for this list. Start again without a cursor.",
        details={"field": "cursor"},
    )
    if not cursor or len(cursor) > _MAX_LENGTH:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        raise invalid from None
    if not isinstance(payload, dict) or payload.get("v") != _VERSION or payload.get("s") != scope:
        raise invalid
    typed = payload.get("k")
    if not isinstance(typed, dict) or set(typed) != set(key_names):
        raise invalid
    key = {name: _value(pair, invalid) for name, pair in typed.items()}
    if numeric_keys is not None:
        for name, value in key.items():
            if isinstance(value, Decimal) != (name in numeric_keys):
                raise invalid
    return key


def _value(pair: Any, invalid: InvalidCursor) -> str | Decimal:
    match pair:
        case ["s", str(text)] if text:
            return text
        case ["n", str(number)]:
            try:
                value = Decimal(number)
            except InvalidOperation:
                raise invalid from None
            if not value.is_finite():
                raise invalid
            return value
    raise invalid
