"""The marketplace's interface to other domains (USSD, chat, payments, the bench): the calls they
may make, in one place. The rules themselves live in :mod:`soko.market.listings`,
:mod:`soko.market.orders` and :mod:`soko.market.payments_bridge`; the marketplace's own endpoints
import those directly."""

from soko.market.listings import BrowseFilters, browse, create_listing, update_listing
from soko.market.orders import change_status, list_orders, place_order, trade_confirmed
from soko.market.payments_bridge import order_for_payment
from soko.market.ports import Market

__all__ = [
    "BrowseFilters",
    "Market",
    "browse",
    "change_status",
    "create_listing",
    "list_orders",
    "order_for_payment",
    "place_order",
    "trade_confirmed",
    "update_listing",
]
