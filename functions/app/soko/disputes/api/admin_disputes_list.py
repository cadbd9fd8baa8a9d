"""GET /admin/disputes"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.disputes import logic
from soko.disputes.deps import disputes
from soko.disputes.models import DisputeCasePage, Sort, Status
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/disputes",
    summary="Disputes (admins)",
    description="Admins only. Open disputes by when they were opened, resolved ones by when they were "
    "resolved; newest first unless `sort=oldest` (the longest-waiting first). Cursor-paginated.",
    tags=["admin"],
    responses={
        200: {"description": "A page of disputes", "content": {JSON: {"model": DisputeCasePage}}},
        **error_responses(400, 401, 403, 422),
    },
)
def list_disputes(
    status: Annotated[Status, Query(description="open (default) or resolved")] = "open",
    sort: Annotated[Sort, Query(description="newest (default) or oldest first")] = "newest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[str]:
    page = logic.list_cases(
        caller(app), disputes(), status=status, newest_first=sort == "newest", limit=limit, cursor=cursor
    )
    return json_body(page)


lambda_handler = entry(app)
