"""A cooperative's member on a basic phone (issue 18), through UssdFunction in-process against moto
from the template: "9 My coop" commits a quantity (waiting for the next pool, or joining the crop's
live pooled listing), lists the member's allocations of pooled orders and confirms one, in English
and Luganda; the coops table changes as the app's routes would change it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from conftest import Handset

from soko.shared import ids
from soko.shared.bus import EventPublisher
from soko.shared.events import EventDetail
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.events import eventbridge_event, sqs_event
from support.gateway import Api
from support.lambda_env import Invoke
from support.tables import Table
from support.users import User

PIN = "2468"
MakeHandset = Callable[[str], Handset]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[EventDetail]:
    events: list[EventDetail] = []
    monkeypatch.setattr(EventPublisher, "publish", lambda _self, batch, **_: events.extend(batch))
    return events


@pytest.fixture
def api(invoke: Invoke, app_model: AppModel) -> Api:
    return Api(invoke, app_model.http_apis[0].routes)


@pytest.fixture
def coops_table(deployment: Deployment) -> Table:
    return Table(deployment.physical["CoopsTable"])


def _phone() -> str:
    return f"+2567{uuid.uuid4().int % 10**8:08d}"


def _farmer_by_ussd(
    handset: MakeHandset, users_table: Any, name: str = "Akello Grace"
) -> tuple[Handset, str]:
    phone = _phone()
    h = handset(phone)
    assert h.dial("5", name, "Gulu", PIN, PIN).text.startswith(f"END Welcome to Soko, {name}!")
    user_id = users_table.get_item(Key={"pk": f"PHONE#{phone}", "sk": "PHONE"})["Item"]["user_id"]
    return h, str(user_id)


def _coop_with(api: Api, *phones: str, crops: list[str] | None = None) -> tuple[User, dict[str, Any]]:
    email = f"manager-{uuid.uuid4().hex[:8]}@example.com"
    body = {"email": email, "password": "Soko-test-2026!", "role": "farmer", "fullName": "Okot Manager"}
    manager = User(api.post("/auth/register", body).expect(201).json["id"], "farmer", email)
    coop = (
        api.post(
            "/coops",
            {"name": "Gulu Maize Growers", "district": "Gulu", "crops": crops or ["maize"]},
            user=manager,
        )
        .expect(201)
        .json
    )
    for phone in phones:
        api.post(f"/coops/{coop['id']}/members", {"phone": phone}, user=manager).expect(201)
    return manager, coop


def test_a_member_commits_by_ussd_and_joins_the_live_pool(
    handset: MakeHandset, users_table: Any, api: Api, coops_table: Table, published: list[EventDetail]
) -> None:
    h, member_id = _farmer_by_ussd(handset, users_table)
    manager, coop = _coop_with(api, h.phone)

    assert h.dial("9").text == "CON Gulu Maize Growers\n1 Commit a quantity\n2 My allocations\n0 Back"
    assert h.send("9*1").text == "CON How many kg of Maize do you commit to the coop?"
    assert h.send("9*1*abc").text.startswith("CON Enter a whole number.")
    assert h.send("9*1*300").text == (
        "CON Commit 300kg Maize to Gulu Maize Growers?\nEnter your PIN to confirm or 0 to cancel:"
    )
    end = h.send(f"9*1*300*{PIN}")
    assert end.text == "END Committed 300kg Maize. It goes into the coop's next pooled listing."
    h.send(f"9*1*300*{PIN}")  # the gateway retries: nothing is committed twice
    [commitment] = [
        i for i in coops_table.partition(f"COOP#{coop['id']}") if str(i["sk"]).startswith("COMMIT#")
    ]
    assert (commitment["member_id"], int(commitment["quantity_g"])) == (member_id, 300_000)

    pool = (
        api.post(
            f"/coops/{coop['id']}/listings",
            {"crop": "maize", "title": "Pooled maize", "price_per_kg": 1100},
            user=manager,
        )
        .expect(202)
        .json
    )
    end = h.dial("9", "1", "150", PIN)
    assert end.text == "END Committed 150kg Maize. It is on sale now in the coop's pooled listing."
    [joined] = [e for e in published if e.DETAIL_TYPE == "CommitmentPooled"]
    assert joined.listing_id == pool["listing_id"] and joined.grams == 150_000  # type: ignore[attr-defined]

    assert h.dial("9", "1", "10", "0").text == "END Cancelled. Nothing was changed."
    assert h.dial("9", "1", "10", "1111").text.startswith("CON Wrong PIN, 2 left.")


def test_a_member_sees_and_confirms_an_allocation_in_luganda(
    handset: MakeHandset,
    users_table: Any,
    api: Api,
    coops_table: Table,
    invoke: Invoke,
    published: list[EventDetail],
) -> None:
    h, member_id = _farmer_by_ussd(handset, users_table, "Nakato Sarah")
    manager, coop = _coop_with(api, h.phone, crops=["maize", "beans"])
    h.dial("9", "1", "2", "400", PIN)  # two crops: 1 maize, 2 beans
    pool = (
        api.post(
            f"/coops/{coop['id']}/listings",
            {"crop": "beans", "title": "Pooled beans", "price_per_kg": 3000},
            user=manager,
        )
        .expect(202)
        .json
    )
    assert (
        h.dial("9", "2").text
        == "END You have no allocations yet. We send an SMS when a pooled order is paid."
    )

    order_id = ids.ulid()
    detail = {
        "schema_version": 1,
        "event_id": ids.ulid(),
        "occurred_at": "2026-11-21T09:30:00Z",
        "order_id": order_id,
        "listing_id": pool["listing_id"],
        "buyer_id": "01JD0000000000000000000002",
        "farmer_id": manager.id,
        "crop": "yellow_beans",
        "district": "Gulu",
        "quantity_kg": "250",
        "price_per_kg_ugx": 3000,
        "total_ugx": 750_000,
        "coop_id": coop["id"],
    }
    result = invoke(
        "CoopOrdersConsumerFunction", sqs_event(eventbridge_event("soko.orders", "OrderConfirmed", detail))
    )
    assert result["batchItemFailures"] == []

    assert h.dial("6", "2").ended  # Luganda from now on
    menu = h.dial()
    assert menu.text.endswith("8 Obudde\n9 Ekibiina kyange")
    coop_menu = h.send("9")
    assert coop_menu.text == "CON Gulu Maize Growers\n1 Weeyame obungi\n2 Emigabo gyange\n0 Emabega"
    listing = h.send("9*2")
    assert listing.text.startswith("CON Emigabo gyo mu oda z'ekibiina:\n1 ")
    assert "250kg okuleeta" in listing.text
    part = h.send("9*2*1")
    assert part.text.startswith("CON Leeta kg 250 eza ") and "1 Nja kuzireeta" in part.text
    assert h.send("9*2*1*1").text.startswith("CON Kakasa nti oleeta kg 250 eza ")
    end = h.send(f"9*2*1*1*{PIN}")
    assert end.text.startswith("END Webale. Okakasizza kg 250 eza ")
    item = coops_table.item(f"ORDER#{order_id}", f"ALLOC#{member_id}")
    assert item is not None and item["confirmed_by_member"] is True
    assert h.dial("9", "2", "1").text.splitlines()[1] == "Wakakasa dda."


def test_who_has_no_coop_is_told_so(handset: MakeHandset, users_table: Any, api: Api) -> None:
    h, _ = _farmer_by_ussd(handset, users_table)
    assert (
        h.dial("9").text == "END You are in no cooperative. Ask your coop's manager to add your phone number."
    )
    buyer = handset(_phone())
    assert buyer.dial("5", "1", "Kampala Foods", "Kampala", PIN, PIN).ended
    assert buyer.dial("9").text == "END Only farmers can sell on Soko."
    stranger = handset(_phone())
    assert stranger.dial("9").ended
