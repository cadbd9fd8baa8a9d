"""GET /reports/{id}"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from soko.analytics import reports
from soko.analytics.deps.reports import reports as wiring
from soko.analytics.models import Report
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()

ReportId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$", description="the report's id")
]


@app.get(
    "/reports/<id>",
    summary="One report, with its download link when ready",
    description="The report's owner, or an admin (anyone else: 404, as for a report that does not "
    "exist). `status` `queued` or `running` while it is built; `ready` with `rows`, `total_ugx` and a "
    "`download_url` valid for 15 minutes (ask again for a fresh one); `failed` with `error`, a "
    "message for the user.",
    tags=["analytics"],
    responses={
        200: {"description": "The report", "content": {JSON: {"model": Report}}},
        **error_responses(401, 404, 422),
    },
)
def get_report(id: ReportId) -> Response[str]:
    return json_body(reports.get_report(caller(app), id, wiring()))


lambda_handler = entry(app)
