"""What other domains may read of the marketplace (with :mod:`soko.market.events`, the only market
modules they import). The marketplace owns the market table: nobody else spells its keys.

Small and read-only: whether two users have traded, who listed a listing, a farmer's fulfilment and
rating totals, a farmer's active listings, a buyer's completed orders, the active listings of a crop,
and an order as transport sees it (logistics quotes and books a vehicle for a confirmed order).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from soko.market.dal import MarketDal
from soko.market.models import CropId, District, Kilograms, Ugx, to_grams, to_kg, total_ugx
from soko.market.tiers import PriceTier, PriceTiers, next_tier, tier_for, tier_price
from soko.shared import dynamo

__all__ = [
    "BuyerHistory",
    "CropId",
    "District",
    "FarmerStats",
    "Kilograms",
    "ListingCard",
    "ListingTerms",
    "MarketReads",
    "PayableOrder",
    "PriceTier",
    "PriceTiers",
    "TransportOrder",
    "Ugx",
    "next_tier",
    "tier_for",
    "tier_price",
    "to_grams",
    "to_kg",
    "total_ugx",
]

_PAGE = 500


class FarmerStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    rating_sum: int = 0
    rating_count: int = 0
    completed: int = 0
    rejected: int = 0


class BuyerHistory(BaseModel):
    model_config = ConfigDict(frozen=True)

    orders_completed: int = 0
    spend_ugx: int = 0


class ListingCard(BaseModel):
    """An active listing, as discovery shows it."""

    model_config = ConfigDict(frozen=True)

    id: str
    farmer_id: str
    title: str | None = None
    district: str
    price_per_kg: int
    quantity_g: int | None = None


class PayableOrder(BaseModel):
    """An order as payments reads it: who pays whom, how much, and whether it may be paid."""

    model_config = ConfigDict(frozen=True)

    id: str
    buyer_id: str
    farmer_id: str
    status: str
    total_ugx: int
    title: str
    coop_id: str | None = None  # an order of a cooperative's pooled listing (paid to its members)


class TransportOrder(BaseModel):
    """An order as logistics reads it: its parties and state, where the produce is (the listing's
    district, the farmer's) and where it goes (the buyer's ``delivery_district``, if given), and
    its weight in grams."""

    model_config = ConfigDict(frozen=True)

    id: str
    buyer_id: str
    farmer_id: str
    status: str
    crop: str
    title: str
    district: str
    delivery_district: str | None = None
    quantity_g: int


class ListingTerms(BaseModel):
    """A listing as a bulk-buying group reads it: what, where, whose, its price and volume tiers
    (``price_tiers`` as stored: ``[{"min_kg": "1000", "discount_percent": 5}, ...]``), its stock in
    grams and whether it is active (and the coop, for a pooled listing)."""

    model_config = ConfigDict(frozen=True)

    id: str
    farmer_id: str
    title: str
    crop: str
    district: str
    price_per_kg: int
    quantity_g: int
    status: str
    price_tiers: list[PriceTier] = Field(default_factory=list)
    coop_id: str | None = None


class MarketReads:
    """Read-only access to the marketplace."""

    def __init__(self, table_name: str):
        self._dal = MarketDal(table_name)

    def trade_confirmed(self, user_a: str, user_b: str) -> bool:
        """True when an order between the two users (either one the buyer) is confirmed or
        completed (see soko.market.dal.have_deal)."""
        return self._dal.have_deal(user_a, user_b)

    def listing_farmer(self, listing_id: str) -> str | None:
        """The farmer who listed ``listing_id`` (whatever its status), or None when no listing has
        that id."""
        item = self._dal.get_listing(listing_id)
        return str(item["farmer_id"]) if item else None

    def listing_terms(self, listing_id: str) -> ListingTerms | None:
        """The listing's terms (whatever its status), or None when no listing has that id."""
        item = self._dal.get_listing(listing_id)
        if item is None:
            return None
        item = dynamo.plain(item)
        return ListingTerms.model_validate(
            {k: item[k] for k in ListingTerms.model_fields if item.get(k) is not None}
            | {"quantity_g": int(item.get("quantity_g", 0))}
        )

    def payable_order(self, order_id: str) -> PayableOrder | None:
        """The order (no caller check: payments checks who pays)."""
        found = self._dal.get_order(order_id)
        return (
            PayableOrder.model_validate({k: found[0].get(k) for k in PayableOrder.model_fields})
            if found
            else None
        )

    def transport_order(self, order_id: str) -> TransportOrder | None:
        """The order as logistics needs it (no caller check: logistics checks who may book)."""
        found = self._dal.get_order(order_id)
        if not found:
            return None
        order = found[0]
        return TransportOrder.model_validate(
            {k: order[k] for k in TransportOrder.model_fields if order.get(k) is not None}
        )

    def farmer_stats(self, farmer_id: str) -> FarmerStats:
        stats = self._dal.farmer_stats(farmer_id)
        return FarmerStats(**{k: int(stats.get(k, 0)) for k in FarmerStats.model_fields})

    def _index(self, index: str, partition: str, limit: int = 10_000) -> Iterator[dict[str, Any]]:
        """Every item of an index partition, newest or cheapest first, a page at a time."""
        cursor: str | None = None
        read = 0
        while read < limit:
            page = self._dal.list_orders(
                index, partition, min(_PAGE, limit - read), cursor, f"{index}:{partition}"
            )
            for item in page.items:
                read += 1
                yield dynamo.plain(item)
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def active_listing_ids(self, farmer_id: str) -> list[str]:
        return sorted(
            str(i["id"]) for i in self._index("gsi7", f"FARMER#{farmer_id}") if i.get("status") == "active"
        )

    def buyer_history(self, buyer_id: str) -> BuyerHistory:
        completed = [o for o in self._index("gsi1", f"BUYER#{buyer_id}") if o.get("status") == "completed"]
        return BuyerHistory(
            orders_completed=len(completed), spend_ugx=sum(int(o.get("total_ugx", 0)) for o in completed)
        )

    def crop_listings(self, crop: str, limit: int) -> list[ListingCard]:
        """Up to ``limit`` active listings of a crop (the browse index is sparse: only active
        listings are in it)."""
        return [
            ListingCard.model_validate(
                {
                    **{k: v for k, v in i.items() if k in ListingCard.model_fields},
                    "district": i.get("district", ""),
                }
            )
            for i in self._index("gsi1", f"CROP#{crop}", limit)
            if i.get("status") == "active"
        ]
