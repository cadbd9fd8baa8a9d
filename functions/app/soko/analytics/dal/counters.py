"""The counters' writes and the dashboard's reads on the analytics table (layout: ``dal/__init__``).

Every count is one ``TransactWriteItems``: the ``SEEN#<event id>`` claim and the ``ADD`` s, so an
event is counted once or not at all; an "active" marker is a conditional put before it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from soko.analytics.counters import Marker, OrderFacts, Plan
from soko.analytics.dal import breakdown_pk
from soko.shared import dynamo

MAX_TRANSACTION = 100  # DynamoDB's limit of items in one transaction


def order_key(order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": "ORDER"}


def seen_key(event_id: str) -> dict[str, str]:
    return {"pk": f"SEEN#{event_id}", "sk": "SEEN"}


def _plain_number(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float) else value


class CountersDal(dynamo.TableDal):
    # ------------------------------------------------------------ writes (the consumer)
    def order(self, order_id: str) -> OrderFacts | None:
        item = self._get(**order_key(order_id))
        if item is None:
            return None
        return OrderFacts(order_id, str(item["crop"]), str(item["district"]), Decimal(str(item["kg"])))

    def mark_active(self, marker: Marker, event_id: str) -> bool:
        item = {
            "pk": f"ACTIVE#{marker.period}#{marker.key}",
            "sk": f"{marker.role}#{marker.user_id}",
            "event_id": event_id,
            "expires_at": marker.expires_at,
        }
        return self._put_if(item, "attribute_not_exists(pk) OR event_id = :event", event=event_id)

    def commit(self, plan: Plan, seen_expires_at: int) -> bool:
        claim = self._put_new({**seen_key(plan.event_id), "expires_at": seen_expires_at})
        writes = [claim]
        if plan.order is not None:
            facts = plan.order
            writes.append(
                self._put(
                    {
                        **order_key(facts.order_id),
                        "crop": facts.crop,
                        "district": facts.district,
                        "kg": facts.kg,
                        "expires_at": plan.order_expires_at,
                    }
                )
            )
        for (pk, sk), values in sorted(plan.adds.items()):
            names = {f"#a{i}": name for i, name in enumerate(values)}
            adds = ", ".join(f"#a{i} :a{i}" for i in range(len(values)))
            writes.append(
                self._update(
                    {"pk": pk, "sk": sk},
                    f"ADD {adds}",
                    names=names,
                    values={f":a{i}": _plain_number(v) for i, v in enumerate(values.values())},
                )
            )
        if len(writes) > MAX_TRANSACTION:  # an event adds a few dozen at most
            raise ValueError(f"an event's counts need {len(writes)} writes")
        codes = dynamo.transact(writes)
        if not codes:
            return True
        if codes[0] == "ConditionalCheckFailed":
            return False  # counted before (a redelivery, a replay or a concurrent copy)
        raise RuntimeError(f"the counts' transaction was cancelled: {codes}")

    # ------------------------------------------------------------ reads (GET /admin/metrics)
    def totals(self, period: str, first: str, last: str) -> list[dict[str, Any]]:
        """The period's totals items from ``first`` to ``last`` (keys), oldest first: one Query."""
        return list(
            dynamo.read_all_pages(
                self._table,
                KeyConditionExpression=dynamo.key("pk").eq(f"TOTALS#{period}")
                & dynamo.key("sk").between(first, last),
            )
        )

    def breakdown(self, period: str, key: str) -> list[dict[str, Any]]:
        """Every crop, district and gap of one period: one Query."""
        return list(
            dynamo.read_all_pages(
                self._table, KeyConditionExpression=dynamo.key("pk").eq(breakdown_pk(period, key))
            )
        )
