"""WebSocket connections end with their sign-in: ``$connect`` remembers a connection with its
session and no longer than its token lives, and realtime's consumer of identity's ``SignedOut``,
``PasswordChanged`` and ``UserSuspended`` closes them (``DELETE @connections``, recorded here)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from soko.identity.events import PasswordChanged, SignedOut, UserSuspended
from soko.realtime.dal import ConnectionsDal
from soko.shared import clock
from support.events import eventbridge_event, sqs_event
from support.tables import Table

CONSUMER = "EndedSessionsConsumerFunction"


@pytest.fixture
def closed(monkeypatch) -> list[str]:
    """Stands in for the @connections API's DELETE: the connections closed, in order."""
    calls: list[str] = []
    monkeypatch.setattr(ConnectionsDal, "close", lambda self, connection_id: calls.append(connection_id))
    return calls


@pytest.fixture
def connections_table(deployment) -> Table:
    return Table(deployment.physical["ConnectionsTable"])


def _connect(invoke, user_id: str, session: str | None, expires_at: int | None) -> str:
    connection = f"conn-{uuid.uuid4().hex[:10]}"
    context: dict[str, Any] = {"principalId": user_id, "userId": user_id, "role": "buyer", "email": ""}
    if session is not None:
        context.update(sessionId=session, expiresAt=str(expires_at))
    event = {"requestContext": {"routeKey": "$connect", "connectionId": connection, "authorizer": context}}
    assert invoke("WsConnectFunction", event) == {"statusCode": 200}
    return connection


def _deliver(invoke, *events) -> dict[str, Any]:
    batch = [eventbridge_event(e.SOURCE, e.DETAIL_TYPE, e.model_dump(mode="json")) for e in events]
    return invoke(CONSUMER, sqs_event(*batch))


def test_a_connection_lives_no_longer_than_its_token(invoke, connections_table) -> None:
    expires = clock.epoch() + 900
    connection = _connect(invoke, "usr-1", "fam-1", expires)

    [item] = connections_table.partition("USER#usr-1")

    assert (item["connection_id"], item["session_id"], item["expires_at"]) == (connection, "fam-1", expires)


def test_logout_closes_the_sessions_connections_only(invoke, closed, connections_table) -> None:
    soon = clock.epoch() + 900
    phone = _connect(invoke, "usr-1", "fam-1", soon)
    laptop = _connect(invoke, "usr-1", "fam-2", soon)
    other_user = _connect(invoke, "usr-2", "fam-3", soon)
    logout = SignedOut(user_id="usr-1", session_id="fam-1")

    first = _deliver(invoke, logout)
    again = _deliver(invoke, logout)  # redelivered: nothing more happens

    assert first == again == {"batchItemFailures": []}
    assert closed == [phone]
    assert [i["connection_id"] for i in connections_table.partition("USER#usr-1")] == [laptop]
    assert [i["connection_id"] for i in connections_table.partition("USER#usr-2")] == [other_user]


@pytest.mark.parametrize(
    "event",
    [
        PasswordChanged(user_id="usr-1"),
        UserSuspended(user_id="usr-1", role="buyer", reason="fraud", by="adm"),
    ],
    ids=["password reset", "suspension"],
)
def test_a_reset_or_a_suspension_closes_every_connection_of_the_account(
    invoke, closed, connections_table, event
) -> None:
    soon = clock.epoch() + 900
    opened = sorted(_connect(invoke, "usr-1", f"fam-{n}", soon) for n in range(3))

    assert _deliver(invoke, event) == {"batchItemFailures": []}

    assert sorted(closed) == opened
    assert connections_table.partition("USER#usr-1") == []


def test_a_malformed_event_fails_alone(invoke, closed) -> None:
    connection = _connect(invoke, "usr-1", "fam-1", clock.epoch() + 900)
    good = eventbridge_event(
        "soko.users", "SignedOut", SignedOut(user_id="usr-1", session_id="fam-1").model_dump(mode="json")
    )
    bad = eventbridge_event("soko.users", "SignedOut", {"schema_version": 1, "user_id": "usr-1"})
    batch = sqs_event(good, bad)

    result = invoke(CONSUMER, batch)

    assert result == {"batchItemFailures": [{"itemIdentifier": batch["Records"][1]["messageId"]}]}
    assert closed == [connection]


def test_disconnect_forgets_a_connection_whose_token_has_expired(invoke, connections_table) -> None:
    connection = _connect(invoke, "usr-1", "fam-1", clock.epoch() + 1)
    context = {"userId": "usr-1", "role": "buyer", "email": "", "sessionId": "fam-1", "expiresAt": "1"}
    event = {"requestContext": {"routeKey": "$disconnect", "connectionId": connection, "authorizer": context}}

    assert invoke("WsDisconnectFunction", event) == {"statusCode": 200}

    assert connections_table.partition("USER#usr-1") == []
