"""A transporter on USSD (issue 17) against a fake world: registering as a transporter (or buyer)
from the name screen while a farmer's keystrokes stay as they were, "2 My jobs" in place of "2 My
orders", each job's choices by its status, the caller's PIN before every step, the buyer's delivery
code for the handover, every outcome's screen, wrong inputs keeping the screen with a hint, and every
screen within 182 characters in English and Luganda."""

from __future__ import annotations

from typing import Any

import pytest

from soko.ussd import menu, screens
from soko.ussd.models import JobLine, ListingLine, Member, OrderLine, PinCheck
from soko.ussd.texts import EN, LG, MAX_SCREEN, Language

PIN = "2468"
CODE = "482913"


def job(n: int, status: str, **overrides: Any) -> JobLine:
    values: dict[str, Any] = {
        "id": f"b{n}",
        "crop": "maize_grain",
        "kg": "500",
        "origin": "Gulu",
        "destination": "Kampala",
        "day": "2026-12-03",
        "fare": 150_000,
        "status": status,
    }
    return JobLine(**{**values, **overrides})


# the longest names the screens may meet: every line must still fit (cut, never dropped)
LONG = {
    "crop": "irish_potatoes",
    "kg": "1000000",
    "origin": "Nakapiripirit",
    "destination": "Kyankwanzi",
    "fare": 10_000_000,
}


class FakeWorld:
    def __init__(
        self,
        jobs: list[JobLine] | None = None,
        outcome: str = "ok",
        language: Language = "en",
        role: str | None = "transporter",
    ) -> None:
        self.language: Language = language
        self.jobs = [job(1, "requested")] if jobs is None else jobs
        self.outcome = outcome
        self.role = role
        self.performed: list[tuple[int, str, dict[str, Any]]] = []
        self.done: dict[int, str] = {}  # as Services.perform: a change runs once per input position
        self.asked: list[int] = []

    def member(self) -> Member | None:
        if self.role is None:
            return None
        return Member(user_id="t1", role=self.role, name="Okello", district="Gulu", has_pin=True)  # type: ignore[arg-type]

    def forecast(self, crop_id: str, market_id: str) -> None:
        return None

    def pending_orders(self, limit: int) -> list[OrderLine]:
        return []

    def my_orders(self, limit: int) -> list[OrderLine]:
        return []

    def my_listings(self, limit: int) -> list[ListingLine]:
        return []

    def my_jobs(self, limit: int) -> list[JobLine]:
        self.asked.append(limit)
        return self.jobs[:limit]

    def my_alerts(self, limit: int) -> list[dict[str, Any]]:
        return []

    def weather(self, district: str) -> None:
        return None

    def district(self, text: str) -> str | None:
        return {"gulu": "Gulu"}.get(text.lower())

    def check_pin(self, pin: str) -> PinCheck:
        return PinCheck(outcome="ok") if pin == PIN else PinCheck(outcome="wrong", tries_left=2)

    def perform(self, step: int, action: str, args: dict[str, Any]) -> str:
        if step not in self.done:
            self.performed.append((step, action, args))
            self.done[step] = self.outcome
        return self.done[step]


def screen(world: FakeWorld, *inputs: str) -> str:
    state = menu.fold(list(inputs), world)
    reply = screens.render(state, world.language)
    assert len(reply.text) <= MAX_SCREEN, (len(reply.text), reply.text)
    assert reply.text.isascii(), reply.text
    dumped = str(state.model_dump())
    assert CODE not in dumped and PIN not in dumped, "a PIN or code is never kept in the state"
    return reply.text


# ---------------------------------------------------------------------------- the main menu
@pytest.mark.parametrize(
    ("language", "jobs", "orders"),
    [("en", "2 My jobs", "2 My orders"), ("lg", "2 Emirimu gyange", "2 Oda zange")],
)
def test_a_transporters_item_2_is_my_jobs_everyone_elses_my_orders(
    language: Language, jobs: str, orders: str
) -> None:
    assert jobs in screen(FakeWorld(language=language))
    assert orders not in screen(FakeWorld(language=language))
    for role in ("farmer", "buyer", None):
        text = screen(FakeWorld(language=language, role=role))
        assert orders in text and jobs not in text
    # back to the main menu (0 from a list, a hint on it): still the transporter's own
    assert jobs in screen(FakeWorld(language=language), "2", "0")
    assert jobs in screen(FakeWorld(language=language), "1", "0")
    hinted = screen(FakeWorld(language=language), "9")
    assert jobs in hinted and hinted.startswith("CON " + (EN if language == "en" else LG)["hint.choice"])


def test_a_transporters_other_items_are_unchanged() -> None:
    assert screen(FakeWorld(), "3").startswith(
        "CON Add vehicle. Type:"
    )  # tests/unit/ussd/test_vehicle_menu.py
    assert screen(FakeWorld(role="buyer"), "3") == "END Only farmers can sell on Soko."
    assert screen(FakeWorld(), "5").startswith("END You are registered as Okello.")


# ---------------------------------------------------------------------------- registering
def test_a_farmer_registers_with_the_same_keystrokes_as_before() -> None:
    world = FakeWorld(role=None)
    assert screen(world, "5") == (
        "CON Welcome to Soko. A farmer? Enter your name.\nOr join as:\n1 Buyer\n2 Transporter"
    )
    assert screen(world, "5", "akello grace", "gulu", PIN, PIN).startswith(
        "END Welcome to Soko, Akello Grace!"
    )
    ((step, action, args),) = world.performed
    assert (step, action) == (4, "register")
    assert args == {"name": "Akello Grace", "district": "Gulu", "pin_at": 3, "role": "farmer"}


@pytest.mark.parametrize(
    ("choice", "role", "ask", "welcome"),
    [
        ("1", "buyer", "CON Join as a buyer. Enter your name:", "choose 2 to confirm what you receive."),
        (
            "2",
            "transporter",
            "CON Join as a transporter. Enter your name:",
            "Dial again and choose 3 Add vehicle (or add it in the Soko app), then 2 for your jobs.",
        ),
    ],
)
def test_a_caller_chooses_buyer_or_transporter_on_the_name_screen(
    choice: str, role: str, ask: str, welcome: str
) -> None:
    world = FakeWorld(role=None)
    assert screen(world, "5", choice) == ask
    assert screen(world, "5", choice, "2").startswith("CON Letters only, 2-30. Join as")  # no second choice
    assert screen(world, "5", choice, "okello denis") == "CON Enter your district (e.g. Gulu):"
    assert screen(world, "5", choice, "okello denis", "gulu") == "CON Choose a 4-digit PIN:"
    assert screen(world, "5", choice, "okello denis", "gulu", PIN, "1357").startswith("CON The PINs differ.")
    end = screen(world, "5", choice, "okello denis", "gulu", PIN, "1357", PIN, PIN)
    assert end.startswith("END Welcome to Soko, Okello Denis!") and end.endswith(welcome), end
    ((step, action, args),) = world.performed
    assert (step, action) == (7, "register")
    assert args == {"name": "Okello Denis", "district": "Gulu", "pin_at": 6, "role": role}


def test_a_wrong_choice_on_the_name_screen_is_a_name_hint() -> None:
    world = FakeWorld(role=None)
    assert screen(world, "5", "3").startswith("CON Letters only, 2-30. Welcome to Soko.")
    assert world.performed == []


@pytest.mark.parametrize("outcome", ["taken", "busy"])
def test_registering_a_transporter_that_fails_says_why(outcome: str) -> None:
    world = FakeWorld(role=None, outcome=outcome)
    end = screen(world, "5", "2", "okello", "gulu", PIN, PIN)
    assert end == (
        "END This phone already has a Soko account."
        if outcome == "taken"
        else "END Someone changed this at the same time. Please try again."
    )


# ---------------------------------------------------------------------------- 2 My jobs
def test_my_jobs_lists_the_active_jobs_newest_first() -> None:
    world = FakeWorld(
        [job(1, "requested"), job(2, "accepted", crop="matoke", fare=80_000), job(3, "picked_up", crop="")]
    )
    assert screen(world, "2") == (
        "CON Your jobs (UGX):\n"
        "1 Maize Gulu>Kampala 150,000 new\n"
        "2 Matoke Gulu>Kampala 80,000 accepted\n"
        "3 500kg Gulu>Kampala 150,000 on way\n"
        "0 Back"
    )
    assert world.asked == [menu.LIST_SIZE]


def test_no_jobs_ends_with_what_to_do() -> None:
    assert screen(FakeWorld([]), "2") == (
        "END You have no jobs now. Buyers book the vehicles you add (3 Add vehicle, or in the Soko app)."
    )


@pytest.mark.parametrize("language", ["en", "lg"])
def test_four_jobs_with_the_longest_names_fit_with_a_hint_and_keep_every_line(language: Language) -> None:
    world = FakeWorld(
        [job(n, s, **LONG) for n, s in enumerate(["requested", "accepted", "picked_up", "accepted"])],
        language=language,
    )
    listing = screen(world, "2")
    assert listing.count("\n") == 5 and listing.endswith("0 Back" if language == "en" else "0 Emabega")
    assert "10,000,000" in listing
    hinted = screen(world, "2", "7")
    assert hinted.startswith("CON " + (EN if language == "en" else LG)["hint.choice"]), hinted
    assert hinted.count("\n") == 5


def test_a_wrong_choice_keeps_the_list_and_0_goes_back() -> None:
    world = FakeWorld([job(1, "requested")])
    assert screen(world, "2", "2").startswith("CON Invalid choice. Your jobs (UGX):\n1 Maize")
    assert screen(world, "2", "x").startswith("CON Invalid choice. Your jobs")
    assert screen(world, "2", "2", "0").startswith("CON Soko\n1 Check prices\n2 My jobs")


def test_a_farmer_or_buyer_never_sees_jobs() -> None:
    for role in ("farmer", "buyer"):
        world = FakeWorld(role=role)
        assert "jobs" not in screen(world, "2")
        assert world.asked == []


# ---------------------------------------------------------------------------- a job and its steps
TRIP = "500kg Maize\nGulu to Kampala"


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("requested", f"CON New job: {TRIP}\nPick up 3 Dec, UGX 150,000\n1 Accept\n2 Decline\n0 Back"),
        ("accepted", f"CON Accepted: {TRIP}\nPick up 3 Dec, UGX 150,000\n1 Picked up\n2 Cancel\n0 Back"),
        ("picked_up", f"CON On its way: {TRIP}, UGX 150,000\n1 Delivered: enter buyer's code\n0 Back"),
    ],
)
def test_a_job_offers_what_its_status_allows(status: str, text: str) -> None:
    world = FakeWorld([job(1, status)])
    assert screen(world, "2", "1") == text
    choices = len(menu.JOB_CHOICES[status])
    assert screen(world, "2", "1", str(choices + 1)).startswith("CON Invalid choice. " + text[4:14])
    assert screen(world, "2", "1", "0").startswith("CON Your jobs (UGX):")
    assert world.performed == []


def test_a_job_without_its_crop_shows_the_weight() -> None:
    assert screen(FakeWorld([job(1, "requested", crop="")]), "2", "1").startswith("CON New job: 500kg\nGulu")


@pytest.mark.parametrize(
    ("status", "choice", "step", "ask", "done"),
    [
        ("requested", "1", "accept", "Accept this job?", "END Job accepted."),
        ("requested", "2", "decline", "Decline this job?", "END Job declined. The buyer can book another"),
        ("accepted", "1", "pickup", "You picked up the produce?", "END Marked as picked up."),
        (
            "accepted",
            "2",
            "cancel",
            "Cancel this job? The buyer and farmer are told.",
            "END Job cancelled. The buyer and farmer get an SMS.",
        ),
    ],
)
def test_each_step_asks_the_callers_pin_first_then_runs_once(
    status: str, choice: str, step: str, ask: str, done: str
) -> None:
    world = FakeWorld([job(1, status)])
    assert screen(world, "2", "1", choice) == f"CON {ask}\nEnter your PIN to confirm or 0 to cancel:"
    assert screen(world, "2", "1", choice, "12").startswith("CON A PIN is 4 digits. " + ask)
    assert screen(world, "2", "1", choice, "1111").startswith("CON Wrong PIN, 2 left. " + ask)
    assert screen(world, "2", "1", choice, "0") == "END Cancelled. Nothing was changed."
    assert world.performed == []
    assert screen(world, "2", "1", choice, PIN).startswith(done)
    assert world.performed == [(3, "job", {"booking_id": "b1", "step": step})]


@pytest.mark.parametrize(
    ("outcome", "text"),
    [
        ("changed", "END This job changed meanwhile. Dial again to see it now."),
        ("gone", "END This job can no longer be changed."),
        ("busy", "END Someone changed this at the same time. Please try again."),
    ],
)
def test_a_step_that_is_refused_says_why(outcome: str, text: str) -> None:
    world = FakeWorld([job(1, "requested")], outcome)
    assert screen(world, "2", "1", "1", PIN) == text


@pytest.mark.parametrize(
    ("check", "text"),
    [
        (PinCheck(outcome="locked", locked_minutes=15), "END Wrong PIN 3 times. Try again in 15 min."),
        (PinCheck(outcome="no_pin"), "END You have no PIN yet: dial again and choose 5 to set one."),
    ],
)
def test_a_locked_or_missing_pin_ends_without_a_change(check: PinCheck, text: str) -> None:
    world = FakeWorld([job(1, "accepted")])
    world.check_pin = lambda pin: check  # type: ignore[method-assign]
    assert screen(world, "2", "1", "1", PIN) == text
    assert world.performed == []


# ---------------------------------------------------------------------------- the handover
def test_delivery_asks_the_callers_pin_then_the_buyers_code() -> None:
    world = FakeWorld([job(1, "picked_up")])
    assert screen(world, "2", "1", "1") == (
        "CON Delivered? The buyer's code comes next.\nEnter your PIN to confirm or 0 to cancel:"
    )
    assert screen(world, "2", "1", "1", PIN) == "CON Enter the buyer's 6-digit delivery code or 0 to cancel:"
    assert screen(world, "2", "1", "1", PIN, "0") == "END Cancelled. Nothing was changed."
    assert world.performed == []


@pytest.mark.parametrize("bad", ["12345", "1234567", "abcdef", "", "48291a"])
def test_a_code_that_is_not_six_digits_is_not_tried(bad: str) -> None:
    world = FakeWorld([job(1, "picked_up")])
    assert screen(world, "2", "1", "1", PIN, bad).startswith("CON A code is 6 digits. Enter the buyer's")
    assert world.performed == []


@pytest.mark.parametrize(
    ("outcome", "text"),
    [
        ("ok", "END Delivered: the buyer confirmed with the code. You are paid from the order."),
        ("wrong:3", "CON Wrong code, 3 left. Enter the buyer's 6-digit delivery code or 0 to cancel:"),
        ("locked", "END The code is locked after 5 wrong tries. The buyer can confirm receipt"),
        ("no_code", "END This order has no delivery code yet."),
        ("changed", "END This job changed meanwhile."),
        ("gone", "END This job can no longer be changed."),
        ("busy", "END Someone changed this at the same time."),
    ],
)
def test_each_delivery_outcome_has_its_screen(outcome: str, text: str) -> None:
    world = FakeWorld([job(1, "picked_up")], outcome)
    assert screen(world, "2", "1", "1", PIN, CODE).startswith(text)
    assert world.performed == [(4, "job_deliver", {"booking_id": "b1", "code_at": 4})]


def test_a_wrong_code_can_be_followed_by_the_right_one() -> None:
    world = FakeWorld([job(1, "picked_up")], "wrong:4")
    screen(world, "2", "1", "1", PIN, "111111")
    world.outcome = "ok"
    assert screen(world, "2", "1", "1", PIN, "111111", CODE).startswith("END Delivered")
    assert world.performed == [
        (4, "job_deliver", {"booking_id": "b1", "code_at": 4}),
        (5, "job_deliver", {"booking_id": "b1", "code_at": 5}),
    ]


# ---------------------------------------------------------------------------- both languages, every screen
OUTCOMES = ["ok", "changed", "gone", "busy", "wrong:4", "locked", "no_code"]


@pytest.mark.parametrize("language", ["en", "lg"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_transporter_screen_fits_in_both_languages(language: Language, outcome: str) -> None:
    back = "0 Back" if language == "en" else "0 Emabega"
    for status, choices in menu.JOB_CHOICES.items():
        world = FakeWorld([job(n, status, **LONG) for n in range(4)], outcome, language)
        assert screen(world, "2", "1").endswith(back)  # no line of the job was cut to fit
        assert screen(world, "2", "1", "9").endswith(back)  # ... nor with the hint
        for choice in range(1, len(choices) + 1):
            for inputs in (
                ("2", "1", str(choice)),
                ("2", "1", str(choice), "1111"),
                ("2", "1", str(choice), PIN),
                ("2", "1", str(choice), PIN, "12"),
                ("2", "1", str(choice), PIN, CODE),
            ):
                text = screen(world, *inputs)  # within 182 characters, checked in screen()
                if inputs[-1] == "1111":  # the hint was kept, not left out to fit
                    assert "2 left." in text or "osigazza 2." in text, text
            if choices[choice - 1] == menu.DELIVER and outcome.startswith("wrong:"):
                assert "4 left." in text or "osigazza 4." in text, text
    world = FakeWorld(role=None, language=language)
    for inputs in (
        ("5",),
        ("5", "1"),
        ("5", "2"),
        ("5", "2", "9"),
        ("5", "2", "okello", "gulu", PIN, PIN),
        ("5", "1", "okello", "gulu", PIN, PIN),
        ("5", "x"),
    ):
        screen(world, *inputs)
    screen(FakeWorld([], language=language), "2")


def test_every_new_text_has_its_luganda() -> None:
    assert set(EN) == set(LG)
