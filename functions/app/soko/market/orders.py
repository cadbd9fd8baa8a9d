"""Order rules: placing an order (stock, hourly limit, the large-order flag), the state machine
of who may move an order where, reviews, and the admin's flagged orders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from soko.market import events as ev
from soko.market.dal import OrderNotFound, time_key
from soko.market.listings import item_tiers, load_listing
from soko.market.models import (
    PAID,
    AuditEntry,
    DisputeView,
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
from soko.market.tiers import tier_for, tier_price
from soko.shared import clock, ids
from soko.shared.errors import Conflict, Forbidden
from soko.shared.events import EventDetail
from soko.shared.identity import Caller

# (from, to) -> who may make the change through PATCH /orders/{id}/status (or cancel). No one
# completes an order this way: only the buyer's receipt, the delivery PIN the buyer hands over, or the
# end of the dispute window release the escrow (``confirm_receipt``, ``enter_delivery_pin``,
# ``release_after_window``).
TRANSITIONS = {
    ("pending", "confirmed"): "farmer",
    ("pending", "rejected"): "farmer",
    # A farmer who cannot deliver a confirmed (or dispatched) order rejects it: the stock returns and,
    # when the buyer has paid, the payments domain refunds them in full (OrderRejected).
    ("confirmed", "rejected"): "farmer",
    ("dispatched", "rejected"): "farmer",
    # Only a paid order (payment_status "paid (escrow)") is dispatched or delivered.
    ("confirmed", "dispatched"): "farmer",
    ("confirmed", "delivered"): "farmer",
    ("dispatched", "delivered"): "farmer",
    ("pending", "cancelled"): "buyer",
}
NEEDS_PAYMENT = ("dispatched", "delivered")
# the farmer accepted: the two have a deal
TRADED_STATUSES = ("confirmed", "dispatched", "delivered", "completed", "disputed", "resolved")
OPEN_STATUSES = ("pending", "confirmed")  # counted against the buyer's open share while unpaid


class SelfDealing(Forbidden):
    code = "SELF_DEALING"


class IllegalTransition(Conflict):
    code = "ILLEGAL_TRANSITION"


class NotReviewable(Conflict):
    code = "NOT_REVIEWABLE"


class NotPaid(Conflict):
    code = "ORDER_NOT_PAID"


class OpenQuantityExceeded(Conflict):
    code = "OPEN_QUANTITY_EXCEEDED"


class WindowClosed(Conflict):
    code = "DISPUTE_WINDOW_CLOSED"


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
        discount_percent=int(item.get("discount_percent") or 0),
        total_ugx=int(item["total_ugx"]),
        status=item["status"],
        payment_status=item.get("payment_status", "unpaid"),
        reviewed=bool(item.get("reviewed")),
        flagged=bool(item.get("flagged")),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        dispatched_at=item.get("dispatched_at"),
        delivered_at=item.get("delivered_at"),
        release_at=item.get("release_at"),
        completed_at=item.get("completed_at"),
        released_by=item.get("released_by"),
        expired_reason=item.get("expired_reason"),
        delivery_pin_locked=bool(item.get("pin_hash"))
        and int(item.get("pin_attempts", 0)) >= int(item.get("pin_max_attempts", 5)),
        dispute=DisputeView.model_validate(item["dispute"]) if item.get("dispute") else None,
        audit=[
            AuditEntry(
                actor=a["actor"], from_status=a.get("from_status"), to_status=a["to_status"], at=a["at"]
            )
            for a in audit or []
        ],
        coop_id=item.get("coop_id"),
        group_id=item.get("group_id"),
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
        **{k: item[k] for k in ("coop_id", "group_id") if item.get(k)},
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
    # a volume tier: an order of at least its min_kg pays its price (rounded half up per kg)
    tier = tier_for(item_tiers(listing), request.quantity_kg)
    price = tier_price(int(listing["price_per_kg"]), tier)
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
        "price_per_kg": price,
        "discount_percent": tier.discount_percent if tier else None,
        "total_ugx": total_ugx(price, grams),
        "coop_id": listing.get("coop_id"),
        "status": "pending",
        "payment_status": "unpaid",
        "reviewed": False,
        "created_at": at,
        "updated_at": at,
        "version": 1,
        "open_held": True,  # counted in the buyer's open quantity on the listing until it leaves
        "counted": True,  # counted in the listing's committed quantity until its stock returns
    }
    open_room = _open_room(caller.user_id, listing, grams, deps)
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
        open_room=open_room,
        events=[ev.OrderPlaced(**_order_fields(order), flagged=flag is not None)],
    )
    return order_view(order, [audit])


def _open_room(buyer_id: str, listing: dict[str, Any], grams: int, deps: Market) -> int:
    """How many grams the buyer may hold open on the listing *before* this order (the placement
    transaction adds ``grams`` only if their open quantity is still at most this): a buyer's open
    (pending, or confirmed and unpaid) quantity stays within ``max_open_share_of_listing`` percent of
    the listing's size, its quantity left plus the quantity in its orders that was not returned. That
    size does not change with orders, so racing orders of one buyer cannot pass the cap; a buyer who
    wants more pays for what they hold first (a paid order is no longer open)."""
    held = deps.dal.open_quantity(listing["id"], buyer_id)
    stock = int(listing.get("quantity_g", 0))
    size = stock + deps.dal.committed_quantity(listing["id"])
    cap = size * deps.config.max_open_share_of_listing // 100
    if held + grams > cap and grams <= stock:  # more than the stock: InsufficientStock says so
        raise OpenQuantityExceeded(
            f"A buyer may hold at most {deps.config.max_open_share_of_listing}% of a listing in orders "
            "that are pending or unpaid; pay for or cancel some first, or order less.",
            details={"open_kg": str(to_kg(held)), "max_open_kg": str(to_kg(cap))},
        )
    return cap - grams


def _load_order(caller: Caller, order_id: str, deps: Market) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    found = deps.dal.get_order(order_id)
    # Someone who is not a party learns nothing, not even that the order exists.
    if found is None or not (
        caller.is_admin or caller.user_id in (found[0]["buyer_id"], found[0]["farmer_id"])
    ):
        raise OrderNotFound("No such order.", details={"id": order_id})
    return found[0], found[1]


def get_order(caller: Caller, order_id: str, deps: Market) -> Order:
    """The order with its audit trail and, where ``deps`` reads it, its money trail."""
    view = order_view(*_load_order(caller, order_id, deps))
    if deps.money_trail is None:
        return view
    return view.model_copy(update={"money_trail": deps.money_trail(order_id)})


def list_orders(caller: Caller, incoming: bool, limit: int, cursor: str | None, deps: Market) -> OrderPage:
    index, partition = (
        ("gsi2", f"INCOMING#{caller.user_id}") if incoming else ("gsi1", f"BUYER#{caller.user_id}")
    )
    page = deps.dal.list_orders(index, partition, limit, cursor, f"orders:{partition}")
    return OrderPage(items=[order_view(item) for item in page.items], next_cursor=page.next_cursor)


def _check_move(order: dict[str, Any], to_status: str) -> str:
    """Who may move ``order`` to ``to_status`` (farmer or buyer); a 409 saying why when nobody may."""
    who = TRANSITIONS.get((order["status"], to_status))
    if who is None:
        hint = (
            " The buyer confirms receipt (POST /orders/{id}/receipt) or the farmer enters the buyer's "
            "delivery PIN; otherwise escrow is released when the dispute window ends."
            if to_status == "completed"
            else ""
        )
        raise IllegalTransition(
            f"An order that is {order['status']} cannot become {to_status}.{hint}",
            details={"status": order["status"], "requested": to_status},
        )
    return who


def _event_for(order: dict[str, Any], to_status: str, sets: dict[str, Any]) -> EventDetail | None:
    fields = _order_fields(order)
    dispute = sets.get("dispute") or {}
    build: dict[str, Callable[[], EventDetail]] = {
        "confirmed": lambda: ev.OrderConfirmed(**fields),
        "rejected": lambda: ev.OrderRejected(**fields),
        "cancelled": lambda: ev.OrderCancelled(**fields),
        "dispatched": lambda: ev.OrderDispatched(**fields),
        "delivered": lambda: ev.OrderDelivered(
            **fields, delivered_at=sets["delivered_at"], release_at=sets["release_at"]
        ),
        "completed": lambda: ev.OrderCompleted(
            **fields, completed_at=sets["completed_at"], released_by=sets["released_by"]
        ),
        "expired": lambda: ev.OrderExpired(**fields, reason=sets["expired_reason"]),
        "disputed": lambda: ev.OrderDisputed(
            **fields,
            dispute_id=dispute.get("id", ""),
            reason=dispute.get("reason", ""),
            details=dispute.get("details", ""),
            photos=dispute.get("photos", []),
            opened_at=dispute.get("opened_at", ""),
        ),
    }
    make = build.get(to_status)  # resolved: none (the disputes domain published DisputeResolved)
    return make() if make else None


def _move(
    order: dict[str, Any],
    audit: list[dict[str, Any]],
    to_status: str,
    actor: str,
    deps: Market,
    *,
    at: str,
    sets: dict[str, Any] | None = None,
    condition: tuple[str, dict[str, Any]] | None = None,
    events: list[EventDetail] | None = None,
) -> Order:
    """Write one move of the state machine: the order (if nobody moved it first), its audit entry,
    the stock returned when it ends before delivery, the buyer's open quantity released when it
    leaves the open states, the farmer's stats, the pair item, and its event, in one transaction."""
    sets = dict(sets or {})
    entry = _audit(order["id"], actor, order["status"], to_status, at)
    event = _event_for(order, to_status, sets)
    stats = {"completed": {"completed": 1}, "rejected": {"rejected": 1}}.get(to_status, {})
    leaves_open = bool(order.get("open_held")) and to_status not in OPEN_STATUSES
    deps.dal.transition(
        order,
        to_status=to_status,
        audit=entry,
        now=at,
        restock=to_status in ("rejected", "cancelled", "expired"),
        stats=stats,
        events=[*([event] if event else []), *(events or [])],
        deal=_deal_change(order["status"], to_status),
        sets=sets,
        release_open=leaves_open,
        condition=condition,
    )
    moved = {**order, **sets, "status": to_status, "updated_at": at}
    if leaves_open:
        moved.pop("open_held", None)
    return order_view(moved, [*audit, entry])


def _transition(caller: Caller, order_id: str, to_status: str, deps: Market) -> Order:
    order, audit = _load_order(caller, order_id, deps)
    who = _check_move(order, to_status)
    party = order["farmer_id"] if who == "farmer" else order["buyer_id"]
    if caller.user_id != party:
        raise Forbidden(f"Only the order's {who} can make it {to_status}.")
    if to_status in NEEDS_PAYMENT and order.get("payment_status") != PAID:
        raise NotPaid(
            f"Only a paid order can be {to_status}; this one's payment is "
            f"{order.get('payment_status', 'unpaid')}.",
            details={"payment_status": order.get("payment_status", "unpaid")},
        )
    now = clock.now()
    at = clock.iso(now)
    sets: dict[str, Any] = {}
    condition: tuple[str, dict[str, Any]] | None = None
    if to_status == "confirmed":
        sets["confirmed_at"] = at
    elif to_status == "dispatched":
        sets["dispatched_at"] = at
    elif to_status == "delivered":
        sets["delivered_at"] = at
        sets["release_at"] = clock.iso(now + timedelta(minutes=deps.config.dispute_window_minutes))
    if to_status in NEEDS_PAYMENT:  # still paid when written (a refund may land meanwhile)
        condition = ("payment_status = :paid", {":paid": PAID})
    return _move(order, audit, to_status, caller.user_id, deps, at=at, sets=sets, condition=condition)


def _deal_change(from_status: str, to_status: str) -> int:
    """1 when a transition makes the order a deal between its two users (``TRADED_STATUSES``),
    -1 when it stops being one, else 0."""
    return int(to_status in TRADED_STATUSES) - int(from_status in TRADED_STATUSES)


def cancel_order(caller: Caller, order_id: str, deps: Market) -> Order:
    return _transition(caller, order_id, "cancelled", deps)


def change_status(caller: Caller, order_id: str, change: StatusChange, deps: Market) -> Order:
    return _transition(caller, order_id, change.new_status, deps)


def dispatch_by_transport(order_id: str, transporter_id: str, deps: Market) -> Order | None:
    """Logistics' ``TransportPickedUp``: the order's booked transporter has the produce on board, so
    a paid, confirmed order becomes ``dispatched`` (the transporter in its audit trail). Anything
    else (not paid yet, dispatched already, ended) is left as it is (None): a redelivered or late
    event does nothing."""
    found = deps.dal.get_order(order_id)
    if found is None:
        return None
    order, audit, _ = found
    if order["status"] != "confirmed" or order.get("payment_status") != PAID:
        return None
    at = clock.now_iso()
    return _move(
        order,
        audit,
        "dispatched",
        transporter_id,
        deps,
        at=at,
        sets={"dispatched_at": at},
        condition=("payment_status = :paid", {":paid": PAID}),
    )


# ---------------------------------------------------------------------------- release of escrow
RELEASABLE = {"receipt": ("delivered",), "pin": ("delivered", "dispatched"), "window": ("delivered",)}


def _complete(
    order: dict[str, Any],
    audit: list[dict[str, Any]],
    actor: str,
    released_by: str,
    deps: Market,
    *,
    from_confirmed: bool = False,
) -> Order:
    """Complete ``order`` (escrow released). ``from_confirmed``: the order's transporter entered the
    PIN of a paid, confirmed order (still paid when written)."""
    if (
        not (from_confirmed and order["status"] == "confirmed")
        and order["status"] not in RELEASABLE[released_by]
    ):
        raise IllegalTransition(
            f"An order that is {order['status']} cannot be completed"
            + (" by its buyer's receipt" if released_by == "receipt" else " with the delivery PIN")
            + "; the farmer marks it delivered first.",
            details={"status": order["status"], "requested": "completed"},
        )
    at = clock.now_iso()
    condition: tuple[str, dict[str, Any]] | None = None
    if released_by == "window":
        condition = ("release_at <= :now", {":now": at})
    elif order["status"] == "confirmed":  # the transporter's PIN: still paid when written
        condition = ("payment_status = :paid", {":paid": PAID})
    return _move(
        order,
        audit,
        "completed",
        actor,
        deps,
        at=at,
        sets={"completed_at": at, "released_by": released_by},
        condition=condition,
    )


def confirm_receipt(caller: Caller, order_id: str, deps: Market) -> Order:
    """The buyer says the produce arrived: the order is completed and escrow released to the farmer."""
    order, audit = _load_order(caller, order_id, deps)
    if caller.user_id != order["buyer_id"]:
        raise Forbidden("Only the order's buyer can confirm receipt.")
    return _complete(order, audit, caller.user_id, "receipt", deps)


def release_after_window(order_id: str, deps: Market) -> Order | None:
    """The dispute window's timer: complete the order if it is still delivered and its window has
    ended; None (nothing to do) when it moved on. Raises when the timer fired early (it is retried)."""
    found = deps.dal.get_order(order_id)
    if found is None or found[0]["status"] != "delivered":
        return None
    order, audit, _ = found
    if str(order.get("release_at", "~")) > clock.now_iso():
        raise WindowStillOpen(f"The dispute window of order {order_id} is still open.")
    return _complete(order, audit, "system", "window", deps)


class WindowStillOpen(RuntimeError):
    """A release timer fired before its time: the message is retried (never released early)."""


# ---------------------------------------------------------------------------- expiry
EXPIRY_REASONS = {"order.expire-pending": "unanswered", "order.expire-unpaid": "unpaid"}


def expire(order_id: str, kind: str, deps: Market) -> Order | None:
    """An expiry timer fired: a pending order still pending (``unanswered``), or a confirmed order
    still unpaid (``unpaid``), becomes ``expired`` and its stock returns, in one transaction; any
    other state means it moved on, and nothing happens (None)."""
    reason = EXPIRY_REASONS[kind]
    found = deps.dal.get_order(order_id)
    if found is None:
        return None
    order, audit, _ = found
    wanted = "pending" if reason == "unanswered" else "confirmed"
    if order["status"] != wanted:
        return None
    condition: tuple[str, dict[str, Any]] | None = None
    if reason == "unpaid":
        if order.get("payment_status") == PAID or int(order.get("payment_rank", 0)) >= 2:
            return None
        # a payment recorded meanwhile wins: the order is not expired under it
        condition = ("(attribute_not_exists(payment_rank) OR payment_rank < :paid_rank)", {":paid_rank": 2})
    at = clock.now_iso()
    return _move(
        order, audit, "expired", "system", deps, at=at, sets={"expired_reason": reason}, condition=condition
    )


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
