"""Messaging data access: the messaging table.

| pattern | key |
|---|---|
| an SMS sent, with its delivery reports | ``SMS#<message id>`` / ``MESSAGE`` (TTL 90 d) |
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo

MESSAGE_SECONDS = 90 * 24 * 3600


class MessagingDal(dynamo.TableDal):
    def record_sent(
        self,
        message_id: str,
        *,
        event_id: str,
        order_id: str,
        recipient: str,
        kind: str,
        now_iso: str,
        now: int,
    ) -> None:
        self._table.put_item(
            Item={
                "pk": f"SMS#{message_id}",
                "sk": "MESSAGE",
                "event_id": event_id,
                "order_id": order_id,
                "recipient": recipient,
                "kind": kind,
                "status": "Sent",
                "sent_at": now_iso,
                "reports": [],
                "expires_at": now + MESSAGE_SECONDS,
            }
        )

    def record_report(self, message_id: str, report: dict[str, Any]) -> bool:
        """Append a delivery report to a message Soko sent; False for an unknown message id."""
        return self._update_if(
            {"pk": f"SMS#{message_id}", "sk": "MESSAGE"},
            "SET #s = :s, reports = list_append(if_not_exists(reports, :none), :r)",
            condition="attribute_exists(pk)",
            names={"#s": "status"},
            values={":s": report["status"], ":r": [report], ":none": []},
        )

    def get_message(self, message_id: str) -> dict[str, Any] | None:
        return self._get(f"SMS#{message_id}", "MESSAGE")
