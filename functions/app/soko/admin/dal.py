"""The audit table (owned by the admin domain): one item per admin action, append-only.

| pattern | key |
|---|---|
| an action, by its event id (the idempotent, conditional create) | ``EVENT#<event id>`` / ``EVENT`` |
| every action, newest first | gsi1: ``ALL`` / ``<at>#<event id>`` |
| an admin's actions | gsi2: ``ADMIN#<admin id>`` / same |
| the actions on a target | gsi3: ``TARGET#<target id>`` / same |
| the actions of a kind (``listing.takedown``) | gsi4: ``ACTION#<action>`` / same |

Nothing here updates or deletes an entry: the only write is a ``PutItem`` guarded by
``attribute_not_exists(pk)`` (and the recording functions' IAM allows PutItem alone). The ``ALL``
partition is one GSI partition for every action: admin actions are few (well under a thousand
writes a second), so it does not get hot.
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo

INDEXES = {"all": "gsi1", "admin": "gsi2", "target": "gsi3", "action": "gsi4"}


def entry_keys(event_id: str, at: str, admin_id: str, target_id: str, action: str) -> dict[str, str]:
    order = f"{at}#{event_id}"
    return {
        "pk": f"EVENT#{event_id}",
        "sk": "EVENT",
        "gsi1pk": "ALL",
        "gsi1sk": order,
        "gsi2pk": f"ADMIN#{admin_id}",
        "gsi2sk": order,
        "gsi3pk": f"TARGET#{target_id}",
        "gsi3sk": order,
        "gsi4pk": f"ACTION#{action}",
        "gsi4sk": order,
    }


class AuditDal(dynamo.TableDal):
    def append(self, entry: dict[str, Any]) -> bool:
        try:
            return self._put_if(dynamo.storable(entry), "attribute_not_exists(pk)")
        except Exception as err:
            dynamo.raise_if_throttled(err)
            raise

    def page(
        self,
        index: str,
        partition: str,
        filters: dict[str, str],
        *,
        limit: int,
        cursor: str | None,
        scope: str,
    ) -> dynamo.Page:
        """Newest first, on ``index``'s ``partition``; ``filters`` (attribute -> value) narrow it."""
        key_names = frozenset({"pk", "sk", f"{index}pk", f"{index}sk"})
        request: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}pk = :p",
            "ExpressionAttributeValues": {":p": partition},
            "ScanIndexForward": False,
        }
        if filters:
            names = {f"#f{i}": name for i, name in enumerate(filters)}
            request["ExpressionAttributeNames"] = names
            request["ExpressionAttributeValues"].update(
                {f":f{i}": value for i, value in enumerate(filters.values())}
            )
            request["FilterExpression"] = " AND ".join(f"#f{i} = :f{i}" for i in range(len(filters)))
        page = dynamo.filtered_page(
            self._table, request, key_names=key_names, limit=limit, cursor_token=cursor, scope=scope
        )
        return dynamo.Page(items=[dynamo.plain(i) for i in page.items], next_cursor=page.next_cursor)
