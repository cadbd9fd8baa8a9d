"""The small shared helpers: soko.shared.ids (ULIDs), clock, phone (E.164) and outbox items."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from soko.shared import clock, ids, outbox, phone
from soko.shared.events import EventDetail


class PaymentReceived(EventDetail):
    SOURCE = "soko.payments"
    DETAIL_TYPE = "PaymentReceived"

    payment_id: str


# --- ids ------------------------------------------------------------------------------------------------


def test_ulid_shape() -> None:
    value = ids.ulid()

    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", value)
    assert ids.is_ulid(value)


def test_ulids_sort_by_time_and_are_unique() -> None:
    earlier, later = ids.ulid(1_700_000_000_000), ids.ulid(1_700_000_000_001)

    assert earlier < later
    assert len({ids.ulid(1_700_000_000_000) for _ in range(200)}) == 200


@pytest.mark.parametrize("now_ms", [0, 1, 2**48 - 1])
def test_ulid_time_range(now_ms: int) -> None:
    assert ids.is_ulid(ids.ulid(now_ms))


@pytest.mark.parametrize(
    "text",
    ["", "0" * 25, "0" * 27, "8" + "0" * 25, "0" * 25 + "I", "0" * 25 + "u", "01JNK4S5D3QZ8V6Y0F2M7XW9T!"],
)
def test_is_ulid_rejects(text: str) -> None:
    assert not ids.is_ulid(text)


# --- clock ----------------------------------------------------------------------------------------------


def test_clock_is_utc_to_the_second() -> None:
    now = clock.now()

    assert now.tzinfo == UTC
    assert now.microsecond == 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", clock.now_iso())


def test_iso_converts_to_utc() -> None:
    kampala = timezone(timedelta(hours=3))

    assert clock.iso(datetime(2025, 3, 1, 13, 0, 0, 999_999, tzinfo=kampala)) == "2025-03-01T10:00:00Z"


# --- phone ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "+256700123456",
        "0700123456",
        "0700 123 456",
        "(0700) 123-456",
        "256700123456",
        "700123456",
        "00256700123456",
        "+256.700.123.456",
    ],
)
def test_ugandan_forms_normalise_to_e164(raw: str) -> None:
    assert phone.normalize(raw) == "+256700123456"


@pytest.mark.parametrize("raw", ["+254712345678", "+16505550100"])
def test_other_countries_are_kept(raw: str) -> None:
    assert phone.normalize(raw) == raw


@pytest.mark.parametrize(
    "raw",
    ["", "abc", "0700-12345", "+25670012345", "+2567001234567", "+2560700123456", "+0700123456", "12", "+1"],
)
def test_invalid_numbers_raise_a_readable_value_error(raw: str) -> None:
    with pytest.raises(ValueError, match=r"\+256700123456"):
        phone.normalize(raw)


def test_mask_hides_the_middle() -> None:
    masked = phone.mask("+256700123456")

    assert masked.startswith("+2567")
    assert masked.endswith("56")
    assert "0012345" not in masked
    assert len(masked) == len("+256700123456")
    assert phone.mask("+1234") == "•••"


# --- outbox ---------------------------------------------------------------------------------------------


def test_outbox_item_carries_the_serialised_event() -> None:
    event = PaymentReceived(payment_id="P1")

    item = outbox.item(event)

    assert item["pk"] == f"OUTBOX#{event.event_id}"
    assert item["sk"] == "EVENT"
    assert (item["source"], item["detail_type"]) == ("soko.payments", "PaymentReceived")
    detail = json.loads(item["detail"])
    assert detail["payment_id"] == "P1"
    assert detail["event_id"] == event.event_id
    assert 0 < item["expires_at"] - clock.epoch() <= outbox.TTL_SECONDS


def test_outbox_put_never_overwrites() -> None:
    put = outbox.put("soko-payments", PaymentReceived(payment_id="P1"))["Put"]

    assert put["TableName"] == "soko-payments"
    assert put["ConditionExpression"] == "attribute_not_exists(pk)"
    assert put["Item"]["pk"].startswith(outbox.PK_PREFIX)
