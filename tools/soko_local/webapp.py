"""The web app on the local runtime's origin, as CloudFront serves it from its bucket in AWS:
``web/dist`` (``make web`` builds it) at ``/`` and ``/admin``, its files by path, and
``/config.json`` naming this runtime's API and WebSocket API. The app routes after ``#``, so the
API's paths and the app's never meet; a path that is neither a built file nor an app entry falls
through to the API.

Every answer carries the headers the template's CloudFront response-headers policy sets (a strict
Content-Security-Policy among them), so what a browser test sees locally is what a user gets."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
APP_ENTRIES = {"/", "/index.html", "/admin", "/admin/"}

# The build's files as both this runtime and the deployed site (soko_tools.publish_web) serve them:
# one table of types (Python's own, not the machine's /etc/mime.types, so every machine agrees) and
# one rule for caching. Files under /assets/ are named by their content's hash: immutable for a
# year. Everything else (index.html, sw.js, the manifest, icons, config.json) keeps its name from
# build to build, so it is revalidated on every use (an ETag makes that a 304).
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_TYPES = mimetypes.MimeTypes()
_TYPES.add_type("application/manifest+json", ".webmanifest")
_TYPES.add_type("text/javascript", ".js")
_TYPES.add_type("text/javascript", ".mjs")
_TYPES.add_type("font/woff2", ".woff2")
_TYPES.add_type("image/webp", ".webp")
_TYPES.add_type("application/json", ".map")
_TEXT = ("text/", "application/json", "application/manifest+json", "image/svg+xml")


def content_type(name: str) -> str:
    """A file's Content-Type by its name (text in UTF-8, as Vite writes it)."""
    kind = _TYPES.guess_type(name, strict=False)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT) else kind


def cache_control(path: str) -> str:
    """A file's Cache-Control by its path in the build (``/assets/x.js`` or ``assets/x.js``)."""
    return IMMUTABLE if path.lstrip("/").startswith("assets/") else REVALIDATE


# The security headers of every answer but the CSP (which names this runtime's or the deployment's
# hosts): stacks/web.yaml's response-headers policy sets the same (tests/template/test_web_stack.py).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=()",
}


def content_security_policy(connect: list[str], images: list[str], frames: list[str]) -> str:
    """The policy: only this origin's scripts and styles (no inline code at all), the API and
    WebSocket API to talk to, images from here and the media bucket, and the payment provider's
    checkout in a frame."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(["'self'", 'data:', 'blob:', *images])}",
            f"connect-src {' '.join(["'self'", *connect])}",
            f"frame-src {' '.join(["'self'", *frames])}",
            "font-src 'self'",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class WebApp:
    def __init__(self, runtime: LocalRuntime, root: Path = WEB_DIST):
        self.runtime = runtime
        self.root = root

    def _websocket_url(self) -> str | None:
        for gateway in self.runtime.websockets:
            return str(gateway.url)
        return None

    def headers(self) -> dict[str, str]:
        websocket = self._websocket_url()
        aws = self.runtime.aws_endpoint
        csp = content_security_policy(
            connect=[x for x in (websocket, aws) if x], images=[aws] if aws else [], frames=[]
        )
        return {"Content-Security-Policy": csp, **SECURITY_HEADERS}

    def config(self) -> dict[str, object]:
        return {"apiBaseUrl": "", "websocketUrl": self._websocket_url(), "stage": "local"}

    def serve(self, request: Request) -> Response | None:
        """The app's answer to ``request``, or None when it is not the app's."""
        if request.method not in ("GET", "HEAD"):
            return None
        path = request.path
        if path == "/config.json":
            response = Response(json.dumps(self.config()), content_type=content_type(path))
            response.headers["Cache-Control"] = cache_control(path)
        elif path in APP_ENTRIES:
            index = self.root / "index.html"
            if not index.is_file():
                response = Response(
                    "<!doctype html><title>Soko</title><p>The web app is not built: run "
                    "<code>make web</code>.",
                    status=503,
                    content_type="text/html; charset=utf-8",
                )
            else:
                response = Response(index.read_bytes(), content_type=content_type(index.name))
                response.headers["Cache-Control"] = cache_control(index.name)
        else:
            file = (self.root / path.lstrip("/")).resolve()
            inside = file.is_relative_to(self.root.resolve())
            if "." not in path.rsplit("/", 1)[-1] or not inside or not file.is_file():
                return None
            response = Response(file.read_bytes(), content_type=content_type(file.name))
            response.headers["Cache-Control"] = cache_control(path)
            if path == "/sw.js":
                response.headers["Service-Worker-Allowed"] = "/"
        for name, value in self.headers().items():
            response.headers[name] = value
        return response
