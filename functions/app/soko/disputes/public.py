"""What other domains may read of disputes (with :mod:`soko.disputes.events`): the cases of an
order, as small views (never the stored items or their keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from soko.disputes.models import Status

if TYPE_CHECKING:
    from soko.disputes.dal import DisputesDal


class OrderDispute(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    status: Status
    opened_at: str


class OrderDisputes:
    """Read-only access to the cases of an order."""

    def __init__(self, table_name: str):
        self._table_name = table_name
        self._disputes_dal: DisputesDal | None = None

    @property
    def _dal(self) -> DisputesDal:
        if self._disputes_dal is None:
            from soko.disputes.dal import DisputesDal  # noqa: PLC0415

            self._disputes_dal = DisputesDal(self._table_name)
        return self._disputes_dal

    def of_order(self, order_id: str) -> list[OrderDispute]:
        cases = self._dal.by_order(order_id)
        return [OrderDispute.model_validate({k: c[k] for k in OrderDispute.model_fields}) for c in cases]
