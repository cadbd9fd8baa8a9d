"""The USSD menu as a state machine driven by the input history.

``fold`` turns the inputs of a session (the gateway's ``text`` split on ``*``) into a
:class:`MenuState`, one input at a time with ``step``; :func:`soko.ussd.screens.render` turns a
state into the screen. ``step`` reads and changes the world only through :class:`Services` (the
logic layer's port), and every change goes through ``Services.perform`` with the input's position,
so replaying the same history never repeats it. A wrong input leaves the state where it was, with
a hint: the same screen comes back. A PIN is never kept in the state: it is read from the history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from soko.logistics.core_models import (
    MAX_CAPACITY_KG,
    MAX_MINIMUM_FARE_UGX,
    MAX_PRICE_PER_KM_UGX,
    normalise_plate,
)
from soko.ussd.models import JobLine, ListingLine, Member, MenuState, OrderLine, PinCheck, PriceOutlook
from soko.ussd.texts import (
    PRICE_CROPS,
    PRICE_MARKETS,
    Language,
)

LIST_SIZE = 4  # orders, listings or jobs per screen
MAX_KG = 1_000_000
MAX_PRICE = 10_000_000
_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,29}$")
_PIN = re.compile(r"^\d{4}$")
_CODE = re.compile(r"^\d{6}$")  # the buyer's delivery PIN ("code" on the screens: not the caller's PIN)
WEAK_PINS = frozenset({"0000", "1111", "2222", "3333", "4444", "5555", "6666", "7777", "8888", "9999",
                       "1234", "4321", "0123", "9876", "1212", "2580"})  # fmt: skip


class Services(Protocol):
    """What the menu needs from the rest of Soko (the logic layer implements it)."""

    language: Language

    def member(self) -> Member | None: ...
    def forecast(self, crop_id: str, market_id: str) -> PriceOutlook | None: ...
    def pending_orders(self, limit: int) -> list[OrderLine]: ...
    def my_orders(self, limit: int) -> list[OrderLine]: ...
    def my_listings(self, limit: int) -> list[ListingLine]: ...
    def district(self, text: str) -> str | None: ...
    def weather(self, district: str) -> dict[str, Any] | None: ...
    def check_pin(self, pin: str) -> PinCheck: ...
    def perform(self, step: int, action: str, args: dict[str, Any]) -> str: ...
    def my_alerts(self, limit: int) -> list[dict[str, Any]]: ...  # price alerts (menu 7)
    def my_jobs(self, limit: int) -> list[JobLine]: ...  # a transporter's active bookings (menu 2)
    def my_coops(self, limit: int) -> list[dict[str, Any]]: ...  # a farmer's coops (menu 9)
    def coop_allocations(self, coop_id: str, limit: int) -> list[dict[str, Any]]: ...


@dataclass
class Input:
    value: str
    index: int  # position in the history (stable across retries: the key of a change)
    history: list[str]


# ---------------------------------------------------------------------------- helpers
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
    choice = _choice(inp.value, 9)
    if choice is None:
        return _stay(state, "hint.choice")
    anyone = {
        1: lambda: _go("price_crop"),
        6: lambda: _go("language"),
        7: lambda: _alerts_entry(svc),
        8: lambda: _weather_entry(svc),
    }
    if choice in anyone:  # no account needed
        return anyone[choice]()
    member = svc.member()
    if choice == 5:
        return _register_entry(member)
    if member is None:
        return _end("need_register")
    return _member_choice(state, choice, member, svc)


def _member_choice(state: MenuState, choice: int, member: Member, svc: Services) -> MenuState:
    if choice == 9:  # "9 My coop": not on a transporter's menu
        return _stay(state, "hint.choice") if member.transports else _coop_entry(member, svc)
    if member.transports:  # a transporter's item 2 is "My jobs", 3 "Add vehicle", and 4 is hidden
        return _transporter_choice(state, choice, member, svc)
    return {2: _orders, 3: _sell_entry, 4: _listings_entry}[choice](member, svc)


def _transporter_choice(state: MenuState, choice: int, member: Member, svc: Services) -> MenuState:
    if choice == 2:
        return _jobs_entry(svc)
    return _vehicle_entry(member) if choice == 3 else _stay(state, "hint.choice")


def _home(svc: Services) -> dict[str, Any]:
    """The main menu's data: a transporter's reads "2 My jobs" and "3 Add vehicle" instead of "2 My
    orders" and "3 Sell produce", without "4 My listings"."""
    member = svc.member()
    return {"jobs": True} if member is not None and member.transports else {}


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
    delivered = [x for x in mine if x.status == "delivered"]
    if delivered:  # the buyer confirms receipt of one (or goes back)
        return _go("receipts", items=[x.model_dump() for x in delivered])
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
    outlook = svc.forecast(crop, market)
    if outlook is None or not outlook.weeks:
        return _end("no_prices", crop=crop, market=market)
    if outlook.stale:  # old data: the last price with its date, never four weeks shown as current
        last = outlook.last_price is not None and outlook.last_price_day is not None
        day = outlook.last_price_day if last else outlook.data_through
        return _go(
            "stale_prices",
            crop=crop,
            market=market,
            price=outlook.last_price if last else outlook.weeks[0][1],
            day=day and day.isoformat(),
            age=outlook.last_price_age_days if last else outlook.age_days,
        )
    return _go(
        "forecast",
        crop=crop,
        market=market,
        weeks=[(d.isoformat(), p) for d, p in outlook.weeks],
        through=outlook.data_through and outlook.data_through.isoformat(),
        age=outlook.age_days,
    )


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


# a farmer's choices on an order, by its status: keypad number -> the status it moves to, or
# CODE: enter the buyer's delivery code (which completes the order)
CODE = "code"
ORDER_CHOICES: dict[str, tuple[str, ...]] = {
    "pending": ("confirmed", "rejected"),
    "confirmed": ("dispatched", "delivered"),  # paid (only paid ones are listed)
    "dispatched": ("delivered", CODE),
    "delivered": (CODE,),
}


def _order(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("orders", items=state.data["items"])
    choices = ORDER_CHOICES.get(state.data["order"]["status"], ())
    choice = _choice(inp.value, len(choices))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("order_pin", order=state.data["order"], to=choices[choice - 1])


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
    to = str(state.data.get("to") or ("confirmed" if state.data.get("accept") else "rejected"))
    if to == CODE:  # the caller's own PIN first (as for every order action), then the buyer's code
        return _go("delivery_code", order=state.data["order"])
    order_id = state.data["order"]["id"]
    if to in ("confirmed", "rejected"):
        outcome = svc.perform(inp.index, "decide", {"order_id": order_id, "accept": to == "confirmed"})
    else:
        outcome = svc.perform(inp.index, "fulfil", {"order_id": order_id, "to": to})
    if outcome != "ok":
        return _end("order_gone" if outcome == "gone" else "busy")
    return _end({"confirmed": "accepted", "rejected": "rejected"}.get(to, f"marked_{to}"))


def _delivery_code(state: MenuState, inp: Input, svc: Services) -> MenuState:
    """The buyer's 6-digit delivery code, on a dispatched or delivered order (the farmer's own PIN
    was checked on the screen before): right -> completed and paid out; wrong -> the same screen
    with the tries left; locked -> the end, the buyer confirms receipt instead."""
    if inp.value == "0":
        return _end("cancelled")
    if not _CODE.match(inp.value):
        return _stay(state, "hint.code")
    outcome = svc.perform(
        inp.index, "delivery_code", {"order_id": state.data["order"]["id"], "code_at": inp.index}
    )
    if outcome.startswith("wrong:"):
        return _stay(state, "hint.wrong_code", left=int(outcome.removeprefix("wrong:")))
    ends = {"ok": "code_ok", "locked": "code_locked", "no_code": "no_code", "gone": "order_gone"}
    return _end(ends.get(outcome, "busy"))


def _receipts_pick(state: MenuState, inp: Input, svc: Services) -> MenuState:
    picked = _pick(state, inp)
    if isinstance(picked, MenuState):
        return picked
    return _go("receipt_pin", order=picked)


def _receipt_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    outcome = svc.perform(inp.index, "receipt", {"order_id": state.data["order"]["id"]})
    if outcome != "ok":
        return _end("order_gone" if outcome == "gone" else "busy")
    return _end("received")


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


# the name screen of "5 Register" opens a farmer's account from a name (as it always has), or first
# takes 1 or 2 (no name is a digit) for another role
REG_ROLES = {1: "buyer", 2: "transporter"}


def _reg_name(state: MenuState, inp: Input, svc: Services) -> MenuState:
    role = state.data.get("role")
    if role is None and inp.value in ("1", "2"):
        return _go("reg_name", role=REG_ROLES[int(inp.value)])
    name = " ".join(inp.value.split())
    if not _NAME.match(name):
        return _stay(state, "hint.name")
    return _go("reg_district", name=name.title(), **({"role": role} if role else {}))


def _reg_district(state: MenuState, inp: Input, svc: Services) -> MenuState:
    district = svc.district(inp.value) if len(inp.value) <= 40 else None
    if district is None:
        return _stay(state, "hint.district")
    role = state.data.get("role")
    return _go("pin_new", name=state.data["name"], district=district, **({"role": role} if role else {}))


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
    role = str(data.get("role") or "farmer")
    outcome = svc.perform(
        inp.index,
        "register",
        {"name": data["name"], "district": data["district"], "pin_at": state.data["pin_at"], "role": role},
    )
    if outcome == "taken":
        return _end("phone_taken")
    welcome = {"farmer": "welcome", "buyer": "welcome_buyer", "transporter": "welcome_transporter"}[role]
    return _end(welcome, name=data["name"]) if outcome == "ok" else _end("busy")


def _language(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    choice = _choice(inp.value, 2)
    if choice is None:
        return _stay(state, "hint.choice")
    language = "en" if choice == 1 else "lg"
    svc.perform(inp.index, "language", {"language": language})
    return _end("language_set", language=language)


# ---------------------------------------------------------------------------- price alerts (menu 7)
ALERT_LIST_SIZE = 3


def _alerts_entry(svc: Services) -> MenuState:
    return _go("alerts", items=svc.my_alerts(ALERT_LIST_SIZE))


def _alerts(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    items: list[dict[str, Any]] = state.data["items"]
    choice = _choice(inp.value, len(items) + 1)
    if choice is None:
        return _stay(state, "hint.choice")
    if choice == 1:
        return _go("alert_crop")
    return _go("alert", alert=items[choice - 2], items=items)


def _alert(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("alerts", items=state.data["items"])
    if _choice(inp.value, 1) is None:
        return _stay(state, "hint.choice")
    outcome = svc.perform(inp.index, "alert_stop", {"alert_id": state.data["alert"]["id"]})
    return _end({"ok": "alert_stopped", "gone": "alert_gone"}.get(outcome, "busy"))


def _alert_crop(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _alerts_entry(svc)
    choice = _choice(inp.value, len(PRICE_CROPS))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("alert_market", crop=PRICE_CROPS[choice - 1])


def _alert_market(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("alert_crop")
    choice = _choice(inp.value, len(PRICE_MARKETS))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("alert_rule", crop=state.data["crop"], market=PRICE_MARKETS[choice - 1])


def _alert_add(state: MenuState, inp: Input, svc: Services, rule: dict[str, Any]) -> MenuState:
    crop, market = state.data["crop"], state.data["market"]
    outcome = svc.perform(inp.index, "alert_add", {"crop": crop, "market": market, **rule})
    if outcome == "too_many":
        return _end("alert_too_many")
    return _end("alert_added", crop=crop, market=market) if outcome == "ok" else _end("busy")


def _alert_rule(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("alert_market", crop=state.data["crop"])
    choice = _choice(inp.value, 3)
    if choice is None:
        return _stay(state, "hint.choice")
    if choice == 3:
        return _alert_add(state, inp, svc, {"digest": True})
    return _go("alert_price", **state.data, rule="above_ugx" if choice == 1 else "below_ugx")


def _alert_price(state: MenuState, inp: Input, svc: Services) -> MenuState:
    price = _number(inp.value, 1, MAX_PRICE)
    if price is None:
        return _stay(state, "hint.number")
    return _alert_add(state, inp, svc, {state.data["rule"]: price})


# ---------------------------------------------------------------------------- 8 Weather
def _weather_entry(svc: Services) -> MenuState:
    """The caller's district's next days; a caller without a district (or not registered) picks one."""
    member = svc.member()
    if member is not None and member.district:
        return _weather_for(member.district, svc)
    return _go("weather_district")


def _weather_for(district: str, svc: Services) -> MenuState:
    forecast = svc.weather(district)
    if forecast is None:
        return _end("weather_unavailable")
    return _go("weather", **forecast)


def _weather_district(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    district = svc.district(inp.value) if len(inp.value) <= 40 else None
    if district is None:
        return _stay(state, "hint.district")
    return _weather_for(district, svc)


# ---------------------------------------------------------------------------- 2 My jobs (transporters)
# what a transporter may do with a job, by the booking's status (keypad order); DELIVER: enter the
# buyer's delivery code (which hands the produce over and completes the order)
DELIVER = "deliver"
JOB_CHOICES: dict[str, tuple[str, ...]] = {
    "requested": ("accept", "decline"),
    "accepted": ("pickup", "cancel"),
    "picked_up": (DELIVER,),
}


def _jobs_entry(svc: Services) -> MenuState:
    jobs = svc.my_jobs(LIST_SIZE)
    if not jobs:
        return _end("no_jobs")
    return _go("jobs", items=[x.model_dump() for x in jobs])


def _jobs_pick(state: MenuState, inp: Input, svc: Services) -> MenuState:
    picked = _pick(state, inp)
    if isinstance(picked, MenuState):
        return picked
    return _go("job", job=picked, items=state.data["items"])


def _job(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("jobs", items=state.data["items"])
    choices = JOB_CHOICES.get(state.data["job"]["status"], ())
    choice = _choice(inp.value, len(choices))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("job_pin", job=state.data["job"], action=choices[choice - 1])


# a job step's outcome -> the end screen (ok: by the step)
JOB_ENDS = {"changed": "job_changed", "gone": "job_gone", "busy": "busy"}
JOB_DONE = {
    "accept": "job_accepted",
    "decline": "job_declined",
    "pickup": "job_picked_up",
    "cancel": "job_cancelled",
    DELIVER: "job_delivered",
}


def _job_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    """The transporter's own PIN before every step; for a delivery, the buyer's code comes next."""
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    job, action = state.data["job"], str(state.data["action"])
    if action == DELIVER:
        return _go("job_code", job=job)
    outcome = svc.perform(inp.index, "job", {"booking_id": job["id"], "step": action})
    return _end(JOB_DONE[action] if outcome == "ok" else JOB_ENDS.get(outcome, "busy"))


def _job_code(state: MenuState, inp: Input, svc: Services) -> MenuState:
    """The buyer's 6-digit delivery code (read from the history, never kept): right -> delivered,
    the order completed; wrong -> the same screen with the tries left; locked -> the end."""
    if inp.value == "0":
        return _end("cancelled")
    if not _CODE.match(inp.value):
        return _stay(state, "hint.code")
    outcome = svc.perform(
        inp.index, "job_deliver", {"booking_id": state.data["job"]["id"], "code_at": inp.index}
    )
    if outcome.startswith("wrong:"):
        return _stay(state, "hint.wrong_code", left=int(outcome.removeprefix("wrong:")))
    ends = {"ok": "job_delivered", "locked": "job_code_locked", "no_code": "job_no_code", **JOB_ENDS}
    return _end(ends.get(outcome, "busy"))


# ---------------------------------------------------------------------------- 9 My coop (members)
# a member of a cooperative (issue 18): pick the coop (when in several), then 1 commit a quantity of
# one of its crops (PIN), 2 their allocations of pooled orders, each confirmed with the PIN
COOP_COMMIT_ENDS = {"ok": "coop_committed", "pooled": "coop_pooled", "gone": "coop_gone", "busy": "busy"}
COOP_CONFIRM_ENDS = {"ok": "coop_confirmed", "released": "coop_released", "gone": "coop_gone", "busy": "busy"}


def _coop_entry(member: Member, svc: Services) -> MenuState:
    if not member.sells:
        return _end("farmers_only")
    coops = svc.my_coops(LIST_SIZE)
    if not coops:
        return _end("no_coop")
    if len(coops) == 1:
        return _go("coop", coop=coops[0])
    return _go("coops", items=coops)


def _coops_pick(state: MenuState, inp: Input, svc: Services) -> MenuState:
    picked = _pick(state, inp)
    if isinstance(picked, MenuState):
        return picked
    return _go("coop", coop=picked)


def _coop(state: MenuState, inp: Input, svc: Services) -> MenuState:
    coop = state.data["coop"]
    if inp.value == "0":
        return _go("main")
    choice = _choice(inp.value, 2)
    if choice is None:
        return _stay(state, "hint.choice")
    if choice == 1:
        if len(coop["crops"]) == 1:
            return _go("coop_qty", coop=coop, crop=coop["crops"][0])
        return _go("coop_crop", coop=coop)
    parts = svc.coop_allocations(coop["id"], LIST_SIZE)
    if not parts:
        return _end("no_allocations")
    return _go("coop_allocs", coop=coop, items=parts)


def _coop_crop(state: MenuState, inp: Input, svc: Services) -> MenuState:
    coop = state.data["coop"]
    if inp.value == "0":
        return _go("coop", coop=coop)
    choice = _choice(inp.value, len(coop["crops"]))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("coop_qty", coop=coop, crop=coop["crops"][choice - 1])


def _coop_qty(state: MenuState, inp: Input, svc: Services) -> MenuState:
    kg = _number(inp.value, 1, MAX_KG)
    if kg is None:
        return _stay(state, "hint.number")
    return _go("coop_pin", coop=state.data["coop"], crop=state.data["crop"], kg=kg)


def _coop_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    crop, kg = state.data["crop"], state.data["kg"]
    outcome = svc.perform(
        inp.index, "coop_commit", {"coop_id": state.data["coop"]["id"], "crop": crop, "kg": kg}
    )
    return _end(COOP_COMMIT_ENDS.get(outcome, "busy"), crop=crop, kg=kg)


def _coop_allocs(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("coop", coop=state.data["coop"])
    choice = _choice(inp.value, len(state.data["items"]))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go(
        "coop_alloc", coop=state.data["coop"], part=state.data["items"][choice - 1], items=state.data["items"]
    )


def _coop_alloc(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("coop_allocs", coop=state.data["coop"], items=state.data["items"])
    if state.data["part"]["confirmed"] or _choice(inp.value, 1) is None:
        return _stay(state, "hint.choice")
    return _go("coop_alloc_pin", coop=state.data["coop"], part=state.data["part"])


def _coop_alloc_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    part = state.data["part"]
    outcome = svc.perform(
        inp.index, "coop_confirm", {"coop_id": state.data["coop"]["id"], "order_id": part["order_id"]}
    )
    return _end(COOP_CONFIRM_ENDS.get(outcome, "busy"), crop=part["crop"], kg=part["kg"])


# ---------------------------------------------------------------------------- 3 Add vehicle (transporters)
# the keypad order of the vehicle types (soko.logistics.models.VehicleType)
VEHICLE_TYPES = ("boda_boda", "bicycle", "pickup", "van", "lorry")
MAX_VEHICLE_DISTRICTS = 3  # the caller's own district and up to 2 more (the app takes more)
# logistics' bounds (soko.logistics.core_models), so a wrong number keeps its screen with a hint
VEHICLE_NUMBERS = {
    "veh_capacity": ("capacity_kg", 1, MAX_CAPACITY_KG, "hint.capacity"),
    "veh_per_km": ("price_per_km_ugx", 1, MAX_PRICE_PER_KM_UGX, "hint.per_km"),
    "veh_minimum": ("minimum_fare_ugx", 0, MAX_MINIMUM_FARE_UGX, "hint.minimum"),
}
VEHICLE_ENDS = {"ok": "vehicle_added", "plate_taken": "plate_taken", "invalid": "vehicle_refused"}


def _vehicle_entry(member: Member) -> MenuState:
    return _go("veh_type", base=member.district or "")


def _veh_type(state: MenuState, inp: Input, svc: Services) -> MenuState:
    if inp.value == "0":
        return _go("main")
    choice = _choice(inp.value, len(VEHICLE_TYPES))
    if choice is None:
        return _stay(state, "hint.choice")
    return _go("veh_plate", **state.data, type=VEHICLE_TYPES[choice - 1])


def _veh_plate(state: MenuState, inp: Input, svc: Services) -> MenuState:
    try:
        plate = normalise_plate(inp.value) if len(inp.value) <= 12 else None
    except ValueError:
        plate = None
    if plate is None:
        return _stay(state, "hint.plate")
    return _go("veh_capacity", **state.data, plate=plate)


def _veh_number(state: MenuState, inp: Input, svc: Services) -> MenuState:
    """Capacity, price per km or minimum fare: a whole number within logistics' bounds."""
    field, low, high, hint = VEHICLE_NUMBERS[state.screen]
    value = _number(inp.value, low, high)
    if value is None:
        return _stay(state, hint)
    data = {**state.data, field: value}
    if state.screen == "veh_capacity":  # the districts next: the caller's own first, when they have one
        base = str(data.pop("base", ""))
        return _go("veh_districts", **data, districts=[base] if base else [])
    return _go("veh_minimum" if state.screen == "veh_per_km" else "veh_pin", **data)


def _veh_districts(state: MenuState, inp: Input, svc: Services) -> MenuState:
    """Districts served, one a screen (resolved as registration resolves them), 0 when done; the
    first is the vehicle's base."""
    districts: list[str] = list(state.data["districts"])
    if inp.value == "0" and districts:
        return _go("veh_per_km", **state.data)
    district = svc.district(inp.value) if len(inp.value) <= 40 else None
    if district is None:
        return _stay(state, "hint.district")
    if district in districts:
        return _stay(state, "hint.district_twice")
    data = {**state.data, "districts": [*districts, district]}
    return _go("veh_per_km" if len(districts) + 1 >= MAX_VEHICLE_DISTRICTS else "veh_districts", **data)


def _veh_pin(state: MenuState, inp: Input, svc: Services) -> MenuState:
    """The caller's PIN, then logistics' own vehicle registration (``POST /transport/vehicles``'s)."""
    if inp.value == "0":
        return _end("cancelled")
    blocked = _pin_gate(state, inp, svc)
    if blocked is not None:
        return blocked
    d = state.data
    fields = ("type", "plate", "capacity_kg", "districts", "price_per_km_ugx", "minimum_fare_ugx")
    outcome = svc.perform(inp.index, "add_vehicle", {f: d[f] for f in fields})
    return _end(VEHICLE_ENDS.get(outcome, "busy"), plate=d["plate"])


STEPS: dict[str, Callable[[MenuState, Input, Services], MenuState]] = {
    "main": _main,
    "coops": _coops_pick,
    "coop": _coop,
    "coop_crop": _coop_crop,
    "coop_qty": _coop_qty,
    "coop_pin": _coop_pin,
    "coop_allocs": _coop_allocs,
    "coop_alloc": _coop_alloc,
    "coop_alloc_pin": _coop_alloc_pin,
    "price_crop": _price_crop,
    "price_market": _price_market,
    "orders": _orders_pick,
    "order": _order,
    "order_pin": _order_pin,
    "delivery_code": _delivery_code,
    "receipts": _receipts_pick,
    "receipt_pin": _receipt_pin,
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
    "alerts": _alerts,
    "alert": _alert,
    "alert_crop": _alert_crop,
    "alert_market": _alert_market,
    "alert_rule": _alert_rule,
    "alert_price": _alert_price,
    "weather_district": _weather_district,
    "jobs": _jobs_pick,
    "job": _job,
    "job_pin": _job_pin,
    "job_code": _job_code,
    "veh_type": _veh_type,
    "veh_plate": _veh_plate,
    "veh_capacity": _veh_number,
    "veh_districts": _veh_districts,
    "veh_per_km": _veh_number,
    "veh_minimum": _veh_number,
    "veh_pin": _veh_pin,
}


def step(state: MenuState, index: int, history: list[str], svc: Services) -> MenuState:
    """The state after the input at ``history[index]``. A state that ended stays ended."""
    handler = STEPS.get(state.screen)
    if handler is None:
        return state
    cleared = state.model_copy(update={"hint": None, "hint_values": {}})
    after = handler(cleared, Input(history[index], index, history), svc)
    if after.screen == "main" and not after.data:  # back to the main menu: the caller's own
        after = after.model_copy(update={"data": _home(svc)})
    return after


def fold(history: list[str], svc: Services, state: MenuState | None = None, start: int = 0) -> MenuState:
    state = state or MenuState(data=_home(svc))
    for index in range(start, len(history)):
        state = step(state, index, history, svc)
    return state
