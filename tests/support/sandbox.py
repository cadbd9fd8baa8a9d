"""The local runtime's provider sandboxes (``soko_local.sandbox``: Africa's Talking's SMS outbox,
PesaPal, MoMo, SES's mailbox) served over real HTTP on a free port, with ``/webhook/pesapal`` invoking the
template's IPN functions when an ``invoke`` is given (so the sandbox's IPN reaches the webhook
exactly as in the local runtime)."""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from typing import Any

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from soko_local.sandbox import Sandbox
from support.gateway import http_event
from support.lambda_env import Invoke


class SandboxServer:
    def __init__(self, invoke: Invoke | None = None) -> None:
        self.sandbox = Sandbox()
        self.invoke = invoke
        self.ipn_calls = 0
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        # A client that gives up between the listener's select and its accept leaves accept waiting
        # for the next connection, and shutdown() waiting on it forever: with a timeout, accept
        # gives up too (socketserver passes over it) and the loop sees the shutdown request.
        self._server.socket.settimeout(1.0)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/webhook/pesapal" and self.invoke is not None:
            response = self._webhook(request)
        else:
            response = self.sandbox.dispatch(request) or Response("not a sandbox route", status=404)
        return response(environ, start_response)

    def _webhook(self, request: Request) -> Response:
        assert self.invoke is not None
        self.ipn_calls += 1
        function = "PesapalIpnGetFunction" if request.method == "GET" else "PesapalIpnPostFunction"
        event = http_event(
            function,
            request.method,
            "/webhook/pesapal",
            query=dict(request.args) or None,
            body=request.get_data(as_text=True) or None,
        )
        result = self.invoke(function, event)
        return Response(result["body"], status=result["statusCode"], content_type="application/json")

    @property
    def africastalking_base_url(self) -> str:
        return f"{self.url}/_sandbox/africastalking"

    @property
    def email_endpoint_url(self) -> str:
        """SES's endpoint for boto3 (``EMAIL_ENDPOINT_URL``): the e-mail twin of this server."""
        return f"{self.url}/_sandbox/email"

    def mails(self, to: str | None = None) -> list[dict[str, Any]]:
        """What the e-mail sandbox received (GET /_sandbox/email/outbox), read over HTTP."""
        query = f"?{urllib.parse.urlencode({'to': to})}" if to else ""
        with urllib.request.urlopen(f"{self.url}/_sandbox/email/outbox{query}", timeout=5) as response:
            return list(json.loads(response.read())["messages"])

    def provider_urls(self) -> dict[str, str]:
        """The payment adapters' variables, and SES's endpoint (receipts), pointed at this server."""
        return {
            "PESAPAL_BASE_URL": f"{self.url}/_sandbox/pesapal",
            "PESAPAL_IPN_URL": f"{self.url}/webhook/pesapal",
            "MOMO_BASE_URL": f"{self.url}/_sandbox/momo",
            "EMAIL_ENDPOINT_URL": self.email_endpoint_url,
        }

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """What the SMS sandbox received (GET /_sandbox/sms/outbox), read over HTTP."""
        query = f"?{urllib.parse.urlencode({'to': to})}" if to else ""
        with urllib.request.urlopen(f"{self.url}/_sandbox/sms/outbox{query}", timeout=5) as response:
            return list(json.loads(response.read())["messages"])

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST to a sandbox control route (e.g. ``/pesapal/<id>/complete``)."""
        reply = requests.post(f"{self.url}/_sandbox{path}", json=body or {}, timeout=30)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
