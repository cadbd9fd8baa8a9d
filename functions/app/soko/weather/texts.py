"""The heavy-rain advice in English and Luganda: a title, the app's body and an SMS of at most 160
characters (tests check every district's longest name at the heaviest rain)."""

from __future__ import annotations

from datetime import date

from soko.shared.notices import Texts

WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Luganda weekdays (Bbalaza = Monday ... Sabbiiti = Sunday); dates as day/month
WEEKDAYS_LG = ("Bbalaza", "Lwakubiri", "Lwakusatu", "Lwakuna", "Lwakutaano", "Lwamukaaga", "Sabbiiti")


def day_en(day: date) -> str:
    """``Thu 3 Dec``."""
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {MONTHS_EN[day.month - 1]}"


def day_lg(day: date) -> str:
    """``Lwakuna 3/12``."""
    return f"{WEEKDAYS_LG[day.weekday()]} {day.day}/{day.month}"


def mm(rain_mm: float) -> str:
    return str(round(rain_mm))


def heavy_rain(district: str, day: date, rain_mm: float) -> tuple[Texts, Texts, Texts]:
    """(title, body, sms) of the advice for heavy rain in ``district`` on ``day``."""
    rain = mm(rain_mm)
    sms = Texts(
        en=f"Heavy rain expected in {district} on {day_en(day)} ({rain} mm). "
        "Dry and store harvested grain, delay spraying.",
        lg=f"Enkuba nnyingi esuubirwa e {district} ku {day_lg(day)} ({rain} mm). "
        "Kaza era otereke emmere ekungiddwa, lindako okufuuyira.",
    )
    title = Texts(en=f"Heavy rain in {district}", lg=f"Enkuba nnyingi e {district}")
    body = Texts(
        en=f"{sms.en} Cover stored produce and clear drainage around stores. Forecast: Open-Meteo.",
        lg=f"{sms.lg} Bikka ebirime by'otereseeko era oggulewo emyala okwetooloola sitoowa. "
        "Okuteebereza: Open-Meteo.",
    )
    return title, body, sms
