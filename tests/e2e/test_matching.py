"""Matching end to end: a newly registered user (who fills in the profile) reaches recommendations
within seconds through the outbox relay, the bus, the feature-store queue and its consumer (no
timer involved); the bootstrap state machine runs for an admin."""

from __future__ import annotations

import time
import uuid
from typing import Any

import requests

PASSWORD = "Lira-sorghum-2026"


def _account(http: requests.Session, url: str, role: str, **profile: Any) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    created = http.post(
        f"{url}/auth/register",
        json={"email": email, "password": PASSWORD, "role": role, "fullName": profile.pop("full_name", None)},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    token = http.post(f"{url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    updated = http.put(f"{url}/users/me", headers=headers, json=profile, timeout=30)  # ProfileUpdated
    assert updated.status_code == 200, updated.text
    return created.json()["id"], headers


def test_a_new_farmer_appears_in_a_buyers_recommendations_within_seconds(
    soko, http: requests.Session
) -> None:  # type: ignore[no-untyped-def]
    crop = "millet"
    buyer_id, buyer = _account(http, soko.url, "buyer", district="Soroti", interests=[crop])
    farmer_id, _ = _account(
        http, soko.url, "farmer", district="Soroti", specialties=[crop], full_name="Akello Grace"
    )
    started = time.monotonic()
    found: dict[str, Any] | None = None
    while time.monotonic() - started < 20 and found is None:
        response = http.get(
            f"{soko.url}/ml/recommend/farmers-for-buyer/{buyer_id}",
            headers=buyer,
            params={"top_n": 50},
            timeout=30,
        )
        if response.status_code == 200:
            found = next((m for m in response.json()["items"] if m["id"] == farmer_id), None)
        if found is None:
            time.sleep(0.3)
    assert found is not None, "the new farmer never reached the buyer's recommendations"
    assert found["full_name"] == "Akello Grace"
    assert found["explanation"].startswith("grows 1 of your 1 crop · same district")
    other = http.get(f"{soko.url}/ml/recommend/buyers-for-farmer/{farmer_id}", headers=buyer, timeout=30)
    assert other.status_code == 403


def test_the_bootstrap_state_machine_runs_for_an_admin(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    import os  # noqa: PLC0415

    _account(http, soko.url, "farmer", district="Gulu", specialties=["sorghum"])
    token = http.post(
        f"{soko.url}/auth/login",
        json={
            "email": os.environ.get("SOKO_ADMIN_EMAIL", "admin@soko.ug"),
            "password": os.environ.get("SOKO_ADMIN_PASSWORD", "Matooke-Market-Dev-2026"),
        },
        timeout=30,
    ).json()
    admin = {"Authorization": f"Bearer {token['access_token']}"}
    started = http.post(f"{soko.url}/ingest/bootstrap", headers=admin, timeout=30)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = http.get(f"{soko.url}/ingest/bootstrap/status", headers=admin, timeout=30).json()
        if status["status"] != "RUNNING":
            break
        time.sleep(0.5)
    assert status["execution_id"] == started.json()["execution_id"]
    assert status["status"] == "SUCCEEDED", status
    assert status["output"]["total"] >= 1 and status["output"]["reset"] == {"caches": "reset"}
