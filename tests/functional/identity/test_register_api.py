"""POST /auth/register through the gateway, against the users table built from template.yaml."""

from __future__ import annotations

from soko.identity.dal import UsersDal
from soko.shared import ids

ACCOUNT_KEYS = {
    "id",
    "email",
    "role",
    "fullName",
    "phone",
    "phone_verified",
    "pending_phone",
    "status",
    "district",
    "specialties",
    "interests",
    "rating",
    "rating_count",
    "language",
    "created_at",
    "updated_at",
}


def _register(api, **overrides):
    body = {"email": "amina@example.com", "password": "Gulu-maize-2026", "role": "farmer", **overrides}
    return api.post("/auth/register", {k: v for k, v in body.items() if v is not None})


def test_register_creates_the_account_and_returns_it_without_secrets(api, users_table, sms) -> None:
    reply = _register(api, phone="0772123456", fullName="Amina Achieng")

    assert reply.status == 201, reply.text
    body = reply.json
    assert set(body) == ACCOUNT_KEYS
    assert ids.is_ulid(body["id"])
    assert body["email"] == "amina@example.com"
    assert body["role"] == "farmer"
    assert body["fullName"] == "Amina Achieng"
    # the phone waits for its code (the local form, read as Uganda): it names nobody yet
    assert (body["phone"], body["phone_verified"], body["pending_phone"]) == (None, False, "+256772123456")
    assert body["status"] == "active"
    [text] = sms.messages(to="+256772123456")
    assert "confirm this phone" in text["message"]
    assert "Gulu-maize-2026" not in reply.text
    assert "argon2" not in reply.text and "hash" not in reply.text
    stored = users_table.profile(body["id"])
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    assert "Gulu-maize-2026" not in str(stored)
    assert users_table.item("EMAIL#amina@example.com", "EMAIL") == {
        "pk": "EMAIL#amina@example.com",
        "sk": "EMAIL",
        "user_id": body["id"],
    }
    assert users_table.item("PHONE#+256772123456", "PHONE") is None
    assert "code_hash" in users_table.item(f"USER#{body['id']}", "PHONECODE")  # hashed, never the code
    # the name may also be sent as full_name
    snake = _register(api, email="okello@example.com", full_name="Okello Brian", role="buyer")
    assert snake.status == 201, snake.text
    assert (snake.json["fullName"], snake.json["role"], snake.json["phone"]) == (
        "Okello Brian",
        "buyer",
        None,
    )
    assert users_table.profile(snake.json["id"])["full_name"] == "Okello Brian"


def test_same_email_in_other_case_is_409_decided_by_the_conditional_write(
    api, users_table, monkeypatch
) -> None:
    first = _register(api, email="Amina.Achieng@Example.com")
    assert first.status == 201, first.text
    # A request racing the first one would not see its account when reading: make every read miss,
    # so only the conditional write can refuse the second account.
    monkeypatch.setattr(UsersDal, "user_id_by_email", lambda self, email: None)

    second = _register(api, email="amina.achieng@EXAMPLE.COM", password="Another-pass-2026")

    assert second.status == 409, second.text
    assert second.error["code"] == "EMAIL_TAKEN"
    assert second.fields == {"email"}
    assert [i["user_id"] for i in users_table.with_prefix("EMAIL#")] == [first.json["id"]]
    profiles = [i for i in users_table.items() if i["sk"] == "PROFILE"]
    assert [p["id"] for p in profiles] == [first.json["id"]]
    assert len(users_table.outbox("UserRegistered")) == 1
    assert len([i for i in users_table.items() if i["sk"].startswith("DIR#")]) == 1


def test_a_phone_another_account_verified_is_409_and_nothing_is_written(api, users, users_table) -> None:
    first = users.register(phone="+256772123456", session=None)  # verified with its code
    assert first.phone == "+256772123456"
    before = users_table.items()

    second = _register(api, email="brian@example.com", phone="0772 123-456", role="buyer")

    assert second.status == 409, second.text
    assert second.error["code"] == "PHONE_TAKEN"
    assert second.fields == {"phone"}
    assert users_table.items() == before  # no orphan EMAIL# item, no profile, no event
    assert users_table.item("EMAIL#brian@example.com", "EMAIL") is None
    # ... so the email is still free
    third = _register(api, email="brian@example.com", phone="+256701000001", role="buyer")
    assert third.status == 201, third.text


def test_a_phone_only_pending_elsewhere_does_not_block_and_names_nobody(api, users_table) -> None:
    first = _register(api, phone="+256772123456")
    second = _register(api, email="brian@example.com", phone="0772123456", role="buyer")

    assert (first.status, second.status) == (201, 201), second.text
    assert first.json["pending_phone"] == second.json["pending_phone"] == "+256772123456"
    assert users_table.with_prefix("PHONE#") == []


def test_a_phone_of_a_country_not_served_is_422_and_gets_no_sms(api, users_table, sms) -> None:
    reply = _register(api, phone="+14155550123")  # SmsCountries defaults to UG

    assert reply.status == 422, reply.text
    assert reply.error["code"] == "PHONE_COUNTRY_NOT_SERVED"
    assert reply.fields == {"phone"}
    assert sms.messages() == [] and users_table.items() == []


WEAK_PASSWORDS = {
    "short": ("amina@example.com", "Gu1u-ma"),  # 7 characters
    "common": ("amina@example.com", "password123"),
    "common in any case": ("amina@example.com", "PassWord123"),
    "one character": ("amina@example.com", "zzzzzzzzzzzz"),
    "two characters": ("amina@example.com", "abababababab"),
    "email local part": ("amina.k@example.com", "xx-AMINA.K-2026"),
}


def test_weak_passwords_are_422_naming_password(api, users_table) -> None:
    for case, (email, password) in WEAK_PASSWORDS.items():
        reply = _register(api, email=email, password=password)

        assert reply.status == 422, (case, reply.text)
        assert reply.fields == {"password"}, case
        assert password not in reply.text, case  # the rejected value is never echoed
    assert users_table.items() == []


VALID = {"email": "amina@example.com", "password": "Gulu-maize-2026", "role": "farmer"}
INVALID_FIELDS = {
    "bad email": ({**VALID, "email": "not-an-email"}, "email"),
    "no password": ({k: v for k, v in VALID.items() if k != "password"}, "password"),
    "no role": ({k: v for k, v in VALID.items() if k != "role"}, "role"),
    "unknown field": ({**VALID, "x": 1}, "x"),
    "chosen id": ({**VALID, "id": "01JD0000000000000000000000"}, "id"),
    "long password": ({**VALID, "password": "Gx-" * 43}, "password"),
    "markup in name": ({**VALID, "fullName": "<b>Amina</b>"}, "fullName"),
    "role of wrong type": ({**VALID, "role": ["farmer"]}, "role"),
    "admin role": ({**VALID, "role": "admin"}, "role"),  # admin cannot be self-registered
    **{
        f"phone {phone!r}": ({**VALID, "phone": phone}, "phone")
        for phone in ["12345", "+256772", "+2567721234567", "+256072123456", "call me", "0772-123-45x"]
    },
}


def test_invalid_fields_are_422_naming_them(api, users_table) -> None:
    for case, (body, field) in INVALID_FIELDS.items():
        reply = api.post("/auth/register", body)

        assert reply.status == 422, (case, reply.text)
        assert reply.error["code"] == "VALIDATION_ERROR", case
        assert reply.fields == {field}, (case, reply.text)
    assert users_table.items() == []


def test_bodies_that_are_not_a_small_json_object_are_4xx(api, users_table) -> None:
    malformed = api.post("/auth/register", raw_body='{"email": "amina@example.com", "password": ')
    not_an_object = api.post("/auth/register", raw_body='["amina@example.com", "Gulu-maize-2026"]')

    assert malformed.status == 400, malformed.text
    assert malformed.error["code"] == "MALFORMED_JSON"
    assert not_an_object.status == 422, not_an_object.text
    assert not_an_object.error["code"] == "VALIDATION_ERROR"

    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]:
        reply = api.post("/auth/register", VALID, content_type=content_type)

        assert reply.status == 415, (content_type, reply.text)
        assert reply.error["code"] == "UNSUPPORTED_MEDIA_TYPE", content_type
    too_large = api.post("/auth/register", {**VALID, "fullName": "A" * 300_000})
    assert too_large.status == 413 and too_large.error["code"] == "PAYLOAD_TOO_LARGE"
    assert users_table.items() == []
    # the media type is case-insensitive and may carry parameters
    accepted = api.post("/auth/register", VALID, content_type="Application/JSON; charset=utf-8")
    assert accepted.status == 201, accepted.text
