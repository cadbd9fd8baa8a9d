"""The order rules against an in-memory market (no moto): who may move an order from which status
to which, what each move does to stock, the farmer's record and the pair's deal, and placing and
reviewing orders."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest
from fakes.market import InMemoryMarket
from fakes.media import InMemoryMedia

from soko.market import events as ev
from soko.market import listings, orders
from soko.market.dal import AlreadyReviewed, InsufficientStock, OrderNotFound
from soko.market.models import PAID, ListingCreate, MarketConfig, OrderCreate, ReviewCreate, StatusChange
from soko.market.ports import Market
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller

FARMER = Caller(user_id="F1", role="farmer", email="f@example.com")
BUYER = Caller(user_id="B1", role="buyer", email="b@example.com")
STRANGER = Caller(user_id="S1", role="buyer", email="s@example.com")
ADMIN = Caller(user_id="A1", role="admin", email="a@example.com")
STATUSES = ("pending", "confirmed", "paid", "rejected", "cancelled", "dispatched", "delivered", "completed")
TARGETS = ("confirmed", "rejected", "dispatched", "delivered", "completed", "cancelled")
ALLOWED = {  # (from, to) -> who; "paid" is a confirmed order whose payment completed
    ("pending", "confirmed"): FARMER,
    ("pending", "rejected"): FARMER,
    ("confirmed", "rejected"): FARMER,
    ("paid", "rejected"): FARMER,
    ("paid", "dispatched"): FARMER,
    ("paid", "delivered"): FARMER,
    ("dispatched", "delivered"): FARMER,
    ("dispatched", "rejected"): FARMER,
    ("pending", "cancelled"): BUYER,
}
NOT_PAID = {("confirmed", "dispatched"), ("confirmed", "delivered")}  # allowed once paid: 409 until then


@pytest.fixture
def deps() -> Market:
    # the open-quantity cap has its own tests; here a buyer may order a whole listing
    config = MarketConfig(market_table_name="unit", max_open_share_of_listing=100)
    return Market(config=config, dal=InMemoryMarket(), media=InMemoryMedia())


def store(deps: Market) -> InMemoryMarket:
    assert isinstance(deps.dal, InMemoryMarket)
    return deps.dal


def listing(deps: Market, kg: str = "500") -> str:
    request = ListingCreate(
        title="White maize", crop="maize", price_per_kg=1_200, quantity_kg=Decimal(kg), district="Gulu"
    )
    return listings.create_listing(FARMER, request, deps).id


def order_in(deps: Market, status: str, kg: str = "100") -> str:
    """An order moved to ``status`` the way the parties would move it."""
    placed = orders.place_order(BUYER, OrderCreate(listing_id=listing(deps), quantity_kg=Decimal(kg)), deps)
    paths: dict[str, list[tuple[str, Caller | None]]] = {
        "pending": [],
        "confirmed": [("confirmed", FARMER)],
        "paid": [("confirmed", FARMER), ("paid", None)],
        "rejected": [("rejected", FARMER)],
        "cancelled": [("cancelled", BUYER)],
        "dispatched": [("confirmed", FARMER), ("paid", None), ("dispatched", FARMER)],
        "delivered": [("confirmed", FARMER), ("paid", None), ("delivered", FARMER)],
        "completed": [("confirmed", FARMER), ("paid", None), ("delivered", FARMER), ("receipt", BUYER)],
    }
    path = paths[status]
    for to, who in path:
        move(deps, who, placed.id, to)
    return placed.id


def pay(deps: Market, order_id: str) -> None:
    """What the payments consumer does when the buyer's payment completes."""
    store(deps).set_payment_status(order_id, PAID, 2, "2026-01-01T00:00:00Z")
    store(deps).release_open_when_paid(store(deps).orders[order_id])


def move(deps: Market, who: Caller | None, order_id: str, to: str) -> str:
    if to == "paid":
        pay(deps, order_id)
        return "confirmed"
    assert who is not None
    if to == "cancelled":
        return orders.cancel_order(who, order_id, deps).status
    if to == "receipt":
        return orders.confirm_receipt(who, order_id, deps).status
    return orders.change_status(who, order_id, StatusChange.model_validate({"new_status": to}), deps).status


@pytest.mark.parametrize(
    ("start", "to", "who"),
    [(s, t, w) for s, t, w in product(STATUSES, TARGETS, (FARMER, BUYER))],
    ids=lambda v: v.role if isinstance(v, Caller) else v,
)
def test_each_move_is_allowed_only_from_its_status_and_only_to_its_party(
    deps: Market, start: str, to: str, who: Caller
) -> None:
    order_id = order_in(deps, start)
    party = ALLOWED.get((start, to))
    stored = "confirmed" if start == "paid" else start
    if (start, to) in NOT_PAID and who == FARMER:
        with pytest.raises(orders.NotPaid) as unpaid:
            move(deps, who, order_id, to)
        assert unpaid.value.status == 409 and unpaid.value.details == {"payment_status": "unpaid"}
    elif (start, to) in NOT_PAID:
        with pytest.raises(Forbidden):  # the buyer: not theirs to make, paid or not
            move(deps, who, order_id, to)
    elif party is None:
        with pytest.raises(orders.IllegalTransition) as refused:
            move(deps, who, order_id, to)
        assert refused.value.status == 409 and refused.value.details == {"status": stored, "requested": to}
    elif party != who:
        with pytest.raises(Forbidden):
            move(deps, who, order_id, to)
    else:
        assert move(deps, who, order_id, to) == to
        return
    assert store(deps).orders[order_id]["status"] == stored  # a refused move changes nothing


@pytest.mark.parametrize("to", TARGETS)
def test_a_stranger_learns_nothing_and_an_admin_cannot_act_for_a_party(deps: Market, to: str) -> None:
    order_id = order_in(deps, "pending")
    with pytest.raises(OrderNotFound):
        move(deps, STRANGER, order_id, to)
    assert orders.get_order(ADMIN, order_id, deps).status == "pending"  # admins may read it
    with pytest.raises((Forbidden, orders.IllegalTransition)):
        move(deps, ADMIN, order_id, to)


def test_cancelling_and_rejecting_return_the_stock(deps: Market) -> None:
    cancelled, rejected = order_in(deps, "pending"), order_in(deps, "confirmed")
    market = store(deps)
    for order_id, who, to in ((cancelled, BUYER, "cancelled"), (rejected, FARMER, "rejected")):
        listing_id = market.orders[order_id]["listing_id"]
        assert market.listings[listing_id]["quantity_g"] == 400_000
        move(deps, who, order_id, to)
        assert market.listings[listing_id]["quantity_g"] == 500_000


def test_a_confirmed_order_is_a_deal_until_the_farmer_rejects_it(deps: Market) -> None:
    order_id = order_in(deps, "pending")
    assert not store(deps).have_deal(BUYER.user_id, FARMER.user_id)
    move(deps, FARMER, order_id, "confirmed")
    assert store(deps).have_deal(FARMER.user_id, BUYER.user_id)  # either order of the two
    move(deps, FARMER, order_id, "rejected")
    assert not store(deps).have_deal(BUYER.user_id, FARMER.user_id)


def test_each_move_publishes_its_event_and_keeps_the_audit_trail(deps: Market) -> None:
    order_id = order_in(deps, "completed")
    kinds = [type(e) for e in store(deps).events if getattr(e, "order_id", None) == order_id]
    assert kinds == [ev.OrderPlaced, ev.OrderConfirmed, ev.OrderDelivered, ev.OrderCompleted]
    completed = store(deps).events[-1]
    assert isinstance(completed, ev.OrderCompleted) and completed.released_by == "receipt"
    trail = orders.get_order(BUYER, order_id, deps).audit
    assert [(a.actor, a.from_status, a.to_status) for a in trail] == [
        (BUYER.user_id, None, "pending"),
        (FARMER.user_id, "pending", "confirmed"),
        (FARMER.user_id, "confirmed", "delivered"),
        (BUYER.user_id, "delivered", "completed"),
    ]
    assert store(deps).farmer[FARMER.user_id] == {"completed": 1}


def test_placing_an_order_reserves_stock_and_refuses_what_is_not_there(deps: Market) -> None:
    listing_id = listing(deps, kg="150")
    placed = orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal("100.5")), deps)
    assert (placed.total_ugx, placed.status) == (120_600, "pending")
    assert store(deps).listings[listing_id]["quantity_g"] == 49_500
    with pytest.raises(InsufficientStock):
        orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(50)), deps)
    with pytest.raises(orders.SelfDealing):
        orders.place_order(
            Caller(user_id=FARMER.user_id, role="both", email="f@example.com"),
            OrderCreate(listing_id=listing_id, quantity_kg=Decimal(1)),
            deps,
        )
    with pytest.raises(Forbidden):
        orders.place_order(FARMER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(1)), deps)


def test_an_order_far_above_the_buyers_usual_size_is_flagged_not_refused(deps: Market) -> None:
    listing_id = listing(deps, kg="10000")
    for _ in range(3):
        assert not orders.place_order(
            BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(10)), deps
        ).flagged
    big = orders.place_order(BUYER, OrderCreate(listing_id=listing_id, quantity_kg=Decimal(51)), deps)
    assert big.flagged and [f["order_id"] for f in store(deps).flags] == [big.id]


def test_only_the_buyer_reviews_a_completed_order_once(deps: Market) -> None:
    pending, completed = order_in(deps, "pending"), order_in(deps, "completed")
    with pytest.raises(orders.NotReviewable):
        orders.review(BUYER, pending, ReviewCreate(rating=5), deps)
    with pytest.raises(Forbidden):
        orders.review(FARMER, completed, ReviewCreate(rating=5), deps)
    review = orders.review(BUYER, completed, ReviewCreate(rating=4), deps)
    assert (review.farmer_rating, review.farmer_rating_count, review.farmer_fulfillment_rate) == (4.0, 1, 1.0)
    with pytest.raises(AlreadyReviewed):
        orders.review(BUYER, completed, ReviewCreate(rating=1), deps)
