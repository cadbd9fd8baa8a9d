"""SMS keywords in English and Luganda: crops by any name (Luganda names make the reply Luganda),
markets by name, alias or district, an optional threshold, STOP for all or one crop, help for the
rest."""

from __future__ import annotations

import pytest

from soko.alerts.keywords import Help, Stop, Subscribe, parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PRICE MAIZE LIRA", Subscribe("maize_grain", "Lira", "en")),
        ("price maize lira", Subscribe("maize_grain", "Lira", "en")),
        ("  Price,  Maize.  Lira ", Subscribe("maize_grain", "Lira", "en")),
        ("BBEEYI KASOOLI LIRA", Subscribe("maize_grain", "Lira", "lg")),
        ("PRICE KASOOLI LIRA", Subscribe("maize_grain", "Lira", "lg")),  # a Luganda crop name
        ("BBEEYI MAIZE LIRA", Subscribe("maize_grain", "Lira", "lg")),
        ("PRICE BEANS OWINO", Subscribe("yellow_beans", "Kisenyi_Kampala", "en")),
        ("PRICE IRISH POTATOES FORT PORTAL", Subscribe("irish_potatoes", "Fort_Portal", "en")),
        ("PRICE MATOOKE MBARARA ABOVE 1500", Subscribe("matoke", "Mbarara", "lg", above=1500)),
        ("PRICE MAIZE GULU BELOW 900", Subscribe("maize_grain", "Gulu", "en", below=900)),
        ("BBEEYI KASOOLI GULU WANSI 900", Subscribe("maize_grain", "Gulu", "lg", below=900)),
        ("PRICE MAIZE GULU WAGGULU 1200", Subscribe("maize_grain", "Gulu", "lg", above=1200)),
        ("PRICE MAIZE KITGUM", Subscribe("maize_grain", "Gulu", "en")),  # a district: its nearest market
        ("STOP", Stop(None, "en")),
        ("stop maize", Stop("maize_grain", "en")),
        ("STOP KASOOLI", Stop("maize_grain", "lg")),
        ("KOMYA", Stop(None, "lg")),
        ("STOP GRANITE", Help("en")),
        ("", Help("en")),
        ("hello there", Help("en")),
        ("PRICE", Help("en")),
        ("PRICE MAIZE", Help("en")),
        ("BBEEYI KASOOLI", Help("lg")),
        ("PRICE MAIZE ATLANTIS", Help("en")),
        ("PRICE MAIZE LIRA ABOVE 0", Help("en")),
        ("PRICE MAIZE LIRA ABOVE 99999999999", Help("en")),
        ("PRICE " + "MAIZE " * 300, Help("en")),
    ],
)
def test_parse(text: str, expected: object) -> None:
    assert parse(text) == expected
