"""soko.shared.auth.bearer_token: the one reading of an ``Authorization: Bearer`` header."""

from __future__ import annotations

import pytest

from soko.shared.auth import bearer_token


@pytest.mark.parametrize(
    ("headers", "source", "token"),
    [
        ({"authorization": "Bearer abc.def"}, None, "abc.def"),
        ({"Authorization": "bearer  abc.def "}, None, "abc.def"),  # any case, name and scheme
        ({"authorization": "BEARER abc"}, [], "abc"),  # an empty identity source reads the headers
        ({}, ["Bearer from-source"], "from-source"),  # the authorizer's identitySource first
        ({"authorization": "Bearer header"}, ["Bearer source"], "source"),
        ({"authorization": "Basic abc"}, None, None),
        ({"authorization": "Bearer "}, None, None),
        ({"authorization": "Bearer"}, None, None),
        ({"authorization": "abc.def"}, None, None),
        ({}, None, None),
        (None, None, None),
    ],
)
def test_bearer_token(headers: dict[str, str] | None, source: list[str] | None, token: str | None) -> None:
    assert bearer_token(headers, source) == token
