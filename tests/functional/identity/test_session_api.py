"""The signed-in caller (GET /auth/me, GET /users/me), refresh-token rotation and sign-out."""

from __future__ import annotations

import dataclasses
import time

import boto3
import jwt

from soko.shared import ids

INVALID_REFRESH = "INVALID_REFRESH_TOKEN"


def _refresh(api, token):
    return api.post("/auth/refresh", {"refresh_token": token})


# ---------------------------------------------------------------------------- who is calling
def test_me_returns_the_callers_account_through_the_authorizer(api, users) -> None:
    user = users.register("buyer", phone="0701234567")
    calls = api.authorizer_calls

    for path in ("/auth/me", "/users/me"):
        reply = api.get(path, token=user.access_token)

        assert reply.status == 200, reply.text
        assert reply.json["id"] == user.id
        assert reply.json["email"] == user.email
        assert reply.json["phone"] == "+256701234567"
        assert reply.json["role"] == "buyer"
        assert "password" not in reply.text and "token_version" not in reply.text
    assert api.authorizer_calls == calls + 2


def test_functions_refuse_a_request_without_authorizer_context(api, users) -> None:
    user = users.register()
    requests = [
        ("GET", "/auth/me", None),
        ("GET", "/users/me", None),
        ("PUT", "/users/me", {"district": "Gulu"}),
        ("GET", "/users/farmers", None),
        ("GET", "/users/buyers", None),
        ("GET", f"/users/{user.id}", None),
    ]
    for method, path, body in requests:
        kwargs = {} if body is None else {"body": body}
        # the token is in the header, but no authorizer ran: the function must not trust the header
        reply = api.request(method, path, token=user.access_token, skip_authorizer=True, **kwargs)

        assert reply.function is not None
        assert reply.status == 401, (path, reply.text)
        assert reply.error["code"] == "UNAUTHORIZED", path


def test_the_gateway_refuses_missing_and_invalid_access_tokens(api, users, deployment) -> None:
    user = users.register(session="login")
    claims = jwt.decode(user.access_token, options={"verify_signature": False})
    secret = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(
        SecretId=deployment.secrets["JwtSigningSecret"]
    )["SecretString"]
    expired = jwt.encode(
        {**claims, "iat": int(time.time()) - 3600, "exp": int(time.time()) - 60}, secret, algorithm="HS256"
    )
    forged = jwt.encode({**claims, "role": "admin"}, "not-the-signing-key-" * 3, algorithm="HS256")
    unsigned = jwt.encode({**claims, "role": "admin"}, None, algorithm="none")
    refresh_as_access = user.refresh_token

    assert api.get("/auth/me").status == 401
    assert api.get("/auth/me").json == {"message": "Unauthorized"}
    for name, token in [
        ("expired", expired),
        ("forged", forged),
        ("alg none", unsigned),
        ("refresh token", refresh_as_access),
        ("garbage", "not-a-token"),
    ]:
        reply = api.get("/auth/me", token=token)
        assert reply.status == 403, (name, reply.text)
        assert reply.function is None, name  # the function never ran
    assert api.get("/auth/me", token=user.access_token).status == 200


# ---------------------------------------------------------------------------- refresh
def test_refresh_returns_a_new_pair_and_the_old_refresh_token_stops_working(api, users) -> None:
    user = users.register(session="login")

    reply = _refresh(api, user.refresh_token)

    assert reply.status == 200, reply.text
    pair = reply.json
    assert set(pair) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900
    assert pair["refresh_token"] != user.refresh_token
    assert pair["access_token"] != user.access_token
    assert api.get("/users/me", token=pair["access_token"]).json["id"] == user.id
    again = _refresh(api, user.refresh_token)
    assert again.status == 401, again.text
    assert again.error["code"] == INVALID_REFRESH


def test_reusing_a_rotated_refresh_token_revokes_its_family(api, users) -> None:
    user = users.register(session="login")
    other_device = users.sign_in(dataclasses.replace(user))
    second = _refresh(api, user.refresh_token).json["refresh_token"]
    newest = _refresh(api, second).json["refresh_token"]

    theft = _refresh(api, user.refresh_token)  # a copy of the first token shows up

    assert theft.status == 401 and theft.error["code"] == INVALID_REFRESH
    revoked = _refresh(api, newest)
    assert revoked.status == 401, revoked.text  # the legitimate holder is signed out too
    assert revoked.error["code"] == INVALID_REFRESH
    # another sign-in of the same account (another family) is untouched
    assert _refresh(api, other_device.refresh_token).status == 200


def test_malformed_refresh_tokens_are_4xx_with_the_error_shape(api, users) -> None:
    user = users.register(session="login")
    family, _, secret = user.refresh_token.partition(".")
    cases = {
        "too short for the model": ("abc", 422),
        "too long for the model": ("A" * 201, 422),
        "no dot": ("A" * 60, 401),
        "family not a ULID": (f"not-a-ulid.{secret}", 401),
        "secret too short": (f"{family}.short", 401),
        "unknown family": (f"{ids.ulid()}.{secret}", 401),
        "right family, wrong secret": (f"{family}.{'x' * 43}", 401),
    }
    for case, (token, status) in cases.items():
        reply = _refresh(api, token)
        assert reply.status == status, (case, reply.text)
        assert reply.error["code"] == (INVALID_REFRESH if status == 401 else "VALIDATION_ERROR"), case
        assert token not in reply.text, case
    wrong_type = api.post("/auth/refresh", {"refresh_token": 12345678901})
    assert wrong_type.status == 422 and wrong_type.fields == {"refresh_token"}
    assert api.post("/auth/refresh", {}).status == 422


# ---------------------------------------------------------------------------- logout
def test_logout_revokes_the_refresh_token_is_idempotent_and_checks_its_body(api, users) -> None:
    user = users.register(session="login")
    other_device = users.sign_in(dataclasses.replace(user))

    first = api.post("/auth/logout", {"refresh_token": user.refresh_token})
    second = api.post("/auth/logout", {"refresh_token": user.refresh_token})

    assert first.status == 204 and first.text == ""
    assert second.status == 204 and second.text == ""
    after = _refresh(api, user.refresh_token)
    assert after.status == 401 and after.error["code"] == INVALID_REFRESH
    assert _refresh(api, other_device.refresh_token).status == 200  # only that session ends

    # unknown or malformed tokens: nothing to revoke, still 204; bad bodies are 4xx
    assert api.post("/auth/logout", {"refresh_token": f"{ids.ulid()}.{'s' * 43}"}).status == 204
    assert api.post("/auth/logout", {"refresh_token": "not-a-refresh-token"}).status == 204
    short = api.post("/auth/logout", {"refresh_token": "abc"})
    assert short.status == 422 and short.fields == {"refresh_token"}
    extra = api.post("/auth/logout", {"refresh_token": "not-a-refresh-token", "user_id": "x"})
    assert extra.status == 422 and extra.fields == {"user_id"}
    malformed = api.post("/auth/logout", raw_body="{")
    assert malformed.status == 400 and malformed.error["code"] == "MALFORMED_JSON"
