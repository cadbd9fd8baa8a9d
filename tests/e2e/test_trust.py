"""Issue 14's promise, black-box over HTTP against the real application under the local runtime:
the buyer's money moves on the buyer's word. A farmer alone cannot release escrow; the buyer's
receipt does; a dispute freezes it and an admin's release, refund or split leaves the order's
accounts at zero with both parties told; the admin's action is in the audit log; the farmer's
statement closes on the ledger's balance. (Timers: tests/e2e/test_order_timers.py; suspension,
sessions, phones and SMS quotas: tests/e2e/test_identity_trust.py.)"""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from .test_market import TIMEOUT, User, create_listing, new_user, placed, set_status
from .test_payments import eventually

ADMIN_EMAIL = os.environ.get("SOKO_ADMIN_EMAIL", "admin@soko.ug")
ADMIN_PASSWORD = os.environ.get("SOKO_ADMIN_PASSWORD", "Matooke-Market-Dev-2026")
COMMISSION_PERCENT = 5  # the template's default CommissionPercent


def admin_headers(soko: Any, http: requests.Session) -> dict[str, str]:
    reply = http.post(
        f"{soko.url}/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, timeout=TIMEOUT
    )
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def get(soko: Any, http: requests.Session, path: str, headers: dict[str, str], **params: Any) -> Any:
    reply = http.get(f"{soko.url}{path}", headers=headers, params=params, timeout=TIMEOUT)
    assert reply.status_code == 200, f"{path}: {reply.status_code} {reply.text}"
    return reply.json()


def post(soko: Any, http: requests.Session, path: str, headers: dict[str, str], body: Any = None) -> Any:
    return http.post(f"{soko.url}{path}", json=body, headers=headers, timeout=TIMEOUT)


def paid_order(soko: Any, http: requests.Session, farmer: User, buyer: User, kg: str) -> tuple[dict, dict]:
    """A confirmed order the buyer paid (sandbox PesaPal), its escrow held: (order, payment)."""
    listing = create_listing(soko, http, farmer, price_per_kg=1_000)
    order = placed(soko, http, buyer, listing["id"], kg)
    assert set_status(soko, http, farmer, order["id"], "confirmed").status_code == 200
    started = post(
        soko, http, "/payments/initiate", buyer.headers, {"order_id": order["id"], "phone": "0772123456"}
    )
    assert started.status_code == 201, started.text
    payment = started.json()
    paid = http.post(f"{soko.url}/_sandbox/pesapal/{payment['order_tracking_id']}/complete", timeout=TIMEOUT)
    assert paid.status_code == 200, paid.text
    eventually(
        lambda: get(soko, http, f"/orders/{order['id']}", buyer.headers)["payment_status"] == "paid (escrow)",
        "the order to show paid (escrow)",
    )
    return order, payment


def escrow_state(soko: Any, http: requests.Session, buyer: User, payment: dict) -> str:
    return str(get(soko, http, f"/payments/{payment['payment_id']}/status", buyer.headers)["escrow"])


def balance(soko: Any, http: requests.Session, admin: dict[str, str], account: str) -> int:
    reply = http.get(f"{soko.url}/admin/ledger/{account}", headers=admin, timeout=TIMEOUT)
    if reply.status_code == 404:  # an account nothing was ever posted to
        return 0
    assert reply.status_code == 200, reply.text
    return int(reply.json()["balance"])


def commission(gross: int) -> int:
    return (gross * COMMISSION_PERCENT + 50) // 100  # half up, as the ledger rounds


def test_the_farmer_alone_cannot_release_escrow_and_the_buyers_receipt_does(
    soko: Any, http: requests.Session
) -> None:
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    order, payment = paid_order(soko, http, farmer, buyer, "8")

    refused = set_status(soko, http, farmer, order["id"], "completed")
    assert refused.status_code == 409, refused.text
    assert (
        post(soko, http, f"/orders/{order['id']}/receipt", buyer.headers).status_code == 409
    )  # not delivered
    assert set_status(soko, http, farmer, order["id"], "delivered").status_code == 200
    assert post(soko, http, f"/orders/{order['id']}/receipt", farmer.headers).status_code in (403, 404)
    assert escrow_state(soko, http, buyer, payment) == "held"

    received = post(soko, http, f"/orders/{order['id']}/receipt", buyer.headers)
    assert received.status_code == 200, received.text
    assert received.json()["status"] == "completed"
    eventually(lambda: escrow_state(soko, http, buyer, payment) == "released", "the payout to be scheduled")
    trail = get(soko, http, f"/orders/{order['id']}", buyer.headers)["money_trail"]
    assert trail["payment_status"] == "completed" and trail["amount_ugx"] == 8_000
    assert [m["kind"] for m in trail["movements"]] == ["paid", "released"]
    assert trail["movements"][1]["to_farmer_ugx"] == 8_000 - commission(8_000)


@pytest.mark.parametrize(("outcome", "buyer_share"), [("release", 0), ("refund", 12_000), ("split", 5_000)])
def test_a_dispute_freezes_escrow_and_an_admins_resolution_leaves_the_ledger_at_zero(
    soko: Any, http: requests.Session, outcome: str, buyer_share: int
) -> None:
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    admin = admin_headers(soko, http)
    order, payment = paid_order(soko, http, farmer, buyer, "12")
    total = order["total_ugx"]
    assert total == 12_000
    assert set_status(soko, http, farmer, order["id"], "delivered").status_code == 200

    opened = post(
        soko,
        http,
        f"/orders/{order['id']}/disputes",
        buyer.headers,
        {"reason": "poor_quality", "details": "Half the sacks were wet and mouldy."},
    )
    assert opened.status_code in (200, 201), opened.text
    assert get(soko, http, f"/orders/{order['id']}", buyer.headers)["status"] == "disputed"
    eventually(lambda: escrow_state(soko, http, buyer, payment) == "frozen", "the escrow to freeze")
    # Once disputed, the buyer's receipt cannot slip the money out either.
    assert post(soko, http, f"/orders/{order['id']}/receipt", buyer.headers).status_code == 409

    def open_case() -> dict[str, Any] | None:
        items = get(soko, http, "/admin/disputes", admin, status="open", limit=100)["items"]
        return next((c for c in items if c["order_id"] == order["id"]), None)

    case = eventually(open_case, "the dispute case")
    body: dict[str, Any] = {"outcome": outcome, "reason": f"e2e: {outcome} after photos and a call"}
    if outcome == "split":
        body["buyer_amount_ugx"] = buyer_share
    resolved = post(soko, http, f"/admin/disputes/{case['id']}/resolve", admin, body)
    assert resolved.status_code == 200, resolved.text
    again = post(soko, http, f"/admin/disputes/{case['id']}/resolve", admin, body)
    assert again.status_code == 409, again.text

    eventually(
        lambda: get(soko, http, f"/orders/{order['id']}", buyer.headers)["status"] == "resolved",
        "the order to show the resolution",
    )
    escrow = f"escrow:{order['id']}"
    eventually(lambda: balance(soko, http, admin, escrow) == 0, "the order's escrow to empty")
    farmer_share = total - buyer_share
    fee = commission(farmer_share)

    def accounts() -> dict[str, int]:
        return {
            "buyer": balance(soko, http, admin, f"buyer:{buyer.id}"),
            "escrow": balance(soko, http, admin, escrow),
            "refund": balance(soko, http, admin, f"refund:{payment['payment_id']}"),
            "farmer": balance(soko, http, admin, f"farmer:{farmer.id}"),
        }

    # Each account is read by its own request while a refund may still move from refund:<payment>
    # to the buyer: read them again until one reading is of a settled ledger. A full refund goes
    # through the provider at once; PesaPal refunds a mobile-money payment only in full, so a split's
    # part waits in refund:<payment> for an admin (a mismatch case), still balanced.
    def settled() -> dict[str, int] | None:
        seen = accounts()
        waiting = buyer_share if outcome == "split" else 0
        return seen if seen["refund"] == waiting and seen == accounts() else None

    final = eventually(settled, "the refund to reach the buyer")
    # The buyer paid in the total; what is not theirs again went to the farmer less the fee.
    assert final["farmer"] == farmer_share - fee
    assert final["buyer"] + final["refund"] == -farmer_share
    assert final["escrow"] == 0
    assert sum(final.values()) + fee == 0
    if outcome == "split":
        cases = get(soko, http, "/admin/payments/mismatches", admin, limit=100)["items"]
        assert payment["payment_id"] in {c["payment_id"] for c in cases}

    for party in (buyer, farmer):
        eventually(
            lambda party=party: any(
                n["type"] == "dispute_resolved"
                for n in get(soko, http, "/notifications/", party.headers)["items"]
            ),
            f"the {party.role} to be told",
        )
    audit = eventually(
        lambda: get(soko, http, "/admin/audit", admin, target=case["id"])["items"], "the audit entry"
    )
    assert [(a["action"], a["reason"]) for a in audit] == [("dispute.resolve", body["reason"])]


def test_the_farmers_statement_closes_on_the_ledger(soko: Any, http: requests.Session) -> None:
    farmer, buyer = new_user(soko, http, "farmer"), new_user(soko, http, "buyer")
    admin = admin_headers(soko, http)
    for kg in ("7", "3"):
        order, payment = paid_order(soko, http, farmer, buyer, kg)
        assert set_status(soko, http, farmer, order["id"], "delivered").status_code == 200
        assert post(soko, http, f"/orders/{order['id']}/receipt", buyer.headers).status_code == 200
        eventually(lambda payment=payment: escrow_state(soko, http, buyer, payment) == "released", "payout")

    month = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m")  # East Africa Time
    reply = http.get(
        f"{soko.url}/payments/statements/{month}",
        params={"format": "csv"},
        headers=farmer.headers,
        timeout=TIMEOUT,
    )
    assert reply.status_code == 200, reply.text
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    closing = next(r for r in rows if r["kind"] == "closing_balance")
    expected = (7_000 - commission(7_000)) + (3_000 - commission(3_000))
    assert int(closing["balance_ugx"]) == balance(soko, http, admin, f"farmer:{farmer.id}") == expected
    pdf = http.get(
        f"{soko.url}/payments/statements/{month}",
        params={"format": "pdf"},
        headers=farmer.headers,
        timeout=TIMEOUT,
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
