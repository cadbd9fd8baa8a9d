"""An in-memory market table (soko.market.ports.MarketStore) with the guards of MarketDal: stock
never below zero, the hourly order limit, optimistic locking on versions, one review per order."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Sequence

from soko.market.dal import (
    AlreadyReviewed,
    BrowseQuery,
    InsufficientStock,
    ListingUnavailable,
    OpenQuantityRaced,
    OrderRateLimited,
    StaleWrite,
)
from soko.market.ports import Item, OrderRecord
from soko.shared.dynamo import Page
from soko.shared.events import EventDetail


class InMemoryMarket:
    def __init__(self) -> None:
        self.listings: dict[str, Item] = {}
        self.orders: dict[str, Item] = {}
        self.audit: dict[str, list[Item]] = defaultdict(list)
        self.reviews: dict[str, Item] = {}
        self.farmer: dict[str, Item] = defaultdict(dict)
        self.buyer: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
        self.placed_this_hour: dict[tuple[str, str], int] = defaultdict(int)
        self.deals: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.flags: list[Item] = []
        self.views: set[tuple[str, str, str]] = set()
        self.events: list[EventDetail] = []
        self.open_g: dict[tuple[str, str], int] = defaultdict(int)
        self.committed_g: dict[str, int] = defaultdict(int)

    # ------------------------------------------------------------------ listings
    def get_listing(self, listing_id: str) -> Item | None:
        return copy.deepcopy(self.listings.get(listing_id))

    def create_listing(self, item: Item, events: Sequence[EventDetail]) -> None:
        if item["id"] in self.listings:
            raise StaleWrite("A listing with this id already exists.")
        self.listings[item["id"]] = copy.deepcopy(item)
        self.events += events

    def update_listing(
        self, listing_id: str, version: int, sets: Item, removes: Sequence[str], events: Sequence[EventDetail]
    ) -> None:
        listing = self.listings[listing_id]
        if listing["version"] != version:
            raise StaleWrite("The listing changed while you were editing it.")
        listing.update(copy.deepcopy(sets))
        for name in removes:
            listing.pop(name, None)
        self.events += events

    def browse(self, query: BrowseQuery, limit: int, cursor: str | None, scope: str) -> Page:
        active = [i for i in self.listings.values() if i["status"] == "active" and i["quantity_g"] > 0]
        return Page(items=copy.deepcopy(active[:limit]), next_cursor=None)

    def record_view(
        self, listing_id: str, viewer_id: str, day: str, ttl: int, events: Sequence[EventDetail]
    ) -> bool:
        if (listing_id, viewer_id, day) in self.views:
            return False
        self.views.add((listing_id, viewer_id, day))
        self.events += events
        return True

    # ------------------------------------------------------------------ orders
    def get_order(self, order_id: str) -> OrderRecord | None:
        if order_id not in self.orders:
            return None
        return (
            copy.deepcopy(self.orders[order_id]),
            copy.deepcopy(self.audit[order_id]),  # oldest first
            copy.deepcopy(self.reviews.get(order_id)),
        )

    def buyer_stats(self, buyer_id: str) -> tuple[int, int]:
        return self.buyer[buyer_id]

    def place_order(
        self,
        order: Item,
        *,
        audit: Item,
        hour: str,
        rate_limit: int,
        rate_ttl: int,
        flag: Item | None,
        events: Sequence[EventDetail],
        open_room: int | None = None,
    ) -> None:
        grams = int(order["quantity_g"])
        held = (order["listing_id"], order["buyer_id"])
        if self.placed_this_hour[(order["buyer_id"], hour)] >= rate_limit:
            raise OrderRateLimited("Too many orders this hour.", retry_after_seconds=60)
        listing = self.listings.get(order["listing_id"])
        if listing is None or listing["status"] != "active":
            raise ListingUnavailable("This listing is no longer available.")
        if listing["quantity_g"] < grams:
            raise InsufficientStock("Not enough stock left for this order.")
        if open_room is not None and self.open_g[held] > open_room:
            raise OpenQuantityRaced("Over the open-quantity cap.")
        listing["quantity_g"] -= grams
        listing["version"] += 1
        self.orders[order["id"]] = copy.deepcopy(order)
        self.audit[order["id"]].append(copy.deepcopy(audit))
        self.placed_this_hour[(order["buyer_id"], hour)] += 1
        if open_room is not None:
            self.open_g[held] += grams
            self.committed_g[order["listing_id"]] += grams
        count, total = self.buyer[order["buyer_id"]]
        self.buyer[order["buyer_id"]] = (count + 1, total + grams)
        if flag is not None:
            self.flags.append(copy.deepcopy(flag))
        self.events += events

    def transition(
        self,
        order: Item,
        *,
        to_status: str,
        audit: Item,
        now: str,
        restock: bool,
        stats: dict[str, int],
        events: Sequence[EventDetail],
        deal: int = 0,
        sets: Item | None = None,
        release_open: bool = False,
        condition: tuple[str, Item] | None = None,
    ) -> None:
        stored = self.orders[order["id"]]
        if (stored["version"], stored["status"]) != (order["version"], order["status"]):
            raise StaleWrite("The order changed at the same moment.")
        if release_open and not stored.get("open_held"):
            raise StaleWrite("The order changed at the same moment.")
        if condition is not None and not _holds(stored, *condition):
            raise StaleWrite("The order changed at the same moment.")
        stored.update(copy.deepcopy(sets or {}))
        stored.update(status=to_status, version=stored["version"] + 1, updated_at=now)
        if release_open:
            stored.pop("open_held")
            self.open_g[(order["listing_id"], order["buyer_id"])] -= int(order["quantity_g"])
        self.audit[order["id"]].append(copy.deepcopy(audit))
        if restock:
            self.listings[order["listing_id"]]["quantity_g"] += int(order["quantity_g"])
            if order.get("counted"):
                self.committed_g[order["listing_id"]] -= int(order["quantity_g"])
        for name, value in stats.items():
            self.farmer[order["farmer_id"]][name] = self.farmer[order["farmer_id"]].get(name, 0) + value
        pair = self._pair(order["buyer_id"], order["farmer_id"])
        if deal > 0:
            self.deals[pair].add(order["id"])
        elif deal < 0:
            self.deals[pair].discard(order["id"])
        self.events += events

    def list_orders(self, index: str, partition: str, limit: int, cursor: str | None, scope: str) -> Page:
        field = {"gsi1": "buyer_id", "gsi2": "farmer_id"}[index]
        user = partition.split("#", 1)[1]
        mine = sorted(
            (o for o in self.orders.values() if o[field] == user), key=lambda o: o["created_at"], reverse=True
        )
        return Page(items=copy.deepcopy(mine[:limit]), next_cursor=None)

    def list_flags(self, limit: int, cursor: str | None) -> Page:
        return Page(items=copy.deepcopy(self.flags[:limit]), next_cursor=None)

    def farmer_stats(self, farmer_id: str) -> Item:
        return copy.deepcopy(self.farmer[farmer_id])

    def put_review(
        self, review: Item, order: Item, stats_version: int | None, events: Sequence[EventDetail]
    ) -> None:
        stored = self.orders[order["id"]]
        if order["id"] in self.reviews or stored.get("reviewed") or stored["status"] != "completed":
            raise AlreadyReviewed("This order has already been reviewed.")
        stats = self.farmer[order["farmer_id"]]
        if stats.get("reviews_version") != stats_version:
            raise StaleWrite("Another review landed at the same moment.")
        self.reviews[order["id"]] = copy.deepcopy(review)
        stored["reviewed"] = True
        stats["rating_sum"] = stats.get("rating_sum", 0) + review["rating"]
        stats["rating_count"] = stats.get("rating_count", 0) + 1
        stats["reviews_version"] = stats.get("reviews_version", 0) + 1
        self.events += events

    def have_deal(self, user_a: str, user_b: str) -> bool:
        return bool(self.deals[self._pair(user_a, user_b)])

    def set_payment_status(self, order_id: str, status: str, rank: int, now: str) -> bool:
        order = self.orders.get(order_id)
        if order is None or order.get("payment_rank", 0) >= rank:
            return False
        order.update(payment_status=status, payment_rank=rank, updated_at=now)
        return True

    def open_quantity(self, listing_id: str, buyer_id: str) -> int:
        return self.open_g[(listing_id, buyer_id)]

    def committed_quantity(self, listing_id: str) -> int:
        return max(self.committed_g[listing_id], 0)

    def release_open_when_paid(self, order: Item) -> bool:
        stored = self.orders[order["id"]]
        if not stored.get("open_held"):
            return False
        stored.pop("open_held")
        self.open_g[(order["listing_id"], order["buyer_id"])] -= int(order["quantity_g"])
        return True

    def issue_pin(self, order_id: str, pin_hash: str, max_attempts: int, now: str) -> bool:
        order = self.orders.get(order_id)
        if (
            order is None
            or order.get("pin_sent_at")
            or order["status"] not in ("confirmed", "dispatched", "delivered")
        ):
            return False
        order.update(pin_hash=pin_hash, pin_attempts=0, pin_max_attempts=max_attempts, pin_issued_at=now)
        return True

    def pin_sent(self, order_id: str, now: str) -> None:
        self.orders[order_id]["pin_sent_at"] = now

    def count_pin_attempt(self, order_id: str, max_attempts: int) -> bool:
        order = self.orders[order_id]
        if not order.get("pin_hash") or order.get("pin_attempts", 0) >= max_attempts:
            return False
        order["pin_attempts"] = order.get("pin_attempts", 0) + 1
        return True

    def resend_pin(self, order_id: str, pin_hash: str, max_resends: int, paid: str, now: str) -> bool:
        order = self.orders.get(order_id)
        if (
            order is None
            or not order.get("pin_hash")
            or order.get("payment_status") != paid
            or order["status"] not in ("confirmed", "dispatched", "delivered")
            or order.get("pin_attempts", 0) >= order.get("pin_max_attempts", 5)
            or order.get("pin_resends", 0) >= max_resends
        ):
            return False
        order.update(pin_hash=pin_hash, pin_issued_at=now, pin_sent_at=now)
        order["pin_resends"] = order.get("pin_resends", 0) + 1
        return True

    def uncount_pin_resend(self, order_id: str, pin_hash: str) -> None:
        order = self.orders[order_id]
        if order.get("pin_hash") == pin_hash and order.get("pin_resends", 0) > 0:
            order["pin_resends"] -= 1

    @staticmethod
    def _pair(user_a: str, user_b: str) -> tuple[str, str]:
        low, high = sorted((user_a, user_b))
        return low, high


def _holds(order: Item, expression: str, values: Item) -> bool:
    """The few extra order conditions soko.market.orders writes, evaluated like DynamoDB would."""
    checks: dict[str, Callable[[], bool]] = {
        "payment_status = :paid": lambda: order.get("payment_status") == values.get(":paid"),
        "release_at <= :now": lambda: "release_at" in order and order["release_at"] <= values[":now"],
        "release_at > :now": lambda: "release_at" in order and order["release_at"] > values[":now"],
        "(attribute_not_exists(payment_rank) OR payment_rank < :paid_rank)": lambda: (
            order.get("payment_rank", 0) < values[":paid_rank"]
        ),
    }
    return bool(checks[expression]())
