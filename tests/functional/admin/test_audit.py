"""The append-only admin audit log: the consumer of every domain's AdminActionTaken
(AdminAuditConsumerFunction) and GET /admin/audit (filters by admin, target and action, newest
first, cursor pages; Query only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from admin_support import Operations

from soko.admin.events import AdminActionTaken as AdminEvent
from soko.disputes.events import AdminActionTaken as DisputesEvent
from soko.identity.events import AdminActionTaken as IdentityEvent
from soko.market.events import AdminActionTaken as MarketEvent
from soko.shared import ids
from soko.shared.audit import AdminAction
from support.events import eventbridge_event, sqs_event
from support.gateway import Api
from support.lambda_env import Invoke
from support.tables import Table, empty_table
from support.users import User, new_user

CONSUMER = "AdminAuditConsumerFunction"
START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def action_event(
    contract: type[AdminAction],
    *,
    admin_id: str,
    action: str,
    target_id: str,
    minute: int = 0,
    target_type: str = "listing",
    **fields: Any,
) -> dict[str, Any]:
    detail = contract(
        admin_id=admin_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=fields.pop("reason", "a reason an auditor can read"),
        at=(START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        occurred_at=START + timedelta(minutes=minute),
        **fields,
    )
    source = getattr(contract, "SOURCE", "soko.users")
    return eventbridge_event(source, "AdminActionTaken", json.loads(detail.model_dump_json()))


def record(invoke: Invoke, *events: dict[str, Any]) -> list[Any]:
    return list(invoke(CONSUMER, sqs_event(*events))["batchItemFailures"])


def audit(api: Api, admin: User, **query: Any) -> Any:
    return api.get("/admin/audit", query=query, user=admin)


def event_ids(reply: Any) -> list[str]:
    return [item["event_id"] for item in reply.json["items"]]


# ---------------------------------------------------------------------------- the consumer
def test_every_domains_admin_action_is_recorded_once(
    invoke: Invoke, api: Api, audit_table: Table, admin: User
) -> None:
    events = [
        action_event(
            IdentityEvent, admin_id=admin.id, action="user.suspend", target_id="u1", target_type="user"
        ),
        action_event(MarketEvent, admin_id=admin.id, action="listing.takedown", target_id="l1", minute=1),
        action_event(DisputesEvent, admin_id=admin.id, action="dispute.resolve", target_id="d1", minute=2),
    ]
    assert record(invoke, *events) == []
    # a redelivery (the same event_id under a new EventBridge id), and the idempotency record gone
    redelivered = {**events[1], "id": "another-eventbridge-id"}
    assert record(invoke, redelivered) == []
    assert len(audit_table.items()) == 3

    page = audit(api, admin).expect(200).json
    assert [(i["source"], i["action"]) for i in page["items"]] == [
        ("soko.disputes", "dispute.resolve"),
        ("soko.listings", "listing.takedown"),
        ("soko.users", "user.suspend"),
    ]
    assert page["items"][0]["reason"] == "a reason an auditor can read"
    assert page["next_cursor"] is None


def test_an_entry_is_never_overwritten_by_a_replayed_event(
    invoke: Invoke, deployment: Any, audit_table: Table, admin: User
) -> None:
    event = action_event(MarketEvent, admin_id=admin.id, action="listing.takedown", target_id="l1")
    assert record(invoke, event) == []
    before = audit_table.items()
    empty_table(deployment.physical["IdempotencyTable"], ("id",))  # the dedup record expired

    tampered = json.loads(json.dumps(event))
    tampered["detail"]["reason"] = "a different story"
    assert record(invoke, tampered) == []

    assert audit_table.items() == before


@pytest.mark.parametrize(
    "event",
    [
        eventbridge_event("soko.users", "AdminActionTaken", {"event_id": "01JD0000000000000000000099"}),
        eventbridge_event(
            "soko.users",
            "AdminActionTaken",
            {
                "event_id": "01JD0000000000000000000098",
                "admin_id": "a",
                "action": "user.suspend",
                "target_type": "user",
                "target_id": "u",
                "reason": "",
                "at": "2026-11-21T09:00:00Z",
            },
        ),
        eventbridge_event("soko.users", "UserSuspended", {"event_id": "01JD0000000000000000000097"}),
        eventbridge_event("elsewhere", "AdminActionTaken", {"event_id": "01JD0000000000000000000096"}),
    ],
    ids=["missing-fields", "empty-reason", "not-an-admin-action", "foreign-source"],
)
def test_a_malformed_event_fails_its_record_alone(
    invoke: Invoke, audit_table: Table, admin: User, event: dict[str, Any]
) -> None:
    good = action_event(MarketEvent, admin_id=admin.id, action="listing.restore", target_id="l1")
    failures = record(invoke, good, event)
    assert len(failures) == 1
    assert [i["action"] for i in audit_table.items()] == ["listing.restore"]


def test_the_consumer_may_only_put_items(app_model: Any) -> None:
    """Append-only by IAM too: the consumer's role allows PutItem on the audit table and nothing else."""
    role = app_model.cfn["Resources"]["AdminAuditConsumerFunctionRole"]["Properties"]
    audit_actions = [
        statement["Action"]
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        if "AuditTable" in json.dumps(statement.get("Resource"))
    ]
    assert audit_actions == ["dynamodb:PutItem"]


# ---------------------------------------------------------------------------- GET /admin/audit
@pytest.fixture
def history(invoke: Invoke) -> dict[str, Any]:
    """Six actions of two admins on three targets, a minute apart."""
    ann, bob = new_user("admin"), new_user("admin")
    plan = [
        (IdentityEvent, ann, "user.suspend", "u1"),
        (MarketEvent, ann, "listing.takedown", "l1"),
        (MarketEvent, bob, "listing.takedown", "l2"),
        (MarketEvent, bob, "listing.restore", "l1"),
        (IdentityEvent, bob, "user.reinstate", "u1"),
        (AdminEvent, ann, "queue.replay", "q1"),
    ]
    events = [
        action_event(contract, admin_id=who.id, action=action, target_id=target, minute=n)
        for n, (contract, who, action, target) in enumerate(plan)
    ]
    assert record(invoke, *events) == []
    return {"ann": ann, "bob": bob, "ids": [e["detail"]["event_id"] for e in events]}


def test_the_log_is_newest_first_in_cursor_pages(api: Api, admin: User, history: dict[str, Any]) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        reply = audit(api, admin, limit=4, **({"cursor": cursor} if cursor else {})).expect(200)
        seen += event_ids(reply)
        pages += 1
        cursor = reply.json["next_cursor"]
        if cursor is None:
            break
    assert seen == history["ids"][::-1]
    assert pages == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"admin_id": "ann"}, [5, 1, 0]),
        ({"admin_id": "bob"}, [4, 3, 2]),
        ({"target": "l1"}, [3, 1]),
        ({"action": "listing.takedown"}, [2, 1]),
        ({"admin_id": "bob", "target": "l1"}, [3]),
        ({"admin_id": "ann", "action": "listing.takedown"}, [1]),
        ({"target": "u1", "action": "user.reinstate"}, [4]),
        ({"admin_id": "ann", "target": "l2"}, []),
        ({"target": "nothing-here"}, []),
    ],
)
def test_filters(
    api: Api, admin: User, history: dict[str, Any], query: dict[str, str], expected: list[int]
) -> None:
    query = {k: history[v].id if k == "admin_id" else v for k, v in query.items()}
    reply = audit(api, admin, **query).expect(200)
    assert event_ids(reply) == [history["ids"][n] for n in expected]


def test_filtered_pages_and_a_cursor_from_other_filters_is_refused(
    api: Api, admin: User, history: dict[str, Any]
) -> None:
    bob = history["bob"].id
    first = audit(api, admin, admin_id=bob, limit=2).expect(200)
    assert event_ids(first) == [history["ids"][4], history["ids"][3]]
    cursor = first.json["next_cursor"]
    second = audit(api, admin, admin_id=bob, limit=2, cursor=cursor).expect(200)
    assert event_ids(second) == [history["ids"][2]]

    audit(api, admin, admin_id=history["ann"].id, cursor=cursor).expect(400, "INVALID_CURSOR")
    audit(api, admin, cursor=cursor).expect(400, "INVALID_CURSOR")
    audit(api, admin, cursor="not-a-cursor").expect(400, "INVALID_CURSOR")


def test_the_log_is_read_by_query_never_scan(
    api: Api, admin: User, history: dict[str, Any], operations: Operations
) -> None:
    operations.calls.clear()
    audit(api, admin).expect(200)
    audit(api, admin, target="l1", action="listing.restore").expect(200)
    assert "Query" in operations.calls
    assert "Scan" not in operations.calls


@pytest.mark.parametrize("role", ["farmer", "buyer", "both"])
def test_only_admins_read_the_log(api: Api, history: dict[str, Any], role: str) -> None:
    audit(api, new_user(role)).expect(403, "FORBIDDEN")


def test_the_log_needs_a_signed_in_caller(api: Api) -> None:
    api.get("/admin/audit", skip_authorizer=True).expect(401)


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "x"},
        {"action": "A B"},
        {"target": "x" * 129},
        {"admin_id": ""},
    ],
)
def test_bad_queries_are_422(api: Api, admin: User, query: dict[str, Any]) -> None:
    audit(api, admin, **query).expect(422, "VALIDATION_ERROR")


def test_an_admin_action_reaches_the_log_through_the_market(
    api: Api, invoke: Invoke, deployment: Any, admin: User
) -> None:
    """The market's takedown writes its AdminActionTaken to its outbox; as the relay publishes it,
    the audit consumer records it and the log shows it."""
    from support.events import from_outbox  # noqa: PLC0415
    from support.tables import Table as Items  # noqa: PLC0415

    farmer = new_user("farmer")
    listing = api.post(
        "/listings/",
        {
            "title": "Good maize",
            "crop": "maize",
            "price_per_kg": 1000,
            "quantity_kg": "10",
            "district": "Gulu",
        },
        user=farmer,
    ).expect(201)
    api.post(f"/admin/listings/{listing.json['id']}/takedown", {"reason": "fake photos"}, user=admin).expect(
        200
    )
    [outbox] = Items(deployment.physical["MarketTable"]).outbox("AdminActionTaken")

    assert record(invoke, from_outbox(outbox)) == []

    [entry] = audit(api, admin, target=listing.json["id"]).expect(200).json["items"]
    assert (entry["admin_id"], entry["action"], entry["reason"], entry["source"]) == (
        admin.id,
        "listing.takedown",
        "fake photos",
        "soko.listings",
    )
    assert ids.is_ulid(entry["event_id"])
