"""Documents as HTTP responses: the body itself (a PDF base64-encoded, as API Gateway expects a
binary body from a Lambda proxy), to be saved under ``filename``, never cached by a proxy."""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler import Response


def document(body: str | bytes, content_type: str, filename: str) -> Response[str]:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    }
    if isinstance(body, str):
        return Response(200, content_type, body, headers=headers)
    # Encoded here, not by the resolver: its response validation would read bytes as UTF-8 text.
    response = Response(200, content_type, base64.b64encode(body).decode(), headers=headers)
    response.base64_encoded = True
    return response
