"""The training state machine's tasks (handlers only; the logic is soko.ml.trainer): list the
trainable pairs on a snapshot of every series, and train one pair. Only the training functions
import this module (numpy; pandas and Prophet for the Prophet candidate)."""

from __future__ import annotations

from typing import Any

from soko.ml import deps, trainer
from soko.shared.observability import lambda_entry, logger


@lambda_entry(correlation_id_path=None)
def list_pairs_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return trainer.list_pairs(*deps.listing(), only=trainer.requested_pairs(event))


@lambda_entry(correlation_id_path=None)
def train_pair_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    market, crop = str(event["market"]), str(event["crop"])
    result = trainer.train(deps.training(), market, crop, event.get("snapshot"))
    logger.info("model trained", extra={"market": market, "crop": crop, "method": result["method"]})
    return result
