"""Sandbox twin of Amazon SES (API v2 ``SendEmail``) and a readable mailbox, served by the local
runtime under ``/_sandbox/email``.

- ``POST /_sandbox/email/v2/email/outbound-emails``: what boto3's ``sesv2`` client sends when its
  endpoint is ``{base}/_sandbox/email`` (the ``EmailEndpointUrl`` parameter). It takes ``Simple`` and
  ``Raw`` content, answers ``{"MessageId"}``, and refuses as SES does (400 with
  ``x-amzn-ErrorType``): no sender, no recipient, an address without ``@``, more than 50
  recipients, a message over 40 MB.
  Signatures are not checked, and any sender is taken (SES takes only verified identities).
- ``GET /_sandbox/email/outbox?to=<address>``: the mailbox, oldest first: ``{"messages": [{"id",
  "from", "to", "subject", "text", "html", "attachments": [{"filename", "content_type", "size"}],
  "at"}]}``.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import itertools
import json
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from werkzeug.wrappers import Request, Response

SEND_PATH = "/email/v2/email/outbound-emails"
OUTBOX_PATH = "/email/outbox"
MAX_RECIPIENTS = 50
MAX_MESSAGE_BYTES = 40 * 1024 * 1024
_ID = itertools.count(1)


def _json(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json", headers=headers)


def _error(code: str, message: str, status: int = 400) -> Response:
    # The REST-JSON error shape botocore reads into ClientError's Error.Code and Error.Message.
    return _json({"message": message}, status, {"x-amzn-ErrorType": code})


def _parts(message: EmailMessage) -> tuple[str, str | None, list[dict[str, Any]]]:
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    attachments = [
        {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "size": len(part.get_payload(decode=True) or b""),
        }
        for part in message.iter_attachments()
    ]
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else None
    return text, html, attachments


type Parts = tuple[str, str, str | None, list[dict[str, Any]]]  # subject, text, html, attachments


def _content(body: dict[str, Any]) -> tuple[str | None, list[Any], Parts] | Response:
    """The sender, the recipients and the message of a SendEmail request, or SES's refusal."""
    content = body.get("Content") or {}
    destination = body.get("Destination") or {}
    recipients = [*destination.get("ToAddresses", []), *destination.get("CcAddresses", [])]
    recipients += destination.get("BccAddresses", [])
    if "Simple" in content:
        simple = content["Simple"]
        parts: Parts = (
            simple.get("Subject", {}).get("Data", ""),
            simple.get("Body", {}).get("Text", {}).get("Data", ""),
            simple.get("Body", {}).get("Html", {}).get("Data"),
            [],
        )
        return body.get("FromEmailAddress"), recipients, parts
    if "Raw" not in content:
        return _error("BadRequestException", "Content must be Simple or Raw.")
    try:
        raw = base64.b64decode(content["Raw"]["Data"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        return _error("BadRequestException", "Content.Raw.Data must be base64.")
    if len(raw) > MAX_MESSAGE_BYTES:
        return _error("MessageRejected", "Message length is more than 40 MB.")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    if not recipients:
        recipients = [a for _, a in getaddresses([str(message[h]) for h in ("To", "Cc") if message[h]])]
    text, html, attachments = _parts(message)
    sender = body.get("FromEmailAddress") or message["From"]
    return sender, recipients, (str(message["Subject"] or ""), text, html, attachments)


def _refusal(sender: str | None, recipients: list[Any]) -> Response | None:
    if not sender:
        return _error("BadRequestException", "FromEmailAddress is required.")
    if not recipients:
        return _error("BadRequestException", "At least one recipient is required.")
    if not all(isinstance(a, str) and "@" in a.strip("@") for a in recipients):
        return _error("BadRequestException", "Illegal address.")
    if len(recipients) > MAX_RECIPIENTS:
        return _error("MessageRejected", "Recipient count exceeds 50.")
    return None


class Twin:
    def __init__(self) -> None:
        self.outbox: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def dispatch(self, request: Request, path: str) -> Response | None:
        """The answer for ``path`` (the request path without ``/_sandbox``), or None when not ours."""
        if path == SEND_PATH and request.method == "POST":
            return self.send(request)
        if path == OUTBOX_PATH and request.method == "GET":
            return self.read(request)
        return None

    def send(self, request: Request) -> Response:
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            return _error("BadRequestException", "The request body is not JSON.")
        parsed = _content(body)
        if isinstance(parsed, Response):
            return parsed
        sender, recipients, (subject, text, html, attachments) = parsed
        if refused := _refusal(sender, recipients):
            return refused
        message_id = f"sandbox-{next(_ID):06d}-{datetime.now(UTC):%Y%m%d%H%M%S}"
        at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._lock:
            self.outbox.extend(
                {
                    "id": message_id,
                    "from": str(sender),
                    "to": to,
                    "subject": subject,
                    "text": text,
                    "html": html,
                    "attachments": attachments,
                    "configuration_set": body.get("ConfigurationSetName"),
                    "at": at,
                }
                for to in recipients
            )
        return _json({"MessageId": message_id})

    def read(self, request: Request) -> Response:
        to = (request.args.get("to") or "").lower() or None
        with self._lock:
            messages = [m for m in self.outbox if to is None or m["to"].lower() == to]
        return _json({"messages": messages})


def parameter_overrides(base_url: str, prefix: str) -> dict[str, str]:
    """Template parameters that point the adapter at this twin."""
    return {"EmailEndpointUrl": f"{base_url}{prefix}/email"}
