"""Token lifetime after logout, password reset and suspension, through the template's authorizer
(``AuthorizerFunction``) exactly as the gateway runs it; and the admin's suspend / reinstate.

The authorizer keeps a session's state in the process for a few seconds (soko.identity.sessions);
``no_session_cache`` turns that off so the tests see the table's answer at once. The bound the cache
adds is tested on its own (``test_the_in_process_cache_bounds_how_long_a_revoked_token_lives``)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from soko.identity import public, sessions
from soko.identity.events import AdminActionTaken, UserReinstated, UserSuspended

REASON = {"reason": "Three buyers reported listings of stolen maize"}


@pytest.fixture(autouse=True)
def no_session_cache(monkeypatch):
    monkeypatch.setattr(sessions, "CACHE_SECONDS", 0.0)
    public._sessions.cache_clear()
    yield
    public._sessions.cache_clear()


def _me(api, user_or_token):
    token = user_or_token if isinstance(user_or_token, str) else user_or_token.access_token
    return api.get("/auth/me", token=token)


def _suspend(api, admin, target_id, body=REASON, action="suspend"):
    return api.post(f"/admin/users/{target_id}/{action}", body, token=admin.access_token)


# ---------------------------------------------------------------------------- logout and reset
def test_logout_ends_the_sessions_access_tokens_and_no_other(api, users, users_table) -> None:
    user = users.register("buyer", session="login")
    phone_session = users.sign_in(dataclasses.replace(user))
    assert _me(api, user).status == 200 and _me(api, phone_session).status == 200

    assert api.post("/auth/logout", {"refresh_token": user.refresh_token}).status == 204

    assert _me(api, user).status == 403  # the authorizer refuses the logged-out session's token
    assert _me(api, phone_session).status == 200  # another device's session goes on
    assert api.post("/auth/refresh", {"refresh_token": user.refresh_token}).status == 401
    [item] = users_table.outbox("SignedOut")  # realtime closes that session's sockets
    detail = json.loads(item["detail"])
    assert (detail["user_id"], detail["session_id"]) == (user.id, user.refresh_token.split(".")[0])
    # logging out again changes nothing and publishes nothing more
    assert api.post("/auth/logout", {"refresh_token": user.refresh_token}).status == 204
    assert len(users_table.outbox("SignedOut")) == 1


def test_a_reset_password_ends_every_access_token_of_the_account(api, users, users_table, sms) -> None:
    user = users.register("farmer", phone="+256772123456", session="login")
    other = users.sign_in(dataclasses.replace(user))
    assert api.post("/auth/password/forgot", {"phone": user.phone}).status == 202
    [code] = re.findall(r"Your Soko code is (\d{6})", " ".join(m["message"] for m in sms.messages()))

    reply = api.post(
        "/auth/password/reset", {"phone": user.phone, "code": code, "new_password": "Cassava-field-42"}
    )

    assert reply.status == 204, reply.text
    assert _me(api, user).status == 403 and _me(api, other).status == 403
    assert [json.loads(i["detail"])["user_id"] for i in users_table.outbox("PasswordChanged")] == [user.id]
    fresh = api.post("/auth/login", {"email": user.email, "password": "Cassava-field-42"})
    assert _me(api, fresh.json["access_token"]).status == 200


def test_a_token_of_an_unknown_session_is_refused(api, users) -> None:
    user = users.register("buyer", session="login")
    forged_session = users.mint_access_token(user)  # the right key and account, no session id
    assert _me(api, forged_session).status == 200  # a token from before sessions: its signature decides
    from soko.identity import tokens  # noqa: PLC0415

    environment = users.deployment.functions["LoginFunction"].environment
    unknown = tokens.issue_access_token(
        user_id=user.id,
        role="buyer",
        email=user.email,
        secret=_secret(environment["JWT_SECRET_ARN"]),
        issuer=environment["JWT_ISSUER"],
        audience=environment["JWT_AUDIENCE"],
        session_id="01JD0000000000000000000000",  # no such refresh family
    )
    assert _me(api, unknown).status == 403


def _secret(arn: str) -> str:
    import boto3  # noqa: PLC0415

    return str(
        boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(SecretId=arn)["SecretString"]
    )


def test_the_in_process_cache_bounds_how_long_a_revoked_token_lives(api, users, monkeypatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(sessions, "CACHE_SECONDS", 5.0)
    monkeypatch.setattr(sessions.time, "monotonic", lambda: now[0])
    public._sessions.cache_clear()
    user = users.register("buyer", session="login")
    assert _me(api, user).status == 200  # the session's state is cached now

    assert api.post("/auth/logout", {"refresh_token": user.refresh_token}).status == 204

    now[0] += 4.9
    assert _me(api, user).status == 200  # within the cache's 5 s: still honoured
    now[0] += 0.2
    assert _me(api, user).status == 403  # past them: refused


# ---------------------------------------------------------------------------- suspension
def test_suspension_refuses_the_user_everywhere_and_reinstatement_lets_them_sign_in(
    api, users, admin, users_table
) -> None:
    farmer = users.register("farmer", session="login")
    assert _me(api, farmer).status == 200

    reply = _suspend(api, admin, farmer.id)

    assert reply.status == 200, reply.text
    assert reply.json["status"] == "suspended"
    assert users_table.item(f"USER#{farmer.id}", "DIR#farmer") is None  # not listed while suspended
    assert _me(api, farmer).status == 403  # the authorizer refuses the access token
    refreshed = api.post("/auth/refresh", {"refresh_token": farmer.refresh_token})
    assert refreshed.status == 403 and refreshed.error["code"] == "ACCOUNT_SUSPENDED"
    signin = api.post("/auth/login", {"email": farmer.email, "password": farmer.password})
    assert signin.status == 403 and signin.error["code"] == "ACCOUNT_SUSPENDED"
    assert "suspended" in signin.error["message"]
    wrong = api.post("/auth/login", {"email": farmer.email, "password": "Not-the-password-1"})
    assert wrong.status == 401  # the suspension is told only to whoever knows the password
    [suspended] = users_table.outbox("UserSuspended")
    event = UserSuspended.model_validate_json(suspended["detail"])
    assert (event.user_id, event.role, event.by, event.reason) == (
        farmer.id,
        "farmer",
        admin.id,
        REASON["reason"],
    )
    [audit] = users_table.outbox("AdminActionTaken")
    action = AdminActionTaken.model_validate_json(audit["detail"])
    assert (action.admin_id, action.action, action.target_type, action.target_id, action.reason) == (
        admin.id,
        "user.suspend",
        "user",
        farmer.id,
        REASON["reason"],
    )

    back = _suspend(api, admin, farmer.id, {"reason": "Reports withdrawn"}, action="reinstate")

    assert back.status == 200 and back.json["status"] == "active"
    assert users_table.item(f"USER#{farmer.id}", "DIR#farmer")["gsi1pk"] == "DIR#farmer"  # listed again
    assert _me(api, farmer).status == 403  # the sessions the suspension ended stay ended
    again = api.post("/auth/login", {"email": farmer.email, "password": farmer.password})
    assert again.status == 200 and _me(api, again.json["access_token"]).status == 200
    [reinstated] = users_table.outbox("UserReinstated")
    assert UserReinstated.model_validate_json(reinstated["detail"]).reason == "Reports withdrawn"
    actions = [
        AdminActionTaken.model_validate_json(i["detail"]).action
        for i in users_table.outbox("AdminActionTaken")
    ]
    assert sorted(actions) == ["user.reinstate", "user.suspend"]


def test_only_admins_suspend_never_themselves_or_another_admin(api, users, admin, users_table) -> None:
    farmer = users.register("farmer")
    buyer = users.register("buyer")
    before = users_table.items()

    not_admin = _suspend(api, buyer, farmer.id)
    not_admin_reinstate = _suspend(api, buyer, farmer.id, action="reinstate")
    yourself = _suspend(api, admin, admin.id)
    unknown = _suspend(api, admin, "01JD0000000000000000000000")

    assert not_admin.status == 403 and not_admin.error["code"] == "FORBIDDEN"
    assert not_admin_reinstate.status == 403
    assert yourself.status == 409 and yourself.error["code"] == "CANNOT_SUSPEND_SELF"
    assert unknown.status == 404 and unknown.error["code"] == "USER_NOT_FOUND"
    assert users_table.items() == before
    # another admin's account: made as make create-admin would
    from soko_tools.admin import ensure_admin  # noqa: PLC0415

    second = ensure_admin(users_table.name, "second-admin@soko.example", "Entebbe-admin-Key-2026")
    admin_target = _suspend(api, admin, second)
    assert admin_target.status == 403 and admin_target.error["code"] == "CANNOT_SUSPEND_ADMIN"
    not_suspended = _suspend(api, admin, farmer.id, action="reinstate")
    assert not_suspended.status == 409 and not_suspended.error["code"] == "STATUS_UNCHANGED"
    assert _suspend(api, admin, farmer.id).status == 200
    twice = _suspend(api, admin, farmer.id)
    assert twice.status == 409 and twice.error["code"] == "STATUS_UNCHANGED"
    assert len(users_table.outbox("UserSuspended")) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": 42}, "reason"),
        ({"reason": "ok", "status": "active"}, "status"),
    ],
)
def test_a_suspension_needs_a_reason(api, users, admin, users_table, body, field) -> None:
    farmer = users.register("farmer", session=None)
    before = users_table.items()

    reply = _suspend(api, admin, farmer.id, body)

    assert reply.status == 422, reply.text
    assert reply.fields == {field}
    assert users_table.items() == before


def test_suspension_needs_a_signed_in_caller(api, users) -> None:
    farmer = users.register("farmer", session=None)
    assert api.post(f"/admin/users/{farmer.id}/suspend", REASON).status == 401
