"""Sandbox twins of the outside providers, served by the local runtime under ``/_sandbox/``.

They speak the providers' HTTP contracts (docs/providers.md), so the adapters talk to them by
base URL exactly as they would to the real services, and they keep what they received where
developers and tests can read it.
"""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from soko_local import sandbox_email, sandbox_payments, sandbox_push, sandbox_weather, sandbox_wfp

PREFIX = "/_sandbox"
_ID = itertools.count(1)


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


class AfricasTalkingSandbox:
    """Africa's Talking SMS: ``POST /version1/messaging`` and a readable outbox."""

    def __init__(self) -> None:
        self.outbox: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def send(self, request: Request) -> Response:
        form = dict(parse_qsl(request.get_data(as_text=True)))
        if not request.headers.get("apiKey") or not form.get("username"):
            return Response("The supplied authentication is invalid", status=401)
        if not form.get("to") or not form.get("message"):
            return _json({"SMSMessageData": {"Message": "InvalidRequest", "Recipients": []}}, 400)
        recipients = []
        with self._lock:
            for number in form["to"].split(","):
                valid = number.startswith("+") and number[1:].isdigit()
                message_id = f"ATXid_sandbox_{next(_ID)}"
                if valid:
                    self.outbox.append(
                        {
                            "id": message_id,
                            "to": number,
                            "from": form.get("from", "AFRICASTKNG"),
                            "message": form["message"],
                            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        }
                    )
                recipients.append(
                    {
                        "statusCode": 101 if valid else 403,
                        "number": number,
                        "status": "Success" if valid else "InvalidPhoneNumber",
                        "cost": "UGX 25.0000" if valid else "0",
                        "messageId": message_id if valid else "None",
                    }
                )
        sent = sum(1 for r in recipients if r["statusCode"] == 101)
        return _json(
            {"SMSMessageData": {"Message": f"Sent to {sent}/{len(recipients)}", "Recipients": recipients}},
            201,
        )

    def read(self, request: Request) -> Response:
        to = request.args.get("to")
        with self._lock:
            messages = [m for m in self.outbox if to is None or m["to"] == to]
        return _json({"messages": messages})


class Sandbox:
    def __init__(self) -> None:
        self.africastalking = AfricasTalkingSandbox()
        self.payments = sandbox_payments.PaymentsSandbox()
        # One twin per provider, each in its own module (dispatch -> None when the path is not its own).
        self.twins = (sandbox_wfp.Twin(), sandbox_weather.Twin(), sandbox_email.Twin(), sandbox_push.Twin())

    def dispatch(self, request: Request) -> Response | None:
        path = request.path.removeprefix(PREFIX)
        if path == "/africastalking/version1/messaging" and request.method == "POST":
            return self.africastalking.send(request)
        if path == "/sms/outbox" and request.method == "GET":
            return self.africastalking.read(request)
        for twin in self.twins:
            if (answer := twin.dispatch(request, path)) is not None:
                return answer
        return self.payments.dispatch(request, path)


def parameter_overrides(base_url: str) -> dict[str, str]:
    """Template parameters that point adapters at the sandboxes (set only if a template declares them)."""
    return {
        "AfricasTalkingBaseUrl": f"{base_url}{PREFIX}/africastalking",
        **sandbox_payments.parameter_overrides(base_url, PREFIX),
        **sandbox_wfp.parameter_overrides(base_url, PREFIX),
        **sandbox_weather.parameter_overrides(base_url, PREFIX),
        **sandbox_email.parameter_overrides(base_url, PREFIX),
        **sandbox_push.parameter_overrides(base_url, PREFIX),
    }
