"""Quotes, the booking's creation (one transaction claiming the vehicle's slot and the order's
transport), and the reads of bookings: a transporter's jobs (gsi1), a party's bookings (their
``PARTY#`` items), an order's bookings (gsi2), one booking with its track (its ``POS#`` items)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from soko.logistics.dal import booking_key, order_transport_key, slot_key
from soko.logistics.dal.vehicles import batch_get
from soko.logistics.models import ENDED
from soko.shared import clock, cursor, dynamo
from soko.shared.errors import Conflict
from soko.shared.events import EventDetail

TRANSPORTER_INDEX = "gsi1"
ORDER_INDEX = "gsi2"
TRACK_POINTS = 200
SLOT_KEPT_SECONDS = 7 * 24 * 3600  # a slot item outlives its day by a week (then TTL removes it)
_TABLE_KEYS = frozenset({"pk", "sk"})


class SlotTaken(Conflict):
    code = "SLOT_TAKEN"


class OrderHasTransport(Conflict):
    code = "ORDER_HAS_TRANSPORT"


class VehicleUnavailable(Conflict):
    code = "VEHICLE_UNAVAILABLE"


def quote_key(quote_id: str) -> dict[str, str]:
    return {"pk": f"QUOTE#{quote_id}", "sk": "QUOTE"}


def _party_key(user_id: str, created_at: str, booking_id: str) -> dict[str, str]:
    return {"pk": f"PARTY#{user_id}", "sk": f"BOOKING#{created_at}#{booking_id}"}


def _booking(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")}


class BookingsDal(dynamo.TableDal):
    # ---------------------------------------------------------------- quotes
    def put_quotes(self, quotes: Iterable[dict[str, Any]], expires_at: int) -> None:
        """Store the quotes (each expires by TTL at ``expires_at``, epoch seconds)."""
        with self._table.batch_writer() as batch:
            for quote in quotes:
                batch.put_item(
                    Item=dynamo.storable({**quote_key(quote["id"]), **quote, "expires_at": expires_at})
                )

    def quote(self, quote_id: str) -> dict[str, Any] | None:
        """The stored quote (``expires_at`` in epoch seconds; TTL may not have removed it yet)."""
        key = quote_key(quote_id)
        item = self._get(key["pk"], key["sk"])
        return {k: v for k, v in item.items() if k not in _TABLE_KEYS} if item else None

    # ---------------------------------------------------------------- the booking
    def create(self, booking: dict[str, Any], slot_expires_at: int, events: list[EventDetail]) -> None:
        """One transaction: the booking (with its index keys), the vehicle's slot of the pickup day
        (only if free), the buyer's and farmer's ``PARTY#`` items, the order's transport item (only
        if it has none or its booking ended) and the events' outbox items. 409 ``SLOT_TAKEN`` or
        ``ORDER_HAS_TRANSPORT`` when a condition fails."""
        booking_id, created = booking["id"], booking["created_at"]
        stored = {
            **booking_key(booking_id),
            "gsi1pk": f"TRANSPORTER#{booking['transporter_id']}",
            "gsi1sk": f"{created}#{booking_id}",
            "gsi2pk": f"ORDER#{booking['order_id']}",
            "gsi2sk": f"{created}#{booking_id}",
            **booking,
        }
        slot = {
            **slot_key(booking["vehicle_id"], str(booking["pickup_day"])),
            "booking_id": booking_id,
            "order_id": booking["order_id"],
            "expires_at": slot_expires_at,
        }
        transport = {
            **order_transport_key(booking["order_id"]),
            "order_id": booking["order_id"],
            "booking_id": booking_id,
            "transporter_id": booking["transporter_id"],
            "vehicle_id": booking["vehicle_id"],
            "fare_ugx": booking["fare_ugx"],
            "status": booking["status"],
            "booked_by": booking["booked_by"],
            "booked_at": created,
        }
        ended = {f"e{i}": status for i, status in enumerate(ENDED)}
        transport_put = self._put(
            transport,
            f"attribute_not_exists(pk) OR #status IN ({', '.join(':' + k for k in ended)})",
            **ended,
        )
        transport_put["Put"]["ExpressionAttributeNames"] = {"#status": "status"}
        parties = [
            {
                **_party_key(user, created, booking_id),
                "booking_id": booking_id,
                "order_id": booking["order_id"],
            }
            for user in dict.fromkeys((booking["buyer_id"], booking["farmer_id"]))
        ]
        still_offered = {  # the vehicle is still offered (its owner may have paused it since the quote)
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": dynamo.serialize({"pk": f"VEHICLE#{booking['vehicle_id']}", "sk": "VEHICLE"}),
                "ConditionExpression": "#active = :yes",
                "ExpressionAttributeNames": {"#active": "active"},
                "ExpressionAttributeValues": dynamo.serialize({":yes": True}),
            }
        }
        codes = dynamo.transact(
            [
                self._put_new(stored),
                self._put_new(slot),
                transport_put,
                still_offered,
                *(self._put(p) for p in parties),
                *self._outbox(events),
            ]
        )
        if not codes:
            return
        if codes[2] == "ConditionalCheckFailed":  # first: a repeat of one's own booking says so
            raise OrderHasTransport("This order already has transport booked.")
        if codes[1] == "ConditionalCheckFailed":
            raise SlotTaken("This vehicle was booked for that day a moment ago; ask for quotes again.")
        if codes[3] == "ConditionalCheckFailed":
            raise VehicleUnavailable("This vehicle is no longer offered; ask for quotes again.")
        raise dynamo.TransactionConflict("Someone changed this at the same moment; try again.")

    def get(self, booking_id: str) -> dict[str, Any] | None:
        key = booking_key(booking_id)
        item = self._get(key["pk"], key["sk"])
        return _booking(item) if item else None

    def track(self, booking_id: str) -> list[dict[str, Any]]:
        """The booking's newest :data:`TRACK_POINTS` fixes, oldest first; a fix past its retention is
        left out even while DynamoDB's TTL sweeper (which may lag by days) has not removed it."""
        response = self._table.query(
            KeyConditionExpression=dynamo.key("pk").eq(booking_key(booking_id)["pk"])
            & dynamo.key("sk").begins_with("POS#"),
            ScanIndexForward=False,
            Limit=TRACK_POINTS,
            ConsistentRead=True,
        )
        now = clock.epoch()
        fixes = [dynamo.plain(i) for i in response.get("Items", [])]
        fixes = [f for f in fixes if int(f.get("expires_at", now + 1)) > now]
        return [{"lat": f["lat"], "lon": f["lon"], "at": f["at"]} for f in reversed(fixes)]

    # ---------------------------------------------------------------- lists
    def _filters(self, status: str | None, extra: dict[str, str]) -> dict[str, Any]:
        """A FilterExpression of the status and ``extra`` attribute equalities (any of them)."""
        clauses, names, values = [], {}, {}
        if status:
            clauses.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = status
        if extra:
            either = []
            for i, (attribute, value) in enumerate(sorted(extra.items())):
                names[f"#a{i}"] = attribute
                values[f":a{i}"] = value
                either.append(f"#a{i} = :a{i}")
            clauses.append("(" + " OR ".join(either) + ")")
        if not clauses:
            return {}
        return {
            "FilterExpression": " AND ".join(clauses),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def by_transporter(
        self, transporter_id: str, status: str | None, limit: int, cursor_token: str | None
    ) -> dynamo.Page:
        return self._index_page(
            TRANSPORTER_INDEX,
            f"TRANSPORTER#{transporter_id}",
            self._filters(status, {}),
            limit,
            cursor_token,
            scope=f"bookings:transporter={transporter_id}:status={status or ''}",
        )

    def by_order(
        self, order_id: str, status: str | None, party: str | None, limit: int, cursor_token: str | None
    ) -> dynamo.Page:
        """An order's bookings, newest first; ``party``: only those where that user is the buyer,
        the farmer or the transporter (None: all, for an admin)."""
        who = {"buyer_id": party, "farmer_id": party, "transporter_id": party} if party is not None else {}
        return self._index_page(
            ORDER_INDEX,
            f"ORDER#{order_id}",
            self._filters(status, who),
            limit,
            cursor_token,
            scope=f"bookings:order={order_id}:party={party or '*'}:status={status or ''}",
        )

    def _index_page(
        self,
        index: str,
        partition: str,
        filters: dict[str, Any],
        limit: int,
        cursor_token: str | None,
        *,
        scope: str,
    ) -> dynamo.Page:
        """One page of bookings of an index's partition (keys ``<index>pk``/``<index>sk``), newest first."""
        request = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}pk = :pk",
            "ScanIndexForward": False,
            **filters,
        }
        request.setdefault("ExpressionAttributeValues", {})[":pk"] = partition
        page = dynamo.filtered_page(
            self._table,
            request,
            key_names=frozenset({"pk", "sk", f"{index}pk", f"{index}sk"}),
            limit=limit,
            cursor_token=cursor_token,
            scope=scope,
        )
        return dynamo.Page(
            items=[_booking(dynamo.plain(i)) for i in page.items], next_cursor=page.next_cursor
        )

    def by_party(self, user_id: str, status: str | None, limit: int, cursor_token: str | None) -> dynamo.Page:
        """A buyer's or farmer's bookings, newest first: their ``PARTY#`` items a page at a time,
        the bookings read by key (their status is the booking's own), those of another status left
        out; the page is filled from further items and the cursor points after the last one
        returned, so nothing is skipped."""
        scope = f"bookings:party={user_id}:status={status or ''}"
        start = (
            cursor.decode(cursor_token, scope=scope, key_names=_TABLE_KEYS, numeric_keys=frozenset())
            if cursor_token
            else None
        )
        out: list[dict[str, Any]] = []
        for _ in range(10):
            query: dict[str, Any] = {
                "KeyConditionExpression": dynamo.key("pk").eq(f"PARTY#{user_id}"),
                "ScanIndexForward": False,
                "Limit": max(limit, 25),
                **({"ExclusiveStartKey": start} if start else {}),
            }
            try:
                response = self._table.query(**query)
            except Exception as err:
                dynamo.raise_for_cursor(err, cursor_token)
                dynamo.raise_if_throttled(err)
                raise
            parties = response.get("Items", [])
            found = {
                b["id"]: b
                for b in (
                    _booking(i)
                    for i in batch_get(self.table_name, [booking_key(str(p["booking_id"])) for p in parties])
                )
            }
            for party in parties:
                booking = found.get(str(party["booking_id"]))
                if booking is None or (status and booking["status"] != status):
                    continue
                out.append(booking)
                if len(out) == limit:
                    last = {"pk": party["pk"], "sk": party["sk"]}
                    more = party is not parties[-1] or response.get("LastEvaluatedKey")
                    return dynamo.Page(
                        items=out, next_cursor=cursor.encode(last, scope=scope) if more else None
                    )
            start = response.get("LastEvaluatedKey")
            if not start:
                return dynamo.Page(items=out, next_cursor=None)
        return dynamo.Page(items=out, next_cursor=cursor.encode(start, scope=scope) if start else None)
