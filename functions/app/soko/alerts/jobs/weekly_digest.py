"""The weekly digest job (an EventBridge schedule, Mondays): walks the digest index's shards (a
keys-only Query each, never a Scan) and queues pages of subscribers for the digest consumer."""

from __future__ import annotations

from typing import Any

from soko.alerts import deps, digest, logic
from soko.shared.observability import lambda_entry, logger


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    store, queue = deps.fan_out()
    week = logic.week(logic.today())
    pages = digest.fan_out(week, store, queue)
    logger.info("weekly digest queued", extra={"week": week, "pages": pages})
    return {"pages": pages}
