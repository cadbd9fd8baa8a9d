"""The weather rules against in-memory fakes: the cache and its stale fallback, unknown districts,
the heavy-rain rule (once per district and day) and the advice it fans out, in both languages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import pytest

from soko.providers.http import ProviderError
from soko.providers.weather import DailyWeather
from soko.shared import places
from soko.shared.errors import DependencyUnavailable, NotFound
from soko.shared.events import EventDetail
from soko.shared.notices import SMS_LIMIT
from soko.weather import logic, texts
from soko.weather.events import HeavyRainForecast, WeatherAdviceIssued
from soko.weather.models import CachedForecast

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 09:00 in Kampala, a Wednesday
TODAY = date(2026, 12, 2)


class Store:
    def __init__(self) -> None:
        self.forecasts: dict[str, CachedForecast] = {}
        self.alerts: dict[tuple[str, date], int] = {}

    def get_forecast(self, district: str) -> CachedForecast | None:
        return self.forecasts.get(district)

    def put_forecast(self, forecast: CachedForecast, expires_at: int) -> None:
        self.forecasts[forecast.district] = forecast

    def claim_alert(self, district: str, day: date, expires_at: int) -> bool:
        if (district, day) in self.alerts:
            return False
        self.alerts[(district, day)] = expires_at
        return True

    def release_alert(self, district: str, day: date) -> None:
        self.alerts.pop((district, day), None)


class Provider:
    def __init__(self, rain: dict[int, float] | None = None) -> None:
        self.rain = rain or {}
        self.failing = False
        self.calls = 0

    def forecast(self, latitude: float, longitude: float) -> list[DailyWeather]:
        self.calls += 1
        if self.failing:
            raise ProviderError("provider unreachable: URLError")
        return [
            DailyWeather(TODAY + timedelta(days=n), self.rain.get(n, 2.0), 30, 17.0, 28.0) for n in range(7)
        ]


class Directory:
    def __init__(self, farmers: dict[str, list[str]]) -> None:
        self.by_district = farmers
        self.pages = 0

    def farmers(self, district: str, limit: int, cursor: str | None) -> tuple[list[str], str | None]:
        self.pages += 1
        ids = self.by_district.get(district, [])
        start = int(cursor or 0)
        end = start + limit
        return ids[start:end], (str(end) if end < len(ids) else None)


class Bus:
    def __init__(self) -> None:
        self.events: list[EventDetail] = []
        self.fail = False

    def publish(self, events: Iterable[EventDetail]) -> None:
        if self.fail:
            raise RuntimeError("PutEvents failed")
        self.events += list(events)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def weather(provider: Provider, store: Store | None = None, clock: Clock | None = None) -> logic.Weather:
    return logic.Weather(store=store or Store(), provider=provider, cache_hours=3, now=clock or Clock())


def test_the_forecast_is_cached_for_the_cache_period_then_fetched_again() -> None:
    provider, clock = Provider(), Clock()
    service = weather(provider, clock=clock)
    first = service.district("gulu")
    assert (first.district, first.stale, len(first.days), first.fetched_at) == (
        "Gulu",
        False,
        7,
        "2026-12-02T06:00:00Z",
    )
    assert (first.latitude, first.longitude) == places.DISTRICTS["Gulu"]
    clock.now = NOW + timedelta(hours=2, minutes=59)
    assert service.district("Gulu") == first and provider.calls == 1
    clock.now = NOW + timedelta(hours=3)
    assert service.district("Gulu").fetched_at == "2026-12-02T09:00:00Z" and provider.calls == 2


def test_a_failing_provider_gives_the_last_forecast_flagged_stale_or_a_503_without_one() -> None:
    provider, clock = Provider(), Clock()
    service = weather(provider, clock=clock)
    fresh = service.district("Gulu")
    provider.failing = True
    clock.now = NOW + timedelta(days=1, hours=1)
    stale = service.district("Gulu")
    assert stale.stale and stale.fetched_at == fresh.fetched_at
    assert stale.days[0].date == TODAY + timedelta(days=1)  # yesterday is no forecast
    with pytest.raises(DependencyUnavailable):
        service.district("Lira")


@pytest.mark.parametrize(("text", "named"), [("Atlantis", True), ("<script>", False), ("x" * 60, False)])
def test_an_unknown_district_is_a_404_naming_it_only_when_it_reads_as_a_name(text: str, named: bool) -> None:
    with pytest.raises(NotFound) as caught:
        weather(Provider()).district(text)
    assert caught.value.code == "UNKNOWN_DISTRICT"
    assert (text in caught.value.message) is named


def test_heavy_rain_is_published_once_per_district_and_day_and_only_where_farmers_are() -> None:
    provider = Provider(rain={1: 45.0, 4: 30.0, 5: 29.9})
    store, bus = Store(), Bus()
    directory = Directory({"Gulu": ["f1"], "Lira": []})
    service = weather(provider, store)
    report = logic.check_heavy_rain(service, directory, bus, 30.0, ["Gulu", "Lira"])
    assert report.alerts == ["Gulu:2026-12-03", "Gulu:2026-12-06"]
    assert [(e.district, e.day, e.rain_mm) for e in bus.events if isinstance(e, HeavyRainForecast)] == [
        ("Gulu", date(2026, 12, 3), 45.0),
        ("Gulu", date(2026, 12, 6), 30.0),
    ]
    assert provider.calls == 1  # Lira has no farmers: not fetched
    again = logic.check_heavy_rain(service, directory, bus, 30.0, ["Gulu", "Lira"])
    assert again.alerts == [] and len(bus.events) == 2


def test_no_alert_from_a_stale_forecast_and_a_failed_publish_releases_its_claim() -> None:
    provider, store, bus = Provider(rain={0: 80.0}), Store(), Bus()
    directory = Directory({"Gulu": ["f1"]})
    service = weather(provider, store)
    service.district("Gulu")  # cached, no rain alert yet
    provider.failing = True
    report = logic.check_heavy_rain(service, directory, bus, 30.0, ["Gulu"])
    assert report.provider_failures == 1 and bus.events == []
    provider.failing, bus.fail = False, True
    with pytest.raises(RuntimeError):
        logic.check_heavy_rain(service, directory, bus, 30.0, ["Gulu"])
    assert store.alerts == {}
    bus.fail = False
    assert logic.check_heavy_rain(service, directory, bus, 30.0, ["Gulu"]).alerts == ["Gulu:2026-12-02"]


def test_the_advice_goes_to_every_farmer_of_the_district_page_by_page() -> None:
    farmers = [f"f{n}" for n in range(250)]
    directory, bus = Directory({"Gulu": farmers}), Bus()
    event = HeavyRainForecast(district="Gulu", day=date(2026, 12, 3), rain_mm=45.2)
    assert logic.advise_farmers(event, directory, bus, NOW) == 250
    assert directory.pages == 3
    notices = [e for e in bus.events if isinstance(e, WeatherAdviceIssued)]
    assert [n.user_id for n in notices] == farmers
    first = notices[0]
    assert first.notice_id == "weather:heavy-rain:Gulu:2026-12-03:f0"
    assert first.category == "weather" and first.urgent  # tomorrow
    assert first.sms.en == (
        "Heavy rain expected in Gulu on Thu 3 Dec (45 mm). Dry and store harvested grain, delay spraying."
    )
    assert first.sms.lg.startswith("Enkuba nnyingi esuubirwa e Gulu ku Lwakuna 3/12 (45 mm).")
    assert first.data == {"district": "Gulu", "day": "2026-12-03", "rain_mm": 45}
    # the same event again: the same notice ids (the pipeline delivers each once)
    logic.advise_farmers(event, directory, bus, NOW)
    assert {n.notice_id for n in bus.events} == {n.notice_id for n in notices}


def test_advice_for_a_later_day_is_not_urgent_and_a_past_day_is_not_advised() -> None:
    directory, bus = Directory({"Gulu": ["f1"]}), Bus()
    later = HeavyRainForecast(district="Gulu", day=date(2026, 12, 5), rain_mm=40)
    logic.advise_farmers(later, directory, bus, NOW)
    assert isinstance(bus.events[0], WeatherAdviceIssued) and not bus.events[0].urgent
    past = HeavyRainForecast(district="Gulu", day=date(2026, 12, 1), rain_mm=40)
    assert logic.advise_farmers(past, directory, bus, NOW) == 0


@pytest.mark.parametrize("district", sorted(places.DISTRICTS))
def test_every_districts_advice_fits_one_sms_in_both_languages(district: str) -> None:
    for offset in range(7):  # every weekday name, Lwakutaano and Lwamukaaga the longest
        title, body, sms = texts.heavy_rain(district, date(2026, 12, 2) + timedelta(days=offset), 1999.6)
        for text in (sms.en, sms.lg):
            assert len(text) <= SMS_LIMIT, text
            assert text.isascii()
        assert district in title.en and district in title.lg
        assert body.en.startswith(sms.en) and body.lg.startswith(sms.lg)
