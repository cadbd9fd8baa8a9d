"""What the marketplace's endpoint modules share."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from soko.shared import secrets
from soko.shared.auth import AuthConfig
from soko.shared.config import load
from soko.shared.identity import Caller, optional_caller


def viewer(app: APIGatewayHttpResolver) -> Caller | None:
    """The signed-in caller of a public route, if any (see soko.shared.identity.optional_caller)."""
    config = load(AuthConfig)
    return optional_caller(
        app.current_event.raw_event,
        secret=lambda: secrets.get(config.jwt_secret_arn),
        issuer=config.jwt_issuer,
        audience=config.jwt_audience,
    )
