"""The USSD callback: Africa's Talking posts a form to this Lambda Function URL and shows the
``text/plain`` reply (``CON ...`` to continue, ``END ...`` to finish) on the caller's handset.

The URL carries a secret ``token`` query parameter (AT does not sign requests): without the right
one the answer is 403. After that, whatever arrives gets a 200 with a CON/END screen, never a 5xx:
a gateway that sees an error just drops the caller. Nothing the caller typed is logged (it holds
PINs); the phone number is logged masked.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any
from urllib.parse import parse_qs

from pydantic import ValidationError

from soko.shared import phone as phones
from soko.shared import secrets
from soko.shared.config import load
from soko.shared.observability import lambda_entry, logger
from soko.ussd import logic, screens
from soko.ussd.deps import ussd
from soko.ussd.models import Reply, UssdConfig, UssdRequest

MAX_BODY_BYTES = 4096
INVALID = Reply(end=True, body="Invalid request.")


def _plain(status: int, body: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "text/plain; charset=utf-8"}, "body": body}


def _authorized(event: dict[str, Any]) -> bool:
    presented = str((event.get("queryStringParameters") or {}).get("token") or "")
    expected = secrets.get(load(UssdConfig).url_token_secret_arn)
    return bool(presented) and hmac.compare_digest(presented.encode(), expected.encode())


def _form(event: dict[str, Any]) -> dict[str, str] | None:
    body = event.get("body") or ""
    if len(body) > MAX_BODY_BYTES * 2:
        return None
    try:
        raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode()
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if len(text) > MAX_BODY_BYTES:
        return None
    fields = parse_qs(text, keep_blank_values=True, max_num_fields=20)
    return {name: values[0] for name, values in fields.items()}


def _reply(event: dict[str, Any]) -> Reply:
    form = _form(event)
    if form is None:
        return INVALID
    try:
        request = UssdRequest.model_validate(form)
    except ValidationError as err:
        logger.info(
            "ussd request refused", extra={"fields": sorted({str(e["loc"][0]) for e in err.errors()})}
        )
        return INVALID
    logger.append_keys(ussd_session=request.session_id, phone=phones.mask(request.phone_number))
    return logic.respond(request, ussd())


@lambda_entry(correlation_id_path=None)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        if not _authorized(event):
            return _plain(403, "Forbidden")
        method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "POST")
        if method != "POST":
            return _plain(405, "Method Not Allowed")
        reply = _reply(event)
    except Exception:  # the gateway must always get a screen
        logger.exception("ussd reply failed")
        reply = screens.unavailable("en")
    finally:
        logger.remove_keys(["ussd_session", "phone"])
    return _plain(200, reply.text)
