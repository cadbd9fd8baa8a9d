"""Reads other domains make of logistics (through :mod:`soko.logistics.public`): an order's
transport and a booking's parties."""

from __future__ import annotations

from typing import Any

from soko.logistics.dal import booking_key, order_transport_key
from soko.shared import dynamo


class LogisticsReadsDal(dynamo.TableDal):
    def order_transport(self, order_id: str) -> dict[str, Any] | None:
        key = order_transport_key(order_id)
        return self._get(key["pk"], key["sk"])

    def booking(self, booking_id: str) -> dict[str, Any] | None:
        key = booking_key(booking_id)
        return self._get(key["pk"], key["sk"])
