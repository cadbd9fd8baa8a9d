"""The USSD menu as a state machine driven by the input history.

``fold`` turns the inputs of a session (the gateway's ``text`` split on ``*``) into a
:class:`MenuState`, one input at a time with ``step``; ``render`` turns a state into the screen.
``render`` is pure; ``step`` reads and changes the world only through :class:`Services` (the
logic layer's port), and every change goes through ``Services.perform`` with the input's position,
so replaying the same history never repeats it. A wrong input leaves the state where it was, with
a hint: the same screen comes back. A PIN is never kept in the state: it is read from the history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from soko.shared import crops as catalogue
from soko.ussd.models import ListingLine, Member, MenuState, OrderLine, PinCheck, Reply, plain_ascii
from soko.ussd.texts import (
    MARKET_LABELS,
    MAX_SCREEN,
    PRICE_CROPS,
    PRICE_MARKETS,
    SHORT_CROP_EN,
    Language,
    t,
)

LIST_SIZE = 4  # orders or listings per screen
MAX_KG = 1_000_000
MAX_PRICE = 10_000_000
_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,29}$")
_PIN = re.compile(r"^\d{4}$")
WEAK_PINS = frozenset({"0000", "1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888", "9999",
                       "1234", "4321", "0123", "9876", "1212", "2580"})  # fmt: skip


class Services(Protocol):
    """What the menu needs from the rest of Soko (the logic layer implements it)."""

    language: Language

    def member(self) -> Member | None: ...
    def forecast(self, crop_id: str, market_id: str) -> list[tuple[date, int]] | None: ...
    def pending_orders(self, limit: int) -> list[OrderLine]: ...
    def my_orders(self, limit: int) -> list[OrderLine]: ...
    def my_listings(self, limit: int) -> list[ListingLine]: ...
    def district(self, text: str) -> str | None: ...
    def check_pin(self, pin: str) -> PinCheck: ...
    def perform(self, step: int, action: str, args: dict[str, Any]) -> str: ...


@dataclass
class Input:
    value: str
    index: int  # position in the history (stable across retries: the key of a change)
    history: list[str]


# ---------------------------------------------------------------------------- helpers
def crop_label(crop_id: str, language: Language) -> str:
    crop = catalogue.by_id(crop_id)
    if crop is None:
        return crop_id[:14]
    name = crop.luganda if language == "lg" else SHORT_CROP_EN.get(crop_id, crop.name)
    return name[:14]


def market_label(market_id: str) -> str:
    return MARKET_LABELS.get(market_id, market_id.replace("_", " "))


def money(value: int) -> str:
    return f"{value:,}"


def kg_text(value: Decimal | str) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def _choice(value: str, count: int) -> int | None:
    """1-based menu choice, or None."""
    return int(value) if value.isdigit() and 1 <= int(value) <= count and len(value) <= 2 else None


def _number(value: str, low: int, high: int) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 10 and low <= int(value) <= high else None


def _stay(state: MenuState, hint: str, **values: Any) -> MenuState:
    return state.model_copy(update={"hint": hint, "hint_values": values})


def _go(screen: str, **data: Any) -> MenuState:
    return MenuState(screen=screen, data=data)


def _end(key: str, **values: Any) -> MenuState:
    return MenuState(screen="end", data={"key": key, "values": values})


# ---------------------------------------------------------------------------- steps
def _main(state: MenuState, inp: Input, svc: Services) -> MenuState:
    choice = _choice(inp.value, 6)
    if choice is None:
        return _stay(state, "hint.choice")
    if choice == 1:
        return _go("price_crop")
    if choice == 6:
        return _go("language")
    member = svc.member()
    if choice == 5:
        return _register_entry(member)
    if member is None:
        return _end("need_register")
    return {2: _orders, 3: _sell_entry, 4: _listings_entry}[choice](member, svc)


def _register_entry(member: Member | None) -> MenuState:
    if member is None:
        return _go("reg_name")
    if not member.has_pin:
        return _go("pin_new", set_only=True)
    return _end("registered_already", name=member.name)


def _sell_entry(member: Member, svc: Services) -> MenuState:
    if not member.sells:
        return _end("farmers_only")
    if not member.district:
        return _end("no_district")
    return _go("sell_crop")


def _listings_entry(member: Member, svc: Services) -> MenuState:
    listings = svc.my_listings(LIST_SIZE)
    if not listings:
        return _end("no_listings")
    return _go("listings", items=[x.model_dump() for x in listings])


def _orders(member: Member, svc: Services) -> MenuState:
    if member.sells:
        pending = svc.pending_orders(LIST_SIZE)
        if not pending:
            return _end("no_pending")
        return _go("orders", items=[x.model_dump() for x in pending])
    mine = svc.my_orders(LIST_SIZE)
    return _go("end_orders", items=[x.model_dump() for x in mine])


def _price_crop(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    choice = _choice(inp.value, len(PRICE_CROPS))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("price_market", crop=PRICE_CROPS[choice - 1])


def _price_market(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("price_crop")
    choice = _choice(inp.value, len(PRICE_MARKETS))
    if choice is None:
        return _stay(state, "hint.choice")
    crop, market = state.data["crop"], PRICE_MARKETS[choice - 1]
    weeks = svc.forecast(crop, market)
    if not weeks:
        return _end("no_prices", crop=crop, market=market)
    return _go("forecast", crop=crop, market=market, weeks=[(d.isoformat(), p) for d, p in weeks])


def _pick(state: MenuState, inp: Input, back: str = "main") -> dict[str, Any] | MenuState:
    if inp.value == "0":
        return _go(back)
    items: list[dict[str, Any]] = state.data["items"]
    choice = _choice(inp.value, len(items))
    if choice is None:
        return _stay(state, "hint.choice")
    return items[choice - 1]


def _orders_pick(state: MenuState, inp: Input, svc: Services) -> MenuState:
    picked = _pick(state, inp)
    if isinstance(picked, MenuState):
        return picked
    return _go("order", order=picked, items=state.data["items"])


def _order(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("orders", items=state.data["items"])
    choice = _choice(inp.value, 2)
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("order_pin", order=state.data["order"], accept=choice == 1)


def _pin_gate(state: MenuState, inp: Input, svc: Services) -> MenuState | None:
    """None when the PIN is right; else the state to show (a hint, or the end)."""
    if not _PIN.match(inp.value):
        return _stay(state, "hint.pin")
    check = svc.check_pin(inp.value)
    if check.outcome == "ok":
        return None
    if check.outcome == "wrong":
        return _stay(state, "hint.wrong_pin", left=check.tries_left)
    if check.outcome == "no_pin":
        return _end("no_pin")
    return _end("locked", minutes=check.locked_minutes)


def _order_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    accept = bool(state.data["accept"])
    outcome = svc.perform(inp.index, "decide", {"order_id": state.data["order"]["id"], "accept": accept})
    if outcome != "ok":
        return _end("order_gone" if outcome == "gone" else "busy")
    return _end("accepted" if accept else "rejected")


def _sell_crop(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    choice = _choice(inp.value, len(PRICE_CROPS))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("sell_qty", crop=PRICE_CROPS[choice - 1])


def _sell_qty(state: MenuState, inp: Input, svc: Services) -> MenuState:
    kg = _number(inp.value, 1, MAX_KG)
    if kg is None:
        return _stay(state, "hint.number")
    return _go("sell_price", crop=state.data["crop"], kg=kg)


def _sell_price(state: MenuState, inp: Input, svc: Services) -> MenuState:
    price = _number(inp.value, 1, MAX_PRICE)
    if price is None:
        return _stay(state, "hint.number")
    member = svc.member()
    district = member.district if member else None
    return _go("sell_pin", crop=state.data["crop"], kg=state.data["kg"], price=price, district=district)


def _sell_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    d = state.data
    outcome = svc.perform(inp.index, "sell", {"crop": d["crop"], "kg": d["kg"], "price": d["price"]})
    if outcome != "ok":
        return _end("busy")
    return _end("listed", crop=d["crop"], kg=d["kg"], price=d["price"])


def _listings_pick(state: MenuState, inp: Input, svc: Services) -> MenuState:
    picked = _pick(state, inp)
    if isinstance(picked, MenuState):
        return picked
    return _go("listing", listing=picked, items=state.data["items"])


def _listing(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("listings", items=state.data["items"])
    choice = _choice(inp.value, 2)
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("listing_value", listing=state.data["listing"], field="kg" if choice == 1 else "price")


def _listing_value(state: MenuState, inp: Input, svc: Services) -> MenuState:
    field = state.data["field"]
    value = _number(inp.value, 0, MAX_KG) if field == "kg" else _number(inp.value, 1, MAX_PRICE)
    if value is None:
        return _stay(state, "hint.number")
    return _go("listing_pin", listing=state.data["listing"], field=field, value=value)


def _listing_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    listing, field, value = state.data["listing"], state.data["field"], state.data["value"]
    outcome = svc.perform(inp.index, "update_listing", {"listing_id": listing["id"], field: value})
    if outcome != "ok":
        return _end("listing_gone" if outcome == "gone" else "busy")
    saved = {**listing, field: str(value) if field == "kg" else value}
    return _end("saved", crop=saved["crop"], kg=saved["kg"], price=saved["price"])


def _reg_name(state: MenuState, inp: Input, svc: Services) -> MenuState:
    name = " ".join(inp.value.split())
    if not _NAME.match(name):
        return _stay(state, "hint.name")
    return _go("reg_district", name=name.title())


def _reg_district(state: MenuState, inp: Input, svc: Services) -> MenuState:
    district = svc.district(inp.value) if len(inp.value) <= 40 else None
    if district is None:
        return _stay(state, "hint.district")
    return _go("pin_new", name=state.data["name"], district=district)


def _pin_new(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if not _PIN.match(inp.value):
        return _stay(state, "hint.pin")
    if inp.value in WEAK_PINS:
        return _stay(state, "hint.weak_pin")
    return _go("pin_repeat", **state.data, pin_at=inp.index)


def _pin_repeat(state: MenuState, inp: Input, svc: Services) -> MenuState:
    data = {k: v for k, v in state.data.items() if k != "pin_at"}
    first = inp.history[int(state.data["pin_at"])]
    if inp.value != first:
        return _stay(_go("pin_new", **data), "hint.pin_mismatch")
    if data.get("set_only"):
        outcome = svc.perform(inp.index, "set_pin", {"pin_at": state.data["pin_at"]})
        return _end("pin_set" if outcome == "ok" else "busy")
    outcome = svc.perform(
        inp.index,
        "register",
        {"name": data["name"], "district": data["district"], "pin_at": state.data["pin_at"]},
    )
    if outcome == "taken":
        return _end("phone_taken")
    return _end("welcome", name=data["name"]) if outcome == "ok" else _end("busy")


def _language(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    choice = _choice(inp.value, 2)
    if choice is None:
        return _stay(state, "hint.choice")
    language = "en" if choice == 1 else "lg"
    svc.perform(inp.index, "language", {"language": language})
    return _end("language_set", language=language)


STEPS: dict[str, Callable[[MenuState, Input, Services], MenuState]] = {
    "main": _main,
    "price_crop": _price_crop,
    "price_market": _price_market,
    "orders": _orders_pick,
    "order": _order,
    "order_pin": _order_pin,
    "sell_crop": _sell_crop,
    "sell_qty": _sell_qty,
    "sell_price": _sell_price,
    "sell_pin": _sell_pin,
    "listings": _listings_pick,
    "listing": _listing,
    "listing_value": _listing_value,
    "listing_pin": _listing_pin,
    "reg_name": _reg_name,
    "reg_district": _reg_district,
    "pin_new": _pin_new,
    "pin_repeat": _pin_repeat,
    "language": _language,
}


def step(state: MenuState, index: int, history: list[str], svc: Services) -> MenuState:
    """The state after the input at ``history[index]``. A state that ended stays ended."""
    handler = STEPS.get(state.screen)
    if handler is None:
        return state
    cleared = state.model_copy(update={"hint": None, "hint_values": {}})
    return handler(cleared, Input(history[index], index, history), svc)


def fold(history: list[str], svc: Services, state: MenuState | None = None, start: int = 0) -> MenuState:
    state = state or MenuState()
    for index in range(start, len(history)):
        state = step(state, index, history, svc)
    return state


# ---------------------------------------------------------------------------- screens
def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{n} {line}" for n, line in enumerate(lines, 1))


def _order_line(item: dict[str, Any], language: Language) -> str:
    return f"{crop_label(item['crop'], language)} {item['kg']}kg"


def _listing_line(item: dict[str, Any], language: Language) -> str:
    return f"{crop_label(item['crop'], language)} {item['kg']}kg @{money(int(item['price']))}"


def _forecast(data: dict[str, Any], lang: Language) -> str:
    weeks = [(date.fromisoformat(d), int(p)) for d, p in data["weeks"]]
    header = t(lang, "forecast", crop=crop_label(data["crop"], lang), market=market_label(data["market"]))
    lines = [header, *(f"{d.strftime('%d %b')}: {money(p)}" for d, p in weeks)]
    first, last = weeks[0][1], weeks[-1][1]
    pct = round(abs(last - first) * 100 / first) if first else 0
    trend = "trend.flat" if pct < 2 else "trend.up" if last > first else "trend.down"
    lines.append(t(lang, trend, pct=pct))
    return "\n".join(lines)


def _end_text(data: dict[str, Any], lang: Language) -> str:
    values = dict(data.get("values", {}))
    if "crop" in values:
        values["crop"] = crop_label(values["crop"], lang)
    if "market" in values:
        values["market"] = market_label(values["market"])
    if "price" in values:
        values["price"] = money(int(values["price"]))
    if "kg" in values:
        values["kg"] = kg_text(str(values["kg"]))
    if data["key"] == "language_set":
        return t("lg" if values.get("language") == "lg" else "en", "language_set")
    return t(lang, data["key"], **values)


def _crop_menu(d: dict[str, Any], lang: Language) -> str:
    crops_menu = _numbered([crop_label(c, lang) for c in PRICE_CROPS])
    return f"{t(lang, 'choose_crop')}\n{crops_menu}\n{t(lang, 'back')}"


def _market_menu(d: dict[str, Any], lang: Language) -> str:
    markets = _numbered([market_label(m) for m in PRICE_MARKETS])
    return f"{t(lang, 'choose_market')}\n{markets}\n{t(lang, 'back')}"


def _orders_menu(d: dict[str, Any], lang: Language) -> str:
    lines = _numbered([_order_line(i, lang) for i in d["items"]])
    return f"{t(lang, 'pending')}\n{lines}\n{t(lang, 'back')}"


def _buyer_orders(d: dict[str, Any], lang: Language) -> str:
    if not d["items"]:
        return t(lang, "no_orders")
    lines = [f"{_order_line(i, lang)}: {t(lang, 'status.' + i['status'])}" for i in d["items"]]
    return "\n".join([t(lang, "your_orders"), *lines])


def _order_screen(d: dict[str, Any], lang: Language) -> str:
    o = d["order"]
    text = t(
        lang,
        "order",
        kg=o["kg"],
        crop=crop_label(o["crop"], lang),
        price=money(o["price"]),
        total=money(o["total"]),
    )
    return f"{text}\n{t(lang, 'back')}"


def _sell_confirm(d: dict[str, Any], lang: Language) -> str:
    confirm = t(
        lang,
        "confirm_sell",
        kg=kg_text(str(d["kg"])),
        crop=crop_label(d["crop"], lang),
        price=money(d["price"]),
        district=d.get("district") or "",
    )
    return f"{confirm}\n{t(lang, 'pin_to_confirm')}"


def _listings_menu(d: dict[str, Any], lang: Language) -> str:
    lines = _numbered([_listing_line(i, lang) for i in d["items"]])
    return f"{t(lang, 'listings')}\n{lines}\n{t(lang, 'back')}"


def _listing_screen(d: dict[str, Any], lang: Language) -> str:
    item = d["listing"]
    text = t(lang, "listing", kg=item["kg"], crop=crop_label(item["crop"], lang), price=money(item["price"]))
    return f"{text}\n{t(lang, 'back')}"


def _text(key: str) -> Callable[[dict[str, Any], Language], str]:
    return lambda d, lang: t(lang, key)


# screen -> (ends the session, the screen's text)
SCREENS: dict[str, tuple[bool, Callable[[dict[str, Any], Language], str]]] = {
    "main": (False, _text("main")),
    "price_crop": (False, _crop_menu),
    "sell_crop": (False, _crop_menu),
    "price_market": (False, _market_menu),
    "forecast": (True, _forecast),
    "orders": (False, _orders_menu),
    "end_orders": (True, _buyer_orders),
    "order": (False, _order_screen),
    "order_pin": (False, _text("pin_to_confirm")),
    "listing_pin": (False, _text("pin_to_confirm")),
    "sell_qty": (False, _text("ask_qty")),
    "sell_price": (False, _text("ask_price")),
    "sell_pin": (False, _sell_confirm),
    "listings": (False, _listings_menu),
    "listing": (False, _listing_screen),
    "listing_value": (False, lambda d, lang: t(lang, "ask_new_qty" if d["field"] == "kg" else "ask_price")),
    "reg_name": (False, _text("ask_name")),
    "reg_district": (False, _text("ask_district")),
    "pin_new": (False, lambda d, lang: t(lang, "set_pin" if d.get("set_only") else "choose_pin")),
    "pin_repeat": (False, _text("repeat_pin")),
    "language": (False, _text("choose_language")),
}


def _body(state: MenuState, lang: Language) -> tuple[bool, str]:
    end, text = SCREENS.get(state.screen, (True, _end_text))
    return end, text(state.data, lang)


def render(state: MenuState, language: Language) -> Reply:
    """The screen for ``state``: plain ASCII, within 182 characters. A hint that would not fit is
    left out, and a screen that would not fit loses whole lines from its end (neither happens
    with the strings and limits we have; the tests check)."""
    end, body = _body(state, language)
    body = plain_ascii(body)
    budget = MAX_SCREEN - 4
    if state.hint:
        hint = plain_ascii(t(language, state.hint, **state.hint_values))
        if len(hint) + len(body) <= budget:
            body = hint + body
    while len(body) > budget and "\n" in body:
        body = body.rsplit("\n", 1)[0]
    return Reply(end=end, body=body[:budget])


def unavailable(language: Language) -> Reply:
    return Reply(end=True, body=t(language, "unavailable"))


def too_long(language: Language) -> Reply:
    return Reply(end=True, body=t(language, "too_long"))
