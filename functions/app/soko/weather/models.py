"""The weather domain's models: its configuration, the forecast it answers and what it caches."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from soko.shared.config import BaseConfig


class WeatherConfig(BaseConfig):
    """A function that reads district weather (the endpoint, USSD, the heavy-rain job)."""

    weather_table_name: str = Field(min_length=1)
    weather_base_url: str = Field(pattern=r"^https?://")
    weather_cache_hours: int = Field(default=3, ge=1, le=48)


class HeavyRainConfig(WeatherConfig):
    """The heavy-rain job: also the threshold and the bus."""

    heavy_rain_mm: float = Field(default=30.0, gt=0, le=500)
    event_bus_name: str = Field(min_length=1)
    users_table_name: str = Field(min_length=1)


class AdviceConfig(BaseConfig):
    """The advice consumer: the farmers' directory and the bus."""

    event_bus_name: str = Field(min_length=1)
    users_table_name: str = Field(min_length=1)


class WeatherDay(BaseModel):
    """One day of a district's forecast (the day in Kampala's time zone)."""

    model_config = ConfigDict(frozen=True)

    date: date
    rain_mm: float = Field(ge=0, description="expected precipitation, millimetres (one decimal)")
    rain_probability: int | None = Field(
        default=None, ge=0, le=100, description="the day's highest chance of rain, percent (null: unknown)"
    )
    temp_min_c: float = Field(description="lowest temperature, degrees Celsius")
    temp_max_c: float = Field(description="highest temperature, degrees Celsius")


class DistrictWeather(BaseModel):
    """``GET /weather/{district}``: the district's next days, how old the forecast is and whether
    it is stale (the provider failed and this is the last forecast we had)."""

    model_config = ConfigDict(frozen=True)

    district: str = Field(description="the canonical district name", examples=["Gulu"])
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    fetched_at: str = Field(
        description="when the forecast was fetched from the provider (UTC, ISO 8601 with Z)",
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$",
        examples=["2026-12-02T09:30:00Z"],
    )
    stale: bool = Field(
        description="true when the provider could not be reached and this is the last forecast "
        "cached, older than the cache period"
    )
    source: str = Field(default="open-meteo", description="who made the forecast")
    days: list[WeatherDay] = Field(max_length=7, description="today first, up to 7 days")


class CachedForecast(BaseModel):
    """A district's last forecast as the cache holds it."""

    district: str
    fetched_at: str
    days: list[WeatherDay]
