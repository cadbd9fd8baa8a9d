"""A transporter adds a vehicle on USSD (issue 17, "3 Add vehicle") against a fake world: the main
menu's item 3 (and no "4 My listings") for a transporter only, each screen (type, plate by logistics'
own rule, capacity, districts served from the caller's own, price per km, minimum fare, the PIN), a
wrong input keeping its screen with a hint, each outcome's end, and every screen within 182
characters in English and Luganda."""

from __future__ import annotations

from typing import Any

import pytest
from test_transporter_menu import PIN, FakeWorld

from soko.ussd import menu, screens
from soko.ussd.models import Member
from soko.ussd.texts import EN, LG, MAX_SCREEN, Language

DISTRICTS = {
    "gulu": "Gulu",
    "kampala": "Kampala",
    "lira": "Lira",
    "nakapiripirit": "Nakapiripirit",
    "bukomansimbi": "Bukomansimbi",
    "kyankwanzi": "Kyankwanzi",
}


class World(FakeWorld):
    def __init__(self, *args: Any, district: str | None = "Gulu", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home = district

    def member(self) -> Member | None:
        found = super().member()
        return found.model_copy(update={"district": self.home}) if found else None

    def district(self, text: str) -> str | None:
        return DISTRICTS.get(text.strip().lower())


def screen(world: FakeWorld, *inputs: str) -> str:
    state = menu.fold(list(inputs), world)
    reply = screens.render(state, world.language)
    assert len(reply.text) <= MAX_SCREEN, (len(reply.text), reply.text)
    assert reply.text.isascii(), reply.text
    assert PIN not in str(state.model_dump()), "a PIN is never kept in the state"
    return reply.text


# the whole journey: 3, a pick-up, its plate, 1500 kg, Kampala added to Gulu and done, 1800/km, 30000
JOURNEY = ("3", "3", "uba123c", "1500", "kampala", "0", "1800", "30000")


# ---------------------------------------------------------------------------- the main menu
@pytest.mark.parametrize(
    ("language", "vehicle", "sell", "listings"),
    [
        ("en", "3 Add vehicle", "3 Sell produce", "4 My listings"),
        ("lg", "3 Wandiisa ekidduka", "3 Tunda ebirime", "4 Bye ntunda"),
    ],
)
def test_a_transporters_item_3_is_add_vehicle_and_4_is_hidden(
    language: Language, vehicle: str, sell: str, listings: str
) -> None:
    text = screen(World(language=language))
    assert vehicle in text and sell not in text and listings not in text
    assert "\n5 " in text and "\n8 " in text
    for role in ("farmer", "buyer", None):
        other = screen(World(language=language, role=role))
        assert sell in other and listings in other and vehicle not in other
    # 4 is no choice of a transporter's: the same menu with a hint
    hinted = screen(World(language=language), "4")
    assert hinted.startswith("CON " + (EN if language == "en" else LG)["hint.choice"]) and vehicle in hinted


def test_a_farmer_keeps_sell_produce_and_a_buyer_is_told_farmers_only() -> None:
    assert screen(World(role="farmer"), "3").startswith("CON Choose a crop:\n1 Maize")
    assert screen(World(role="buyer"), "3") == "END Only farmers can sell on Soko."
    assert screen(World(role=None), "3") == "END Register first: dial again and choose 5."


# ---------------------------------------------------------------------------- the screens
def test_each_screen_in_english() -> None:
    world = World()
    assert screen(world, "3") == (
        "CON Add vehicle. Type:\n1 Boda-boda\n2 Bicycle\n3 Pick-up\n4 Van\n5 Lorry\n0 Back"
    )
    assert screen(world, *JOURNEY[:2]) == "CON Number plate (e.g. UAB 123C):"
    assert screen(world, *JOURNEY[:3]) == "CON How many kg it carries (e.g. 1500):"
    assert screen(world, *JOURNEY[:4]) == "CON Districts: Gulu\nAdd another district or 0 when done:"
    assert screen(world, *JOURNEY[:5]) == "CON Districts: Gulu, Kampala\nAdd another district or 0 when done:"
    assert screen(world, *JOURNEY[:6]) == "CON Price per km in UGX (e.g. 1500):"
    assert screen(world, *JOURNEY[:7]) == "CON Minimum fare in UGX (e.g. 10000; 0 for none):"
    assert screen(world, *JOURNEY) == (
        "CON Add Pick-up UBA 123C, 1500kg, Gulu, Kampala, UGX 1,800/km, min UGX 30,000, every day?\n"
        "Enter your PIN to confirm or 0 to cancel:"
    )
    assert world.performed == []
    end = screen(world, *JOURNEY, PIN)
    assert end == "END Vehicle UBA 123C added: buyers can book it now. Dial again and choose 2 for your jobs."
    ((step, action, args),) = world.performed
    assert (step, action) == (8, "add_vehicle")
    assert args == {
        "type": "pickup",
        "plate": "UBA 123C",
        "capacity_kg": 1500,
        "districts": ["Gulu", "Kampala"],
        "price_per_km_ugx": 1800,
        "minimum_fare_ugx": 30000,
    }


def test_each_screen_in_luganda() -> None:
    world = World(language="lg")
    assert screen(world, "3") == (
        "CON Wandiisa ekidduka. Kika:\n1 Bodaboda\n2 Ggaali\n3 Pikapu\n4 Vaani\n5 Loole\n0 Emabega"
    )
    assert screen(world, *JOURNEY[:2]) == "CON Ennamba ya pulaati (okug. UAB 123C):"
    assert screen(world, *JOURNEY[:3]) == "CON Kyetikka kilo mmeka (okug. 1500):"
    assert screen(world, *JOURNEY[:4]) == "CON Disitulikiti: Gulu\nYingiza endala oba 0 ng'omaze:"
    assert screen(world, *JOURNEY[:6]) == "CON Omuwendo ku km mu UGX (okug. 1500):"
    assert screen(world, *JOURNEY[:7]) == "CON Ssente ezisinga obutono mu UGX (okug. 10000; 0 tewali):"
    assert screen(world, *JOURNEY).startswith("CON Wandiisa Pikapu UBA 123C, 1500kg, Gulu, Kampala,")
    assert screen(world, *JOURNEY, PIN).startswith("END Ekidduka UBA 123C kiwandiisiddwa")


@pytest.mark.parametrize(
    ("choice", "kind"), [("1", "boda_boda"), ("2", "bicycle"), ("4", "van"), ("5", "lorry")]
)
def test_every_vehicle_type(choice: str, kind: str) -> None:
    world = World()
    screen(world, "3", choice, "UAB 001A", "100", "0", "500", "0", PIN)
    assert world.performed[0][2]["type"] == kind and world.performed[0][2]["minimum_fare_ugx"] == 0


def test_three_districts_at_most_the_callers_own_first() -> None:
    world = World()
    # the third district moves on by itself; a district twice or unknown keeps the screen
    assert screen(world, *JOURNEY[:5], "kampala").startswith("CON Already added. Districts: Gulu, Kampala")
    assert screen(world, *JOURNEY[:5], "mars").startswith("CON Unknown district. Districts: Gulu, Kampala")
    assert screen(world, *JOURNEY[:5], "lira") == "CON Price per km in UGX (e.g. 1500):"
    screen(world, *JOURNEY[:5], "lira", "1800", "30000", PIN)
    assert world.performed[0][2]["districts"] == ["Gulu", "Kampala", "Lira"]


def test_a_caller_without_a_district_names_the_base_first() -> None:
    world = World(district=None)
    assert screen(world, *JOURNEY[:4]) == "CON District you work from (e.g. Gulu):"
    assert screen(world, *JOURNEY[:4], "0").startswith("CON Unknown district. District you work from")
    assert screen(world, *JOURNEY[:4], "lira") == "CON Districts: Lira\nAdd another district or 0 when done:"
    screen(world, *JOURNEY[:4], "lira", "0", "1800", "30000", PIN)
    assert world.performed[0][2]["districts"] == ["Lira"]


@pytest.mark.parametrize(
    ("inputs", "hint"),
    [
        (("3", "9"), "Invalid choice. Add vehicle. Type:"),
        (("3", "3", "ABC 123D"), "A plate like UAB 123C. Number plate"),
        (("3", "3", "UAB 12C"), "A plate like UAB 123C. Number plate"),
        (("3", "3", "0"), "A plate like UAB 123C. Number plate"),
        (("3", "3", "UAB 123C", "0"), "1 to 40000 kg. How many kg"),
        (("3", "3", "UAB 123C", "40001"), "1 to 40000 kg. How many kg"),
        (("3", "3", "UAB 123C", "1.5t"), "1 to 40000 kg. How many kg"),
        ((*JOURNEY[:6], "0"), "1 to 100000 UGX. Price per km"),
        ((*JOURNEY[:6], "100001"), "1 to 100000 UGX. Price per km"),
        ((*JOURNEY[:7], "10000001"), "0 to 10000000 UGX. Minimum fare"),
        ((*JOURNEY[:7], "-5"), "0 to 10000000 UGX. Minimum fare"),
        ((*JOURNEY, "12"), "A PIN is 4 digits. Add Pick-up"),
        ((*JOURNEY, "1357"), "Wrong PIN, 2 left. Add Pick-up"),
    ],
)
def test_a_wrong_input_keeps_the_screen_with_a_hint(inputs: tuple[str, ...], hint: str) -> None:
    world = World()
    assert screen(world, *inputs).startswith("CON " + hint)
    assert world.performed == []


def test_plates_are_written_as_logistics_writes_them() -> None:
    for typed, plate in [("uab123c", "UAB 123C"), ("UG 1234A", "UG 1234A"), ("uda 001 a", "UDA 001A")]:
        world = World()
        screen(world, "3", "1", typed, "100", "0", "500", "0", PIN)
        assert world.performed[0][2]["plate"] == plate


def test_0_goes_back_from_the_type_and_cancels_at_the_pin() -> None:
    world = World()
    assert screen(world, "3", "0").startswith("CON Soko\n1 Check prices\n2 My jobs\n3 Add vehicle")
    assert screen(world, *JOURNEY, "0") == "END Cancelled. Nothing was changed."
    assert world.performed == []


@pytest.mark.parametrize(
    ("outcome", "end"),
    [
        ("plate_taken", "END A vehicle with plate UBA 123C is already on Soko."),
        ("invalid", "END Soko could not add this vehicle. Please check it and try again."),
        ("busy", "END Someone changed this at the same time. Please try again."),
    ],
)
def test_each_refusal_says_why(outcome: str, end: str) -> None:
    assert screen(World(outcome=outcome), *JOURNEY, PIN) == end


def test_the_change_runs_once_for_a_retried_input() -> None:
    world = World()
    screen(world, *JOURNEY, PIN)
    screen(world, *JOURNEY, PIN)
    assert len(world.performed) == 1


# ---------------------------------------------------------------------------- the 182-character limit
LONGEST = ("3", "1", "UAB 123C", "40000", "nakapiripirit", "bukomansimbi", "kyankwanzi", "100000", "10000000")


@pytest.mark.parametrize("language", ["en", "lg"])
def test_the_longest_vehicle_fits_with_a_wrong_pin_hint(language: Language) -> None:
    world = World(language=language, district="Nakapiripirit")
    confirm = screen(world, *LONGEST[:4], "bukomansimbi", "kyankwanzi", *LONGEST[7:])
    prompt = (EN if language == "en" else LG)["pin_to_confirm"]
    assert confirm.endswith(prompt) and "100,000" in confirm and "10,000,000" in confirm
    hinted = screen(world, *LONGEST[:4], "bukomansimbi", "kyankwanzi", *LONGEST[7:], "1357")
    assert hinted.startswith("CON " + (EN if language == "en" else LG)["hint.wrong_pin"].format(left=2))
    assert hinted.endswith(prompt)


@pytest.mark.parametrize("language", ["en", "lg"])
@pytest.mark.parametrize("outcome", ["ok", "plate_taken", "invalid", "busy"])
def test_every_vehicle_screen_fits_in_both_languages(language: Language, outcome: str) -> None:
    world = World(language=language, outcome=outcome, district="Nakapiripirit")
    inputs = ("3", "1", "UAB 123C", "40000", "bukomansimbi", "kyankwanzi", "100000", "10000000", PIN)
    for n in range(len(inputs) + 1):
        screen(world, *inputs[:n])  # each asserts the limit and plain ASCII
        screen(world, *inputs[:n], "x")  # and with the hint a wrong input brings


def test_the_welcome_and_no_jobs_texts_point_to_add_vehicle() -> None:
    for texts in (EN, LG):
        assert "agent" not in texts["welcome_transporter"] and "3 " in texts["welcome_transporter"]
        assert "3 " in texts["no_jobs"]
    long_name = "A" * 30
    for language in ("en", "lg"):
        assert (
            len("END " + (EN if language == "en" else LG)["welcome_transporter"].format(name=long_name))
            <= MAX_SCREEN
        )
