"""The marketplace's side of aggregation (issue 18; docs/aggregation.md): cooperatives' pooled
listings and bulk-buying groups' orders, from the coops' and groups' events.

- ``PoolPublished`` -> the pooled listing, created once with the id the coop chose (``coop_id``
  set, the publishing manager its farmer, the pool's grams its stock); a redelivery finds it there.
- ``CommitmentPooled`` -> ``grams`` added to the pooled listing's stock, once per event id (a marker
  item in the same transaction); an event that arrives before its pool's listing is retried.
- ``GroupCompleted`` -> ALL OR NOTHING: the group's whole quantity is taken off the listing's stock
  in one conditional transaction with the group's record (``GROUP#<id>``); then one order per
  member, its id derived from the group and the buyer (a redelivery creates nothing twice),
  ``confirmed`` at the group's price and awaiting payment until ``pay_by`` (the market's unpaid
  timer). If the listing cannot supply the total (or is not active) no order is created and
  ``GroupOrdersRefused`` is published, once.
- ``GroupRepriced`` -> the group's orders that are confirmed and still unpaid get the new price;
  an order with a payment attempt in flight (payments' money trail says ``pending``) or paid keeps
  its price (the write is conditional on nothing at or above "paid" being recorded on it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from soko.coops.events import CommitmentPooled, PoolPublished
from soko.groups.events import GroupCompleted, GroupRepriced
from soko.market import events as ev
from soko.market.dal import StaleWrite, listing_index_keys, time_key
from soko.market.listings import stored_tiers, title_keys
from soko.market.models import to_kg, total_ugx
from soko.market.orders import _audit, _order_fields
from soko.shared import clock, crops
from soko.shared.events import EventDetail
from soko.shared.observability import logger

type Item = dict[str, Any]
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as soko.shared.ids


class AggregationStore(Protocol):
    """What aggregation needs of the market table beyond :class:`soko.market.ports.MarketStore`."""

    def get_listing(self, listing_id: str) -> Item | None: ...
    def create_listing(self, item: Item, events: Sequence[EventDetail]) -> None: ...
    def get_order(self, order_id: str) -> tuple[Item, list[Item], Item | None] | None: ...
    def add_pooled_stock(
        self, listing_id: str, coop_id: str, event_id: str, grams: int, events: Sequence[EventDetail]
    ) -> bool | None: ...
    def group_record(self, group_id: str) -> Item | None: ...
    def reserve_group(self, record: Item, grams: int) -> str | None: ...
    def refuse_group(self, record: Item, events: Sequence[EventDetail]) -> bool: ...
    def create_group_order(self, order: Item, audit: Item, events: Sequence[EventDetail]) -> bool: ...
    def reprice_unpaid(self, order: Item, price: int, discount: int, total: int, now: str) -> bool: ...


class PoolNotListedYet(RuntimeError):
    """A commitment joined a pool whose listing the market has not created yet: retried."""


def derived_id(*parts: str) -> str:
    """A ULID-shaped id derived from ``parts`` (the same parts, the same id)."""
    digest = int.from_bytes(hashlib.sha256("#".join(parts).encode()).digest(), "big") >> (256 - 125)
    return "".join(_ALPHABET[(digest >> shift) & 31] for shift in range(125, -1, -5))


def group_order_id(group_id: str, buyer_id: str) -> str:
    return derived_id("group-order", group_id, buyer_id)


# ---------------------------------------------------------------------------- cooperatives
def _listing_created(item: Item) -> ev.ListingCreated:
    return ev.ListingCreated(
        listing_id=item["id"],
        farmer_id=item["farmer_id"],
        crop=item["crop"],
        category=item["category"],
        district=item["district"],
        price_per_kg_ugx=int(item["price_per_kg"]),
        quantity_kg=to_kg(int(item["quantity_g"])),
    )


def publish_pool(event: PoolPublished, store: AggregationStore) -> bool:
    """Create the pooled listing once; False when it exists already (a redelivery)."""
    if store.get_listing(event.listing_id) is not None:
        return False
    crop = crops.by_id(event.crop) or crops.find(event.crop)
    if crop is None:
        raise ValueError(f"PoolPublished {event.event_id}: unknown crop {event.crop!r}")
    now = clock.now_iso()
    item: Item = {
        "id": event.listing_id,
        "farmer_id": event.manager_id,
        "coop_id": event.coop_id,
        "title": event.title,
        "category": crop.category,
        "crop": crop.id,
        "price_per_kg": event.price_per_kg,
        "quantity_g": event.quantity_g,
        "district": event.district,
        "description": event.description,
        "status": "active",
        "images": [],
        "title_keys": title_keys(event.title, *crop.names),
        "price_tiers": stored_tiers(list(event.price_tiers)) or None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    item.update(pk=f"LISTING#{item['id']}", sk="LISTING", **listing_index_keys(item))
    try:
        store.create_listing(item, [_listing_created(item)])
    except StaleWrite:  # created by a concurrent delivery of the same event
        return False
    return True


def pool_commitment(event: CommitmentPooled, store: AggregationStore) -> bool:
    """Add the commitment's grams to the pooled listing's stock, once per event id."""
    listing = store.get_listing(event.listing_id)
    updated: list[EventDetail] = []
    if listing is not None:
        updated.append(
            ev.ListingUpdated(
                listing_id=listing["id"],
                farmer_id=listing["farmer_id"],
                crop=listing["crop"],
                category=listing["category"],
                district=listing["district"],
                price_per_kg_ugx=int(listing["price_per_kg"]),
                quantity_kg=to_kg(int(listing["quantity_g"]) + event.grams),
                status=listing["status"],
            )
        )
    added = store.add_pooled_stock(event.listing_id, event.coop_id, event.event_id, event.grams, updated)
    if added is None:
        raise PoolNotListedYet(f"pooled listing {event.listing_id} of coop {event.coop_id} not there yet")
    return added


# ---------------------------------------------------------------------------- bulk-buying groups
def complete_group(event: GroupCompleted, store: AggregationStore) -> list[str]:
    """The group's orders (all of them, or none and ``GroupOrdersRefused``); the ids created."""
    members = [m for m in event.members if m.grams > 0]
    total = sum(m.grams for m in members)
    record: Item = {
        "pk": f"GROUP#{event.group_id}",
        "sk": "ORDERS",
        "group_id": event.group_id,
        "listing_id": event.listing_id,
        "grams": total,
        "order_ids": [group_order_id(event.group_id, m.buyer_id) for m in members],
        "created_at": clock.now_iso(),
    }
    listing = store.get_listing(event.listing_id)
    reason = None
    if listing is None:
        reason = "listing_not_found"
    elif any(m.buyer_id == listing["farmer_id"] for m in members):
        reason = "self_dealing"
    else:
        reason = store.reserve_group({**record, "status": "reserved"}, total)
    if reason == "recorded":  # a redelivery: finish what the first delivery started
        found = store.group_record(event.group_id) or {}
        if found.get("status") != "reserved":
            return []
        reason = None
    if reason is not None:
        refused = ev.GroupOrdersRefused(group_id=event.group_id, listing_id=event.listing_id, reason=reason)
        if store.refuse_group({**record, "status": "refused", "reason": reason}, [refused]):
            logger.info("group refused", extra={"group_id": event.group_id, "reason": reason})
        return []
    assert listing is not None
    return [m_id for m in members if (m_id := _member_order(event, m.buyer_id, m.grams, listing, store))]


def _member_order(
    event: GroupCompleted, buyer_id: str, grams: int, listing: Item, store: AggregationStore
) -> str:
    order_id = group_order_id(event.group_id, buyer_id)
    at = clock.now_iso()
    order: Item = {
        "pk": f"ORDER#{order_id}",
        "sk": "ORDER",
        "id": order_id,
        "listing_id": listing["id"],
        "buyer_id": buyer_id,
        "farmer_id": listing["farmer_id"],
        "crop": listing["crop"],
        "title": listing["title"],
        "district": listing["district"],
        "quantity_g": grams,
        "price_per_kg": event.price_per_kg,
        "discount_percent": event.discount_percent or None,
        "total_ugx": total_ugx(event.price_per_kg, grams),
        "status": "confirmed",
        "payment_status": "unpaid",
        "reviewed": False,
        "group_id": event.group_id,
        "coop_id": listing.get("coop_id"),
        "pay_by": event.pay_by,
        "confirmed_at": at,
        "created_at": at,
        "updated_at": at,
        "version": 1,
        "counted": True,  # in the listing's committed quantity (the group's reservation added it)
        "flagged": False,
        "gsi1pk": f"BUYER#{buyer_id}",
        "gsi1sk": time_key(at, order_id),
        "gsi2pk": f"INCOMING#{listing['farmer_id']}",
        "gsi2sk": time_key(at, order_id),
    }
    fields = _order_fields(order)
    audit = _audit(order_id, "system", None, "confirmed", at)
    created = store.create_group_order(order, audit, [ev.OrderPlaced(**fields), ev.OrderConfirmed(**fields)])
    return order_id if created else ""


def reprice_group(
    event: GroupRepriced,
    store: AggregationStore,
    attempt_in_flight: Callable[[str], bool],
) -> list[str]:
    """Re-price the group's orders still unpaid and with no payment attempt in flight; the ids
    re-priced."""
    record = store.group_record(event.group_id)
    if record is None or record.get("status") != "reserved":
        return []
    repriced = []
    now = clock.now_iso()
    for order_id in record.get("order_ids", []):
        found = store.get_order(str(order_id))
        if found is None:
            continue
        order = found[0]
        if order["status"] != "confirmed" or int(order.get("payment_rank", 0)) >= 2:
            continue
        if int(order["price_per_kg"]) == event.price_per_kg or attempt_in_flight(str(order_id)):
            continue
        total = total_ugx(event.price_per_kg, int(order["quantity_g"]))
        if store.reprice_unpaid(order, event.price_per_kg, event.discount_percent, total, now):
            repriced.append(str(order_id))
    return repriced
