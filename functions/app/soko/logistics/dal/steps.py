"""The booking steps' data access (``requested -> accepted -> picked_up -> delivered``, or
``declined``, ``cancelled``, ``expired``): one transaction per step.

A step is the booking's update conditioned on its status and version (its audit entry appended, its
version bumped), the order's transport item (``ORDER#<order>`` / ``TRANSPORT``) given the same status
(conditioned on still being this booking's), the vehicle's day slot (``VEHICLE#<id>`` /
``SLOT#<YYYY-MM-DD>``) deleted when the booking ends without delivery, and the step's events in the
outbox, all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soko.logistics.dal import booking_key, order_transport_key, slot_key
from soko.shared import dynamo
from soko.shared.events import EventDetail


class StepsDal(dynamo.TableDal):
    def booking(self, booking_id: str) -> dict[str, Any] | None:
        key = booking_key(booking_id)
        return self._get(key["pk"], key["sk"])

    def order_transport(self, order_id: str) -> dict[str, Any] | None:
        key = order_transport_key(order_id)
        return self._get(key["pk"], key["sk"])

    def step(
        self,
        booking: dict[str, Any],
        *,
        to_status: str,
        entry: dict[str, Any],
        now: str,
        sets: dict[str, Any],
        free_slot: bool,
        events: Sequence[EventDetail],
    ) -> bool:
        """Move ``booking`` to ``to_status`` if nobody moved it first (same status and version);
        False when its condition failed (another step won), raises on a transaction conflict."""
        names = {"#status": "status", "#ver": "version", "#audit": "audit"}
        values: dict[str, Any] = {
            ":to": to_status,
            ":one": 1,
            ":now": now,
            ":entry": [entry],
            ":empty": [],
            ":expected": int(booking["version"]),
            ":from": booking["status"],
        }
        expression = (
            "SET #status = :to, #ver = #ver + :one, updated_at = :now, "
            "#audit = list_append(if_not_exists(#audit, :empty), :entry)"
        )
        for i, (name, value) in enumerate(sets.items()):
            names[f"#x{i}"] = name
            values[f":x{i}"] = value
            expression += f", #x{i} = :x{i}"
        items: list[dict[str, Any]] = [
            self._update(
                booking_key(booking["id"]),
                expression,
                condition="#ver = :expected AND #status = :from",
                names=names,
                values=values,
            ),
            self._update(
                order_transport_key(booking["order_id"]),
                "SET #status = :to",
                condition="booking_id = :booking",
                names={"#status": "status"},
                values={":to": to_status, ":booking": booking["id"]},
            ),
        ]
        if free_slot:
            items.append(
                self._delete(
                    slot_key(booking["vehicle_id"], str(booking["pickup_day"])),
                    ConditionExpression="attribute_not_exists(booking_id) OR booking_id = :booking",
                    ExpressionAttributeValues=dynamo.serialize({":booking": booking["id"]}),
                )
            )
        items += self._outbox(events)
        return not dynamo.transact(items)
