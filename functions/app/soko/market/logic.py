"""Marketplace rules: listings, browsing, orders and their state machine, reviews, fraud rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from soko.market import events as ev
from soko.market.dal import (
    BROWSE_INDEXES,
    ListingNotFound,
    MarketDal,
    OrderNotFound,
    listing_index_keys,
    time_key,
)
from soko.market.models import (
    AuditEntry,
    Flag,
    FlagPage,
    ImageUpload,
    ImageUploadRequest,
    Listing,
    ListingCreate,
    ListingPage,
    ListingUpdate,
    MarketConfig,
    Order,
    OrderCreate,
    OrderPage,
    Review,
    ReviewCreate,
    Sort,
    StatusChange,
    to_grams,
    to_kg,
    total_ugx,
)
from soko.shared import clock, crops, ids
from soko.shared.errors import Conflict, Forbidden, Unprocessable
from soko.shared.identity import Caller
from soko.shared.media import MediaStore

MAX_IMAGES = 8
IMAGE_MAX_BYTES = 10 * 1024 * 1024
VIEW_TTL_SECONDS = 2 * 24 * 3600
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


@dataclass
class Market:
    config: MarketConfig
    dal: MarketDal
    media: MediaStore


class SelfDealing(Forbidden):
    code = "SELF_DEALING"


class IllegalTransition(Conflict):
    code = "ILLEGAL_TRANSITION"


class NotReviewable(Conflict):
    code = "NOT_REVIEWABLE"


# ---------------------------------------------------------------------------- text search keys
def phonetic(word: str) -> str:
    """A rough sound-alike key (``maize`` and ``maze`` -> ``ms``; ``matooke`` and ``matoke`` -> ``mtk``)."""
    text = re.sub("[^a-z]", "", word.lower()).replace("ph", "f").replace("ck", "k")
    text = text.translate(str.maketrans("cqzv", "kksf"))
    if not text:
        return ""
    key = text[0]
    for letter in re.sub("[aeiouyhw]", "", text[1:]):
        if letter != key[-1]:
            key += letter
    return key


def title_keys(*texts: str) -> list[str]:
    words = {w for text in texts for w in re.findall(r"[a-zA-Z]{3,}", text)}
    return sorted({phonetic(w) for w in words} - {""})


# ---------------------------------------------------------------------------- listings
def _listing(item: dict[str, Any], deps: Market) -> Listing:
    crop = crops.by_id(item["crop"])
    return Listing(
        id=item["id"],
        farmer_id=item["farmer_id"],
        title=item["title"],
        category=item["category"],
        crop=item["crop"],
        crop_name=crop.name if crop else item["crop"],
        price_per_kg=int(item["price_per_kg"]),
        quantity_kg=to_kg(int(item["quantity_g"])),
        district=item["district"],
        description=item.get("description"),
        harvest_date=item.get("harvest_date"),
        status=item["status"],
        images=[deps.media.view_url(key) for key in item.get("images", [])],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def _listing_event(item: dict[str, Any], kind: type[ev.ListingCreated] | type[ev.ListingUpdated]) -> Any:
    fields = {
        "listing_id": item["id"],
        "farmer_id": item["farmer_id"],
        "crop": item["crop"],
        "category": item["category"],
        "district": item["district"],
        "price_per_kg_ugx": int(item["price_per_kg"]),
        "quantity_kg": to_kg(int(item["quantity_g"])),
    }
    return kind(**fields) if kind is ev.ListingCreated else ev.ListingUpdated(**fields, status=item["status"])


def create_listing(caller: Caller, request: ListingCreate, deps: Market) -> Listing:
    if not caller.can_sell():
        raise Forbidden("Only farmers can list produce.", details={"role": caller.role})
    crop = crops.by_id(request.crop)
    assert crop is not None  # the model validated it
    now = clock.now_iso()
    item: dict[str, Any] = {
        "id": ids.ulid(),
        "farmer_id": caller.user_id,
        "title": request.title,
        "category": request.category or crop.category,
        "crop": crop.id,
        "price_per_kg": request.price_per_kg,
        "quantity_g": to_grams(request.quantity_kg),
        "district": request.district,
        "description": request.description,
        "harvest_date": request.harvest_date.isoformat() if request.harvest_date else None,
        "status": "active",
        "images": [],
        "title_keys": title_keys(request.title, *crop.names),
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    item.update(pk=f"LISTING#{item['id']}", sk="LISTING", **listing_index_keys(item))
    deps.dal.create_listing(item, [_listing_event(item, ev.ListingCreated)])
    return _listing(item, deps)


def _load_listing(listing_id: str, deps: Market) -> dict[str, Any]:
    item = deps.dal.get_listing(listing_id)
    if item is None:
        raise ListingNotFound("No such listing.", details={"id": listing_id})
    return item


def _own_listing(caller: Caller, listing_id: str, deps: Market) -> dict[str, Any]:
    item = _load_listing(listing_id, deps)
    if item["farmer_id"] != caller.user_id:
        raise Forbidden("Only the farmer who listed this can change it.")
    if item["status"] == "deleted":
        raise ListingNotFound("No such listing.", details={"id": listing_id})
    return item


def get_listing(viewer: Caller | None, listing_id: str, deps: Market) -> Listing:
    item = _load_listing(listing_id, deps)
    if viewer is not None and viewer.user_id != item["farmer_id"] and item["status"] == "active":
        day = clock.now().date().isoformat()
        viewed = ev.ListingViewed(
            listing_id=listing_id,
            farmer_id=item["farmer_id"],
            viewer_id=viewer.user_id,
            crop=item["crop"],
            day=day,
        )
        deps.dal.record_view(listing_id, viewer.user_id, day, clock.epoch() + VIEW_TTL_SECONDS, [viewed])
    return _listing(item, deps)


def update_listing(caller: Caller, listing_id: str, update: ListingUpdate, deps: Market) -> Listing:
    item = _own_listing(caller, listing_id, deps)
    changes = update.model_dump(exclude_unset=True)
    if not changes:
        return _listing(item, deps)
    new = dict(item)
    if "quantity_kg" in changes:
        new["quantity_g"] = to_grams(Decimal(changes.pop("quantity_kg")))
    if changes.get("harvest_date"):
        changes["harvest_date"] = changes["harvest_date"].isoformat()
    new.update(changes)
    if "title" in changes:
        crop = crops.by_id(item["crop"])
        new["title_keys"] = title_keys(new["title"], *(crop.names if crop else ()))
    new.update(listing_index_keys(new), updated_at=clock.now_iso(), version=int(item["version"]) + 1)
    sets = {k: v for k, v in new.items() if k not in ("pk", "sk") and item.get(k) != v and v is not None}
    removes = [k for k, v in new.items() if v is None and item.get(k) is not None]
    deps.dal.update_listing(
        listing_id, int(item["version"]), sets, removes, [_listing_event(new, ev.ListingUpdated)]
    )
    return _listing(new, deps)


def delete_listing(caller: Caller, listing_id: str, deps: Market) -> None:
    """A soft delete: the listing leaves every list but stays readable for its orders."""
    item = _own_listing(caller, listing_id, deps)
    new = {**item, "status": "deleted", "updated_at": clock.now_iso(), "version": int(item["version"]) + 1}
    removes = [k for k in listing_index_keys(item) if k in item]
    sets = {"status": "deleted", "updated_at": new["updated_at"], "version": new["version"]}
    deps.dal.update_listing(
        listing_id, int(item["version"]), sets, removes, [_listing_event(new, ev.ListingUpdated)]
    )


def image_upload(caller: Caller, listing_id: str, request: ImageUploadRequest, deps: Market) -> ImageUpload:
    item = _own_listing(caller, listing_id, deps)
    if len(item.get("images", [])) >= MAX_IMAGES:
        raise Conflict(f"A listing has at most {MAX_IMAGES} images.", code="TOO_MANY_IMAGES")
    extension = request.content_type.split("/")[1].replace("jpeg", "jpg")
    key = f"listings/{listing_id}/{ids.ulid()}.{extension}"
    form = deps.media.upload_form(key, request.content_type, IMAGE_MAX_BYTES, 900)
    deps.dal.update_listing(
        listing_id,
        int(item["version"]),
        {"images": [*item.get("images", []), key], "version": int(item["version"]) + 1},
        [],
        [],
    )
    return ImageUpload(
        url=form["url"], fields=form["fields"], key=key, max_bytes=IMAGE_MAX_BYTES, expires_in=900
    )


@dataclass
class BrowseFilters:
    category: str | None = None
    crop: str | None = None
    district: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    farmer_id: str | None = None
    q: str | None = None
    sort: Sort = "newest"


def _plan(filters: BrowseFilters) -> Any:
    from soko.market.dal import BrowseQuery  # noqa: PLC0415

    crop_id, title = filters.crop, None
    if filters.q:
        found = crops.find(filters.q)
        if found is None:
            title = title_keys(filters.q)
            if not title:
                return None  # no word of 3 or more letters to search for: nothing can match
        elif crop_id not in (None, found.id):
            return None  # two different crops asked for: nothing can match
        else:
            crop_id = found.id
    order = "newest" if filters.sort == "newest" else "price"
    if filters.farmer_id:
        dimension, partition = "farmer", f"FARMER#{filters.farmer_id}"
    elif crop_id:
        dimension, partition = "crop", f"CROP#{crop_id}"
    elif filters.district:
        dimension, partition = "district", f"DIST#{filters.district}"
    else:
        dimension, partition = "all", "ACTIVE"
    equality = {"crop": crop_id, "district": filters.district, "category": filters.category}
    covered = {"crop": dimension == "crop", "district": dimension == "district"}
    priced = order == "price" and (filters.min_price is not None or filters.max_price is not None)
    return BrowseQuery(
        index=BROWSE_INDEXES[(dimension, order)],
        partition=partition,
        ascending=filters.sort == "price",  # cheapest first; newest and -price read backwards
        price_range=(
            filters.min_price or 0,
            999_999_999_999 if filters.max_price is None else filters.max_price,
        )
        if priced
        else None,
        filters={k: v for k, v in equality.items() if v and not covered.get(k)},
        min_price=None if priced else filters.min_price,
        max_price=None if priced else filters.max_price,
        title_keys=title,
    )


def browse(filters: BrowseFilters, limit: int, cursor: str | None, deps: Market) -> ListingPage:
    if (
        filters.min_price is not None
        and filters.max_price is not None
        and filters.min_price > filters.max_price
    ):
        raise Unprocessable("min_price is more than max_price.", details={"field": "min_price"})
    query = _plan(filters)
    if query is None:
        return ListingPage(items=[], next_cursor=None)
    scope = "listings:" + "|".join(f"{k}={v}" for k, v in sorted(vars(filters).items()) if v is not None)
    page = deps.dal.browse(query, limit, cursor, scope)
    return ListingPage(items=[_listing(item, deps) for item in page.items], next_cursor=page.next_cursor)


# ---------------------------------------------------------------------------- orders
def _order(item: dict[str, Any], audit: list[dict[str, Any]] | None = None) -> Order:
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
    listing = _load_listing(request.listing_id, deps)
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
    return _order(order, [audit])


def _load_order(caller: Caller, order_id: str, deps: Market) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    found = deps.dal.get_order(order_id)
    # Someone who is not a party learns nothing, not even that the order exists.
    if found is None or not (
        caller.is_admin or caller.user_id in (found[0]["buyer_id"], found[0]["farmer_id"])
    ):
        raise OrderNotFound("No such order.", details={"id": order_id})
    return found[0], found[1]


def get_order(caller: Caller, order_id: str, deps: Market) -> Order:
    return _order(*_load_order(caller, order_id, deps))


def list_orders(caller: Caller, incoming: bool, limit: int, cursor: str | None, deps: Market) -> OrderPage:
    index, partition = (
        ("gsi2", f"INCOMING#{caller.user_id}") if incoming else ("gsi1", f"BUYER#{caller.user_id}")
    )
    page = deps.dal.list_orders(index, partition, limit, cursor, f"orders:{partition}")
    return OrderPage(items=[_order(item) for item in page.items], next_cursor=page.next_cursor)


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
    return _order({**order, "status": to_status, "updated_at": at}, [*audit, entry])


TRADED_STATUSES = ("confirmed", "completed")  # the farmer accepted: the two have a deal


def _deal_change(from_status: str, to_status: str) -> int:
    """1 when a transition makes the order a deal between its two users (``TRADED_STATUSES``),
    -1 when it stops being one, else 0."""
    return int(to_status in TRADED_STATUSES) - int(from_status in TRADED_STATUSES)


def trade_confirmed(user_a: str, user_b: str, dal: MarketDal) -> bool:
    """True when an order between the two users (either one the buyer) is confirmed or completed.
    Orders confirmed before the pair item existed are not counted (see soko.market.dal)."""
    return dal.have_deal(user_a, user_b)


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


# ---------------------------------------------------------------------------- payments (soko.payments)
# The payments domain reads an order through ``order_for_payment`` and never writes market items:
# the order's ``payment_status`` follows the payment events (see ``record_payment``).
PAYMENT_STATUSES: dict[str, tuple[str, int]] = {
    # detail-type -> (payment_status shown on the order, rank: a status never goes back to a lower one)
    "PaymentFailed": ("payment failed", 1),
    "PaymentCompleted": ("paid (escrow)", 2),
    "PayoutScheduled": ("payout scheduled", 3),
    "RefundRequested": ("refunded", 3),
    "PaymentReversed": ("reversed", 3),
    "PayoutSent": ("paid out to farmer", 4),
}


def order_for_payment(order_id: str, deps: Market) -> Order | None:
    """The order as payments needs it (no caller check: payments checks who pays)."""
    found = deps.dal.get_order(order_id)
    return _order(found[0]) if found else None


def record_payment(detail_type: str, order_id: str, deps: Market) -> bool:
    """Show a payment event on its order; False when it is not newer than what the order shows."""
    if detail_type not in PAYMENT_STATUSES:
        return False
    status, rank = PAYMENT_STATUSES[detail_type]
    return deps.dal.set_payment_status(order_id, status, rank, clock.now_iso())
