"""POST /auth/login"""

from aws_lambda_powertools.event_handler import Response

from soko.identity import logic
from soko.identity.deps import identity
from soko.identity.models import LoginRequest, TokenPair
from soko.shared.http import JSON, create_app, entry, error_responses, json_body

app = create_app()


@app.post(
    "/auth/login",
    summary="Sign in",
    description="By email or by phone (accounts opened on a basic phone have no email). The same 401 for an "
    "unknown account and a wrong password; 429 after 5 failures in 15 minutes for that email or phone. A "
    "phone signs in only once it is verified. A suspended account answers 403 ACCOUNT_SUSPENDED (only "
    "with the right password).",
    tags=["auth"],
    responses={
        200: {"description": "Signed in", "content": {JSON: {"model": TokenPair}}},
        **error_responses(400, 401, 403, 422, 429),
    },
)
def login(request: LoginRequest) -> Response[str]:
    return json_body(logic.login(request, identity()))


lambda_handler = entry(app)
