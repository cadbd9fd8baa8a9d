"""Issue 18's done-when, black-box over HTTP against the application as `make dev` runs it (the demo
world and the shipped prices loaded, background training left out), with a short minimum group
deadline so that expiry is seen within the test:

- a cooperative's pooled listing sells 2 t assembled from 5 members' commitments, and each member
  is paid their exact share (Soko's commission and the coop's fee computed here, independently);
- 30 concurrent joins never overfill a group nor miscount it;
- a group reaching its tier produces one order per member at the tier's price;
- an expired group charges nobody;
- the trader clusters train through their state machine, and recommendations carry explanations.

The money is checked from the outside: each member's `GET /coops/mine` earnings and their
`GET /payments/earnings` net for the month.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import requests

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
    earnings = call(http, "GET", f"{soko.url}/payments/earnings", member, 200)
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")
    rows = [m for m in earnings["months"] if m["month"] == month] or earnings["months"][-1:]
    return int(rows[0]["released"]["net_ugx"]) if rows else 0


# ---------------------------------------------------------------------------- cooperatives
def test_a_pooled_listing_sells_2_t_from_5_members_and_pays_each_their_exact_share(
    soko: RunningRuntime, http: requests.Session
) -> None:
    members = [new_user(soko, http, "farmer") for _ in COMMITMENTS_KG]
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
        call(http, "POST", f"{soko.url}/coops/{coop['id']}/members", manager, 201, json={"user_id": member.id})
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
        lambda: (r := http.get(f"{soko.url}/listings/{pool['listing_id']}", timeout=TIMEOUT)).status_code == 200
        and r.json(),
        "the pooled listing",
    )
    assert Decimal(listing["quantity_kg"]) == 2000 and listing["coop_id"] == coop["id"]

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

    for member in members:
        mine = eventually(lambda m=member: len(allocations_of(m)) == 2 and allocations_of(m), "allocations")
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
    expected = dict.fromkeys((m.id for m in members), 0)
    totals = 0
    for placed_order in orders:
        gross = int(placed_order["total_ugx"])
        totals += gross
        net = gross - half_up(Decimal(gross) * COMMISSION_PERCENT / 100)
        fee = half_up(Decimal(net) * COOP_FEE_PERCENT / 100)
        grams = {
            m.id: next(
                int(Decimal(a["quantity_kg"]) * 1000)
                for a in allocations_of(m)
                if a["order_id"] == placed_order["id"]
            )
            for m in members
        }
        shares = largest_remainder(net - fee, list(grams.values()))
        for member_id, share in zip(grams, shares, strict=True):
            expected[member_id] += share
    assert totals == 2 * 1000 * PRICE

    def earned(member: User) -> int:
        return int(call(http, "GET", f"{soko.url}/coops/mine", member, 200)["earnings_ugx"])

    for member in members:
        eventually(lambda m=member: earned(m) == expected[m.id], f"{member.id}'s share")
        assert month_net(http, soko, member) == expected[member.id] + (
            0 if member is not manager else 0
        ), "the ledger's released net"


# ---------------------------------------------------------------------------- groups
TIERS = [{"min_kg": "500", "discount_percent": 5}, {"min_kg": "1000", "discount_percent": 10}]


def tiered_listing(soko: RunningRuntime, http: requests.Session) -> tuple[User, dict[str, Any]]:
    farmer = new_user(soko, http, "farmer")
    listing = create_listing(
        soko, http, farmer, crop="beans", price_per_kg=2_000, quantity_kg="5000", district="Lira", price_tiers=TIERS
    )
    assert listing["price_tiers"] == [
        {"min_kg": t["min_kg"], "discount_percent": t["discount_percent"]} for t in TIERS
    ] or [Decimal(t["min_kg"]) for t in listing["price_tiers"]] == [500, 1000]
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
    assert len(joined) == 19, statuses  # 950 kg of room, 50 kg each
    assert set(statuses) <= {200, 409}, statuses

    shown = call(http, "GET", f"{soko.url}/groups/{group['id']}", starter, 200)
    assert Decimal(shown["filled_kg"]) == 1000 and shown["members"] == 20
    assert shown["status"] == "completed" and shown["tier"]["discount_percent"] == 10
    assert shown["price_per_kg"] == 1_800

    for buyer in [starter, *joined]:
        part = eventually(
            lambda b=buyer: (g := call(http, "GET", f"{soko.url}/groups/{group['id']}", b, 200))["mine"]
            and g["mine"].get("order_id")
            and g["mine"],
            "the member's order",
        )
        order = call(http, "GET", f"{soko.url}/orders/{part['order_id']}", buyer, 200)
        assert order["price_per_kg"] == 1_800 and Decimal(order["quantity_kg"]) == 50
        assert order["status"] == "confirmed" and order["total_ugx"] == 90_000
    for buyer in joiners:
        if buyer not in joined:
            assert call(http, "GET", f"{soko.url}/groups/{group['id']}", buyer, 200)["mine"] is None
    # One member pays: the money is the tier price's.
    pay(soko, http, starter, eventually(lambda: shown_order_id(http, soko, group["id"], starter), "order"))


def shown_order_id(http: requests.Session, soko: RunningRuntime, group_id: str, user: User) -> str | None:
    mine = call(http, "GET", f"{soko.url}/groups/{group_id}", user, 200)["mine"]
    return mine and mine.get("order_id")


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
        lambda: (g := call(http, "GET", f"{soko.url}/groups/{group['id']}", members[0], 200))["status"]
        == "expired"
        and g,
        "the group's expiry",
        seconds=180,
    )
    assert Decimal(expired["filled_kg"]) == 300 and expired["tier"] is None
    for member in members:
        orders = call(http, "GET", f"{soko.url}/orders/", member, 200, params={"limit": 100})["items"]
        assert orders == [], "an expired group places no order, so nobody is asked to pay"
        assert call(http, "GET", f"{soko.url}/groups/{group['id']}", member, 200)["mine"]["order_id"] is None
    assert Decimal(call(http, "GET", f"{soko.url}/listings/{listing['id']}", None, 200)["quantity_kg"]) == 5000


# ---------------------------------------------------------------------------- clusters
def test_clusters_train_through_the_state_machine_and_recommendations_explain_themselves(
    soko: RunningRuntime, http: requests.Session
) -> None:
    machines = soko.endpoints["state_machines"]
    sfn = soko.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machines["GroupClustersStateMachine"], input="{}")
    done = eventually(
        lambda: (d := sfn.describe_execution(executionArn=started["executionArn"]))["status"] != "RUNNING" and d,
        "the clusters training",
        seconds=300,
    )
    assert done["status"] == "SUCCEEDED", done
    buyer = new_user(soko, http, "buyer")
    recommended = call(http, "GET", f"{soko.url}/groups/recommended", buyer, 200)
    assert recommended["model_version"]
    assert recommended["items"], recommended
    for item in recommended["items"]:
        assert item["explanation"] and len(item["explanation"]) > 20
