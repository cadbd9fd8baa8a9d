"""District weather: the cached forecast, refreshed from the provider after the cache period and
served stale when the provider fails; and the heavy-rain rule (once per district and day) with its
fan-out of advice to the district's farmers.

Pure rules on narrow ports: the cache and the alert claims (:class:`ForecastStore`, the domain's
table), the provider (:class:`ForecastProvider`, Open-Meteo's adapter), the farmers of a district
(:class:`FarmerDirectory`, identity's public directory) and the bus (:class:`Publisher`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from soko.providers.http import ProviderError
from soko.providers.weather import DailyWeather
from soko.shared import clock, places
from soko.shared.errors import DependencyUnavailable, NotFound, Unprocessable
from soko.shared.events import EventDetail
from soko.shared.observability import logger
from soko.weather import texts
from soko.weather.events import HeavyRainForecast, WeatherAdviceIssued
from soko.weather.models import CachedForecast, DistrictWeather, WeatherDay

KEEP_LAST_FORECAST_DAYS = 7  # the cache item's TTL: the stale fallback outlives the cache period
ALERT_KEEP_DAYS = 3  # an alert claim outlives its day, so a later run cannot claim it again
FARMERS_PAGE = 100
_NAMEABLE = re.compile(r"^[A-Za-z][A-Za-z .'-]{0,39}$")


class ForecastStore(Protocol):
    def get_forecast(self, district: str) -> CachedForecast | None: ...
    def put_forecast(self, forecast: CachedForecast, expires_at: int) -> None: ...
    def claim_alert(self, district: str, day: date, expires_at: int) -> bool: ...
    def release_alert(self, district: str, day: date) -> None: ...


class ForecastProvider(Protocol):
    def forecast(self, latitude: float, longitude: float) -> list[DailyWeather]: ...


class FarmerDirectory(Protocol):
    def farmers(self, district: str, limit: int, cursor: str | None) -> tuple[list[str], str | None]:
        """One page of the ids of the farmers in ``district`` and the next page's cursor."""
        ...


class Publisher(Protocol):
    def publish(self, events: Iterable[EventDetail]) -> None: ...


def today_eat(now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(clock.EAT).date()


def resolve_district(text: str) -> str:
    """The canonical district for ``text``; an unknown one is a 404 that names it (when it reads as
    a name: anything else is not repeated back)."""
    try:
        return places.district(text)
    except Unprocessable:
        shown = " ".join(text.split())
        if _NAMEABLE.match(shown):
            raise NotFound(
                f"'{shown}' is not a Ugandan district we know.",
                code="UNKNOWN_DISTRICT",
                details={"district": shown},
            ) from None
        raise NotFound("That is not a Ugandan district we know.", code="UNKNOWN_DISTRICT") from None


@dataclass
class Weather:
    """District weather through the cache."""

    store: ForecastStore
    provider: ForecastProvider
    cache_hours: int
    now: Callable[[], datetime] = clock.now

    def district(self, text: str) -> DistrictWeather:
        """``GET /weather/{district}``: the cached forecast while it is fresh; else a new one from
        the provider; when the provider fails, the last cached one flagged stale (503 only when
        none was ever cached)."""
        name = resolve_district(text)
        cached = self.store.get_forecast(name)
        if cached is not None and not self._expired(cached):
            return self._view(cached, stale=False)
        return self.refresh(name, cached)

    def refresh(
        self, name: str, cached: CachedForecast | None = None, *, lookup: bool = False
    ) -> DistrictWeather:
        """A new forecast for the canonical district ``name`` from the provider (cached), or the last
        one flagged stale when the provider fails."""
        if lookup:
            cached = self.store.get_forecast(name)
        latitude, longitude = places.DISTRICTS[name]
        try:
            days = self.provider.forecast(latitude, longitude)
        except ProviderError as err:
            logger.warning("weather provider failed", extra={"district": name, "error": str(err)})
            if cached is None:
                raise DependencyUnavailable(
                    "The weather forecast is not available right now. Please try again later."
                ) from err
            return self._view(cached, stale=True)
        fresh = CachedForecast(
            district=name,
            fetched_at=clock.iso(self.now()),
            days=[
                WeatherDay(
                    date=d.day,
                    rain_mm=d.rain_mm,
                    rain_probability=d.rain_probability,
                    temp_min_c=d.temp_min_c,
                    temp_max_c=d.temp_max_c,
                )
                for d in days
            ],
        )
        expires = int(self.now().timestamp()) + KEEP_LAST_FORECAST_DAYS * 86400
        self.store.put_forecast(fresh, expires)
        return self._view(fresh, stale=False)

    def _expired(self, cached: CachedForecast) -> bool:
        fetched = datetime.fromisoformat(cached.fetched_at.replace("Z", "+00:00"))
        return self.now() - fetched >= timedelta(hours=self.cache_hours)

    def _view(self, cached: CachedForecast, *, stale: bool) -> DistrictWeather:
        today = today_eat(self.now())
        latitude, longitude = places.DISTRICTS[cached.district]
        return DistrictWeather(
            district=cached.district,
            latitude=latitude,
            longitude=longitude,
            fetched_at=cached.fetched_at,
            stale=stale,
            days=[d for d in cached.days if d.date >= today][:7],
        )


# ---------------------------------------------------------------------------- heavy rain
def heavy_days(forecast: DistrictWeather, threshold_mm: float) -> list[WeatherDay]:
    """The days of a forecast with at least ``threshold_mm`` of rain."""
    return [d for d in forecast.days if d.rain_mm >= threshold_mm]


@dataclass
class RainReport:
    districts_checked: int = 0
    districts_refreshed: int = 0
    provider_failures: int = 0
    alerts: list[str] = field(default_factory=list)


def _has_farmers(directory: FarmerDirectory, district: str) -> bool:
    ids, _ = directory.farmers(district, 1, None)
    return bool(ids)


def check_heavy_rain(
    weather: Weather,
    directory: FarmerDirectory,
    publisher: Publisher,
    threshold_mm: float,
    districts: Iterable[str] | None = None,
) -> RainReport:
    """The scheduled job: refresh the forecast of every district that has farmers and publish
    ``HeavyRainForecast`` once per district and day at or above the threshold (a conditional claim
    with a TTL; a claim whose event could not be published is released for the next run)."""
    report = RainReport()
    for name in sorted(districts if districts is not None else places.DISTRICTS):
        report.districts_checked += 1
        if not _has_farmers(directory, name):
            continue
        try:
            forecast = weather.refresh(name, lookup=True)
        except DependencyUnavailable:
            report.provider_failures += 1
            continue
        if forecast.stale:
            report.provider_failures += 1
            continue  # alert only on a fresh forecast
        report.districts_refreshed += 1
        for day in heavy_days(forecast, threshold_mm):
            expires = int(datetime.combine(day.date, datetime.min.time(), clock.EAT).timestamp())
            if not weather.store.claim_alert(name, day.date, expires + ALERT_KEEP_DAYS * 86400):
                continue
            event = HeavyRainForecast(district=name, day=day.date, rain_mm=day.rain_mm)
            try:
                publisher.publish([event])
            except Exception:
                weather.store.release_alert(name, day.date)
                raise
            report.alerts.append(f"{name}:{day.date.isoformat()}")
    return report


def _advice(event: HeavyRainForecast, farmer_id: str, today: date) -> WeatherAdviceIssued:
    title, body, sms = texts.heavy_rain(event.district, event.day, event.rain_mm)
    return WeatherAdviceIssued(
        notice_id=f"weather:heavy-rain:{event.district}:{event.day.isoformat()}:{farmer_id}",
        user_id=farmer_id,
        category="weather",
        urgent=event.day <= today + timedelta(days=1),  # today or tomorrow: quiet hours or not
        title=title,
        body=body,
        sms=sms,
        data={"district": event.district, "day": event.day.isoformat(), "rain_mm": round(event.rain_mm)},
    )


def _farmer_pages(directory: FarmerDirectory, district: str) -> Iterator[list[str]]:
    cursor: str | None = None
    while True:
        ids, cursor = directory.farmers(district, FARMERS_PAGE, cursor)
        yield ids
        if not cursor:
            return


def advise_farmers(
    event: HeavyRainForecast, directory: FarmerDirectory, publisher: Publisher, now: datetime | None = None
) -> int:
    """The consumer of ``HeavyRainForecast``: one ``WeatherAdviceIssued`` notice per farmer of the
    district, a directory page at a time. A notice's id is fixed by (district, day, farmer), so a
    retried event repeats no delivery (the notification pipeline delivers a notice id once). A day
    already past is not advised."""
    today = today_eat(now)
    if event.day < today:
        return 0
    sent = 0
    for ids in _farmer_pages(directory, event.district):
        if ids:
            publisher.publish([_advice(event, farmer_id, today) for farmer_id in ids])
            sent += len(ids)
    return sent
