"""The marketplace's use cases that other channels run (USSD, the bench, logistics' handover by the
delivery PIN): the calls they may make, in one place. The rules themselves live in
:mod:`soko.market.listings`, :mod:`soko.market.orders` and :mod:`soko.market.delivery_pin`
(the marketplace's own endpoints import those directly)."""

from soko.market.delivery_pin import NoPin as NoDeliveryPin
from soko.market.delivery_pin import PinLocked as DeliveryPinLocked
from soko.market.delivery_pin import WrongPin as WrongDeliveryPin
from soko.market.delivery_pin import enter as enter_delivery_pin
from soko.market.listings import BrowseFilters, browse, create_listing, update_listing
from soko.market.models import DeliveryPin
from soko.market.orders import change_status, confirm_receipt, list_orders, place_order
from soko.market.ports import Market

__all__ = [
    "BrowseFilters",
    "DeliveryPin",
    "DeliveryPinLocked",
    "Market",
    "NoDeliveryPin",
    "WrongDeliveryPin",
    "browse",
    "change_status",
    "confirm_receipt",
    "create_listing",
    "enter_delivery_pin",
    "list_orders",
    "place_order",
    "update_listing",
]
