"""Every price-layer function gets from the template each setting its configuration requires, and a
missing one stops the function at cold start, by name."""

from __future__ import annotations

import pytest

from soko.ml.models import ForecastRequestsConfig, MlConfig, SnapshotConfig, TrainingConfig
from soko.shared.config import BaseConfig, ConfigError
from soko_local.provision import Deployment

CONFIGS: dict[str, type[BaseConfig]] = {
    "MlMarketsFunction": MlConfig,
    "MlCropsFunction": MlConfig,
    "MlPredictFunction": MlConfig,
    "PriceObservationsConsumerFunction": MlConfig,
    "PriceRequestsConsumerFunction": ForecastRequestsConfig,
    "ListPairsFunction": SnapshotConfig,
    "TrainPairFunction": TrainingConfig,
}


def test_the_template_gives_every_required_setting(deployment: Deployment) -> None:
    for function, config in CONFIGS.items():
        environment = deployment.functions[function].environment
        loaded = config.from_env(environment)
        for name, field in config.model_fields.items():
            if field.is_required():
                assert getattr(loaded, name), f"{function}: {name.upper()} is empty"


@pytest.mark.parametrize(
    ("config", "variable"),
    [
        (MlConfig, "ML_TABLE_NAME"),
        (SnapshotConfig, "MODELS_BUCKET_NAME"),
        (TrainingConfig, "EVENT_BUS_NAME"),
        (ForecastRequestsConfig, "EVENT_BUS_NAME"),
    ],
)
def test_a_missing_setting_fails_by_name(config: type[BaseConfig], variable: str) -> None:
    environment = {"ML_TABLE_NAME": "ml", "MODELS_BUCKET_NAME": "models", "EVENT_BUS_NAME": "soko"}
    del environment[variable]
    with pytest.raises(ConfigError, match=variable):
        config.from_env(environment)
