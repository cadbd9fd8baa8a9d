"""The local runtime's web app (soko_local.webapp): what it serves at which path, with which type and
cache header, what it leaves to the API, and the security headers on every answer."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Response

from soko_local.webapp import IMMUTABLE, SECURITY_HEADERS, WebApp, cache_control, content_type

WS = "ws://127.0.0.1:3001"
MOTO = "http://127.0.0.1:5000"
INDEX = '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>'


def runtime(websocket: str | None = WS) -> Any:
    return SimpleNamespace(
        websockets=[SimpleNamespace(url=websocket)] if websocket else [], aws_endpoint=MOTO
    )


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    files = {
        "index.html": INDEX,
        "assets/index-abc123.js": "console.log(1)",
        "assets/index-abc123.css": "body{}",
        "sw.js": "self.x = 1",
        "manifest.webmanifest": '{"name": "Soko"}',
        "icons/icon-192.png": "png",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


def get(app: WebApp, path: str, method: str = "GET") -> Response | None:
    return app.serve(EnvironBuilder(path=path, method=method).get_request())


def served(app: WebApp, path: str, method: str = "GET") -> Response:
    response = get(app, path, method)
    assert response is not None, f"{path} fell through"
    return response


@pytest.mark.parametrize("path", ["/", "/index.html", "/admin", "/admin/"])
def test_the_entries_are_index_html(dist: Path, path: str) -> None:
    response = served(WebApp(runtime(), dist), path)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == INDEX
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"


def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    response = served(WebApp(runtime(), tmp_path / "nothing"), "/admin")
    assert response.status_code == 503
    assert "make web" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("path", "kind", "cache"),
    [
        ("/assets/index-abc123.js", "text/javascript; charset=utf-8", IMMUTABLE),
        ("/assets/index-abc123.css", "text/css; charset=utf-8", IMMUTABLE),
        ("/sw.js", "text/javascript; charset=utf-8", "no-cache"),
        ("/manifest.webmanifest", "application/manifest+json; charset=utf-8", "no-cache"),
        ("/icons/icon-192.png", "image/png", "no-cache"),
    ],
)
def test_files_are_served_with_their_type_and_cache_header(
    dist: Path, path: str, kind: str, cache: str
) -> None:
    response = served(WebApp(runtime(), dist), path)
    assert response.status_code == 200
    assert response.get_data() == (dist / path.lstrip("/")).read_bytes()
    assert response.content_type == kind
    assert response.headers["Cache-Control"] == cache


def test_the_service_worker_may_control_the_whole_origin(dist: Path) -> None:
    assert served(WebApp(runtime(), dist), "/sw.js").headers["Service-Worker-Allowed"] == "/"


def test_head_is_answered_like_get(dist: Path) -> None:
    response = served(WebApp(runtime(), dist), "/assets/index-abc123.js", "HEAD")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_config_json_names_this_runtime(dist: Path) -> None:
    response = served(WebApp(runtime(), dist), "/config.json")
    assert json.loads(response.get_data()) == {"apiBaseUrl": "", "websocketUrl": WS, "stage": "local"}
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    without = served(WebApp(runtime(websocket=None), dist), "/config.json")
    assert json.loads(without.get_data())["websocketUrl"] is None


@pytest.mark.parametrize(
    "path",
    [
        "/health",  # the API's routes: no dot in the last segment
        "/listings/01JB8Z",
        "/admin/queues",  # the admin API, not the console (which is /admin)
        "/assets",  # a folder of the build
        "/icons",
        "/missing.js",  # a file name that is not in the build
        "/assets/index-000000.js",
        "/docs",
    ],
)
def test_what_is_not_a_file_of_the_build_falls_through_to_the_api(dist: Path, path: str) -> None:
    assert get(WebApp(runtime(), dist), path) is None


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt"],
)
def test_no_path_leaves_the_build(dist: Path, path: str) -> None:
    assert (dist.parent / "secret.txt").is_file()
    response = get(WebApp(runtime(), dist), path)
    assert response is None or b"outside the build" not in response.get_data()


def test_a_link_out_of_the_build_is_not_followed(dist: Path) -> None:
    (dist / "leak.txt").symlink_to(dist.parent / "secret.txt")
    assert get(WebApp(runtime(), dist), "/leak.txt") is None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_only_reads_are_the_apps(dist: Path, method: str) -> None:
    assert get(WebApp(runtime(), dist), "/", method) is None
    assert get(WebApp(runtime(), dist), "/config.json", method) is None


@pytest.mark.parametrize(
    "path", ["/", "/admin", "/assets/index-abc123.js", "/sw.js", "/config.json", "/icons/icon-192.png"]
)
def test_every_answer_carries_the_security_headers(dist: Path, path: str) -> None:
    app = WebApp(runtime(), dist)
    response = served(app, path)
    for name, value in {
        **SECURITY_HEADERS,
        "Content-Security-Policy": app.headers()["Content-Security-Policy"],
    }.items():
        assert response.headers[name] == value, name


def test_the_csp_admits_this_runtime_and_nothing_inline(dist: Path) -> None:
    policy = {
        d.split(" ")[0]: d.split(" ")[1:]
        for d in WebApp(runtime(), dist).headers()["Content-Security-Policy"].split("; ")
    }
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", WS, MOTO]
    assert policy["img-src"] == ["'self'", "data:", "blob:", MOTO]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("x.mjs", "text/javascript; charset=utf-8"),
        ("config.json", "application/json; charset=utf-8"),
        ("logo.svg", "image/svg+xml; charset=utf-8"),
        ("font.woff2", "font/woff2"),
        ("photo.webp", "image/webp"),
        ("no-extension", "application/octet-stream"),
    ],
)
def test_content_types(name: str, kind: str) -> None:
    assert content_type(name) == kind


@pytest.mark.parametrize(
    ("path", "cache"),
    [
        ("assets/x-1.js", IMMUTABLE),
        ("/assets/x-1.js", IMMUTABLE),
        ("index.html", "no-cache"),
        ("/x/assets/y.js", "no-cache"),
    ],
)
def test_cache_control(path: str, cache: str) -> None:
    assert cache_control(path) == cache
