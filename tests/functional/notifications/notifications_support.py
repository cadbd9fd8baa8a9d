"""What the notifications functional tests share beyond ``support``: pushes recorded instead of sent,
events delivered to the consumer as a rule would, WebSocket connections opened through the
template's connect function, and a user's notifications read over the HTTP API."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from support.events import eventbridge_event, sqs_event
from support.gateway import Api
from support.users import User


@dataclass
class Pushes:
    received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def post(self, connection_id: str, payload: dict[str, Any]) -> bool:
        self.received.setdefault(connection_id, []).append(json.loads(json.dumps(payload)))
        return True


@dataclass
class Notifications:
    api: Api
    pushes: Pushes

    def deliver(self, source: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        batch = sqs_event(eventbridge_event(source, detail_type, detail))
        return dict(self.api.invoke("NotificationsConsumerFunction", batch))

    def connect(self, user: User) -> str:
        connection = f"conn-{uuid.uuid4().hex[:10]}"
        context = {
            "routeKey": "$connect",
            "connectionId": connection,
            "stage": "live",
            "authorizer": {"principalId": user.id, **user.context},
        }
        answer = self.api.invoke("WsConnectFunction", {"requestContext": context, "isBase64Encoded": False})
        assert answer == {"statusCode": 200}
        return connection

    def mine(self, user: User) -> list[dict[str, Any]]:
        return list(self.api.get("/notifications/", user=user).expect(200).json["items"])
