"""GET /reports"""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from soko.analytics import reports
from soko.analytics.deps.reports import reports as wiring
from soko.shared.http import JSON, Cursor, Limit, caller, create_app, entry, error_responses, json_body

app = create_app()

Owner = Annotated[
    Literal["me", "admins"],
    Query(description="me (default): your reports; admins (admins only): the scheduled ones"),
]


@app.get(
    "/reports",
    summary="My reports, newest first",
    description="Signed in. The caller's requested reports, newest first, a page at a time (`cursor` is "
    "the previous page's `next_cursor`). Admins may ask for `owner=admins`: the weekly scheduled "
    "reports (403 for anyone else). No `download_url` here: `GET /reports/{id}` gives one for a ready "
    "report. 400 for a cursor that is not this list's.",
    tags=["analytics"],
    responses={
        200: {"description": "A page of reports", "content": {JSON: {"model": reports.ReportPage}}},
        **error_responses(400, 401, 403, 422),
    },
)
def list_reports(*, owner: Owner = "me", limit: Limit = 20, cursor: Cursor = None) -> Response[str]:
    return json_body(reports.list_reports(caller(app), owner, limit, cursor, wiring()))


lambda_handler = entry(app)
