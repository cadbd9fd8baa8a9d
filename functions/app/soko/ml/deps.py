"""The price layer's dependencies (cheap per request)."""

from soko.ml.dal import MlDal
from soko.ml.logic import Prices
from soko.ml.models import MlConfig
from soko.shared.config import load


def prices() -> Prices:
    config = load(MlConfig)
    return Prices(config=config, dal=MlDal(config.ml_table_name))
