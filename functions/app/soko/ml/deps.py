"""The price layer's dependencies (cheap per request: config and clients cache themselves)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from soko.ml.dal import MlDal, TrainingRuns
from soko.ml.freshness import FreshnessConfig
from soko.ml.logic import Prices
from soko.ml.model_store import ModelStore
from soko.ml.models import (
    FeedIngestionConfig,
    ForecastRequestsConfig,
    MlConfig,
    ObservationsConfig,
    SnapshotConfig,
    TrainingConfig,
    TrainingRunsConfig,
)
from soko.providers.wfp import WfpFeed
from soko.shared.bus import EventPublisher
from soko.shared.config import load
from soko.shared.events import EventDetail

if TYPE_CHECKING:
    from soko.ml.trainer import Training


def prices() -> Prices:
    config = load(MlConfig)
    stale_after = load(FreshnessConfig).price_stale_after_days
    return Prices(config=config, dal=MlDal(config.ml_table_name), stale_after_days=stale_after)


def observations() -> MlDal:
    return MlDal(load(MlConfig).ml_table_name)


def observed() -> EventPublisher:
    """Where an accepted order observation is announced (PricesObserved)."""
    return EventPublisher(load(ObservationsConfig).event_bus_name)


def feed_ingestion() -> tuple[WfpFeed, MlDal, Callable[[Sequence[EventDetail]], None], TrainingRuns]:
    """The WFP feed, the table, the bus and the training state machine, for the scheduled ingestion."""
    config = load(FeedIngestionConfig)
    publisher = EventPublisher(config.event_bus_name)
    return (
        WfpFeed(config.wfp_feed_url),
        MlDal(config.ml_table_name),
        publisher.publish,
        TrainingRuns(config.training_state_machine_arn),
    )


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
