"""Test fixture for payments' side of logistics (issue 17): an order's transport item written
straight into the logistics table, as the booking transaction and every step keep it
(``ORDER#<order>`` / ``TRANSPORT``, see ``soko.logistics.dal``; the fields of
``soko.logistics.public.OrderTransport``). Payments reads it through ``LogisticsReads``; the
payments suites use this instead of running the logistics functions."""

from __future__ import annotations

from typing import Any

import boto3

from soko.logistics.dal import order_transport_key

TRANSPORTER_ID = "01TRANSPORTER0000000000001"


def put_order_transport(
    table_name: str,
    order_id: str,
    *,
    status: str = "accepted",
    fare_ugx: int = 15_000,
    booking_id: str = "01BOOKING00000000000000001",
    transporter_id: str = TRANSPORTER_ID,
    buyer_id: str = "B1",
) -> dict[str, Any]:
    """Write (or overwrite: a step moved it) the order's transport item; the item written."""
    item = {
        **order_transport_key(order_id),
        "order_id": order_id,
        "booking_id": booking_id,
        "transporter_id": transporter_id,
        "vehicle_id": "01VEHICLE00000000000000001",
        "fare_ugx": fare_ugx,
        "status": status,
        "booked_by": buyer_id,
        "booked_at": "2026-11-21T08:00:00Z",
    }
    boto3.resource("dynamodb", region_name="us-east-1").Table(table_name).put_item(Item=item)
    return item


def transport_event(order_id: str, detail_type: str, event_id: str, **fields: Any) -> dict[str, Any]:
    """An outbox-shaped logistics event (``support.events.from_outbox``) of the order's booking."""
    import json  # noqa: PLC0415

    extra = {
        "TransportDelivered": {"by": "pin"},
        "TransportCancelled": {"cancelled_by": "system", "reason": "x"},
    }
    return {
        "source": "soko.logistics",
        "detail_type": detail_type,
        "detail": json.dumps(
            {
                "schema_version": 1,
                "event_id": event_id,
                "occurred_at": "2026-11-21T10:00:00Z",
                "booking_id": "01BOOKING00000000000000001",
                "order_id": order_id,
                "transporter_id": TRANSPORTER_ID,
                "buyer_id": "B1",
                "farmer_id": "F1",
                "fare_ugx": 15_000,
                **extra.get(detail_type, {}),
                **fields,
            }
        ),
    }
