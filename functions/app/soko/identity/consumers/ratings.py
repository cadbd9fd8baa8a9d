"""Keeps a farmer's public rating current: ``ReviewSubmitted`` (soko.orders) -> the profile and
directory entries. The event carries the farmer's new totals, so applying it is idempotent, and an
older event arriving late never overwrites a newer one (the count only goes up). The event is read
with its producer's contract: one that does not fit fails (and after its retries is in the DLQ)."""

from __future__ import annotations

from soko.identity.dal import UsersDal
from soko.identity.models import IdentityConfig
from soko.market.events import ReviewSubmitted
from soko.shared.config import load
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def handle(event: ReceivedEvent) -> None:
    review = event.parse_any(ReviewSubmitted)
    if review is None:
        return
    applied = UsersDal(load(IdentityConfig).users_table_name).set_rating(
        review.farmer_id, review.farmer_rating_sum, review.farmer_rating_count
    )
    logger.info(
        "rating applied" if applied else "rating already newer", extra={"farmer_id": review.farmer_id}
    )


consumer = EventConsumer("identity.ratings", handle)
lambda_handler = consumer.lambda_handler
