"""Every alert's words in English and Luganda (pure): SMS texts within one SMS (160 characters) for
alerts and replies, two parts (306) for the weekly digest; each price says the date it is from and
how old it is."""

from __future__ import annotations

from datetime import date

from soko.ml.public import find_market
from soko.shared import crops
from soko.shared.notices import SMS_LIMIT, SMS_TWO_PARTS, Texts

SHORT_CROP = {
    "maize_grain": "Maize",
    "yellow_beans": "Beans",
    "irish_potatoes": "Potatoes",
    "cassava_chips": "Cassava chips",
    "matoke": "Matoke",
}
SHORT_MARKET = {"Kisenyi_Kampala": "Kampala"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def crop_name(crop_id: str, language: str) -> str:
    crop = crops.by_id(crop_id)
    if language == "lg" and crop is not None:
        return crop.luganda
    return SHORT_CROP.get(crop_id) or (crop.name if crop else crop_id)


def market_name(market_id: str) -> str:
    market = find_market(market_id)
    return SHORT_MARKET.get(market_id) or (market.name if market else market_id)


def ugx(amount: float) -> str:
    return f"{round(amount):,}"


def day_text(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def age(day: date, today: date, language: str) -> str:
    """``2 Dec 2026, today`` / ``3 days old`` in the reader's language."""
    days = max(0, (today - day).days)
    if language == "lg":
        when = "leero" if days == 0 else ("jjo" if days == 1 else f"ennaku {days} emabega")
    else:
        when = "today" if days == 0 else ("yesterday" if days == 1 else f"{days} days old")
    return f"{day_text(day)}, {when}"


def _both(make: dict[str, str]) -> Texts:
    return Texts(en=make["en"], lg=make["lg"])


def _fit(text: str, limit: int = SMS_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# ------------------------------------------------------------------ threshold alerts
def threshold(
    crop: str, market: str, *, price: int, limit: int, direction: str, day: date, today: date
) -> dict[str, Texts]:
    words = {
        "en": {"above": "reached", "below": "fell to"},
        "lg": {"above": "etuuse", "below": "ekka okutuuka"},
    }
    title = {
        "en": f"{crop_name(crop, 'en')} in {market_name(market)}: UGX {ugx(price)}/kg",
        "lg": f"{crop_name(crop, 'lg')} e {market_name(market)}: UGX {ugx(price)}/kilo",
    }
    en_rule = f"{'at or above' if direction == 'above' else 'at or below'} your UGX {ugx(limit)}"
    lg_rule = f"{'waggulu' if direction == 'above' else 'wansi'} wa UGX {ugx(limit)} gy'wasaba"
    body = {
        "en": f"The price of {crop_name(crop, 'en')} in {market_name(market)} {words['en'][direction]} "
        f"UGX {ugx(price)}/kg ({age(day, today, 'en')}), {en_rule}.",
        "lg": f"Bbeeyi ya {crop_name(crop, 'lg')} e {market_name(market)} {words['lg'][direction]} "
        f"UGX {ugx(price)}/kilo ({age(day, today, 'lg')}), {lg_rule}.",
    }
    sms = {
        "en": _fit(
            f"Soko: {crop_name(crop, 'en')} {market_name(market)} UGX {ugx(price)}/kg "
            f"({age(day, today, 'en')}), {en_rule}. STOP to end"
        ),
        "lg": _fit(
            f"Soko: {crop_name(crop, 'lg')} e {market_name(market)} UGX {ugx(price)}/kilo "
            f"({age(day, today, 'lg')}), {lg_rule}. STOP okukomya"
        ),
    }
    return {"title": _both(title), "body": _both(body), "sms": _both(sms)}


# ------------------------------------------------------------------ forecast moves
def forecast_move(
    crop: str, market: str, *, now: float, ahead: float, pct: int, data_through: date, today: date
) -> dict[str, Texts]:
    up = ahead >= now
    en_move = f"{'up' if up else 'down'} {abs(pct)}%"
    lg_move = f"{'bweyongera' if up else 'bukka'} {abs(pct)}%"
    title = {
        "en": f"{crop_name(crop, 'en')} in {market_name(market)}: {en_move} in 4 weeks",
        "lg": f"{crop_name(crop, 'lg')} e {market_name(market)}: {lg_move} mu wiiki 4",
    }
    body = {
        "en": f"The forecast for {crop_name(crop, 'en')} in {market_name(market)}: UGX {ugx(now)}/kg now, "
        f"UGX {ugx(ahead)}/kg in 4 weeks ({en_move}). Prices up to {age(data_through, today, 'en')}.",
        "lg": f"Bbeeyi ya {crop_name(crop, 'lg')} e {market_name(market)}: UGX {ugx(now)}/kilo kati, "
        f"UGX {ugx(ahead)}/kilo mu wiiki 4 ({lg_move}). Bbeeyi za {age(data_through, today, 'lg')}.",
    }
    sms = {
        "en": _fit(
            f"Soko: {crop_name(crop, 'en')} {market_name(market)} forecast {en_move} in 4 wks, "
            f"UGX {ugx(now)} to {ugx(ahead)}/kg (data {age(data_through, today, 'en')}). STOP to end"
        ),
        "lg": _fit(
            f"Soko: {crop_name(crop, 'lg')} e {market_name(market)} {lg_move} mu wiiki 4, "
            f"UGX {ugx(now)} okutuuka {ugx(ahead)}/kilo ({age(data_through, today, 'lg')}). STOP okukomya"
        ),
    }
    return {"title": _both(title), "body": _both(body), "sms": _both(sms)}


# ------------------------------------------------------------------ the weekly digest
def digest_line(
    crop: str,
    market: str,
    *,
    price: float | None,
    ahead: float | None,
    data_through: date | None,
    stale: bool,
    today: date,
    language: str,
) -> str:
    name = f"{crop_name(crop, language)} {market_name(market)}"
    if price is None or data_through is None:
        return f"{name}: {'tewali bbeeyi' if language == 'lg' else 'no prices yet'}"
    when = age(data_through, today, language)
    if stale:  # never shown as current, and no outlook
        return f"{name}: {ugx(price)} ({when}; {'nkadde' if language == 'lg' else 'old'})"
    outlook = f", {'wiiki 4' if language == 'lg' else '4 wks'} {ugx(ahead)}" if ahead is not None else ""
    return f"{name}: {ugx(price)} ({when}){outlook}"


def digest(lines: dict[str, list[str]]) -> dict[str, Texts]:
    head = {"en": "Soko weekly prices, UGX/kg", "lg": "Bbeeyi za wiiki eno, UGX/kilo"}
    out: dict[str, dict[str, str]] = {"title": {}, "body": {}, "sms": {}}
    for language in ("en", "lg"):
        out["title"][language] = head[language]
        out["body"][language] = head[language] + ":\n" + "\n".join(lines[language])
        sms = f"Soko: {head[language]}"
        for i, line in enumerate(lines[language]):
            more = f"; +{len(lines[language]) - i} {'endala' if language == 'lg' else 'more'} in app"
            if len(sms) + 2 + len(line) + len(more) > SMS_TWO_PARTS:
                sms += more
                break
            sms += f"; {line}" if i else f": {line}"
        out["sms"][language] = _fit(sms, SMS_TWO_PARTS)
    return {k: Texts(**v) for k, v in out.items()}


# ------------------------------------------------------------------ SMS keyword replies
def subscribed(crop: str, market: str, rule_en: str, rule_lg: str) -> Texts:
    return Texts(
        en=_fit(
            f"Soko: you get {crop_name(crop, 'en')} prices for {market_name(market)}: {rule_en}. "
            f"Reply STOP {crop_name(crop, 'en').upper()} to end, STOP for all."
        ),
        lg=_fit(
            f"Soko: ojja kufuna bbeeyi ya {crop_name(crop, 'lg')} e {market_name(market)}: {rule_lg}. "
            f"Weereza STOP okukomya."
        ),
    )


def already(crop: str, market: str) -> Texts:
    return Texts(
        en=f"Soko: you already get {crop_name(crop, 'en')} prices for {market_name(market)}.",
        lg=f"Soko: osasiddwa dda ku bbeeyi ya {crop_name(crop, 'lg')} e {market_name(market)}.",
    )


def stopped(count: int, crop: str | None) -> Texts:
    if count == 0:
        return Texts(en="Soko: you had no price alerts to stop.", lg="Soko: tolina bbeeyi z'okukomya.")
    what_en = f"{crop_name(crop, 'en')} alerts" if crop else "all your price alerts"
    what_lg = f"bbeeyi ya {crop_name(crop, 'lg')}" if crop else "bbeeyi zonna"
    return Texts(
        en=f"Soko: stopped {what_en}. Send PRICE MAIZE LIRA to start again.",
        lg=f"Soko: tukomezza {what_lg}. Weereza BBEEYI KASOOLI LIRA okuddamu.",
    )


def too_many(limit: int) -> Texts:
    return Texts(
        en=f"Soko: you have {limit} price alerts, the most allowed. Send STOP MAIZE to end one first.",
        lg=f"Soko: olina bbeeyi {limit}, ze nnyingi ezikkirizibwa. Sooka okomye emu: STOP KASOOLI.",
    )


HELP = Texts(
    en="Soko prices: send PRICE MAIZE LIRA (weekly prices), PRICE MAIZE LIRA ABOVE 1500 or BELOW 900. "
    "STOP ends all, STOP MAIZE one.",
    lg="Soko: weereza BBEEYI KASOOLI LIRA (bbeeyi buli wiiki), oba BBEEYI KASOOLI LIRA WAGGULU 1500 / "
    "WANSI 900. STOP okukomya.",
)
