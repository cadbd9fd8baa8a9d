"""The real application under `make dev`: health, docs, endpoints, gateway behaviour."""

from __future__ import annotations

import json

import requests

from soko_local.openapi import DOCUMENT


def test_health_answers_through_the_gateway(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    response = http.get(f"{soko.url}/health", timeout=30)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["stage"] == "local"
    assert {c["kind"] for c in body["checks"]} == {"dynamodb", "eventbridge"}


def test_unknown_route_is_a_404_json(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    response = http.get(f"{soko.url}/no/such/route", timeout=10)

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_wrong_method_on_a_known_path_is_a_404(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    response = http.delete(f"{soko.url}/health", timeout=10)

    assert response.status_code == 404


def test_docs_page_serves_the_checked_in_document(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    page = http.get(f"{soko.url}/docs", timeout=10)
    spec = http.get(f"{soko.url}/openapi.json", timeout=10)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "SwaggerUIBundle" in page.text
    assert "https://" not in page.text.split("<body>")[0], "docs must work offline (no CDN assets)"
    assert spec.json() == json.loads(DOCUMENT.read_text())


def test_local_endpoints(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    endpoints = http.get(f"{soko.url}/_local/endpoints", timeout=10).json()

    assert endpoints["http_api"] == soko.url
    assert set(endpoints["function_urls"]) == {"UssdFunction"}  # with the token the provider is given
    assert endpoints["function_urls"]["UssdFunction"].startswith(f"{soko.url}/_fn/UssdFunction/?token=")
    assert endpoints["websocket"]["WebSocketApi"]["url"].startswith("ws://127.0.0.1:")
    assert endpoints["outputs"]["EventBusName"] == "soko-local-bus"
    buses = soko.client("events").list_event_buses()["EventBuses"]
    assert "soko-local-bus" in {b["Name"] for b in buses}


def test_cors_preflight_and_response_headers(soko, http: requests.Session) -> None:  # type: ignore[no-untyped-def]
    origin = "https://app.soko.example"
    preflight = http.options(
        f"{soko.url}/health",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        timeout=10,
    )
    actual = http.get(f"{soko.url}/health", headers={"Origin": origin}, timeout=10)

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in preflight.headers["access-control-allow-headers"]
    assert actual.headers["access-control-allow-origin"] == "*"
