"""The fuzz suite's world: the local runtime (as the end-to-end suite starts it, a runtime of its
own so generated data never reaches the end-to-end tests), a farmer, a buyer and the dev admin
signed in through the API, and one of each resource the document's links create (a listing, an
order, a post, a conversation), whose ids the fuzz puts into path parameters so that generated
requests reach the handlers' logic and not only their 404s."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from fuzz_world import SENT, World

from support.runtime import ROOT, RunningRuntime, running

PASSWORD = "Mango-harvest-77"
DEV_ADMIN = ("admin@soko.ug", "Matooke-Market-Dev-2026")  # the local runtime's default dev admin


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fuzz needs the local runtime: it is end-to-end (``make test-fast`` leaves it out)."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.fuzz)


def _sign_in(url: str, email: str, password: str) -> str:
    reply = requests.post(f"{url}/auth/login", json={"email": email, "password": password}, timeout=60)
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


def _register(url: str, role: str) -> tuple[str, str]:
    email = f"fuzz-{role}@example.com"
    body = {"email": email, "password": PASSWORD, "role": role, "fullName": f"Fuzz {role.title()}"}
    reply = requests.post(f"{url}/auth/register", json=body, timeout=60)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["id"]), _sign_in(url, email, PASSWORD)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SENT[0]:
        terminalreporter.write_line(f"fuzz: {SENT[0]} requests sent to the local runtime")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand the count to the controller (tests/conftest.py prints it)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzz_requests_sent"] = SENT[0]


@pytest.fixture(scope="session")
def fuzz_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    with running(ROOT / "template.yaml", tmp_path_factory.mktemp("fuzz"), "--no-watch", "--empty") as runtime:
        yield runtime


@pytest.fixture(scope="session")
def world(fuzz_runtime: RunningRuntime) -> World:
    url = fuzz_runtime.url
    farmer_id, farmer_token = _register(url, "farmer")
    buyer_id, buyer_token = _register(url, "buyer")
    admin_token = _sign_in(url, *DEV_ADMIN)
    me = requests.get(f"{url}/users/me", headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    world = World(
        url,
        {"farmer": farmer_token, "buyer": buyer_token, "admin": admin_token},
        {"farmer": farmer_id, "buyer": buyer_id, "admin": str(me.json()["id"])},
    )
    listing = world.call(
        "POST",
        "/listings/",
        "farmer",
        {
            "title": "Fuzz maize",
            "crop": "maize",
            "price_per_kg": 1200,
            "quantity_kg": "900",
            "district": "Gulu",
        },
    )
    order = world.call("POST", "/orders/", "buyer", {"listing_id": listing["id"], "quantity_kg": "5"})
    post = world.call(
        "POST", "/posts/", "farmer", {"title": "Drying maize", "body": "Dry it well.", "category": "agronomy"}
    )
    message = world.call("POST", "/message/", "buyer", {"to_user_id": farmer_id, "text": "Is it dry?"})
    world.ids.update(
        listings=str(listing["id"]),
        orders=str(order["id"]),
        posts=str(post["id"]),
        users=farmer_id,
        message=str(message["conversation_id"]),
    )
    return world
