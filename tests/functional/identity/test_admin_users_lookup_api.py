"""GET /admin/users/lookup: an admin finds an account by its email or verified phone (exact match on
the sign-in keys), through the template's gateway and authorizer."""

from __future__ import annotations

import pytest


def _lookup(api, who, **query):
    return api.get("/admin/users/lookup", query=query, token=who.access_token)


def test_an_admin_finds_a_user_by_email_or_phone_with_the_accounts_status(api, users, admin) -> None:
    farmer = users.register("farmer", phone="+256772123456", full_name="Akello Grace")
    by_email = _lookup(api, admin, email=farmer.email.upper())
    assert by_email.status == 200, by_email.text
    assert (by_email.json["id"], by_email.json["status"]) == (farmer.id, "active")
    assert by_email.json["fullName"] == "Akello Grace"
    for written in ("+256772123456", "0772123456", "0772 123 456"):
        by_phone = _lookup(api, admin, phone=written)
        assert by_phone.status == 200, (written, by_phone.text)
        assert by_phone.json["id"] == farmer.id

    suspended = api.post(
        f"/admin/users/{farmer.id}/suspend", {"reason": "fraud reports"}, token=admin.access_token
    )
    assert suspended.status == 200, suspended.text
    assert _lookup(api, admin, email=farmer.email).json["status"] == "suspended"


def test_nobody_with_that_key_is_a_404(api, users, admin) -> None:
    unverified = users.register("buyer", phone="+256772654321", verify_phone=False)
    assert _lookup(api, admin, email="nobody@example.com").expect(404)
    assert _lookup(api, admin, phone="+256700000001").expect(404)
    # a phone still waiting for its code names nobody (it is not a sign-in key yet)
    assert _lookup(api, admin, phone="+256772654321").expect(404)
    assert _lookup(api, admin, email=unverified.email).status == 200


@pytest.mark.parametrize(
    "query",
    [{}, {"email": "a@b.ug", "phone": "0772123456"}, {"phone": "12345678901"}, {"phone": "07x2123456"}],
)
def test_exactly_one_well_formed_key_or_a_422(api, admin, query) -> None:
    assert _lookup(api, admin, **query).expect(422)


def test_only_admins_may_look_users_up(api, users) -> None:
    farmer = users.register("farmer")
    buyer = users.register("buyer")
    reply = _lookup(api, buyer, email=farmer.email)
    assert reply.expect(403)
    assert api.get("/admin/users/lookup", query={"email": farmer.email}).status == 401
