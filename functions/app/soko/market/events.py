"""Marketplace event contracts (sources ``soko.listings`` and ``soko.orders``).

``OrderCompleted`` is the ML layer's price observation: crop, district, quantity and the agreed
price per kg. Quantities are kilograms as strings with 3 decimals (exact); money is integer UGX.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from soko.shared.audit import AdminAction
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


class SearchCameUpEmpty(EventDetail):
    """A filtered search of the listings found nothing on its first page: where buyers look and
    nobody sells (analytics' coverage gaps). The search's words are never sent: only the catalogue
    crop and the district it named, and whether it had words."""

    SOURCE: ClassVar[str] = "soko.listings"
    DETAIL_TYPE: ClassVar[str] = "SearchCameUpEmpty"

    crop: str | None = None  # a catalogue id
    district: str | None = None  # a canonical district name
    category: str | None = None
    with_query: bool = False


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
    # issue 18 (optional): the cooperative of a pooled listing's order, the group of a group order
    coop_id: str | None = None
    group_id: str | None = None


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
    """The ML layer's price observation: ``district`` is the market side of the trade; the escrow's
    release to the farmer (only the buyer's word, the delivery PIN or the dispute window's end
    complete an order)."""

    DETAIL_TYPE: ClassVar[str] = "OrderCompleted"

    completed_at: str
    released_by: Literal["receipt", "pin", "window"] = "receipt"


class OrderDispatched(_Order):
    DETAIL_TYPE: ClassVar[str] = "OrderDispatched"


class OrderDelivered(_Order):
    """The farmer says it was delivered: the buyer has until ``release_at`` to confirm or dispute."""

    DETAIL_TYPE: ClassVar[str] = "OrderDelivered"

    delivered_at: str
    release_at: str


class OrderExpired(_Order):
    """A pending order the farmer did not answer, or a confirmed one not paid in time; its stock is
    back on the listing."""

    DETAIL_TYPE: ClassVar[str] = "OrderExpired"

    reason: Literal["unanswered", "unpaid"]


class OrderDisputed(_Order):
    """The buyer disputes a delivered order within the window: its escrow is frozen until an admin
    resolves the dispute (``soko.disputes`` ``DisputeResolved``)."""

    DETAIL_TYPE: ClassVar[str] = "OrderDisputed"

    dispute_id: str
    reason: str
    details: str
    photos: list[str] = Field(default_factory=list, description="media bucket keys")
    opened_at: str


class GroupOrdersRefused(EventDetail):
    """The market could not supply a completed bulk-buying group's total (issue 18): no order was
    created and nobody is charged; the group fails. ``reason``: ``insufficient_stock``,
    ``unavailable`` (the listing is not active), ``listing_not_found`` or ``self_dealing`` (the
    listing's farmer is a member)."""

    SOURCE: ClassVar[str] = "soko.orders"
    DETAIL_TYPE: ClassVar[str] = "GroupOrdersRefused"

    group_id: str
    listing_id: str
    reason: str


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


class AdminActionTaken(AdminAction):
    """An admin took a listing down or restored it (``listing.takedown``, ``listing.restore``),
    published in the same transaction as the change; the admin domain's audit log records it."""

    SOURCE: ClassVar[str] = "soko.listings"
    DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"


CONTRACTS: tuple[type[EventDetail], ...] = (
    ListingCreated,
    ListingUpdated,
    ListingViewed,
    OrderPlaced,
    OrderConfirmed,
    OrderRejected,
    OrderCancelled,
    OrderCompleted,
    OrderDispatched,
    OrderDelivered,
    OrderExpired,
    OrderDisputed,
    GroupOrdersRefused,
    ReviewSubmitted,
    AdminActionTaken,
)
