"""The weekly admin report (EventBridge schedule, Mondays 06:00 East Africa Time): the past ISO
week's sales, as PDF and CSV, owner ``admins`` (``GET /reports?owner=admins``). The reports' ids
are made from the week, so a repeated run queues nothing new."""

from __future__ import annotations

from typing import Any

from soko.analytics import reports
from soko.analytics.deps.reports import reports as wiring
from soko.shared.observability import lambda_entry, logger


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    made = reports.weekly(wiring())
    logger.info("weekly report", extra={"reports": [r.id for r in made]})
    return {"reports": [r.id for r in made]}
