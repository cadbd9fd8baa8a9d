"""POST /auth/login: tokens, one answer for every wrong credential, and the failure lockout."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import jwt

from soko.identity.deps import identity
from soko.identity.logic import register_by_phone
from soko.shared import clock
from soko.shared.config import load

WRONG = "Not-my-password-1"


def _login(api, email, password):
    return api.post("/auth/login", {"email": email, "password": password})


def test_login_issues_a_token_pair_the_authorizer_accepts(api, users) -> None:
    user = users.register("both", session=None)

    reply = _login(api, user.email.upper(), user.password)  # the email is case-insensitive

    assert reply.status == 200, reply.text
    body = reply.json
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900
    assert claims["sub"] == user.id
    context = api.authorize(
        "GET /auth/me", "/auth/me", {"authorization": f"Bearer {body['access_token']}"}, {}
    )
    assert context == {"userId": user.id, "role": "both", "email": user.email}
    assert len(body["refresh_token"]) >= 40
    assert body["refresh_token"] != body["access_token"]
    # ... and the pair is usable: the access token opens /auth/me, the refresh token rotates
    assert api.get("/auth/me", token=body["access_token"]).json["id"] == user.id
    assert api.post("/auth/refresh", {"refresh_token": body["refresh_token"]}).status == 200


def test_unknown_email_and_wrong_password_get_the_identical_401(api, users) -> None:
    user = users.register(session=None)

    wrong_password = _login(api, user.email, WRONG)
    unknown_email = _login(api, "nobody-here@example.com", WRONG)

    assert wrong_password.status == unknown_email.status == 401
    assert wrong_password.error["code"] == "INVALID_CREDENTIALS"
    assert wrong_password.text == unknown_email.text
    assert wrong_password.headers == unknown_email.headers


def test_five_failures_lock_the_account_even_for_the_right_password(api, users, monkeypatch) -> None:
    user = users.register(session=None)
    for attempt in range(5):
        assert _login(api, user.email, WRONG).status == 401, attempt

    locked = _login(api, user.email, user.password)

    assert locked.status == 429, locked.text
    assert locked.error["code"] == "TOO_MANY_REQUESTS"
    retry_after = locked.headers["retry-after"]
    assert retry_after.isdigit() and 0 < int(retry_after) <= 900
    assert locked.error["details"]["retry_after_seconds"] == int(retry_after)
    assert "access_token" not in locked.text
    # an email without an account is locked out the same way: the lockout reveals no account
    ghost = [_login(api, "ghost@example.com", WRONG) for _ in range(6)]
    assert [r.status for r in ghost] == [401] * 5 + [429]
    assert ghost[-1].error["code"] == locked.error["code"]
    assert ghost[-1].error["message"] == locked.error["message"]
    assert 0 < int(ghost[-1].headers["retry-after"]) <= 900
    # after the window the right password works again
    later = clock.epoch() + 901
    monkeypatch.setattr(clock, "epoch", lambda: later)
    assert _login(api, user.email, user.password).status == 200


def test_a_successful_sign_in_resets_the_failure_count(api, users) -> None:
    user = users.register(session=None)
    for _ in range(4):
        assert _login(api, user.email, WRONG).status == 401
    assert _login(api, user.email, user.password).status == 200
    for attempt in range(4):
        assert _login(api, user.email, WRONG).status == 401, attempt

    assert _login(api, user.email, user.password).status == 200


def test_bad_login_requests_are_4xx_with_the_error_shape(api, users_table) -> None:
    cases = {
        "no password": ({"email": "amina@example.com"}, 422, {"password"}),
        "empty password": ({"email": "amina@example.com", "password": ""}, 422, {"password"}),
        "bad email": ({"email": "amina", "password": WRONG}, 422, {"email"}),
        "unknown field": ({"email": "amina@example.com", "password": WRONG, "role": "admin"}, 422, {"role"}),
    }
    for case, (body, status, fields) in cases.items():
        reply = api.post("/auth/login", body)
        assert reply.status == status, (case, reply.text)
        assert reply.fields == fields, case

    malformed = api.post("/auth/login", raw_body="{'email': 'amina@example.com'}")
    assert malformed.status == 400 and malformed.error["code"] == "MALFORMED_JSON"
    form = api.post(
        "/auth/login",
        raw_body="email=a%40example.com&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status == 415 and form.error["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert users_table.items() == []  # an invalid request does not even count as a failed sign-in


def test_parallel_guesses_get_no_more_than_five_tries(api, users) -> None:
    user = users.register(session=None)
    start = threading.Barrier(8)

    def guess(attempt):
        start.wait(timeout=30)
        return _login(api, user.email, f"{WRONG}-{attempt}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(guess, range(8)))

    assert {r.status for r in replies} <= {401, 429}, [r.text for r in replies]
    assert sum(r.status == 401 for r in replies) <= 5, [r.status for r in replies]


def _phone_login(api, phone, password):
    return api.post("/auth/login", {"phone": phone, "password": password})


def test_sign_in_by_phone_including_an_account_opened_on_a_basic_phone(
    api, users, sms, deployment, monkeypatch
) -> None:
    app_user = users.register(phone="0772555111", session=None)
    by_phone = _phone_login(api, "+256772555111", app_user.password)
    assert by_phone.status == 200, by_phone.text
    assert (
        jwt.decode(by_phone.json["access_token"], options={"verify_signature": False})["sub"] == app_user.id
    )
    assert _phone_login(api, "0772 555 111", app_user.password).status == 200  # any local spelling

    # A farmer registered on USSD: no email, no password, so no sign-in until the reset by phone.
    for name, value in deployment.functions["LoginFunction"].environment.items():
        monkeypatch.setenv(name, value)
    load.cache_clear()
    farmer = register_by_phone("0701222333", "Okello Farmer", "Gulu", "en", identity())
    refused = _phone_login(api, "0701222333", WRONG)
    assert refused.status == 401 and refused.error["message"] == "The phone number or password is not right."
    assert api.post("/auth/password/forgot", {"phone": "0701222333"}).status == 202
    [message] = sms.messages(to="+256701222333")
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", message["message"]).group(1)  # type: ignore[union-attr]
    reset = api.post(
        "/auth/password/reset", {"phone": "0701222333", "code": code, "new_password": "Sorghum-harvest-77"}
    )
    assert reset.status == 204, reset.text
    signed_in = _phone_login(api, "0701222333", "Sorghum-harvest-77")
    assert signed_in.status == 200, signed_in.text
    claims = jwt.decode(signed_in.json["access_token"], options={"verify_signature": False})
    assert claims["sub"] == farmer.id and claims["role"] == "farmer"


def test_phone_failures_lock_that_phone_and_bodies_name_one_account(api, users) -> None:
    user = users.register(phone="0772555222", session=None)
    for _ in range(5):
        assert _phone_login(api, "0772555222", WRONG).status == 401
    assert _phone_login(api, "0772555222", user.password).status == 429
    assert _login(api, user.email, user.password).status == 200  # the email's count is its own

    for body in (
        {"password": WRONG},
        {"email": user.email, "phone": "0772555222", "password": WRONG},
        {"phone": "12", "password": WRONG},
    ):
        assert api.post("/auth/login", body).status == 422, body
