"""Access-token verification, shared by every function that reads a caller from a token: the HTTP
API's authorizer, the WebSocket API's authorizer and public routes that show more to a signed-in
user. Identity issues the tokens (:mod:`soko.identity.tokens`); verifying them needs nothing of
identity's, so it lives here and ``soko.shared`` imports no domain.

HS256 is pinned: the algorithm in a token's header is never trusted, so ``alg=none`` or an RSA/HMAC
confusion cannot pass. ``exp``, ``iat``, ``iss``, ``aud``, ``sub`` and the token type are required.
Tokens are never logged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from soko.shared import secrets
from soko.shared.config import BaseConfig, load

ALGORITHM = "HS256"
LEEWAY_SECONDS = 5
Role = Literal["farmer", "buyer", "both", "transporter", "admin"]


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not ours. Never says which to the client."""


class AccessClaims(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: str
    role: Role
    email: str
    typ: Literal["access"]
    iat: int
    exp: int
    jti: str
    # The account's token version and the sign-in session (refresh family) the token belongs to:
    # identity's authorizer refuses a token whose version or session was revoked. 0 / None on tokens
    # issued before they existed.
    tv: int = 0
    sid: str | None = None


class AuthConfig(BaseConfig):
    """Where the signing key is and whose tokens to accept (the authorizers' settings)."""

    jwt_secret_arn: str
    jwt_issuer: str = "soko"
    jwt_audience: str = "soko-api"


def bearer_token(
    headers: Mapping[str, Any] | None, identity_source: Sequence[Any] | None = None
) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case), or None.

    ``identity_source``: an authorizer event's ``identitySource`` (API Gateway puts the header's
    value there); when it is empty the headers are read, whatever the case of their names."""
    if identity_source:
        header = str(identity_source[0])
    else:
        header = {str(k).lower(): str(v) for k, v in (headers or {}).items()}.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def verify_access_token(token: str, *, secret: str, issuer: str, audience: str) -> AccessClaims:
    import jwt  # noqa: PLC0415  (PyJWT pulls in cryptography: about 60 ms, only on the paths that verify)

    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=LEEWAY_SECONDS,
        )
        return AccessClaims.model_validate(claims)
    except (jwt.PyJWTError, ValidationError) as err:
        raise InvalidToken(type(err).__name__) from None


def verify(token: str) -> AccessClaims:
    """Verify ``token`` with the configured key, issuer and audience (:class:`AuthConfig`)."""
    config = load(AuthConfig)
    return verify_access_token(
        token,
        secret=secrets.get(config.jwt_secret_arn),
        issuer=config.jwt_issuer,
        audience=config.jwt_audience,
    )
