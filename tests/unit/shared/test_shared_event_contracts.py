"""ReceivedEvent.parse_any and lenient(): consumers read an event with its producer's contract."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from soko.market.events import OrderCompleted, OrderPlaced
from soko.payments.events import PaymentCompleted
from soko.shared.events import ReceivedEvent, lenient
from support import events

ORDER = events.order_detail("O1")


def received(source: str, detail_type: str, detail: dict[str, Any]) -> ReceivedEvent:
    return ReceivedEvent.model_validate(
        {
            "id": "e1",
            "source": source,
            "detail-type": detail_type,
            "time": "2026-11-21T09:30:00Z",
            "detail": detail,
        }
    )


def test_an_event_is_read_with_the_contract_of_its_source_and_type() -> None:
    event = received("soko.orders", "OrderPlaced", ORDER)
    placed = event.parse_any(OrderCompleted, OrderPlaced)
    assert isinstance(placed, OrderPlaced) and placed.total_ugx == 120000
    assert received("soko.orders", "OrderConfirmed", ORDER).parse_any(OrderCompleted, OrderPlaced) is None
    assert received("soko.elsewhere", "OrderPlaced", ORDER).parse_any(OrderPlaced) is None


@pytest.mark.parametrize(
    "detail",
    [
        {k: v for k, v in ORDER.items() if k != "order_id"},  # a field the contract requires is missing
        {**ORDER, "total_ugx": "a lot"},  # a field of the wrong type
    ],
)
def test_a_detail_that_does_not_fit_its_contract_fails(detail: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        received("soko.orders", "OrderPlaced", detail).parse_any(OrderPlaced)


def test_lenient_reads_what_an_event_names_and_still_checks_its_types() -> None:
    reader = lenient(PaymentCompleted)
    partial = received("soko.payments", "PaymentCompleted", {"payment_id": "p1", "buyer_id": "B1"}).parse_any(
        reader
    )
    assert isinstance(partial, PaymentCompleted)
    assert (partial.buyer_id, partial.farmer_id, partial.amount_ugx) == ("B1", None, None)
    assert lenient(PaymentCompleted) is reader  # built once
    with pytest.raises(ValidationError):
        reader.model_validate({"amount_ugx": "twelve"})
