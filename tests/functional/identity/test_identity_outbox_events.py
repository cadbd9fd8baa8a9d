"""Identity's events: written to the users table's outbox in the same transaction as the data, then
published by the outbox relay (fed the table's stream record) to the template's bus."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from soko.identity.events import ProfileUpdated, UserRegistered
from soko.outbox import relay

REGION = "us-east-1"
SAMPLE = Path(__file__).resolve().parents[3] / "events" / "OutboxRelayFunction.json"


def test_register_and_profile_update_write_their_events_to_the_outbox(api, users, users_table) -> None:
    user = users.register("both", session=None)

    [item] = users_table.outbox()

    assert item["sk"] == "EVENT"
    assert item["source"] == "soko.users"
    assert item["detail_type"] == "UserRegistered"
    assert int(item["expires_at"]) > 0  # the outbox item expires by TTL
    event = UserRegistered.model_validate_json(item["detail"])
    assert event.schema_version == 1
    assert (event.user_id, event.role, event.language) == (user.id, "both", "en")
    assert item["pk"] == f"OUTBOX#{event.event_id}"
    detail = json.loads(item["detail"])
    assert not {"email", "phone", "password_hash", "full_name"} & set(detail)  # no personal data

    farmer = users.register("farmer", phone="+256772123456")
    reply = api.put(
        "/users/me",
        {"district": "gulu", "specialties": ["Maize"], "language": "en", "phone": "+256772123456"},
        token=farmer.access_token,
    )

    assert reply.status == 200, reply.text
    verified, item = sorted(
        users_table.outbox("ProfileUpdated"), key=lambda i: json.loads(i["detail"])["event_id"]
    )
    assert json.loads(verified["detail"])["changed"] == ["phone"]  # the phone's verification
    assert item["source"] == "soko.users"
    event = ProfileUpdated.model_validate_json(item["detail"])
    assert event.changed == ["district", "specialties"]  # language and phone were already so
    assert (event.user_id, event.role, event.district, event.specialties) == (
        farmer.id,
        "farmer",
        "Gulu",
        ["maize"],
    )
    assert "+256772123456" not in item["detail"]


@pytest.fixture
def users_queue(deployment):
    """An SQS queue subscribed to the template's bus for ``source = soko.users``."""
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    bus = deployment.outputs["EventBusName"]
    url = sqs.create_queue(QueueName="identity-events-test")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="users-to-test-queue", EventBusName=bus, EventPattern=json.dumps({"source": ["soko.users"]})
    )
    events.put_targets(Rule="users-to-test-queue", EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    return sqs, url


def _stream_record(table_name, item_key, sequence):
    """The stream record of the INSERT of ``item_key`` (shaped as events/OutboxRelayFunction.json)."""
    client = boto3.client("dynamodb", region_name=REGION)
    image = client.get_item(TableName=table_name, Key=item_key, ConsistentRead=True)["Item"]
    stream_arn = client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    record = json.loads(SAMPLE.read_text())["Records"][0]
    record["dynamodb"].update(Keys=item_key, NewImage=image, SequenceNumber=str(sequence))
    record["eventSourceARN"] = stream_arn
    return record


def test_the_relay_publishes_the_outbox_event_to_the_bus_once(
    invoke, users, users_table, users_queue, monkeypatch
) -> None:
    monkeypatch.setattr(relay, "_publisher", None)  # a fresh execution environment for this stack
    sqs, url = users_queue
    user = users.register("farmer", session=None)
    [item] = users_table.outbox("UserRegistered")
    outbox_key = {"pk": {"S": item["pk"]}, "sk": {"S": "EVENT"}}
    profile_key = {"pk": {"S": f"USER#{user.id}"}, "sk": {"S": "PROFILE"}}
    records = [
        _stream_record(users_table.name, profile_key, 1),  # not an outbox item: skipped
        _stream_record(users_table.name, outbox_key, 2),
    ]

    result = invoke("OutboxRelayFunction", {"Records": records})

    assert result == {"batchItemFailures": []}
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    assert len(messages) == 1
    event = json.loads(messages[0]["Body"])
    assert event["source"] == "soko.users"
    assert event["detail-type"] == "UserRegistered"
    assert event["detail"]["user_id"] == user.id
    assert event["detail"]["event_id"] == item["pk"].removeprefix("OUTBOX#")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    assert (
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []) == []
    )
