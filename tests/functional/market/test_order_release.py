"""Release of escrow over the handlers, against moto: the buyer's receipt (POST /orders/{id}/receipt),
the delivery PIN sent when the order is paid and entered by the farmer (POST
/orders/{id}/delivery-pin, locked after 5 tries), disputes and their photos (POST
/orders/{id}/disputes, /disputes/photos), the dispute window's and the expiry timers (set by
MarketOrderEventsConsumerFunction as EventBridge Scheduler schedules, fired into
OrderTimersConsumerFunction), DisputeResolved, and the buyer's open-quantity cap."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from market_support import Market, MarketTable

from soko.market.consumers import payments as payments_consumer
from soko.shared import clock
from soko_local.provision import Deployment
from support.events import eventbridge_event, from_outbox, sqs_event
from support.gateway import Api
from support.lambda_env import REGION, Invoke
from support.users import User, new_user


@pytest.fixture
def listing(market: Market, farmer: User) -> dict[str, Any]:
    return market.listing(farmer, kg="100", price=1500, crop="matooke", district="Masaka")


@pytest.fixture
def order(market: Market, listing: dict[str, Any], buyer: User) -> dict[str, Any]:
    return market.order(buyer, listing["id"], "30")


@pytest.fixture
def texts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """SMS the payments consumer sends (the buyer's phone comes from identity's read interface)."""
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr(payments_consumer, "_contact", lambda user_id: ("+256772000666", "en"))
    monkeypatch.setattr(payments_consumer, "_send", lambda to, message: sent.append((to, message)))
    return sent


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``at(moment)`` makes soko.shared.clock say it is ``moment`` (for every handler called after)."""

    def travel(moment: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: moment.replace(microsecond=0))

    yield travel


def stored(market_table: MarketTable, order_id: str) -> dict[str, Any]:
    found = market_table.item(f"ORDER#{order_id}", "ORDER")
    assert found is not None
    return found


def pin_of(texts: list[tuple[str, str]]) -> str:
    found = re.search(r"\b([0-9]{6})\b", texts[-1][1])
    assert found is not None, texts
    return found.group(1)


def moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


# ---------------------------------------------------------------------------- receipt
def test_the_buyers_receipt_releases_a_delivered_order(
    api: Api, market: Market, market_table: MarketTable, order: dict[str, Any], farmer: User, buyer: User
) -> None:
    oid = order["id"]
    market.move(oid, farmer, "confirmed").expect(200)
    with market_table.unchanged():
        market.move(oid, farmer, "delivered").expect(409, "ORDER_NOT_PAID")
        api.post(f"/orders/{oid}/receipt", user=buyer).expect(409, "ILLEGAL_TRANSITION")
    market.pay(oid)
    market.move(oid, farmer, "delivered").expect(200)
    with market_table.unchanged():
        api.post(f"/orders/{oid}/receipt", user=farmer).expect(403, "FORBIDDEN")
        api.post(f"/orders/{oid}/receipt", user=new_user("buyer")).expect(404, "ORDER_NOT_FOUND")
        api.post(f"/orders/{oid}/receipt").expect(401)

    done = api.post(f"/orders/{oid}/receipt", user=buyer).expect(200).json

    assert (done["status"], done["released_by"]) == ("completed", "receipt")
    [completed] = market_table.outbox_details("OrderCompleted")
    assert (completed["order_id"], completed["released_by"]) == (oid, "receipt")
    api.post(f"/orders/{oid}/receipt", user=buyer).expect(409, "ILLEGAL_TRANSITION")


# ---------------------------------------------------------------------------- delivery PIN
def test_the_pin_is_texted_when_paid_and_the_farmer_enters_it(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    texts: list[tuple[str, str]],
) -> None:
    oid = order["id"]
    market.move(oid, farmer, "confirmed").expect(200)
    market.pay(oid)
    market.pay(oid)  # the same event again: one SMS
    assert len(texts) == 1 and texts[0][0] == "+256772000666"
    pin = pin_of(texts)
    item = stored(market_table, oid)
    assert item["pin_hash"].startswith("$argon2") and pin not in json.dumps(item)
    api.post(f"/orders/{oid}/delivery-pin", {"pin": pin}, user=farmer).expect(409, "ILLEGAL_TRANSITION")
    market.move(oid, farmer, "dispatched").expect(200)
    with market_table.unchanged():
        api.post(f"/orders/{oid}/delivery-pin", {"pin": pin}, user=buyer).expect(403, "FORBIDDEN")
        api.post(f"/orders/{oid}/delivery-pin", {"pin": "12345"}, user=farmer).expect(422)
        api.post(f"/orders/{oid}/delivery-pin", {"pin": "abcdef"}, user=farmer).expect(422)

    done = api.post(f"/orders/{oid}/delivery-pin", {"pin": pin}, user=farmer).expect(200).json

    assert (done["status"], done["released_by"]) == ("completed", "pin")
    assert market_table.outbox_details("OrderCompleted")[0]["released_by"] == "pin"


def test_five_wrong_pins_lock_it_and_the_buyer_can_still_confirm(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    texts: list[tuple[str, str]],
) -> None:
    oid = order["id"]
    market.deliver(oid, farmer)
    pin = pin_of(texts)
    wrong = f"{(int(pin) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1, 0):
        reply = api.post(f"/orders/{oid}/delivery-pin", {"pin": wrong}, user=farmer).expect(
            403, "WRONG_DELIVERY_PIN"
        )
        assert reply.error["details"] == {"tries_left": left}
    api.post(f"/orders/{oid}/delivery-pin", {"pin": pin}, user=farmer).expect(409, "DELIVERY_PIN_LOCKED")
    assert stored(market_table, oid)["status"] == "delivered"
    assert api.get(f"/orders/{oid}", user=buyer).expect(200).json["delivery_pin_locked"] is True
    api.post(f"/orders/{oid}/receipt", user=buyer).expect(200)


def test_an_order_without_a_pin_says_so(
    api: Api, market: Market, order: dict[str, Any], farmer: User
) -> None:
    market.deliver(order["id"], farmer)  # the buyer has no phone here: no PIN was sent
    api.post(f"/orders/{order['id']}/delivery-pin", {"pin": "123456"}, user=farmer).expect(
        409, "NO_DELIVERY_PIN"
    )


# ---------------------------------------------------------------------------- disputes
def dispute_body(**fields: Any) -> dict[str, Any]:
    return {"reason": "poor_quality", "details": "Half of the bunches were rotten", "photos": [], **fields}


def test_the_buyer_disputes_within_the_window_and_an_admins_resolution_shows(
    api: Api,
    invoke: Invoke,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
) -> None:
    oid = order["id"]
    api.post(f"/orders/{oid}/disputes", dispute_body(), user=buyer).expect(409, "ILLEGAL_TRANSITION")
    market.deliver(oid, farmer)
    form = (
        api.post(f"/orders/{oid}/disputes/photos", {"content_type": "image/png"}, user=buyer).expect(201).json
    )
    assert form["key"].startswith(f"disputes/{oid}/") and form["key"].endswith(".png")
    api.post(f"/orders/{oid}/disputes/photos", {"content_type": "image/png"}, user=farmer).expect(403)
    with market_table.unchanged():
        api.post(f"/orders/{oid}/disputes", dispute_body(), user=farmer).expect(403, "FORBIDDEN")
        api.post(f"/orders/{oid}/disputes", dispute_body(reason="late"), user=buyer).expect(422)
        api.post(f"/orders/{oid}/disputes", dispute_body(details=""), user=buyer).expect(422)
        api.post(f"/orders/{oid}/disputes", dispute_body(photos=["listings/L1/x.jpg"]), user=buyer).expect(
            422
        )
        api.post(f"/orders/{oid}/disputes", dispute_body(photos=[form["key"]] * 6), user=buyer).expect(422)

    opened = (
        api.post(f"/orders/{oid}/disputes", dispute_body(photos=[form["key"]]), user=buyer).expect(201).json
    )

    assert opened["status"] == "disputed"
    dispute = opened["dispute"]
    assert (dispute["reason"], dispute["status"], dispute["photos"]) == (
        "poor_quality",
        "open",
        [form["key"]],
    )
    [event] = market_table.outbox_details("OrderDisputed")
    assert (event["dispute_id"], event["photos"]) == (dispute["id"], [form["key"]])
    api.post(f"/orders/{oid}/receipt", user=buyer).expect(409, "ILLEGAL_TRANSITION")  # frozen

    resolved = {
        "event_id": "01JD00000000000000000RESOLV",
        "occurred_at": "2026-11-22T09:30:00Z",
        "dispute_id": dispute["id"],
        "order_id": oid,
        "buyer_id": buyer.id,
        "farmer_id": farmer.id,
        "outcome": "split",
        "total_ugx": 45_000,
        "buyer_amount_ugx": 15_000,
        "farmer_amount_ugx": 30_000,
        "reason": "a third was spoilt",
        "resolved_by": "01JD000000000000000000ADMIN",
        "resolved_at": "2026-11-22T09:30:00Z",
    }
    for _ in range(2):  # redelivered: the same result
        batch = sqs_event(eventbridge_event("soko.disputes", "DisputeResolved", resolved))
        assert invoke("MarketOrderEventsConsumerFunction", batch) == {"batchItemFailures": []}
    view = api.get(f"/orders/{oid}", user=farmer).expect(200).json
    assert view["status"] == "resolved"
    assert {
        k: view["dispute"][k] for k in ("status", "outcome", "buyer_amount_ugx", "farmer_amount_ugx")
    } == {
        "status": "resolved",
        "outcome": "split",
        "buyer_amount_ugx": 15_000,
        "farmer_amount_ugx": 30_000,
    }


def test_a_paid_order_that_never_came_is_disputed_as_not_delivered(
    api: Api, market: Market, market_table: MarketTable, order: dict[str, Any], farmer: User, buyer: User
) -> None:
    oid = order["id"]
    market.move(oid, farmer, "confirmed").expect(200)
    with market_table.unchanged():  # unpaid: nothing is held, nothing to dispute
        api.post(f"/orders/{oid}/disputes", dispute_body(reason="not_delivered"), user=buyer).expect(
            409, "ILLEGAL_TRANSITION"
        )
    market.pay(oid)
    market.move(oid, farmer, "dispatched").expect(200)
    with market_table.unchanged():  # the quality of what has not arrived cannot be disputed yet
        api.post(f"/orders/{oid}/disputes", dispute_body(), user=buyer).expect(409, "ILLEGAL_TRANSITION")
    opened = (
        api.post(
            f"/orders/{oid}/disputes",
            dispute_body(reason="not_delivered", details="Paid a week ago; nothing came"),
            user=buyer,
        )
        .expect(201)
        .json
    )
    assert (opened["status"], opened["dispute"]["reason"]) == ("disputed", "not_delivered")
    [event] = market_table.outbox_details("OrderDisputed")
    assert event["dispute_id"] == opened["dispute"]["id"]
    market.move(oid, farmer, "delivered").expect(409)  # frozen until an admin decides


def test_no_dispute_once_the_window_has_passed(
    api: Api,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    buyer: User,
    at: Any,
) -> None:
    delivered = market.deliver(order["id"], farmer)
    at(moment(delivered["release_at"]))
    with market_table.unchanged():
        api.post(f"/orders/{order['id']}/disputes", dispute_body(), user=buyer).expect(
            409, "DISPUTE_WINDOW_CLOSED"
        )
        api.post(f"/orders/{order['id']}/disputes/photos", {"content_type": "image/png"}, user=buyer).expect(
            409, "DISPUTE_WINDOW_CLOSED"
        )


# ---------------------------------------------------------------------------- timers
def schedule(deployment: Deployment, name: str) -> dict[str, Any]:
    group = deployment.schedule_groups["OrderTimerGroup"]
    return dict(boto3.client("scheduler", region_name=REGION).get_schedule(GroupName=group, Name=name))


def fire(invoke: Invoke, deployment: Deployment, name: str) -> Any:
    """What the scheduler does when the timer is due: its Input, to the timer queue's consumer."""
    body = schedule(deployment, name)["Target"]["Input"]
    return invoke("OrderTimersConsumerFunction", {"Records": [{**sqs_event({})["Records"][0], "body": body}]})


def publish(invoke: Invoke, market_table: MarketTable, detail_type: str) -> None:
    """The market's own event, as its rule delivers it to MarketOrderEventsConsumerFunction."""
    items = market_table.outbox(detail_type)
    assert items, detail_type
    assert invoke("MarketOrderEventsConsumerFunction", sqs_event(from_outbox(items[-1]))) == {
        "batchItemFailures": []
    }


def test_silence_releases_escrow_only_when_the_window_ends(
    api: Api,
    invoke: Invoke,
    deployment: Deployment,
    market: Market,
    market_table: MarketTable,
    order: dict[str, Any],
    farmer: User,
    at: Any,
) -> None:
    oid = order["id"]
    delivered = market.deliver(oid, farmer)
    assert moment(delivered["release_at"]) - moment(delivered["delivered_at"]) == timedelta(minutes=4320)
    publish(invoke, market_table, "OrderDelivered")
    name = f"order.{oid}.release"
    assert schedule(deployment, name)["ScheduleExpression"] == f"at({delivered['release_at'][:-1]})"

    at(moment(delivered["release_at"]) - timedelta(seconds=1))  # fired early: retried, never released
    with pytest.raises(BatchProcessingError, match="still open"):  # the whole batch failed: retried
        fire(invoke, deployment, name)
    assert stored(market_table, oid)["status"] == "delivered"
    at(moment(delivered["release_at"]))
    assert fire(invoke, deployment, name) == {"batchItemFailures": []}
    assert (stored(market_table, oid)["status"], stored(market_table, oid)["released_by"]) == (
        "completed",
        "window",
    )
    assert fire(invoke, deployment, name) == {"batchItemFailures": []}  # again: nothing more
    assert len(market_table.outbox("OrderCompleted")) == 1


def test_a_pending_order_expires_and_its_stock_returns(
    invoke: Invoke,
    deployment: Deployment,
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    buyer: User,
) -> None:
    publish(invoke, market_table, "OrderPlaced")
    name = f"order.{order['id']}.expire-pending"
    due = moment(order["created_at"]) + timedelta(minutes=2880)
    assert schedule(deployment, name)["ScheduleExpression"] == f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})"
    assert market_table.grams(listing["id"]) == 70_000

    assert fire(invoke, deployment, name) == {"batchItemFailures": []}

    assert stored(market_table, order["id"])["status"] == "expired"
    assert market_table.grams(listing["id"]) == 100_000
    [expired] = market_table.outbox_details("OrderExpired")
    assert expired["reason"] == "unanswered"
    assert market_table.item(f"OPEN#{listing['id']}#{buyer.id}", "OPEN")["open_g"] == 0  # type: ignore[index]
    assert fire(invoke, deployment, name) == {"batchItemFailures": []}  # twice: stock returned once
    assert market_table.grams(listing["id"]) == 100_000


def test_an_expiry_timer_after_the_order_moved_on_does_nothing(
    invoke: Invoke,
    deployment: Deployment,
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    farmer: User,
) -> None:
    publish(invoke, market_table, "OrderPlaced")
    market.move(order["id"], farmer, "confirmed").expect(200)
    publish(invoke, market_table, "OrderConfirmed")
    market.pay(order["id"])
    with market_table.unchanged():
        for purpose in ("expire-pending", "expire-unpaid"):
            assert fire(invoke, deployment, f"order.{order['id']}.{purpose}") == {"batchItemFailures": []}
    assert stored(market_table, order["id"])["status"] == "confirmed"


def test_a_confirmed_order_not_paid_in_time_expires(
    api: Api,
    invoke: Invoke,
    deployment: Deployment,
    market: Market,
    market_table: MarketTable,
    listing: dict[str, Any],
    order: dict[str, Any],
    farmer: User,
    buyer: User,
) -> None:
    market.move(order["id"], farmer, "confirmed").expect(200)
    publish(invoke, market_table, "OrderConfirmed")

    assert fire(invoke, deployment, f"order.{order['id']}.expire-unpaid") == {"batchItemFailures": []}

    view = api.get(f"/orders/{order['id']}", user=buyer).expect(200).json
    assert (view["status"], view["expired_reason"]) == ("expired", "unpaid")
    assert market_table.grams(listing["id"]) == 100_000
    assert market_table.outbox_details("OrderExpired")[0]["reason"] == "unpaid"
    market.pay(order["id"])  # the money arrives after all: the order stays expired (payments refunds it)
    assert stored(market_table, order["id"])["status"] == "expired"


# ---------------------------------------------------------------------------- open-quantity cap
def test_a_buyer_cannot_lock_up_a_listing(
    api: Api, market: Market, market_table: MarketTable, listing: dict[str, Any], farmer: User, buyer: User
) -> None:
    first = market.order(buyer, listing["id"], "30")
    with market_table.unchanged():
        reply = api.post("/orders/", {"listing_id": listing["id"], "quantity_kg": "21"}, user=buyer).expect(
            409, "OPEN_QUANTITY_EXCEEDED"
        )
    assert reply.error["details"] == {"open_kg": "30.000", "max_open_kg": "50.000"}
    market.order(buyer, listing["id"], "20")
    market.order(new_user("buyer"), listing["id"], "25")  # another buyer: their own share
    market.move(first["id"], farmer, "confirmed").expect(200)
    market.pay(first["id"])  # paid: no longer open
    assert market_table.item(f"OPEN#{listing['id']}#{buyer.id}", "OPEN")["open_g"] == 20_000  # type: ignore[index]
    market.order(buyer, listing["id"], "2.5")
