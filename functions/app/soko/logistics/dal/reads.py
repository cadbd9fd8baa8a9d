"""Reads other domains make of logistics (through :mod:`soko.logistics.public`): an order's
transport, a booking's parties and a transporter's active jobs (the USSD menu's "My jobs")."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from soko.logistics.dal import booking_key, order_transport_key
from soko.logistics.models import ACTIVE
from soko.shared import dynamo

_JOB_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


class LogisticsReadsDal(dynamo.TableDal):
    def order_transport(self, order_id: str) -> dict[str, Any] | None:
        key = order_transport_key(order_id)
        return self._get(key["pk"], key["sk"])

    def booking(self, booking_id: str) -> dict[str, Any] | None:
        key = booking_key(booking_id)
        return self._get(key["pk"], key["sk"])

    def transporter_jobs(self, transporter_id: str, limit: int) -> list[dict[str, Any]]:
        """A transporter's active bookings (requested, accepted, picked up), newest first: a Query of
        gsi1 ``TRANSPORTER#<id>`` filtered on the status, reading on (a bounded number of pages)
        past the ended ones until ``limit`` are found."""
        page = dynamo.filtered_page(
            self._table,
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": Key("gsi1pk").eq(f"TRANSPORTER#{transporter_id}"),
                "FilterExpression": Attr("status").is_in(list(ACTIVE)),
                "ScanIndexForward": False,
            },
            key_names=_JOB_KEYS,
            limit=limit,
            cursor_token=None,
            scope=f"jobs:{transporter_id}",
        )
        return [dynamo.plain(item) for item in page.items]
