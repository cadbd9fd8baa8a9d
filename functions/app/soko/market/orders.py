"""Order rules: placing an order (stock, hourly limit, the large-order flag), the state machine
of who may move an order where, reviews, and the admin's flagged orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from soko.market import events as ev
from soko.market.dal import OrderNotFound, time_key
from soko.market.listings import load_listing
from soko.market.models import (
    AuditEntry,
    Flag,
    FlagPage,
    Order,
    OrderCreate,
    OrderPage,
    Review,
    ReviewCreate,
    StatusChange,
    to_grams,
    to_kg,
    total_ugx,
)
from soko.market.ports import Market
from soko.shared import clock, ids
from soko.shared.errors import Conflict, Forbidden
from soko.shared.identity import Caller

# (from, to) -> who may make the change
TRANSITIONS = {
    ("pending", "confirmed"): "farmer",
    ("pending", "rejected"): "farmer",
    # A farmer who cannot deliver a confirmed order rejects it: the stock returns and, when the
    # buyer has paid, the payments domain refunds them in full (OrderRejected).
    ("confirmed", "rejected"): "farmer",
    ("confirmed", "completed"): "farmer",
    ("pending", "cancelled"): "buyer",
}
TRADED_STATUSES = ("confirmed", "completed")  # the farmer accepted: the two have a deal


class SelfDealing(Forbidden):
    code = "SELF_DEALING"


class IllegalTransition(Conflict):
    code = "ILLEGAL_TRANSITION"


class NotReviewable(Conflict):
    code = "NOT_REVIEWABLE"


def order_view(item: dict[str, Any], audit: list[dict[str, Any]] | None = None) -> Order:
    return Order(
        id=item["id"],
        listing_id=item["listing_id"],
        buyer_id=item["buyer_id"],
        farmer_id=item["farmer_id"],
        crop=item["crop"],
        title=item["title"],
        district=item["district"],
        delivery_district=item.get("delivery_district"),
        quantity_kg=to_kg(int(item["quantity_g"])),
        price_per_kg=int(item["price_per_kg"]),
        total_ugx=int(item["total_ugx"]),
        status=item["status"],
        payment_status=item.get("payment_status", "unpaid"),
        reviewed=bool(item.get("reviewed")),
        flagged=bool(item.get("flagged")),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        audit=[
            AuditEntry(
                actor=a["actor"], from_status=a.get("from_status"), to_status=a["to_status"], at=a["at"]
            )
            for a in audit or []
        ],
    )


def _order_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "order_id": item["id"],
        "listing_id": item["listing_id"],
        "buyer_id": item["buyer_id"],
        "farmer_id": item["farmer_id"],
        "crop": item["crop"],
        "district": item["district"],
        "quantity_kg": to_kg(int(item["quantity_g"])),
        "price_per_kg_ugx": int(item["price_per_kg"]),
        "total_ugx": int(item["total_ugx"]),
    }


def _audit(order_id: str, actor: str, from_status: str | None, to_status: str, at: str) -> dict[str, Any]:
    return {
        "pk": f"ORDER#{order_id}",
        "sk": f"AUDIT#{at}#{ids.ulid()}",
        "actor": actor,
        "from_status": from_status,
        "to_status": to_status,
        "at": at,
    }


def _large_order_flag(caller: Caller, order: dict[str, Any], deps: Market) -> dict[str, Any] | None:
    orders, total_g = deps.dal.buyer_stats(caller.user_id)
    if orders < 3:
        return None
    usual = total_g / orders
    if int(order["quantity_g"]) <= deps.config.large_order_factor * usual:
        return None
    flag_id = ids.ulid()
    return {
        "pk": f"FLAG#{flag_id}",
        "sk": "FLAG",
        "id": flag_id,
        "order_id": order["id"],
        "buyer_id": caller.user_id,
        "reason": f"order is more than {deps.config.large_order_factor:g}x this buyer's usual size",
        "quantity_g": int(order["quantity_g"]),
        "usual_g": int(usual),
        "created_at": order["created_at"],
        "gsi1pk": "FLAGS",
        "gsi1sk": time_key(order["created_at"], flag_id),
    }


def place_order(caller: Caller, request: OrderCreate, deps: Market) -> Order:
    if not caller.can_buy():
        raise Forbidden("Only buyers can place orders.", details={"role": caller.role})
    listing = load_listing(request.listing_id, deps)
    if listing["farmer_id"] == caller.user_id:
        raise SelfDealing("You cannot order your own produce.")
    now = clock.now()
    at = clock.iso(now)
    grams = to_grams(request.quantity_kg)
    order: dict[str, Any] = {
        "id": ids.ulid(),
        "listing_id": listing["id"],
        "buyer_id": caller.user_id,
        "farmer_id": listing["farmer_id"],
        "crop": listing["crop"],
        "title": listing["title"],
        "district": listing["district"],
        "delivery_district": request.delivery_district,
        "quantity_g": grams,
        "price_per_kg": int(listing["price_per_kg"]),
        "total_ugx": total_ugx(int(listing["price_per_kg"]), grams),
        "status": "pending",
        "payment_status": "unpaid",
        "reviewed": False,
        "created_at": at,
        "updated_at": at,
        "version": 1,
    }
    flag = _large_order_flag(caller, order, deps)
    order.update(
        pk=f"ORDER#{order['id']}",
        sk="ORDER",
        flagged=flag is not None,
        gsi1pk=f"BUYER#{caller.user_id}",
        gsi1sk=time_key(at, order["id"]),
        gsi2pk=f"INCOMING#{listing['farmer_id']}",
        gsi2sk=time_key(at, order["id"]),
    )
    audit = _audit(order["id"], caller.user_id, None, "pending", at)
    hour_end = now.replace(minute=0, second=0) + timedelta(hours=2)
    deps.dal.place_order(
        order,
        audit=audit,
        hour=now.strftime("%Y%m%d%H"),
        rate_limit=deps.config.orders_per_buyer_per_hour,
        rate_ttl=int(hour_end.timestamp()),
        flag=flag,
        events=[ev.OrderPlaced(**_order_fields(order), flagged=flag is not None)],
    )
    return order_view(order, [audit])


def _load_order(caller: Caller, order_id: str, deps: Market) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    found = deps.dal.get_order(order_id)
    # Someone who is not a party learns nothing, not even that the order exists.
    if found is None or not (
        caller.is_admin or caller.user_id in (found[0]["buyer_id"], found[0]["farmer_id"])
    ):
        raise OrderNotFound("No such order.", details={"id": order_id})
    return found[0], found[1]


def get_order(caller: Caller, order_id: str, deps: Market) -> Order:
    return order_view(*_load_order(caller, order_id, deps))


def list_orders(caller: Caller, incoming: bool, limit: int, cursor: str | None, deps: Market) -> OrderPage:
    index, partition = (
        ("gsi2", f"INCOMING#{caller.user_id}") if incoming else ("gsi1", f"BUYER#{caller.user_id}")
    )
    page = deps.dal.list_orders(index, partition, limit, cursor, f"orders:{partition}")
    return OrderPage(items=[order_view(item) for item in page.items], next_cursor=page.next_cursor)


def _transition(caller: Caller, order_id: str, to_status: str, deps: Market) -> Order:
    order, audit = _load_order(caller, order_id, deps)
    who = TRANSITIONS.get((order["status"], to_status))
    if who is None:
        raise IllegalTransition(
            f"An order that is {order['status']} cannot become {to_status}.",
            details={"status": order["status"], "requested": to_status},
        )
    party = order["farmer_id"] if who == "farmer" else order["buyer_id"]
    if caller.user_id != party:
        raise Forbidden(f"Only the order's {who} can make it {to_status}.")
    at = clock.now_iso()
    entry = _audit(order_id, caller.user_id, order["status"], to_status, at)
    fields = _order_fields(order)
    simple: dict[str, type[ev.OrderConfirmed | ev.OrderRejected | ev.OrderCancelled]] = {
        "confirmed": ev.OrderConfirmed,
        "rejected": ev.OrderRejected,
        "cancelled": ev.OrderCancelled,
    }
    event = (
        ev.OrderCompleted(**fields, completed_at=at)
        if to_status == "completed"
        else simple[to_status](**fields)
    )
    stats = {"completed": {"completed": 1}, "rejected": {"rejected": 1}}.get(to_status, {})
    deps.dal.transition(
        order,
        to_status=to_status,
        audit=entry,
        now=at,
        restock=to_status in ("rejected", "cancelled"),
        stats=stats,
        events=[event],
        deal=_deal_change(order["status"], to_status),
    )
    return order_view({**order, "status": to_status, "updated_at": at}, [*audit, entry])


def _deal_change(from_status: str, to_status: str) -> int:
    """1 when a transition makes the order a deal between its two users (``TRADED_STATUSES``),
    -1 when it stops being one, else 0."""
    return int(to_status in TRADED_STATUSES) - int(from_status in TRADED_STATUSES)


def cancel_order(caller: Caller, order_id: str, deps: Market) -> Order:
    return _transition(caller, order_id, "cancelled", deps)


def change_status(caller: Caller, order_id: str, change: StatusChange, deps: Market) -> Order:
    return _transition(caller, order_id, change.new_status, deps)


def _fulfillment(stats: dict[str, Any]) -> float | None:
    decided = int(stats.get("completed", 0)) + int(stats.get("rejected", 0))
    return round(int(stats.get("completed", 0)) / decided, 3) if decided else None


def review(caller: Caller, order_id: str, request: ReviewCreate, deps: Market) -> Review:
    order, _ = _load_order(caller, order_id, deps)
    if caller.user_id != order["buyer_id"]:
        raise Forbidden("Only the buyer can review an order.")
    if order["status"] != "completed":
        raise NotReviewable(
            "An order can be reviewed once it is completed.", details={"status": order["status"]}
        )
    stats = deps.dal.farmer_stats(order["farmer_id"])
    rating_sum = int(stats.get("rating_sum", 0)) + request.rating
    rating_count = int(stats.get("rating_count", 0)) + 1
    at = clock.now_iso()
    item = {
        "pk": f"ORDER#{order_id}",
        "sk": "REVIEW",
        "order_id": order_id,
        "farmer_id": order["farmer_id"],
        "buyer_id": caller.user_id,
        "rating": request.rating,
        "comment": request.comment,
        "created_at": at,
    }
    event = ev.ReviewSubmitted(
        order_id=order_id,
        buyer_id=caller.user_id,
        farmer_id=order["farmer_id"],
        rating=request.rating,
        farmer_rating_sum=rating_sum,
        farmer_rating_count=rating_count,
        farmer_fulfillment_rate=_fulfillment(stats),
    )
    version = stats.get("reviews_version")
    deps.dal.put_review(item, order, None if version is None else int(version), [event])
    return Review(
        order_id=order_id,
        farmer_id=order["farmer_id"],
        buyer_id=caller.user_id,
        rating=request.rating,
        comment=request.comment,
        created_at=at,
        farmer_rating=round(rating_sum / rating_count, 2),
        farmer_rating_count=rating_count,
        farmer_fulfillment_rate=_fulfillment(stats),
    )


def list_flags(caller: Caller, limit: int, cursor: str | None, deps: Market) -> FlagPage:
    if not caller.is_admin:
        raise Forbidden("Only admins can see flagged orders.")
    page = deps.dal.list_flags(limit, cursor)
    items = [
        Flag(
            id=i["id"],
            order_id=i["order_id"],
            buyer_id=i["buyer_id"],
            reason=i["reason"],
            quantity_kg=to_kg(int(i["quantity_g"])),
            usual_quantity_kg=to_kg(int(i["usual_g"])),
            created_at=i["created_at"],
        )
        for i in page.items
    ]
    return FlagPage(items=items, next_cursor=page.next_cursor)
