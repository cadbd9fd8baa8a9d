"""Identity over HTTP against the real application under the local runtime: accounts, the gateway's
Lambda authorizer, refresh rotation and theft detection, SMS password reset, lockout, the admin,
events leaving through the outbox, and bad input."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import uuid
from typing import Any

import jwt
import pytest
import requests

from .conftest import RunningRuntime

PASSWORD = "Mango-Season-42x"
PUBLIC_FIELDS = {"id", "fullName", "role", "district", "specialties", "interests", "rating", "rating_count"}
PRIVATE_FIELDS = {"email", "phone", "language", "created_at", "updated_at"}
# The dev admin `make dev` creates (tools/soko_local/bootstrap.py), unless the environment overrides it.
ADMIN_EMAIL = os.environ.get("SOKO_ADMIN_EMAIL", "admin@soko.ug")
ADMIN_PASSWORD = os.environ.get("SOKO_ADMIN_PASSWORD", "Matooke-Market-Dev-2026")
TIMEOUT = 30


# ---------------------------------------------------------------------------- helpers
def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def unique_phone() -> str:
    """A Ugandan mobile number nobody else in the session uses (+2567 and 8 random digits)."""
    return f"+2567{secrets.randbelow(10**8):08d}"


def unique_district() -> str:
    """A district name (letters only) that no other test uses: 'Zq' + 10 letters."""
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])
    return f"Zq{letters}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(
    soko: Any,
    http: requests.Session,
    *,
    role: str = "farmer",
    email: str | None = None,
    phone: str | None = None,
    password: str = PASSWORD,
    full_name: str | None = None,
) -> dict[str, Any]:
    """Register and return the created account (asserting 201); the password is kept under '_password'.
    A phone is verified with the code texted to it (until then it is only ``pending_phone``)."""
    body: dict[str, Any] = {"email": email or unique_email(role), "password": password, "role": role}
    if phone:
        body["phone"] = phone
    if full_name:
        body["fullName"] = full_name
    response = http.post(f"{soko.url}/auth/register", json=body, timeout=TIMEOUT)
    assert response.status_code == 201, response.text
    account = {**response.json(), "_password": password}
    if phone:
        account = {**verify_phone(soko, http, account), "_password": password}
    return account


def verify_phone(soko: Any, http: requests.Session, account: dict[str, Any]) -> dict[str, Any]:
    """Confirm the account's pending phone with the newest code texted to it; the account after."""
    phone = account["pending_phone"]
    texts = http.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": phone}, timeout=TIMEOUT).json()[
        "messages"
    ]
    codes = [m for m in (re.search(r"confirm this phone is (\d{6})", t["message"]) for t in texts) if m]
    assert codes, texts
    tokens = login(soko, http, account["email"], account["_password"])
    verified = http.post(
        f"{soko.url}/users/me/phone/verify",
        json={"code": codes[-1].group(1)},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
        timeout=TIMEOUT,
    )
    assert verified.status_code == 200, verified.text
    return dict(verified.json())


def login_response(soko: Any, http: requests.Session, email: str, password: str) -> requests.Response:
    return http.post(f"{soko.url}/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT)


def login(soko: Any, http: requests.Session, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = login_response(soko, http, email, password)
    assert response.status_code == 200, response.text
    return dict(response.json())


def refresh(soko: Any, http: requests.Session, token: str) -> requests.Response:
    return http.post(f"{soko.url}/auth/refresh", json={"refresh_token": token}, timeout=TIMEOUT)


def new_user(soko: Any, http: requests.Session, role: str = "farmer", **kwargs: Any) -> tuple[dict, dict]:
    """A registered, signed-in user: (account, token pair)."""
    account = register(soko, http, role=role, **kwargs)
    return account, login(soko, http, account["email"], account["_password"])


def sms_to(soko: Any, http: requests.Session, phone: str) -> list[dict[str, Any]]:
    """The SMS sent to ``phone``, but for the phone-verification codes (``register`` uses those)."""
    response = http.get(f"{soko.url}/_sandbox/sms/outbox", params={"to": phone}, timeout=TIMEOUT)
    assert response.status_code == 200
    return [m for m in response.json()["messages"] if "confirm this phone" not in m["message"]]


def jwt_secret(soko: Any) -> str:
    client = soko.client("secretsmanager")
    names = [s["Name"] for s in client.list_secrets()["SecretList"] if "JwtSigningSecret" in s["Name"]]
    assert len(names) == 1, names
    return str(client.get_secret_value(SecretId=names[0])["SecretString"])


def claims(user_id: str, role: str = "farmer", **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "sub": user_id,
        "role": role,
        "email": "someone@example.com",
        "typ": "access",
        "iss": "soko",
        "aud": "soko-api",
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        **overrides,
    }


def assert_error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    """The application's one error shape, with no internals leaking."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    for leak in ("Traceback", 'File "', "pydantic", "Exception"):
        assert leak not in response.text, response.text
    return dict(body["error"])


# ---------------------------------------------------------------------------- 1. account lifecycle
def test_full_account_lifecycle(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    phone = unique_phone()
    email = unique_email("Lifecycle")  # mixed case: login is case-insensitive
    created = register(soko, http, email=email, phone=phone, full_name="Akello Grace")
    assert created["email"] == email
    assert created["phone"] == phone
    assert created["role"] == "farmer"
    assert created["fullName"] == "Akello Grace"
    assert not {"password", "password_hash", "token_version"} & set(created)

    tokens = login(soko, http, email.lower())
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900

    me = http.get(f"{soko.url}/auth/me", headers=bearer(tokens["access_token"]), timeout=TIMEOUT)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == created["id"]
    assert me.json()["email"] == email

    district = unique_district()
    updated = http.put(
        f"{soko.url}/users/me",
        json={"district": district.lower(), "specialties": ["Matooke", "coffee", "matooke"]},
        headers=bearer(tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["district"] == district  # normalised to capitalised words
    assert updated.json()["specialties"] == ["matooke", "coffee"]  # lower-cased and de-duplicated

    _, other_tokens = new_user(soko, http, role="buyer")
    listing = http.get(
        f"{soko.url}/users/farmers",
        params={"district": district},
        headers=bearer(other_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert listing.status_code == 200, listing.text
    items = listing.json()["items"]
    assert [i["id"] for i in items] == [created["id"]]
    assert set(items[0]) == PUBLIC_FIELDS
    assert items[0]["district"] == district
    assert items[0]["fullName"] == "Akello Grace"
    assert items[0]["specialties"] == ["matooke", "coffee"]
    assert email not in listing.text and phone not in listing.text
    buyers = http.get(
        f"{soko.url}/users/buyers",
        params={"district": district},
        headers=bearer(other_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert buyers.status_code == 200 and buyers.json()["items"] == []

    seen = http.get(
        f"{soko.url}/users/{created['id']}", headers=bearer(other_tokens["access_token"]), timeout=TIMEOUT
    )
    assert seen.status_code == 200, seen.text
    assert set(seen.json()) == PUBLIC_FIELDS
    assert not PRIVATE_FIELDS & set(seen.json())
    assert email not in seen.text and phone not in seen.text
    own = http.get(
        f"{soko.url}/users/{created['id']}", headers=bearer(tokens["access_token"]), timeout=TIMEOUT
    )
    assert own.json()["email"] == email  # one's own id returns the account

    rotated = refresh(soko, http, tokens["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != tokens["refresh_token"]
    assert new_pair["access_token"] != tokens["access_token"]
    assert http.get(f"{soko.url}/auth/me", headers=bearer(new_pair["access_token"]), timeout=TIMEOUT).ok
    assert_error(refresh(soko, http, tokens["refresh_token"]), 401, "INVALID_REFRESH_TOKEN")

    # The reuse above revoked the family (theft detection): sign in again for the logout half.
    second = login(soko, http, email)
    logout = http.post(
        f"{soko.url}/auth/logout", json={"refresh_token": second["refresh_token"]}, timeout=TIMEOUT
    )
    assert logout.status_code == 204
    assert logout.content == b""
    assert_error(refresh(soko, http, second["refresh_token"]), 401, "INVALID_REFRESH_TOKEN")
    again = http.post(
        f"{soko.url}/auth/logout", json={"refresh_token": second["refresh_token"]}, timeout=TIMEOUT
    )
    assert again.status_code == 204  # idempotent


def test_directory_pages_and_both_role(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    district = unique_district()
    farmers = [new_user(soko, http, role="farmer") for _ in range(2)]
    both, both_tokens = new_user(soko, http, role="both")
    for _, tokens in farmers:
        put = http.put(
            f"{soko.url}/users/me",
            json={"district": district},
            headers=bearer(tokens["access_token"]),
            timeout=TIMEOUT,
        )
        assert put.status_code == 200, put.text
    put = http.put(
        f"{soko.url}/users/me",
        json={"district": district, "specialties": ["sorghum"], "interests": ["fertiliser"]},
        headers=bearer(both_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert put.status_code == 200, put.text

    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"district": district.lower(), "limit": 2}  # district match ignores case
        if cursor:
            params["cursor"] = cursor
        page = http.get(
            f"{soko.url}/users/farmers",
            params=params,
            headers=bearer(both_tokens["access_token"]),
            timeout=TIMEOUT,
        )
        assert page.status_code == 200, page.text
        pages.append([item["id"] for item in page.json()["items"]])
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
        assert len(pages) < 5, pages
    expected = {account["id"] for account, _ in farmers} | {both["id"]}
    assert len(pages[0]) == 2
    assert sorted(i for p in pages for i in p) == sorted(expected)  # every farmer once, across pages

    buyers = http.get(
        f"{soko.url}/users/buyers",
        params={"district": district},
        headers=bearer(both_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert [(b["id"], b["interests"], b["specialties"]) for b in buyers.json()["items"]] == [
        (both["id"], ["fertiliser"], ["sorghum"])
    ]
    bad_cursor = http.get(
        f"{soko.url}/users/farmers",
        params={"cursor": "not-a-cursor"},
        headers=bearer(both_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert_error(bad_cursor, 400, "INVALID_CURSOR")


# ---------------------------------------------------------------------------- 2. gateway-level auth
PROTECTED = [
    ("GET", "/auth/me"),
    ("GET", "/users/me"),
    ("PUT", "/users/me"),
    ("GET", "/users/farmers"),
    ("GET", "/users/buyers"),
    ("GET", "/users/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_protected_route_without_token_is_401_from_the_gateway(soko, http, method, path) -> None:  # type: ignore[no-untyped-def]
    response = http.request(method, f"{soko.url}{path}", json={}, timeout=TIMEOUT)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_refused_tokens_are_403_from_the_gateway(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    account, good = new_user(soko, http)
    secret = jwt_secret(soko)
    user_id = account["id"]
    now = int(time.time())
    refused = {
        "garbage": "not.a.jwt",
        "expired": jwt.encode(claims(user_id, iat=now - 3600, exp=now - 1800), secret, algorithm="HS256"),
        "wrong signature, role escalated": jwt.encode(
            claims(user_id, role="admin"), "x" * 64, algorithm="HS256"
        ),
        "alg none": jwt.encode(claims(user_id, role="admin"), None, algorithm="none"),
        "other audience": jwt.encode(claims(user_id, aud="another-api"), secret, algorithm="HS256"),
        "other issuer": jwt.encode(claims(user_id, iss="someone-else"), secret, algorithm="HS256"),
        "refresh token as access": good["refresh_token"],
    }
    for name, token in refused.items():
        response = http.get(f"{soko.url}/auth/me", headers=bearer(token), timeout=TIMEOUT)
        assert response.status_code == 403, (name, response.text)
        assert response.json() == {"message": "Forbidden"}, name
    not_bearer = http.get(
        f"{soko.url}/auth/me", headers={"Authorization": f"Basic {good['access_token']}"}, timeout=TIMEOUT
    )
    assert not_bearer.status_code == 403

    # The control: the same secret and claims, unexpired and for our audience, are accepted.
    valid = jwt.encode(claims(user_id, email=account["email"]), secret, algorithm="HS256")
    accepted = http.get(f"{soko.url}/auth/me", headers=bearer(valid), timeout=TIMEOUT)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["id"] == user_id


def test_public_routes_need_no_token(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    response = http.post(
        f"{soko.url}/auth/login", json={"email": unique_email(), "password": "whatever-123"}, timeout=TIMEOUT
    )
    assert_error(response, 401, "INVALID_CREDENTIALS")  # the function answered, not the gateway


# ---------------------------------------------------------------------------- 3. refresh-token theft
def test_refresh_token_reuse_revokes_the_family(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    account, pair_a = new_user(soko, http)
    other_session = login(soko, http, account["email"])

    to_b = refresh(soko, http, pair_a["refresh_token"])
    assert to_b.status_code == 200, to_b.text
    token_b = to_b.json()["refresh_token"]

    assert_error(refresh(soko, http, pair_a["refresh_token"]), 401, "INVALID_REFRESH_TOKEN")
    assert_error(refresh(soko, http, token_b), 401, "INVALID_REFRESH_TOKEN")

    # Only the stolen family dies: another sign-in of the same account keeps working.
    assert refresh(soko, http, other_session["refresh_token"]).status_code == 200


def test_malformed_refresh_token_is_401(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    fake = f"01{'A' * 24}.{'x' * 43}"
    assert_error(refresh(soko, http, fake), 401, "INVALID_REFRESH_TOKEN")
    assert_error(refresh(soko, http, "not-a-refresh-token"), 401, "INVALID_REFRESH_TOKEN")


# ---------------------------------------------------------------------------- 4. password reset
def _reset_code(soko: Any, http: requests.Session, phone: str, before: int) -> str:
    messages = sms_to(soko, http, phone)
    assert len(messages) == before + 1, messages
    match = re.search(r"\b(\d{6})\b", messages[-1]["message"])
    assert match, messages[-1]
    return match.group(1)


def test_password_reset_by_sms(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    phone = unique_phone()
    account, before_reset = new_user(soko, http, phone=phone)
    assert sms_to(soko, http, phone) == []

    forgot = http.post(f"{soko.url}/auth/password/forgot", json={"phone": phone}, timeout=TIMEOUT)
    assert forgot.status_code == 202, forgot.text
    code = _reset_code(soko, http, phone, before=0)
    wrong = "000000" if code != "000000" else "111111"
    new_password = "Cassava-Harvest-77"

    bad = http.post(
        f"{soko.url}/auth/password/reset",
        json={"phone": phone, "code": wrong, "new_password": new_password},
        timeout=TIMEOUT,
    )
    assert_error(bad, 422, "INVALID_RESET_CODE")
    reset = http.post(
        f"{soko.url}/auth/password/reset",
        json={"phone": phone, "code": code, "new_password": new_password},
        timeout=TIMEOUT,
    )
    assert reset.status_code == 204, reset.text

    assert login_response(soko, http, account["email"], new_password).status_code == 200
    assert_error(login_response(soko, http, account["email"], PASSWORD), 401, "INVALID_CREDENTIALS")
    assert_error(refresh(soko, http, before_reset["refresh_token"]), 401, "INVALID_REFRESH_TOKEN")
    reused = http.post(
        f"{soko.url}/auth/password/reset",
        json={"phone": phone, "code": code, "new_password": "Another-Pass-99"},
        timeout=TIMEOUT,
    )
    assert_error(reused, 422, "INVALID_RESET_CODE")  # a code works once


def test_forgot_for_an_unknown_phone_sends_nothing(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    phone = unique_phone()
    known_phone = unique_phone()
    register(soko, http, phone=known_phone)

    unknown = http.post(f"{soko.url}/auth/password/forgot", json={"phone": phone}, timeout=TIMEOUT)
    known = http.post(f"{soko.url}/auth/password/forgot", json={"phone": known_phone}, timeout=TIMEOUT)

    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()  # the answer never reveals whether an account exists
    assert sms_to(soko, http, phone) == []
    assert len(sms_to(soko, http, known_phone)) == 1


def _reset(soko: Any, http: requests.Session, phone: str, code: str, password: str) -> requests.Response:
    return http.post(
        f"{soko.url}/auth/password/reset",
        json={"phone": phone, "code": code, "new_password": password},
        timeout=TIMEOUT,
    )


def test_reset_codes_latest_only_three_an_hour_five_tries(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    phone = unique_phone()
    account = register(soko, http, phone=phone)
    codes = []
    for sent in range(4):
        forgot = http.post(f"{soko.url}/auth/password/forgot", json={"phone": phone}, timeout=TIMEOUT)
        assert forgot.status_code == 202
        if sent < 3:
            codes.append(_reset_code(soko, http, phone, before=sent))
    assert len(sms_to(soko, http, phone)) == 3  # the fourth within the hour sends nothing

    new_password = "Groundnut-Paste-31"
    if codes[0] != codes[2]:
        assert_error(_reset(soko, http, phone, codes[0], new_password), 422, "INVALID_RESET_CODE")
    for wrong in ("000001", "000002", "000003"):
        if wrong != codes[2]:
            assert_error(_reset(soko, http, phone, wrong, new_password), 422, "INVALID_RESET_CODE")
    assert _reset(soko, http, phone, codes[2], new_password).status_code == 204  # the latest, within 5 tries
    assert login_response(soko, http, account["email"], new_password).status_code == 200

    other_phone = unique_phone()
    register(soko, http, phone=other_phone)
    assert http.post(f"{soko.url}/auth/password/forgot", json={"phone": other_phone}, timeout=TIMEOUT).ok
    code = _reset_code(soko, http, other_phone, before=0)
    wrongs = [c for c in ("100000", "200000", "300000", "400000", "500000", "600000") if c != code][:5]
    for wrong in wrongs:
        assert_error(_reset(soko, http, other_phone, wrong, new_password), 422, "INVALID_RESET_CODE")
    assert_error(_reset(soko, http, other_phone, code, new_password), 422, "INVALID_RESET_CODE")  # burned


# ---------------------------------------------------------------------------- 5. login lockout
def test_login_lockout_after_five_failures(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    account = register(soko, http)
    for _ in range(5):
        wrong = login_response(soko, http, account["email"], "Not-The-Password-1")
        assert_error(wrong, 401, "INVALID_CREDENTIALS")

    locked = login_response(soko, http, account["email"], "Not-The-Password-1")
    error = assert_error(locked, 429, "TOO_MANY_REQUESTS")
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    assert error["details"]["retry_after_seconds"] == retry_after

    correct = login_response(soko, http, account["email"], PASSWORD)
    assert_error(correct, 429, "TOO_MANY_REQUESTS")
    assert "access_token" not in correct.text
    assert 0 < int(correct.headers["Retry-After"]) <= retry_after


def test_a_success_before_the_limit_clears_the_failures(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    account = register(soko, http)
    for _ in range(4):
        assert login_response(soko, http, account["email"], "Not-The-Password-1").status_code == 401
    assert login_response(soko, http, account["email"], PASSWORD).status_code == 200
    for _ in range(4):
        assert login_response(soko, http, account["email"], "Not-The-Password-1").status_code == 401
    assert login_response(soko, http, account["email"], PASSWORD).status_code == 200


# ---------------------------------------------------------------------------- 6. the dev admin
def test_dev_admin_sees_full_accounts_and_is_hidden_from_others(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    phone = unique_phone()
    farmer, farmer_tokens = new_user(soko, http, phone=phone)
    admin_tokens = login(soko, http, ADMIN_EMAIL, ADMIN_PASSWORD)
    admin = http.get(f"{soko.url}/auth/me", headers=bearer(admin_tokens["access_token"]), timeout=TIMEOUT)
    assert admin.status_code == 200, admin.text
    assert admin.json()["role"] == "admin"
    assert admin.json()["email"] == ADMIN_EMAIL

    seen_by_admin = http.get(
        f"{soko.url}/users/{farmer['id']}", headers=bearer(admin_tokens["access_token"]), timeout=TIMEOUT
    )
    assert seen_by_admin.status_code == 200, seen_by_admin.text
    assert seen_by_admin.json()["email"] == farmer["email"]
    assert seen_by_admin.json()["phone"] == phone

    hidden = http.get(
        f"{soko.url}/users/{admin.json()['id']}",
        headers=bearer(farmer_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert_error(hidden, 404, "USER_NOT_FOUND")
    assert ADMIN_EMAIL not in hidden.text
    missing = http.get(
        f"{soko.url}/users/01ARZ3NDEKTSV4RRFFQ69G5FAV",
        headers=bearer(farmer_tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert_error(missing, 404, "USER_NOT_FOUND")  # the admin's 404 looks like any unknown id


# ---------------------------------------------------------------------------- 7. events leave the system
class EventTap:
    """An SQS queue subscribed by an EventBridge rule to a source on the Soko bus."""

    def __init__(self, soko: Any, source: str) -> None:
        self.sqs = soko.client("sqs")
        self.events = soko.client("events")
        self.bus = soko.endpoints["outputs"]["EventBusName"]
        suffix = uuid.uuid4().hex[:10]
        self.rule = f"e2e-identity-tap-{suffix}"
        self.queue_url = self.sqs.create_queue(QueueName=f"e2e-identity-tap-{suffix}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
        self.events.put_rule(
            Name=self.rule,
            EventBusName=self.bus,
            EventPattern=json.dumps({"source": [source]}),
            State="ENABLED",
        )
        self.events.put_targets(
            Rule=self.rule,
            EventBusName=self.bus,
            Targets=[{"Id": "tap", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        self.received: list[dict[str, Any]] = []

    def drain(self) -> None:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for message in messages:
            self.received.append(json.loads(message["Body"]))
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def matching(self, detail_type: str, user_id: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.received
            if e.get("detail-type") == detail_type and e.get("detail", {}).get("user_id") == user_id
        ]

    def wait_for(self, detail_type: str, user_id: str, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while not self.matching(detail_type, user_id) and time.monotonic() < deadline:
            self.drain()
        found = self.matching(detail_type, user_id)
        assert found, f"no {detail_type} for {user_id} within {timeout}s; received {self.received}"
        self.drain()  # a duplicate would be published right behind the first one
        return self.matching(detail_type, user_id)

    def close(self) -> None:
        self.events.remove_targets(Rule=self.rule, EventBusName=self.bus, Ids=["tap"])
        self.events.delete_rule(Name=self.rule, EventBusName=self.bus)
        self.sqs.delete_queue(QueueUrl=self.queue_url)


@pytest.fixture
def users_tap(soko):  # type: ignore[no-untyped-def]
    tap = EventTap(soko, "soko.users")
    yield tap
    tap.close()


def test_identity_events_reach_eventbridge_rules(soko, http: requests.Session, users_tap: EventTap) -> None:  # type: ignore[no-untyped-def]
    account, tokens = new_user(soko, http)

    registered = users_tap.wait_for("UserRegistered", account["id"])
    assert len(registered) == 1, registered
    event = registered[0]
    assert event["source"] == "soko.users"
    assert event["detail"]["schema_version"] == 1
    assert event["detail"]["role"] == "farmer"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", event["detail"]["event_id"])
    assert account["email"] not in json.dumps(event)  # contracts carry no personal contact data

    district = unique_district()
    update = http.put(
        f"{soko.url}/users/me",
        json={"district": district, "specialties": ["beans"]},
        headers=bearer(tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert update.status_code == 200, update.text
    updated = users_tap.wait_for("ProfileUpdated", account["id"])
    assert len(updated) == 1, updated
    detail = updated[0]["detail"]
    assert detail["changed"] == ["district", "specialties"]
    assert detail["district"] == district
    assert detail["specialties"] == ["beans"]
    assert detail["schema_version"] == 1
    assert detail["event_id"] != event["detail"]["event_id"]

    # An update that changes nothing publishes nothing.
    same = http.put(
        f"{soko.url}/users/me",
        json={"district": district},
        headers=bearer(tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert same.status_code == 200
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        users_tap.drain()
    assert len(users_tap.matching("ProfileUpdated", account["id"])) == 1


# ---------------------------------------------------------------------------- 8. bad input
def test_malformed_json_is_400(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    response = http.post(
        f"{soko.url}/auth/register",
        data=b'{"email": "a@b.co", "password": ',
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert_error(response, 400, "MALFORMED_JSON")


def test_text_plain_body_is_415(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"email": unique_email(), "password": PASSWORD, "role": "farmer"})
    response = http.post(
        f"{soko.url}/auth/register", data=body, headers={"Content-Type": "text/plain"}, timeout=TIMEOUT
    )
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_oversized_body_is_413(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"email": unique_email(), "password": PASSWORD, "role": "farmer", "pad": "x" * 300_000})
    response = http.post(
        f"{soko.url}/auth/register", data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_bad_input_on_a_protected_route(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    _, tokens = new_user(soko, http)
    malformed = http.put(
        f"{soko.url}/users/me",
        data=b"{not json",
        headers={**bearer(tokens["access_token"]), "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert_error(malformed, 400, "MALFORMED_JSON")
    unknown_field = http.put(
        f"{soko.url}/users/me",
        json={"role": "admin"},
        headers=bearer(tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert_error(unknown_field, 422, "VALIDATION_ERROR")  # no self-promotion through the profile
    interests = http.put(
        f"{soko.url}/users/me",
        json={"interests": ["maize"]},
        headers=bearer(tokens["access_token"]),
        timeout=TIMEOUT,
    )
    assert_error(interests, 422, "VALIDATION_ERROR")  # a farmer lists specialties, not interests


# ---------------------------------------------------------------------------- cancelled transactions
# A registration refused with 409 is a cancelled DynamoDB transaction: it must publish nothing,
# and the table's stream must keep flowing afterwards (see soko_local/moto_patches.py).
def test_a_refused_registration_publishes_nothing_and_later_events_still_flow(  # type: ignore[no-untyped-def]
    soko: RunningRuntime, http: requests.Session
) -> None:
    tap = EventTap(soko, "soko.users")
    try:
        first = register(soko, http, role="farmer")
        tap.wait_for("UserRegistered", first["id"])
        refused = http.post(
            f"{soko.url}/auth/register",
            json={"email": first["email"], "password": PASSWORD, "role": "buyer"},
            timeout=TIMEOUT,
        )
        assert_error(refused, 409, "EMAIL_TAKEN")
        later = register(soko, http, role="farmer")

        def phantoms() -> list[dict[str, Any]]:  # the refused registration was the only buyer
            return [e for e in tap.received if e["detail"].get("role") == "buyer"]

        # Events leave in stream order: a phantom would arrive before the later registration's event.
        deadline = time.monotonic() + 15
        while not (tap.matching("UserRegistered", later["id"]) or phantoms()) and time.monotonic() < deadline:
            tap.drain()
        assert phantoms() == [], "an event was published for a registration that was refused"
        assert tap.matching("UserRegistered", later["id"]), "events after a refused registration are lost"
    finally:
        tap.close()


def test_register_conflicts_and_validation(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    phone = unique_phone()
    account = register(soko, http, phone=phone)

    same_email = http.post(
        f"{soko.url}/auth/register",
        json={"email": account["email"].upper(), "password": PASSWORD, "role": "buyer"},
        timeout=TIMEOUT,
    )
    assert_error(same_email, 409, "EMAIL_TAKEN")
    same_phone = http.post(
        f"{soko.url}/auth/register",
        json={"email": unique_email(), "password": PASSWORD, "role": "buyer", "phone": "0" + phone[4:]},
        timeout=TIMEOUT,
    )
    assert_error(same_phone, 409, "PHONE_TAKEN")
    admin = http.post(
        f"{soko.url}/auth/register",
        json={"email": unique_email(), "password": PASSWORD, "role": "admin"},
        timeout=TIMEOUT,
    )
    error = assert_error(admin, 422, "VALIDATION_ERROR")
    assert PASSWORD not in admin.text  # rejected input is never echoed
    assert [f["field"] for f in error["details"]["fields"]] == ["body.role"]
    weak = http.post(
        f"{soko.url}/auth/register",
        json={"email": unique_email(), "password": "password123", "role": "farmer"},
        timeout=TIMEOUT,
    )
    assert_error(weak, 422, "VALIDATION_ERROR")
