"""POST /auth/password/forgot and /auth/password/reset, with the SMS going through the Africa's
Talking sandbox over HTTP (the adapter talks to it by base URL, as to the real service)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from soko.identity.dal import UsersDal
from soko.shared import clock

NEW_PASSWORD = "Cassava-field-42"
INVALID_CODE = "INVALID_RESET_CODE"
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _forgot(api, **who):
    return api.post("/auth/password/forgot", who)


def _reset(api, code, password=NEW_PASSWORD, **who):
    return api.post("/auth/password/reset", {**who, "code": code, "new_password": password})


def _reset_texts(sms, phone=None):
    """The password-reset SMS (not the phone-verification ones a registration sends)."""
    return [m for m in sms.messages(to=phone) if m["message"].startswith("Your Soko code is")]


def _codes(sms, phone):
    messages = _reset_texts(sms, phone)
    found = [CODE.findall(m["message"]) for m in messages]
    assert all(len(f) == 1 for f in found), messages
    return [f[0] for f in found]


def _other(code):
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def later(monkeypatch):
    """``later(seconds)``: from now on the clock reads ``seconds`` later than the real one does now."""
    real_epoch = clock.epoch

    def move(seconds):
        moved = real_epoch() + seconds
        monkeypatch.setattr(clock, "epoch", lambda: moved)

    return move


def test_forgot_answers_the_same_for_every_account_and_texts_only_phones(api, users, sms) -> None:
    with_phone = users.register(phone="0772123456", session=None)
    without_phone = users.register(session=None)

    replies = [
        _forgot(api, phone="0772123456"),
        _forgot(api, email=with_phone.email.upper()),
        _forgot(api, email=without_phone.email),
        _forgot(api, email="nobody@example.com"),
        _forgot(api, phone="+256700000001"),
    ]

    assert {r.status for r in replies} == {202}
    assert len({r.text for r in replies}) == 1
    assert len({tuple(sorted(r.headers.items())) for r in replies}) == 1
    messages = _reset_texts(sms)
    assert [m["to"] for m in messages] == ["+256772123456", "+256772123456"]
    for message in messages:
        assert re.search(r"Your Soko code is \d{6}\.", message["message"]), message
    assert CODE.findall(replies[0].text) == []


def test_reset_with_the_code_changes_the_password_and_ends_every_session(api, users, sms) -> None:
    user = users.register(phone="+256772123456", session="login")
    rotated = api.post("/auth/refresh", {"refresh_token": user.refresh_token}).json["refresh_token"]
    other_device = users.sign_in(dataclasses.replace(user)).refresh_token
    assert _forgot(api, phone=user.phone).status == 202
    [code] = _codes(sms, user.phone)

    reply = _reset(api, code, phone="0772 123 456")

    assert reply.status == 204, reply.text
    assert reply.text == ""
    fresh = api.post("/auth/login", {"email": user.email, "password": NEW_PASSWORD})
    assert fresh.status == 200, fresh.text
    old = api.post("/auth/login", {"email": user.email, "password": user.password})
    assert old.status == 401 and old.error["code"] == "INVALID_CREDENTIALS"
    for family in (rotated, other_device):  # every refresh family of the account is dead
        dead = api.post("/auth/refresh", {"refresh_token": family})
        assert dead.status == 401 and dead.error["code"] == "INVALID_REFRESH_TOKEN"
    assert api.post("/auth/refresh", {"refresh_token": fresh.json["refresh_token"]}).status == 200
    reused = _reset(api, code, password="Another-field-43", phone=user.phone)
    assert reused.status == 422 and reused.error["code"] == INVALID_CODE  # a code works once


def test_five_wrong_codes_burn_the_right_one(api, users, sms) -> None:
    user = users.register(phone="+256772123456", session=None)
    _forgot(api, email=user.email)
    [code] = _codes(sms, user.phone)

    for attempt in range(5):
        wrong = _reset(api, _other(code), email=user.email)
        assert wrong.status == 422, (attempt, wrong.text)
        assert wrong.error["code"] == INVALID_CODE
        assert wrong.fields == {"code"}
    right = _reset(api, code, email=user.email)

    assert right.status == 422, right.text
    assert right.error["code"] == INVALID_CODE
    assert api.post("/auth/login", {"email": user.email, "password": user.password}).status == 200
    # a new code can be asked for, and it works
    _forgot(api, email=user.email)
    assert _reset(api, _codes(sms, user.phone)[-1], email=user.email).status == 204


def test_an_expired_code_is_refused(api, users, sms, later) -> None:
    user = users.register(phone="+256772123456", session=None)
    _forgot(api, phone=user.phone)
    [code] = _codes(sms, user.phone)

    later(601)
    reply = _reset(api, code, phone=user.phone)

    assert reply.status == 422, reply.text
    assert reply.error["code"] == INVALID_CODE
    assert api.post("/auth/login", {"email": user.email, "password": user.password}).status == 200


def test_at_most_three_codes_an_hour_and_only_the_newest_works(api, users, sms, later) -> None:
    user = users.register(phone="+256772123456", session=None)

    replies = [_forgot(api, phone=user.phone) for _ in range(4)]

    assert [r.status for r in replies] == [202] * 4
    assert len({r.text for r in replies}) == 1  # the limit is not revealed either
    codes = _codes(sms, user.phone)
    assert len(codes) == 3
    if codes[0] != codes[-1]:
        assert _reset(api, codes[0], phone=user.phone).error["code"] == INVALID_CODE
    later(3601)  # an hour later a code is sent again
    _forgot(api, phone=user.phone)
    newest = _codes(sms, user.phone)
    assert len(newest) == 4
    assert _reset(api, newest[-1], phone=user.phone).status == 204


def test_the_hourly_code_limit_survives_the_ttl_sweep(api, users, sms, users_table, later) -> None:
    user = users.register(phone="+256772123456", session=None)
    for _ in range(3):
        _forgot(api, phone=user.phone)
    assert len(_codes(sms, user.phone)) == 3

    later(11 * 60)
    # What DynamoDB's TTL (template: UsersTable TimeToLiveSpecification expires_at) may do by now.
    now = clock.epoch()
    for item in users_table.items():
        if "expires_at" in item and int(item["expires_at"]) <= now:
            users_table.table.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    _forgot(api, phone=user.phone)

    assert len(_codes(sms, user.phone)) == 3  # still within the hour: no fourth code


def test_a_reset_that_meets_a_concurrent_change_does_not_lose_the_code(
    api, users, sms, users_table, monkeypatch
) -> None:
    user = users.register(phone="+256772123456", session=None)
    _forgot(api, phone=user.phone)
    [code] = _codes(sms, user.phone)
    original_get_user = UsersDal.get_user

    def read_then_someone_else_writes(self, user_id):
        stale = original_get_user(self, user_id)
        monkeypatch.setattr(UsersDal, "get_user", original_get_user)  # only this once
        users_table.table.update_item(
            Key={"pk": f"USER#{user_id}", "sk": "PROFILE"},
            UpdateExpression="SET version = version + :one",
            ExpressionAttributeValues={":one": 1},
        )
        return stale

    monkeypatch.setattr(UsersDal, "get_user", read_then_someone_else_writes)

    first = _reset(api, code, phone=user.phone)

    assert first.status in (204, 409), first.text
    if first.status == 409:  # nothing was changed, so the same code must still work
        assert first.error["code"] == "CONCURRENT_UPDATE"
        retry = _reset(api, code, phone=user.phone)
        assert retry.status == 204, retry.text
    assert api.post("/auth/login", {"email": user.email, "password": NEW_PASSWORD}).status == 200


def test_a_provider_failure_is_not_the_clients_problem(api_with, users, sms, log_output) -> None:
    user = users.register(phone="+256772123456", session=None)
    unreachable = api_with({"AFRICASTALKING_BASE_URL": "http://127.0.0.1:9/_sandbox/africastalking"})

    reply = unreachable.post("/auth/password/forgot", {"phone": user.phone})

    assert reply.status == 202, reply.text
    assert _reset_texts(sms) == []
    assert "sending an SMS code failed" in log_output()


def test_bad_forgot_and_reset_requests_are_4xx_and_do_not_spend_the_code(api, users, sms) -> None:
    user = users.register(phone="+256772123456", session=None)
    forgot_cases = {
        "neither": ({}, 422),
        "both": ({"email": user.email, "phone": user.phone}, 422),
        "bad phone": ({"phone": "12345"}, 422),
        "bad email": ({"email": "user-at-example"}, 422),
        "unknown field": ({"email": user.email, "user_id": user.id}, 422),
    }
    for case, (body, status) in forgot_cases.items():
        reply = api.post("/auth/password/forgot", body)
        assert reply.status == status, (case, reply.text)
        assert reply.error["code"] == "VALIDATION_ERROR", case
    assert _reset_texts(sms) == []
    _forgot(api, phone=user.phone)
    [code] = _codes(sms, user.phone)
    reset_cases = {
        "no email or phone": {"code": code, "new_password": NEW_PASSWORD},
        "email and phone": {
            "email": user.email,
            "phone": user.phone,
            "code": code,
            "new_password": NEW_PASSWORD,
        },
        "5-digit code": {"phone": user.phone, "code": code[:5], "new_password": NEW_PASSWORD},
        "code with letters": {"phone": user.phone, "code": "12345a", "new_password": NEW_PASSWORD},
        "no new password": {"phone": user.phone, "code": code},
        "unknown field": {"phone": user.phone, "code": code, "new_password": NEW_PASSWORD, "user_id": "x"},
    }
    for case, body in reset_cases.items():
        reply = api.post("/auth/password/reset", body)
        assert reply.status == 422, (case, reply.text)
        assert reply.error["code"] == "VALIDATION_ERROR", case
    for weak in ["password123", "qqqqqqqqqq", "short1!"]:
        reply = _reset(api, code, password=weak, phone=user.phone)
        assert reply.status == 422, (weak, reply.text)
        assert reply.fields == {"new_password"}, weak
    unknown = _reset(api, code, email="nobody@example.com")
    assert unknown.status == 422 and unknown.error["code"] == INVALID_CODE  # same as a wrong code
    assert api.post("/auth/password/reset", raw_body="{nope").status == 400
    assert api.post("/auth/password/forgot", {"phone": user.phone}, content_type="text/plain").status == 415
    # none of that spent the code
    assert _reset(api, code, phone=user.phone).status == 204
