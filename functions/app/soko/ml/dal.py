"""Price-layer data access: the ML table.

| pattern | key |
|---|---|
| observations of a (market, crop), by date | ``OBS#<market>#<crop>`` / ``<date>#<source>#<id>`` |
| the served forecast of a pair | ``FORECAST#<market>#<crop>`` / ``LATEST`` |
| cached answers (24 h; dropped when a model lands) | ``PREDCACHE#<market>#<crop>`` / ``W<weeks>`` (TTL) |
| observation counts by crop and market (coverage) | ``COVERAGE`` / ``<crop>#<market>`` |
| outbox events | ``OUTBOX#<event id>`` / ``EVENT`` |
"""

from __future__ import annotations

from typing import Any

from soko.shared import dynamo


class MlDal:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return dynamo.table(self.table_name)

    def forecast(self, market: str, crop: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": f"FORECAST#{market}#{crop}", "sk": "LATEST"}).get("Item")
        return dynamo.plain(item) if item else None

    def latest_observation(self, market: str, crop: str) -> dict[str, Any] | None:
        """The most recent accepted observation (rejected outliers are kept but never used)."""
        response = self._table.query(
            KeyConditionExpression="pk = :pk",
            FilterExpression="#status = :accepted",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":pk": f"OBS#{market}#{crop}", ":accepted": "accepted"},
            ScanIndexForward=False,
            Limit=20,
        )
        items = response.get("Items", [])
        return dynamo.plain(items[0]) if items else None

    def cached(self, market: str, crop: str, weeks: int, now: int) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": f"PREDCACHE#{market}#{crop}", "sk": f"W{weeks}"}).get("Item")
        if not item or int(item["expires_at"]) <= now:
            return None
        answer: dict[str, Any] = dynamo.plain(item)
        return answer

    def cache(self, market: str, crop: str, weeks: int, answer: str, valid_until: int) -> None:
        self._table.put_item(
            Item={
                "pk": f"PREDCACHE#{market}#{crop}",
                "sk": f"W{weeks}",
                "answer": answer,
                "expires_at": valid_until,
            }
        )

    def drop_cache(self, market: str, crop: str) -> int:
        keys = self._table.query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": f"PREDCACHE#{market}#{crop}"},
            ProjectionExpression="pk, sk",
        ).get("Items", [])
        with self._table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return len(keys)
