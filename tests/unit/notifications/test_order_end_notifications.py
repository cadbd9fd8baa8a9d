"""The end of an order reaches its people: the buyer learns a delivery starts the window to confirm
or dispute (and until when, in East Africa Time); both parties learn of a completion or an expiry."""

from __future__ import annotations

from typing import Any

from soko.market import events as orders
from soko.notifications.logic import drafts
from soko.shared import clock
from soko.shared.events import EventDetail, ReceivedEvent
from support.events import eventbridge_event

ORDER = {
    "order_id": "01JORDER",
    "listing_id": "01JLISTING",
    "buyer_id": "01JBUYER",
    "farmer_id": "01JFARMER",
    "crop": "maize",
    "district": "Gulu",
    "quantity_kg": "10.000",
    "price_per_kg_ugx": 1_000,
    "total_ugx": 10_000,
}


def _received(detail: EventDetail) -> ReceivedEvent:
    body: dict[str, Any] = detail.model_dump(mode="json")
    return ReceivedEvent.model_validate(eventbridge_event(detail.SOURCE, detail.DETAIL_TYPE, body))


def test_a_delivery_tells_the_buyer_until_when_they_may_confirm_or_dispute() -> None:
    delivered = orders.OrderDelivered(
        **ORDER, delivered_at="2026-12-02T08:00:00Z", release_at="2026-12-05T08:00:00Z"
    )
    (draft,) = drafts(_received(delivered))
    assert (draft.recipient_id, draft.type) == ("01JBUYER", "order_delivered")
    assert "before 5 Dec 2026, 11:00 EAT" in draft.body.en and "dispute" in draft.body.en


def test_completion_and_expiry_reach_both_parties() -> None:
    completed = orders.OrderCompleted(**ORDER, completed_at="2026-12-02T08:00:00Z", released_by="pin")
    assert {(d.recipient_id, d.type) for d in drafts(_received(completed))} == {
        ("01JBUYER", "order_completed"),
        ("01JFARMER", "order_completed"),
    }
    for reason, words in (("unanswered", "did not answer"), ("unpaid", "was not paid")):
        expired = drafts(_received(orders.OrderExpired(**ORDER, reason=reason)))  # type: ignore[arg-type]
        assert {d.recipient_id for d in expired} == {"01JBUYER", "01JFARMER"}
        assert all(d.type == "order_expired" and words in d.body.en for d in expired)


def test_dispatch_tells_the_buyer() -> None:
    (draft,) = drafts(_received(orders.OrderDispatched(**ORDER)))
    assert (draft.recipient_id, draft.type, draft.title.en) == (
        "01JBUYER",
        "order_dispatched",
        "Order on its way",
    )


def test_east_africa_time() -> None:
    assert clock.eat_text("2026-12-31T22:30:00Z") == "1 Jan 2027, 01:30 EAT"
