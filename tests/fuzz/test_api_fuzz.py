"""Property-based fuzz of the whole HTTP API from its own OpenAPI document (schemathesis + Hypothesis)
against the local runtime: every operation, anonymous and signed in as a buyer, a farmer and the
admin; valid requests (positive) and requests the document forbids (negative).

Every answer must not be a 5xx and must match the response the document gives for its status
(``response_schema_conformance``); a request the document forbids must be refused
(``negative_data_rejection``). Generation is seeded per (operation, identity, mode), so a CI run
sends the same requests every time. ``SOKO_FUZZ_EXAMPLES`` sets the examples per mode (default 20:
about 7,000 requests in all, 2-3 minutes here); ``make fuzz`` runs a larger search.

``positive_data_acceptance`` is not checked: some rules cannot be written in a schema (a crop or
district name the catalogue does not know, a common password, a cursor that was tampered with, an
id that does not exist), so a schema-valid request may honestly be refused.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from fuzz_world import SENT, World
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection, response_schema_conformance

from support.runtime import ROOT

DOCUMENT = json.loads((ROOT / "docs" / "openapi.json").read_text())
EXAMPLES = int(os.environ.get("SOKO_FUZZ_EXAMPLES", "20"))
IDENTITIES = ("anonymous", "buyer", "farmer", "admin")
CHECKS: dict[GenerationMode, list[Callable[..., Any]]] = {
    GenerationMode.POSITIVE: [not_a_server_error, response_schema_conformance],
    GenerationMode.NEGATIVE: [not_a_server_error, response_schema_conformance, negative_data_rejection],
}
# A refusal is any 4xx a client can act on; 413/414 (too large, URI too long) come from the gateway.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422", "428", "429", "5xx"]


def _cases() -> list[Any]:
    """(method, path, identity) for every operation of the document and every identity."""
    cases = []
    for path, methods in DOCUMENT["paths"].items():
        for method in methods:
            for identity in IDENTITIES:
                label = f"{method.upper()} {path}-{identity}"
                cases.append(pytest.param(method.upper(), path, identity, id=label))
    return cases


@pytest.fixture(scope="session")
def schema() -> Any:
    config = SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
    )
    return schemathesis.openapi.from_dict(DOCUMENT, config=config)


@pytest.fixture(scope="session")
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


def _path_parameters(path: str, world: World) -> dict[str, str] | None:
    """Ids that exist for this path's parameters (None if the fuzz holds none for one of them)."""
    collection = path.strip("/").split("/")[0]
    values = {}
    for name in re.findall(r"{(\w+)}", path):
        if name in ("buyer_id", "farmer_id"):
            values[name] = world.users[name.removesuffix("_id")]
        elif name == "id" and collection in world.ids:
            values[name] = world.ids[collection]
        else:
            return None
    return values or None


def _run(
    strategy: Any, checks: list[Callable[..., Any]], label: str, call: Callable[[Any, list[Any]], Any]
) -> None:
    @seed(zlib.crc32(label.encode()))
    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy)
    def fuzz(case: Any) -> None:
        call(case, checks)

    fuzz()


@pytest.mark.parametrize(("method", "path", "identity"), _cases())
def test_no_server_error_and_every_answer_is_documented(
    schema: Any,
    world: World,
    session: requests.Session,
    method: str,
    path: str,
    identity: str,
) -> None:
    operation = schema[path][method]
    headers = world.headers(identity)  # fixed: a negative case never drops the caller's token
    known = _path_parameters(path, world)

    def call(case: Any, checks: list[Callable[..., Any]]) -> None:
        SENT[0] += 1
        case.call_and_validate(base_url=world.url, session=session, checks=checks, timeout=60)

    for mode, checks in CHECKS.items():
        strategy = operation.as_strategy(generation_mode=mode, headers=headers or None)
        if known:
            strategy = st.one_of(
                strategy,
                operation.as_strategy(generation_mode=mode, headers=headers or None, path_parameters=known),
            )
        try:
            _run(strategy, checks, f"{method} {path} {identity} {mode}", call)
        except Unsatisfiable:
            if mode is GenerationMode.POSITIVE:
                raise
            # The document allows every request this operation can get (no body, no bounded
            # parameter): there is no negative data to send.
