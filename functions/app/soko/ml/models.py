"""Price-layer models."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.shared.config import BaseConfig


class MlConfig(BaseConfig):
    ml_table_name: str
    models_bucket_name: str = ""
    prophet_candidate: bool = True  # fit Prophet at the inner origins as an override candidate


class MarketOut(BaseModel):
    id: str
    name: str
    district: str
    lat: float
    lon: float
    aliases: list[str]
    has_real_data: bool = Field(description="a WFP price series exists for this market")


class MarketList(BaseModel):
    items: list[MarketOut]


class CropOut(BaseModel):
    id: str
    name: str
    luganda: str
    synonyms: list[str]
    wfp_commodities: list[str]


class CropList(BaseModel):
    items: list[CropOut]


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    market: Annotated[str, Field(min_length=1, max_length=60, description="market id or alias, any case")]
    crop: Annotated[str, Field(min_length=1, max_length=60, description="crop id, name or synonym")]
    weeks_ahead: Annotated[int, Field(ge=1, le=12)] = 4


class WeeklyPrice(BaseModel):
    week_start: date
    price: int = Field(description="UGX per kg")
    lower: int
    upper: int


class Forecast(BaseModel):
    market: str
    crop: str
    currency: Literal["UGX"] = "UGX"
    unit: Literal["kg"] = "kg"
    predictions: list[WeeklyPrice]
    source: Literal["model", "seasonal_fallback"]
    model_version: str | None = None
    trained_at: str | None = None
    data_through: date | None = None
