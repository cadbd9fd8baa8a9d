"""GET and PUT /users/me: normalised updates, role rules, optimistic locking, the phone guard, and
owner scoping (the caller comes only from the authorizer's context)."""

from __future__ import annotations

from soko.identity.dal import UsersDal


def _update(api, user, body, **kwargs):
    return api.put("/users/me", body, token=user.access_token, **kwargs)


def test_update_normalises_and_stores_the_profile(api, users, users_table) -> None:
    user = users.register("farmer", phone="+256772123456")
    before = users_table.profile(user.id)

    reply = _update(
        api,
        user,
        {
            "district": "  gulu ",
            "specialties": [" Maize", "maize", "BEANS", "sweet  potatoes"],
            "language": "lg",
        },
    )

    assert reply.status == 200, reply.text
    body = reply.json
    assert body["id"] == user.id
    assert body["district"] == "Gulu"
    assert body["specialties"] == ["maize", "beans", "sweet potatoes"]
    assert body["language"] == "lg"
    assert body["email"] == user.email  # untouched fields are kept
    assert body["fullName"] == before["full_name"]
    assert api.get("/users/me", token=user.access_token).json == body
    stored = users_table.profile(user.id)
    assert stored["version"] == before["version"] + 1
    assert stored["password_hash"] == before["password_hash"]
    listed = api.get("/users/farmers", token=user.access_token, query={"district": "Gulu"}).json["items"]
    assert [(i["id"], i["district"], i["specialties"]) for i in listed] == [
        (user.id, "Gulu", ["maize", "beans", "sweet potatoes"])
    ]
    # "Fort portal" becomes "Fort Portal"
    assert _update(api, user, {"district": "fort portal"}).json["district"] == "Fort Portal"
    # an update that changes nothing (the phone in another form, same language) writes nothing
    after = users_table.items()
    same = _update(
        api,
        user,
        {
            "phone": "0772123456",
            "district": "Fort Portal",
            "language": "lg",
            "specialties": ["MAIZE", "beans", "sweet potatoes"],
        },
    )
    assert same.status == 200, same.text
    assert users_table.items() == after


def test_role_rules_for_specialties_and_interests(api, users, users_table) -> None:
    buyer = users.register("buyer")
    farmer = users.register("farmer")
    both = users.register("both")
    before = users_table.items()

    buyer_specialties = _update(api, buyer, {"specialties": ["maize"]})
    farmer_interests = _update(api, farmer, {"interests": ["maize"]})

    assert buyer_specialties.status == 422, buyer_specialties.text
    assert buyer_specialties.fields == {"specialties"}
    assert farmer_interests.status == 422, farmer_interests.text
    assert farmer_interests.fields == {"interests"}
    assert users_table.items() == before
    mixed = _update(api, both, {"specialties": ["Maize"], "interests": ["Coffee"]})
    assert mixed.status == 200, mixed.text
    assert (mixed.json["specialties"], mixed.json["interests"]) == (["maize"], ["coffee"])
    assert _update(api, buyer, {"interests": ["Maize", "MAIZE"]}).json["interests"] == ["maize"]


def test_a_concurrent_change_is_409_and_the_stale_write_is_dropped(
    api, users, users_table, monkeypatch
) -> None:
    user = users.register("farmer")
    original_get_user = UsersDal.get_user

    def read_then_someone_else_writes(self, user_id):
        stale = original_get_user(self, user_id)
        users_table.table.update_item(  # another request commits between our read and our write
            Key={"pk": f"USER#{user_id}", "sk": "PROFILE"},
            UpdateExpression="SET version = version + :one, district = :d",
            ExpressionAttributeValues={":one": 1, ":d": "Lira"},
        )
        return stale

    monkeypatch.setattr(UsersDal, "get_user", read_then_someone_else_writes)
    outbox_before = users_table.outbox()

    reply = _update(api, user, {"district": "Gulu", "specialties": ["maize"]})

    assert reply.status == 409, reply.text
    assert reply.error["code"] == "CONCURRENT_UPDATE"
    stored = users_table.profile(user.id)
    assert stored["district"] == "Lira" and stored["specialties"] == []
    assert stored["version"] == 2
    assert users_table.outbox() == outbox_before  # no ProfileUpdated for a write that did not happen
    [entry] = [i for i in users_table.of_user(user.id) if i["sk"] == "DIR#farmer"]
    assert not entry["gsi1sk"].startswith("gulu#")


def test_changing_phone_moves_the_uniqueness_guard_once_the_new_one_is_verified(
    api, users, users_table, sms
) -> None:
    amina = users.register("farmer", phone="+256772000001")
    brian = users.register("buyer", phone="+256772000002", session=None)

    pending = _update(api, amina, {"phone": "0772000003"})

    assert pending.status == 200, pending.text
    assert (pending.json["phone"], pending.json["pending_phone"]) == ("+256772000001", "+256772000003")
    assert users_table.item("PHONE#+256772000001", "PHONE")["user_id"] == amina.id  # still the verified one
    assert users_table.item("PHONE#+256772000003", "PHONE") is None
    moved = users.verify_phone(amina, "+256772000003")
    assert moved.phone == "+256772000003"
    assert users_table.item("PHONE#+256772000001", "PHONE") is None
    assert users_table.item("PHONE#+256772000003", "PHONE")["user_id"] == amina.id
    # the old number is free for someone else
    carol = users.register("buyer", phone="0772000001", session=None)
    assert users_table.item("PHONE#+256772000001", "PHONE")["user_id"] == carol.id

    before = users_table.profile(amina.id)
    texts = len(sms.messages())
    taken = _update(api, amina, {"phone": brian.phone, "district": "Gulu"})

    assert taken.status == 409, taken.text
    assert taken.error["code"] == "PHONE_TAKEN"
    assert taken.fields == {"phone"}
    assert len(sms.messages()) == texts  # no code is sent to a number another account verified
    assert users_table.profile(amina.id) == before  # nothing of the update was applied
    assert users_table.item("PHONE#+256772000003", "PHONE")["user_id"] == amina.id
    assert users_table.item("PHONE#+256772000002", "PHONE")["user_id"] == brian.id
    assert api.get("/users/me", token=amina.access_token).json["phone"] == "+256772000003"


def test_bad_updates_are_4xx_and_change_nothing(api, users, users_table) -> None:
    user = users.register("farmer")
    before = users_table.items()
    cases = {
        "district too short": ({"district": "G"}, "district"),
        "district with markup": ({"district": "<Gulu>"}, "district"),
        "district with digits": ({"district": "Gulu 2"}, "district"),
        "bad specialty": ({"specialties": ["maize!"]}, "specialties"),
        "too many specialties": ({"specialties": [f"crop {i}" for i in range(21)]}, "specialties"),
        "unknown language": ({"language": "fr"}, "language"),
        "bad phone": ({"phone": "12345"}, "phone"),
        "role escalation": ({"role": "admin"}, "role"),
        "email change": ({"email": "other@example.com"}, "email"),
        "password change": ({"password": "Something-new-2026"}, "password"),
        "rating": ({"rating_count": 100}, "rating_count"),
    }
    for case, (body, field) in cases.items():
        reply = _update(api, user, body)
        assert reply.status == 422, (case, reply.text)
        assert field in reply.fields, (case, reply.text)
    assert _update(api, user, None, raw_body="{district: Gulu}").status == 400
    assert _update(api, user, {"district": "Gulu"}, content_type="text/plain").status == 415
    assert users_table.items() == before
    assert api.get("/users/me", token=user.access_token).json["role"] == "farmer"


def test_owner_routes_act_only_on_the_caller_from_the_authorizer(api, users, users_table) -> None:
    amina = users.register("farmer", phone="+256772000001")
    brian = users.register("buyer", phone="+256772000002")
    brian_before = users_table.of_user(brian.id)
    claims = {"x-user-id": brian.id, "x-soko-user": brian.id, "userid": brian.id}

    reads = [
        api.get("/auth/me", token=amina.access_token, headers=claims, query={"userId": brian.id}),
        api.get("/users/me", token=amina.access_token, headers=claims, query={"id": brian.id}),
    ]
    with_id = _update(api, amina, {"id": brian.id, "district": "Lira"})
    with_user_id = _update(api, amina, {"userId": brian.id, "district": "Lira"})
    via_headers = _update(api, amina, {"district": "Lira"}, headers=claims, query={"userId": brian.id})

    assert [r.json["id"] for r in reads] == [amina.id, amina.id]
    assert all(brian.email not in r.text for r in reads)
    assert with_id.status == 422 and with_id.fields == {"id"}
    assert with_user_id.status == 422 and with_user_id.fields == {"userId"}
    assert via_headers.status == 200 and via_headers.json["id"] == amina.id
    assert users_table.of_user(brian.id) == brian_before
    assert users_table.profile(amina.id)["district"] == "Lira"


def test_nulls_the_fuzzer_sent_keep_what_cannot_be_null(api, users, users_table) -> None:
    """Found by fuzzing: an explicit null language (or list) was a 500. Null keeps them; null
    district and phone clear them."""
    user = users.register("both", phone="+256772555001")
    assert _update(api, user, {"district": "Gulu", "language": "lg", "interests": ["maize"]}).status == 200
    fuzzed = {
        "district": None,
        "fullName": "",
        "interests": [],
        "language": None,
        "phone": None,
        "specialties": [],
    }

    reply = _update(api, user, fuzzed)

    assert reply.status == 200, reply.text
    body = reply.json
    assert (body["district"], body["phone"], body["fullName"]) == (None, None, "")
    assert (body["language"], body["interests"], body["specialties"]) == ("lg", [], [])
    kept = _update(api, user, {"specialties": None, "interests": None, "language": None})
    assert kept.status == 200, kept.text
    assert users_table.profile(user.id)["language"] == "lg"
    farmer = users.register("farmer")
    assert _update(api, farmer, {"interests": None, "language": None}).status == 200  # nothing given
    assert _update(api, farmer, {"interests": []}).status == 422  # still only buyers list interests
