"""The local HTTP front door: the HTTP API (routes and Lambda REQUEST authorizer from the
template, payload 2.0, authorizer caching, CORS, API Gateway's response mapping), Function URLs,
and the runtime's own pages (``/docs``, ``/openapi.json``, ``/_local/...``)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from soko_local import docs
from soko_local.payload import (
    HttpResponse,
    IncomingRequest,
    authorizer_event,
    gateway_error,
    http_event,
)
from soko_local.routing import Route, RouteTable
from soko_local.sandbox import PREFIX as SANDBOX_PREFIX
from soko_local.sandbox import Sandbox
from soko_local.template import Authorizer, HttpApiDef
from soko_local.webapp import WebApp

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

log = logging.getLogger("soko_local.gateway")
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # HTTP API's payload limit
MAX_LAMBDA_EVENT_BYTES = 6 * 1024 * 1024  # Lambda's synchronous invocation limit
FUNCTION_URL_PREFIX = "/_fn/"


@dataclass
class _CacheEntry:
    expires: float
    allowed: bool
    context: dict[str, Any] | None


class AuthorizerCache:
    """API Gateway caches a Lambda authorizer's answer per identity-source values for its TTL."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, ...], _CacheEntry] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> _CacheEntry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry and entry.expires > time.monotonic():
                return entry
            self._entries.pop(key, None)
            return None

    def put(self, key: tuple[str, ...], entry: _CacheEntry) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = entry


def _identity_values(
    authorizer: Authorizer, headers: dict[str, str], query: dict[str, str]
) -> list[str] | None:
    values = []
    for source in authorizer.identity_source:
        if source.startswith("$request.header."):
            value = headers.get(source.removeprefix("$request.header.").lower())
        elif source.startswith("$request.querystring."):
            value = query.get(source.removeprefix("$request.querystring."))
        else:
            value = None
        if not value:
            return None
        values.append(value)
    return values


class HttpApiGateway:
    """One HTTP API of the template."""

    def __init__(self, runtime: LocalRuntime, api: HttpApiDef):
        self.runtime = runtime
        self.api = api
        self.api_id = api.logical_id.lower()
        self.routes = RouteTable([Route(m, p, f, a) for m, p, f, a in api.routes])
        self.cache = AuthorizerCache()

    def handle(self, request: IncomingRequest, headers: dict[str, str]) -> HttpResponse:
        if request.method == "OPTIONS" and self.api.cors and "access-control-request-method" in headers:
            return self._preflight(headers)
        found = self.routes.find(request.method, request.path)
        if found is None:
            return self._cors(headers, gateway_error(404, "Not Found"))
        route, params = found
        context: dict[str, Any] | None = None
        if route.authorizer:
            outcome = self._authorize(self.api.authorizers[route.authorizer], route, params, request, headers)
            if isinstance(outcome, HttpResponse):
                return self._cors(headers, outcome)
            context = outcome
        event = http_event(
            request,
            route_key=route.key,
            path_parameters=params,
            api_id=self.api_id,
            account_id=self.runtime.account_id,
            authorizer_context=context,
        )
        return self._cors(headers, self.runtime.invoke_http(route.function, event))

    def _authorize(
        self,
        authorizer: Authorizer,
        route: Route,
        params: dict[str, str],
        request: IncomingRequest,
        headers: dict[str, str],
    ) -> HttpResponse | dict[str, Any]:
        query = dict(part.split("=", 1) for part in request.query_string.split("&") if "=" in part)
        values = _identity_values(authorizer, headers, query)
        if values is None:
            return gateway_error(401, "Unauthorized")
        key = (route.authorizer or "", *values)
        cached = self.cache.get(key) if authorizer.ttl_seconds > 0 else None
        if cached is None:
            event = authorizer_event(
                request,
                route_key=route.key,
                path_parameters=params,
                api_id=self.api_id,
                account_id=self.runtime.account_id,
                region=self.runtime.region,
                identity_source=values,
            )
            result = self.runtime.invoke(authorizer.function, event)
            if not result.ok or not isinstance(result.payload, dict):
                log.error(
                    "authorizer %s failed: %s", authorizer.function, (result.error or {}).get("errorType")
                )
                return gateway_error(500, "Internal Server Error")
            allowed = result.payload.get("isAuthorized") is True
            context = result.payload.get("context") if allowed else None
            cached = _CacheEntry(time.monotonic() + authorizer.ttl_seconds, allowed, context)
            if authorizer.ttl_seconds > 0:
                self.cache.put(key, cached)
        if not cached.allowed:
            return gateway_error(403, "Forbidden")
        return cached.context or {}

    def _allowed_origin(self, origin: str) -> str | None:
        cors = self.api.cors or {}
        allowed = cors.get("allowOrigins", [])
        allowed = [allowed] if isinstance(allowed, str) else allowed
        if "*" in allowed:
            return "*"
        return origin if origin in allowed else None

    def _cors(self, headers: dict[str, str], response: HttpResponse) -> HttpResponse:
        origin = headers.get("origin")
        if not self.api.cors or not origin:
            return response
        allowed = self._allowed_origin(origin)
        if allowed:
            response.headers.append(("access-control-allow-origin", allowed))
            expose = self.api.cors.get("exposeHeaders")
            if expose:
                response.headers.append(("access-control-expose-headers", ",".join(expose)))
        return response

    def _preflight(self, headers: dict[str, str]) -> HttpResponse:
        cors = self.api.cors or {}
        allowed = self._allowed_origin(headers.get("origin", ""))
        if not allowed:
            return HttpResponse(204, [], b"")
        return HttpResponse(
            204,
            [
                ("access-control-allow-origin", allowed),
                ("access-control-allow-methods", ",".join(cors.get("allowMethods", []))),
                ("access-control-allow-headers", ",".join(cors.get("allowHeaders", []))),
                ("access-control-max-age", str(cors.get("maxAge", 0))),
            ],
            b"",
        )


class Gateway:
    """The WSGI application behind ``make dev``'s port."""

    def __init__(self, runtime: LocalRuntime):
        self.runtime = runtime
        self.apis = [HttpApiGateway(runtime, api) for api in runtime.app.http_apis]
        self.sandbox = Sandbox()
        self.web = WebApp(runtime)
        self.internal: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "/_local/endpoints"): lambda r: self._json(runtime.endpoints()),
            ("GET", "/_local/health"): lambda r: self._json({"status": "ok"}),
            ("GET", "/docs"): lambda r: Response(docs.page(), content_type="text/html; charset=utf-8"),
            ("GET", "/openapi.json"): lambda r: Response(docs.spec(), content_type="application/json"),
        }

    @staticmethod
    def _json(value: Any, status: int = 200) -> Response:
        return Response(json.dumps(value, indent=2), status=status, content_type="application/json")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def _local(self, request: Request) -> Response | None:
        """The runtime's own routes: /_local/..., /docs, /openapi.json and the sandboxes."""
        internal = self.internal.get((request.method, request.path))
        if internal is not None:
            return internal(request)
        if request.path.startswith(SANDBOX_PREFIX):
            sandboxed = self.sandbox.dispatch(request)
            return sandboxed if sandboxed is not None else self._json({"message": "Not Found"}, 404)
        web = self.web.serve(request)
        if web is not None:
            return web
        if request.path.startswith("/_local/schedules/") and request.method == "POST":
            name = request.path.removeprefix("/_local/schedules/").removesuffix("/run")
            return self._json(*self.runtime.run_schedule_now(name))
        return None

    def dispatch(self, request: Request) -> Response:
        local = self._local(request)
        if local is not None:
            return local
        length = request.content_length or 0
        if length > MAX_REQUEST_BYTES:
            return self._to_wsgi(gateway_error(413, "Request Entity Too Large"))
        raw_uri = str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path)
        incoming = IncomingRequest(
            method=request.method,
            path=raw_uri.split("?", 1)[0],  # API Gateway's rawPath keeps the percent-encoding
            query_string=request.query_string.decode("latin-1"),
            headers=list(request.headers.items()),
            body=request.get_data(cache=False),
            source_ip=request.remote_addr or "127.0.0.1",
            host=request.host,
        )
        headers = {k.lower(): v for k, v in incoming.headers}
        if request.path.startswith(FUNCTION_URL_PREFIX):
            return self._to_wsgi(self._function_url(incoming))
        if not self.apis:
            return self._to_wsgi(gateway_error(404, "Not Found"))
        return self._to_wsgi(self.apis[0].handle(incoming, headers))

    def _function_url(self, request: IncomingRequest) -> HttpResponse:
        name, _, rest = request.path.removeprefix(FUNCTION_URL_PREFIX).partition("/")
        url = self.runtime.function_url(name)
        if url is None:
            return gateway_error(404, "Not Found")
        if url.auth_type != "NONE":
            return gateway_error(403, "Forbidden")
        inner = IncomingRequest(
            request.method,
            "/" + rest,
            request.query_string,
            request.headers,
            request.body,
            request.source_ip,
            request.host,
        )
        event = http_event(
            inner,
            route_key="$default",
            path_parameters={},
            api_id=url.logical_id.lower(),
            account_id=self.runtime.account_id,
        )
        return self.runtime.invoke_http(url.function, event)

    @staticmethod
    def _to_wsgi(response: HttpResponse) -> Response:
        wsgi = Response(response.body, status=response.status)
        wsgi.headers.clear()
        for name, value in response.headers:
            wsgi.headers.add(name, value)
        if "content-type" not in {n for n, _ in response.headers}:
            wsgi.headers["content-type"] = "application/json"
        wsgi.headers["apigw-requestid"] = f"local-{time.monotonic_ns()}"
        return wsgi
