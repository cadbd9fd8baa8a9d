"""Issue 18's done-when, black-box over HTTP against the application as `make dev` runs it (the demo
world and the shipped prices loaded, background training left out), with a short minimum group
deadline so that expiry is seen within the test:

- a cooperative's pooled listing sells 2 t assembled from 5 members' commitments, and each member
  is paid their exact share (Soko's commission and the coop's fee computed here, independently);
- 30 concurrent joins never overfill a group nor miscount it;
- a group reaching its tier produces one order per member at the tier's price;
- an expired group charges nobody;
- the trader clusters train through their state machine (what `make train-groups` runs), and
  recommendations carry explanations.

The money is checked from the outside: each member's `GET /coops/mine` earnings and their
`GET /payments/earnings` net for the month.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import boto3
import pytest
import requests

from soko.shared import aws
from soko_local import ml_tasks
from support.clusters import clusters_queue
from support.runtime import ROOT, RunningRuntime, running

from .test_market import TIMEOUT, User, create_listing, new_user, pay, set_status

WAIT_SECONDS = 90
COMMISSION_PERCENT = Decimal(5)  # the template's CommissionPercent default
COOP_FEE_PERCENT = Decimal("2.5")
PRICE = 1_925
COMMITMENTS_KG = (250, 300, 400, 450, 600)  # 2,000 kg from 5 members
GROUP_MIN_DEADLINE_MINUTES = 1


def eventually(check: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


@pytest.fixture(scope="module")
def soko(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRuntime]:
    workdir = tmp_path_factory.mktemp("aggregation")
    with running(
        ROOT / "template.yaml",
        workdir,
        "--no-watch",
        "--no-train",
        "--parameter",
        f"GroupMinDeadlineMinutes={GROUP_MIN_DEADLINE_MINUTES}",
    ) as runtime:
        yield runtime


def call(http: requests.Session, method: str, url: str, user: User | None, expect: int, **kw: Any) -> Any:
    reply = http.request(method, url, headers=user.headers if user else None, timeout=TIMEOUT, **kw)
    assert reply.status_code == expect, f"{method} {url}: {reply.status_code} {reply.text}"
    return reply.json() if reply.content else None


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """``total`` shared by ``weights``: floors, then the leftover shillings one each to the largest
    remainders (ties to the earlier weight)."""
    whole = sum(weights)
    floors = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    return floors


def month_net(http: requests.Session, soko: RunningRuntime, member: User) -> int:
    """The member's net earnings this month (Uganda time), as their GET /payments/earnings says."""
    earnings = call(http, "GET", f"{soko.url}/payments/earnings", member, 200)
    return int(earnings["months"][-1]["net_ugx"])


def expected_pay(
    orders: list[dict[str, Any]], grams: dict[str, dict[str, int]]
) -> tuple[dict[str, int], int]:
    """Each member's pay for the pooled ``orders`` (order id -> member id -> allocated grams) and the
    coop's fees, computed here: per order, Soko's commission, the coop's fee on the net, then the
    rest by grams, largest remainder."""
    pay: dict[str, int] = {}
    fees = 0
    for placed_order in orders:
        gross = int(placed_order["total_ugx"])
        net = gross - half_up(Decimal(gross) * COMMISSION_PERCENT / 100)
        fee = half_up(Decimal(net) * COOP_FEE_PERCENT / 100)
        fees += fee
        parts = grams[placed_order["id"]]
        for member_id, share in zip(parts, largest_remainder(net - fee, list(parts.values())), strict=True):
            pay[member_id] = pay.get(member_id, 0) + share
    return pay, fees


# ---------------------------------------------------------------------------- clusters (first: the
# dev world still has a single real buyer with orders, so `make train-groups` adds its generated
# history, as it says)
CLUSTERS_PASSWORD = "Lira-beans-2026-groups"


def _account(http: requests.Session, url: str, role: str) -> tuple[str, dict[str, str]]:
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    created = http.post(
        f"{url}/auth/register", json={"email": email, "password": CLUSTERS_PASSWORD, "role": role}, timeout=30
    )
    assert created.status_code == 201, created.text
    token = http.post(
        f"{url}/auth/login", json={"email": email, "password": CLUSTERS_PASSWORD}, timeout=30
    ).json()
    return created.json()["id"], {"Authorization": f"Bearer {token['access_token']}"}


@contextmanager
def _runtime_aws(soko: RunningRuntime) -> Iterator[None]:
    """soko.shared.aws clients of this process reach the runtime's moto."""
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = soko.endpoints["aws_endpoint"]
    aws.reset()
    boto3.DEFAULT_SESSION = None
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved
        aws.reset()
        # boto3's default session keeps what it read of the environment (the runtime's endpoint):
        # the tests after this one must get a fresh one
        boto3.DEFAULT_SESSION = None


def _groups_table(soko: RunningRuntime) -> str:
    [name] = [n for n in soko.client("dynamodb").list_tables()["TableNames"] if "GroupsTable" in n]
    return str(name)


def _item(soko: RunningRuntime, table: str, pk: str, sk: str) -> dict[str, Any] | None:
    found = soko.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    item: dict[str, Any] | None = found.get("Item")
    return item


def test_orders_train_clusters_that_place_the_buyer(
    soko: RunningRuntime, http: requests.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    url = soko.url
    _, farmer = _account(http, url, "farmer")
    buyer_id, buyer = _account(http, url, "buyer")
    listing = http.post(
        f"{url}/listings/",
        headers=farmer,
        timeout=30,
        json={
            "title": "Yellow beans",
            "crop": "beans",
            "price_per_kg": 3200,
            "quantity_kg": "900",
            "district": "Lira",
        },
    )
    assert listing.status_code == 201, listing.text
    order = http.post(
        f"{url}/orders/",
        headers=buyer,
        json={"listing_id": listing.json()["id"], "quantity_kg": "400"},
        timeout=30,
    )
    assert order.status_code == 201, order.text

    table = _groups_table(soko)
    deadline = time.monotonic() + 60
    while (behaviour := _item(soko, table, f"BUYER#{buyer_id}", "BEHAVIOUR")) is None:
        assert time.monotonic() < deadline, "the projection never saw the order"
        time.sleep(0.2)
    assert behaviour["orders"] == {"N": "1"} and behaviour["cg_yellow_beans"] == {"N": "400000"}

    queue, cleanup = clusters_queue(
        soko.client("events"), soko.client("sqs"), soko.endpoints["outputs"]["EventBusName"]
    )
    try:
        # what `make train-groups` runs; a dev world this young gets the generated history too
        with _runtime_aws(soko):
            outputs = {**soko.endpoints["outputs"], "state_machines": soko.endpoints["state_machines"]}
            assert ml_tasks._train_groups(outputs, generate=True) == 0
        printed = capsys.readouterr().out
        assert "added a GENERATED history of 300 buyers" in printed, printed  # below 30 real buyers
        pointer = _item(soko, table, "CLUSTERS#CURRENT", "MODEL")
        assert pointer is not None
        version = pointer["version"]["S"]
        assert f"model {version}: k = " in printed and "(300 generated)" in printed, printed
        key = f"models/group-clusters/{version}.json"
        soko.client("s3").head_object(Bucket=soko.endpoints["outputs"]["ModelsBucketName"], Key=key)
        announced = []
        for _ in range(20):
            got = soko.client("sqs").receive_message(
                QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            announced += [json.loads(m["Body"]) for m in got.get("Messages", [])]
            if announced:
                break
        assert announced[0]["detail"]["model_version"] == version and announced[0]["detail"]["buyers"] > 300
    finally:
        cleanup()

    recommended = http.get(f"{url}/groups/recommended", headers=buyer, timeout=30)
    assert recommended.status_code == 200, recommended.text
    body = recommended.json()
    assert body["model_version"] == version and body["cluster"] == "weekly beans buyers"
    assert http.get(f"{url}/groups/recommended", headers=farmer, timeout=30).status_code == 403


# ---------------------------------------------------------------------------- cooperatives
def pooled_listing(
    soko: RunningRuntime, http: requests.Session, members: list[User]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first member starts a coop, adds the others; each commits their beans; the manager
    publishes the pool, and the market shows the pooled listing with the whole of it in stock."""
    manager = members[0]
    coop = call(
        http,
        "POST",
        f"{soko.url}/coops",
        manager,
        201,
        json={"name": "Lira Bean Growers", "district": "Lira", "crops": ["beans"], "fee_percent": "2.5"},
    )
    for member in members[1:]:
        call(
            http, "POST", f"{soko.url}/coops/{coop['id']}/members", manager, 201, json={"user_id": member.id}
        )
    for member, kg in zip(members, COMMITMENTS_KG, strict=True):
        call(
            http,
            "POST",
            f"{soko.url}/coops/{coop['id']}/commitments",
            member,
            201,
            json={"crop": "beans", "quantity_kg": str(kg)},
        )
    pool = call(
        http,
        "POST",
        f"{soko.url}/coops/{coop['id']}/listings",
        manager,
        202,
        json={"crop": "beans", "title": "Lira beans, pooled", "price_per_kg": PRICE},
    )
    assert Decimal(pool["quantity_kg"]) == 2000
    listing = eventually(
        lambda: (
            (r := http.get(f"{soko.url}/listings/{pool['listing_id']}", timeout=TIMEOUT)).status_code == 200
            and r.json()
        ),
        "the pooled listing",
    )
    assert Decimal(listing["quantity_kg"]) == 2000 and listing["coop_id"] == coop["id"]

    return coop, listing


def test_a_pooled_listing_sells_2_t_from_5_members_and_pays_each_their_exact_share(
    soko: RunningRuntime, http: requests.Session
) -> None:
    members = [new_user(soko, http, "farmer") for _ in COMMITMENTS_KG]
    manager = members[0]
    coop, listing = pooled_listing(soko, http, members)

    # Two buyers take a tonne each (a buyer may hold at most half a listing unpaid).
    buyers = [new_user(soko, http, "buyer") for _ in range(2)]
    orders = [
        call(
            http,
            "POST",
            f"{soko.url}/orders/",
            buyer,
            201,
            json={"listing_id": listing["id"], "quantity_kg": "1000"},
        )
        for buyer in buyers
    ]
    assert Decimal(call(http, "GET", f"{soko.url}/listings/{listing['id']}", None, 200)["quantity_kg"]) == 0
    for placed_order in orders:
        assert set_status(soko, http, manager, placed_order["id"], "confirmed").status_code == 200

    # Each order is allocated to the five members by commitment; each member confirms (USSD does
    # the same; tests/functional/ussd covers that channel).
    def allocations_of(member: User) -> list[dict[str, Any]]:
        return list(call(http, "GET", f"{soko.url}/coops/mine", member, 200)["allocations"])

    def both_allocations(member: User) -> list[dict[str, Any]] | None:
        found = allocations_of(member)
        return found if len(found) == 2 else None

    for member in members:
        mine = eventually(partial(both_allocations, member), "allocations")
        for allocation in mine:
            call(
                http,
                "POST",
                f"{soko.url}/coops/{coop['id']}/allocations/{allocation['order_id']}/confirm",
                member,
                200,
            )
    allocated = {m.id: sum(Decimal(a["quantity_kg"]) for a in allocations_of(m)) for m in members}
    assert allocated == {m.id: Decimal(kg) for m, kg in zip(members, COMMITMENTS_KG, strict=True)}

    for buyer, placed_order in zip(buyers, orders, strict=True):
        pay(soko, http, buyer, placed_order["id"])
        assert set_status(soko, http, manager, placed_order["id"], "delivered").status_code == 200
        received = call(http, "POST", f"{soko.url}/orders/{placed_order['id']}/receipt", buyer, 200)
        assert received["status"] == "completed"

    # The money, computed independently: per order, the commission, then the coop's fee on the net,
    # then the rest by each member's allocated grams, largest remainder.
    grams = {
        o["id"]: {
            m.id: next(
                int(Decimal(a["quantity_kg"]) * 1000) for a in allocations_of(m) if a["order_id"] == o["id"]
            )
            for m in members
        }
        for o in orders
    }
    expected, fees = expected_pay(orders, grams)
    assert sum(int(o["total_ugx"]) for o in orders) == 2 * 1000 * PRICE

    def earned(member: User) -> int:
        return int(call(http, "GET", f"{soko.url}/coops/mine", member, 200)["earnings_ugx"])

    for member in members:
        eventually(partial(lambda m: earned(m) == expected[m.id], member), f"{member.id}'s share")
        # the ledger agrees: each member's earnings are their share; the manager who published
        # the pool also receives the coop's fee
        assert month_net(http, soko, member) == expected[member.id] + (fees if member is manager else 0)


# ---------------------------------------------------------------------------- groups
TIERS = [{"min_kg": "500", "discount_percent": 5}, {"min_kg": "1000", "discount_percent": 10}]


def tiered_listing(soko: RunningRuntime, http: requests.Session) -> tuple[User, dict[str, Any]]:
    farmer = new_user(soko, http, "farmer")
    listing = create_listing(
        soko,
        http,
        farmer,
        crop="beans",
        price_per_kg=2_000,
        quantity_kg="5000",
        district="Lira",
        price_tiers=TIERS,
    )
    shown = [(Decimal(t["min_kg"]), t["discount_percent"]) for t in listing["price_tiers"]]
    assert shown == [(Decimal(500), 5), (Decimal(1000), 10)]
    return farmer, listing


def test_30_concurrent_joins_never_overfill_and_the_tier_price_orders_follow(
    soko: RunningRuntime, http: requests.Session
) -> None:
    _, listing = tiered_listing(soko, http)
    starter = new_user(soko, http, "buyer")
    deadline = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    group = call(
        http,
        "POST",
        f"{soko.url}/groups",
        starter,
        201,
        json={"listing_id": listing["id"], "target_kg": "1000", "deadline": deadline, "quantity_kg": "50"},
    )
    joiners = [new_user(soko, http, "buyer") for _ in range(30)]
    barrier = threading.Barrier(len(joiners))
    replies: dict[str, requests.Response] = {}

    def join(buyer: User) -> None:
        with requests.Session() as session:
            barrier.wait()
            replies[buyer.id] = session.post(
                f"{soko.url}/groups/{group['id']}/join",
                json={"quantity_kg": "50"},
                headers=buyer.headers,
                timeout=TIMEOUT,
            )

    threads = [threading.Thread(target=join, args=(b,)) for b in joiners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in replies.values())
    joined = [b for b in joiners if replies[b.id].status_code == 200]
    failures = [line for line in soko.log_text().splitlines() if " failed: " in line]
    assert set(statuses) <= {200, 409}, (statuses, failures[-5:])
    assert len(joined) == 19, statuses  # 950 kg of room, 50 kg each

    shown = call(http, "GET", f"{soko.url}/groups/{group['id']}", starter, 200)
    assert Decimal(shown["filled_kg"]) == 1000 and shown["members"] == 20
    assert shown["status"] == "completed" and shown["tier"]["discount_percent"] == 10
    assert shown["price_per_kg"] == 1_800

    for buyer in [starter, *joined]:
        order_id = eventually(partial(shown_order_id, http, soko, group["id"], buyer), "the member's order")
        order = call(http, "GET", f"{soko.url}/orders/{order_id}", buyer, 200)
        assert order["price_per_kg"] == 1_800 and Decimal(order["quantity_kg"]) == 50
        assert order["status"] == "confirmed" and order["total_ugx"] == 90_000
    for buyer in joiners:
        if buyer not in joined:
            assert call(http, "GET", f"{soko.url}/groups/{group['id']}", buyer, 200)["mine"] is None
    # One member pays: the money is the tier price's.
    pay(soko, http, starter, eventually(lambda: shown_order_id(http, soko, group["id"], starter), "order"))


def shown_order_id(http: requests.Session, soko: RunningRuntime, group_id: str, user: User) -> str | None:
    mine = call(http, "GET", f"{soko.url}/groups/{group_id}", user, 200)["mine"]
    return str(mine["order_id"]) if mine and mine.get("order_id") else None


def test_an_expired_group_charges_nobody(soko: RunningRuntime, http: requests.Session) -> None:
    _, listing = tiered_listing(soko, http)
    members = [new_user(soko, http, "buyer") for _ in range(3)]
    deadline = (datetime.now(UTC) + timedelta(minutes=GROUP_MIN_DEADLINE_MINUTES, seconds=15)).isoformat()
    group = call(
        http,
        "POST",
        f"{soko.url}/groups",
        members[0],
        201,
        json={"listing_id": listing["id"], "target_kg": "1000", "deadline": deadline, "quantity_kg": "100"},
    )
    for member in members[1:]:
        call(http, "POST", f"{soko.url}/groups/{group['id']}/join", member, 200, json={"quantity_kg": "100"})
    expired = eventually(
        lambda: (
            (g := call(http, "GET", f"{soko.url}/groups/{group['id']}", members[0], 200))["status"]
            == "expired"
            and g
        ),
        "the group's expiry",
        seconds=180,
    )
    assert Decimal(expired["filled_kg"]) == 300 and expired["tier"] is None
    for member in members:
        orders = call(http, "GET", f"{soko.url}/orders/", member, 200, params={"limit": 100})["items"]
        assert orders == [], "an expired group places no order, so nobody is asked to pay"
        assert call(http, "GET", f"{soko.url}/groups/{group['id']}", member, 200)["mine"]["order_id"] is None
    assert (
        Decimal(call(http, "GET", f"{soko.url}/listings/{listing['id']}", None, 200)["quantity_kg"]) == 5000
    )
