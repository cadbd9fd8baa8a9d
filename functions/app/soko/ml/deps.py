"""The price layer's dependencies (cheap per request: config and clients cache themselves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from soko.ml.dal import MlDal, TrainingRuns
from soko.ml.freshness import FreshnessConfig
from soko.ml.logic import Prices
from soko.ml.model_store import ModelStore
from soko.ml.models import (
    ForecastRequestsConfig,
    MlConfig,
    SnapshotConfig,
    TrainingConfig,
    TrainingRunsConfig,
)
from soko.shared.bus import EventPublisher
from soko.shared.config import load

if TYPE_CHECKING:
    from soko.ml.trainer import Training


def prices() -> Prices:
    config = load(MlConfig)
    stale_after = load(FreshnessConfig).price_stale_after_days
    return Prices(config=config, dal=MlDal(config.ml_table_name), stale_after_days=stale_after)


def observations() -> MlDal:
    return MlDal(load(MlConfig).ml_table_name)


def answers() -> EventPublisher:
    """Where the async forecast path publishes its answers."""
    return EventPublisher(load(ForecastRequestsConfig).event_bus_name)


def listing() -> tuple[MlDal, ModelStore]:
    """Listing the trainable pairs: the table, and the models bucket for the run's snapshot."""
    config = load(SnapshotConfig)
    return MlDal(config.ml_table_name), ModelStore(config.models_bucket_name)


def training() -> Training:
    from soko.ml.trainer import Training  # noqa: PLC0415  (numpy: the training functions only)

    config = load(TrainingConfig)
    return Training(
        table=MlDal(config.ml_table_name),
        models=ModelStore(config.models_bucket_name),
        publish=EventPublisher(config.event_bus_name).publish,
        prophet=config.prophet_candidate,
    )


def training_runs() -> TrainingRuns:
    return TrainingRuns(load(TrainingRunsConfig).training_state_machine_arn)
