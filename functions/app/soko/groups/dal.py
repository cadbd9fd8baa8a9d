"""Bulk-buying groups' data access (GroupsTable; the clusters' items are in ``dal_clusters.py``).

Keys (this module's prefixes: ``GROUP#``, ``MEMBER#``, ``LISTINGGROUPS#``, ``CROPGROUPS#``,
``BUYERGROUPS#``, ``GROUPORDER#``):

- a group: ``pk = GROUP#<id>``, ``sk = GROUP``; ``gsi1 = LISTINGGROUPS#<listing_id> /
  <status>#<deadline>#<id>`` (a listing's groups by status, soonest deadline first) and
  ``gsi2 = CROPGROUPS#<crop> / <status>#<deadline>#<id>`` (a crop's);
- a member: ``pk = GROUP#<id>``, ``sk = MEMBER#<buyer_id>``; ``gsi1 = BUYERGROUPS#<buyer_id> /
  <joined_at>#<group_id>`` (a buyer's groups, newest first);
- a member's order: ``pk = GROUPORDER#<order_id>``, ``sk = GROUPORDER`` (the group and buyer of an
  order the market created for the group: a payment finds its member through it).

The fill (``filled_g``) and the member count (``members``) live on the group's item and change
only in the transaction that puts or deletes a member's item, conditioned on the group being open,
before its deadline, and the fill staying within the target: never overfilled, never miscounted.

Events: the table has no outbox stream; a state change writes the events it owes in the same
update, under ``pending.<key>`` on the group's item, and :meth:`GroupsDal.published` removes them
once they are on the bus (a failed publish is retried by the consumer's redelivery, or by the
deadline timer).
"""

from __future__ import annotations

import time
from typing import Any

from soko.groups.models import MAX_MEMBERS, Group, GroupStatus, JoinRefused, group_view
from soko.shared import clock, dynamo
from soko.shared.dynamo import TableDal, TransactionConflict, key, query_page

GROUP_SK = "GROUP"
MEMBER_PREFIX = "MEMBER#"
OPEN = "open"
_GROUP_PAGE_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


def group_pk(group_id: str) -> str:
    return f"GROUP#{group_id}"


def _index_sk(status: str, deadline: str, group_id: str) -> str:
    return f"{status}#{deadline}#{group_id}"


def _transact_retrying(items: list[dict[str, Any]], attempts: int = 3) -> list[str | None]:
    """A transaction retried when DynamoDB cancelled it for a conflict with another one on the same
    items (not a failed condition): a busy group's joins serialize instead of failing."""
    for attempt in range(attempts):
        try:
            return dynamo.transact(items)
        except TransactionConflict:
            if attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _plain(page: dynamo.Page) -> dynamo.Page:
    return dynamo.Page(items=[dict(dynamo.plain(i)) for i in page.items], next_cursor=page.next_cursor)


class GroupsDal(TableDal):
    # ------------------------------------------------------------------ reads
    def group(self, group_id: str) -> dict[str, Any] | None:
        return self._get(group_pk(group_id), GROUP_SK)

    def member(self, group_id: str, buyer_id: str) -> dict[str, Any] | None:
        return self._get(group_pk(group_id), f"{MEMBER_PREFIX}{buyer_id}")

    def members(self, group_id: str) -> list[dict[str, Any]]:
        """Every member item of the group (at most 40: one page), oldest first."""
        items = dynamo.read_all_pages(
            self._table,
            KeyConditionExpression=key("pk").eq(group_pk(group_id)) & key("sk").begins_with(MEMBER_PREFIX),
            ConsistentRead=True,
        )
        return sorted((dict(dynamo.plain(i)) for i in items), key=lambda m: (m["joined_at"], m["buyer_id"]))

    def order_member(self, order_id: str) -> dict[str, Any] | None:
        """The group and buyer of a group's order (None: not a group's order, or not known yet)."""
        return self._get(f"GROUPORDER#{order_id}", "GROUPORDER")

    def listing_groups(self, listing_id: str, *, limit: int, cursor: str | None) -> dynamo.Page:
        """The listing's open groups, soonest deadline first (one page)."""
        return _plain(
            query_page(
                self._table,
                scope=f"groups:listing:{listing_id}",
                key_names=_GROUP_PAGE_KEYS,
                limit=limit,
                cursor_token=cursor,
                IndexName="gsi1",
                KeyConditionExpression=key("gsi1pk").eq(f"LISTINGGROUPS#{listing_id}")
                & key("gsi1sk").begins_with(f"{OPEN}#"),
            )
        )

    def buyer_memberships(self, buyer_id: str, *, limit: int, cursor: str | None) -> dynamo.Page:
        """The buyer's member items, newest first (one page)."""
        return _plain(
            query_page(
                self._table,
                scope=f"groups:mine:{buyer_id}",
                key_names=_GROUP_PAGE_KEYS,
                limit=limit,
                cursor_token=cursor,
                IndexName="gsi1",
                KeyConditionExpression=key("gsi1pk").eq(f"BUYERGROUPS#{buyer_id}"),
                ScanIndexForward=False,
            )
        )

    # ---- the documented reads the clusters (GET /groups/recommended) use
    def open_groups_for_listing(self, listing_id: str, limit: int = 50) -> list[Group]:
        """The listing's OPEN groups (soonest deadline first, at most ``limit``), as the API shows
        them (no caller part). Query on gsi1; a group past its deadline whose timer has not fired
        yet is left out."""
        page = self.listing_groups(listing_id, limit=limit, cursor=None)
        return self._open_views(page.items)

    def open_groups_by_crop(self, crop: str, limit: int = 50) -> list[Group]:
        """The OPEN groups of listings of ``crop`` (a catalogue id), soonest deadline first, at most
        ``limit``. Query on gsi2; groups past their deadline are left out."""
        items = self._table.query(
            IndexName="gsi2",
            KeyConditionExpression=key("gsi2pk").eq(f"CROPGROUPS#{crop}")
            & key("gsi2sk").begins_with(f"{OPEN}#"),
            Limit=limit,
        ).get("Items", [])
        return self._open_views(items)

    def _open_views(self, items: list[dict[str, Any]]) -> list[Group]:
        now = clock.now_iso()
        plain = (dict(dynamo.plain(i)) for i in items)
        return [group_view(item) for item in plain if item["deadline"] > now]

    # ------------------------------------------------------------------ writes
    def create(self, group: dict[str, Any], starter: dict[str, Any]) -> None:
        """The group's item and its starter's member item, in one transaction."""
        item = {
            **group,
            "pk": group_pk(group["id"]),
            "sk": GROUP_SK,
            "gsi1pk": f"LISTINGGROUPS#{group['listing_id']}",
            "gsi1sk": _index_sk(OPEN, group["deadline"], group["id"]),
            "gsi2pk": f"CROPGROUPS#{group['crop']}",
            "gsi2sk": _index_sk(OPEN, group["deadline"], group["id"]),
        }
        codes = dynamo.transact([self._put_new(item), self._put_new(self._member_item(starter))])
        if codes:
            raise ValueError("a group with this id exists already")

    @staticmethod
    def _member_item(member: dict[str, Any]) -> dict[str, Any]:
        return {
            **member,
            "pk": group_pk(member["group_id"]),
            "sk": f"{MEMBER_PREFIX}{member['buyer_id']}",
            "gsi1pk": f"BUYERGROUPS#{member['buyer_id']}",
            "gsi1sk": f"{member['joined_at']}#{member['group_id']}",
        }

    def join(self, group_id: str, member: dict[str, Any], *, target_g: int) -> None:
        """ONE transaction: the group's ``filled_g`` grows by the member's grams and ``members`` by
        one, if it is open, before its deadline, under 40 members and the fill stays within the
        target (``filled_g <= target - grams``); and the member's item is put if new. Raises
        :class:`JoinRefused` with the reason."""
        grams = int(member["grams"])
        now = member["joined_at"]
        update = self._update(
            {"pk": group_pk(group_id), "sk": GROUP_SK},
            "SET updated_at = :now, version = version + :one ADD filled_g :g, members :one",
            condition="#s = :open AND deadline > :now AND members < :max AND filled_g <= :room",
            names={"#s": "status"},
            values={
                ":now": now,
                ":one": 1,
                ":g": grams,
                ":open": OPEN,
                ":max": MAX_MEMBERS,
                ":room": target_g - grams,
            },
        )
        codes = _transact_retrying([update, self._put_new(self._member_item(member))])
        if not codes:
            return
        group = self.group(group_id)
        if codes[1] == "ConditionalCheckFailed":
            raise JoinRefused("member", group)
        if group is None or group["status"] != OPEN or group["deadline"] <= now:
            raise JoinRefused("closed", group)
        if int(group["members"]) >= MAX_MEMBERS:
            raise JoinRefused("full", group)
        raise JoinRefused("overfill", group)

    def leave(self, group_id: str, buyer_id: str, grams: int, now: str) -> bool:
        """ONE transaction: delete the member's item (still ``joined``) and take its grams and one
        member off the group, if it is open and before its deadline. False when refused."""
        update = self._update(
            {"pk": group_pk(group_id), "sk": GROUP_SK},
            "SET updated_at = :now, version = version + :one ADD filled_g :minus, members :less",
            condition="#s = :open AND deadline > :now",
            names={"#s": "status"},
            values={":now": now, ":one": 1, ":minus": -grams, ":less": -1, ":open": OPEN},
        )
        delete = self._delete(
            {"pk": group_pk(group_id), "sk": f"{MEMBER_PREFIX}{buyer_id}"},
            ConditionExpression="#s = :joined AND grams = :g",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=dynamo.serialize({":joined": "joined", ":g": grams}),
        )
        return not _transact_retrying([update, delete])

    def complete(
        self,
        group: dict[str, Any],
        members: list[dict[str, Any]],
        changes: dict[str, Any],
        pending: dict[str, Any],
    ) -> bool:
        """ONE transaction: the group open -> completed (if its fill and members are still those
        read: ``version``), with ``changes`` and the pending event; each member -> ``ordered``.
        False when the group moved meanwhile."""
        updates = [
            self._status_update(group, "completed", changes, pending, expect=OPEN, same_version=True),
            *(
                self._update(
                    {"pk": group_pk(group["id"]), "sk": f"{MEMBER_PREFIX}{m['buyer_id']}"},
                    "SET #s = :ordered, updated_at = :now",
                    condition="#s = :joined",
                    names={"#s": "status"},
                    values={":ordered": "ordered", ":joined": "joined", ":now": changes["updated_at"]},
                )
                for m in members
            ),
        ]
        try:
            return not dynamo.transact(updates)
        except TransactionConflict:  # another request on the group or a member: re-read
            return False

    def set_status(
        self,
        group: dict[str, Any],
        status: GroupStatus,
        changes: dict[str, Any],
        pending: dict[str, Any],
        *,
        expect: GroupStatus,
    ) -> bool:
        """The group ``expect`` -> ``status`` with ``changes`` and the pending entry; False when it
        is no longer ``expect``."""
        return not dynamo.transact([self._status_update(group, status, changes, pending, expect=expect)])

    def _status_update(
        self,
        group: dict[str, Any],
        status: str,
        changes: dict[str, Any],
        pending: dict[str, Any],
        *,
        expect: str,
        same_version: bool = False,
    ) -> dict[str, Any]:
        fields = {
            **changes,
            "gsi1sk": _index_sk(status, group["deadline"], group["id"]),
            "gsi2sk": _index_sk(status, group["deadline"], group["id"]),
        }
        sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(fields)))
        names = {
            "#s": "status",
            "#p": "pending",
            "#k": pending["key"],
            **{f"#f{i}": n for i, n in enumerate(fields)},
        }
        values: dict[str, Any] = {
            ":status": status,
            ":expect": expect,
            ":one": 1,
            ":entry": pending,
            **{f":f{i}": v for i, v in enumerate(fields.values())},
        }
        condition = "#s = :expect"
        if same_version:
            condition += " AND version = :version"
            values[":version"] = group["version"]
        return self._update(
            {"pk": group_pk(group["id"]), "sk": GROUP_SK},
            f"SET #s = :status, {sets}, version = version + :one, #p.#k = :entry",
            condition=condition,
            names=names,
            values=values,
        )

    def drop_member(self, group_id: str, buyer_id: str, now: str) -> int | None:
        """ONE transaction: the member ``ordered`` -> ``dropped`` and their grams off the group's
        ``active_g`` (the group completed). Their grams, or None when they were not ``ordered``
        (paid already, dropped already, or no such member)."""
        member = self.member(group_id, buyer_id)
        if member is None or member["status"] != "ordered":
            return None
        grams = int(member["grams"])
        codes = dynamo.transact(
            [
                self._update(
                    {"pk": group_pk(group_id), "sk": f"{MEMBER_PREFIX}{buyer_id}"},
                    "SET #s = :dropped, updated_at = :now",
                    condition="#s = :ordered",
                    names={"#s": "status"},
                    values={":dropped": "dropped", ":ordered": "ordered", ":now": now},
                ),
                self._update(
                    {"pk": group_pk(group_id), "sk": GROUP_SK},
                    "SET updated_at = :now, version = version + :one ADD active_g :minus",
                    condition="#s = :completed",
                    names={"#s": "status"},
                    values={":now": now, ":one": 1, ":minus": -grams, ":completed": "completed"},
                ),
            ]
        )
        return None if codes else grams

    def reprice(self, group: dict[str, Any], changes: dict[str, Any], pending: dict[str, Any]) -> bool:
        """The completed group's tier and price (if its ``version`` is still the one read), with the
        pending event."""
        sets = ", ".join(f"#f{i} = :f{i}" for i in range(len(changes)))
        return self._update_if(
            {"pk": group_pk(group["id"]), "sk": GROUP_SK},
            f"SET {sets}, version = version + :one, #p.#k = :entry",
            condition="#s = :completed AND version = :version",
            names={
                "#s": "status",
                "#p": "pending",
                "#k": pending["key"],
                **{f"#f{i}": n for i, n in enumerate(changes)},
            },
            values={
                ":completed": "completed",
                ":version": group["version"],
                ":one": 1,
                ":entry": dynamo.storable(pending),
                **{f":f{i}": dynamo.storable(v) for i, v in enumerate(changes.values())},
            },
        )

    def member_paid(self, group_id: str, buyer_id: str, now: str) -> bool:
        """The member ``ordered`` -> ``paid`` (False: not ``ordered``)."""
        return self._update_if(
            {"pk": group_pk(group_id), "sk": f"{MEMBER_PREFIX}{buyer_id}"},
            "SET #s = :paid, updated_at = :now",
            condition="#s = :ordered",
            names={"#s": "status"},
            values={":paid": "paid", ":ordered": "ordered", ":now": now},
        )

    def record_order(self, order_id: str, group_id: str, buyer_id: str, now: str) -> None:
        """Remember the market's order of the member (once; the member's ``order_id`` too)."""
        self._put_if(
            {
                "pk": f"GROUPORDER#{order_id}",
                "sk": "GROUPORDER",
                "order_id": order_id,
                "group_id": group_id,
                "buyer_id": buyer_id,
                "created_at": now,
            },
            "attribute_not_exists(pk)",
        )
        self._update_if(
            {"pk": group_pk(group_id), "sk": f"{MEMBER_PREFIX}{buyer_id}"},
            "SET order_id = :order",
            condition="attribute_exists(pk)",
            values={":order": order_id},
        )

    def published(self, group_id: str, pending_key: str) -> None:
        """The pending entry is on the bus: forget it."""
        self._table.update_item(
            Key={"pk": group_pk(group_id), "sk": GROUP_SK},
            UpdateExpression="REMOVE #p.#k",
            ExpressionAttributeNames={"#p": "pending", "#k": pending_key},
        )
