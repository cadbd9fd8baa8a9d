"""The farmer's "Enter buyer's delivery code" path of the USSD menu, against a fake world: which
orders offer it, the caller's PIN before the code, each outcome's screen, and that the code is read
from the history (never kept in the state)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from soko.ussd import menu, screens
from soko.ussd.models import ListingLine, Member, OrderLine, PinCheck
from soko.ussd.texts import MAX_SCREEN, Language

PIN = "2468"
CODE = "482913"


class FakeWorld:
    def __init__(self, status: str, outcome: str = "ok", language: Language = "en") -> None:
        self.language: Language = language
        self.order = OrderLine(
            id="o1",
            crop="maize",
            kg="1000000",
            price=10_000_000,
            total=10_000_000_000_000,
            status=status,
            paid=True,
        )
        self.outcome = outcome
        self.performed: list[tuple[int, str, dict[str, Any]]] = []

    def member(self) -> Member | None:
        return Member(user_id="f1", role="farmer", name="Akello", district="Gulu", has_pin=True)

    def forecast(self, crop_id: str, market_id: str) -> list[tuple[date, int]] | None:
        return None

    def pending_orders(self, limit: int) -> list[OrderLine]:
        return [self.order]

    def my_orders(self, limit: int) -> list[OrderLine]:
        return []

    def my_listings(self, limit: int) -> list[ListingLine]:
        return []

    def district(self, text: str) -> str | None:
        return None

    def check_pin(self, pin: str) -> PinCheck:
        return PinCheck(outcome="ok") if pin == PIN else PinCheck(outcome="wrong", tries_left=2)

    def perform(self, step: int, action: str, args: dict[str, Any]) -> str:
        self.performed.append((step, action, args))
        return self.outcome


def screen(world: FakeWorld, *inputs: str) -> str:
    state = menu.fold(list(inputs), world)
    reply = screens.render(state, world.language)
    assert len(reply.text) <= MAX_SCREEN, reply.text
    assert CODE not in str(state.model_dump()), "the code is never kept in the state"
    return reply.text


def test_a_delivered_order_offers_only_the_code_and_asks_the_callers_pin_first() -> None:
    world = FakeWorld("delivered")
    assert screen(world, "2", "1").endswith("delivered\n1 Enter buyer's delivery code\n0 Back")
    assert screen(world, "2", "1", "2").startswith("CON Invalid choice.")
    assert screen(world, "2", "1", "1") == "CON Enter your PIN to confirm or 0 to cancel:"
    assert screen(world, "2", "1", "1", "1111").startswith("CON Wrong PIN, 2 left.")
    assert screen(world, "2", "1", "1", PIN).startswith("CON Enter the buyer's 6-digit delivery code")
    assert world.performed == []


@pytest.mark.parametrize("bad", ["12345", "1234567", "abcdef", "", "48291a"])
def test_a_code_that_is_not_six_digits_is_not_tried(bad: str) -> None:
    world = FakeWorld("dispatched")
    assert screen(world, "2", "1", "2", PIN, bad).startswith("CON A code is 6 digits.")
    assert world.performed == []


@pytest.mark.parametrize(
    ("outcome", "text"),
    [
        ("ok", "END Done: the buyer confirmed delivery; your payment is released."),
        ("wrong:1", "CON Wrong code, 1 left. Enter the buyer's 6-digit delivery code or 0 to cancel:"),
        ("locked", "END The code is locked after 5 wrong tries."),
        ("no_code", "END This order has no delivery code."),
        ("gone", "END This order can no longer be changed."),
        ("busy", "END Someone changed this at the same time."),
    ],
)
def test_each_outcome_has_its_screen(outcome: str, text: str) -> None:
    world = FakeWorld("dispatched", outcome)
    assert screen(world, "2", "1", "2", PIN, CODE).startswith(text)
    assert world.performed == [(4, "delivery_code", {"order_id": "o1", "code_at": 4})]


@pytest.mark.parametrize("language", ["en", "lg"])
@pytest.mark.parametrize("outcome", ["ok", "wrong:4", "locked", "no_code"])
def test_the_code_screens_fit_in_both_languages(language: Language, outcome: str) -> None:
    for status in ("dispatched", "delivered"):
        world = FakeWorld(status, outcome, language)
        choice = "2" if status == "dispatched" else "1"
        for inputs in (
            ("2", "1"),
            ("2", "1", choice, PIN),
            ("2", "1", choice, PIN, "1"),
            ("2", "1", choice, PIN, CODE),
        ):
            text = screen(world, *inputs)  # within 182 characters, checked in screen()
            if inputs == ("2", "1"):  # no line of the order screen was cut to fit
                assert text.endswith("0 Back" if language == "en" else "0 Emabega"), text
        if outcome == "wrong:4":  # the hint was kept, not left out to fit
            assert "4 left." in text or "osigazza 4." in text, text


def test_zero_cancels_the_code() -> None:
    world = FakeWorld("delivered")
    assert screen(world, "2", "1", "1", PIN, "0") == "END Cancelled. Nothing was changed."
    assert world.performed == []
