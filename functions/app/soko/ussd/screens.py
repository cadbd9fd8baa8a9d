"""The USSD screens: a :class:`MenuState` as the text the gateway shows (pure), and the labels and
numbers on them. The state machine that reaches a state is :mod:`soko.ussd.menu`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from soko.ml.public import Freshness, age_text, day_text
from soko.shared import clock
from soko.shared import crops as catalogue
from soko.ussd.models import MenuState, Reply, plain_ascii
from soko.ussd.texts import (
    MARKET_LABELS,
    MAX_SCREEN,
    PRICE_CROPS,
    PRICE_MARKETS,
    SHORT_CROP_EN,
    WEEKDAYS_EN,
    Language,
    t,
)


# ---------------------------------------------------------------------------- labels and numbers
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


# ---------------------------------------------------------------------------- screens
def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{n} {line}" for n, line in enumerate(lines, 1))


def _order_line(item: dict[str, Any], language: Language) -> str:
    return f"{crop_label(item['crop'], language)} {item['kg']}kg"


def _listing_line(item: dict[str, Any], language: Language) -> str:
    return f"{crop_label(item['crop'], language)} {item['kg']}kg @{money(int(item['price']))}"


def _price_age(day: str | None, age_days: int | None, lang: Language) -> dict[str, str]:
    """The date of the newest price and its age, in the screen's language (``15 Apr 2025``,
    ``20 months old``)."""
    through = date.fromisoformat(day) if day else None
    fresh = Freshness(data_through=through, age_days=age_days if through else None, stale=False)
    return {"date": day_text(through) if through else "?", "age": age_text(fresh, lang)}


def _forecast(data: dict[str, Any], lang: Language) -> str:
    weeks = [(date.fromisoformat(d), int(p)) for d, p in data["weeks"]]
    header = t(lang, "forecast", crop=crop_label(data["crop"], lang), market=market_label(data["market"]))
    lines = [header]
    if "through" in data:  # a screen saved before prices said their age has none
        lines.append(t(lang, "price_age", **_price_age(data["through"], data.get("age"), lang)))
    lines += [f"{d.strftime('%d %b')}: {money(p)}" for d, p in weeks]
    first, last = weeks[0][1], weeks[-1][1]
    pct = round(abs(last - first) * 100 / first) if first else 0
    trend = "trend.flat" if pct < 2 else "trend.up" if last > first else "trend.down"
    lines.append(t(lang, trend, pct=pct))
    return "\n".join(lines)


def _stale_prices(data: dict[str, Any], lang: Language) -> str:
    return t(
        lang,
        "stale_prices",
        crop=crop_label(data["crop"], lang),
        market=market_label(data["market"]),
        price=money(int(data["price"])),
        **_price_age(data.get("day"), data.get("age"), lang),
    )


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


def _receipts_menu(d: dict[str, Any], lang: Language) -> str:
    lines = _numbered([_order_line(i, lang) for i in d["items"]])
    return f"{t(lang, 'to_receive')}\n{lines}\n{t(lang, 'back')}"


def _receipt_confirm(d: dict[str, Any], lang: Language) -> str:
    o = d["order"]
    text = t(lang, "confirm_receipt", kg=o["kg"], crop=crop_label(o["crop"], lang), total=money(o["total"]))
    return f"{text}\n{t(lang, 'pin_to_confirm')}"


def _order_screen(d: dict[str, Any], lang: Language) -> str:
    o = d["order"]
    key = {"confirmed": "order_paid", "dispatched": "order_dispatched", "delivered": "order_delivered"}.get(
        o.get("status", "pending"), "order"
    )
    text = t(
        lang,
        key,
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


def _weather(d: dict[str, Any], lang: Language) -> str:
    """A district's next days, one line each (the lines that do not fit are left out by render)."""
    lines = [t(lang, "weather", district=d["district"])]
    if d.get("stale"):
        lines.append(t(lang, "weather_stale", when=weather_time(d["fetched_at"])))
    for iso_day, rain, low, high in d["days"]:
        day = date.fromisoformat(iso_day)
        label = f"{WEEKDAYS_EN[day.weekday()]} {day.day}" if lang == "en" else f"{day.day}/{day.month}"
        lines.append(f"{label}: {round(rain)}mm, {round(low)}-{round(high)}C")
    return "\n".join(lines)


def weather_time(fetched_at: str) -> str:
    """``2 Dec 14:05`` (EAT)."""
    return clock.eat_text(fetched_at).removesuffix(" EAT").replace(f" {fetched_at[:4]},", "")


# ---------------------------------------------------------------------------- 2 My jobs (transporters)
_HINT_ROOM = 16  # the longest hint a list screen may carry ("Invalid choice. ")


def _day(iso_day: str, lang: Language) -> str:
    day = date.fromisoformat(iso_day)
    return f"{day.day} {day:%b}" if lang == "en" else f"{day.day}/{day.month}"


def _job_crop(job: dict[str, Any], lang: Language, width: int = 14) -> str:
    return crop_label(job["crop"], lang)[:width] if job.get("crop") else f"{job['kg']}kg"


def _jobs_menu(d: dict[str, Any], lang: Language) -> str:
    """``1 Maize Gulu>Kampala 150,000 new`` a line; long crop and district names are cut (all lines
    alike) until the screen fits with a hint, so no job and not the "0 Back" line is ever lost."""
    budget = MAX_SCREEN - 4 - _HINT_ROOM
    text = ""
    for width in range(14, 2, -1):
        lines = [
            f"{_job_crop(j, lang, width)} {j['origin'][:width]}>{j['destination'][:width]} "
            f"{money(int(j['fare']))} {t(lang, 'jobstatus.' + j['status'])}"
            for j in d["items"]
        ]
        text = f"{t(lang, 'jobs')}\n{_numbered(lines)}\n{t(lang, 'back')}"
        if len(text) <= budget:
            break
    return text


def _job_screen(d: dict[str, Any], lang: Language) -> str:
    j = d["job"]
    values = {
        "kg": j["kg"],
        "crop": _job_crop(j, lang) if j.get("crop") else "",
        "origin": j["origin"][:20],
        "destination": j["destination"][:20],
        "day": _day(j["day"], lang),
        "fare": money(int(j["fare"])),
    }
    text = t(lang, "job." + j["status"], **values).replace("kg \n", "kg\n")
    return f"{text}\n{t(lang, 'back')}"


def _job_pin(d: dict[str, Any], lang: Language) -> str:
    return f"{t(lang, 'job_ask.' + d['action'])}\n{t(lang, 'pin_to_confirm')}"


def _register_name(d: dict[str, Any], lang: Language) -> str:
    return t(lang, f"ask_name.{d['role']}" if d.get("role") else "ask_name")


def _main(d: dict[str, Any], lang: Language) -> str:
    """A transporter's main menu ("jobs" in its data): 2 My jobs, 3 Add vehicle, no 4 My listings."""
    text = t(lang, "main")
    if not d.get("jobs"):
        return text
    for farmer, transporter in (("menu.orders", "menu.jobs"), ("menu.sell", "menu.vehicle")):
        text = text.replace(t(lang, farmer), t(lang, transporter), 1)
    return text.replace(t(lang, "menu.listings"), "", 1).replace(t(lang, "menu.coop"), "", 1)


# ---------------------------------------------------------------------------- 9 My coop (members)
def _coops_menu(d: dict[str, Any], lang: Language) -> str:
    return f"{t(lang, 'coops')}\n{_numbered([c['name'] for c in d['items']])}\n{t(lang, 'back')}"


def _coop_menu(d: dict[str, Any], lang: Language) -> str:
    return f"{t(lang, 'coop', name=d['coop']['name'])}\n{t(lang, 'back')}"


def _coop_crops(d: dict[str, Any], lang: Language) -> str:
    crops = _numbered([crop_label(c, lang) for c in d["coop"]["crops"]])
    return f"{t(lang, 'coop_choose_crop')}\n{crops}\n{t(lang, 'back')}"


def _coop_qty(d: dict[str, Any], lang: Language) -> str:
    return t(lang, "coop_ask_kg", crop=crop_label(d["crop"], lang))


def _coop_commit_pin(d: dict[str, Any], lang: Language) -> str:
    values = {"kg": d["kg"], "crop": crop_label(d["crop"], lang), "name": d["coop"]["name"]}
    return f"{t(lang, 'coop_confirm_commit', **values)}\n{t(lang, 'pin_to_confirm')}"


def _coop_allocs(d: dict[str, Any], lang: Language) -> str:
    lines = [
        f"{crop_label(p['crop'], lang)} {p['kg']}kg {t(lang, 'allocstatus.' + p['status'])}"
        + ("*" if p["confirmed"] else "")
        for p in d["items"]
    ]
    return f"{t(lang, 'coop_allocs')}\n{_numbered(lines)}\n{t(lang, 'back')}"


def _coop_alloc(d: dict[str, Any], lang: Language) -> str:
    p = d["part"]
    values = {
        "kg": p["kg"],
        "crop": crop_label(p["crop"], lang),
        "status": t(lang, "allocstatus." + p["status"]),
    }
    action = t(lang, "coop_alloc.confirmed" if p["confirmed"] else "coop_alloc.confirm")
    return f"{t(lang, 'coop_alloc', **values)}\n{action}\n{t(lang, 'back')}"


def _coop_alloc_pin(d: dict[str, Any], lang: Language) -> str:
    p = d["part"]
    text = t(lang, "coop_confirm_alloc", kg=p["kg"], crop=crop_label(p["crop"], lang))
    return f"{text}\n{t(lang, 'pin_to_confirm')}"


# ---------------------------------------------------------------------------- 3 Add vehicle (transporters)
_PIN_HINT_ROOM = 24  # the longest hint the PIN screen may carry ("PIN nkyamu, osigazza 2. ")


def _vehicle_type_menu(d: dict[str, Any], lang: Language) -> str:
    types = _numbered([t(lang, "vehicle." + v) for v in ("boda_boda", "bicycle", "pickup", "van", "lorry")])
    return f"{t(lang, 'veh_type')}\n{types}\n{t(lang, 'back')}"


def _vehicle_districts(d: dict[str, Any], lang: Language) -> str:
    if not d["districts"]:
        return t(lang, "veh_base")
    return t(lang, "veh_districts", districts=", ".join(d["districts"]))


def _vehicle_confirm(d: dict[str, Any], lang: Language) -> str:
    """The vehicle to add, then the PIN prompt; long district names are cut (all alike) until the
    screen fits with a wrong-PIN hint, so the prompt is never lost."""
    budget = MAX_SCREEN - 4 - _PIN_HINT_ROOM
    text = ""
    for width in range(14, 2, -1):
        text = t(
            lang,
            "veh_confirm",
            type=t(lang, "vehicle." + d["type"]),
            plate=d["plate"],
            kg=d["capacity_kg"],
            districts=", ".join(x[:width] for x in d["districts"]),
            per_km=money(int(d["price_per_km_ugx"])),
            minimum=money(int(d["minimum_fare_ugx"])),
        )
        text = f"{text}\n{t(lang, 'pin_to_confirm')}"
        if len(text) <= budget:
            break
    return text


def _text(key: str) -> Callable[[dict[str, Any], Language], str]:
    return lambda d, lang: t(lang, key)


def _rule_text(alert: dict[str, Any], lang: Language) -> str:
    if alert.get("above_ugx"):
        return t(lang, "rule.above", price=money(int(alert["above_ugx"])))
    if alert.get("below_ugx"):
        return t(lang, "rule.below", price=money(int(alert["below_ugx"])))
    if alert.get("forecast_move_pct"):
        return t(lang, "rule.move", pct=alert["forecast_move_pct"])
    return t(lang, "rule.digest")


def _alert_line(alert: dict[str, Any], lang: Language) -> str:
    return f"{crop_label(alert['crop'], lang)} {market_label(alert['market'])} {_rule_text(alert, lang)}"


def _alerts_menu(d: dict[str, Any], lang: Language) -> str:
    lines = [t(lang, "alerts"), *(f"{n} {_alert_line(a, lang)}" for n, a in enumerate(d["items"], 2))]
    return "\n".join([*lines, t(lang, "back")])


def _alert_screen(d: dict[str, Any], lang: Language) -> str:
    a = d["alert"]
    text = t(
        lang,
        "alert",
        crop=crop_label(a["crop"], lang),
        market=market_label(a["market"]),
        rule=_rule_text(a, lang),
    )
    return f"{text}\n{t(lang, 'back')}"


def _alert_rule_menu(d: dict[str, Any], lang: Language) -> str:
    text = t(lang, "alert_rule", crop=crop_label(d["crop"], lang), market=market_label(d["market"]))
    return f"{text}\n{t(lang, 'back')}"


# screen -> (ends the session, the screen's text)
SCREENS: dict[str, tuple[bool, Callable[[dict[str, Any], Language], str]]] = {
    "main": (False, _main),
    "coops": (False, _coops_menu),
    "coop": (False, _coop_menu),
    "coop_crop": (False, _coop_crops),
    "coop_qty": (False, _coop_qty),
    "coop_pin": (False, _coop_commit_pin),
    "coop_allocs": (False, _coop_allocs),
    "coop_alloc": (False, _coop_alloc),
    "coop_alloc_pin": (False, _coop_alloc_pin),
    "price_crop": (False, _crop_menu),
    "sell_crop": (False, _crop_menu),
    "price_market": (False, _market_menu),
    "forecast": (True, _forecast),
    "stale_prices": (True, _stale_prices),
    "orders": (False, _orders_menu),
    "end_orders": (True, _buyer_orders),
    "order": (False, _order_screen),
    "order_pin": (False, _text("pin_to_confirm")),
    "delivery_code": (False, _text("ask_code")),
    "receipts": (False, _receipts_menu),
    "receipt_pin": (False, _receipt_confirm),
    "listing_pin": (False, _text("pin_to_confirm")),
    "sell_qty": (False, _text("ask_qty")),
    "sell_price": (False, _text("ask_price")),
    "sell_pin": (False, _sell_confirm),
    "listings": (False, _listings_menu),
    "listing": (False, _listing_screen),
    "listing_value": (False, lambda d, lang: t(lang, "ask_new_qty" if d["field"] == "kg" else "ask_price")),
    "reg_name": (False, _register_name),
    "reg_district": (False, _text("ask_district")),
    "pin_new": (False, lambda d, lang: t(lang, "set_pin" if d.get("set_only") else "choose_pin")),
    "pin_repeat": (False, _text("repeat_pin")),
    "language": (False, _text("choose_language")),
    "alerts": (False, _alerts_menu),
    "alert": (False, _alert_screen),
    "alert_crop": (False, _crop_menu),
    "alert_market": (False, _market_menu),
    "alert_rule": (False, _alert_rule_menu),
    "alert_price": (False, _text("alert_price")),
    "weather_district": (False, _text("weather_ask_district")),
    "weather": (True, _weather),
    "jobs": (False, _jobs_menu),
    "job": (False, _job_screen),
    "job_pin": (False, _job_pin),
    "job_code": (False, _text("ask_code")),
    "veh_type": (False, _vehicle_type_menu),
    "veh_plate": (False, _text("veh_plate")),
    "veh_capacity": (False, _text("veh_capacity")),
    "veh_districts": (False, _vehicle_districts),
    "veh_per_km": (False, _text("veh_per_km")),
    "veh_minimum": (False, _text("veh_minimum")),
    "veh_pin": (False, _vehicle_confirm),
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
