"""Closes WebSocket connections whose sign-in ended: identity's ``SignedOut`` closes the
connections opened in that session, ``PasswordChanged`` and ``UserSuspended`` every connection of
the account (``DELETE @connections/<id>``, then the record is forgotten). Idempotent: closing a
connection twice, or one already gone, does nothing more. A connection opened with a token
issued before sessions existed has no session: a logout of that account closes it too."""

from __future__ import annotations

from soko.identity.events import PasswordChanged, SignedOut, UserSuspended
from soko.realtime import sessions
from soko.realtime.deps import closer
from soko.shared.consumer import EventConsumer
from soko.shared.events import ReceivedEvent


def handle(event: ReceivedEvent) -> None:
    signed_out = event.parse_any(SignedOut)
    if signed_out is not None:
        sessions.close_sessions(signed_out.user_id, signed_out.session_id, closer())
        return
    changed = event.parse_any(PasswordChanged)
    suspended = event.parse_any(UserSuspended)
    user_id = changed.user_id if changed else suspended.user_id if suspended else None
    if user_id is not None:
        sessions.close_sessions(user_id, None, closer())


consumer = EventConsumer("realtime.sessions", handle)
lambda_handler = consumer.lambda_handler
