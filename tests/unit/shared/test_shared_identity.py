"""soko.shared.identity: the caller comes only from the authorizer's context."""

from __future__ import annotations

from typing import Any

import pytest

from soko.shared.errors import Forbidden, Unauthorized
from soko.shared.identity import Caller, caller_from_event, require_caller

CONTEXT = {"userId": "usr-amina", "role": "farmer", "email": "amina@example.com"}


def api_event(authorizer_context: Any) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "GET /me",
        "headers": {"x-user-id": "usr-mallory", "x-role": "admin"},  # a client can set these: ignored
        "body": '{"userId": "usr-mallory", "role": "admin"}',
        "requestContext": {"requestId": "r1", "authorizer": {"lambda": authorizer_context}},
    }


def test_caller_from_the_authorizer_context() -> None:
    caller = caller_from_event(api_event(CONTEXT))

    assert caller == Caller(user_id="usr-amina", role="farmer", email="amina@example.com")


def test_email_is_optional() -> None:
    caller = caller_from_event(api_event({"userId": "usr-amina", "role": "buyer"}))

    assert caller is not None
    assert caller.email == ""


def test_headers_and_body_are_never_the_caller() -> None:
    caller = require_caller(api_event(CONTEXT))

    assert (caller.user_id, caller.role) == ("usr-amina", "farmer")


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({}, id="empty-event"),
        pytest.param({"requestContext": {}}, id="no-authorizer"),
        pytest.param({"requestContext": None}, id="null-request-context"),
        pytest.param({"requestContext": {"authorizer": None}}, id="null-authorizer"),
        pytest.param({"requestContext": {"authorizer": {"jwt": {"claims": CONTEXT}}}}, id="jwt-not-lambda"),
        pytest.param(api_event(None), id="null-context"),
        pytest.param(api_event({}), id="empty-context"),
    ],
)
def test_missing_context_is_none_and_unauthorized(event: dict[str, Any]) -> None:
    assert caller_from_event(event) is None

    with pytest.raises(Unauthorized) as raised:
        require_caller(event)
    assert (raised.value.status, raised.value.code) == (401, "UNAUTHORIZED")


@pytest.mark.parametrize(
    "context",
    [
        pytest.param({**CONTEXT, "role": "superuser"}, id="unknown-role"),
        pytest.param({**CONTEXT, "role": "Admin"}, id="role-wrong-case"),
        pytest.param({**CONTEXT, "role": ""}, id="empty-role"),
        pytest.param({**CONTEXT, "role": ["admin"]}, id="role-as-list"),
        pytest.param({"userId": "usr-amina", "email": "a@example.com"}, id="no-role"),
        pytest.param({"role": "farmer", "email": "a@example.com"}, id="no-user-id"),
        pytest.param({**CONTEXT, "userId": 42}, id="user-id-not-a-string"),
        pytest.param({**CONTEXT, "email": None}, id="email-null"),
    ],
)
def test_malformed_context_is_none_and_unauthorized(context: dict[str, Any]) -> None:
    assert caller_from_event(api_event(context)) is None

    with pytest.raises(Unauthorized):
        require_caller(api_event(context))


@pytest.mark.parametrize(
    ("role", "can_sell", "can_buy", "is_admin"),
    [
        ("farmer", True, False, False),
        ("buyer", False, True, False),
        ("both", True, True, False),
        ("admin", False, False, True),
    ],
)
def test_role_capabilities(role: str, can_sell: bool, can_buy: bool, is_admin: bool) -> None:
    caller = require_caller(api_event({**CONTEXT, "role": role}))

    assert (caller.can_sell(), caller.can_buy(), caller.is_admin) == (can_sell, can_buy, is_admin)


def test_require_role() -> None:
    caller = require_caller(api_event({**CONTEXT, "role": "buyer"}))

    caller.require("buyer", "both")
    with pytest.raises(Forbidden) as raised:
        caller.require("farmer", "admin")
    assert (raised.value.status, raised.value.details) == (403, {"role": "buyer"})
