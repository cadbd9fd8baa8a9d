"""POST /location/route (where to sell) says how old each market's price is: every option carries
data_through, data_age_days and stale, and a stale best option says so in the suggestion. The clock
is fixed (2 Dec 2026, EAT)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from soko.shared import clock
from soko_local.provision import Deployment
from support.gateway import http_event

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _pair(deployment: Deployment, market: str, crop: str, count: int, day: date, price: int) -> None:
    ml = boto3.resource("dynamodb").Table(deployment.physical["MlTable"])
    ml.put_item(
        Item={"pk": "COVERAGE", "sk": f"{crop}#{market}", "crop": crop, "market": market, "wfp_count": count}
    )
    ml.put_item(
        Item={
            "pk": f"OBS#{market}#{crop}",
            "sk": f"{day.isoformat()}#wfp#retail",
            "price": price,
            "status": "accepted",
            "date": day.isoformat(),
            "source": "wfp",
            "pricetype": "retail",
        }
    )


def _route(invoke: Any, body: dict[str, Any]) -> dict[str, Any]:
    event = http_event(None, "POST", "/location/route", body=body)
    result = invoke("LocationRouteFunction", event)
    assert result["statusCode"] == 200, result["body"]
    return dict(json.loads(result["body"]))


def test_each_market_option_says_its_age(invoke: Any, deployment: Deployment) -> None:
    _pair(deployment, "Lira", "maize_grain", 60, date(2025, 4, 15), 1000)  # best net, 20 months old
    _pair(deployment, "Gulu", "maize_grain", 80, date(2026, 11, 20), 900)
    body = _route(invoke, {"crop": "maize", "quantity_kg": 100, "district": "Lira"})
    assert body["tier"] == 1
    by_market = {o["market"]: o for o in body["options"]}
    lira, gulu = by_market["Lira"], by_market["Gulu"]
    assert (lira["data_through"], lira["data_age_days"], lira["stale"]) == ("2025-04-15", 596, True)
    assert (gulu["data_through"], gulu["data_age_days"], gulu["stale"]) == ("2026-11-20", 12, False)
    assert body["options"][0]["market"] == "Lira"
    assert "the newest price is from 15 Apr 2025 (20 months old)" in body["suggestion"]


def test_cross_market_prices_say_their_newest_date(invoke: Any, deployment: Deployment) -> None:
    _pair(deployment, "Gulu", "sorghum", 3, date(2026, 11, 1), 800)
    _pair(deployment, "Lira", "sorghum", 3, date(2026, 11, 25), 1000)
    body = _route(invoke, {"crop": "sorghum", "quantity_kg": 10, "lat": 2.25, "lon": 32.9})
    assert body["tier"] == 2
    assert {(o["data_through"], o["data_age_days"], o["stale"]) for o in body["options"]} == {
        ("2026-11-25", 7, False)
    }
    assert "Careful" not in body["suggestion"]
