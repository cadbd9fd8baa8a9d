"""Tracking's data access: GPS fixes (``BOOKING#<id>`` / ``POS#<fix time>#<n>``, TTL), the booking's
batch slot (``BOOKING#<id>`` / ``RATE#POSITIONS``, TTL) and the booking's tracking attributes.

``<n>`` is ``0``: fixes are kept to the second and one per second (see
:mod:`soko.logistics.tracking`); the suffix leaves room for a second source of the same second.

The booking item is updated with one conditional ``UpdateItem`` (never a transaction) that does
NOT touch ``version``: the steps (accept, pickup, deliver, cancel) condition their transactions on
``version``, and a phone posting a fix every few seconds must never make a step fail with a stale
version. The position's own guard is its time (only a newer fix replaces it) and the status (only
an accepted or picked-up booking is tracked), so a step and a batch racing both succeed whichever
is first. ``arrived_at`` is set once (``if_not_exists``); the old value tells whether this call set it.
"""

from __future__ import annotations

from typing import Any

from soko.logistics.dal import booking_key
from soko.logistics.models import Booking, BookingStatus, Fix
from soko.shared import dynamo
from soko.shared.errors import Conflict

RATE_SK = "RATE#POSITIONS"
FIX_PREFIX = "POS#"


class TrackingConflict(Conflict):
    code = "CONCURRENT_UPDATE"


def fix_key(booking_id: str, at: str) -> dict[str, str]:
    return {"pk": f"BOOKING#{booking_id}", "sk": f"{FIX_PREFIX}{at}#0"}


class PositionsDal(dynamo.TableDal):
    def booking(self, booking_id: str) -> Booking | None:
        key = booking_key(booking_id)
        item = self._get(key["pk"], key["sk"])
        return Booking.model_validate(item) if item else None

    def claim_batch(self, booking_id: str, now: int, interval_seconds: int) -> int:
        """One conditional update: the slot is free when its ``next_at`` has passed."""
        try:
            response = dynamo.unless_condition_failed(
                lambda: self._table.update_item(
                    Key={"pk": f"BOOKING#{booking_id}", "sk": RATE_SK},
                    UpdateExpression="SET next_at = :next, expires_at = :ttl",
                    ConditionExpression="attribute_not_exists(next_at) OR next_at <= :now",
                    ExpressionAttributeValues={
                        ":next": now + interval_seconds,
                        ":ttl": now + 3600,
                        ":now": now,
                    },
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            )
        except Exception as err:
            dynamo.raise_if_throttled(err)
            raise
        if response is not None:
            return 0
        current = self._get(f"BOOKING#{booking_id}", RATE_SK) or {}
        return max(1, int(current.get("next_at", now + interval_seconds)) - now)

    def stored_times(self, booking_id: str, first: str, last: str) -> frozenset[str]:
        """The times of the fixes stored between ``first`` and ``last`` (inclusive): one Query."""
        items = dynamo.read_all_pages(
            self._table,
            KeyConditionExpression=dynamo.key("pk").eq(f"BOOKING#{booking_id}")
            & dynamo.key("sk").between(f"{FIX_PREFIX}{first}#", f"{FIX_PREFIX}{last}#~"),
            ProjectionExpression="sk",
            ConsistentRead=True,
        )
        return frozenset(str(item["sk"]).removeprefix(FIX_PREFIX).rsplit("#", 1)[0] for item in items)

    def put_fixes(self, booking_id: str, fixes: list[Fix], expires_at: dict[str, int]) -> None:
        """Store new fixes (their keys were checked absent; a fix of the same second written by a
        racing batch in between is simply the same point again)."""
        if not fixes:
            return
        try:
            with self._table.batch_writer() as batch:
                for fix in fixes:
                    batch.put_item(
                        Item={
                            **fix_key(booking_id, fix.at),
                            **dynamo.storable(fix.model_dump()),
                            "expires_at": expires_at[fix.at],
                        }
                    )
        except Exception as err:
            dynamo.raise_if_throttled(err)
            raise

    def track(self, booking_id: str) -> list[Fix]:
        """The booking's stored fixes, oldest first (the TTL sweeper may lag: expired ones left out
        by the reader that shows them)."""
        items = dynamo.read_all_pages(
            self._table,
            KeyConditionExpression=dynamo.key("pk").eq(f"BOOKING#{booking_id}")
            & dynamo.key("sk").begins_with(FIX_PREFIX),
        )
        return [Fix.model_validate(item) for item in items]

    def update_tracking(
        self,
        booking_id: str,
        statuses: tuple[BookingStatus, ...],
        state: dict[str, Any] | None,
        arrival: Fix | None,
    ) -> tuple[bool, bool]:
        """Write ``state`` (``position``, ``speed_kmh``, ``eta_minutes``, ``remaining_km``) if its
        position is newer than the stored one, and ``arrived_at`` if not set yet, while the booking
        is in one of ``statuses``: (state written, arrival set by this call)."""
        written = arrived = False
        if state is not None:
            sets = [
                "#position = :position",
                "speed_kmh = :speed",
                "eta_minutes = :eta",
                "remaining_km = :remaining",
            ]
            values: dict[str, Any] = {
                ":position": state["position"],
                ":speed": state["speed_kmh"],
                ":eta": state["eta_minutes"],
                ":remaining": state["remaining_km"],
                ":at": state["position"]["at"],
            }
            if arrival is not None:
                sets.append("arrived_at = if_not_exists(arrived_at, :arrived)")
                values[":arrived"] = arrival.at
            old = self._update_tracking(
                booking_id,
                statuses,
                "SET " + ", ".join(sets),
                "attribute_not_exists(#position) OR #position.#at < :at",
                values,
            )
            if old is not None:
                written = True
                arrived = arrival is not None and "arrived_at" not in old
                return written, arrived
        if arrival is not None:  # nothing newer than the stored position, but an arrival to record
            old = self._update_tracking(
                booking_id,
                statuses,
                "SET arrived_at = :arrived",
                "attribute_not_exists(arrived_at)",
                {":arrived": arrival.at},
            )
            arrived = old is not None
        return written, arrived

    def _update_tracking(
        self,
        booking_id: str,
        statuses: tuple[BookingStatus, ...],
        expression: str,
        condition: str,
        values: dict[str, Any],
    ) -> dict[str, Any] | None:
        """The update if the booking exists, is tracked and ``condition`` holds: the old values of
        what it set ({} for none), or None when a condition failed."""
        names = {"#status": "status"}
        allowed = {f":s{i}": status for i, status in enumerate(statuses)}
        if "#position" in expression or "#position" in condition:
            names.update({"#position": "position", "#at": "at"})
        try:
            response = dynamo.unless_condition_failed(
                lambda: self._table.update_item(
                    Key=booking_key(booking_id),
                    UpdateExpression=expression,
                    ConditionExpression=f"attribute_exists(pk) AND #status IN ({', '.join(allowed)}) "
                    f"AND ({condition})",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=dynamo.storable({**values, **allowed}),
                    ReturnValues="UPDATED_OLD",
                )
            )
        except Exception as err:
            dynamo.raise_if_throttled(err)
            if dynamo.error_code(err) == "TransactionConflictException":  # a step's transaction, right now
                raise TrackingConflict(
                    "The booking is changing at this moment; send the fixes again."
                ) from None
            raise
        return None if response is None else dict(response.get("Attributes") or {})

    def undo_arrival(self, booking_id: str, arrived_at: str) -> None:
        self._update_if(
            booking_key(booking_id),
            "REMOVE arrived_at",
            condition="arrived_at = :arrived",
            values={":arrived": arrived_at},
        )
