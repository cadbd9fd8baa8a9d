"""The WFP feed ingestion (EventBridge schedule, daily): new or revised prices are stored, each
changed pair is announced (PricesObserved) and retrained; an unchanged feed (304) does nothing."""

from __future__ import annotations

from typing import Any

from soko.ml import deps, ingestion
from soko.shared import clock
from soko.shared.observability import lambda_entry, logger


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    feed, store, publish, training = deps.feed_ingestion()
    result = ingestion.ingest(feed, store, publish, training, clock.now())
    logger.info(
        "wfp feed ingested",
        extra={
            "not_modified": result.not_modified,
            "written": result.written,
            "changed_pairs": len(result.changed_pairs),
        },
    )
    return result.model_dump(mode="json")
