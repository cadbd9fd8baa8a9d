"""Price-layer models: configuration, the API's shapes and what the ML table and model store hold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.shared.config import BaseConfig, BusConfig


class MlConfig(BaseConfig):
    """Every price-layer function: the ML table."""

    ml_table_name: str = Field(min_length=1)


class ForecastRequestsConfig(MlConfig, BusConfig):
    """The async forecast consumer publishes its answers."""


class SnapshotConfig(MlConfig):
    """Listing the trainable pairs snapshots every series into the models bucket."""

    models_bucket_name: str = Field(min_length=1)


class TrainingConfig(SnapshotConfig, BusConfig):
    """Training a pair reads the snapshot, stores the model and announces it."""

    prophet_candidate: bool = True  # fit Prophet at the inner origins as an override candidate


class ObservationsConfig(MlConfig, BusConfig):
    """The order-observations consumer publishes PricesObserved."""


class FeedIngestionConfig(MlConfig, BusConfig):
    """The scheduled WFP feed ingestion: the feed, the table, the bus and the training run it starts."""

    wfp_feed_url: str = Field(min_length=1, pattern=r"^https?://")
    training_state_machine_arn: str = Field(min_length=1)


class TrainingRunsConfig(BaseConfig):
    """GET /admin/training reads the training state machine's executions."""

    training_state_machine_arn: str = Field(min_length=1)


class TrainingFailure(BaseModel):
    market: str
    crop: str
    error: str = Field(description="the error's name (the pair's logs have the rest)")


class TrainingRun(BaseModel):
    """The price models' last training run (the weekly Step Functions execution)."""

    status: str = Field(description="NONE (never trained), RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED")
    execution_id: str | None = None
    started_at: str | None = None
    stopped_at: str | None = None
    pairs: int | None = Field(default=None, description="(market, crop) pairs with enough prices to train")
    trained: int | None = Field(default=None, description="pairs trained and serving their new forecast")
    failed: int | None = Field(
        default=None, description="pairs whose training failed (the others still served)"
    )
    failures: list[TrainingFailure] = Field(default_factory=list, description="the failed pairs (at most 20)")
    error: str | None = Field(default=None, description="why the run itself failed, if it did")


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
    data_through: date | None = Field(
        default=None,
        description="The date of the newest market price behind this forecast (the trained model's last "
        "observation, or the latest price the seasonal heuristic starts from). Null only when unknown.",
    )
    data_age_days: int | None = Field(
        default=None,
        ge=0,
        description="Whole days from `data_through` to today in East Africa Time (UTC+3), counted when "
        "the answer is served. Null when `data_through` is null.",
    )
    stale: bool = Field(
        default=False,
        description="True when `data_age_days` is more than `stale_after_days` (or the age is unknown): the "
        "predictions extrapolate old prices and must not be shown as the coming weeks' current price. "
        "Show `last_price` with `last_price_day` and `stale_reason` instead, or next to them.",
    )
    stale_after_days: int = Field(
        default=60,
        ge=1,
        description="The age in days past which a forecast is stale (the deployment's PriceStaleAfterDays).",
    )
    stale_reason: str | None = Field(
        default=None,
        max_length=300,
        description='When `stale`: why, in one English sentence for a client to show (e.g. "The newest '
        'price is from 15 Apr 2025, 596 days ago; after 60 days a forecast is not current."). Null when '
        "the forecast is current.",
    )
    last_price: int | None = Field(
        default=None,
        ge=0,
        description="The newest accepted observed price, UGX per kg (null when the pair has none).",
    )
    last_price_day: date | None = Field(default=None, description="The day `last_price` was observed.")


# ---------------------------------------------------------------- what the price layer stores

type ObservationStatus = Literal["accepted", "rejected"]


class Observation(BaseModel):
    """One price of a (market, crop) on a day. ``source``: wfp | order | synthetic; ``pricetype``:
    retail | wholesale (WFP), trade (orders), synthetic. A rejected one is kept and never used."""

    model_config = ConfigDict(frozen=True)

    market: str
    crop: str
    day: date
    price: Decimal
    source: str
    pricetype: str
    status: ObservationStatus = "accepted"
    order_id: str | None = None  # an order's observation: one per order
    reason: str | None = None  # why it was rejected


class PairCoverage(BaseModel):
    """How many observations of each source a (market, crop) has."""

    market: str
    crop: str
    wfp_count: int = 0
    order_count: int = 0
    synthetic_count: int = 0

    @property
    def observations(self) -> int:
        return self.wfp_count + self.order_count + self.synthetic_count


class ModelDocument(BaseModel):
    """A trained pair's model: stored in the models bucket under its version and served (as the
    pair's latest forecast) from the ML table."""

    market: str
    crop: str
    model_version: str
    method: str
    series: str
    data_through: str
    trained_at: str
    inner_backtest_mape: float | None
    inner_backtest_naive_mape: float | None
    inner_backtest_candidates: dict[str, float]
    data_from: str
    predictions: list[WeeklyPrice]


class StoredForecast(BaseModel):
    """A pair's latest forecast as the ML table holds it (a ModelDocument; read leniently)."""

    model_config = ConfigDict(extra="ignore")

    predictions: list[WeeklyPrice] = []
    model_version: str | None = None
    trained_at: str | None = None
    data_through: date | None = None
    method: str | None = None


class FeedState(BaseModel):
    """What the ML table remembers of a price feed between runs: the last download's version (sent
    back for a conditional GET) and the pairs whose changes are not yet announced and trained (a run
    that fails after writing leaves them for the next run)."""

    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None
    pending: list[tuple[str, str]] = Field(default_factory=list, description="(market, crop) pairs")


class IngestionResult(BaseModel):
    """What one run of the feed ingestion did."""

    not_modified: bool = Field(description="the feed answered 304: nothing was downloaded")
    observations: int = Field(default=0, description="observations in the downloaded file")
    written: int = Field(default=0, description="new or revised observations stored")
    changed_pairs: list[tuple[str, str]] = Field(default_factory=list, description="(market, crop)")
    announced: int = Field(default=0, description="PricesObserved events published")
    training_run: str | None = Field(default=None, description="the training execution started, if any")


class GapCounter(BaseModel):
    """How often a crop was asked for where no prices exist (matching's route endpoint counts)."""

    crop: str
    requests: int = 0
    last_requested_at: str | None = None
    districts: list[str] = []
