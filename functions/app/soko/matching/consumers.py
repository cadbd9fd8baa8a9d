"""The feature store's consumer: identity, marketplace, chat and payment events -> farmer/buyer
features and (buyer, farmer) boosts. EventBridge -> SQS -> this function; partial batch failures;
idempotent on the event id (counters are applied once per event).

Every event is parsed with its producer's contract (``soko.<domain>.events``), chosen by the
contract's own source and detail type: one that does not fit fails its record (and ends in the
DLQ), it is not guessed at; an event no contract here names is not ours and is skipped.

Boosts: ``ListingViewed`` -> ``farmer_viewed``, ``BuyerInquired`` (a buyer's first message to a
farmer) -> ``buyer_inquiry``, ``OrderCompleted`` -> ``purchase_completed``, ``ReviewSubmitted`` ->
``rating_submitted`` (+ ``high_rating``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from soko.chat.events import BuyerInquired
from soko.identity.events import ProfileUpdated, UserRegistered
from soko.market.events import (
    ListingCreated,
    ListingUpdated,
    ListingViewed,
    OrderCompleted,
    OrderRejected,
    ReviewSubmitted,
)
from soko.matching import boosts, features
from soko.matching.context import Matching
from soko.matching.deps import matching
from soko.matching.interactions import interact
from soko.payments.events import PaymentCompleted, PaymentFailed
from soko.shared.consumer import EventConsumer
from soko.shared.events import EventDetail, ReceivedEvent
from soko.shared.observability import logger


def _review(deps: Matching, review: ReviewSubmitted, at: datetime) -> None:
    features.review_submitted(deps, review)
    high = review.rating >= boosts.HIGH_RATING
    kinds: list[boosts.Interaction] = ["rating_submitted", "high_rating"] if high else ["rating_submitted"]
    interact(deps, review.buyer_id, review.farmer_id, kinds, at)


def _completed(deps: Matching, order: OrderCompleted, at: datetime) -> None:
    features.order_decided(deps, order)
    interact(deps, order.buyer_id, order.farmer_id, ["purchase_completed"], at)


def _viewed(deps: Matching, view: ListingViewed, at: datetime) -> None:
    interact(deps, view.viewer_id, view.farmer_id, ["farmer_viewed"], at)


def _inquired(deps: Matching, inquiry: BuyerInquired, at: datetime) -> None:
    interact(deps, inquiry.buyer_id, inquiry.farmer_id, [inquiry.interaction], at)


type Handler = Callable[[Matching, Any, datetime], None]

_HANDLERS: tuple[tuple[type[EventDetail], Handler], ...] = (
    (UserRegistered, lambda deps, e, at: features.user_changed(deps, e)),
    (ProfileUpdated, lambda deps, e, at: features.user_changed(deps, e)),
    (OrderCompleted, _completed),
    (OrderRejected, lambda deps, e, at: features.order_decided(deps, e)),
    (ReviewSubmitted, _review),
    (ListingViewed, _viewed),
    (ListingCreated, lambda deps, e, at: features.listing_changed(deps, e)),
    (ListingUpdated, lambda deps, e, at: features.listing_changed(deps, e)),
    (BuyerInquired, _inquired),
    (PaymentCompleted, lambda deps, e, at: features.payment_settled(deps, e.buyer_id, ok=True)),
    (PaymentFailed, lambda deps, e, at: features.payment_settled(deps, e.buyer_id, ok=False)),
)
HANDLERS: dict[tuple[str, str], tuple[type[EventDetail], Handler]] = {
    (contract.SOURCE, contract.DETAIL_TYPE): (contract, handler) for contract, handler in _HANDLERS
}


def handle(event: ReceivedEvent) -> None:
    route = HANDLERS.get((event.source, event.detail_type))
    if route is None:
        return
    contract, handler = route
    detail = event.parse(contract)
    occurred = event.detail.get("occurred_at")  # the producer's moment, else the bus's
    at = datetime.fromisoformat(str(occurred).replace("Z", "+00:00")) if occurred else event.time
    handler(matching(), detail, at)
    logger.info("features updated", extra={"detail_type": event.detail_type})


consumer = EventConsumer("matching.features", handle)
lambda_handler = consumer.lambda_handler
