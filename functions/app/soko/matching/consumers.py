"""The feature store's consumer: identity, marketplace, messaging and payment events -> farmer/buyer
features and (buyer, farmer) boosts. EventBridge -> SQS -> this function; partial batch failures;
idempotent on the event id (counters are applied once per event).

Boosts: ``ListingViewed`` -> ``farmer_viewed``, ``BuyerInquired`` (a buyer's first message to a
farmer) -> ``buyer_inquiry``, ``OrderCompleted`` -> ``purchase_completed``, ``ReviewSubmitted`` ->
``rating_submitted`` (+ ``high_rating``). Messaging's and payments' events are read through their
contracts: one that does not fit fails its record (and ends in the DLQ), it is not guessed at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from soko.chat.events import BuyerInquired
from soko.matching import boosts, logic
from soko.matching.deps import matching
from soko.payments.events import PaymentCompleted, PaymentFailed
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent
from soko.shared.observability import logger


def _pair(
    deps: logic.Matching, detail: dict[str, Any], buyer: str, at: datetime, *kinds: boosts.Interaction
) -> None:
    if detail.get(buyer) and detail.get("farmer_id"):
        logic.interact(deps, str(detail[buyer]), str(detail["farmer_id"]), list(kinds), at)


def _review(deps: logic.Matching, detail: dict[str, Any], at: datetime) -> None:
    logic.review_submitted(deps, detail)
    high = int(detail.get("rating", 0)) >= boosts.HIGH_RATING
    kinds: list[boosts.Interaction] = ["rating_submitted", "high_rating"] if high else ["rating_submitted"]
    _pair(deps, detail, "buyer_id", at, *kinds)


def _inquired(deps: logic.Matching, detail: dict[str, Any], at: datetime) -> None:
    inquiry = BuyerInquired.model_validate(detail)
    logic.interact(deps, inquiry.buyer_id, inquiry.farmer_id, [inquiry.interaction], at)


def _completed(deps: logic.Matching, detail: dict[str, Any], at: datetime) -> None:
    logic.order_decided(deps, detail, completed=True)
    _pair(deps, detail, "buyer_id", at, "purchase_completed")


HANDLERS: dict[str, Callable[[logic.Matching, dict[str, Any], datetime], None]] = {
    "UserRegistered": lambda deps, d, at: logic.user_changed(deps, d),
    "ProfileUpdated": lambda deps, d, at: logic.user_changed(deps, d),
    "OrderCompleted": _completed,
    "OrderRejected": lambda deps, d, at: logic.order_decided(deps, d, completed=False),
    "ReviewSubmitted": _review,
    "ListingViewed": lambda deps, d, at: _pair(deps, d, "viewer_id", at, "farmer_viewed"),
    "ListingCreated": lambda deps, d, at: logic.listing_changed(deps, d),
    "ListingUpdated": lambda deps, d, at: logic.listing_changed(deps, d),
    "BuyerInquired": _inquired,
    "PaymentCompleted": lambda deps, d, at: logic.payment_settled(
        deps, PaymentCompleted.model_validate(d).buyer_id, ok=True
    ),
    "PaymentFailed": lambda deps, d, at: logic.payment_settled(
        deps, PaymentFailed.model_validate(d).buyer_id, ok=False
    ),
}


def handle(event: ReceivedEvent) -> None:
    handler = HANDLERS.get(event.detail_type)
    if handler is None:
        return
    occurred = event.detail.get("occurred_at")
    at = datetime.fromisoformat(str(occurred).replace("Z", "+00:00")) if occurred else event.time
    handler(matching(), event.detail, at)
    logger.info("features updated", extra={"detail_type": event.detail_type})


consumer = EventConsumer("matching.features", handle)
lambda_handler = consumer.lambda_handler
