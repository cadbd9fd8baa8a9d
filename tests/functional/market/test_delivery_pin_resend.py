"""POST /orders/{id}/delivery-pin/resend in-process: the buyer gets a new PIN by SMS (the old one stops
working), at most 3 times per order; the farmer is refused, a stranger learns nothing, a locked PIN
or an order that is not paid and on its way is not resent."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from market_support import Market, MarketTable

from soko.market.api import orders_delivery_pin_resend as resend_api
from soko.market.consumers import payments as payments_consumer
from soko.providers.http import ProviderError
from support.gateway import Api
from support.users import User, new_user

BUYER_PHONE = "+256772000666"
_real_send = resend_api._send  # before any test replaces it


@pytest.fixture
def texts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """SMS sent by the payments consumer (the first PIN) and by the resend endpoint."""
    sent: list[tuple[str, str]] = []
    for module in (payments_consumer, resend_api):
        monkeypatch.setattr(module, "_contact", lambda user_id: (BUYER_PHONE, "en"))
        monkeypatch.setattr(module, "_send", lambda to, message: sent.append((to, message)))
    return sent


@pytest.fixture
def order(market: Market, farmer: User, buyer: User) -> dict[str, Any]:
    listing = market.listing(farmer, kg="100", price=1500, crop="matooke", district="Masaka")
    return market.order(buyer, listing["id"], "30")


def pin_of(texts: list[tuple[str, str]]) -> str:
    found = re.search(r"\b([0-9]{6})\b", texts[-1][1])
    assert found is not None, texts
    return found.group(1)


def other_than(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def resend_path(order_id: str) -> str:
    return f"/orders/{order_id}/delivery-pin/resend"


def test_a_resent_pin_replaces_the_old_one(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    texts: list[tuple[str, str]],
) -> None:
    oid = order["id"]
    market.move(oid, farmer, "confirmed").expect(200)
    market.pay(oid)
    old = pin_of(texts)
    old_hash = market_table.item(f"ORDER#{oid}", "ORDER")["pin_hash"]  # type: ignore[index]

    reply = api.post(resend_path(oid), user=buyer).expect(200).json

    assert reply == {"order_id": oid, "resends_left": 2}
    assert len(texts) == 2 and texts[-1][0] == BUYER_PHONE
    new = pin_of(texts)
    item = market_table.item(f"ORDER#{oid}", "ORDER")
    assert item is not None and item["pin_hash"] != old_hash and item["pin_resends"] == 1
    assert new not in json.dumps(item, default=str)
    market.move(oid, farmer, "dispatched").expect(200)
    if new != old:  # (one in a million they are the same)
        api.post(f"/orders/{oid}/delivery-pin", {"pin": old}, user=farmer).expect(403, "WRONG_DELIVERY_PIN")
    done = api.post(f"/orders/{oid}/delivery-pin", {"pin": new}, user=farmer).expect(200).json
    assert (done["status"], done["released_by"]) == ("completed", "pin")
    api.post(resend_path(oid), user=buyer).expect(409, "DELIVERY_PIN_NOT_RESENDABLE")  # completed


def test_at_most_three_resends_and_only_for_the_buyer(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    texts: list[tuple[str, str]],
) -> None:
    oid = order["id"]
    market.move(oid, farmer, "confirmed").expect(200)
    api.post(resend_path(oid), user=buyer).expect(409, "DELIVERY_PIN_NOT_RESENDABLE")  # not paid yet
    market.pay(oid)
    with market_table.unchanged():
        api.post(resend_path(oid), user=farmer).expect(403, "FORBIDDEN")
        api.post(resend_path(oid), user=new_user("buyer")).expect(404, "ORDER_NOT_FOUND")
        api.post(resend_path("01JD0000000000000000000099"), user=buyer).expect(404, "ORDER_NOT_FOUND")
        api.post(resend_path(oid)).expect(401)
    for left in (2, 1, 0):
        assert api.post(resend_path(oid), user=buyer).expect(200).json["resends_left"] == left
    with market_table.unchanged():
        refused = api.post(resend_path(oid), user=buyer).expect(409, "DELIVERY_PIN_RESENDS_USED_UP")
    assert refused.error["details"] == {"max_resends": 3}
    assert len(texts) == 4  # the first PIN and three resends, no more
    market.move(oid, farmer, "delivered").expect(200)
    api.post(f"/orders/{oid}/delivery-pin", {"pin": pin_of(texts)}, user=farmer).expect(200)


def test_a_locked_pin_is_not_resent(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    texts: list[tuple[str, str]],
) -> None:
    oid = order["id"]
    market.deliver(oid, farmer)
    wrong = other_than(pin_of(texts))
    for _ in range(5):
        api.post(f"/orders/{oid}/delivery-pin", {"pin": wrong}, user=farmer).expect(403, "WRONG_DELIVERY_PIN")
    with market_table.unchanged():
        api.post(resend_path(oid), user=buyer).expect(409, "DELIVERY_PIN_LOCKED")
    assert len(texts) == 1


def test_an_sms_that_could_not_be_sent_is_a_503_and_does_not_use_up_a_resend(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    texts: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    oid = order["id"]
    market.deliver(oid, farmer)

    class Down:
        def send_one(self, to: str, message: str) -> str:
            raise ProviderError("Africa's Talking answered HTTP 502")

    monkeypatch.setattr("soko.providers.sms.configured_sender", Down)
    monkeypatch.setattr(resend_api, "_send", _real_send)  # the real path to the provider, which is down
    api.post(resend_path(oid), user=buyer).expect(503, "DEPENDENCY_UNAVAILABLE")
    item = market_table.item(f"ORDER#{oid}", "ORDER")
    assert item is not None and int(item.get("pin_resends", 0)) == 0
    monkeypatch.setattr(resend_api, "_send", lambda to, message: texts.append((to, message)))
    assert api.post(resend_path(oid), user=buyer).expect(200).json["resends_left"] == 2
    api.post(f"/orders/{oid}/delivery-pin", {"pin": pin_of(texts)}, user=farmer).expect(200)
