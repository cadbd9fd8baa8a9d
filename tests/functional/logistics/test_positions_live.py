"""Live tracking: realtime's consumer of the booking events (TransportLiveConsumerFunction) pushes a
position update and the arrival to the booking's buyer and farmer, a step to the transporter too;
a redelivered event is not pushed again and a malformed one fails its record."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from soko.logistics.events import TransportAccepted, TransportArrived, TransportPositionUpdated
from soko.realtime.dal import ConnectionsDal
from soko.shared import clock
from support.events import eventbridge_event, sqs_event
from support.lambda_env import Invoke

CONSUMER = "TransportLiveConsumerFunction"
PARTIES = {
    "booking_id": "01JD0000000000000000000060",
    "order_id": "01JD0000000000000000000062",
    "transporter_id": "usr-transporter",
    "buyer_id": "usr-buyer",
    "farmer_id": "usr-farmer",
    "fare_ugx": 250_000,
}


@pytest.fixture
def pushed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Stands in for the @connections API's POST: (connection, message) in order."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def post(self: ConnectionsDal, connection_id: str, payload: dict[str, Any]) -> bool:
        calls.append((connection_id, payload))
        return True

    monkeypatch.setattr(ConnectionsDal, "post", post)
    return calls


def connect(invoke: Invoke, user_id: str) -> str:
    connection = f"conn-{user_id}-{uuid.uuid4().hex[:6]}"
    context = {"principalId": user_id, "userId": user_id, "role": "buyer", "email": "", "sessionId": "s1"}
    context["expiresAt"] = str(clock.epoch() + 900)
    event = {"requestContext": {"routeKey": "$connect", "connectionId": connection, "authorizer": context}}
    assert invoke("WsConnectFunction", event) == {"statusCode": 200}
    return connection


def deliver(invoke: Invoke, *details: Any) -> Any:
    batch = [eventbridge_event(d.SOURCE, d.DETAIL_TYPE, d.model_dump(mode="json")) for d in details]
    return invoke(CONSUMER, sqs_event(*batch))


def test_positions_and_arrival_go_to_the_buyer_and_farmer_steps_to_the_transporter_too(
    invoke: Invoke, pushed: list[tuple[str, dict[str, Any]]]
) -> None:
    buyer, farmer, transporter = (
        connect(invoke, PARTIES[f"{p}_id"]) for p in ("buyer", "farmer", "transporter")
    )
    update = TransportPositionUpdated(
        **PARTIES,
        lat=0.35,
        lon=32.58,
        at="2026-11-21T09:30:00Z",
        speed_kmh=40.0,
        eta_minutes=3,
        remaining_km=2.0,
    )
    assert deliver(invoke, update) == {"batchItemFailures": []}
    assert sorted(c for c, _ in pushed) == sorted([buyer, farmer])
    message = pushed[0][1]
    assert message["type"] == "transport" and message["event"] == "TransportPositionUpdated"
    assert (message["booking_id"], message["lat"], message["eta_minutes"]) == (PARTIES["booking_id"], 0.35, 3)
    assert "buyer_id" not in message and "fare_ugx" not in message

    pushed.clear()
    assert deliver(invoke, update) == {"batchItemFailures": []}  # redelivered: deduplicated
    assert pushed == []

    arrived = TransportArrived(**PARTIES, lat=0.348, lon=32.5825, at="2026-11-21T09:35:00Z")
    accepted = TransportAccepted(**PARTIES)
    assert deliver(invoke, arrived, accepted) == {"batchItemFailures": []}
    by_event: dict[str, set[str]] = {}
    for connection, payload in pushed:
        by_event.setdefault(payload["event"], set()).add(connection)
    assert by_event == {
        "TransportArrived": {buyer, farmer},
        "TransportAccepted": {buyer, farmer, transporter},
    }


def test_a_malformed_booking_event_fails_its_record(invoke: Invoke, pushed: list[Any]) -> None:
    connect(invoke, PARTIES["buyer_id"])
    bad = eventbridge_event("soko.logistics", "TransportPositionUpdated", {"event_id": "x", "lat": 0.3})
    good = TransportAccepted(**PARTIES)
    batch = sqs_event(bad, eventbridge_event(good.SOURCE, good.DETAIL_TYPE, good.model_dump(mode="json")))
    result = invoke(CONSUMER, batch)
    assert result == {"batchItemFailures": [{"itemIdentifier": batch["Records"][0]["messageId"]}]}
    # the good one of the batch reached the buyer's connection (and any party's still open from the
    # module's earlier tests); nothing of the malformed one was pushed
    assert {p["event"] for _, p in pushed} == {"TransportAccepted"}
    assert len(pushed) >= 1
