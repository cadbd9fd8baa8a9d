"""SMS at the end of an order, for people on basic phones: the buyer learns until when they may
confirm receipt or dispute (East Africa Time), the farmer without the app that the payment is
released, and both that an order expired; each fits one SMS, in English and in Luganda."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import pytest

from soko.identity.public import UserView
from soko.market import events as orders
from soko.messaging.logic import alerts

ORDER = {
    "order_id": "01JORDER",
    "listing_id": "01JLISTING",
    "buyer_id": "01JBUYER",
    "farmer_id": "01JFARMER",
    "crop": "sweet_potatoes",
    "district": "Gulu",
    "quantity_kg": Decimal("1250.5"),
    "price_per_kg_ugx": 1_000,
    "total_ugx": 1_250_500,
}


def _people(language: Literal["en", "lg"]) -> tuple[UserView, UserView]:
    farmer = UserView(id="01JFARMER", role="farmer", phone="+256772000001", uses_app=False, language=language)
    buyer = UserView(id="01JBUYER", role="buyer", phone="+256772000002", language=language)
    return farmer, buyer


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_end_of_an_order_reaches_basic_phones_in_one_sms(language: Literal["en", "lg"]) -> None:
    farmer, buyer = _people(language)
    delivered = orders.OrderDelivered(
        **ORDER, delivered_at="2026-12-02T08:00:00Z", release_at="2026-12-05T08:00:00Z"
    )
    (to_buyer,) = alerts("OrderDelivered", delivered, None, buyer)
    assert to_buyer.to == buyer.phone and "5 Dec 2026, 11:00 EAT" in to_buyer.message
    assert "1,250,500" in to_buyer.message

    completed = orders.OrderCompleted(**ORDER, completed_at="2026-12-05T08:00:00Z", released_by="window")
    (to_farmer,) = alerts("OrderCompleted", completed, farmer, buyer)
    assert to_farmer.to == farmer.phone

    expired = orders.OrderExpired(**ORDER, reason="unpaid")
    assert {sms.to for sms in alerts("OrderExpired", expired, farmer, buyer)} == {farmer.phone, buyer.phone}

    for sms in (to_buyer, to_farmer, *alerts("OrderExpired", expired, farmer, buyer)):
        assert len(sms.message) <= 160, sms.message


def test_a_farmer_with_the_app_gets_no_sms_of_a_completion() -> None:
    farmer, buyer = _people("en")
    completed = orders.OrderCompleted(**ORDER, completed_at="2026-12-05T08:00:00Z")
    assert alerts("OrderCompleted", completed, farmer.model_copy(update={"uses_app": True}), buyer) == []
