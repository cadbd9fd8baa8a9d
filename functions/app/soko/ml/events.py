"""The price layer's event contracts (source ``soko.ml``)."""

from __future__ import annotations

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
