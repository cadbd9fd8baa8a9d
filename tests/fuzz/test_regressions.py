"""Requests the fuzz found answered with a 500, kept as plain regression tests (each a case the
fuzz may not generate again). The route and profile cases were fixed on branch i13-bounds."""

from __future__ import annotations

import requests
from fuzz_world import World


def test_route_with_a_tiny_quantity_and_no_longitude_is_not_a_server_error(world: World) -> None:
    body = {"crop": "0", "district": "", "lat": 0.0, "lon": None, "quantity_kg": 5e-324}
    reply = requests.post(f"{world.url}/location/route", json=body, timeout=60)

    assert reply.status_code < 500, reply.text


def test_a_profile_update_with_null_interests_is_not_a_server_error(world: World) -> None:
    """Found by the fuzz (the issue's own example answers 4xx on this branch)."""
    reply = requests.put(
        f"{world.url}/users/me", json={"interests": None}, headers=world.headers("buyer"), timeout=60
    )

    assert reply.status_code < 500, reply.text


def test_a_delivery_report_with_more_than_20_fields_is_400_not_500(world: World) -> None:
    """Found once the document described the form (the parser refuses more than 20 fields)."""
    form = "id=ATXid_1&status=Success&" + "&".join(f"phoneNumber={n}" for n in range(20))
    reply = requests.post(
        f"{world.url}/sms/delivery-reports",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
    )

    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["code"] == "BAD_REQUEST"
