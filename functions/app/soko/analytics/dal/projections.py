"""The projections' reads on the analytics table: a farmer's sales, buyers and ratings
(``FARMER#<id>``) and the market's weeks (``MARKET#<crop>#<district or ALL>``). The consumer writes
them with the counters (``dal.counters``), in the same transaction."""

from __future__ import annotations

from typing import Any

from soko.analytics.dal import farmer_pk, market_pk
from soko.shared import dynamo


class ProjectionsDal(dynamo.TableDal):
    def farmer(self, farmer_id: str) -> list[dict[str, Any]]:
        """Everything kept of one farmer (sales by month and crop, buyers, ratings): one Query."""
        return list(
            dynamo.read_all_pages(
                self._table, KeyConditionExpression=dynamo.key("pk").eq(farmer_pk(farmer_id))
            )
        )

    def market_weeks(self, crop: str, district: str | None, first: str, last: str) -> list[dict[str, Any]]:
        """A crop's weeks (in a district, or everywhere) from ``first`` to ``last``: one Query."""
        return list(
            dynamo.read_all_pages(
                self._table,
                KeyConditionExpression=dynamo.key("pk").eq(market_pk(crop, district))
                & dynamo.key("sk").between(f"WEEK#{first}", f"WEEK#{last}"),
            )
        )
