"""POST /admin/listings/{id}/restore"""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from soko.market import moderation
from soko.market.deps import moderation as moderation_deps
from soko.market.models import Listing, ModerationRequest
from soko.shared.http import JSON, caller, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/admin/listings/<id>/restore",
    summary="Restore a listing taken down",
    description="Admins only. Lifts the takedown: the listing is browsable and orderable again, unless "
    "its farmer is suspended (then it stays hidden until the farmer is reinstated). Recorded "
    "in the admin audit log with the reason.",
    tags=["admin"],
    responses={
        200: {
            "description": "The listing, as its farmer and admins see it",
            "content": {JSON: {"model": Listing}},
        },
        **error_responses(401, 403, 404, 409, 422),
    },
)
def restore(
    id: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")],
    request: ModerationRequest,
) -> Response[str]:
    return json_body(moderation.restore(caller(app), id, request, moderation_deps()))


lambda_handler = entry(app)
