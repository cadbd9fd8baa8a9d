"""soko.shared.auth (verification), soko.identity.tokens (issuing) and soko.identity.authorizer: a
table-driven security suite. The signing secret lives in (moto's) Secrets Manager, as in production."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import jwt
import pytest

from soko.identity import authorizer
from soko.identity.tokens import issue_access_token
from soko.shared import config, secrets
from soko.shared.auth import InvalidToken, verify_access_token
from soko.shared.identity import require_caller

SECRET = "soko-test-signing-secret-" + "0123456789abcdef" * 4
OTHER_SECRET = "an-attackers-own-signing-secret-" + "fedcba9876543210" * 4
ISSUER = "soko-test"
AUDIENCE = "soko-api-test"
REGION = "us-east-1"


@pytest.fixture
def jwt_secret(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    arn = boto3.client("secretsmanager", region_name=REGION).create_secret(
        Name="soko/test/jwt-signing-key", SecretString=SECRET
    )["ARN"]
    monkeypatch.setenv("JWT_SECRET_ARN", arn)
    monkeypatch.setenv("JWT_ISSUER", ISSUER)
    monkeypatch.setenv("JWT_AUDIENCE", AUDIENCE)
    # Every account is active and every session current here: the revocation check has its own
    # suites (tests/unit/identity, tests/functional/identity/test_sessions_and_suspension_api.py).
    monkeypatch.setattr(authorizer, "sessions", _AllCurrent)
    secrets.clear()
    config.load.cache_clear()
    yield arn
    secrets.clear()
    config.load.cache_clear()


class _AllCurrent:
    def is_current(self, claims: Any) -> bool:
        return True


# --- token makers -------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def valid_token(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "user_id": "usr-amina",
        "role": "farmer",
        "email": "amina@example.com",
        "secret": SECRET,
        "issuer": ISSUER,
        "audience": AUDIENCE,
    }
    arguments.update(overrides)
    return issue_access_token(**arguments)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": "usr-amina",
        "role": "farmer",
        "email": "amina@example.com",
        "typ": "access",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 900,
        "jti": "jti-1",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def signed(payload: dict[str, Any], *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def alg_none() -> str:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(claims(role='admin')).encode())}."


def role_escalated() -> str:
    header, payload, signature = valid_token().split(".")
    body = json.loads(unb64url(payload))
    body["role"] = "admin"
    return f"{header}.{b64url(json.dumps(body).encode())}.{signature}"


def flipped_signature() -> str:
    header, payload, signature = valid_token().split(".")
    raw = bytearray(unb64url(signature))
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{payload}.{b64url(bytes(raw))}"


def header_alg_swapped_to_hs512() -> str:
    return signed(claims(), algorithm="HS512")


def unsigned_segments_only() -> str:
    header, payload, _ = valid_token().split(".")
    return f"{header}.{payload}"


REJECTED: dict[str, Callable[[], str]] = {
    "alg-none": alg_none,
    "role-escalated-old-signature": role_escalated,
    "flipped-signature-byte": flipped_signature,
    "expired": lambda: valid_token(now=time.time() - 3600),
    "not-yet-valid-iat": lambda: signed(claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200)),
    "wrong-audience": lambda: valid_token(audience="some-other-api"),
    "wrong-issuer": lambda: valid_token(issuer="evil-issuer"),
    "signed-with-another-key": lambda: valid_token(secret=OTHER_SECRET),
    "hs512-same-key": header_alg_swapped_to_hs512,
    "missing-exp": lambda: signed(claims(exp=None)),
    "missing-iat": lambda: signed(claims(iat=None)),
    "missing-sub": lambda: signed(claims(sub=None)),
    "missing-aud": lambda: signed(claims(aud=None)),
    "missing-jti": lambda: signed(claims(jti=None)),
    "refresh-token": lambda: signed(claims(typ="refresh")),
    "no-typ": lambda: signed(claims(typ=None)),
    "unknown-role": lambda: signed(claims(role="superuser")),
    "two-segments": unsigned_segments_only,
    "garbage": lambda: "not.a.jwt",
}


def authorizer_event(authorization: str | None) -> dict[str, Any]:
    """An HTTP API REQUEST authorizer event (payload 2.0, identity source the Authorization header)."""
    event: dict[str, Any] = {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{REGION}:123456789012:api/$default/GET/orders",
        "routeKey": "GET /orders",
        "rawPath": "/orders",
        "rawQueryString": "",
        "headers": {"host": "api.soko.test"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "http": {"method": "GET", "path": "/orders", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7"},
            "requestId": "req-auth-1",
            "routeKey": "GET /orders",
            "stage": "$default",
        },
    }
    if authorization is not None:
        event["identitySource"] = [authorization]
        event["headers"]["authorization"] = authorization
    return event


# --- the suite ------------------------------------------------------------------------------------------


def test_valid_token_is_authorized_with_the_callers_context(jwt_secret: str, lambda_context: Any) -> None:
    token = valid_token(role="both")

    response = authorizer.lambda_handler(authorizer_event(f"Bearer {token}"), lambda_context)

    assert response == {
        "isAuthorized": True,
        "context": {"userId": "usr-amina", "role": "both", "email": "amina@example.com"},
    }


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_bad_token_is_not_authorized(case: str, jwt_secret: str, lambda_context: Any) -> None:
    token = REJECTED[case]()

    response = authorizer.lambda_handler(authorizer_event(f"Bearer {token}"), lambda_context)

    assert response == {"isAuthorized": False}


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="bearer-without-token"),
        pytest.param("Bearer    ", id="bearer-with-blanks"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic"),
        pytest.param("Token {token}", id="other-scheme"),
        pytest.param("{token}", id="raw-token-without-scheme"),
        pytest.param("Bearer{token}", id="no-space"),
    ],
)
def test_missing_or_non_bearer_header_is_not_authorized(
    authorization: str | None, jwt_secret: str, lambda_context: Any
) -> None:
    header = None if authorization is None else authorization.format(token=valid_token())

    assert authorizer.lambda_handler(authorizer_event(header), lambda_context) == {"isAuthorized": False}


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(scheme: str, jwt_secret: str, lambda_context: Any) -> None:
    response = authorizer.lambda_handler(authorizer_event(f"{scheme} {valid_token()}"), lambda_context)

    assert response["isAuthorized"] is True


def test_header_is_read_when_identity_source_is_absent(jwt_secret: str, lambda_context: Any) -> None:
    event = authorizer_event(f"Bearer {valid_token()}")
    del event["identitySource"]

    assert authorizer.lambda_handler(event, lambda_context)["isAuthorized"] is True


def test_the_secret_comes_from_secrets_manager(jwt_secret: str, lambda_context: Any) -> None:
    token = valid_token()
    boto3.client("secretsmanager", region_name=REGION).put_secret_value(
        SecretId=jwt_secret, SecretString=OTHER_SECRET
    )
    secrets.clear()  # a new process (or the cache expiring) sees the rotated key

    assert authorizer.lambda_handler(authorizer_event(f"Bearer {token}"), lambda_context) == {
        "isAuthorized": False
    }
    assert authorizer.lambda_handler(
        authorizer_event(f"Bearer {valid_token(secret=OTHER_SECRET)}"), lambda_context
    )["isAuthorized"]


def test_authorizer_context_becomes_the_handlers_caller(jwt_secret: str, lambda_context: Any) -> None:
    response = authorizer.lambda_handler(
        authorizer_event(f"Bearer {valid_token(role='buyer')}"), lambda_context
    )
    api_event = {"requestContext": {"authorizer": {"lambda": response["context"]}}}

    caller = require_caller(api_event)

    assert (caller.user_id, caller.role, caller.email) == ("usr-amina", "buyer", "amina@example.com")


@pytest.mark.parametrize("case", ["valid", *sorted(REJECTED)])
def test_tokens_never_appear_in_logs(
    case: str,
    jwt_secret: str,
    lambda_context: Any,
    log_output: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")  # even if someone turns event logging on
    token = valid_token() if case == "valid" else REJECTED[case]()

    authorizer.lambda_handler(authorizer_event(f"Bearer {token}"), lambda_context)

    output = log_output()
    if case != "valid":
        assert "access token rejected" in output  # the capture works: the rejection was logged
    assert token not in output
    for segment in token.split("."):
        if len(segment) > 8:
            assert segment not in output


# --- tokens directly ----------------------------------------------------------------------------------


def test_issued_token_verifies_and_pins_hs256() -> None:
    token = valid_token(role="admin")

    verified = verify_access_token(token, secret=SECRET, issuer=ISSUER, audience=AUDIENCE)

    assert (verified.sub, verified.role, verified.typ) == ("usr-amina", "admin", "access")
    assert verified.exp - verified.iat == 15 * 60
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_each_issued_token_has_its_own_id() -> None:
    first = verify_access_token(valid_token(), secret=SECRET, issuer=ISSUER, audience=AUDIENCE)
    second = verify_access_token(valid_token(), secret=SECRET, issuer=ISSUER, audience=AUDIENCE)

    assert first.jti != second.jti


def test_small_clock_skew_is_tolerated_but_not_more() -> None:
    just_expired = valid_token(now=time.time() - 900 - 2)  # 2 s past exp: within the 5 s leeway
    long_expired = valid_token(now=time.time() - 900 - 30)

    verify_access_token(just_expired, secret=SECRET, issuer=ISSUER, audience=AUDIENCE)
    with pytest.raises(InvalidToken):
        verify_access_token(long_expired, secret=SECRET, issuer=ISSUER, audience=AUDIENCE)


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_invalid_token_error_never_carries_the_token(case: str) -> None:
    token = REJECTED[case]()

    with pytest.raises(InvalidToken) as raised:
        verify_access_token(token, secret=SECRET, issuer=ISSUER, audience=AUDIENCE)

    assert token not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__
