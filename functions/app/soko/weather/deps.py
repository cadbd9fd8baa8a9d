"""The weather domain's dependencies (cheap per request: config and clients cache themselves)."""

from __future__ import annotations

from soko.identity.public import Users
from soko.providers.weather import OpenMeteo
from soko.shared.bus import EventPublisher
from soko.shared.config import load
from soko.weather.dal import WeatherDal
from soko.weather.logic import Weather
from soko.weather.models import AdviceConfig, HeavyRainConfig, WeatherConfig


def weather(config: WeatherConfig | None = None) -> Weather:
    config = config or load(WeatherConfig)
    return Weather(
        store=WeatherDal(config.weather_table_name),
        provider=OpenMeteo(config.weather_base_url),
        cache_hours=config.weather_cache_hours,
    )


class FarmersOfDistrict:
    """The farmers of a district, through identity's public directory (its by-district index)."""

    def __init__(self, users_table_name: str):
        self._users = Users(users_table_name)

    def farmers(self, district: str, limit: int, cursor: str | None) -> tuple[list[str], str | None]:
        entries, next_cursor = self._users.directory_page("farmer", limit, cursor, district=district)
        return [e.id for e in entries], next_cursor


def heavy_rain() -> tuple[Weather, FarmersOfDistrict, EventPublisher, float]:
    config = load(HeavyRainConfig)
    return (
        weather(config),
        FarmersOfDistrict(config.users_table_name),
        EventPublisher(config.event_bus_name),
        config.heavy_rain_mm,
    )


def advice() -> tuple[FarmersOfDistrict, EventPublisher]:
    config = load(AdviceConfig)
    return FarmersOfDistrict(config.users_table_name), EventPublisher(config.event_bus_name)
