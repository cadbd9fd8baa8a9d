"""Verified phones on the stored account, the served countries, and the claims a token carries."""

from __future__ import annotations

import pytest

from soko.identity import countries
from soko.identity.models import AccountStatusChange, PhoneVerifyRequest, StoredUser
from soko.identity.tokens import issue_access_token
from soko.shared.auth import verify_access_token

NOW = "2026-11-21T09:30:00Z"


def user(**fields: object) -> StoredUser:
    return StoredUser.model_validate(
        {"id": "u1", "role": "farmer", "created_at": NOW, "updated_at": NOW, **fields}
    )


@pytest.mark.parametrize(
    ("fields", "verified"),
    [
        ({"phone": "+256772123456", "phone_verified": True, "email": "a@example.com"}, "+256772123456"),
        ({"phone": "+256772123456", "phone_verified": False}, None),
        ({"pending_phone": "+256772123456", "phone_verified": False}, None),
        # stored before phones were verified: a USSD account's (no email) was the carrier's ...
        ({"phone": "+256772123456"}, "+256772123456"),
        # ... an app account's was typed in and never confirmed
        ({"phone": "+256772123456", "email": "a@example.com"}, None),
        ({}, None),
    ],
)
def test_only_a_verified_phone_counts(fields: dict[str, object], verified: str | None) -> None:
    stored = user(**fields)
    assert stored.verified_phone == verified
    account = stored.account()
    assert account.phone_verified is (verified is not None)
    assert account.pending_phone == fields.get("pending_phone")


def test_served_countries() -> None:
    assert countries.served("+256772123456", "UG")
    assert not countries.served("+254712345678", "UG")
    assert countries.served("+254712345678", "ug, KE")
    assert not countries.served("+14155550123", "UG,KE,TZ")
    assert countries.country_of("+250788123456") == "RW"
    for bad in ("", "XX", "UG,ZZ"):
        with pytest.raises(ValueError, match="cannot serve"):
            countries.parse(bad)


def test_a_status_change_needs_a_real_reason() -> None:
    assert AccountStatusChange(reason="  stolen\n produce  ").reason == "stolen produce"
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValueError):
            AccountStatusChange(reason=reason)
    for code in ("12345", "1234567", "abcdef", " 12345"):
        with pytest.raises(ValueError):
            PhoneVerifyRequest(code=code)


def test_an_access_token_carries_its_version_and_session() -> None:
    secret = "s" * 64
    token = issue_access_token(
        user_id="u1",
        role="buyer",
        email="",
        secret=secret,
        issuer="soko",
        audience="soko-api",
        token_version=4,
        session_id="01JD0000000000000000000040",
    )
    claims = verify_access_token(token, secret=secret, issuer="soko", audience="soko-api")
    assert (claims.tv, claims.sid) == (4, "01JD0000000000000000000040")
    legacy = issue_access_token(
        user_id="u1", role="buyer", email="", secret=secret, issuer="soko", audience="soko-api"
    )
    assert verify_access_token(legacy, secret=secret, issuer="soko", audience="soko-api").sid is None
