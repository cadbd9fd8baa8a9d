"""GET /admin/flags"""

from aws_lambda_powertools.event_handler import Response

from soko.market import orders
from soko.market.deps import market
from soko.market.models import FlagPage
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.get(
    "/admin/flags",
    summary="Orders flagged for review",
    description="Admins only. Orders far above a buyer's usual size are flagged, not blocked.",
    tags=["admin"],
    responses={
        200: {"description": "A page of flags", "content": {JSON: {"model": FlagPage}}},
        **error_responses(400, 401, 403, 422),
    },
)
def flags(limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(orders.list_flags(caller(app), limit, cursor, market()))


lambda_handler = entry(app)
