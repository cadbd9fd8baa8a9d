"""UssdFunction end to end in-process: every menu path, junk input, PIN lockout, retries, the
182-character limit in both languages, and the URL token."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import FUNCTION, Handset, Screen, url_event

from soko.identity.public import hash_secret
from soko.market.dal import MarketDal
from soko.market.logic import Market, change_status, create_listing, list_orders, place_order
from soko.market.models import PAID, ListingCreate, MarketConfig, OrderCreate, StatusChange
from soko.shared.config import load
from soko.shared.identity import Caller
from soko.ussd.logic import _NoImages
from soko.ussd.texts import MAX_SCREEN

PHONE = "+256772000111"
PIN = "2468"

MakeHandset = Callable[[str], Handset]


def register(phone: MakeHandset, number: str = PHONE, name: str = "Akello Grace", pin: str = PIN) -> Handset:
    h = phone(number)
    screen = h.dial("5", name, "Gulu", pin, pin)
    assert screen.ended and f"Soko, {name}!" in screen.text, screen.text
    return h


def market_deps() -> Market:
    config = load(MarketConfig)
    return Market(config=config, dal=MarketDal(config.market_table_name), media=_NoImages())


def farmer_id(users_table: Any, number: str = PHONE) -> str:
    return str(users_table.get_item(Key={"pk": f"PHONE#{number}", "sk": "PHONE"})["Item"]["user_id"])


# ---------------------------------------------------------------------------- the URL token
def test_without_the_token_the_answer_is_403(invoke: Any, token: str) -> None:
    form = {"sessionId": "s1", "phoneNumber": PHONE, "text": ""}
    for presented in (None, "", "wrong", token + "x"):
        result = invoke(FUNCTION, url_event(form, presented))
        assert result["statusCode"] == 403
        assert "CON" not in result["body"]
    assert invoke(FUNCTION, url_event(form, token))["statusCode"] == 200


def test_the_sample_event_is_refused_for_its_token(invoke: Any) -> None:
    event = json.loads((Path(__file__).parents[3] / "events" / "UssdFunction.json").read_text())
    assert invoke(FUNCTION, event)["statusCode"] == 403


# ---------------------------------------------------------------------------- 1. prices
def test_check_prices_1_1_1_ends_with_a_four_week_forecast(handset: MakeHandset, seed_prices: Any) -> None:
    seed_prices("Kisenyi_Kampala", "maize_grain", 1000)
    h = handset(PHONE)
    main = h.send("")
    assert main.text.startswith("CON Soko\n1 Check prices")
    assert "1 Maize" in h.send("1").text
    assert "1 Kampala" in h.send("1*1").text
    end = h.send("1*1*1")
    assert end.ended and end.text.startswith("END Maize in Kampala, UGX/kg:"), end.text
    lines = end.text.split("\n")
    assert len(lines) == 7  # header, the newest price's date and age, 4 weeks, trend
    assert lines[1].startswith("Prices of ") and lines[1].endswith(" days old)"), lines[1]
    assert all(":" in line for line in lines[2:6])
    assert any(word in lines[6] for word in ("Up", "Down", "Steady"))
    # dialled in one go (*384*1234*1*1*1#): the first request already carries the whole history
    quick = handset("+256772000999")
    assert quick.send("1*1*1").text == end.text


def test_prices_with_no_data_and_junk_choices(handset: MakeHandset) -> None:
    h = handset(PHONE)
    assert h.dial("1", "2", "3").text == "END No prices yet for Beans in Mbarara. Try another market."
    h = handset(PHONE)
    bad = h.dial("1", "9")
    assert bad.text.startswith("CON Invalid choice. Choose a crop:")
    assert h.send("1*9*x").text.startswith("CON Invalid choice. Choose a crop:")
    assert h.send("1*9*x*1").text.startswith("CON Choose a market:")
    assert h.send("1*9*x*1*0").text.startswith("CON Choose a crop:")  # 0 goes back
    assert h.send("1*9*x*1*0*0").text.startswith("CON Soko")


# ---------------------------------------------------------------------------- 5. register
def test_register_a_farmer_with_a_hashed_pin(handset: MakeHandset, users_table: Any) -> None:
    h = handset(PHONE)
    assert h.dial("5").text == (
        "CON Welcome to Soko. A farmer? Enter your name.\nOr join as:\n1 Buyer\n2 Transporter"
    )
    assert h.send("5*A").text.startswith("CON Letters only")
    assert h.send("5*A*akello grace").text == "CON Enter your district (e.g. Gulu):"
    assert h.send("5*A*akello grace*Atlantis").text.startswith("CON Unknown district.")
    assert h.send("5*A*akello grace*Atlantis*gulu").text == "CON Choose a 4-digit PIN:"
    assert h.send("5*A*akello grace*Atlantis*gulu*12").text.startswith("CON A PIN is 4 digits.")
    assert h.send("5*A*akello grace*Atlantis*gulu*12*1234").text.startswith("CON Too easy to guess.")
    assert h.send("5*A*akello grace*Atlantis*gulu*12*1234*2468").text == "CON Enter the PIN again:"
    assert h.send("5*A*akello grace*Atlantis*gulu*12*1234*2468*2469").text.startswith("CON The PINs differ.")
    end = h.send("5*A*akello grace*Atlantis*gulu*12*1234*2468*2469*2468*2468")
    assert end.text == "END Welcome to Soko, Akello Grace! Dial again to sell your produce."

    user_id = farmer_id(users_table)
    profile = users_table.get_item(Key={"pk": f"USER#{user_id}", "sk": "PROFILE"})["Item"]
    assert profile["role"] == "farmer" and profile["district"] == "Gulu" and profile["phone"] == PHONE
    assert "email" not in profile and "password_hash" not in profile  # a farmer without the app
    pin = users_table.get_item(Key={"pk": f"USER#{user_id}", "sk": "PIN"})["Item"]
    assert pin["pin_hash"].startswith("$argon2id$") and "2468" not in pin["pin_hash"]
    # the session keeps no input (the history holds PINs)
    session = users_table.get_item(Key={"pk": f"USSD#{h.session}", "sk": "SESSION"})["Item"]
    assert "2468" not in json.dumps(session, default=str) and "expires_at" in session

    again = handset(PHONE).dial("5")
    assert again.text.startswith("END You are registered as Akello Grace.")


# ---------------------------------------------------------------------------- 6. language
def test_language_switch_is_saved_and_every_screen_fits_in_luganda(
    handset: MakeHandset, seed_prices: Any
) -> None:
    seed_prices("Kisenyi_Kampala", "maize_grain", 1000)
    h = handset(PHONE)
    assert h.dial("6", "2").text == "END Olulimi: Luganda."
    main = h.dial()
    assert main.text.startswith("CON Soko\n1 Bbeeyi")
    assert h.dial("1", "1", "1").text.startswith("END Kasooli e Kampala")
    register(handset)  # in Luganda: the screens differ, the flow is the same
    registered = handset(PHONE).dial("5")
    assert registered.text.startswith("END Wewandiisa nga Akello Grace.")
    # registered: the language lives on the profile now
    assert handset(PHONE).dial("6", "1").text == "END Language: English."
    assert handset(PHONE).dial().text.startswith("CON Soko\n1 Check prices")


# ---------------------------------------------------------------------------- 3. sell, 4. listings
def test_sell_then_update_a_listing_with_retries(handset: MakeHandset) -> None:
    h = register(handset)
    h.dial("3")
    assert h.send("3*1").text == "CON Quantity in kg (e.g. 100):"
    assert h.send("3*1*lots").text.startswith("CON Enter a whole number.")
    assert h.send("3*1*lots*250").text == "CON Price per kg in UGX (e.g. 1200):"
    confirm = h.send("3*1*lots*250*1100")
    assert confirm.text.startswith("CON Sell 250kg Maize at UGX 1,100/kg in Gulu?")
    listed = h.send("3*1*lots*250*1100*" + PIN)
    assert listed.text == "END Listed: 250kg Maize at UGX 1,100/kg. Buyers can order it now."
    again = h.send("3*1*lots*250*1100*" + PIN)  # the gateway retries: same screen, no second listing
    assert again.text == listed.text

    mine = handset(PHONE).dial("4")
    assert mine.text == "CON Your listings:\n1 Maize 250kg @1,100\n0 Back", mine.text

    h = handset(PHONE)
    assert h.dial("4", "1").text.startswith("CON 250kg Maize at UGX 1,100/kg\n1 Change quantity")
    assert h.send("4*1*2").text == "CON Price per kg in UGX (e.g. 1200):"
    assert h.send("4*1*2*1300").text == "CON Enter your PIN to confirm or 0 to cancel:"
    assert h.send("4*1*2*1300*" + PIN).text == "END Saved: 250kg Maize at UGX 1,300/kg."
    assert handset(PHONE).dial("4", "1", "1", "5", "0").text == "END Cancelled. Nothing was changed."
    h = handset(PHONE)
    assert h.dial("4", "1", "1", "0", PIN).text == "END Saved: 0kg Maize at UGX 1,300/kg."
    assert handset(PHONE).dial("4").text.startswith("END You have no listings.")  # sold out


def test_only_registered_farmers_sell_and_see_orders(handset: MakeHandset, users_table: Any) -> None:
    stranger = handset("+256772000222")
    assert stranger.dial("2").text == "END Register first: dial again and choose 5."
    assert stranger.dial("3").text == "END Register first: dial again and choose 5."
    assert stranger.dial("4").text == "END Register first: dial again and choose 5."
    register(handset)
    assert handset(PHONE).dial("4").text.startswith("END You have no listings.")
    assert (
        handset(PHONE).dial("2").text == "END You have no orders to answer or deliver."
    )  # confirmed, unpaid


# ---------------------------------------------------------------------------- 2. orders
def _listing_and_orders(users_table: Any, count: int) -> tuple[str, list[str], Caller]:
    farmer = Caller(user_id=farmer_id(users_table), role="farmer", email="")
    listing = create_listing(
        farmer,
        ListingCreate(
            title="Maize from Gulu",
            crop="maize",
            price_per_kg=1000,
            quantity_kg=Decimal(1000),
            district="Gulu",
        ),
        market_deps(),
    )
    buyer = Caller(user_id="01JD00000000000000000BUYER", role="buyer", email="b@example.com")
    orders = [
        place_order(buyer, OrderCreate(listing_id=listing.id, quantity_kg=Decimal(10 + n)), market_deps()).id
        for n in range(count)
    ]
    return listing.id, orders, buyer


def test_a_farmer_accepts_and_rejects_pending_orders(handset: MakeHandset, users_table: Any) -> None:
    register(handset)
    _, orders, buyer = _listing_and_orders(users_table, 2)
    h = handset(PHONE)
    pending = h.dial("2")
    assert pending.text.startswith("CON Orders to answer or deliver:\n1 Maize 11kg\n2 Maize 10kg\n0 Back"), (
        pending.text
    )
    assert h.send("2*7").text.startswith("CON Invalid choice. Orders to answer or deliver:")
    detail = h.send("2*7*2")
    assert detail.text == "CON 10kg Maize at 1,000/kg = UGX 10,000\n1 Accept\n2 Reject\n0 Back"
    assert h.send("2*7*2*1").text == "CON Enter your PIN to confirm or 0 to cancel:"
    assert h.send("2*7*2*1*" + PIN).text == "END Order accepted. The buyer gets an SMS."
    rejected = handset(PHONE).dial("2", "1", "2", PIN)
    assert rejected.text == "END Order rejected. The buyer gets an SMS."
    statuses = {o.id: o.status for o in list_orders(buyer, False, 10, None, market_deps()).items}
    assert statuses == {orders[0]: "confirmed", orders[1]: "rejected"}
    assert (
        handset(PHONE).dial("2").text == "END You have no orders to answer or deliver."
    )  # confirmed, unpaid


def test_an_order_decided_elsewhere_meanwhile(handset: MakeHandset, users_table: Any) -> None:
    register(handset)
    _listing_and_orders(users_table, 1)
    h = handset(PHONE)
    h.dial("2", "1", "1")
    handset(PHONE).dial("2", "1", "2", PIN)  # rejected from another session first
    assert h.send("2*1*1*" + PIN).text == "END This order can no longer be changed."


def _buyer_phone(users_table: Any, buyer: Caller, buyer_phone: str = "+256772000333") -> str:
    users_table.put_item(Item={"pk": f"PHONE#{buyer_phone}", "sk": "PHONE", "user_id": buyer.user_id})
    users_table.put_item(
        Item={
            "pk": f"USER#{buyer.user_id}",
            "sk": "PROFILE",
            "id": buyer.user_id,
            "email": "b@example.com",
            "email_lower": "b@example.com",
            "password_hash": "x",
            "role": "buyer",
            "phone": buyer_phone,
            "phone_verified": True,  # only a verified phone names a USSD caller
            "full_name": "Okello Buyer",
            "created_at": "2026-11-21T09:30:00Z",
            "updated_at": "2026-11-21T09:30:00Z",
        }
    )
    return buyer_phone


def test_a_buyer_with_a_phone_sees_order_statuses(handset: MakeHandset, users_table: Any) -> None:
    register(handset)
    _, _, buyer = _listing_and_orders(users_table, 2)
    buyer_phone = _buyer_phone(users_table, buyer)
    screen = handset(buyer_phone).dial("2")
    assert screen.text == "END Your orders:\nMaize 11kg: pending\nMaize 10kg: pending"
    assert handset(buyer_phone).dial("3").text == "END Only farmers can sell on Soko."
    # an app account without a PIN sets one from the phone its account has
    assert handset(buyer_phone).dial("5").text == "CON Your account has no PIN. Choose a 4-digit PIN:"
    assert handset(buyer_phone).dial("5", "1357", "1357").text.startswith("END Your PIN is set.")


def test_a_farmer_dispatches_and_delivers_and_the_buyer_confirms_receipt(
    handset: MakeHandset, users_table: Any
) -> None:
    register(handset)
    _, orders, buyer = _listing_and_orders(users_table, 1)
    handset(PHONE).dial("2", "1", "1", PIN)  # accepted
    assert handset(PHONE).dial("2").text == "END You have no orders to answer or deliver."  # unpaid yet
    MarketDal(load(MarketConfig).market_table_name).set_payment_status(
        orders[0], PAID, 2, "2026-11-21T09:30:00Z"
    )

    h = handset(PHONE)
    assert h.dial("2").text.startswith("CON Orders to answer or deliver:\n1 Maize 10kg")
    assert h.send("2*1").text == "CON 10kg Maize = UGX 10,000, paid\n1 Dispatched\n2 Delivered\n0 Back"
    assert h.send("2*1*1*" + PIN).text == "END Marked as on its way."
    h = handset(PHONE)
    assert h.dial("2", "1").text == (
        "CON 10kg Maize = UGX 10,000, on its way\n1 Delivered\n2 Enter buyer's delivery code\n0 Back"
    )
    assert h.send("2*1*3").text.startswith("CON Invalid choice.")
    assert h.send("2*1*1*" + PIN).text.startswith("END Marked delivered.")
    # still listed: the farmer may enter the buyer's delivery code on it
    assert handset(PHONE).dial("2", "1").text == (
        "CON 10kg Maize = UGX 10,000, delivered\n1 Enter buyer's delivery code\n0 Back"
    )

    buyer_phone = _buyer_phone(users_table, buyer)
    handset(buyer_phone).dial("5", "1357", "1357")  # the buyer sets a PIN
    b = handset(buyer_phone)
    assert b.dial("2").text == "CON Confirm you received:\n1 Maize 10kg\n0 Back"
    confirm = b.send("2*1")
    assert confirm.text.startswith("CON You received 10kg Maize (UGX 10,000)? The farmer is then paid.")
    assert b.send("2*1*1357").text == "END Thank you. The farmer is paid for this order."
    assert b.send("2*1*1357").text == "END Thank you. The farmer is paid for this order."  # a retry: once
    [order] = list_orders(buyer, False, 10, None, market_deps()).items
    assert (order.status, order.released_by) == ("completed", "receipt")
    assert handset(buyer_phone).dial("2").text == "END Your orders:\nMaize 10kg: completed"


@pytest.mark.parametrize("language", ["1", "2"])
def test_the_delivery_screens_fit_in_both_languages(
    handset: MakeHandset, users_table: Any, language: str
) -> None:
    register(handset, name="Bartholomew Ssekandi Mukasa")
    handset(PHONE).dial("6", language)
    _, orders, buyer = _listing_and_orders(users_table, 1)
    handset(PHONE).dial("2", "1", "1", PIN)
    MarketDal(load(MarketConfig).market_table_name).set_payment_status(
        orders[0], PAID, 2, "2026-11-21T09:30:00Z"
    )
    screens = [handset(PHONE).dial("2", "1"), handset(PHONE).dial("2", "1", "1", PIN)]
    screens += [handset(PHONE).dial("2", "1"), handset(PHONE).dial("2", "1", "1", PIN)]
    buyer_phone = _buyer_phone(users_table, buyer)
    handset(buyer_phone).dial("5", "1357", "1357")
    handset(buyer_phone).dial("6", language)
    screens += [handset(buyer_phone).dial("2"), handset(buyer_phone).dial("2", "1")]
    screens += [handset(buyer_phone).dial("2", "1", "1357"), handset(buyer_phone).dial("2")]
    for screen in screens:
        screen.check()
    assert not any("Invalid" in s.text or "Ensobi" in s.text for s in screens), [s.text for s in screens]


# ---------------------------------------------------------------------------- the buyer's delivery code
CODE = "482913"


def _paid_order_with_code(users_table: Any, status: str) -> tuple[str, Caller]:
    """A paid order in ``status`` (dispatched or delivered) whose buyer's delivery PIN is CODE."""
    _, [order_id], buyer = _listing_and_orders(users_table, 1)
    farmer = Caller(user_id=farmer_id(users_table), role="farmer", email="")
    deps = market_deps()
    change_status(farmer, order_id, StatusChange(new_status="confirmed"), deps)
    deps.dal.set_payment_status(order_id, PAID, 2, "2026-11-21T09:30:00Z")
    assert deps.dal.issue_pin(order_id, hash_secret(CODE), 5, "2026-11-21T09:31:00Z")
    change_status(farmer, order_id, StatusChange.model_validate({"new_status": status}), deps)
    return order_id, buyer


def _order_of(buyer: Caller) -> Any:
    [order] = list_orders(buyer, False, 10, None, market_deps()).items
    return order


def test_the_farmer_enters_the_buyers_code_on_a_dispatched_order(
    handset: MakeHandset, users_table: Any
) -> None:
    register(handset)
    _, buyer = _paid_order_with_code(users_table, "dispatched")
    h = handset(PHONE)
    assert h.dial("2").text.startswith("CON Orders to answer or deliver:\n1 Maize 10kg")
    assert h.send("2*1").text == (
        "CON 10kg Maize = UGX 10,000, on its way\n1 Delivered\n2 Enter buyer's delivery code\n0 Back"
    )
    assert h.send("2*1*2").text == "CON Enter your PIN to confirm or 0 to cancel:"
    asked = h.send("2*1*2*" + PIN)
    assert asked.text == "CON Enter the buyer's 6-digit delivery code or 0 to cancel:"
    assert h.send("2*1*2*" + PIN + "*12345").text.startswith("CON A code is 6 digits. Enter the buyer's")
    assert _order_of(buyer).status == "dispatched"  # nothing tried yet

    done = h.send("2*1*2*" + PIN + "*12345*" + CODE)

    assert done.text == "END Done: the buyer confirmed delivery; your payment is released."
    order = _order_of(buyer)
    assert (order.status, order.released_by) == ("completed", "pin")
    assert h.send("2*1*2*" + PIN + "*12345*" + CODE).text == done.text  # a retry: once, the same screen
    assert handset(PHONE).dial("2").text == "END You have no orders to answer or deliver."


def test_a_wrong_code_shows_the_tries_left_then_locks(handset: MakeHandset, users_table: Any) -> None:
    register(handset)
    _, buyer = _paid_order_with_code(users_table, "delivered")
    h = handset(PHONE)
    assert (
        h.dial("2", "1").text
        == "CON 10kg Maize = UGX 10,000, delivered\n1 Enter buyer's delivery code\n0 Back"
    )
    h.send("2*1*1")
    path = "2*1*1*" + PIN
    h.send(path)
    for left in (4, 3):
        path += "*111111"
        assert (
            h.send(path).text
            == f"CON Wrong code, {left} left. Enter the buyer's 6-digit delivery code or 0 to cancel:"
        )
    assert h.send(path).text.startswith("CON Wrong code, 3 left.")  # a retry of the same try: not counted
    assert _order_of(buyer).status == "delivered"
    locked = ""
    for _ in range(3):
        path += "*111111"
        locked = h.send(path).text
    assert locked.startswith("CON Wrong code, 0 left.")
    assert h.send(path + "*" + CODE).text == (
        "END The code is locked after 5 wrong tries. "
        "The buyer can confirm receipt in the app or by USSD instead."
    )
    assert _order_of(buyer).status == "delivered"  # the buyer's receipt remains
    assert handset(PHONE).dial("2", "1", "1", PIN, "0").text == "END Cancelled. Nothing was changed."


def test_the_code_screens_in_luganda(handset: MakeHandset, users_table: Any) -> None:
    register(handset, name="Bartholomew Ssekandi Mukasa")
    handset(PHONE).dial("6", "2")
    _, buyer = _paid_order_with_code(users_table, "dispatched")
    screens = [handset(PHONE).dial("2", "1"), handset(PHONE).dial("2", "1", "2", PIN)]
    screens.append(handset(PHONE).dial("2", "1", "2", PIN, "1234567"))
    screens.append(handset(PHONE).dial("2", "1", "2", PIN, "111111"))
    screens.append(handset(PHONE).dial("2", "1", "2", PIN, CODE))
    for screen in screens:
        screen.check()
    assert [s.text for s in screens] == [
        "CON 10kg Kasooli = UGX 10,000, biri mu kkubo\n1 Bituuse\n2 Koodi y'omuguzi\n0 Emabega",
        "CON Yingiza koodi y'omuguzi ey'ennamba 6 oba 0 okusazaamu:",
        "CON Koodi ya nnamba 6. Yingiza koodi y'omuguzi ey'ennamba 6 oba 0 okusazaamu:",
        "CON Koodi nkyamu, osigazza 4. Yingiza koodi y'omuguzi ey'ennamba 6 oba 0 okusazaamu:",
        "END Kiwedde: omuguzi akakasizza nti bituuse; ensimbi zo zisasuddwa.",
    ]
    assert _order_of(buyer).status == "completed"


def test_every_code_screen_fits_in_both_languages() -> None:
    from soko.ussd.texts import EN, LG  # noqa: PLC0415

    keys = ("order_dispatched", "order_delivered", "ask_code", "code_ok", "code_locked", "no_code")
    for strings in (EN, LG):
        for key in keys:
            text = strings[key].format(kg="1000000", crop="Irish potatoes", total="10,000,000,000,000")
            hint = max(strings["hint.code"], strings["hint.wrong_code"].format(left=4), key=len)
            assert len(hint + text + "\n0 Back") <= MAX_SCREEN - 4, (key, text)


# ---------------------------------------------------------------------------- PIN lockout
def test_three_wrong_pins_lock_actions_for_15_minutes(handset: MakeHandset, users_table: Any) -> None:
    register(handset)
    h = handset(PHONE)
    h.dial("3", "1", "100", "1000")
    assert h.send("3*1*100*1000*1111").text.startswith("CON Wrong PIN, 2 left. Sell 100kg")
    assert h.send("3*1*100*1000*1111*1111").text.startswith("CON Wrong PIN, 1 left.")
    # a retry of the same wrong try does not count again
    assert h.send("3*1*100*1000*1111*1111").text.startswith("CON Wrong PIN, 1 left.")
    locked = h.send("3*1*100*1000*1111*1111*9999")
    assert locked.text == "END Wrong PIN 3 times. Try again in 15 min."
    # even the right PIN is refused while locked, in any session
    assert handset(PHONE).dial("3", "1", "100", "1000", PIN).text.startswith("END Wrong PIN 3 times.")
    assert handset(PHONE).dial("4").text.startswith("END You have no listings")  # reading still works
    user_id = farmer_id(users_table)
    users_table.update_item(
        Key={"pk": f"USER#{user_id}", "sk": "PIN"},
        UpdateExpression="SET locked_until = :past",
        ExpressionAttributeValues={":past": 1},
    )  # 15 minutes later
    assert handset(PHONE).dial("3", "1", "100", "1000", PIN).text.startswith("END Listed: 100kg Maize")


# ---------------------------------------------------------------------------- junk
JUNK_TEXTS = [
    "*",
    "**",
    "abc",
    "0",
    "7",
    "99999999999999999999",
    "1*" * 30,
    "5*" + "x" * 60,
    "6*3*1",
    "1*1*1*1*1",
    "Ñandú*ü",
    "%00\x00",
    "2*1*1*1234",
    "3*1*-5",
    "3*1*1.5*1000",
    "4*1*2*0",
    " 1 * 1 ",
    "5*Robert'); DROP TABLE users;--*Gulu",
    "1" * 500,
]


@pytest.mark.parametrize("text", JUNK_TEXTS)
def test_any_text_gets_a_screen(handset: MakeHandset, text: str) -> None:
    screen = handset(PHONE).send(text)
    assert screen.status == 200


def test_malformed_requests_never_get_a_5xx(invoke: Any, token: str) -> None:
    good = {"sessionId": "s-1", "phoneNumber": PHONE, "serviceCode": "*384#", "text": ""}
    bodies: list[dict[str, str] | str] = [
        "",
        "garbage",
        "sessionId=&phoneNumber=&text=",
        {**good, "phoneNumber": "not a phone"},
        {**good, "sessionId": "x" * 500},
        {**good, "sessionId": "<script>"},
        {k: v for k, v in good.items() if k != "sessionId"},
        "a=" + "b" * 10000,
        "%ZZ%%",
    ]
    for body in bodies:
        result = invoke(FUNCTION, url_event(body, token))
        assert result["statusCode"] == 200, body
        assert result["body"] == "END Invalid request.", (body, result["body"])
    as_base64 = invoke(FUNCTION, url_event(good, token, base64_body=True))
    assert as_base64["body"].startswith("CON Soko")
    not_base64 = {**url_event(good, token), "isBase64Encoded": True, "body": "%%%not base64"}
    assert invoke(FUNCTION, not_base64)["body"] == "END Invalid request."
    get = {**url_event(good, token), "requestContext": {"http": {"method": "GET"}}}
    assert invoke(FUNCTION, get)["statusCode"] == 405


def test_a_session_id_reused_by_another_phone_starts_afresh(handset: MakeHandset) -> None:
    a = handset(PHONE)
    a.dial("1")
    b = handset("+256772000444")
    b.session = a.session
    assert b.send("1").text.startswith("CON Choose a crop:")
    assert b.send("").text.startswith("CON Soko")


# ---------------------------------------------------------------------------- 182 characters
@pytest.mark.parametrize("language", ["1", "2"])
def test_longest_screens_fit_in_both_languages(
    handset: MakeHandset, users_table: Any, seed_prices: Any, language: str
) -> None:
    seed_prices("Masaka", "cassava_chips", 99_999_999)
    h = register(handset, name="Bartholomew Ssekandi Mukasa")
    handset(PHONE).dial("6", language)
    handset(PHONE).dial("1", "6", "6")
    # the longest numbers a farmer can type, four times over, plus a hint on every list
    for _ in range(4):
        handset(PHONE).dial("3", "6", "1000000", "10000000", PIN)
    h = handset(PHONE)
    h.dial("4", "9")
    h.send("4*9*1")
    h.send("4*9*1*x")
    h.send("4*9*1*x*2")
    h.send("4*9*1*x*2*99999999999")
    h.send("4*9*1*x*2*99999999999*0000")
    h = handset(PHONE)
    h.dial("3", "6", "1000000", "10000000", "0000")
    h.send("3*6*1000000*10000000*0000*x")
    for screen in [*h.screens]:
        screen.check()
    assert all(isinstance(s, Screen) for s in h.screens)
