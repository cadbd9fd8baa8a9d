"""Marketplace data access: the market table (the only module here that touches DynamoDB).

Access patterns (table ``pk``/``sk``; indexes ``gsi1``..``gsi8``, each ``gsiNpk``/``gsiNsk``):

| pattern | key |
|---|---|
| listing by id | ``LISTING#<id>`` / ``LISTING`` |
| browse a crop, by price / newest | gsi1 / gsi2: ``CROP#<crop>`` / ``<price:012>#<id>``, ``<at>#<id>`` |
| browse a district, by price / newest | gsi3 / gsi4: ``DIST#<district>`` / same |
| browse everything, by price / newest | gsi5 / gsi6: ``ACTIVE`` / same |
| a farmer's listings, newest / by price | gsi7 / gsi8: ``FARMER#<farmer>`` / same |
| order by id, its audit trail and review | ``ORDER#<id>`` / ``ORDER``, ``AUDIT#<at>#<n>``, ``REVIEW`` |
| an order's payment status (payment events) | ``ORDER#<id>`` / ``ORDER`` (``payment_status``) |
| a buyer's orders, newest first | gsi1: ``BUYER#<buyer>`` / ``<created>#<id>`` |
| have two users a confirmed deal (chat masking) | ``TRADE#<user>#<user>`` / ``PAIR`` (ids sorted) |
| a farmer's incoming orders, newest first | gsi2: ``INCOMING#<farmer>`` / ``<created>#<id>`` |
| flagged orders (admin) | ``FLAG#<id>`` / ``FLAG``; gsi1: ``FLAGS`` / ``<created>#<id>`` |
| a buyer's orders this hour (rate limit) | ``RATE#<buyer>`` / ``<yyyymmddhh>`` (TTL) |
| a buyer's order sizes (fraud rule) | ``BUYER#<buyer>`` / ``STATS`` |
| a buyer's open quantity on a listing | ``OPEN#<listing>#<buyer>`` / ``OPEN`` (``open_g``) |
| a listing's quantity in orders (not returned) | ``OPEN#<listing>`` / ``LISTING`` (``committed_g``) |
| a farmer's rating and fulfilment | ``FARMER#<farmer>`` / ``STATS`` |
| one view per viewer, listing and day | ``VIEW#<listing>#<viewer>`` / ``<day>`` (TTL) |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` (TTL) |
| a coop's commitment added to a pooled listing, once | ``POOLED#<listing>#<event id>`` / ``STOCK`` |
| a group's stock reserved (or refused), its orders | ``GROUP#<group>`` / ``ORDERS`` (``order_ids``) |

Browse indexes are sparse: a deleted listing loses its index keys and leaves every list, while the
listing itself stays readable by id (order history keeps working). Stock is decremented with the
guard ``quantity_g >= :q`` in the same transaction that writes the order.

The ``OPEN#`` item counts the grams of a buyer's open orders on one listing (pending, or confirmed
and unpaid): placing an order adds to it under the condition that it stays within the buyer's cap,
and the order's first exit from the open states (confirmed order paid, rejected, cancelled, expired)
takes its grams back out, once: the order carries ``open_held`` until then, and the write that
removes it is conditional on it. The ``OPEN#<listing>`` item counts the grams of all of a listing's
orders whose stock was not returned (placed, less rejected, cancelled and expired ones), so the
listing's size is its quantity left plus that: the base of a buyer's cap.

The ``TRADE#`` pair item holds the ids of the orders between two users that the farmer confirmed
and did not then reject (``deals``, a string set); it changes in the transaction that moves such an
order, so chat learns in one GetItem whether the two have a deal, however many orders either has.
Orders confirmed before the pair item was introduced are not in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from soko.shared import dynamo
from soko.shared.errors import Conflict, NotFound, TooManyRequests
from soko.shared.events import EventDetail

BROWSE_INDEXES = {
    ("crop", "price"): "gsi1",
    ("crop", "newest"): "gsi2",
    ("district", "price"): "gsi3",
    ("district", "newest"): "gsi4",
    ("all", "price"): "gsi5",
    ("all", "newest"): "gsi6",
    ("farmer", "newest"): "gsi7",
    ("farmer", "price"): "gsi8",
}
_LISTING_INDEX_ATTRS = [f"gsi{n}{part}" for n in range(1, 9) for part in ("pk", "sk")]


class ListingNotFound(NotFound):
    code = "LISTING_NOT_FOUND"


class OrderNotFound(NotFound):
    code = "ORDER_NOT_FOUND"


class InsufficientStock(Conflict):
    code = "INSUFFICIENT_STOCK"


class ListingUnavailable(Conflict):
    code = "LISTING_UNAVAILABLE"


class StaleWrite(Conflict):
    code = "CONCURRENT_UPDATE"


class AlreadyReviewed(Conflict):
    code = "ALREADY_REVIEWED"


class OpenQuantityRaced(Conflict):
    code = "OPEN_QUANTITY_EXCEEDED"


class OrderRateLimited(TooManyRequests):
    code = "ORDER_RATE_LIMITED"


def trade_key(user_a: str, user_b: str) -> dict[str, str]:
    """The key of the pair item of two users (the same whichever of them is the buyer)."""
    low, high = sorted((user_a, user_b))
    return {"pk": f"TRADE#{low}#{high}", "sk": "PAIR"}


def open_key(listing_id: str, buyer_id: str) -> dict[str, str]:
    """The key of a buyer's open-quantity counter on one listing."""
    return {"pk": f"OPEN#{listing_id}#{buyer_id}", "sk": "OPEN"}


def committed_key(listing_id: str) -> dict[str, str]:
    """The key of a listing's count of grams in orders whose stock was not returned."""
    return {"pk": f"OPEN#{listing_id}", "sk": "LISTING"}


def price_key(price: int, item_id: str) -> str:
    return f"{price:012d}#{item_id}"


def time_key(created_at: str, item_id: str) -> str:
    return f"{created_at}#{item_id}"


def listing_index_keys(item: dict[str, Any]) -> dict[str, str]:
    """The browse-index keys of an active listing."""
    by_price = price_key(int(item["price_per_kg"]), item["id"])
    newest = time_key(item["created_at"], item["id"])
    keys = {}
    for n, (pk, sk) in enumerate(
        [
            (f"CROP#{item['crop']}", by_price),
            (f"CROP#{item['crop']}", newest),
            (f"DIST#{item['district']}", by_price),
            (f"DIST#{item['district']}", newest),
            ("ACTIVE", by_price),
            ("ACTIVE", newest),
            (f"FARMER#{item['farmer_id']}", newest),
            (f"FARMER#{item['farmer_id']}", by_price),
        ],
        start=1,
    ):
        keys[f"gsi{n}pk"], keys[f"gsi{n}sk"] = pk, sk
    return keys


@dataclass
class BrowseQuery:
    index: str
    partition: str
    ascending: bool
    price_range: tuple[int, int] | None  # on a price-ordered index: a key condition
    filters: dict[str, Any]  # equality filters on listing attributes
    min_price: int | None = None  # on a newest-ordered index: filters
    max_price: int | None = None
    title_keys: list[str] | None = None  # every key must be among the listing's title keys


def listing_key(listing_id: str) -> dict[str, str]:
    return {"pk": f"LISTING#{listing_id}", "sk": "LISTING"}


class MarketDal(dynamo.TableDal):
    # ------------------------------------------------------------------ listings
    def create_listing(self, item: dict[str, Any], events: Sequence[EventDetail]) -> None:
        if dynamo.transact([self._put_new(item), *self._outbox(events)]):
            raise StaleWrite("A listing with this id already exists.")

    def get_listing(self, listing_id: str) -> dict[str, Any] | None:
        return self._get(**listing_key(listing_id))

    def update_listing(
        self,
        listing_id: str,
        version: int,
        sets: dict[str, Any],
        removes: Sequence[str],
        events: Sequence[EventDetail],
    ) -> None:
        """SET/REMOVE attributes if the listing is still at ``version`` (optimistic lock)."""
        names = {f"#a{i}": name for i, name in enumerate([*sets, *removes])}
        by_name = {name: alias for alias, name in names.items()}
        values = {f":v{i}": value for i, value in enumerate(sets.values())}
        expression = "SET " + ", ".join(f"{by_name[n]} = :v{i}" for i, n in enumerate(sets))
        if removes:
            expression += " REMOVE " + ", ".join(by_name[n] for n in removes)
        update = self._update(
            listing_key(listing_id),
            expression,
            condition="#ver = :expected",
            names={**names, "#ver": "version"},
            values={**values, ":expected": version},
        )
        if dynamo.transact([update, *self._outbox(events)]):
            raise StaleWrite(
                "The listing changed while you were editing it (perhaps an order); reload and retry."
            )

    def browse(self, query: BrowseQuery, limit: int, cursor: str | None, scope: str) -> dynamo.Page:
        """Up to ``limit`` listings in index order; filters are applied while reading, and the
        cursor points after the last listing returned (never skipping a filtered-out gap)."""
        key_names = frozenset({"pk", "sk", f"{query.index}pk", f"{query.index}sk"})
        condition = f"{query.index}pk = :p"
        values: dict[str, Any] = {":p": query.partition}
        if query.price_range is not None:
            condition += f" AND {query.index}sk BETWEEN :lo AND :hi"
            values[":lo"] = f"{query.price_range[0]:012d}#"
            values[":hi"] = f"{query.price_range[1]:012d}#~"
        filters = ["quantity_g > :zero"]
        values[":zero"] = 0
        names: dict[str, str] = {}
        for i, (attribute, value) in enumerate(query.filters.items()):
            names[f"#f{i}"] = attribute
            values[f":f{i}"] = value
            filters.append(f"#f{i} = :f{i}")
        if query.min_price is not None:
            filters.append("price_per_kg >= :minp")
            values[":minp"] = query.min_price
        if query.max_price is not None:
            filters.append("price_per_kg <= :maxp")
            values[":maxp"] = query.max_price
        for i, key in enumerate(query.title_keys or []):
            filters.append(f"contains(title_keys, :t{i})")
            values[f":t{i}"] = key
        request: dict[str, Any] = {
            "IndexName": query.index,
            "KeyConditionExpression": condition,
            "FilterExpression": " AND ".join(filters),
            "ExpressionAttributeValues": values,
            "ScanIndexForward": query.ascending,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        return dynamo.filtered_page(
            self._table, request, key_names=key_names, limit=limit, cursor_token=cursor, scope=scope
        )

    # ------------------------------------------------------------------ orders
    def place_order(
        self,
        order: dict[str, Any],
        *,
        audit: dict[str, Any],
        hour: str,
        rate_limit: int,
        rate_ttl: int,
        flag: dict[str, Any] | None,
        events: Sequence[EventDetail],
        open_room: int | None = None,
    ) -> None:
        """The order, its stock reserved, the buyer's hourly count and stats, and (``open_room``) the
        buyer's open quantity on the listing, added to only if it is at most ``open_room`` grams."""
        grams = int(order["quantity_g"])
        items: list[dict[str, Any]] = [
            self._update(
                listing_key(order["listing_id"]),
                "SET quantity_g = quantity_g - :q, #ver = #ver + :one",
                condition="quantity_g >= :q AND #status = :active",
                names={"#status": "status", "#ver": "version"},
                values={":q": grams, ":active": "active", ":one": 1},
            ),
            self._put_new(order),
            self._put(audit),
            self._update(
                {"pk": f"RATE#{order['buyer_id']}", "sk": hour},
                "ADD placed :one SET expires_at = :ttl",
                condition="attribute_not_exists(placed) OR placed < :limit",
                values={":one": 1, ":limit": rate_limit, ":ttl": rate_ttl},
            ),
            self._update(
                {"pk": f"BUYER#{order['buyer_id']}", "sk": "STATS"},
                "ADD orders :one, total_g :q",
                values={":one": 1, ":q": grams},
            ),
        ]
        if open_room is not None:
            items.append(
                self._update(
                    open_key(order["listing_id"], order["buyer_id"]),
                    "ADD open_g :q",
                    condition="attribute_not_exists(open_g) OR open_g <= :room",
                    values={":q": grams, ":room": open_room},
                )
            )
            items.append(self._commit(order["listing_id"], grams))
        if flag is not None:
            items.append(self._put(flag))
        codes = dynamo.transact(items + self._outbox(events))
        if not codes:
            return
        if codes[3] == "ConditionalCheckFailed":
            raise OrderRateLimited(
                f"At most {rate_limit} orders an hour. Try again later.",
                retry_after_seconds=_seconds_to_next_hour(),
            )
        if codes[0] == "ConditionalCheckFailed":
            listing = self.get_listing(order["listing_id"]) or {}
            if listing.get("status") != "active":
                raise ListingUnavailable("This listing is no longer available.")
            raise InsufficientStock(
                "Not enough stock left for this order.",
                details={
                    "available_kg": str(
                        (Decimal(int(listing.get("quantity_g", 0))) / 1000).quantize(Decimal("0.001"))
                    )
                },
            )
        if open_room is not None and codes[5] == "ConditionalCheckFailed":
            raise OpenQuantityRaced(
                "Another order of yours on this listing was placed at the same moment and together "
                "they pass your open-quantity cap; reload and try again."
            )
        raise StaleWrite("The order could not be placed; try again.")

    def buyer_stats(self, buyer_id: str) -> tuple[int, int]:
        item = self._table.get_item(Key={"pk": f"BUYER#{buyer_id}", "sk": "STATS"}).get("Item") or {}
        return int(item.get("orders", 0)), int(item.get("total_g", 0))

    def get_order(
        self, order_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None] | None:
        """The order, its audit trail (oldest first) and its review, in one query."""
        response = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": f"ORDER#{order_id}"},
            ConsistentRead=True,
        )
        items = [dynamo.plain(i) for i in response.get("Items", [])]
        order = next((i for i in items if i["sk"] == "ORDER"), None)
        if order is None:
            return None
        audit = sorted((i for i in items if i["sk"].startswith("AUDIT#")), key=lambda i: i["sk"])
        review = next((i for i in items if i["sk"] == "REVIEW"), None)
        return order, audit, review

    def transition(
        self,
        order: dict[str, Any],
        *,
        to_status: str,
        audit: dict[str, Any],
        now: str,
        restock: bool,
        stats: dict[str, int],
        events: Sequence[EventDetail],
        deal: int = 0,
        sets: dict[str, Any] | None = None,
        release_open: bool = False,
        condition: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        """Move ``order`` to ``to_status`` if nobody moved it first. ``deal`` 1 adds the order to the
        pair item of its buyer and farmer (the farmer confirmed it), -1 takes it out (rejected).
        ``sets``: more attributes of the order; ``release_open``: take the order's grams out of the
        buyer's open quantity (and its ``open_held`` mark); ``condition``: one more condition on the
        order (expression and values)."""
        extra = dict(sets or {})
        names = {"#status": "status", "#ver": "version"}
        values: dict[str, Any] = {
            ":to": to_status,
            ":one": 1,
            ":now": now,
            ":expected": int(order["version"]),
            ":from": order["status"],
        }
        expression = "SET #status = :to, #ver = #ver + :one, updated_at = :now"
        for i, (name, value) in enumerate(extra.items()):
            names[f"#x{i}"] = name
            values[f":x{i}"] = value
            expression += f", #x{i} = :x{i}"
        test = "#ver = :expected AND #status = :from"
        if release_open:
            expression += " REMOVE open_held"
            test += " AND attribute_exists(open_held)"
        if condition is not None:
            test += f" AND {condition[0]}"
            values.update(condition[1])
        items: list[dict[str, Any]] = [
            self._update(
                {"pk": order["pk"], "sk": "ORDER"}, expression, condition=test, names=names, values=values
            ),
            self._put(audit),
        ]
        if release_open:
            items.append(self._release_open(order))
        if restock and order.get("counted"):  # placed with the listing's count (not an older order)
            items.append(self._commit(order["listing_id"], -int(order["quantity_g"])))
            items.append(
                self._update(
                    listing_key(order["listing_id"]),
                    "ADD quantity_g :q, #ver :one",
                    condition="attribute_exists(pk)",
                    names={"#ver": "version"},
                    values={":q": int(order["quantity_g"]), ":one": 1},
                )
            )
        if stats:
            items.append(
                self._update(
                    {"pk": f"FARMER#{order['farmer_id']}", "sk": "STATS"},
                    "ADD " + ", ".join(f"{name} :{name}" for name in stats),
                    values={f":{name}": value for name, value in stats.items()},
                )
            )
        if deal:
            items.append(
                self._update(
                    trade_key(order["buyer_id"], order["farmer_id"]),
                    f"{'ADD' if deal > 0 else 'DELETE'} deals :order",
                    values={":order": {str(order["id"])}},  # a string set
                )
            )
        if dynamo.transact(items + self._outbox(events)):
            raise StaleWrite("The order changed at the same moment; reload it and try again.")

    def _release_open(self, order: dict[str, Any]) -> dict[str, Any]:
        return self._update(
            open_key(order["listing_id"], order["buyer_id"]),
            "ADD open_g :minus",
            values={":minus": -int(order["quantity_g"])},
        )

    def _commit(self, listing_id: str, grams: int) -> dict[str, Any]:
        return self._update(committed_key(listing_id), "ADD committed_g :q", values={":q": grams})

    def open_quantity(self, listing_id: str, buyer_id: str) -> int:
        item = self._get(**open_key(listing_id, buyer_id)) or {}
        return int(item.get("open_g", 0))

    def committed_quantity(self, listing_id: str) -> int:
        """Grams of the listing in orders whose stock was not returned (open, paid or delivered)."""
        item = self._get(**committed_key(listing_id)) or {}
        return max(int(item.get("committed_g", 0)), 0)

    def release_open_when_paid(self, order: dict[str, Any]) -> bool:
        """A paid order leaves the buyer's open quantity (once: conditional on its ``open_held``)."""
        if not order.get("open_held"):
            return False
        codes = dynamo.transact(
            [
                self._update(
                    {"pk": order["pk"], "sk": "ORDER"},
                    "REMOVE open_held",
                    condition="attribute_exists(open_held)",
                ),
                self._release_open(order),
            ]
        )
        return not codes

    def issue_pin(self, order_id: str, pin_hash: str, max_attempts: int, now: str) -> bool:
        """Store a new delivery PIN's hash (attempts reset) unless one was already sent, or the order
        is no longer on its way; False when nothing was stored."""
        return self._update_if(
            {"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            "SET pin_hash = :h, pin_attempts = :zero, pin_max_attempts = :max, pin_issued_at = :now",
            condition="attribute_exists(pk) AND attribute_not_exists(pin_sent_at) "
            "AND #status IN (:c, :d, :v)",
            names={"#status": "status"},
            values={
                ":h": pin_hash,
                ":zero": 0,
                ":max": max_attempts,
                ":now": now,
                ":c": "confirmed",
                ":d": "dispatched",
                ":v": "delivered",
            },
        )

    def pin_sent(self, order_id: str, now: str) -> None:
        self._table.update_item(
            Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            UpdateExpression="SET pin_sent_at = :now",
            ExpressionAttributeValues={":now": now},
        )

    def resend_pin(self, order_id: str, pin_hash: str, max_resends: int, paid: str, now: str) -> bool:
        """Replace a paid, open order's delivery PIN hash with a new one, counting the resend in the
        same conditional write; False when the order is no longer paid and on its way, its PIN is
        locked, or its resends are used up. The tries already used stay counted."""
        return self._update_if(
            {"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            "SET pin_hash = :h, pin_issued_at = :now, pin_sent_at = :now ADD pin_resends :one",
            condition="attribute_exists(pin_hash) AND payment_status = :paid "
            "AND #status IN (:c, :d, :v) "
            "AND (attribute_not_exists(pin_attempts) OR pin_attempts < pin_max_attempts) "
            "AND (attribute_not_exists(pin_resends) OR pin_resends < :max)",
            names={"#status": "status"},
            values={
                ":h": pin_hash,
                ":now": now,
                ":one": 1,
                ":max": max_resends,
                ":paid": paid,
                ":c": "confirmed",
                ":d": "dispatched",
                ":v": "delivered",
            },
        )

    def uncount_pin_resend(self, order_id: str, pin_hash: str) -> None:
        """Give back a resend whose SMS could not be sent (while its hash is still the stored one)."""
        self._update_if(
            {"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            "ADD pin_resends :minus",
            condition="pin_hash = :h AND pin_resends > :zero",
            values={":minus": -1, ":h": pin_hash, ":zero": 0},
        )

    def count_pin_attempt(self, order_id: str, max_attempts: int) -> bool:
        """Count one try of the delivery PIN, atomically; False when the tries are used up (locked)."""
        return self._update_if(
            {"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            "ADD pin_attempts :one",
            condition="attribute_exists(pin_hash) "
            "AND (attribute_not_exists(pin_attempts) OR pin_attempts < :max)",
            values={":one": 1, ":max": max_attempts},
        )

    def list_orders(
        self, index: str, partition: str, limit: int, cursor: str | None, scope: str
    ) -> dynamo.Page:
        return dynamo.query_page(
            self._table,
            scope=scope,
            key_names=frozenset({"pk", "sk", f"{index}pk", f"{index}sk"}),
            limit=limit,
            cursor_token=cursor,
            numeric_keys=frozenset(),  # every key of the market table is a string
            IndexName=index,
            KeyConditionExpression=f"{index}pk = :p",
            ExpressionAttributeValues={":p": partition},
            ScanIndexForward=False,
        )

    def set_payment_status(self, order_id: str, status: str, rank: int, now: str) -> bool:
        """Set the order's payment status unless it already shows one of the same or a higher rank
        (payment events may arrive out of order); False when nothing changed."""
        return self._update_if(
            {"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            "SET payment_status = :s, payment_rank = :r, updated_at = :now",
            condition="attribute_exists(pk) AND (attribute_not_exists(payment_rank) OR payment_rank < :r)",
            values={":s": status, ":r": rank, ":now": now},
        )

    # ------------------------------------------------------------------ aggregation (issue 18)
    def add_pooled_stock(
        self, listing_id: str, coop_id: str, event_id: str, grams: int, events: Sequence[EventDetail]
    ) -> bool | None:
        """Add ``grams`` to a pooled listing's stock once per ``event_id`` (a marker item in the same
        transaction). True: added; False: this event was applied already; None: no such pooled
        listing (yet)."""
        codes = dynamo.transact(
            [
                self._put_new({"pk": f"POOLED#{listing_id}#{event_id}", "sk": "STOCK", "grams": grams}),
                self._update(
                    listing_key(listing_id),
                    "ADD quantity_g :q, #ver :one",
                    condition="attribute_exists(pk) AND coop_id = :coop",
                    names={"#ver": "version"},
                    values={":q": grams, ":one": 1, ":coop": coop_id},
                ),
                *self._outbox(events),
            ]
        )
        if not codes:
            return True
        if codes[0] == "ConditionalCheckFailed":
            return False
        if codes[1] == "ConditionalCheckFailed":
            return None
        raise StaleWrite("The pooled listing changed at the same moment; the event will be retried.")

    def group_record(self, group_id: str) -> dict[str, Any] | None:
        return self._get(f"GROUP#{group_id}", "ORDERS")

    def reserve_group(self, record: dict[str, Any], grams: int) -> str | None:
        """Take a group's whole quantity off its listing's stock and write the group's record, in
        one transaction (all or nothing). None when done; else why not: ``recorded`` (the record
        exists: a redelivery), ``unavailable`` (the listing is not active) or ``insufficient_stock``."""
        listing_id = str(record["listing_id"])
        codes = dynamo.transact(
            [
                self._put_new(record),
                self._update(
                    listing_key(listing_id),
                    "SET quantity_g = quantity_g - :q, #ver = #ver + :one",
                    condition="quantity_g >= :q AND #status = :active",
                    names={"#status": "status", "#ver": "version"},
                    values={":q": grams, ":active": "active", ":one": 1},
                ),
                self._commit(listing_id, grams),
            ]
        )
        if not codes:
            return None
        if codes[0] == "ConditionalCheckFailed":
            return "recorded"
        if codes[1] == "ConditionalCheckFailed":
            listing = self.get_listing(listing_id) or {}
            return "insufficient_stock" if listing.get("status") == "active" else "unavailable"
        raise StaleWrite("The listing changed at the same moment; the event will be retried.")

    def refuse_group(self, record: dict[str, Any], events: Sequence[EventDetail]) -> bool:
        """Record the group as refused with its event, once; False when it was recorded already."""
        return not dynamo.transact([self._put_new(record), *self._outbox(events)])

    def create_group_order(
        self, order: dict[str, Any], audit: dict[str, Any], events: Sequence[EventDetail]
    ) -> bool:
        """A group member's order (its stock reserved with the group's), once: False when it exists."""
        codes = dynamo.transact(
            [
                self._put_new(order),
                self._put(audit),
                self._update(
                    trade_key(order["buyer_id"], order["farmer_id"]),
                    "ADD deals :order",
                    values={":order": {str(order["id"])}},
                ),
                *self._outbox(events),
            ]
        )
        if not codes:
            return True
        if codes[0] == "ConditionalCheckFailed":
            return False
        raise StaleWrite("The order could not be written; the event will be retried.")

    def reprice_unpaid(self, order: dict[str, Any], price: int, discount: int, total: int, now: str) -> bool:
        """Re-price a confirmed order still unpaid (nothing recorded by payments at or above
        "paid") and unchanged since read; False when it is paid or moved on."""
        return self._update_if(
            {"pk": order["pk"], "sk": "ORDER"},
            "SET price_per_kg = :p, discount_percent = :d, total_ugx = :t, updated_at = :now, "
            "#ver = #ver + :one",
            condition="#ver = :v AND #status = :confirmed "
            "AND (attribute_not_exists(payment_rank) OR payment_rank < :paid)",
            names={"#ver": "version", "#status": "status"},
            values={
                ":p": price,
                ":d": discount,
                ":t": total,
                ":now": now,
                ":one": 1,
                ":v": int(order["version"]),
                ":confirmed": "confirmed",
                ":paid": 2,
            },
        )

    def have_deal(self, user_a: str, user_b: str) -> bool:
        """True when an order between the two (either one the buyer) is confirmed or completed: one
        GetItem of their pair item."""
        item = self._table.get_item(Key=trade_key(user_a, user_b), ProjectionExpression="deals").get("Item")
        return bool(item and item.get("deals"))  # an emptied set is removed

    # ------------------------------------------------------------------ reviews and farmer stats
    def farmer_stats(self, farmer_id: str) -> dict[str, Any]:
        return self._get(f"FARMER#{farmer_id}", "STATS") or {}

    def put_review(
        self,
        review: dict[str, Any],
        order: dict[str, Any],
        stats_version: int | None,
        events: Sequence[EventDetail],
    ) -> None:
        """The review, the order marked reviewed, and the farmer's rating sums, in one transaction;
        the stats are written only if nobody else changed them since they were read."""
        stats_condition = (
            "attribute_not_exists(reviews_version)" if stats_version is None else "reviews_version = :sv"
        )
        stats_values: dict[str, Any] = {":r": review["rating"], ":one": 1}
        if stats_version is not None:
            stats_values[":sv"] = stats_version
        items = [
            self._put_new(review),
            self._update(
                {"pk": order["pk"], "sk": "ORDER"},
                "SET reviewed = :true",
                condition="#status = :completed AND reviewed = :false",
                names={"#status": "status"},
                values={":true": True, ":false": False, ":completed": "completed"},
            ),
            self._update(
                {"pk": f"FARMER#{order['farmer_id']}", "sk": "STATS"},
                "ADD rating_sum :r, rating_count :one, reviews_version :one",
                condition=stats_condition,
                values=stats_values,
            ),
        ]
        codes = dynamo.transact(items + self._outbox(events))
        if not codes:
            return
        if codes[0] == "ConditionalCheckFailed" or codes[1] == "ConditionalCheckFailed":
            raise AlreadyReviewed("This order has already been reviewed.")
        raise StaleWrite("Another review landed at the same moment; try again.")

    # ------------------------------------------------------------------ views and flags
    def record_view(
        self, listing_id: str, viewer_id: str, day: str, ttl: int, events: Sequence[EventDetail]
    ) -> bool:
        view = {"pk": f"VIEW#{listing_id}#{viewer_id}", "sk": day, "expires_at": ttl}
        return not dynamo.transact([self._put_new(view), *self._outbox(events)])

    def list_flags(self, limit: int, cursor: str | None) -> dynamo.Page:
        return self.list_orders("gsi1", "FLAGS", limit, cursor, "flags")


def _seconds_to_next_hour() -> int:
    import time  # noqa: PLC0415

    return 3600 - int(time.time()) % 3600


# ---------------------------------------------------------------------------- moderation
def suspension_key(farmer_id: str) -> dict[str, str]:
    return {"pk": f"FARMER#{farmer_id}", "sk": "SUSPENSION"}


def suspended_marker_key(farmer_id: str, listing_id: str) -> dict[str, str]:
    return {"pk": f"SUSPENDED#{farmer_id}", "sk": f"LISTING#{listing_id}"}


class ModerationDal(MarketDal):
    """Hidden listings: admin takedowns and suspended farmers (soko.market.moderation).

    | pattern | key |
    |---|---|
    | is a farmer suspended (identity's UserSuspended/UserReinstated) | ``FARMER#<farmer>`` / ``SUSPENSION`` |
    | the listings hidden because their farmer is suspended | ``SUSPENDED#<farmer>`` / ``LISTING#<id>`` |
    | a farmer's active listings (to hide) | gsi7: ``FARMER#<farmer>`` (the browse index) |

    A hidden listing has ``status`` ``hidden`` and no browse-index keys (so it leaves every list
    and cannot be ordered: placing an order requires ``status = active``); ``takedown`` (reason,
    by, at) says an admin took it down, ``farmer_suspended`` that its farmer is suspended. The
    ``SUSPENDED#`` marker is written and removed in the same transaction as ``farmer_suspended``,
    so reinstating a farmer is a Query of one partition, and never brings back a listing an admin
    took down.
    """

    def moderate_listing(
        self,
        listing_id: str,
        version: int,
        sets: dict[str, Any],
        removes: Sequence[str],
        events: Sequence[EventDetail],
        *,
        marker: tuple[str, bool] | None = None,
        suspended: tuple[str, bool] | None = None,
    ) -> bool:
        """SET/REMOVE attributes if the listing is still at ``version``, with its events; ``marker``
        (farmer, True to put / False to delete) the suspension marker in the same transaction;
        ``suspended`` (farmer, expected) checks the farmer's suspension is as expected. False when a
        condition failed (someone changed it first)."""
        names = {f"#a{i}": name for i, name in enumerate([*sets, *removes])}
        by_name = {name: alias for alias, name in names.items()}
        values = {f":v{i}": value for i, value in enumerate(sets.values())}
        expression = "SET " + ", ".join(f"{by_name[n]} = :v{i}" for i, n in enumerate(sets))
        if removes:
            expression += " REMOVE " + ", ".join(by_name[n] for n in removes)
        items = [
            self._update(
                listing_key(listing_id),
                expression,
                condition="#ver = :expected",
                names={**names, "#ver": "version"},
                values={**values, ":expected": version},
            )
        ]
        if marker is not None:
            key = suspended_marker_key(marker[0], listing_id)
            items.append(self._put({**key, "listing_id": listing_id}) if marker[1] else self._delete(key))
        if suspended is not None:
            condition = "suspended = :yes" if suspended[1] else "attribute_not_exists(pk) OR suspended = :no"
            items.append(
                {
                    "ConditionCheck": {
                        "TableName": self.table_name,
                        "Key": dynamo.serialize(suspension_key(suspended[0])),
                        "ConditionExpression": condition,
                        "ExpressionAttributeValues": dynamo.serialize(
                            {":yes": True} if suspended[1] else {":no": False}
                        ),
                    }
                }
            )
        return not dynamo.transact(items + self._outbox(events))

    def farmer_suspended(self, farmer_id: str) -> bool:
        item = self._get(**suspension_key(farmer_id))
        return bool(item and item.get("suspended"))

    def set_farmer_suspension(self, farmer_id: str, suspended: bool, at: str, event_id: str) -> bool:
        """Record the farmer's suspension unless a later change is already recorded (suspension
        events may arrive out of order); False when this one is older."""
        return self._put_if(
            {**suspension_key(farmer_id), "suspended": suspended, "changed_at": at, "event_id": event_id},
            "attribute_not_exists(pk) OR changed_at < :at OR (changed_at = :at AND event_id < :id)",
            at=at,
            id=event_id,
        )

    def active_listing_ids(self, farmer_id: str) -> list[str]:
        """The ids of the farmer's listings in the browse index (active ones), every page."""
        return [
            str(item["id"])
            for item in dynamo.read_all_pages(
                self._table,
                IndexName="gsi7",
                KeyConditionExpression="gsi7pk = :p",
                ExpressionAttributeValues={":p": f"FARMER#{farmer_id}"},
                ProjectionExpression="id",
            )
        ]

    def suspended_listing_ids(self, farmer_id: str) -> list[str]:
        """The ids of the listings hidden because the farmer is suspended, every page."""
        return [
            str(item["listing_id"])
            for item in dynamo.read_all_pages(
                self._table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": f"SUSPENDED#{farmer_id}"},
                ConsistentRead=True,
            )
        ]
