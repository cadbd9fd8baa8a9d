"""POST /alerts, GET /alerts, DELETE /alerts/{id} through their handlers: every input validated into a
4xx naming the field; crops and markets normalised (any name, alias, Luganda; a district's nearest
market); at most 20 per user (409); the caller's own list by Query with an opaque cursor; someone
else's alert is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from alerts_support import Gateway

from soko.alerts.models import MAX_SUBSCRIPTIONS
from support.tables import Table
from support.users import User, new_user

ALERT = {"crop": "maize", "market": "Lira", "below_ugx": 900}


def create(gateway: Gateway, user: User, **fields: Any) -> dict[str, Any]:
    return dict(gateway.post("/alerts", {**ALERT, **fields}, user=user).expect(201).json)


def test_a_user_subscribes_with_any_crop_and_market_name(gateway: Gateway, alerts_table: Table) -> None:
    user = new_user("farmer")
    alert = create(gateway, user, crop="Kasooli", market="owino", below_ugx=None, above_ugx=1500, digest=True)
    assert alert["crop"] == "maize_grain" and alert["market"] == "Kisenyi_Kampala"
    assert alert["above_ugx"] == 1500 and alert["digest"] is True and alert["below_ugx"] is None
    assert alert["crop_name"] == "Maize" and alert["market_name"] == "Kampala" and alert["channel"] == "app"
    stored = alerts_table.item(f"OWNER#USER#{user.id}", f"SUB#{alert['id']}")
    assert stored is not None and stored["gsi1pk"] == "PAIR#maize_grain#Kisenyi_Kampala"
    assert stored["user_id"] == user.id and "gsi2pk" in stored  # in the digest index
    assert alerts_table.item(f"OWNER#USER#{user.id}", "COUNT")["n"] == 1  # type: ignore[index]


def test_a_district_subscribes_to_its_nearest_market(gateway: Gateway) -> None:
    alert = create(gateway, new_user("buyer"), market=None, district="Kitgum")
    assert alert["market"] == "Gulu"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"crop": "granite"}, "crop"),
        ({"market": "Atlantis"}, "market"),
        ({"market": None}, "body"),  # neither market nor district
        ({"district": "Gulu"}, "body"),  # both
        ({"below_ugx": None}, "body"),  # no rule
        ({"below_ugx": 0}, "below_ugx"),
        ({"below_ugx": 2000, "above_ugx": 1000}, "body"),
        ({"forecast_move_pct": 0, "below_ugx": None}, "forecast_move_pct"),
        ({"user_id": "someone"}, "user_id"),  # unknown fields refused
        ({"crop": ""}, "crop"),
    ],
)
def test_bad_inputs_are_422_naming_the_field(gateway: Gateway, fields: dict[str, Any], field: str) -> None:
    reply = gateway.post("/alerts", {**ALERT, **fields}, user=new_user()).expect(422)
    assert field in reply.fields, reply.json


def test_malformed_json_is_400(gateway: Gateway) -> None:
    gateway.post("/alerts", "{not json", user=new_user()).expect(400)


def test_at_most_20_alerts_per_user(gateway: Gateway) -> None:
    user = new_user()
    for _ in range(MAX_SUBSCRIPTIONS):
        create(gateway, user)
    gateway.post("/alerts", ALERT, user=user).expect(409, "TOO_MANY_ALERTS")
    first = gateway.get("/alerts", user=user, query={"limit": 1}).expect(200).json["items"][0]
    gateway.delete(f"/alerts/{first['id']}", user=user).expect(204)
    create(gateway, user)  # room again


def test_an_idempotency_key_creates_once(gateway: Gateway, alerts_table: Table) -> None:
    user = new_user()
    headers = {"Idempotency-Key": "alert-key-0001"}
    one = gateway.post("/alerts", ALERT, user=user, headers=headers).expect(201).json
    two = gateway.post("/alerts", ALERT, user=user, headers=headers).expect(201).json
    assert one == two
    assert len(alerts_table.with_prefix(f"OWNER#USER#{user.id}")) == 2  # the alert and the count


def test_the_list_is_the_callers_own_newest_first_by_query(gateway: Gateway) -> None:
    user, other = new_user(), new_user()
    made = [create(gateway, user, below_ugx=900 + i)["id"] for i in range(5)]
    create(gateway, other)
    seen: list[str] = []
    cursor = None
    while True:
        page = gateway.get("/alerts", user=user, query={"limit": 2, "cursor": cursor}).expect(200).json
        assert "Scan" not in gateway.operations and "Query" in gateway.operations
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


def test_a_foreign_or_tampered_cursor_is_400(gateway: Gateway) -> None:
    user, other = new_user(), new_user()
    for _ in range(3):
        create(gateway, other)
    cursor = gateway.get("/alerts", user=other, query={"limit": 1}).expect(200).json["next_cursor"]
    gateway.get("/alerts", user=user, query={"cursor": cursor}).expect(400, "INVALID_CURSOR")
    gateway.get("/alerts", user=user, query={"cursor": "garbage"}).expect(400, "INVALID_CURSOR")
    gateway.get("/alerts", user=user, query={"limit": 0}).expect(422)


def test_delete_ends_only_the_owners_alert(gateway: Gateway, alerts_table: Table) -> None:
    user, other = new_user(), new_user()
    alert = create(gateway, user)
    gateway.delete(f"/alerts/{alert['id']}", user=other).expect(404, "ALERT_NOT_FOUND")
    gateway.delete("/alerts/not-an-id", user=user).expect(404, "ALERT_NOT_FOUND")
    gateway.delete(f"/alerts/{alert['id']}", user=user).expect(204)
    gateway.delete(f"/alerts/{alert['id']}", user=user).expect(404, "ALERT_NOT_FOUND")
    assert gateway.get("/alerts", user=user).expect(200).json["items"] == []
    assert alerts_table.item(f"OWNER#USER#{user.id}", "COUNT")["n"] == 0  # type: ignore[index]


def test_the_routes_need_a_caller(gateway: Gateway) -> None:
    gateway.request("GET", "/alerts", skip_authorizer=True).expect(401)
