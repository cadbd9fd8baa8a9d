"""Open-Meteo's adapter: the request it makes, strict parsing of the answer, and retries of 5xx and
unreachable hosts only."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from soko.providers.http import ProviderError, ProviderResponse
from soko.providers.weather import OpenMeteo, WeatherError, parse_forecast


def answer(days: int = 7, **changes: Any) -> dict[str, Any]:
    daily: dict[str, Any] = {
        "time": [f"2026-12-{d:02d}" for d in range(2, 2 + days)],
        "precipitation_sum": [0.0, 45.27, 3.1, 0.0, 12.0, 1.0, 0.4][:days],
        "temperature_2m_max": [28.1, 26.0, 27.5, 29.0, 30.2, 28.8, 27.0][:days],
        "temperature_2m_min": [17.2, 18.0, 17.9, 16.5, 18.1, 17.0, 16.9][:days],
        "precipitation_probability_max": [10, 95, 40, None, 60, 20, 15][:days],
    }
    daily.update(changes)
    return {"latitude": 2.77, "longitude": 32.31, "timezone": "Africa/Kampala", "daily": daily}


def test_a_good_answer_is_read_day_by_day() -> None:
    days = parse_forecast(answer())
    assert len(days) == 7
    assert days[1].day == date(2026, 12, 3)
    assert days[1].rain_mm == 45.3
    assert days[1].rain_probability == 95
    assert (days[1].temp_min_c, days[1].temp_max_c) == (18.0, 26.0)
    assert days[3].rain_probability is None  # Open-Meteo's null: unknown, kept as such


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"error": True, "reason": "Invalid timezone"},
        {"daily": None},
        answer(time=[]),
        answer(precipitation_sum=[1.0] * 6),
        answer(temperature_2m_max=["28"] * 7),
        answer(precipitation_sum=[-1.0] + [0.0] * 6),
        answer(precipitation_sum=[float("nan")] + [0.0] * 6),
        answer(temperature_2m_min=[40.0] * 7),  # above the maximum
        answer(precipitation_probability_max=[101] * 7),
        answer(precipitation_sum=[True] * 7),
        answer(time=["2026-12-02", "2026-12-04", *[f"2026-12-{d}" for d in range(5, 10)]]),
        answer(time=["02/12/2026", *[f"2026-12-0{d}" for d in range(3, 9)]]),
        {k: v for k, v in answer().items() if k != "daily"},
        answer(days=7) | {"daily": {**answer()["daily"], "time": [f"2026-12-{d:02d}" for d in range(2, 10)]}},
    ],
)
def test_anything_else_is_refused_whole(body: Any) -> None:
    with pytest.raises(WeatherError):
        parse_forecast(body)


class Scripted:
    def __init__(self, *replies: ProviderResponse | Exception) -> None:
        self.replies = list(replies)
        self.urls: list[str] = []

    def __call__(self, method: str, url: str, **kwargs: Any) -> ProviderResponse:
        assert method == "GET"
        self.urls.append(url)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def ok() -> ProviderResponse:
    return ProviderResponse(200, json.dumps(answer()).encode())


def test_the_request_names_the_point_the_variables_the_time_zone_and_seven_days() -> None:
    send = Scripted(ok())
    OpenMeteo("https://api.open-meteo.com/", send=send).forecast(2.77, 32.31)
    url = urlsplit(send.urls[0])
    assert (url.scheme, url.netloc, url.path) == ("https", "api.open-meteo.com", "/v1/forecast")
    query = parse_qs(url.query)
    assert query == {
        "latitude": ["2.77"],
        "longitude": ["32.31"],
        "daily": ["precipitation_sum,temperature_2m_max,temperature_2m_min,precipitation_probability_max"],
        "timezone": ["Africa/Kampala"],
        "forecast_days": ["7"],
    }


def test_a_5xx_or_an_unreachable_host_is_tried_again_then_given_up() -> None:
    sleeps: list[float] = []
    send = Scripted(ProviderResponse(503, b""), ProviderError("provider unreachable"), ok())
    days = OpenMeteo("http://x", send=send, sleep=sleeps.append).forecast(0.32, 32.58)
    assert len(days) == 7 and len(send.urls) == 3 and sleeps == [0.2, 0.4]

    send = Scripted(*[ProviderResponse(500, b"")] * 3)
    with pytest.raises(WeatherError, match="HTTP 500"):
        OpenMeteo("http://x", send=send, sleep=lambda s: None).forecast(0.32, 32.58)
    assert len(send.urls) == 3


def test_a_4xx_is_not_tried_again() -> None:
    send = Scripted(ProviderResponse(400, b'{"error": true, "reason": "bad"}'))
    with pytest.raises(WeatherError, match="refused"):
        OpenMeteo("http://x", send=send, sleep=lambda s: None).forecast(0.32, 32.58)
    assert len(send.urls) == 1


def test_a_body_that_is_not_json_is_a_provider_error() -> None:
    send = Scripted(ProviderResponse(200, b"<html>"))
    with pytest.raises(ProviderError):
        OpenMeteo("http://x", send=send).forecast(0.32, 32.58)
