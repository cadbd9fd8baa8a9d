"""The append-only admin audit log: recording every domain's ``AdminActionTaken`` (idempotent on
the event id) and reading it newest first, filtered by admin, target or action.

Each filter is served by the index designed for it (``soko.admin.dal``): the most selective one
asked for (target, then admin, then action) is the Query's partition, and any other filter asked
for at the same time narrows that Query. Never a Scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from soko.admin.dal import INDEXES, entry_keys
from soko.admin.models import AuditConfig, AuditLogEntry, AuditLogPage
from soko.admin.ports import AuditStore
from soko.shared import clock
from soko.shared.audit import AdminAction
from soko.shared.identity import Caller


@dataclass
class Audit:
    config: AuditConfig
    store: AuditStore


def entry_item(action: AdminAction, source: str) -> dict[str, Any]:
    """The stored entry of ``action`` (published by ``source``)."""
    at = clock.iso(action.occurred_at)
    return {
        **entry_keys(action.event_id, at, action.admin_id, action.target_id, action.action),
        "event_id": action.event_id,
        "source": source,
        "admin_id": action.admin_id,
        "action": action.action,
        "target_type": action.target_type,
        "target_id": action.target_id,
        "reason": action.reason,
        "at": action.at,
        "occurred_at": at,
        "details": action.details,
        "recorded_at": clock.now_iso(),
    }


def record(action: AdminAction, source: str, deps: Audit) -> bool:
    """Append ``action`` to the log: False when it is already there (a redelivery or a replay)."""
    return deps.store.append(entry_item(action, source))


@dataclass(frozen=True)
class AuditFilters:
    admin_id: str | None = None
    target: str | None = None
    action: str | None = None


def _plan(filters: AuditFilters) -> tuple[str, str, dict[str, str]]:
    """(index, partition, the other filters as attribute -> value)."""
    given = {"target_id": filters.target, "admin_id": filters.admin_id, "action": filters.action}
    asked = {k: v for k, v in given.items() if v is not None}
    if filters.target:
        index, partition, covered = INDEXES["target"], f"TARGET#{filters.target}", "target_id"
    elif filters.admin_id:
        index, partition, covered = INDEXES["admin"], f"ADMIN#{filters.admin_id}", "admin_id"
    elif filters.action:
        index, partition, covered = INDEXES["action"], f"ACTION#{filters.action}", "action"
    else:
        index, partition, covered = INDEXES["all"], "ALL", ""
    return index, partition, {k: v for k, v in asked.items() if k != covered}


def list_entries(
    caller: Caller, filters: AuditFilters, limit: int, cursor: str | None, deps: Audit
) -> AuditLogPage:
    caller.require("admin")
    index, partition, rest = _plan(filters)
    scope = "audit:" + "|".join(f"{k}={v}" for k, v in sorted(vars(filters).items()) if v)
    page = deps.store.page(index, partition, rest, limit=limit, cursor=cursor, scope=scope)
    return AuditLogPage(
        items=[AuditLogEntry.model_validate(item) for item in page.items], next_cursor=page.next_cursor
    )
