"""Sandbox twin of a Web Push service (RFC 8030 endpoint) that keeps what it receives,
served by the local runtime under ``/_sandbox/push``.

- ``POST /_sandbox/push/send/<token>``: a push (RFC 8030), as a browser's push service takes it: the
  body is the aes128gcm-encrypted payload (RFC 8291, ``Content-Encoding: aes128gcm``), with ``TTL``
  and a VAPID ``Authorization: vapid t=<jwt>, k=<key>`` header. Answers 201, or 410 for a token
  marked gone (404 for no body encoding it understands: a 400).
- ``GET /_sandbox/push/received?token=<token>``: what arrived (the body base64url, still encrypted:
  a test decrypts it with its own subscription keys, as a browser would).
- ``POST /_sandbox/push/gone/<token>``: from now on that endpoint answers 410 Gone (the browser
  unsubscribed), so a test sees the subscription removed.

A subscription's endpoint is ``<base>/_sandbox/push/send/<any token the test picks>``; the template
parameter ``WebPushHttpOrigin`` lets the API accept this http origin.
"""

from __future__ import annotations

import base64
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from werkzeug.wrappers import Request, Response

_PATH = "/push"


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


class Twin:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.received: list[dict[str, Any]] = []
        self.gone: set[str] = set()

    def dispatch(self, request: Request, path: str) -> Response | None:
        """The answer for ``path`` (the request path without ``/_sandbox``), or None when not ours."""
        if not path.startswith(_PATH + "/"):
            return None
        rest = path.removeprefix(_PATH + "/")
        if rest.startswith("send/") and request.method == "POST":
            return self._push(request, rest.removeprefix("send/"))
        if rest == "received" and request.method == "GET":
            token = request.args.get("token")
            with self._lock:
                items = [r for r in self.received if token is None or r["token"] == token]
            return _json({"messages": items})
        if rest.startswith("gone/") and request.method == "POST":
            with self._lock:
                self.gone.add(rest.removeprefix("gone/"))
            return _json({"gone": True})
        return None

    def _push(self, request: Request, token: str) -> Response:
        with self._lock:
            if token in self.gone:
                return Response("", status=410)
        if request.headers.get("Content-Encoding", "").lower() != "aes128gcm":
            return _json({"error": "Content-Encoding must be aes128gcm"}, 400)
        if not request.headers.get("Authorization", "").lower().startswith("vapid "):
            return _json({"error": "a VAPID Authorization header is required"}, 401)
        body = request.get_data()
        with self._lock:
            self.received.append(
                {
                    "token": token,
                    "ttl": request.headers.get("TTL"),
                    "authorization": request.headers.get("Authorization"),
                    "body": base64.urlsafe_b64encode(body).decode().rstrip("="),
                }
            )
        return Response("", status=201, headers={"Location": f"{request.path}/{len(self.received)}"})


def parameter_overrides(base_url: str, prefix: str) -> dict[str, str]:
    """Template parameters that point the adapter at this twin."""
    parts = urlsplit(base_url)
    return {"WebPushHttpOrigin": f"{parts.scheme}://{parts.netloc}"}
