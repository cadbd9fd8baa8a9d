"""Marketplace event contracts (sources ``soko.listings`` and ``soko.orders``).

``OrderCompleted`` is the ML layer's price observation: crop, district, quantity and the agreed
price per kg. Quantities are kilograms as strings with 3 decimals (exact); money is integer UGX.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from soko.shared.events import EventDetail


class _Listing(EventDetail):
    SOURCE: ClassVar[str] = "soko.listings"

    listing_id: str
    farmer_id: str
    crop: str
    category: str
    district: str
    price_per_kg_ugx: int
    quantity_kg: Decimal


class ListingCreated(_Listing):
    DETAIL_TYPE: ClassVar[str] = "ListingCreated"


class ListingUpdated(_Listing):
    DETAIL_TYPE: ClassVar[str] = "ListingUpdated"

    status: str


class ListingViewed(EventDetail):
    SOURCE: ClassVar[str] = "soko.listings"
    DETAIL_TYPE: ClassVar[str] = "ListingViewed"

    listing_id: str
    farmer_id: str
    viewer_id: str
    crop: str
    day: str


class _Order(EventDetail):
    SOURCE: ClassVar[str] = "soko.orders"

    order_id: str
    listing_id: str
    buyer_id: str
    farmer_id: str
    crop: str
    district: str
    quantity_kg: Decimal
    price_per_kg_ugx: int
    total_ugx: int


OrderDetail = _Order  # what every order event says (for a consumer that reads any of them)


class OrderPlaced(_Order):
    DETAIL_TYPE: ClassVar[str] = "OrderPlaced"

    flagged: bool = False


class OrderConfirmed(_Order):
    DETAIL_TYPE: ClassVar[str] = "OrderConfirmed"


class OrderRejected(_Order):
    DETAIL_TYPE: ClassVar[str] = "OrderRejected"


class OrderCancelled(_Order):
    DETAIL_TYPE: ClassVar[str] = "OrderCancelled"


class OrderCompleted(_Order):
    """The ML layer's price observation: ``district`` is the market side of the trade."""

    DETAIL_TYPE: ClassVar[str] = "OrderCompleted"

    completed_at: str


class ReviewSubmitted(EventDetail):
    SOURCE: ClassVar[str] = "soko.orders"
    DETAIL_TYPE: ClassVar[str] = "ReviewSubmitted"

    order_id: str
    buyer_id: str
    farmer_id: str
    rating: int
    farmer_rating_sum: int
    farmer_rating_count: int
    farmer_fulfillment_rate: float | None


CONTRACTS: tuple[type[EventDetail], ...] = (
    ListingCreated,
    ListingUpdated,
    ListingViewed,
    OrderPlaced,
    OrderConfirmed,
    OrderRejected,
    OrderCancelled,
    OrderCompleted,
    ReviewSubmitted,
)
