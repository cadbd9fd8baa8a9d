"""The USSD price screen (1*<crop>*<market>) says how old its newest price is, in English and
Luganda; past PriceStaleAfterDays it shows the last price with its date as old data instead of four
weeks of forecast. The clock is fixed (2 Dec 2026, 09:00 EAT)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest
from conftest import REGION, Handset

from soko.shared import clock
from soko_local.provision import Deployment

NOW = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC)  # 09:00 in Kampala
PHONE = "+256772000222"

MakeHandset = Callable[[str], Handset]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def observe(deployment: Deployment) -> Callable[[str, str, date, int], None]:
    """An accepted WFP price of a (market, crop) on a day, as the loader writes it."""

    def put(market: str, crop: str, day: date, price: int) -> None:
        table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["MlTable"])
        table.put_item(
            Item={
                "pk": f"OBS#{market}#{crop}",
                "sk": f"{day.isoformat()}#wfp#retail",
                "date": day.isoformat(),
                "price": Decimal(price),
                "source": "wfp",
                "pricetype": "retail",
                "status": "accepted",
            }
        )

    return put


def luganda(handset: MakeHandset) -> None:
    assert handset(PHONE).dial("6", "2").text == "END Olulimi: Luganda."


def test_a_recent_price_says_its_date_and_age(handset: MakeHandset, observe: Any) -> None:
    observe("Kisenyi_Kampala", "maize_grain", date(2026, 11, 20), 1000)
    end = handset(PHONE).dial("1", "1", "1")
    lines = end.text.split("\n")
    assert lines[0] == "END Maize in Kampala, UGX/kg:"
    assert lines[1] == "Prices of 20 Nov 2026 (12 days old)"
    assert len(lines) == 7 and lines[2].startswith("07 Dec: ")  # still four weeks of forecast
    assert "old data" not in end.text.lower()


def test_a_recent_price_in_luganda(handset: MakeHandset, observe: Any) -> None:
    observe("Kisenyi_Kampala", "maize_grain", date(2026, 11, 4), 1000)
    luganda(handset)
    end = handset(PHONE).dial("1", "1", "1")
    lines = end.text.split("\n")
    assert lines[0] == "END Kasooli e Kampala, UGX/kilo:"
    assert lines[1] == "Bbeeyi za 4 Nov 2026 (wiiki 4 emabega)"
    assert len(lines) == 7


def test_a_stale_price_is_shown_as_old_data_not_as_a_forecast(handset: MakeHandset, observe: Any) -> None:
    observe("Kisenyi_Kampala", "maize_grain", date(2025, 4, 8), 1800)
    observe("Kisenyi_Kampala", "maize_grain", date(2025, 4, 15), 1925)
    end = handset(PHONE).dial("1", "1", "1")
    assert end.text == (
        "END Maize in Kampala: last price UGX 1,925/kg on 15 Apr 2025 (20 months old). Old data, no "
        "forecast: ask traders for today's price."
    )
    assert "Dec:" not in end.text  # no weeks of forecast shown as if current


def test_a_stale_price_in_luganda(handset: MakeHandset, observe: Any) -> None:
    observe("Kisenyi_Kampala", "maize_grain", date(2025, 4, 15), 1925)
    luganda(handset)
    end = handset(PHONE).dial("1", "1", "1")
    assert end.text == (
        "END Kasooli e Kampala: bbeeyi esembayo UGX 1,925/kilo ku 15 Apr 2025 (emyezi 20 emabega). "
        "Bbeeyi ya dda, tewali kuteebereza: buuza abasuubuzi bbeeyi ya leero."
    )


@pytest.mark.parametrize("language", ["1", "2"])
def test_the_longest_price_screens_fit(handset: MakeHandset, observe: Any, language: str) -> None:
    """The longest crop label, a nine-digit price and the longest ages, in both languages."""
    handset(PHONE).dial("6", language)
    observe("Masaka", "cassava_chips", date(2026, 10, 5), 99_999_999)  # 58 days: weeks, not stale
    fresh = handset(PHONE).dial("1", "6", "6")
    assert "Dec:" in fresh.text and len(fresh.text) <= 182
    observe("Masaka", "irish_potatoes", date(2016, 12, 2), 99_999_999)  # ten years: stale
    stale = handset(PHONE).dial("1", "3", "6")
    assert "99,999,999" in stale.text and "2016" in stale.text and len(stale.text) <= 182, stale.text
