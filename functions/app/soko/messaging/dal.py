"""Messaging data access: the messaging table.

| pattern | key |
|---|---|
| an alert to one recipient (sent once) | ``ALERT#<event id>#<farmer or buyer>`` / ``SENT`` (TTL 30 d) |
| an SMS sent, with its delivery reports | ``SMS#<message id>`` / ``MESSAGE`` (TTL 90 d) |
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo

ALERT_SECONDS = 30 * 24 * 3600
MESSAGE_SECONDS = 90 * 24 * 3600


class MessagingDal(dynamo.TableDal):
    def claim_alert(self, event_id: str, recipient: str, now: int) -> bool:
        """True when this alert was not sent before (the caller sends it now)."""
        return self._put_if(
            {
                "pk": f"ALERT#{event_id}#{recipient}",
                "sk": "SENT",
                "at": now,
                "expires_at": now + ALERT_SECONDS,
            },
            "attribute_not_exists(pk)",
        )

    def release_alert(self, event_id: str, recipient: str) -> None:
        self._table.delete_item(Key={"pk": f"ALERT#{event_id}#{recipient}", "sk": "SENT"})

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
