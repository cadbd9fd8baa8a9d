"""The price layer's event contracts (source ``soko.ml``)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from soko.shared.events import EventDetail


class PriceForecastRequested(EventDetail):
    """Asks for a forecast asynchronously; answered by PriceForecastReady with the same request_id."""

    SOURCE: ClassVar[str] = "soko.ml"
    DETAIL_TYPE: ClassVar[str] = "PriceForecastRequested"

    request_id: str
    market: str
    crop: str
    weeks_ahead: int = Field(default=4, ge=1, le=12)


class PriceForecastReady(EventDetail):
    SOURCE: ClassVar[str] = "soko.ml"
    DETAIL_TYPE: ClassVar[str] = "PriceForecastReady"

    request_id: str
    ok: bool
    forecast: dict[str, object] | None = Field(default=None, description="the POST /ml/price/predict answer")
    error: dict[str, object] | None = Field(default=None, description="the error, as the API would give it")


class ModelTrained(EventDetail):
    SOURCE: ClassVar[str] = "soko.ml"
    DETAIL_TYPE: ClassVar[str] = "ModelTrained"

    market: str
    crop: str
    model_version: str
    method: str
    data_through: str
    observations: int
    backtest_mape: float | None = None
    naive_mape: float | None = None


class PricesObserved(EventDetail):
    """A market's price series for a crop gained accepted observations (from the WFP feed or a
    completed order). Published once per pair per ingestion batch; price alerts fire from it."""

    SOURCE: ClassVar[str] = "soko.ml"
    DETAIL_TYPE: ClassVar[str] = "PricesObserved"

    market: str
    crop: str
    source: str = Field(description="wfp | order")
    day: date = Field(description="the newest accepted observation's date")
    price_ugx: int = Field(ge=0, description="its price per kg")
