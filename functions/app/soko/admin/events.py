"""The admin domain's event contracts (source ``soko.admin``).

The admin domain's own actions (replaying a dead-letter queue) are :class:`AdminActionTaken` like
every other domain's; it writes them straight into its own audit table (the log it owns) rather
than through the bus, and the contract documents what such an entry holds.
"""

from __future__ import annotations

from typing import ClassVar

from soko.shared.audit import AdminAction
from soko.shared.events import EventDetail


class AdminActionTaken(AdminAction):
    SOURCE: ClassVar[str] = "soko.admin"
    DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"


CONTRACTS: tuple[type[EventDetail], ...] = (AdminActionTaken,)
