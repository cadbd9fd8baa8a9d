"""A small JSON/form HTTP client on the standard library (no extra dependency in the layer)."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from soko.shared.observability import traced


class ProviderError(Exception):
    """A provider could not be reached or answered with an error."""


@dataclass
class ProviderResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as err:
            raise ProviderError(f"provider answered {self.status} with a body that is not JSON") from err


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    json_body: Any = None,
    timeout: float = 10.0,
) -> ProviderResponse:
    if not url.startswith(("https://", "http://")):
        raise ProviderError("provider URLs must be http(s)")
    data = None
    all_headers = {"Accept": "application/json", **(headers or {})}
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        data = json.dumps(json_body).encode()
        all_headers["Content-Type"] = "application/json"
    # http.client and ssl: imported only on the paths that call a provider
    from urllib.error import HTTPError, URLError  # noqa: PLC0415
    from urllib.request import Request, urlopen  # noqa: PLC0415

    outgoing = Request(url, data=data, headers=all_headers, method=method)  # noqa: S310
    host = urllib.parse.urlsplit(url).hostname or "provider"
    try:
        with (
            traced(f"## provider {host}"),
            urlopen(outgoing, timeout=timeout) as response,  # noqa: S310  (scheme checked)
        ):
            return ProviderResponse(response.status, response.read(), _headers(response.headers))
    except HTTPError as err:
        return ProviderResponse(err.code, err.read(), _headers(err.headers))
    except (URLError, TimeoutError, OSError) as err:
        raise ProviderError(f"provider unreachable: {type(err).__name__}") from err


def _headers(message: Any) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in (message or {}).items()}


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_sleep = time.sleep  # tests replace it


def request_with_retries(
    method: str,
    url: str,
    *,
    attempts: int = 3,
    backoff_seconds: float = 0.5,
    **kwargs: Any,
) -> ProviderResponse:
    """:func:`request`, tried up to ``attempts`` times while the provider is unreachable or answers
    429 or 5xx (waiting ``backoff_seconds``, doubled each time); only for idempotent requests (a
    GET). The last answer is returned, or the last ProviderError raised."""
    for attempt in range(attempts):
        last = attempt == attempts - 1
        try:
            response = request(method, url, **kwargs)
        except ProviderError:
            if last:
                raise
        else:
            if response.status not in RETRY_STATUSES or last:
                return response
        _sleep(backoff_seconds * (2**attempt))
    raise ProviderError("no attempt was made")  # attempts < 1


def secret_json(
    secret: str, provider: str, required: Sequence[str], error: type[ProviderError]
) -> dict[str, Any]:
    """A provider's credentials secret: a JSON object holding every ``required`` field (else ``error``,
    naming the fields, never the secret)."""
    try:
        data = json.loads(secret)
        if not isinstance(data, dict) or any(name not in data for name in required):
            raise KeyError(provider)
    except (ValueError, KeyError) as err:
        names = " and ".join([", ".join(required[:-1]), required[-1]] if len(required) > 1 else required)
        raise error(f"the {provider} secret must be JSON with {names}") from err
    return data
