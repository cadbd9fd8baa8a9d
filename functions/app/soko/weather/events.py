"""The weather domain's event contracts (source ``soko.weather``)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from soko.shared.events import EventDetail
from soko.shared.notices import Notice


class HeavyRainForecast(EventDetail):
    """Heavy rain is expected in a district on a day (published once per district and day)."""

    SOURCE: ClassVar[str] = "soko.weather"
    DETAIL_TYPE: ClassVar[str] = "HeavyRainForecast"

    district: str
    day: date
    rain_mm: float = Field(ge=0)


class WeatherAdviceIssued(Notice):
    """Advice for one farmer about weather in their district (heavy rain: dry and store grain...)."""

    SOURCE: ClassVar[str] = "soko.weather"
    DETAIL_TYPE: ClassVar[str] = "WeatherAdviceIssued"
