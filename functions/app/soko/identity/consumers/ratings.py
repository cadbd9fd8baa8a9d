"""Keeps a farmer's public rating current: ``ReviewSubmitted`` (soko.orders) -> the profile and
directory entries. The event carries the farmer's new totals, so applying it is idempotent, and an
older event arriving late never overwrites a newer one (the count only goes up). The event is read
with its producer's contract: one that does not fit fails (and after its retries is in the DLQ)."""

from __future__ import annotations

from soko.identity import logic
from soko.identity.deps import identity
from soko.market.events import ReviewSubmitted
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    review = event.parse_any(ReviewSubmitted)
    if review is not None:
        logic.apply_rating(review.farmer_id, review.farmer_rating_sum, review.farmer_rating_count, identity())


consumer = EventConsumer("identity.ratings", handle)
lambda_handler = consumer.lambda_handler
