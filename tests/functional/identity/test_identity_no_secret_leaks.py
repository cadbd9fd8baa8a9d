"""No password, password hash, token or reset code in any response or log line, across a whole
register / sign-in / refresh / forgot / reset / sign-out flow (including the failures on the way)."""

from __future__ import annotations

import re

PASSWORD = "Mango-harvest-77"
NEW_PASSWORD = "Cassava-field-42"
WRONG_PASSWORD = "Mango-harvest-78"


def _digits(code):
    return re.compile(rf"(?<!\d){code}(?!\d)")


def phone_codes(sms, phone):
    return re.findall(
        r"confirm this phone is (\d{6})", " ".join(m["message"] for m in sms.messages(to=phone))
    )


def _reset(api, phone, code, password):
    body = {"phone": phone, "code": code, "new_password": password}
    return api.post("/auth/password/reset", body).status


def test_secrets_never_reach_a_response_or_a_log(api, users, sms, users_table, log_output) -> None:
    user = users.register("farmer", phone="0772123456", password=PASSWORD, session=None)
    first_hash = users_table.profile(user.id)["password_hash"]
    issued = {}  # token, or its secret part -> the index in api.history of the reply that issued it

    def tokens_from(reply):
        assert reply.status == 200, reply.text
        for token in (reply.json["access_token"], reply.json["refresh_token"]):
            issued[token] = issued[token.split(".")[-1]] = len(api.history) - 1
        return reply.json

    def sign_in(password):
        return api.post("/auth/login", {"email": user.email, "password": password})

    assert sign_in(WRONG_PASSWORD).status == 401
    first = tokens_from(sign_in(PASSWORD))
    rotated = tokens_from(api.post("/auth/refresh", {"refresh_token": first["refresh_token"]}))
    assert api.get("/auth/me", token=rotated["access_token"]).status == 200
    assert api.post("/auth/refresh", {"refresh_token": first["refresh_token"]}).status == 401  # reuse
    assert api.get("/users/me", token=first["access_token"] + "x").status == 403
    assert api.post("/auth/password/forgot", {"phone": "+256772123456"}).status == 202
    [message] = [m for m in sms.messages() if m["message"].startswith("Your Soko code is")]
    [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", message["message"])
    assert _reset(api, user.phone, f"{(int(code) + 1) % 10**6:06d}", NEW_PASSWORD) == 422
    assert _reset(api, user.phone, code, "password123") == 422
    assert _reset(api, user.phone, code, NEW_PASSWORD) == 204
    second_hash = users_table.profile(user.id)["password_hash"]
    assert sign_in(PASSWORD).status == 401
    final = tokens_from(sign_in(NEW_PASSWORD))
    assert api.post("/auth/logout", {"refresh_token": final["refresh_token"]}).status == 204
    assert api.post("/auth/refresh", {"refresh_token": rotated["refresh_token"]}).status == 401

    logs = log_output()
    assert "access token rejected" in logs and "refresh token reused" in logs  # the capture works
    never = [PASSWORD, NEW_PASSWORD, WRONG_PASSWORD, "password123", first_hash, second_hash, "$argon2id$"]
    assert len(issued) == 12  # 3 pairs: each token and its secret part
    for index, reply in enumerate(api.history):
        for secret in never:
            assert secret not in reply.text, (index, reply.function, secret)
        assert not _digits(code).search(reply.text), (index, reply.function)
        for token, issuer in issued.items():
            assert token not in reply.text or index == issuer, (index, reply.function)
    for secret in never + list(issued):
        assert secret not in logs, secret
    assert not _digits(code).search(logs), "the reset code is in the logs"
    [verification_code] = phone_codes(sms, "+256772123456")  # the phone's, at registration
    assert not _digits(verification_code).search(logs), "the phone code is in the logs"
    assert all(not _digits(verification_code).search(r.text) for r in api.history)


def test_secrets_stay_out_of_powertools_debug_logs(api, users, sms, powertools_debug_log_output) -> None:
    user = users.register("farmer", phone="+256772123456", password=PASSWORD, session="login")
    refreshed = api.post("/auth/refresh", {"refresh_token": user.refresh_token}).json
    api.post("/auth/password/forgot", {"phone": user.phone})
    [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", sms.messages()[-1]["message"])
    assert _reset(api, user.phone, code, NEW_PASSWORD) == 204

    logs = powertools_debug_log_output()

    assert "aws_lambda_powertools" in logs  # the capture works: Powertools' DEBUG lines are here
    for secret in [PASSWORD, NEW_PASSWORD, user.refresh_token, refreshed["refresh_token"]]:
        assert secret not in logs
    assert not _digits(code).search(logs)
    assert not _digits(phone_codes(sms, user.phone)[-1]).search(logs)
