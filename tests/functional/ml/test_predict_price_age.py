"""POST /ml/price/predict in-process (MlPredictFunction with the template's environment, against
moto): every answer says how old its newest price is (data_through, data_age_days counted to today
in East Africa Time) and, past PriceStaleAfterDays, is marked stale with the reason and the last
observed price. The clock is fixed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from soko.ml.dal import MlDal
from soko.ml.models import ModelDocument, WeeklyPrice
from soko.shared import clock
from soko_local.provision import Deployment
from support.gateway import http_event

NOW = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # Wednesday 2 Dec 2026, 09:00 in Kampala
FUNCTION = "MlPredictFunction"


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


def _observe(deployment: Deployment, market: str, crop: str, day: date, price: int) -> None:
    boto3.resource("dynamodb").Table(deployment.physical["MlTable"]).put_item(
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


def _predict(invoke: Any, **body: Any) -> tuple[int, dict[str, Any]]:
    result = invoke(FUNCTION, http_event(FUNCTION, "POST", "/ml/price/predict", body=body))
    return result["statusCode"], json.loads(result["body"])


def test_the_threshold_reaches_the_function(deployment: Deployment) -> None:
    assert deployment.functions[FUNCTION].environment["PRICE_STALE_AFTER_DAYS"] == "60"
    assert deployment.functions["PriceRequestsConsumerFunction"].environment["PRICE_STALE_AFTER_DAYS"] == "60"


def test_a_recent_price_is_current_and_says_its_age(invoke: Any, deployment: Deployment) -> None:
    _observe(deployment, "Lira", "sorghum", date(2026, 11, 20), 950)
    status, body = _predict(invoke, market="Lira", crop="sorghum", weeks_ahead=2)
    assert status == 200, body
    assert body["source"] == "seasonal_fallback"
    assert (body["data_through"], body["data_age_days"], body["stale"]) == ("2026-11-20", 12, False)
    assert body["stale_reason"] is None and body["stale_after_days"] == 60
    assert (body["last_price"], body["last_price_day"]) == (950, "2026-11-20")
    assert [w["week_start"] for w in body["predictions"]] == ["2026-12-07", "2026-12-14"]


def test_a_20_month_old_price_is_marked_stale_with_the_reason(
    invoke: Any, deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    _observe(deployment, "Kisenyi_Kampala", "maize_grain", date(2025, 4, 15), 1925)
    status, body = _predict(invoke, market="Kampala", crop="maize")
    assert status == 200, body
    assert (body["data_through"], body["data_age_days"], body["stale"]) == ("2025-04-15", 596, True)
    assert body["stale_reason"] == (
        "The newest price is from 15 Apr 2025, 596 days ago; after 60 days a forecast is not current."
    )
    assert (body["last_price"], body["last_price_day"]) == (1925, "2025-04-15")
    assert len(body["predictions"]) == 4, "marked, not removed: existing clients keep working"
    # the same answer again comes from the cache, with the age counted again on the next day
    again = NOW + timedelta(hours=20)  # 3 Dec in Kampala, inside the answer cache's 24 hours
    monkeypatch.setattr(clock, "now", lambda: again)
    _, cached = _predict(invoke, market="Kampala", crop="maize")
    assert cached["data_age_days"] == 597 and cached["stale"]


def test_a_trained_models_age_is_its_data_through(invoke: Any, deployment: Deployment) -> None:
    """The model's data_through is the forecast's; the last observed price is the newest one."""
    dal = MlDal(deployment.physical["MlTable"])
    mondays = [date(2026, 12, 7) + timedelta(weeks=k) for k in range(6)]
    dal.put_forecast(
        ModelDocument(
            market="Gulu",
            crop="maize_grain",
            model_version="v7",
            method="ens",
            series="retail",
            data_through="2026-09-01",
            trained_at="2026-09-07T02:00:00Z",
            inner_backtest_mape=0.05,
            inner_backtest_naive_mape=0.06,
            inner_backtest_candidates={"ens": 0.05},
            data_from="2010-01-01",
            predictions=[WeeklyPrice(week_start=d, price=1000, lower=900, upper=1100) for d in mondays],
        )
    )
    _observe(deployment, "Gulu", "maize_grain", date(2026, 9, 1), 990)
    status, body = _predict(invoke, market="Gulu", crop="maize")
    assert status == 200, body
    assert body["source"] == "model" and body["model_version"] == "v7"
    assert (body["data_through"], body["data_age_days"], body["stale"]) == ("2026-09-01", 92, True)
    assert body["stale_reason"].startswith("The newest price is from 1 Sep 2026, 92 days ago")
    assert (body["last_price"], body["last_price_day"]) == (990, "2026-09-01")


def test_without_prices_it_is_still_a_404(invoke: Any) -> None:
    status, body = _predict(invoke, market="Mbale", crop="millet")
    assert status == 404 and body["error"]["code"] == "NO_PRICE_DATA", body
