"""HTTP API route matching (soko_local.routing): API Gateway's priorities and path parameters."""

from __future__ import annotations

import pytest

from soko_local.routing import Route, RouteTable


def table(*specs: str, default: str | None = None) -> RouteTable:
    """Routes from "METHOD /path" strings; each route's function is its own route key."""
    routes = [Route(*spec.split(" ", 1), function=spec, authorizer=None) for spec in specs]
    if default is not None:
        routes.append(Route("ANY", "$default", default, None))
    return RouteTable(routes)


def chosen(routes: RouteTable, method: str, path: str) -> tuple[str, dict[str, str]] | None:
    found = routes.find(method, path)
    return None if found is None else (found[0].function, found[1])


# Declared least-specific first so that a table which kept declaration order would fail.
PRIORITY_ROUTES = table(
    "ANY /{proxy+}",
    "GET /listings/{proxy+}",
    "ANY /listings/{id}",
    "GET /listings/{id}",
    "GET /listings/{id}/photos/{photoId}",
    "GET /listings/mine",
    "ANY /orders",
    "POST /orders",
    "GET /",
)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        # an exact path beats a parameter, which beats a greedy variable
        ("GET", "/listings/mine", ("GET /listings/mine", {})),
        ("GET", "/listings/42", ("GET /listings/{id}", {"id": "42"})),
        ("GET", "/listings/42/photos", ("GET /listings/{proxy+}", {"proxy": "42/photos"})),
        (
            "GET",
            "/listings/42/photos/7",
            ("GET /listings/{id}/photos/{photoId}", {"id": "42", "photoId": "7"}),
        ),
        # a method beats ANY on the same path; ANY takes the other methods
        ("POST", "/orders", ("POST /orders", {})),
        ("DELETE", "/orders", ("ANY /orders", {})),
        ("DELETE", "/listings/42", ("ANY /listings/{id}", {"id": "42"})),
        # an exact ANY route still beats a greedy route with the right method
        ("GET", "/orders", ("ANY /orders", {})),
        # a method-specific greedy route does not take other methods
        ("POST", "/listings/42/photos", ("ANY /{proxy+}", {"proxy": "listings/42/photos"})),
        ("GET", "/", ("GET /", {})),
        ("GET", "/anything/else", ("ANY /{proxy+}", {"proxy": "anything/else"})),
    ],
)
def test_most_specific_route_wins(method: str, path: str, expected: tuple[str, dict[str, str]]) -> None:
    assert chosen(PRIORITY_ROUTES, method, path) == expected


@pytest.mark.parametrize("order", [1, -1])
def test_priority_does_not_depend_on_declaration_order(order: int) -> None:
    specs = ["GET /a/{proxy+}", "GET /a/{x}", "GET /a/b", "ANY /a/b"][::order]
    routes = table(*specs)

    assert chosen(routes, "GET", "/a/b") == ("GET /a/b", {})
    assert chosen(routes, "GET", "/a/c") == ("GET /a/{x}", {"x": "c"})
    assert chosen(routes, "GET", "/a/c/d") == ("GET /a/{proxy+}", {"proxy": "c/d"})
    assert chosen(routes, "PUT", "/a/b") == ("ANY /a/b", {})


def test_default_route_catches_what_nothing_else_matches() -> None:
    routes = table("GET /listings", "GET /listings/{id}", default="DefaultFn")

    assert chosen(routes, "GET", "/listings") == ("GET /listings", {})
    assert chosen(routes, "POST", "/listings") == ("DefaultFn", {})
    assert chosen(routes, "GET", "/nowhere/at/all") == ("DefaultFn", {})
    found = routes.find("GET", "/nowhere")
    assert found is not None
    assert found[0].key == "$default"


def test_default_route_is_never_matched_by_path() -> None:
    routes = table("GET /a", default="DefaultFn")

    assert routes.default is not None
    assert routes.default.match("GET", "$default") is None
    assert all(route.path != "$default" for route in routes.routes)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nowhere"),
        ("POST", "/listings"),  # path exists, method does not
        ("GET", "/listings/42/extra"),  # one segment too many for a non-greedy route
        ("GET", "/"),
    ],
)
def test_no_match_without_default_is_none(method: str, path: str) -> None:
    assert table("GET /listings", "GET /listings/{id}").find(method, path) is None


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("hello%20world", "hello world"),
        ("caf%C3%A9", "café"),
        ("a%2Fb", "a/b"),
        ("a+b", "a+b"),  # '+' is only a space in query strings, not in paths
        ("plain", "plain"),
    ],
)
def test_path_parameters_are_url_decoded(raw: str, decoded: str) -> None:
    routes = table("GET /listings/{id}", "GET /files/{key+}")

    assert chosen(routes, "GET", f"/listings/{raw}") == ("GET /listings/{id}", {"id": decoded})
    assert chosen(routes, "GET", f"/files/dir/{raw}") == ("GET /files/{key+}", {"key": f"dir/{decoded}"})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/listings", "GET /listings"),
        ("/listings/", None),  # trailing slash: not the exact route, and an empty {id}
        ("/listings//photos", None),  # an empty segment is not a parameter value
        ("/listings/42/photos", "GET /listings/{id}/photos"),
        ("/listings/42/photos/", None),
        ("/files/", None),  # a greedy variable needs at least one character
        ("/files", None),
        ("/files/a/", "GET /files/{key+}"),
    ],
)
def test_trailing_slash_and_empty_segments(path: str, expected: str | None) -> None:
    routes = table("GET /listings", "GET /listings/{id}", "GET /listings/{id}/photos", "GET /files/{key+}")

    found = routes.find("GET", path)

    assert (found[0].function if found else None) == expected


def test_greedy_variable_keeps_inner_and_trailing_slashes() -> None:
    routes = table("GET /files/{key+}")

    assert chosen(routes, "GET", "/files/a//b/") == ("GET /files/{key+}", {"key": "a//b/"})


@pytest.mark.parametrize(
    ("route", "key"),
    [
        (Route("GET", "/listings/{id}", "Fn", None), "GET /listings/{id}"),
        (Route("ANY", "/{proxy+}", "Fn", None), "ANY /{proxy+}"),
        (Route("ANY", "$default", "Fn", None), "$default"),
    ],
)
def test_route_key(route: Route, key: str) -> None:
    assert route.key == key
