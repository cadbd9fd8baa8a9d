"""soko.ml.public, the price layer's read interface for other domains, against the ML table
provisioned from template.yaml (items written as the price layer writes them)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from soko.ml import public
from soko.ml.dal import MlDal
from soko.ml.models import ModelDocument, Observation, WeeklyPrice
from soko.shared import clock
from soko_local.provision import Deployment


@pytest.fixture
def reader(deployment: Deployment) -> public.PriceReader:
    return public.PriceReader(deployment.physical["MlTable"])


@pytest.fixture
def dal(deployment: Deployment) -> MlDal:
    return MlDal(deployment.physical["MlTable"])


def _observation(day: date, price: int, status: str = "accepted") -> Observation:
    return Observation.model_validate(
        {
            "market": "Lira",
            "crop": "sorghum",
            "day": day,
            "price": Decimal(price),
            "source": "order",
            "pricetype": "trade",
            "status": status,
            "order_id": f"o-{day}-{price}",
        }
    )


def test_markets_and_crops() -> None:
    assert public.find_market("owino").id == "Kisenyi_Kampala"  # type: ignore[union-attr]
    assert public.market_for_district("Omoro").id == "Gulu"
    assert public.nearest_market(2.25, 32.9).id == "Lira"
    assert public.find_crop("kasooli") == "maize_grain" and public.find_crop("coffee") is None
    assert len(public.FORECAST_CROPS) == 8 and len([m for m in public.MARKETS if m.seed]) == 6


def test_prices_coverage_and_forecasts(reader: public.PriceReader, dal: MlDal) -> None:
    today = clock.now().date()
    assert reader.latest_price("Lira", "sorghum") is None
    assert reader.forecast("Lira", "sorghum") is None
    assert reader.forecast_price("Lira", "sorghum", today) is None

    recent = today - timedelta(days=3)
    for observation in (_observation(recent - timedelta(days=7), 900), _observation(recent, 950)):
        assert dal.add_observation(observation)
        dal.count_observation("Lira", "sorghum", "order_count")
    assert dal.add_observation(_observation(recent + timedelta(days=1), 9000, status="rejected"))
    assert reader.latest_price("Lira", "sorghum") == 950, "a rejected price is never used"
    [coverage] = reader.coverage()
    assert (coverage.market, coverage.crop, coverage.observations) == ("Lira", "sorghum", 2)
    fallback = reader.forecast("Lira", "sorghum", 2)
    assert fallback is not None and fallback.source == "seasonal_fallback"

    monday = today + timedelta(days=7 - today.weekday())
    dal.put_forecast(
        ModelDocument(
            market="Lira",
            crop="sorghum",
            model_version="v9",
            method="ens",
            series="trade",
            data_through="2026-10-15",
            trained_at=clock.now_iso(),
            inner_backtest_mape=0.05,
            inner_backtest_naive_mape=0.06,
            inner_backtest_candidates={"ens": 0.05, "naive": 0.06},
            data_from="2024-01-15",
            predictions=[
                WeeklyPrice(week_start=monday + timedelta(weeks=k), price=1000 + k, lower=900, upper=1100)
                for k in range(12)
            ],
        )
    )
    dal.drop_cache("Lira", "sorghum")
    assert reader.forecast_price("Lira", "sorghum", monday + timedelta(days=1)) == 1001
    served = reader.forecast("Lira", "sorghum", 4)
    assert served is not None and served.source == "model" and served.model_version == "v9"


def test_coverage_gaps_are_counted_and_read(reader: public.PriceReader) -> None:
    reader.count_gap("coffee", "Gulu", "2026-11-20T10:00:00Z")
    reader.count_gap("coffee", "Lira", "2026-11-21T10:00:00Z")
    reader.count_gap("other", None, "2026-11-21T11:00:00Z")
    gaps = {g.crop: g for g in reader.gaps(["coffee", "other", "vanilla"])}
    assert set(gaps) == {"coffee", "other"}
    assert (gaps["coffee"].requests, gaps["coffee"].districts) == (2, ["Gulu", "Lira"])
    assert gaps["coffee"].last_requested_at == "2026-11-21T10:00:00Z"
    assert (gaps["other"].requests, gaps["other"].districts) == (1, [])
