"""What other domains may read of the weather domain (USSD shows a district's forecast): the same
cached-or-fresh forecast as ``GET /weather/{district}``, with its errors."""

from __future__ import annotations

from soko.weather.deps import weather
from soko.weather.models import DistrictWeather, WeatherDay

__all__ = ["DistrictWeather", "WeatherDay", "district_weather"]


def district_weather(district: str) -> DistrictWeather:
    """The forecast of ``district`` (a name in any spelling the catalogue knows). Raises
    ``NotFound`` for an unknown district and ``DependencyUnavailable`` when the provider fails and
    nothing was ever cached; a stale forecast is returned flagged ``stale``."""
    return weather().district(district)
