"""The admin audit trail's event: every admin action, in whichever domain it is taken, publishes an
``AdminActionTaken`` (through that domain's outbox, in the action's own transaction) and the admin
domain keeps them in its append-only audit log.

A domain declares its own contract with its source::

    class AdminActionTaken(AdminAction):
        SOURCE: ClassVar[str] = "soko.users"
        DETAIL_TYPE: ClassVar[str] = "AdminActionTaken"

and the audit consumer reads any of them as :class:`AdminAction`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from soko.shared.events import EventDetail

ADMIN_ACTION_TAKEN = "AdminActionTaken"


class AdminAction(EventDetail):
    admin_id: str
    action: str = Field(description="what was done, e.g. user.suspend, listing.takedown, dispute.resolve")
    target_type: str = Field(description="user, listing, order, dispute, payment, queue, ...")
    target_id: str
    reason: str = Field(min_length=1)
    at: str
    details: dict[str, Any] = Field(default_factory=dict)
