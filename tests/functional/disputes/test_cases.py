"""Disputes through their handlers: a disputed order becomes one case whatever the redeliveries;
admins list cases by status (Query only, opaque cursors), read one with short-lived photo URLs, and
resolve it once, the resolution and its events (DisputeResolved, AdminActionTaken) written together
through the outbox; the order's buyer and farmer follow their case, nobody else sees it."""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import pytest
from disputes_support import Case, Disputes, DisputesTable, Gateway, disputed_detail

from soko.disputes.events import AdminActionTaken, DisputeResolved
from soko.shared import ids
from support.events import eventbridge_event, sqs_event
from support.users import User, new_user

ADMIN = new_user("admin")
REASON = "Half the bags were wet on arrival (photos)."


def resolve(gateway: Gateway, case: Case, user: User = ADMIN, **body: Any) -> Any:
    return gateway.post(f"/admin/disputes/{case.id}/resolve", {"reason": REASON, **body}, user=user)


def listed(gateway: Gateway, **query: Any) -> list[dict[str, Any]]:
    """Every page of the admins' list, following next_cursor; asserts each page was a Query."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = gateway.get("/admin/disputes", user=ADMIN, query={**query, "cursor": cursor}).expect(200).json
        assert "Scan" not in gateway.operations and "Query" in gateway.operations, gateway.operations
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


# ---------------------------------------------------------------------------- the consumer
def test_a_disputed_order_becomes_one_open_case(disputes: Disputes, disputes_table: DisputesTable) -> None:
    case = disputes.open()

    [stored] = disputes_table.cases()
    assert stored["id"] == case.id and stored["status"] == "open"
    assert (stored["order_id"], stored["buyer_id"], stored["farmer_id"], stored["total_ugx"]) == (
        case.order_id,
        case.buyer.id,
        case.farmer.id,
        120_000,
    )
    assert stored["photos"] == case.detail["photos"] and stored["reason"] == "quality"
    assert disputes_table.outbox() == []  # opening publishes nothing of ours (the market said it)


def test_the_same_event_twice_and_a_republished_one_leave_one_case(
    disputes: Disputes, disputes_table: DisputesTable
) -> None:
    case = disputes.open()
    before = disputes_table.snapshot()

    assert disputes.deliver(case.detail) == {"batchItemFailures": []}  # the same event id
    again = {**case.detail, "event_id": ids.ulid(), "details": "changed"}  # the same dispute, a new event
    assert disputes.deliver(again) == {"batchItemFailures": []}

    assert disputes_table.snapshot() == before


def test_a_resolved_case_is_not_reopened_by_a_late_redelivery(
    disputes: Disputes, disputes_table: DisputesTable, gateway: Gateway
) -> None:
    case = disputes.open()
    resolve(gateway, case, outcome="release").expect(200)

    assert disputes.deliver({**case.detail, "event_id": ids.ulid()}) == {"batchItemFailures": []}

    [stored] = disputes_table.cases()
    assert stored["status"] == "resolved"


def test_a_malformed_event_fails_its_record_alone(disputes: Disputes, disputes_table: DisputesTable) -> None:
    good = disputed_detail(new_user("buyer"), new_user("farmer"))
    bad = {**disputed_detail(new_user("buyer"), new_user("farmer")), "total_ugx": "a lot"}
    batch = sqs_event(*(eventbridge_event("soko.orders", "OrderDisputed", d) for d in (good, bad)))

    answer = disputes.gateway.invoke("DisputesConsumerFunction", batch)

    assert answer == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert [c["id"] for c in disputes_table.cases()] == [good["dispute_id"]]


# ---------------------------------------------------------------------------- GET /admin/disputes
@pytest.mark.parametrize("role", ["buyer", "farmer", "both"])
def test_only_admins_list_disputes(gateway: Gateway, disputes: Disputes, role: str) -> None:
    disputes.open()
    gateway.get("/admin/disputes", user=new_user(role)).expect(403, "FORBIDDEN")


def test_open_disputes_newest_or_oldest_first_in_pages(gateway: Gateway, disputes: Disputes) -> None:
    cases = [disputes.open(opened_at=f"2026-11-21T09:3{n}:00Z") for n in range(5)]

    newest = listed(gateway, limit=2)
    oldest = listed(gateway, limit=2, sort="oldest")

    assert [c["id"] for c in newest] == [c.id for c in reversed(cases)]
    assert [c["id"] for c in oldest] == [c.id for c in cases]
    first = oldest[0]
    assert first["status"] == "open" and first["photo_count"] == 2 and first["total_ugx"] == 120_000
    assert "outcome" not in first or first["outcome"] is None
    assert listed(gateway, status="resolved") == []


def test_a_resolved_dispute_moves_to_the_resolved_list(gateway: Gateway, disputes: Disputes) -> None:
    kept, resolved = disputes.open(), disputes.open()
    resolve(gateway, resolved, outcome="refund").expect(200)

    assert [c["id"] for c in listed(gateway)] == [kept.id]
    [item] = listed(gateway, status="resolved")
    assert (item["id"], item["status"], item["outcome"]) == (resolved.id, "resolved", "refund")
    assert item["resolved_at"].endswith("Z")


@pytest.mark.parametrize(
    "query",
    [{"status": "closed"}, {"sort": "random"}, {"limit": 0}, {"limit": 101}, {"limit": "x"}],
    ids=["status", "sort", "limit0", "limit101", "limit-text"],
)
def test_bad_list_parameters_are_422(gateway: Gateway, query: dict[str, Any]) -> None:
    gateway.get("/admin/disputes", user=ADMIN, query=query).expect(422)


def test_a_tampered_or_foreign_cursor_is_400(gateway: Gateway, disputes: Disputes) -> None:
    for n in range(3):
        disputes.open(opened_at=f"2026-11-21T09:3{n}:00Z")
    cursor = gateway.get("/admin/disputes", user=ADMIN, query={"limit": 1}).expect(200).json["next_cursor"]
    assert cursor

    gateway.get("/admin/disputes", user=ADMIN, query={"cursor": cursor[:-4] + "AAAA"}).expect(
        400, "INVALID_CURSOR"
    )
    for other in ({"status": "resolved"}, {"sort": "oldest"}):  # another list's cursor
        gateway.get("/admin/disputes", user=ADMIN, query={**other, "cursor": cursor}).expect(
            400, "INVALID_CURSOR"
        )


# ---------------------------------------------------------------------------- GET /admin/disputes/{id}
def test_an_admin_reads_a_case_with_short_lived_photo_urls(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open()

    body = gateway.get(f"/admin/disputes/{case.id}", user=ADMIN).expect(200).json

    assert (body["id"], body["status"], body["resolution"], body["version"]) == (case.id, "open", None, 1)
    assert body["details"] == "Half the bags were wet on arrival." and body["reason"] == "quality"
    assert len(body["photos"]) == 2
    for photo, key in zip(body["photos"], case.detail["photos"], strict=True):
        url = urllib.parse.urlparse(photo["url"])
        assert url.path.endswith(key)
        query = urllib.parse.parse_qs(url.query)
        if "X-Amz-Expires" in query:  # SigV4
            assert query["X-Amz-Expires"] == ["300"]
        else:  # SigV2: the moment it expires
            assert 0 < int(query["Expires"][0]) - time.time() <= 300


def test_reading_a_case_is_for_admins_and_an_unknown_one_is_404(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open()

    gateway.get(f"/admin/disputes/{case.id}", user=case.buyer).expect(403)
    gateway.get(f"/admin/disputes/{ids.ulid()}", user=ADMIN).expect(404, "DISPUTE_NOT_FOUND")
    gateway.get(f"/admin/disputes/{'x' * 3000}", user=ADMIN).expect(404, "DISPUTE_NOT_FOUND")


# ---------------------------------------------------------------------------- POST .../resolve
@pytest.mark.parametrize(
    ("body", "buyer", "farmer"),
    [
        ({"outcome": "release"}, 0, 120_000),
        ({"outcome": "release", "buyer_amount_ugx": 0}, 0, 120_000),
        ({"outcome": "refund"}, 120_000, 0),
        ({"outcome": "refund", "buyer_amount_ugx": 120_000}, 120_000, 0),
        ({"outcome": "split", "buyer_amount_ugx": 45_000}, 45_000, 75_000),
        ({"outcome": "split", "buyer_amount_ugx": 1}, 1, 119_999),
        ({"outcome": "split", "buyer_amount_ugx": 119_999}, 119_999, 1),
    ],
)
def test_resolving_writes_the_resolution_and_both_events_together(
    gateway: Gateway,
    disputes: Disputes,
    disputes_table: DisputesTable,
    body: dict[str, Any],
    buyer: int,
    farmer: int,
) -> None:
    case = disputes.open()

    answer = resolve(gateway, case, **body).expect(200).json

    resolution = answer["resolution"]
    assert answer["status"] == "resolved" and answer["version"] == 2
    assert (resolution["outcome"], resolution["buyer_amount_ugx"], resolution["farmer_amount_ugx"]) == (
        body["outcome"],
        buyer,
        farmer,
    )
    assert resolution["reason"] == REASON and resolution["resolved_by"] == ADMIN.id
    assert gateway.get(f"/admin/disputes/{case.id}", user=ADMIN).expect(200).json["resolution"] == resolution

    [resolved] = disputes_table.outbox_details("DisputeResolved")
    event = DisputeResolved.model_validate(resolved)
    assert (event.dispute_id, event.order_id, event.buyer_id, event.farmer_id) == (
        case.id,
        case.order_id,
        case.buyer.id,
        case.farmer.id,
    )
    assert (event.total_ugx, event.buyer_amount_ugx, event.farmer_amount_ugx) == (120_000, buyer, farmer)
    assert (event.resolved_by, event.reason) == (ADMIN.id, REASON)
    [[item]] = [disputes_table.outbox("AdminActionTaken")]
    assert item["source"] == "soko.disputes"
    action = AdminActionTaken.model_validate(json.loads(item["detail"]))
    assert (action.admin_id, action.action, action.target_type, action.target_id, action.reason) == (
        ADMIN.id,
        "dispute.resolve",
        "dispute",
        case.id,
        REASON,
    )
    assert action.details == {
        "order_id": case.order_id,
        "outcome": body["outcome"],
        "buyer_amount_ugx": buyer,
        "farmer_amount_ugx": farmer,
    }


def test_a_dispute_is_resolved_once(
    gateway: Gateway, disputes: Disputes, disputes_table: DisputesTable
) -> None:
    case = disputes.open()
    resolve(gateway, case, outcome="split", buyer_amount_ugx=60_000).expect(200)

    with disputes_table.unchanged():
        resolve(gateway, case, outcome="refund").expect(409, "DISPUTE_ALREADY_RESOLVED")
        resolve(gateway, case, outcome="split", buyer_amount_ugx=60_000).expect(409)

    assert len(disputes_table.outbox("DisputeResolved")) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"outcome": "split"},
        {"outcome": "split", "buyer_amount_ugx": 0},
        {"outcome": "split", "buyer_amount_ugx": 120_000},
        {"outcome": "split", "buyer_amount_ugx": 120_001},
        {"outcome": "release", "buyer_amount_ugx": 5_000},
        {"outcome": "refund", "buyer_amount_ugx": 60_000},
    ],
    ids=["split-missing", "split-0", "split-total", "split-over", "release-amount", "refund-partial"],
)
def test_amounts_that_do_not_fit_the_outcome_are_refused(
    gateway: Gateway, disputes: Disputes, disputes_table: DisputesTable, body: dict[str, Any]
) -> None:
    case = disputes.open()

    with disputes_table.unchanged():
        reply = resolve(gateway, case, **body).expect(422, "INVALID_RESOLUTION_AMOUNT")

    assert reply.fields == {"buyer_amount_ugx"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "split", "buyer_amount_ugx": -1}, "buyer_amount_ugx"),
        ({"outcome": "split", "buyer_amount_ugx": 600.0}, "buyer_amount_ugx"),
        ({"outcome": "split", "buyer_amount_ugx": "600"}, "buyer_amount_ugx"),
        ({"outcome": "forgive"}, "outcome"),
        ({"outcome": "release", "reason": ""}, "reason"),
        ({"outcome": "release", "reason": "   "}, "reason"),
        ({"outcome": "release", "reason": "x" * 501}, "reason"),
        ({"outcome": "release", "reason": None}, "reason"),
        ({"outcome": "release", "winner": "buyer"}, "winner"),
    ],
    ids=["negative", "float", "string", "outcome", "empty", "blank", "long", "null", "extra"],
)
def test_bad_resolutions_are_422_naming_the_field(
    gateway: Gateway, disputes: Disputes, disputes_table: DisputesTable, body: dict[str, Any], field: str
) -> None:
    case = disputes.open()

    with disputes_table.unchanged():
        reply = resolve(gateway, case, **body).expect(422)

    assert field in reply.fields


def test_a_resolution_without_a_reason_or_body_is_refused(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open()
    path = f"/admin/disputes/{case.id}/resolve"

    assert "reason" in gateway.post(path, {"outcome": "release"}, user=ADMIN).expect(422).fields
    gateway.post(path, raw_body="{not json", user=ADMIN).expect(400, "MALFORMED_JSON")


@pytest.mark.parametrize("role", ["buyer", "farmer", "both"])
def test_only_admins_resolve(
    gateway: Gateway, disputes: Disputes, disputes_table: DisputesTable, role: str
) -> None:
    case = disputes.open()

    with disputes_table.unchanged():
        resolve(gateway, case, new_user(role), outcome="refund").expect(403, "FORBIDDEN")
        resolve(gateway, case, case.buyer, outcome="refund").expect(403)


def test_resolving_an_unknown_dispute_is_404(gateway: Gateway) -> None:
    gateway.post(
        f"/admin/disputes/{ids.ulid()}/resolve", {"outcome": "release", "reason": REASON}, user=ADMIN
    ).expect(404, "DISPUTE_NOT_FOUND")


def test_a_one_shilling_order_cannot_be_split(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open(total_ugx=1)

    resolve(gateway, case, outcome="split", buyer_amount_ugx=1).expect(422, "INVALID_RESOLUTION_AMOUNT")
    resolve(gateway, case, outcome="refund").expect(200)


# ---------------------------------------------------------------------------- GET /disputes/{id}
def test_the_parties_follow_their_case(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open()

    for party in (case.buyer, case.farmer):
        body = gateway.get(f"/disputes/{case.id}", user=party).expect(200).json
        assert (body["status"], body["order_id"], body["resolution"]) == ("open", case.order_id, None)
        assert len(body["photos"]) == 2 and "version" not in body

    resolve(gateway, case, outcome="split", buyer_amount_ugx=20_000).expect(200)

    body = gateway.get(f"/disputes/{case.id}", user=case.farmer).expect(200).json
    assert body["status"] == "resolved"
    assert body["resolution"]["outcome"] == "split"
    assert (body["resolution"]["buyer_amount_ugx"], body["resolution"]["farmer_amount_ugx"]) == (
        20_000,
        100_000,
    )
    assert "resolved_by" not in body["resolution"]  # which admin decided is the admins' business


def test_nobody_else_sees_a_case(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open()

    for stranger in (new_user("buyer"), new_user("farmer"), new_user("both")):
        gateway.get(f"/disputes/{case.id}", user=stranger).expect(404, "DISPUTE_NOT_FOUND")
    gateway.get(f"/disputes/{ids.ulid()}", user=case.buyer).expect(404)
    assert gateway.get(f"/disputes/{case.id}", user=ADMIN).expect(200).json["id"] == case.id


def test_signed_out_callers_are_401(gateway: Gateway, disputes: Disputes) -> None:
    case = disputes.open()

    for method, path in (
        ("GET", "/admin/disputes"),
        ("GET", f"/admin/disputes/{case.id}"),
        ("GET", f"/disputes/{case.id}"),
    ):
        gateway.request(method, path, skip_authorizer=True).expect(401)
    gateway.post(f"/admin/disputes/{case.id}/resolve", {"outcome": "release", "reason": REASON}).expect(401)
