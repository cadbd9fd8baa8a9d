"""The revocation check both authorizers run (soko.identity.sessions), the authorizers refusing
revoked tokens, and the WebSocket side: connections bounded by their token, closed when their
session ends (soko.realtime)."""

from __future__ import annotations

from typing import Any

import pytest

from soko.identity import authorizer as http_authorizer
from soko.identity.sessions import CACHE_MAX_ENTRIES, SessionCheck, allows
from soko.realtime import sessions as realtime_sessions
from soko.realtime.api import authorizer as ws_authorizer
from soko.realtime.models import session_id, token_expiry, ws_caller
from soko.shared import auth, clock
from soko.shared.auth import AccessClaims

ACTIVE = {"token_version": 2, "status": "active", "session_revoked": False}


def claims(**overrides: Any) -> AccessClaims:
    values: dict[str, Any] = {
        "sub": "usr-amina",
        "role": "farmer",
        "email": "amina@example.com",
        "typ": "access",
        "iat": 1_800_000_000,
        "exp": 1_800_000_900,
        "jti": "j1",
        "tv": 2,
        "sid": "fam-1",
    }
    return AccessClaims(**{**values, **overrides})


@pytest.mark.parametrize(
    ("state", "token", "allowed"),
    [
        (ACTIVE, claims(), True),
        ({**ACTIVE, "status": "suspended"}, claims(), False),
        ({**ACTIVE, "session_revoked": True}, claims(), False),  # logged out
        ({**ACTIVE, "token_version": 3}, claims(), False),  # password reset / suspension since
        ({**ACTIVE, "token_version": 1}, claims(), False),  # a version from the future is no better
        # no account: nothing revoked, the signature decides (but a session must exist)
        ({"token_version": None, "status": None, "session_revoked": False}, claims(sid=None), True),
        ({"token_version": None, "status": None, "session_revoked": True}, claims(), False),
        ({**ACTIVE, "token_version": 0}, claims(tv=0, sid=None), True),  # a token from before sessions
        ({**ACTIVE, "token_version": 1}, claims(tv=0, sid=None), False),
    ],
)
def test_allows(state: dict[str, Any], token: AccessClaims, allowed: bool) -> None:
    assert allows(token, state) is allowed


class States:
    def __init__(self) -> None:
        self.state = dict(ACTIVE)
        self.reads: list[tuple[str, str | None]] = []

    def session_state(self, user_id: str, sid: str | None) -> dict[str, Any]:
        self.reads.append((user_id, sid))
        return dict(self.state)


def test_the_state_is_cached_per_session_for_the_ttl_only() -> None:
    now = [100.0]
    states = States()
    check = SessionCheck(states, ttl_seconds=5, monotonic=lambda: now[0])

    assert check.is_current(claims()) and check.is_current(claims())
    assert check.is_current(claims(sid="fam-2"))
    assert states.reads == [("usr-amina", "fam-1"), ("usr-amina", "fam-2")]

    states.state["session_revoked"] = True  # logout
    now[0] += 4.99
    assert check.is_current(claims())  # the bound: a revoked token lives up to the TTL
    now[0] += 0.02
    assert not check.is_current(claims())
    assert len(states.reads) == 3


def test_the_cache_never_grows_without_bound() -> None:
    states = States()
    check = SessionCheck(states, ttl_seconds=60, monotonic=lambda: 0.0)
    for n in range(CACHE_MAX_ENTRIES + 5):
        check.is_current(claims(sub=f"usr-{n}"))
    assert len(check._cache) <= CACHE_MAX_ENTRIES


class FixedCheck:
    def __init__(self, answer: bool | Exception):
        self.answer = answer

    def is_current(self, token: AccessClaims) -> bool:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> AccessClaims:
    token = claims()
    monkeypatch.setattr(auth, "verify", lambda raw: token)
    return token


@pytest.mark.parametrize(
    ("answer", "authorized"),
    [(True, True), (False, False), (RuntimeError("table unavailable"), False)],
    ids=["current", "revoked or suspended", "check failed: refused"],
)
def test_the_http_authorizer_refuses_revoked_sessions_and_fails_closed(
    verified: AccessClaims, monkeypatch: pytest.MonkeyPatch, answer: Any, authorized: bool
) -> None:
    monkeypatch.setattr(http_authorizer, "sessions", lambda: FixedCheck(answer))

    result = http_authorizer.authorize({"headers": {"authorization": "Bearer x.y.z"}, "routeKey": "GET /x"})

    assert result["isAuthorized"] is authorized
    if authorized:
        assert result["context"] == {"userId": "usr-amina", "role": "farmer", "email": "amina@example.com"}


@pytest.mark.parametrize(
    ("answer", "effect"),
    [(True, "Allow"), (False, "Deny"), (RuntimeError("table unavailable"), "Deny")],
)
def test_the_websocket_authorizer_refuses_revoked_sessions_and_passes_the_session_on(
    verified: AccessClaims, monkeypatch: pytest.MonkeyPatch, answer: Any, effect: str
) -> None:
    monkeypatch.setattr(ws_authorizer, "sessions", lambda: FixedCheck(answer))

    result = ws_authorizer.authorize({"methodArn": "arn:ws", "queryStringParameters": {"token": "x.y.z"}})

    assert result["policyDocument"]["Statement"][0]["Effect"] == effect
    if effect == "Allow":
        assert result["context"]["sessionId"] == "fam-1"
        assert result["context"]["expiresAt"] == str(verified.exp)


def _ws_event(expires_at: int | None) -> dict[str, Any]:
    context: dict[str, Any] = {"userId": "usr-amina", "role": "farmer", "email": "a@example.com"}
    if expires_at is not None:
        context.update(sessionId="fam-1", expiresAt=str(expires_at))
    return {"requestContext": {"connectionId": "c1", "authorizer": context}}


def test_a_connection_has_no_caller_once_its_token_has_expired() -> None:
    now = clock.epoch()
    assert ws_caller(_ws_event(now + 60)) is not None
    assert ws_caller(_ws_event(now - 1)) is None
    assert ws_caller(_ws_event(None)) is not None  # a connection from before sessions: its 2 h TTL
    assert (session_id(_ws_event(now)), token_expiry(_ws_event(now))) == ("fam-1", now)
    assert token_expiry({"requestContext": {"authorizer": {"expiresAt": "soon"}}}) is None


class Connections:
    def __init__(self, held: list[tuple[str, str]], fail: set[str] | None = None):
        self.held = list(held)
        self.closed: list[str] = []
        self.fail = fail or set()

    def all_of_user(self, user_id: str) -> list[tuple[str, str]]:
        return list(self.held)

    def close(self, connection_id: str) -> None:
        if connection_id in self.fail:
            raise RuntimeError("the @connections API did not answer")
        self.closed.append(connection_id)

    def remove(self, user_id: str, connection_id: str) -> None:
        self.held = [h for h in self.held if h[0] != connection_id]


def test_logout_closes_that_sessions_connections_and_those_of_no_known_session() -> None:
    connections = Connections([("phone", "fam-1"), ("laptop", "fam-2"), ("old", "")])

    assert realtime_sessions.close_sessions("usr-amina", "fam-1", connections) == 2

    assert connections.closed == ["phone", "old"]
    assert connections.held == [("laptop", "fam-2")]
    # again (the event redelivered): nothing more is closed
    assert realtime_sessions.close_sessions("usr-amina", "fam-1", connections) == 0


def test_a_reset_or_suspension_closes_every_connection_and_a_failure_is_retried() -> None:
    connections = Connections([("phone", "fam-1"), ("laptop", "fam-2")], fail={"laptop"})

    with pytest.raises(RuntimeError):
        realtime_sessions.close_sessions("usr-amina", None, connections)
    assert connections.held == [("laptop", "fam-2")]  # kept for the retry
    connections.fail.clear()
    assert realtime_sessions.close_sessions("usr-amina", None, connections) == 1
    assert connections.held == []
