"""Cooperatives' data access: the coops table (the only module of the domain that touches DynamoDB).

| pattern | key |
|---|---|
| a coop | ``COOP#<id>`` / ``COOP`` |
| its members (``GET /coops/{id}``) | ``COOP#<id>`` / ``MEMBER#<user id>`` |
| a user's coops (``GET /coops/mine``) | gsi1: ``USER#<user id>`` / ``COOP#<id>`` |
| a coop's commitments (oldest first: ids are ULIDs) | ``COOP#<id>`` / ``COMMIT#<commitment id>`` |
| a member's commitments | gsi1: ``USER#<user id>`` / ``COMMIT#<commitment id>`` |
| a crop's open (unpooled) commitments | gsi2: ``OPEN#<coop id>#<crop>`` / ``<commitment id>`` |
| a pool's commitments (allocation) | gsi2: ``POOL#<listing id>`` / ``<commitment id>`` |
| a coop's pools | ``COOP#<id>`` / ``POOL#<listing id>`` |
| the crop's live pool (at most one) | ``COOP#<id>`` / ``LIVE#<crop>`` |
| a pooled listing, by listing id (the consumers) | ``LISTING#<listing id>`` / ``POOL`` |
| an order's allocation (its header, once) | ``ORDER#<order id>`` / ``ORDER`` |
| a member's part of it | ``ORDER#<order id>`` / ``ALLOC#<member id>`` |
| a member's allocations | gsi1: ``USER#<member id>`` / ``ALLOC#<order id>`` |
| a coop's allocations (managers) | gsi2: ``COOPALLOC#<coop id>`` / ``<order id>#<member id>`` |
| a payout recorded (once per payout id) | ``ORDER#<order id>`` / ``PAYOUT#<payout id>`` |

Invariants held by conditions: a member joins once (``attribute_not_exists``) and the coop's count
moves in the same transaction; a crop has at most one live pool (``LIVE#`` put only if absent or
the old pool is sold out); an allocation is written once per order (the header's
``attribute_not_exists``) in ONE transaction with every commitment it draws on, each conditioned on
the ``allocated_g`` that was read (so two allocations at once cannot both draw on the same grams;
the loser re-reads and tries again); a release is conditioned on the header still being
``allocated``. Never a Scan.
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo
from soko.shared.errors import Conflict, NotFound

# one transaction holds at most 100 items: the header, the pool, each commitment, each member
MAX_POOL_COMMITMENTS = 45


class CoopNotFound(NotFound):
    code = "COOP_NOT_FOUND"


class AlreadyMember(Conflict):
    code = "ALREADY_MEMBER"


class PoolFull(Conflict):
    code = "POOL_FULL"


def coop_pk(coop_id: str) -> str:
    return f"COOP#{coop_id}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def open_key(coop_id: str, crop: str) -> str:
    return f"OPEN#{coop_id}#{crop}"


def pool_key(listing_id: str) -> str:
    return f"POOL#{listing_id}"


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not (k in ("pk", "sk") or k.startswith("gsi"))}


class CoopsDal(dynamo.TableDal):
    # ------------------------------------------------------------------------------ coops, members
    def create_coop(self, coop: dict[str, Any], manager: dict[str, Any]) -> None:
        """The coop and its first member (the manager), in one transaction."""
        failed = dynamo.transact(
            [
                self._put_new({**coop, "pk": coop_pk(coop["id"]), "sk": "COOP", "member_count": 1}),
                self._put_new(self._member_item(coop["id"], manager)),
            ]
        )
        if failed:
            raise Conflict("This cooperative exists already.", code="COOP_EXISTS")

    def _member_item(self, coop_id: str, member: dict[str, Any]) -> dict[str, Any]:
        return {
            **member,
            "coop_id": coop_id,
            "pk": coop_pk(coop_id),
            "sk": f"MEMBER#{member['user_id']}",
            "gsi1pk": user_pk(member["user_id"]),
            "gsi1sk": f"COOP#{coop_id}",
        }

    def add_member(self, coop_id: str, member: dict[str, Any]) -> None:
        """The member and the coop's count, in one transaction (a member joins once)."""
        failed = dynamo.transact(
            [
                self._put_new(self._member_item(coop_id, member)),
                self._update(
                    {"pk": coop_pk(coop_id), "sk": "COOP"},
                    "ADD member_count :one",
                    condition="attribute_exists(pk)",
                    values={":one": 1},
                ),
            ]
        )
        if failed and failed[0]:
            raise AlreadyMember("This farmer is a member of the cooperative already.")
        if failed:
            raise CoopNotFound("No such cooperative.")

    def coop(self, coop_id: str) -> dict[str, Any] | None:
        item = self._get(coop_pk(coop_id), "COOP")
        return _public(item) if item else None

    def member(self, coop_id: str, user_id: str) -> dict[str, Any] | None:
        item = self._get(coop_pk(coop_id), f"MEMBER#{user_id}")
        return _public(item) if item else None

    def _partition(self, pk: str, prefix: str) -> list[dict[str, Any]]:
        return [
            _public(item)
            for item in dynamo.read_all_pages(
                self._table,
                KeyConditionExpression=dynamo.key("pk").eq(pk) & dynamo.key("sk").begins_with(prefix),
                ConsistentRead=True,
            )
        ]

    def _index(self, index: int, pk: str, prefix: str | None = None) -> list[dict[str, Any]]:
        condition = dynamo.key(f"gsi{index}pk").eq(pk)
        if prefix:
            condition = condition & dynamo.key(f"gsi{index}sk").begins_with(prefix)
        return [
            _public(item)
            for item in dynamo.read_all_pages(
                self._table, IndexName=f"gsi{index}", KeyConditionExpression=condition
            )
        ]

    def members(self, coop_id: str) -> list[dict[str, Any]]:
        return self._partition(coop_pk(coop_id), "MEMBER#")

    def commitments(self, coop_id: str) -> list[dict[str, Any]]:
        return self._partition(coop_pk(coop_id), "COMMIT#")

    def pools(self, coop_id: str) -> list[dict[str, Any]]:
        return self._partition(coop_pk(coop_id), "POOL#")

    def coop_allocations(self, coop_id: str) -> list[dict[str, Any]]:
        return self._index(2, f"COOPALLOC#{coop_id}")

    def memberships(self, user_id: str) -> list[dict[str, Any]]:
        return self._index(1, user_pk(user_id), "COOP#")

    def member_commitments(self, user_id: str) -> list[dict[str, Any]]:
        return self._index(1, user_pk(user_id), "COMMIT#")

    def member_allocations(self, user_id: str) -> list[dict[str, Any]]:
        return self._index(1, user_pk(user_id), "ALLOC#")

    # ------------------------------------------------------------------------------- commitments
    def _commitment_item(self, commitment: dict[str, Any]) -> dict[str, Any]:
        listing_id = commitment.get("listing_id")
        return {
            **commitment,
            "pk": coop_pk(commitment["coop_id"]),
            "sk": f"COMMIT#{commitment['id']}",
            "gsi1pk": user_pk(commitment["member_id"]),
            "gsi1sk": f"COMMIT#{commitment['id']}",
            "gsi2pk": pool_key(listing_id)
            if listing_id
            else open_key(commitment["coop_id"], commitment["crop"]),
            "gsi2sk": commitment["id"],
        }

    def add_commitment(self, commitment: dict[str, Any]) -> None:
        """An open commitment (not in a pool)."""
        self._table.put_item(Item=dynamo.storable(self._commitment_item(commitment)))

    def add_pooled_commitment(self, commitment: dict[str, Any], coop_id: str, listing_id: str) -> bool:
        """A commitment that joins the live pool ``listing_id``, with the pool's total and count in one
        transaction (the pool still live and not full); False when it cannot join."""
        failed = dynamo.transact(
            [
                self._put_new(self._commitment_item({**commitment, "listing_id": listing_id})),
                self._update(
                    {"pk": coop_pk(coop_id), "sk": pool_key(listing_id)},
                    "ADD quantity_g :g, commitments :one",
                    condition="#status = :live AND commitments < :max",
                    names={"#status": "status"},
                    values={
                        ":g": commitment["quantity_g"],
                        ":one": 1,
                        ":live": "live",
                        ":max": MAX_POOL_COMMITMENTS,
                    },
                ),
            ]
        )
        return not failed

    def open_commitments(self, coop_id: str, crop: str) -> list[dict[str, Any]]:
        return self._index(2, open_key(coop_id, crop))

    def pooled_commitments(self, listing_id: str) -> list[dict[str, Any]]:
        """A pool's commitments, oldest first (read consistently: allocation conditions on them)."""
        found = self._index(2, pool_key(listing_id))
        fresh = []
        for item in found:
            current = self._get(coop_pk(item["coop_id"]), f"COMMIT#{item['id']}")
            if current:
                fresh.append(_public(current))
        return fresh

    # ------------------------------------------------------------------------------------- pools
    def live_pool(self, coop_id: str, crop: str) -> dict[str, Any] | None:
        pointer = self._get(coop_pk(coop_id), f"LIVE#{crop}")
        if not pointer:
            return None
        pool = self._get(coop_pk(coop_id), pool_key(pointer["listing_id"]))
        return _public(pool) if pool else None

    def pool_by_listing(self, listing_id: str) -> dict[str, Any] | None:
        item = self._get(f"LISTING#{listing_id}", "POOL")
        return _public(item) if item else None

    def create_pool(
        self, pool: dict[str, Any], commitments: list[dict[str, Any]], *, replaces: str | None
    ) -> bool:
        """The pool, its listing pointer, the crop's live pointer (only if there is none, or it names
        the sold-out pool ``replaces``) and each commitment moved into the pool (each still open),
        in one transaction; False when something changed meanwhile."""
        coop_id, listing_id = pool["coop_id"], pool["listing_id"]
        live_key = {"pk": coop_pk(coop_id), "sk": f"LIVE#{pool['crop']}"}
        live = (
            self._put({**live_key, "listing_id": listing_id}, "attribute_not_exists(pk)")
            if replaces is None
            else self._put({**live_key, "listing_id": listing_id}, "listing_id = :old", old=replaces)
        )
        items = [
            self._put_new({**pool, "pk": coop_pk(coop_id), "sk": pool_key(listing_id)}),
            self._put_new(
                {
                    "pk": f"LISTING#{listing_id}",
                    "sk": "POOL",
                    "coop_id": coop_id,
                    "listing_id": listing_id,
                    "crop": pool["crop"],
                    "manager_id": pool["manager_id"],
                }
            ),
            live,
        ]
        if replaces is not None:
            items.append(
                self._update(
                    {"pk": coop_pk(coop_id), "sk": pool_key(replaces)},
                    "SET #status = :closed",
                    names={"#status": "status"},
                    values={":closed": "closed"},
                )
            )
        for commitment in commitments:
            items.append(
                self._update(
                    {"pk": coop_pk(coop_id), "sk": f"COMMIT#{commitment['id']}"},
                    "SET listing_id = :listing, gsi2pk = :pool",
                    condition="attribute_not_exists(listing_id)",
                    values={":listing": listing_id, ":pool": pool_key(listing_id)},
                )
            )
        return not dynamo.transact(items)

    def pool_published(self, coop_id: str, listing_id: str) -> None:
        """``publishing`` -> ``live`` once the market was told (a retry finds it live)."""
        self._update_if(
            {"pk": coop_pk(coop_id), "sk": pool_key(listing_id)},
            "SET #status = :live",
            condition="#status = :publishing",
            names={"#status": "status"},
            values={":live": "live", ":publishing": "publishing"},
        )

    # ------------------------------------------------------------------------------- allocations
    def order(self, order_id: str) -> dict[str, Any] | None:
        item = self._get(order_pk(order_id), "ORDER")
        return _public(item) if item else None

    def order_allocations(self, order_id: str) -> list[dict[str, Any]]:
        return self._partition(order_pk(order_id), "ALLOC#")

    def _allocation_item(self, allocation: dict[str, Any]) -> dict[str, Any]:
        return {
            **allocation,
            "pk": order_pk(allocation["order_id"]),
            "sk": f"ALLOC#{allocation['member_id']}",
            "gsi1pk": user_pk(allocation["member_id"]),
            "gsi1sk": f"ALLOC#{allocation['order_id']}",
            "gsi2pk": f"COOPALLOC#{allocation['coop_id']}",
            "gsi2sk": f"{allocation['order_id']}#{allocation['member_id']}",
        }

    def allocate(
        self,
        header: dict[str, Any],
        draws: list[tuple[dict[str, Any], int]],
        allocations: list[dict[str, Any]],
    ) -> str:
        """The order's allocation in ONE transaction: its header (once), each commitment's
        ``allocated_g`` raised by its draw (conditioned on the value read, so a concurrent allocation
        makes this one fail and re-read), the pool's total, and each member's part. ``done``,
        ``exists`` (allocated before: a redelivery) or ``changed`` (a commitment moved meanwhile)."""
        coop_id, listing_id = header["coop_id"], header["listing_id"]
        items = [self._put_new({**header, "pk": order_pk(header["order_id"]), "sk": "ORDER"})]
        for commitment, grams in draws:
            items.append(
                self._update(
                    {"pk": coop_pk(coop_id), "sk": f"COMMIT#{commitment['id']}"},
                    "SET allocated_g = :new",
                    condition="allocated_g = :seen AND quantity_g >= :new",
                    values={":seen": commitment["allocated_g"], ":new": commitment["allocated_g"] + grams},
                )
            )
        items.append(
            self._update(
                {"pk": coop_pk(coop_id), "sk": pool_key(listing_id)},
                "ADD allocated_g :g",
                condition="attribute_exists(pk)",
                values={":g": header["grams"]},
            )
        )
        items.extend(self._put_new(self._allocation_item(a)) for a in allocations)
        failed = dynamo.transact(items)
        if not failed:
            return "done"
        return "exists" if failed[0] else "changed"

    def release(self, order_id: str, header: dict[str, Any], allocations: list[dict[str, Any]]) -> bool:
        """Give an order's grams back to its commitments, in one transaction conditioned on the
        header still being ``allocated``; False when it is not (released before, or completed)."""
        coop_id = header["coop_id"]
        items = [
            self._update(
                {"pk": order_pk(order_id), "sk": "ORDER"},
                "SET #status = :released",
                condition="#status = :allocated",
                names={"#status": "status"},
                values={":released": "released", ":allocated": "allocated"},
            ),
            self._update(
                {"pk": coop_pk(coop_id), "sk": pool_key(header["listing_id"])},
                "ADD allocated_g :minus",
                values={":minus": -header["grams"]},
            ),
        ]
        draws: dict[str, int] = {}
        for allocation in allocations:
            for commitment_id, grams in allocation["parts"].items():
                draws[commitment_id] = draws.get(commitment_id, 0) + int(grams)
            items.append(
                self._update(
                    {"pk": order_pk(order_id), "sk": f"ALLOC#{allocation['member_id']}"},
                    "SET #status = :released",
                    names={"#status": "status"},
                    values={":released": "released"},
                )
            )
        for commitment_id, grams in draws.items():
            items.append(
                self._update(
                    {"pk": coop_pk(coop_id), "sk": f"COMMIT#{commitment_id}"},
                    "ADD allocated_g :minus",
                    values={":minus": -grams},
                )
            )
        return not dynamo.transact(items)

    def complete(self, order_id: str, allocations: list[dict[str, Any]]) -> bool:
        """The order was completed: header and parts ``confirmed`` (only from ``allocated``)."""
        items = [
            self._update(
                {"pk": order_pk(order_id), "sk": "ORDER"},
                "SET #status = :completed",
                condition="#status = :allocated",
                names={"#status": "status"},
                values={":completed": "completed", ":allocated": "allocated"},
            )
        ]
        items.extend(
            self._update(
                {"pk": order_pk(order_id), "sk": f"ALLOC#{a['member_id']}"},
                "SET #status = :confirmed",
                condition="#status = :proposed",
                names={"#status": "status"},
                values={":confirmed": "confirmed", ":proposed": "proposed"},
            )
            for a in allocations
            if a["status"] == "proposed"
        )
        return not dynamo.transact(items)

    def confirm_by_member(self, order_id: str, member_id: str) -> dict[str, Any] | None:
        """The member's acknowledgement of their part (not of a released one); None when there is
        no such part or it was released."""
        response = dynamo.unless_condition_failed(
            lambda: self._table.update_item(
                Key={"pk": order_pk(order_id), "sk": f"ALLOC#{member_id}"},
                UpdateExpression="SET confirmed_by_member = :yes",
                ConditionExpression="attribute_exists(pk) AND #status <> :released",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":yes": True, ":released": "released"},
                ReturnValues="ALL_NEW",
            )
        )
        return _public(dynamo.plain(response["Attributes"])) if response else None

    def record_payout(self, order_id: str, payout_id: str, member_id: str, net_ugx: int) -> bool:
        """A member's payout for the order (once per payout id): the payout item and the part's
        ``share_ugx`` and status, in one transaction; False when recorded before or no such part."""
        failed = dynamo.transact(
            [
                self._put_new(
                    {
                        "pk": order_pk(order_id),
                        "sk": f"PAYOUT#{payout_id}",
                        "member_id": member_id,
                        "net_ugx": net_ugx,
                    }
                ),
                self._update(
                    {"pk": order_pk(order_id), "sk": f"ALLOC#{member_id}"},
                    "ADD share_ugx :net SET #status = :paid",
                    condition="attribute_exists(pk) AND #status <> :released",
                    names={"#status": "status"},
                    values={":net": net_ugx, ":paid": "paid", ":released": "released"},
                ),
            ]
        )
        return not failed
