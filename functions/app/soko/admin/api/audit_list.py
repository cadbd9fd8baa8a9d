"""GET /admin/audit"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.admin import audit
from soko.admin.deps import audit as audit_deps
from soko.admin.models import AuditLogPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()

_Id = Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@/+=,-]+$")]


@app.get(
    "/admin/audit",
    summary="The admin audit log",
    description="Admins only. Every admin action of every domain (suspensions, takedowns, dispute "
    "resolutions, refunds, dead-letter replays), with its reason, newest first. Filter by "
    "`admin_id`, `target` (the id of the user, listing, order, dispute or queue acted on) and "
    "`action` (e.g. `listing.takedown`), alone or together; pass `next_cursor` back unchanged with "
    "the same filters. The log is append-only: nothing can change or remove an entry.",
    tags=["admin"],
    responses={
        200: {"description": "A page of the log, newest first", "content": {JSON: {"model": AuditLogPage}}},
        **error_responses(400, 401, 403, 422),
    },
)
def audit_log(
    admin_id: _Id = None,
    target: _Id = None,
    action: Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    filters = audit.AuditFilters(admin_id=admin_id, target=target, action=action)
    return json_body(audit.list_entries(caller(app), filters, limit, cursor, audit_deps()))


lambda_handler = entry(app)
