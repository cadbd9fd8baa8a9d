"""The fuzz suite's signed-in identities and the ids of resources that exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests

SENT = [0]  # requests the fuzz sent in this session (printed in the summary)


@dataclass
class World:
    url: str
    tokens: dict[str, str]  # identity -> access token
    users: dict[str, str]  # identity -> user id
    ids: dict[str, str] = field(default_factory=dict)  # resource collection -> an id that exists

    def headers(self, identity: str) -> dict[str, str]:
        token = self.tokens.get(identity)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, identity: str, body: Any = None) -> dict[str, Any]:
        reply = requests.request(
            method, f"{self.url}{path}", json=body, headers=self.headers(identity), timeout=60
        )
        assert reply.status_code < 300, f"{method} {path}: {reply.status_code} {reply.text}"
        return dict(reply.json()) if reply.content else {}
