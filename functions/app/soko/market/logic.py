"""The marketplace's interface to other domains (USSD, chat, the bench): the calls they may make,
in one place. The rules themselves live in :mod:`soko.market.listings` and :mod:`soko.market.orders`
(the marketplace's own endpoints import those directly); payments reads orders through
:mod:`soko.market.payments_bridge`, kept out of here so that USSD never loads soko.payments."""

from soko.market.listings import BrowseFilters, browse, create_listing, update_listing
from soko.market.orders import change_status, list_orders, place_order, trade_confirmed
from soko.market.ports import Market

__all__ = [
    "BrowseFilters",
    "Market",
    "browse",
    "change_status",
    "create_listing",
    "list_orders",
    "place_order",
    "trade_confirmed",
    "update_listing",
]
