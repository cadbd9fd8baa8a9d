"""USSD ``8 Weather`` against a fake world: a registered caller's own district, a caller without one
picks a district, a stale forecast says so, no forecast ends politely; every screen within 182
characters in English and Luganda."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from soko.ussd import menu, screens
from soko.ussd.models import ListingLine, Member, OrderLine, PinCheck
from soko.ussd.texts import MAX_SCREEN, Language

FORECAST = {
    "district": "Nakapiripirit",
    "fetched_at": "2026-12-02T06:00:00Z",
    "stale": False,
    "days": [[f"2026-12-{d:02d}", 145.6 if d == 3 else 2.0, 17.2, 28.4] for d in range(2, 9)],
}


class FakeWorld:
    def __init__(self, language: Language = "en", district: str | None = "Nakapiripirit") -> None:
        self.language: Language = language
        self._district = district
        self.forecast_of: dict[str, Any] | None = FORECAST
        self.asked: list[str] = []

    def member(self) -> Member | None:
        if self._district is None:
            return None
        return Member(user_id="f1", role="farmer", name="Akello", district=self._district, has_pin=True)

    def forecast(self, crop_id: str, market_id: str) -> list[tuple[date, int]] | None:
        return None

    def pending_orders(self, limit: int) -> list[OrderLine]:
        return []

    def my_orders(self, limit: int) -> list[OrderLine]:
        return []

    def my_listings(self, limit: int) -> list[ListingLine]:
        return []

    def district(self, text: str) -> str | None:
        return {"gulu": "Gulu", "nakapiripirit": "Nakapiripirit"}.get(text.lower())

    def weather(self, district: str) -> dict[str, Any] | None:
        self.asked.append(district)
        return None if self.forecast_of is None else {**self.forecast_of, "district": district}

    def check_pin(self, pin: str) -> PinCheck:
        return PinCheck(outcome="ok")

    def perform(self, step: int, action: str, args: dict[str, Any]) -> str:
        raise AssertionError("weather changes nothing")


def screen(world: FakeWorld, *inputs: str) -> str:
    reply = screens.render(menu.fold(list(inputs), world), world.language)
    assert len(reply.text) <= MAX_SCREEN, reply.text
    return reply.text


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_main_menu_offers_weather(language: Language) -> None:
    text = screen(FakeWorld(language))
    assert ("\n8 Weather\n" if language == "en" else "\n8 Obudde\n") in text  # then "9 My coop"


def test_a_registered_caller_gets_their_districts_next_days() -> None:
    world = FakeWorld()
    text = screen(world, "8")
    assert world.asked == ["Nakapiripirit"]
    assert text.startswith(
        "END Weather in Nakapiripirit (rain, temp):\nWed 2: 2mm, 17-28C\nThu 3: 146mm, 17-28C"
    )
    assert text.count("\n") == 7  # all seven days fit


def test_luganda_shows_the_same_days() -> None:
    text = screen(FakeWorld("lg"), "8")
    assert text.startswith("END Obudde e Nakapiripirit (enkuba, ebbugumu):\n2/12: 2mm, 17-28C\n3/12: 146mm")


@pytest.mark.parametrize("language", ["en", "lg"])
def test_a_stale_forecast_says_how_old_it_is(language: Language) -> None:
    world = FakeWorld(language)
    world.forecast_of = {**FORECAST, "stale": True}
    text = screen(world, "8")
    expected = (
        "Old forecast, from 2 Dec 09:00:" if language == "en" else "Okuteebereza okukadde, okwa 2 Dec 09:00:"
    )
    assert text.split("\n")[1] == expected


@pytest.mark.parametrize("language", ["en", "lg"])
def test_a_caller_without_a_district_picks_one(language: Language) -> None:
    world = FakeWorld(language, district=None)
    ask = screen(world, "8")
    assert ask.startswith("CON ") and ("district" in ask or "disitulikiti" in ask)
    assert "nknown district" in screen(world, "8", "Atlantis") or "temanyiddwa" in screen(
        world, "8", "Atlantis"
    )
    assert screen(world, "8", "0").startswith("CON Soko")
    assert (
        screen(world, "8", "gulu")
        .split("\n")[0]
        .endswith("Gulu (rain, temp):" if language == "en" else "Gulu (enkuba, ebbugumu):")
    )


@pytest.mark.parametrize("language", ["en", "lg"])
def test_no_forecast_at_all_ends_politely(language: Language) -> None:
    world = FakeWorld(language)
    world.forecast_of = None
    text = screen(world, "8")
    assert text.startswith("END ") and ("not available" in text or "tekufunika" in text)
