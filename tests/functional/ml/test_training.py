"""Training tasks in-process against moto resources built from template.yaml, on the real WFP series:
the listing snapshots every series, a pair trains on that snapshot (pooled across markets), and the
forecast, the model document and its metrics land where the serving side reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import numpy as np
import pytest

from soko.ml import forecasting, trainer
from soko.ml.dal import MlDal
from soko.ml.markets import MARKETS
from soko_local.provision import Deployment
from soko_tools import wfp as ingest

SEED = {m.id for m in MARKETS if m.seed}


@pytest.fixture
def wfp(deployment: Deployment) -> str:
    table = deployment.physical["MlTable"]
    MlDal(table).load_observations([o for o in ingest.read_wfp() if o.market in SEED], counter="wfp_count")
    return table


@pytest.fixture
def prophet_calls(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """Prophet itself is exercised by make backtest; here a stand-in records what it was given."""
    calls: list[date] = []

    def fake(days: list[date], logs: np.ndarray, horizon: int) -> np.ndarray:
        calls.append(days[-1])
        return np.repeat(logs[-1] + 0.4, horizon)

    monkeypatch.setattr(forecasting, "prophet_fit", fake)
    return calls


def _last_wfp_month(market: str, crop: str, pricetype: str) -> str:
    return max(
        o.day for o in ingest.read_wfp() if (o.market, o.crop, o.pricetype) == (market, crop, pricetype)
    ).isoformat()


def _pair(listing: dict[str, Any], market: str, crop: str) -> dict[str, Any]:
    return next(p for p in listing["pairs"] if p["market"] == market and p["crop"] == crop)


def test_a_pair_trains_on_the_runs_snapshot(
    invoke: Any, deployment: Deployment, wfp: str, prophet_calls: list[date]
) -> None:
    listing = invoke("ListPairsFunction", {})
    bucket = deployment.outputs["ModelsBucketName"]
    assert listing["snapshot"].startswith("snapshots/")
    boto3.client("s3").head_object(Bucket=bucket, Key=listing["snapshot"])
    assert len(listing["pairs"]) >= 20
    pair = _pair(listing, "Kisenyi_Kampala", "maize_grain")
    assert pair["snapshot"] == listing["snapshot"]

    # A price arriving after the listing is not part of this run: every pair sees the same data.
    boto3.resource("dynamodb").Table(wfp).put_item(
        Item={
            "pk": "OBS#Kisenyi_Kampala#maize_grain",
            "sk": "2026-05-15#wfp#retail",
            "date": "2026-05-15",
            "price": Decimal(1500),
            "source": "wfp",
            "pricetype": "retail",
            "status": "accepted",
        }
    )
    result = invoke("TrainPairFunction", pair)

    assert result["method"] in {"ens", "naive", "ses", "seas", "pool", "prophet"}
    forecast = (
        boto3.resource("dynamodb")
        .Table(wfp)
        .get_item(Key={"pk": "FORECAST#Kisenyi_Kampala#maize_grain", "sk": "LATEST"})["Item"]
    )
    assert forecast["model_version"] == result["model_version"]
    assert forecast["data_through"] == _last_wfp_month("Kisenyi_Kampala", "maize_grain", "retail")
    assert forecast["data_from"] < "2012-01-01"
    assert forecast["series"] == "retail"
    weeks = forecast["predictions"]
    assert len(weeks) == trainer.WEEKS
    assert all(0 < w["lower"] < w["price"] < w["upper"] for w in weeks)
    assert all(200 < w["price"] < 5000 for w in weeks), "a maize price in UGX/kg"
    assert set(forecast["inner_backtest_candidates"]) >= {"ens", "naive", "pool", "seas", "prophet"}
    assert 0 < forecast["inner_backtest_mape"] < 1 and 0 < forecast["inner_backtest_naive_mape"] < 1
    assert prophet_calls and max(prophet_calls).isoformat() < forecast["data_through"], (
        "Prophet saw only the past"
    )

    document = boto3.client("s3").get_object(
        Bucket=bucket, Key=f"models/Kisenyi_Kampala/maize_grain/{result['model_version']}.json"
    )
    assert b'"method"' in document["Body"].read()


def test_a_pair_without_enough_history_fails_alone(invoke, wfp: str) -> None:  # type: ignore[no-untyped-def]
    listing = invoke("ListPairsFunction", {})
    with pytest.raises(trainer.NotEnoughData, match="months of prices"):
        invoke("TrainPairFunction", {"market": "Kabale", "crop": "millet", "snapshot": listing["snapshot"]})


def test_a_pair_trains_from_the_table_without_a_snapshot(invoke, wfp: str, prophet_calls: list[date]) -> None:  # type: ignore[no-untyped-def]
    result = invoke("TrainPairFunction", {"market": "Gulu", "crop": "sorghum"})
    assert result["market"] == "Gulu" and result["model_version"]
    assert result["naive_mape"] is not None
