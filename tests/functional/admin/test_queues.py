"""Dead letters: GET /admin/queues (every queue of the application, found by the stack's name
prefix, with its dead-letter queue's depth) and POST /admin/queues/{name}/replay (the dead letters
moved back to their queue, recorded in the audit log; a replayed event already handled changes
nothing, because consumers deduplicate on the event id)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from admin_support import drain

from soko.market.events import AdminActionTaken as MarketEvent
from soko.shared import ids
from soko_local.provision import Deployment
from support.events import eventbridge_event, sqs_event
from support.gateway import Api
from support.lambda_env import Invoke
from support.tables import Table
from support.users import User, new_user

QUEUE_LOGICAL_IDS = {
    "AdminAuditQueue",
    "MarketPaymentsQueue",
    "MarketSuspensionsQueue",
    "NotificationsQueue",
    "PaymentsOrderEventsQueue",
    "RatingsQueue",
}


def url(deployment: Deployment, logical_id: str) -> str:
    return deployment.physical[logical_id]


def name(deployment: Deployment, logical_id: str) -> str:
    return url(deployment, logical_id).rsplit("/", 1)[-1]


def dead_letter(sqs: Any, deployment: Deployment, dlq: str, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=url(deployment, dlq), MessageBody=body)


def queues(api: Api, admin: User) -> dict[str, Any]:
    reply = api.get("/admin/queues", user=admin).expect(200)
    return {item["label"]: item for item in reply.json["items"]}


def replay(api: Api, admin: User, queue: str, body: Any = None) -> Any:
    body = {"reason": "fixed in 1.4.1"} if body is None else body
    return api.post(f"/admin/queues/{queue}/replay", body, user=admin)


# ---------------------------------------------------------------------------- GET /admin/queues
def test_every_queue_of_the_application_is_listed_with_its_dead_letters(
    api: Api, admin: User, deployment: Deployment, sqs: Any
) -> None:
    dead_letter(sqs, deployment, "MarketPaymentsDLQ", "a", "b", "c")

    found = queues(api, admin)

    assert set(found) >= QUEUE_LOGICAL_IDS
    assert not any(label.endswith("DLQ") and found[label]["dead_letters"] for label in found)
    payments = found["MarketPaymentsQueue"]
    assert payments["name"] == name(deployment, "MarketPaymentsQueue")
    assert payments["dead_letters"]["name"] == name(deployment, "MarketPaymentsDLQ")
    assert payments["dead_letters"]["messages"] == 3
    assert found["RatingsQueue"]["dead_letters"]["messages"] == 0
    assert api.get("/admin/queues", user=admin).json["dead_letters_total"] == 3
    # a queue that is nobody's source (the outbox relay's on-failure destination) is shown as it is
    assert found["OutboxRelayDLQ"]["dead_letters"] is None


@pytest.mark.parametrize("role", ["farmer", "buyer", "both"])
def test_only_admins_see_the_queues(api: Api, role: str) -> None:
    api.get("/admin/queues", user=new_user(role)).expect(403, "FORBIDDEN")


# ---------------------------------------------------------------------------- replay
def test_a_replay_moves_the_dead_letters_back_and_is_audited(
    api: Api, admin: User, deployment: Deployment, sqs: Any, audit_table: Table
) -> None:
    bodies = [json.dumps({"n": n}) for n in range(23)]
    dead_letter(sqs, deployment, "MarketPaymentsDLQ", *bodies)

    reply = replay(api, admin, "MarketPaymentsQueue").expect(200).json

    assert (reply["mode"], reply["moved"], reply["remaining"]) == ("batches", 23, 0)
    assert reply["queue"] == name(deployment, "MarketPaymentsQueue")
    assert drain(sqs, url(deployment, "MarketPaymentsDLQ")) == []
    moved = drain(sqs, url(deployment, "MarketPaymentsQueue"))
    assert sorted(m["Body"] for m in moved) == sorted(bodies)
    [entry] = api.get("/admin/audit", query={"action": "queue.replay"}, user=admin).expect(200).json["items"]
    assert (entry["admin_id"], entry["target_id"], entry["reason"], entry["source"]) == (
        admin.id,
        name(deployment, "MarketPaymentsQueue"),
        "fixed in 1.4.1",
        "soko.admin",
    )
    assert entry["event_id"] == reply["audit_event_id"]
    assert entry["details"] == {
        "dead_letter_queue": name(deployment, "MarketPaymentsDLQ"),
        "dead_letters": 23,
    }


@pytest.mark.parametrize("how", ["name", "label", "dead-letter-queue"])
def test_a_queue_is_named_by_its_name_its_label_or_its_dead_letter_queue(
    api: Api, admin: User, deployment: Deployment, sqs: Any, how: str
) -> None:
    dead_letter(sqs, deployment, "RatingsDLQ", "x")
    queue = {
        "name": name(deployment, "RatingsQueue"),
        "label": "RatingsQueue",
        "dead-letter-queue": name(deployment, "RatingsDLQ"),
    }[how]
    assert replay(api, admin, queue).expect(200).json["moved"] == 1
    assert [m["Body"] for m in drain(sqs, url(deployment, "RatingsQueue"))] == ["x"]


def test_a_replayed_admin_action_is_recorded_once(
    api: Api, admin: User, invoke: Invoke, deployment: Deployment, sqs: Any, audit_table: Table
) -> None:
    """The audit consumer failed on an event (say, a bug fixed since): it sits in the DLQ; another
    copy of it was recorded meanwhile. Replayed and consumed, it leaves one entry."""
    detail = MarketEvent(
        admin_id=admin.id,
        action="listing.takedown",
        target_type="listing",
        target_id="l1",
        reason="r",
        at="t",
    )
    event = eventbridge_event("soko.listings", "AdminActionTaken", json.loads(detail.model_dump_json()))
    assert invoke("AdminAuditConsumerFunction", sqs_event(event))["batchItemFailures"] == []
    dead_letter(sqs, deployment, "AdminAuditDLQ", json.dumps({**event, "id": "redelivered"}))

    replay(api, admin, "AdminAuditQueue").expect(200)
    [message] = drain(sqs, url(deployment, "AdminAuditQueue"))
    assert (
        invoke("AdminAuditConsumerFunction", sqs_event(json.loads(message["Body"])))["batchItemFailures"]
        == []
    )

    takedowns = [i for i in audit_table.items() if i["action"] == "listing.takedown"]
    assert len(takedowns) == 1


def test_an_empty_dead_letter_queue_replays_nothing(api: Api, admin: User, audit_table: Table) -> None:
    reply = replay(api, admin, "NotificationsQueue").expect(200).json
    assert (reply["moved"], reply["remaining"]) == (0, 0)
    assert len(audit_table.items()) == 1  # the attempt is still on the record


@pytest.mark.parametrize("role", ["farmer", "buyer", "both"])
def test_only_admins_replay(
    api: Api, deployment: Deployment, sqs: Any, audit_table: Table, role: str
) -> None:
    dead_letter(sqs, deployment, "RatingsDLQ", "x")
    replay(api, new_user(role), "RatingsQueue").expect(403, "FORBIDDEN")
    assert audit_table.items() == []
    assert len(drain(sqs, url(deployment, "RatingsDLQ"))) == 1


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "no"}, {"reason": "x" * 501}, {"reason": "fixed", "extra": 1}]
)
def test_a_replay_needs_a_reason(api: Api, admin: User, audit_table: Table, body: dict[str, Any]) -> None:
    replay(api, admin, "RatingsQueue", body).expect(422, "VALIDATION_ERROR")
    assert audit_table.items() == []


@pytest.mark.parametrize("queue", ["NoSuchQueue", "soko-other-stack-RatingsQueue-ABC"])
def test_an_unknown_queue_is_404(api: Api, admin: User, audit_table: Table, queue: str) -> None:
    replay(api, admin, queue).expect(404, "QUEUE_NOT_FOUND")
    assert audit_table.items() == []


@pytest.mark.parametrize("queue", ["bad name!", "x" * 81, "a.b"])
def test_a_malformed_queue_name_is_422(api: Api, admin: User, audit_table: Table, queue: str) -> None:
    replay(api, admin, queue).expect(422, "VALIDATION_ERROR")
    assert audit_table.items() == []


def test_a_queue_without_a_dead_letter_queue_cannot_be_replayed(
    api: Api, admin: User, audit_table: Table
) -> None:
    replay(api, admin, "OutboxRelayDLQ").expect(409, "QUEUE_HAS_NO_DEAD_LETTER_QUEUE")
    assert audit_table.items() == []


def test_queues_of_another_stack_are_not_the_applications(
    api: Api, admin: User, sqs: Any, deployment: Deployment
) -> None:
    other = sqs.create_queue(QueueName=f"someone-else-{ids.ulid()}")["QueueUrl"]
    try:
        assert not any(q["name"] == other.rsplit("/", 1)[-1] for q in queues(api, admin).values())
    finally:
        sqs.delete_queue(QueueUrl=other)
