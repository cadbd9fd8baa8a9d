"""GET /weather/{district} in-process against moto, with the adapter pointed at the Open-Meteo twin:
the answer's shape, the cache, the stale fallback when the provider fails, the 503 when nothing was
ever cached, unknown districts, and that the route is public."""

from __future__ import annotations

from datetime import date, timedelta

import requests

from soko.shared import clock
from support.gateway import Api
from support.sandbox import SandboxServer
from support.tables import Table


def calls(sandbox: SandboxServer) -> int:
    return int(requests.get(f"{sandbox.url}/_sandbox/weather/_calls", timeout=5).json()["calls"])


def fault(sandbox: SandboxServer, status: int = 503) -> None:
    sandbox.post("/weather/_faults", {"status": status})


def test_a_districts_seven_days_from_the_provider_then_from_the_cache(
    gateway: Api, sandbox: SandboxServer, weather_table: Table
) -> None:
    sandbox.post(
        "/weather/_forecast", {"district": "Gulu", "day_offset": 1, "rain_mm": 45.2, "probability": 90}
    )
    before = calls(sandbox)
    body = gateway.get("/weather/gulu").expect(200).json  # any spelling; public: no token
    assert body["district"] == "Gulu" and body["stale"] is False and body["source"] == "open-meteo"
    assert (body["latitude"], body["longitude"]) == (2.77, 32.31)
    today = clock.now().astimezone(clock.EAT).date()
    assert [d["date"] for d in body["days"]] == [(today + timedelta(days=n)).isoformat() for n in range(7)]
    tomorrow = body["days"][1]
    assert (tomorrow["rain_mm"], tomorrow["rain_probability"]) == (45.2, 90)
    assert all(d["temp_min_c"] <= d["temp_max_c"] and d["rain_mm"] >= 0 for d in body["days"])
    assert set(body) == {"district", "latitude", "longitude", "fetched_at", "stale", "source", "days"}

    item = weather_table.item("FORECAST#Gulu", "LATEST")
    assert item is not None and item["fetched_at"] == body["fetched_at"]
    assert item["expires_at"] > clock.epoch() + 6 * 86400  # kept a week as the stale fallback

    again = gateway.get("/weather/Gulu").expect(200).json
    assert again == body and calls(sandbox) == before + 1  # served from the cache


def test_a_failing_provider_gives_the_last_forecast_flagged_stale(
    gateway: Api, sandbox: SandboxServer, weather_table: Table
) -> None:
    fresh = gateway.get("/weather/Lira").expect(200).json
    item = weather_table.item("FORECAST#Lira", "LATEST")
    assert item is not None
    four_hours_ago = clock.iso(clock.now() - timedelta(hours=4))  # older than the cache period (3 h)
    weather_table.table.update_item(
        Key={"pk": "FORECAST#Lira", "sk": "LATEST"},
        UpdateExpression="SET fetched_at = :t",
        ExpressionAttributeValues={":t": four_hours_ago},
    )
    fault(sandbox)
    before = calls(sandbox)
    stale = gateway.get("/weather/Lira").expect(200).json
    assert stale["stale"] is True and stale["fetched_at"] == four_hours_ago
    assert stale["days"] == fresh["days"]
    assert calls(sandbox) == before + 3  # the adapter tried three times
    requests.delete(f"{sandbox.url}/_sandbox/weather/_faults", timeout=5)
    recovered = gateway.get("/weather/Lira").expect(200).json
    assert recovered["stale"] is False and recovered["fetched_at"] > four_hours_ago


def test_nothing_ever_cached_and_the_provider_down_is_a_503_json(
    gateway: Api, sandbox: SandboxServer
) -> None:
    fault(sandbox, 502)
    reply = gateway.get("/weather/Mbale").expect(503, "DEPENDENCY_UNAVAILABLE")
    assert "weather" in reply.error["message"].lower()


def test_an_unknown_district_is_a_404_naming_it(gateway: Api, weather_table: Table) -> None:
    reply = gateway.get("/weather/Atlantis").expect(404, "UNKNOWN_DISTRICT")
    assert "Atlantis" in reply.error["message"] and reply.error["details"] == {"district": "Atlantis"}
    assert weather_table.items() == []


def test_the_district_may_be_a_town_alias(gateway: Api) -> None:
    assert gateway.get("/weather/Fort%20Portal").expect(200).json["district"] == "Kabarole"


def test_days_already_past_are_not_shown(gateway: Api, weather_table: Table) -> None:
    today = clock.now().astimezone(clock.EAT).date()
    yesterday = today - timedelta(days=1)
    weather_table.table.put_item(
        Item={
            "pk": "FORECAST#Jinja",
            "sk": "LATEST",
            "district": "Jinja",
            "fetched_at": clock.now_iso(),
            "days": [
                {
                    "date": d.isoformat(),
                    "rain_mm": 1,
                    "rain_probability": None,
                    "temp_min_c": 18,
                    "temp_max_c": 27,
                }
                for d in (yesterday, today)
            ],
        }
    )
    days = gateway.get("/weather/Jinja").expect(200).json["days"]
    assert [date.fromisoformat(d["date"]) for d in days] == [today]
    assert days[0]["rain_probability"] is None


def test_a_district_name_longer_than_any_is_a_422(gateway: Api) -> None:
    gateway.get("/weather/" + "a" * 61).expect(422)
