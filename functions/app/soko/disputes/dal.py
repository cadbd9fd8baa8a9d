"""Disputes data access: the disputes table (the only module of the domain that touches DynamoDB).

Access patterns (table ``pk``/``sk``; indexes ``gsi1``, ``gsi2``):

| pattern | key |
|---|---|
| a case by id (read, resolve) | ``DISPUTE#<id>`` / ``DISPUTE`` |
| cases by status, newest or oldest first | gsi1: ``DISPUTES#<status>`` / ``<when>#<id>`` |
| the cases of an order | gsi2: ``ORDER#<order id>`` / ``<opened_at>#<id>`` |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` (TTL) |

``when`` is ``opened_at`` for an open case and ``resolved_at`` for a resolved one: resolving moves
the case from the open list to the resolved list in the same write. A case is created once per
dispute id (``attribute_not_exists``: a redelivered ``OrderDisputed`` writes nothing), and resolved
once (the update is conditional on ``status = open`` and the case's ``version``, in one transaction
with the outbox items of its events). Never a Scan.
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo
from soko.shared.events import EventDetail

KEY_NAMES = {
    "gsi1": frozenset({"pk", "sk", "gsi1pk", "gsi1sk"}),
    "gsi2": frozenset({"pk", "sk", "gsi2pk", "gsi2sk"}),
}
MAX_ORDER_CASES = 20  # an order has one case (the market refuses a second dispute); a bound anyway


def case_key(dispute_id: str) -> dict[str, str]:
    return {"pk": f"DISPUTE#{dispute_id}", "sk": "DISPUTE"}


def _status_keys(status: str, when: str, dispute_id: str) -> dict[str, str]:
    return {"gsi1pk": f"DISPUTES#{status}", "gsi1sk": f"{when}#{dispute_id}"}


class DisputesDal(dynamo.TableDal):
    def create(self, case: dict[str, Any]) -> bool:
        """Store a new open case; False when it exists already (a redelivered event)."""
        item = {
            **case,
            **case_key(case["id"]),
            **_status_keys("open", case["opened_at"], case["id"]),
            "gsi2pk": f"ORDER#{case['order_id']}",
            "gsi2sk": f"{case['opened_at']}#{case['id']}",
        }
        return self._put_if(dynamo.storable(item), "attribute_not_exists(pk)")

    def get(self, dispute_id: str) -> dict[str, Any] | None:
        return self._get(**case_key(dispute_id))

    def page(self, status: str, newest_first: bool, limit: int, cursor: str | None) -> dynamo.Page:
        order = "newest" if newest_first else "oldest"
        return dynamo.query_page(
            self._table,
            scope=f"disputes:{status}:{order}",
            key_names=KEY_NAMES["gsi1"],
            numeric_keys=frozenset(),
            limit=limit,
            cursor_token=cursor,
            IndexName="gsi1",
            KeyConditionExpression=dynamo.key("gsi1pk").eq(f"DISPUTES#{status}"),
            ScanIndexForward=not newest_first,
        )

    def by_order(self, order_id: str) -> list[dict[str, Any]]:
        response = self._table.query(
            IndexName="gsi2",
            KeyConditionExpression=dynamo.key("gsi2pk").eq(f"ORDER#{order_id}"),
            Limit=MAX_ORDER_CASES,
        )
        return [dict(dynamo.plain(item)) for item in response.get("Items", [])]

    def resolve(self, case: dict[str, Any], resolved: dict[str, Any], events: list[EventDetail]) -> bool:
        """Write the resolution if the case is still open at the version read, with the events'
        outbox items, in one transaction; False when the case changed meanwhile."""
        values: dict[str, Any] = {
            ":resolved": "resolved",
            ":open": "open",
            ":version": case["version"],
            ":next": case["version"] + 1,
            ":resolution": resolved["resolution"],
            ":updated_at": resolved["updated_at"],
        }
        keys = _status_keys("resolved", resolved["resolution"]["resolved_at"], case["id"])
        values |= {":gsi1pk": keys["gsi1pk"], ":gsi1sk": keys["gsi1sk"]}
        update = self._update(
            case_key(case["id"]),
            "SET #status = :resolved, resolution = :resolution, updated_at = :updated_at, "
            "#version = :next, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk",
            condition="#status = :open AND #version = :version",
            names={"#status": "status", "#version": "version"},
            values=values,
        )
        return not dynamo.transact([update, *self._outbox(events)])
