"""soko.shared.cursor: opaque cursors that decode only for the list and key shape they came from."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from soko.shared import cursor
from soko.shared.errors import BadRequest, InvalidCursor

SCOPE = "listings:district=Gulu"
KEYS = frozenset({"pk", "sk"})


def forge(payload: Any) -> str:
    """A cursor with arbitrary content, encoded the way real cursors are."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def valid_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"v": 1, "s": SCOPE, "k": {"pk": ["s", "DISTRICT#Gulu"], "sk": ["n", "42"]}}
    payload.update(overrides)
    return payload


def assert_invalid(token: str, *, scope: str = SCOPE, key_names: frozenset[str] = KEYS) -> None:
    with pytest.raises(InvalidCursor) as raised:
        cursor.decode(token, scope=scope, key_names=key_names)
    assert raised.value.status == 400
    assert raised.value.code == "INVALID_CURSOR"
    assert isinstance(raised.value, BadRequest)
    assert raised.value.details == {"field": "cursor"}


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ({"pk": "DISTRICT#Gulu", "sk": "LISTING#01HZX"}, {"pk": "DISTRICT#Gulu", "sk": "LISTING#01HZX"}),
        ({"pk": "DISTRICT#Gulu", "sk": 42}, {"pk": "DISTRICT#Gulu", "sk": Decimal(42)}),
        (
            {"pk": "DISTRICT#Gulu", "sk": Decimal("1234.50")},
            {"pk": "DISTRICT#Gulu", "sk": Decimal("1234.50")},
        ),
        ({"pk": "DISTRICT#Gulu", "sk": -7}, {"pk": "DISTRICT#Gulu", "sk": Decimal(-7)}),
        ({"pk": "MKOA#Mbarara ✓ ñ", "sk": "ጤፍ/teff"}, {"pk": "MKOA#Mbarara ✓ ñ", "sk": "ጤፍ/teff"}),
    ],
)
def test_round_trip(key: dict[str, Any], expected: dict[str, Any]) -> None:
    token = cursor.encode(key, scope=SCOPE)

    assert cursor.decode(token, scope=SCOPE, key_names=KEYS) == expected


def test_numbers_come_back_as_decimal_and_strings_as_str() -> None:
    decoded = cursor.decode(cursor.encode({"pk": "7", "sk": 7}, scope=SCOPE), scope=SCOPE, key_names=KEYS)

    assert decoded["pk"] == "7"
    assert isinstance(decoded["pk"], str)
    assert isinstance(decoded["sk"], Decimal)


def test_round_trip_with_index_keys() -> None:
    key = {"pk": "LISTING#1", "sk": "META", "gsi1pk": "CROP#maize", "gsi1sk": 1700000000}
    names = frozenset(key)

    decoded = cursor.decode(
        cursor.encode(key, scope="listings:crop=maize"), scope="listings:crop=maize", key_names=names
    )

    assert decoded == {**key, "gsi1sk": Decimal(1700000000)}


def test_cursor_is_opaque_and_url_safe() -> None:
    token = cursor.encode({"pk": "DISTRICT#Gulu", "sk": "a/b+c?d=e"}, scope=SCOPE)

    assert not set(token) & set("+/=?&# ")
    assert "DISTRICT" not in token


def test_encoding_is_deterministic_regardless_of_key_order() -> None:
    assert cursor.encode({"pk": "a", "sk": "b"}, scope=SCOPE) == cursor.encode(
        {"sk": "b", "pk": "a"}, scope=SCOPE
    )


def test_forged_payload_helper_matches_the_real_encoding() -> None:
    # The negative tests below forge payloads; prove the forger makes cursors the decoder accepts.
    assert cursor.decode(forge(valid_payload()), scope=SCOPE, key_names=KEYS) == {
        "pk": "DISTRICT#Gulu",
        "sk": Decimal(42),
    }


# --- tampered, truncated, foreign ---------------------------------------------------------------


def _real() -> str:
    return cursor.encode({"pk": "DISTRICT#Gulu", "sk": "LISTING#01HZXABCDEF"}, scope=SCOPE)


def _flip(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("not-a-cursor", id="plain-text"),
        pytest.param(_real()[:-6], id="truncated-end"),
        pytest.param(_real()[: len(_real()) // 2], id="truncated-half"),
        pytest.param(_real()[1:], id="first-char-dropped"),
        pytest.param(_flip(_real(), 5), id="flipped-in-header"),
        pytest.param(_flip(_real(), len(_real()) // 2), id="flipped-in-middle"),
        pytest.param(_real() + "é", id="non-ascii-appended"),
        pytest.param("AAAA" + _real(), id="junk-prefix"),
        pytest.param(base64.urlsafe_b64encode(b"\xff\xfe\xfd\xfc").decode(), id="not-utf8"),
        pytest.param(base64.urlsafe_b64encode(b"{'v': 1}").decode(), id="not-json"),
        pytest.param(forge([1, SCOPE, {}]), id="json-list"),
        pytest.param(forge("cursor"), id="json-string"),
        pytest.param(forge(None), id="json-null"),
        pytest.param(base64.urlsafe_b64encode(b"[" * 1500).decode(), id="deeply-nested"),
    ],
)
def test_tampered_or_truncated_cursor_is_rejected(token: str) -> None:
    assert_invalid(token)


def test_cursor_from_another_list_is_rejected() -> None:
    foreign = cursor.encode({"pk": "DISTRICT#Mbale", "sk": "LISTING#1"}, scope="listings:district=Mbale")

    assert_invalid(foreign, scope="listings:district=Gulu")


def test_cursor_from_a_filtered_variant_of_the_same_list_is_rejected() -> None:
    token = cursor.encode(
        {"pk": "DISTRICT#Gulu", "sk": "LISTING#1"}, scope="listings:district=Gulu:crop=maize"
    )

    assert_invalid(token, scope="listings:district=Gulu")


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(valid_payload(v=2), id="future-version"),
        pytest.param(valid_payload(v=0), id="old-version"),
        pytest.param(valid_payload(v="1"), id="version-as-string"),
        pytest.param({k: v for k, v in valid_payload().items() if k != "v"}, id="no-version"),
        pytest.param({k: v for k, v in valid_payload().items() if k != "s"}, id="no-scope"),
        pytest.param(valid_payload(s=None), id="null-scope"),
        pytest.param({k: v for k, v in valid_payload().items() if k != "k"}, id="no-key"),
        pytest.param(valid_payload(k=[["s", "a"], ["s", "b"]]), id="key-not-an-object"),
        pytest.param(valid_payload(k={"pk": ["s", "DISTRICT#Gulu"]}), id="missing-key-name"),
        pytest.param(
            valid_payload(k={"pk": ["s", "a"], "sk": ["s", "b"], "gsi1pk": ["s", "c"]}), id="extra-key-name"
        ),
        pytest.param(valid_payload(k={"pk": ["s", "a"], "SK": ["s", "b"]}), id="renamed-key"),
        pytest.param(valid_payload(k={}), id="empty-key"),
    ],
)
def test_wrong_envelope_or_key_names_are_rejected(payload: Any) -> None:
    assert_invalid(forge(payload))


@pytest.mark.parametrize(
    "pair",
    [
        pytest.param(["x", "LISTING#1"], id="unknown-tag"),
        pytest.param(["S", "LISTING#1"], id="dynamodb-style-tag"),
        pytest.param(["s", 5], id="string-tag-with-number"),
        pytest.param(["s", ""], id="empty-string"),
        pytest.param(["s", None], id="string-tag-with-null"),
        pytest.param(["n", 5], id="number-not-as-text"),
        pytest.param(["n", "five"], id="number-not-numeric"),
        pytest.param(["n", ""], id="number-empty"),
        pytest.param(["n", "NaN"], id="nan"),
        pytest.param(["n", "sNaN"], id="signalling-nan"),
        pytest.param(["n", "Infinity"], id="infinity"),
        pytest.param(["n", "-Infinity"], id="minus-infinity"),
        pytest.param(["n", "inf"], id="inf"),
        pytest.param(["s", "a", "extra"], id="three-elements"),
        pytest.param(["s"], id="one-element"),
        pytest.param("LISTING#1", id="bare-string"),
        pytest.param({"S": "LISTING#1"}, id="dynamodb-json"),
        pytest.param(None, id="null"),
    ],
)
def test_wrong_value_types_are_rejected(pair: Any) -> None:
    assert_invalid(forge(valid_payload(k={"pk": ["s", "DISTRICT#Gulu"], "sk": pair})))


def test_over_long_cursor_is_rejected_even_when_otherwise_valid() -> None:
    limit = cursor._MAX_LENGTH
    near = forge(valid_payload(k={"pk": ["s", "DISTRICT#Gulu"], "sk": ["s", "x" * (limit // 2)]}))
    over = forge(valid_payload(k={"pk": ["s", "DISTRICT#Gulu"], "sk": ["s", "x" * limit]}))
    assert len(near) <= limit < len(over)

    assert cursor.decode(near, scope=SCOPE, key_names=KEYS)["sk"] == "x" * (limit // 2)
    assert_invalid(over)


def test_huge_cursor_is_rejected() -> None:
    assert_invalid("A" * 1_000_000)


def test_cursor_for_any_legal_dynamodb_key_round_trips() -> None:
    sort_key = "LISTING#" + "ጤ" * 330  # an Amharic title: 998 bytes of UTF-8, within the 1024-byte limit
    assert len(sort_key.encode()) <= 1024
    key = {"pk": "DISTRICT#Gulu", "sk": sort_key}

    assert cursor.decode(cursor.encode(key, scope=SCOPE), scope=SCOPE, key_names=KEYS) == key
