"""Verified phones: a phone set by PUT /users/me (or at registration) waits for its SMS code; only a
verified phone names an account by phone (USSD caller, SMS alerts, password reset, sign-in)."""

from __future__ import annotations

import re

import boto3
import pytest

from soko.identity.models import IdentityConfig
from soko.identity.public import Users
from soko.shared import clock
from soko.shared.config import load
from support.lambda_env import REGION

VICTIM = "+256772555111"


def _put(api, user, body):
    return api.put("/users/me", body, token=user.access_token)


def _verify(api, user, code):
    return api.post("/users/me/phone/verify", {"code": code}, token=user.access_token)


def _codes(sms, phone):
    """The phone-verification codes texted to ``phone``, oldest first."""
    return re.findall(
        r"confirm this phone is (\d{6})", " ".join(m["message"] for m in sms.messages(to=phone))
    )


def _by_phone(phone):
    return Users(load(IdentityConfig).users_table_name).by_phone(phone)


def _other(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_phone_counts_only_once_its_code_is_verified(api, users, users_table, sms) -> None:
    user = users.register("buyer")

    pending = _put(api, user, {"phone": "0772123456"})

    assert pending.status == 200, pending.text
    assert (pending.json["phone"], pending.json["phone_verified"], pending.json["pending_phone"]) == (
        None,
        False,
        "+256772123456",
    )
    [code] = _codes(sms, "+256772123456")
    stored = users_table.item(f"USER#{user.id}", "PHONECODE")
    assert code not in str(stored) and stored["expires_at"] <= clock.epoch() + 600  # hashed, 10 minutes
    assert _by_phone("+256772123456") is None  # names nobody yet
    forgot = api.post("/auth/password/forgot", {"phone": "+256772123456"})
    assert forgot.status == 202 and len(sms.messages(to="+256772123456")) == 1  # no reset code to it
    by_phone = api.post("/auth/login", {"phone": "+256772123456", "password": user.password})
    assert by_phone.status == 401

    verified = _verify(api, user, code)

    assert verified.status == 200, verified.text
    assert (verified.json["phone"], verified.json["phone_verified"], verified.json["pending_phone"]) == (
        "+256772123456",
        True,
        None,
    )
    assert users_table.item("PHONE#+256772123456", "PHONE")["user_id"] == user.id
    assert users_table.item(f"USER#{user.id}", "PHONECODE") is None  # a code works once
    assert _by_phone("+256772123456").id == user.id
    assert api.get("/users/me", token=user.access_token).json["phone_verified"] is True
    again = _verify(api, user, code)
    assert again.status == 409 and again.error["code"] == "NO_PENDING_PHONE"
    # the verified phone again changes nothing and sends nothing
    assert _put(api, user, {"phone": "+256772123456"}).json["phone_verified"] is True
    assert len(_codes(sms, "+256772123456")) == 1


def test_an_unverified_number_never_takes_over_a_ussd_identity(api, users, sms, invoke, deployment) -> None:
    """The attack: set the victim's number in PUT /users/me and never verify it."""
    attacker = users.register("buyer", full_name="Mallory Attacker")

    reply = _put(api, attacker, {"phone": VICTIM})

    assert reply.status == 200 and reply.json["pending_phone"] == VICTIM
    assert _by_phone(VICTIM) is None
    # The victim dials the USSD menu from that number: a stranger, not the attacker's account.
    screen = _ussd(invoke, deployment, VICTIM, "5")
    assert screen.startswith("CON Welcome to Soko. A farmer? Enter your name.")
    assert "Mallory" not in _ussd(invoke, deployment, VICTIM, "")
    # ... registers on the basic phone (the carrier vouches for the number) ...
    _ussd(invoke, deployment, VICTIM, "5*Akello Grace*gulu*2468*2468")
    victim = _by_phone(VICTIM)
    assert victim is not None and victim.id != attacker.id and victim.full_name == "Akello Grace"
    # ... and the attacker can no longer verify it, even with a code sent before
    codes = _codes(sms, VICTIM)
    wrong_owner = _verify(api, attacker, codes[-1])
    assert wrong_owner.status == 409 and wrong_owner.error["code"] == "PHONE_TAKEN"
    assert _by_phone(VICTIM).id == victim.id
    # nor set it again: a number another account verified is refused before any SMS
    texts = len(sms.messages(to=VICTIM))
    taken = _put(api, attacker, {"phone": VICTIM})
    assert taken.status == 409 and taken.error["code"] == "PHONE_TAKEN"
    assert len(sms.messages(to=VICTIM)) == texts


def _ussd(invoke, deployment, phone, text):
    import uuid  # noqa: PLC0415
    from urllib.parse import urlencode  # noqa: PLC0415

    arn = deployment.functions["UssdFunction"].environment["URL_TOKEN_SECRET_ARN"]
    token = boto3.client("secretsmanager", region_name=REGION).get_secret_value(SecretId=arn)["SecretString"]
    form = {
        "sessionId": f"ATUid_{uuid.uuid4().hex}",
        "serviceCode": "*384*1234#",
        "phoneNumber": phone,
        "networkCode": "99999",
        "text": "",
    }
    body = ""
    # replay the inputs one by one in one session, as the gateway does
    parts = text.split("*") if text else []
    for n in range(len(parts) + 1):
        form["text"] = "*".join(parts[:n])
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": "/",
            "rawQueryString": urlencode({"token": token}),
            "queryStringParameters": {"token": token},
            "headers": {"content-type": "application/x-www-form-urlencoded"},
            "requestContext": {"http": {"method": "POST", "path": "/", "sourceIp": "127.0.0.1"}},
            "body": urlencode(form),
            "isBase64Encoded": False,
        }
        result = invoke("UssdFunction", event)
        assert result["statusCode"] == 200, result
        body = str(result["body"])
    return body


def test_five_wrong_codes_burn_the_code_and_an_expired_one_is_refused(api, users, sms, monkeypatch) -> None:
    user = users.register("farmer")
    _put(api, user, {"phone": "+256772000111"})
    [code] = _codes(sms, "+256772000111")

    for attempt in range(5):
        wrong = _verify(api, user, _other(code))
        assert wrong.status == 422 and wrong.error["code"] == "INVALID_PHONE_CODE", attempt
        assert wrong.fields == {"code"}
    burnt = _verify(api, user, code)
    assert burnt.status == 422 and burnt.error["code"] == "INVALID_PHONE_CODE"

    _put(api, user, {"phone": "+256772000111"})  # setting it again sends a new code
    newest = _codes(sms, "+256772000111")[-1]
    moved = clock.epoch() + 601
    monkeypatch.setattr(clock, "epoch", lambda: moved)
    expired = _verify(api, user, newest)
    assert expired.status == 422 and expired.error["code"] == "INVALID_PHONE_CODE"
    assert api.get("/users/me", token=user.access_token).json["phone_verified"] is False


def test_a_code_is_only_good_for_the_number_it_was_sent_to(api, users, sms) -> None:
    user = users.register("farmer")
    _put(api, user, {"phone": "+256772000201"})
    [first] = _codes(sms, "+256772000201")
    _put(api, user, {"phone": "+256772000202"})  # changed their mind: the first code is void

    reply = _verify(api, user, first)

    assert reply.status == 422, reply.text
    [second] = _codes(sms, "+256772000202")
    assert _verify(api, user, second).json["phone"] == "+256772000202"


def test_phones_of_countries_not_served_are_refused_and_never_texted(api_with, users, sms) -> None:
    user = users.register("buyer")
    for phone in ("+14155550123", "+447700900123", "+254712345678"):
        reply = _put(users.api, user, {"phone": phone})
        assert reply.status == 422, (phone, reply.text)
        assert reply.error["code"] == "PHONE_COUNTRY_NOT_SERVED"
        assert reply.fields == {"phone"}
    assert sms.messages() == []
    # a deployment that also serves Kenya (template parameter SmsCountries) takes the Kenyan number
    kenya = api_with({"SMS_COUNTRIES": "UG,KE"})
    assert kenya.put("/users/me", {"phone": "+254712345678"}, token=user.access_token).status == 200
    assert len(sms.messages(to="+254712345678")) == 1


def test_at_most_three_verification_codes_an_hour_per_phone(api, users, sms, monkeypatch) -> None:
    first, second = users.register("buyer"), users.register("buyer")
    for user in (first, second, first):
        assert _put(api, user, {"phone": "+256772000301"}).status == 200

    fourth = _put(api, second, {"phone": "+256772000301"})

    assert fourth.status == 429, fourth.text
    assert fourth.error["code"] == "SMS_LIMIT_REACHED"
    assert 0 < int(fourth.headers["retry-after"]) <= 3600
    assert len(_codes(sms, "+256772000301")) == 3  # per phone, whoever asks
    later = clock.epoch() + 3601
    monkeypatch.setattr(clock, "epoch", lambda: later)
    assert _put(api, second, {"phone": "+256772000301"}).status == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"code": "12345"},
        {"code": "1234567"},
        {"code": "12a456"},
        {"code": 123456},
        {"code": "123456", "x": 1},
    ],
)
def test_bad_verify_requests_are_422(api, users, body) -> None:
    user = users.register("buyer")
    reply = api.post("/users/me/phone/verify", body, token=user.access_token)
    assert reply.status == 422, reply.text
    assert reply.error["code"] == "VALIDATION_ERROR"


def test_verify_needs_a_signed_in_caller_and_a_pending_phone(api, users) -> None:
    assert api.post("/users/me/phone/verify", {"code": "123456"}).status == 401
    user = users.register("buyer")
    reply = _verify(api, user, "123456")
    assert reply.status == 409 and reply.error["code"] == "NO_PENDING_PHONE"


def test_a_suspended_farmers_phone_links_the_ussd_caller_to_nothing(api, admin, invoke, deployment) -> None:
    phone = "+256772555222"
    _ussd(invoke, deployment, phone, "5*Akello Grace*gulu*2468*2468")
    farmer = _by_phone(phone)
    assert farmer is not None and not farmer.suspended
    assert _ussd(invoke, deployment, phone, "4").startswith("END You have no listings.")

    reply = api.post(f"/admin/users/{farmer.id}/suspend", {"reason": "fraud"}, token=admin.access_token)

    assert reply.status == 200, reply.text
    assert _by_phone(phone).suspended
    assert _ussd(invoke, deployment, phone, "4") == "END Register first: dial again and choose 5."
