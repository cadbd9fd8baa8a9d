"""Open-Meteo's forecast API (GET {base}/v1/forecast; see docs/providers.md#open-meteo-weather).

No key. One request per district: its coordinates, the four daily variables Soko shows, Kampala's
time zone (so a "day" is a Ugandan day) and 7 days. The answer is parsed strictly: every daily
array present, as long as ``time``, dates consecutive, numbers in physical bounds; anything else
is a :class:`WeatherError`, as is a 4xx/5xx or an unreachable host. A 5xx or an unreachable host
is tried again (``attempts`` in all, with a short back-off); a 4xx is not (our request is wrong).
"""

from __future__ import annotations

import math
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from soko.providers.http import ProviderError, ProviderResponse, request

DAILY = ("precipitation_sum", "temperature_2m_max", "temperature_2m_min", "precipitation_probability_max")
TIMEZONE = "Africa/Kampala"
FORECAST_DAYS = 7


class WeatherError(ProviderError):
    """Open-Meteo could not be reached, refused the request or answered something we cannot read."""


@dataclass(frozen=True)
class DailyWeather:
    day: date
    rain_mm: float
    rain_probability: int | None  # percent; Open-Meteo leaves it null where it has no ensemble
    temp_min_c: float
    temp_max_c: float


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WeatherError(f"Open-Meteo's {name} is not a number")
    if not low <= value <= high:
        raise WeatherError(f"Open-Meteo's {name} is out of range")
    return float(value)


def _columns(body: Any, days: int) -> tuple[list[Any], dict[str, list[Any]]]:
    if not isinstance(body, dict):
        raise WeatherError("Open-Meteo's answer is not a JSON object")
    if body.get("error") is True:
        raise WeatherError("Open-Meteo answered with an error")
    daily = body.get("daily")
    if not isinstance(daily, dict):
        raise WeatherError("Open-Meteo's answer has no daily block")
    times = daily.get("time")
    if not isinstance(times, list) or not 1 <= len(times) <= days:
        raise WeatherError("Open-Meteo's daily.time is missing or has the wrong length")
    columns: dict[str, list[Any]] = {}
    for name in DAILY:
        column = daily.get(name)
        if not isinstance(column, list) or len(column) != len(times):
            raise WeatherError(f"Open-Meteo's daily.{name} is missing or not as long as daily.time")
        columns[name] = column
    return times, columns


def _date(text: Any) -> date:
    try:
        if isinstance(text, str) and len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise WeatherError("Open-Meteo's daily.time holds something other than YYYY-MM-DD")


def _day(day: date, columns: dict[str, list[Any]], i: int) -> DailyWeather:
    probability = columns["precipitation_probability_max"][i]
    low = _number(columns["temperature_2m_min"][i], "temperature_2m_min", -60, 60)
    high = _number(columns["temperature_2m_max"][i], "temperature_2m_max", -60, 60)
    if low > high:
        raise WeatherError("Open-Meteo's minimum temperature is above its maximum")
    return DailyWeather(
        day=day,
        rain_mm=round(_number(columns["precipitation_sum"][i], "precipitation_sum", 0, 2000), 1),
        rain_probability=None
        if probability is None
        else round(_number(probability, "precipitation_probability_max", 0, 100)),
        temp_min_c=round(low, 1),
        temp_max_c=round(high, 1),
    )


def parse_forecast(body: Any, *, days: int = FORECAST_DAYS) -> list[DailyWeather]:
    """The days of an Open-Meteo forecast answer (strict: see the module's docstring)."""
    times, columns = _columns(body, days)
    out: list[DailyWeather] = []
    for i, text in enumerate(times):
        day = _date(text)
        if out and day != out[-1].day + timedelta(days=1):
            raise WeatherError("Open-Meteo's days are not consecutive")
        out.append(_day(day, columns, i))
    return out


class OpenMeteo:
    """The forecast of a point (latitude, longitude) for the next 7 days."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 4.0,
        attempts: int = 3,
        backoff_seconds: float = 0.2,
        send: Callable[..., ProviderResponse] = request,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._url = base_url.rstrip("/") + "/v1/forecast"
        self._timeout = timeout
        self._attempts = max(1, attempts)
        self._backoff = backoff_seconds
        self._send = send
        self._sleep = sleep

    def url(self, latitude: float, longitude: float) -> str:
        query = urllib.parse.urlencode(
            {
                "latitude": f"{latitude:.2f}",
                "longitude": f"{longitude:.2f}",
                "daily": ",".join(DAILY),
                "timezone": TIMEZONE,
                "forecast_days": FORECAST_DAYS,
            },
            safe=",/",
        )
        return f"{self._url}?{query}"

    def forecast(self, latitude: float, longitude: float) -> list[DailyWeather]:
        url = self.url(latitude, longitude)
        failure = "Open-Meteo was not tried"
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._send("GET", url, timeout=self._timeout)
            except ProviderError as err:
                failure = str(err)
                continue
            if response.status >= 500 or response.status == 429:
                failure = f"Open-Meteo answered HTTP {response.status}"
                continue
            if response.status >= 400:
                raise WeatherError(f"Open-Meteo refused the request (HTTP {response.status})")
            return parse_forecast(response.json())
        raise WeatherError(failure)
