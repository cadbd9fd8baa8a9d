"""GET /users/farmers, GET /users/buyers and GET /users/{id}: public fields only, district filter,
cursor pagination, and who may see what."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pytest

PUBLIC_KEYS = {"id", "fullName", "role", "district", "specialties", "interests", "rating", "rating_count"}
PRIVATE_KEYS = {
    "email",
    "phone",
    "phone_verified",
    "pending_phone",
    "language",
    "status",
    "created_at",
    "updated_at",
}


@dataclass
class Directory:
    farmers: dict[str, object]  # name -> User
    buyers: dict[str, object]
    viewer: object

    def ids(self, *names):
        everyone = {**self.farmers, **self.buyers}
        return {everyone[n].id for n in names}


@pytest.fixture
def directory(api, users) -> Directory:
    """Four farmers (2 in Gulu, 1 in Lira, 1 with no district), a buyer in Gulu, one of role both."""
    people = {
        "f-gulu-1": ("farmer", "Gulu", "+256772100001"),
        "f-gulu-2": ("farmer", "gulu", None),
        "f-lira": ("farmer", "Lira", "+256772100003"),
        "f-nowhere": ("farmer", None, None),
        "b-gulu": ("buyer", "Gulu", "+256772100005"),
        "x-gulu": ("both", "GULU", "+256772100006"),
    }
    made = {}
    for name, (role, district, phone) in people.items():
        user = users.register(role, phone=phone, full_name=name)
        if district:
            reply = api.put("/users/me", {"district": district}, token=user.access_token)
            assert reply.status == 200, reply.text
        made[name] = user
    farmers = {k: v for k, v in made.items() if k.startswith(("f-", "x-"))}
    buyers = {k: v for k, v in made.items() if k.startswith(("b-", "x-"))}
    return Directory(farmers, buyers, made["b-gulu"])


def _list(api, who, path, **query):
    return api.get(path, token=who.access_token, query={k: str(v) for k, v in query.items()})


def _all_pages(api, who, path, **query):
    pages, cursor = [], None
    while True:
        reply = _list(api, who, path, **query, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200, reply.text
        pages.append(reply.json)
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20, "pagination does not end"


def _decode(cursor):
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def _encode(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_lists_hold_their_roles_with_public_fields_only_by_district(api, directory) -> None:
    farmers = _list(api, directory.viewer, "/users/farmers")
    buyers = _list(api, directory.viewer, "/users/buyers")

    assert farmers.status == buyers.status == 200
    assert {i["id"] for i in farmers.json["items"]} == directory.ids(*directory.farmers)
    assert {i["id"] for i in buyers.json["items"]} == directory.ids(*directory.buyers)
    assert directory.ids("x-gulu") <= {i["id"] for i in buyers.json["items"]}  # both: in both lists
    assert farmers.json["next_cursor"] is None and buyers.json["next_cursor"] is None
    for item in farmers.json["items"] + buyers.json["items"]:
        assert set(item) == PUBLIC_KEYS, item
    for reply in (farmers, buyers):
        assert "+2567721" not in reply.text and "@example.com" not in reply.text
        assert "argon2" not in reply.text and "token_version" not in reply.text

    gulu = _list(api, directory.viewer, "/users/farmers", district="gulu").json["items"]
    lira = _list(api, directory.viewer, "/users/farmers", district="LIRA").json["items"]
    gulu_buyers = _list(api, directory.viewer, "/users/buyers", district="Gulu").json["items"]
    nowhere = _list(api, directory.viewer, "/users/farmers", district="Kasese").json

    assert {i["id"] for i in gulu} == directory.ids("f-gulu-1", "f-gulu-2", "x-gulu")
    assert {i["district"] for i in gulu} == {"Gulu"}
    assert [i["id"] for i in lira] == [directory.farmers["f-lira"].id]
    assert {i["id"] for i in gulu_buyers} == directory.ids("b-gulu", "x-gulu")
    assert nowhere == {"items": [], "next_cursor": None}
    assert _list(api, directory.viewer, "/users/farmers", district="Gul").json["items"] == []


def test_pages_cover_the_list_once_and_cursors_only_fit_their_list(api, directory) -> None:
    pages = _all_pages(api, directory.viewer, "/users/farmers", limit=2)
    filtered = _all_pages(api, directory.viewer, "/users/farmers", limit=1, district="Gulu")

    ids = [i["id"] for p in pages for i in p["items"]]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert len(ids) == len(set(ids)) and set(ids) == directory.ids(*directory.farmers)
    assert pages[-1]["next_cursor"] is None
    filtered_ids = [i["id"] for p in filtered for i in p["items"]]
    assert len(filtered_ids) == len(set(filtered_ids))
    assert set(filtered_ids) == directory.ids("f-gulu-1", "f-gulu-2", "x-gulu")

    cursor = pages[0]["next_cursor"]
    gulu_cursor = filtered[0]["next_cursor"]
    payload = _decode(cursor)
    cases = {
        "farmers cursor on buyers": ("/users/buyers", {"cursor": cursor}),
        "district cursor without the district": ("/users/farmers", {"cursor": gulu_cursor}),
        "district cursor on another district": (
            "/users/farmers",
            {"cursor": gulu_cursor, "district": "Lira"},
        ),
        "flipped character": ("/users/farmers", {"cursor": cursor[:10] + "~" + cursor[11:]}),
        "truncated": ("/users/farmers", {"cursor": cursor[:-7]}),
        "not base64 JSON": ("/users/farmers", {"cursor": "bm90LWpzb24"}),
        "scope rewritten": ("/users/farmers", {"cursor": _encode({**payload, "s": "users:buyer:"})}),
        "extra key": (
            "/users/farmers",
            {"cursor": _encode({**payload, "k": {**payload["k"], "email_lower": ["s", "x"]}})},
        ),
        "other version": ("/users/farmers", {"cursor": _encode({**payload, "v": 2})}),
    }
    for case, (path, query) in cases.items():
        reply = _list(api, directory.viewer, path, **query)
        assert reply.status == 400, (case, reply.text)
        assert reply.error["code"] == "INVALID_CURSOR", case
    assert _list(api, directory.viewer, "/users/farmers", limit=2, cursor=cursor).json == pages[1]


def test_a_cursor_with_a_wrongly_typed_key_is_400(api, users) -> None:
    viewer = users.register("farmer")
    users.register("farmer", session=None)
    cursor = _list(api, viewer, "/users/farmers", limit=1).json["next_cursor"]
    payload = _decode(cursor)
    payload["k"]["gsi1sk"] = ["n", "5"]

    reply = _list(api, viewer, "/users/farmers", limit=1, cursor=_encode(payload))

    assert reply.status == 400, reply.text
    assert reply.error["code"] == "INVALID_CURSOR"


def test_bad_list_queries_are_422_and_the_lists_need_a_signed_in_caller(api, users) -> None:
    viewer = users.register("buyer")
    for query in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"limit": -1}):
        for path in ("/users/farmers", "/users/buyers"):
            reply = _list(api, viewer, path, **query)
            assert reply.status == 422, (path, query, reply.text)
            assert reply.fields == {"limit"}, (path, query)
    long_district = _list(api, viewer, "/users/farmers", district="x" * 41)
    assert long_district.status == 422 and long_district.fields == {"district"}
    for limit in (1, 100):
        assert _list(api, viewer, "/users/buyers", limit=limit).json["items"][0]["id"] == viewer.id
    assert api.get("/users/farmers").status == 401  # the gateway: no token


# ---------------------------------------------------------------------------- GET /users/{id}
def test_another_user_sees_public_fields_only(api, users, users_table) -> None:
    amina = users.register("farmer", phone="+256772123456", full_name="Amina")
    api.put("/users/me", {"district": "Gulu", "specialties": ["maize"]}, token=amina.access_token)
    brian = users.register("buyer")

    reply = api.get(f"/users/{amina.id}", token=brian.access_token)

    assert reply.status == 200, reply.text
    assert set(reply.json) == PUBLIC_KEYS
    assert reply.json["id"] == amina.id
    assert (reply.json["fullName"], reply.json["district"], reply.json["specialties"]) == (
        "Amina",
        "Gulu",
        ["maize"],
    )
    stored = users_table.profile(amina.id)
    for secret in (amina.email, "+256772123456", "772123456", stored["password_hash"], "token_version"):
        assert secret not in reply.text


def test_own_id_returns_the_own_account(api, users) -> None:
    amina = users.register("farmer", phone="+256772123456")

    reply = api.get(f"/users/{amina.id}", token=amina.access_token)

    assert reply.status == 200, reply.text
    assert set(reply.json) == PUBLIC_KEYS | PRIVATE_KEYS
    assert (reply.json["email"], reply.json["phone"]) == (amina.email, "+256772123456")
    assert "password" not in reply.text and "argon2" not in reply.text


def test_admin_sees_accounts_and_only_admins_see_admins(api, users, admin) -> None:
    amina = users.register("farmer", phone="+256772123456")

    as_admin = api.get(f"/users/{amina.id}", token=admin.access_token)
    admin_as_farmer = api.get(f"/users/{admin.id}", token=amina.access_token)
    unknown = api.get("/users/01JD0000000000000000000000", token=amina.access_token)
    admin_self = api.get(f"/users/{admin.id}", token=admin.access_token)

    assert as_admin.status == 200, as_admin.text
    assert set(as_admin.json) == PUBLIC_KEYS | PRIVATE_KEYS
    assert (as_admin.json["email"], as_admin.json["phone"]) == (amina.email, "+256772123456")
    assert "argon2" not in as_admin.text and "token_version" not in as_admin.text
    assert unknown.status == 404 and unknown.error["code"] == "USER_NOT_FOUND"
    assert admin_as_farmer.status == 404, admin_as_farmer.text
    assert admin_as_farmer.error["code"] == "USER_NOT_FOUND"
    assert admin_as_farmer.error["message"] == unknown.error["message"]
    assert admin.email not in admin_as_farmer.text
    assert admin_self.status == 200 and admin_self.json["role"] == "admin"
    # the admin is in no directory
    for path in ("/users/farmers", "/users/buyers"):
        assert admin.id not in _list(api, amina, path).text
