"""POST /auth/refresh"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import RefreshRequest, TokenPair
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/auth/refresh",
    summary="Rotate the refresh token",
    description="Returns a new pair; the presented refresh token stops working. Presenting one that was "
    "already used revokes its whole family (theft detection). A suspended account answers 403 "
    "ACCOUNT_SUSPENDED.",
    tags=["auth"],
    responses={
        200: {"description": "New tokens", "content": {JSON: {"model": TokenPair}}},
        **error_responses(400, 401, 403, 422),
    },
)
def refresh(request: RefreshRequest) -> Response[str]:
    return json_body(logic.refresh(request, identity()))


lambda_handler = entry(app)
