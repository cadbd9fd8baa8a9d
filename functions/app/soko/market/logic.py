"""The marketplace's use cases that other channels run (USSD, the bench): the calls they may make,
in one place. The rules themselves live in :mod:`soko.market.listings` and :mod:`soko.market.orders`
(the marketplace's own endpoints import those directly)."""

from soko.market.listings import BrowseFilters, browse, create_listing, update_listing
from soko.market.orders import change_status, confirm_receipt, list_orders, place_order
from soko.market.ports import Market

__all__ = [
    "BrowseFilters",
    "Market",
    "browse",
    "change_status",
    "confirm_receipt",
    "create_listing",
    "list_orders",
    "place_order",
    "update_listing",
]
