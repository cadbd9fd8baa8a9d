"""The cooperative's journey in the browser (issue 18). A farmer opens "My co-ops" from the menu,
is refused a co-op without crops beside the field, starts one for beans in Lira and lands on its page
as its manager; adds a member by the phone number as people type it; commits 300 kg on the page
(the member commits 200 kg through the API); sees the pool (500 kg not yet listed) and publishes a
pooled listing with a volume tier, which the market lists with the pool's stock and the tier. A
buyer orders 100 kg and the manager confirms it (through the API: the buyer's side is the buyer
journey's): the co-op's page shows the order shared 60/40 by commitment. The member, in the browser,
sees the allocation on "My co-ops" and confirms it. Each step is checked against the API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from support.browser import auth, local_phone, register, register_verified, sign_in_in_browser, unique_phone
from support.runtime import RunningRuntime

TIMEOUT = 30
EXPECT_MS = 45_000  # cold functions of the local runtime on a busy machine


@pytest.fixture(autouse=True)
def patient_expectations() -> Iterator[None]:
    expect.set_options(timeout=EXPECT_MS)
    yield
    expect.set_options(timeout=5_000)


def call(
    method: str, url: str, account: dict[str, Any], path: str, body: Any = None, status: int = 200
) -> Any:
    answer = requests.request(method, f"{url}{path}", json=body, headers=auth(account), timeout=TIMEOUT)
    assert answer.status_code == status, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json() if answer.content else None


def wait_for(predicate: Any, what: str, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_coop_pools_its_members_beans_sells_them_and_a_member_confirms_the_allocation(
    page: Page, web_runtime: RunningRuntime
) -> None:
    url = web_runtime.url
    name = f"Lira Beans Growers {time.time_ns() % 100_000}"
    manager = register(url, "farmer", name="Akello Grace", phone=unique_phone())
    member = register_verified(url, "farmer", name="Okello John")  # found by their confirmed phone
    member_phone = member["phone"]

    # "My co-ops" from the menu; a co-op without crops is refused beside the field first.
    sign_in_in_browser(page, manager)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="My co-ops").click()
    expect(page.get_by_role("heading", name="My co-ops", level=1)).to_be_visible()
    expect(page.get_by_text("You are in no co-op yet.")).to_be_visible()
    start = page.get_by_role("form", name="Start a co-op")
    start.get_by_label("Co-op name").fill(name)
    start.get_by_label("District").select_option("Lira")
    start.get_by_role("button", name="Start the co-op").click()
    expect(start.get_by_text("Choose 1 to 10 crops.")).to_be_visible()
    assert call("GET", url, manager, "/coops/mine")["coops"] == []
    start.get_by_role("checkbox", name="Beans", exact=True).check()
    start.get_by_label("Co-op fee (%)").fill("2.5")
    start.get_by_role("button", name="Start the co-op").click()

    # Its page: the farmer is its manager.
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    coop_id = page.url.rsplit("/", 1)[-1]
    expect(page.get_by_text("Manager", exact=True).first).to_be_visible()
    coop = call("GET", url, manager, f"/coops/{coop_id}")
    assert (
        coop["name"],
        coop["district"],
        coop["crops"],
        Decimal(str(coop["fee_percent"])),
        coop["my_role"],
    ) == (
        name,
        "Lira",
        ["yellow_beans"],
        Decimal("2.5"),
        "manager",
    )

    # A member by the phone number as people type it.
    add = page.get_by_role("form", name="Add a member")
    add.get_by_label("Phone number").fill(local_phone(member_phone))
    add.get_by_role("button", name="Add").click()
    expect(add.get_by_text("Okello John is now a member.")).to_be_visible()
    members = page.get_by_role("list", name="Members")
    expect(members.get_by_text("Okello John · Member")).to_be_visible()
    assert {m["user_id"]: m["role"] for m in call("GET", url, manager, f"/coops/{coop_id}")["members"]} == {
        manager["id"]: "manager",
        member["id"]: "member",
    }

    # The manager commits 300 kg on the page; the member commits 200 kg (through the API).
    commit = page.get_by_role("form", name="Commit a quantity")
    commit.get_by_label("Quantity (kg)").fill("300")
    commit.get_by_role("button", name="Commit").click()
    expect(commit.get_by_text(f"Committed 300 kg of Beans to {name}.")).to_be_visible()
    call(
        "POST",
        url,
        member,
        f"/coops/{coop_id}/commitments",
        {"crop": "beans", "quantity_kg": "200"},
        status=201,
    )
    page.reload()
    pool = page.get_by_role("region", name="Commitments by crop")
    expect(pool.get_by_role("row", name="Beans 2 500 kg 0 kg 500 kg")).to_be_visible()

    # Publish the pool with a volume tier: the market lists 500 kg with it.
    publish = page.get_by_role("form", name="Publish a pooled listing")
    expect(publish.get_by_text("500 kg of Beans committed and not yet listed.")).to_be_visible()
    publish.get_by_label("Listing title").fill("Lira beans, pooled")
    publish.get_by_label("Price per kg (UGX)").fill("2000")
    publish.get_by_role("button", name="Add a volume price").click()
    publish.get_by_label("From (kg), step 1").fill("100")
    expect(publish.get_by_text("Step 1: UGX 1,900/kg per kg")).to_be_visible()
    publish.get_by_role("button", name="Publish the pooled listing").click()
    expect(publish.get_by_text("Published: 500 kg from 2 commitments.")).to_be_visible()
    listing_id = call("GET", url, manager, f"/coops/{coop_id}")["pools"][0]["listing_id"]
    listing = wait_for(
        lambda: (
            (r := requests.get(f"{url}/listings/{listing_id}", timeout=TIMEOUT)).status_code == 200
            and r.json()
        ),
        "the pooled listing",
    )
    assert (Decimal(listing["quantity_kg"]), listing["coop_id"], listing["farmer_id"]) == (
        Decimal(500),
        coop_id,
        manager["id"],
    )
    publish.get_by_role("link", name="See the listing").click()
    expect(page.get_by_role("heading", name="Lira beans, pooled", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="100 kg or more 5% off UGX 1,900/kg")).to_be_visible()

    # A buyer orders 100 kg (the tier's price) and the manager confirms: the co-op allocates it
    # 60/40 by what each has unallocated.
    buyer = register(url, "buyer", name="Nakato Sarah", phone=unique_phone())
    order = call("POST", url, buyer, "/orders/", {"listing_id": listing_id, "quantity_kg": "100"}, status=201)
    assert order["price_per_kg"] == 1_900
    call("PATCH", url, manager, f"/orders/{order['id']}/status", {"new_status": "confirmed"})
    wait_for(lambda: call("GET", url, manager, f"/coops/{coop_id}")["allocations"], "the allocation")
    shares = {
        a["member_id"]: Decimal(a["quantity_kg"])
        for a in call("GET", url, manager, f"/coops/{coop_id}")["allocations"]
    }
    assert shares == {manager["id"]: Decimal(60), member["id"]: Decimal(40)}
    page.goto(f"/#/coops/{coop_id}")
    short = order["id"][-6:].upper()
    orders = page.get_by_role("region", name=f"Order {short}: 100 kg of Beans")
    expect(orders.get_by_role("row", name="Okello John 40 kg To supply No \N{EN DASH}")).to_be_visible()
    expect(orders.get_by_role("row", name="You 60 kg To supply No \N{EN DASH}")).to_be_visible()

    # The member, in the browser, sees the allocation and confirms it.
    page.get_by_role("button", name="Sign out").click()
    sign_in_in_browser(page, member)
    page.goto("/#/coops")
    allocations = page.get_by_role("list", name="My allocations")
    item = allocations.get_by_role("listitem").filter(has_text="40 kg of Beans")
    expect(item.get_by_text("Not confirmed yet")).to_be_visible()
    item.get_by_role("button", name="Confirm 40 kg of Beans").click()
    expect(allocations.get_by_text("You confirmed")).to_be_visible()
    mine = call("GET", url, member, "/coops/mine")
    assert [(a["order_id"], a["confirmed_by_member"]) for a in mine["allocations"]] == [(order["id"], True)]
    expect(page.get_by_role("list", name="Co-ops I belong to").get_by_role("link", name=name)).to_be_visible()
