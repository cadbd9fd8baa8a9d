"""A booking's steps over the handlers, against moto provisioned from template.yaml:
POST /transport/bookings/{id}/accept|decline|pickup|cancel|deliver, every wrong party and wrong state,
two steps racing, the answer timer (set by LogisticsEventsConsumerFunction from TransportBooked, fired
into BookingTimersConsumerFunction), the order's end (the same consumer, on the market's events), the
handover with the buyer's delivery PIN (the market's rule, escrow released) and the notices.

Bookings are seeded by ``support.logistics.seed_booking`` (a test fixture writing what the booking
endpoint writes) on top of real orders made through the market's handlers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from soko.logistics import steps
from soko.logistics.dal.steps import StepsDal
from soko.market.consumers import payments as payments_consumer
from soko.notifications import deps as notifications_deps
from soko.shared.errors import Conflict
from soko.shared.identity import Caller
from soko.shared.notices import SMS_LIMIT
from soko_local.provision import Deployment
from soko_local.template import AppModel
from support.events import eventbridge_event, order_detail
from support.gateway import Api
from support.lambda_env import deployed, make_invoker
from support.logistics import Logistics, clock_at, forget_stream_records, moment
from support.users import User, new_user


@pytest.fixture(scope="module")
def deployment(app_model: AppModel) -> Iterator[Deployment]:
    with deployed(app_model, "soko-steps") as deployment:
        yield deployment


@pytest.fixture(scope="module")
def module_logistics(deployment: Deployment, app_model: AppModel) -> Logistics:
    invoke = make_invoker(deployment, after=forget_stream_records)
    return Logistics(deployment, Api(invoke, app_model.http_apis[0].routes), invoke)


@pytest.fixture
def logistics(module_logistics: Logistics, monkeypatch: pytest.MonkeyPatch) -> Logistics:
    """The module's deployment; the buyer's delivery PIN SMS captured (identity's read mocked)."""
    module_logistics.texts.clear()
    monkeypatch.setattr(payments_consumer, "_contact", lambda user_id: ("+256772000777", "en"))
    monkeypatch.setattr(
        payments_consumer, "_send", lambda to, text: module_logistics.texts.append((to, text))
    )
    return module_logistics


@pytest.fixture
def transporter() -> User:
    return new_user("transporter")


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Any:
    return clock_at(monkeypatch.setattr)


def mine(details: list[dict[str, Any]], booking_id: str) -> list[dict[str, Any]]:
    return [
        d
        for d in details
        if d.get("booking_id") == booking_id or d.get("data", {}).get("booking_id") == booking_id
    ]


def notices_of(logistics: Logistics, booking_id: str, status: str) -> dict[str, dict[str, Any]]:
    found = [n for n in mine(logistics.notices(), booking_id) if n["data"]["status"] == status]
    return {n["user_id"]: n for n in found}


# ---------------------------------------------------------------------------- the happy path
def test_the_transporter_accepts_and_picks_up_with_an_audit_trail_events_and_notices(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter)
    bid = booking["id"]

    accepted = logistics.step(bid, "accept", transporter).expect(200).json

    assert (accepted["status"], accepted["version"]) == ("accepted", 2)
    assert [(s["status"], s["by"]) for s in accepted["audit"]] == [
        ("requested", trade.buyer.id),
        ("accepted", transporter.id),
    ]
    stored = logistics.booking(bid)
    assert (stored["status"], stored["version"], len(stored["audit"])) == ("accepted", 2, 2)
    assert logistics.order_transport(trade.order["id"])["status"] == "accepted"  # type: ignore[index]
    assert logistics.slot(booking) is not None  # still claimed
    [event] = mine(logistics.details("TransportAccepted"), bid)
    assert (event["order_id"], event["transporter_id"], event["fare_ugx"]) == (
        trade.order["id"],
        transporter.id,
        45_000,
    )
    told = notices_of(logistics, bid, "accepted")
    assert set(told) == {trade.buyer.id, trade.farmer.id}
    for notice in told.values():
        assert notice["category"] == "orders" and notice["title"]["lg"] and notice["sms"]["lg"]
        assert len(notice["sms"]["en"]) <= SMS_LIMIT and len(notice["sms"]["lg"]) <= SMS_LIMIT
        assert "UBA 123X" in notice["sms"]["en"]

    picked = logistics.step(bid, "pickup", transporter).expect(200).json

    assert (picked["status"], picked["version"], picked["audit"][-1]["status"]) == (
        "picked_up",
        3,
        "picked_up",
    )
    assert logistics.order_transport(trade.order["id"])["status"] == "picked_up"  # type: ignore[index]
    assert len(mine(logistics.details("TransportPickedUp"), bid)) == 1
    assert set(notices_of(logistics, bid, "picked_up")) == {trade.buyer.id}


def test_the_market_marks_a_paid_order_dispatched_when_the_transporter_picks_it_up(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    bid = logistics.book(trade, transporter, status="accepted")["id"]
    logistics.step(bid, "pickup", transporter).expect(200)
    [detail] = mine(logistics.details("TransportPickedUp"), bid)
    picked_up = eventbridge_event("soko.logistics", "TransportPickedUp", detail)

    for _ in range(2):  # redelivered: nothing more
        assert logistics.consume("MarketOrderEventsConsumerFunction", picked_up) == {"batchItemFailures": []}

    order = logistics.order(trade.order["id"])
    assert (order["status"], order["dispatched_at"] is not None) == ("dispatched", True)
    assert (
        len(
            [
                d
                for d in logistics.details("OrderDispatched", logistics.market_table)
                if d["order_id"] == trade.order["id"]
            ]
        )
        == 1
    )


def test_an_unpaid_order_is_not_dispatched_by_a_pickup(logistics: Logistics, transporter: User) -> None:
    trade = logistics.trade(paid=False)
    bid = logistics.book(trade, transporter, status="accepted")["id"]
    logistics.step(bid, "pickup", transporter).expect(200)
    detail = mine(logistics.details("TransportPickedUp"), bid)[0]
    logistics.consume(
        "MarketOrderEventsConsumerFunction", eventbridge_event("soko.logistics", "TransportPickedUp", detail)
    )
    assert logistics.order(trade.order["id"])["status"] == "confirmed"


def test_a_decline_frees_the_vehicles_day_and_tells_the_buyer_and_farmer(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter)
    declined = logistics.step(booking["id"], "decline", transporter).expect(200).json
    assert declined["status"] == "declined"
    assert logistics.slot(booking) is None
    assert logistics.order_transport(trade.order["id"])["status"] == "declined"  # type: ignore[index]
    assert len(mine(logistics.details("TransportDeclined"), booking["id"])) == 1
    assert set(notices_of(logistics, booking["id"], "declined")) == {trade.buyer.id, trade.farmer.id}


# ---------------------------------------------------------------------------- cancel
def test_the_buyer_cancels_with_a_reason_and_the_farmer_without_a_body(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    first = logistics.book(trade, transporter)
    done = (
        logistics.step(first["id"], "cancel", trade.buyer, {"reason": "Found a closer lorry"})
        .expect(200)
        .json
    )
    assert (done["status"], done["cancelled_by"], done["reason"]) == (
        "cancelled",
        trade.buyer.id,
        "Found a closer lorry",
    )
    assert done["audit"][-1] == {
        **done["audit"][-1],
        "status": "cancelled",
        "by": trade.buyer.id,
        "note": "Found a closer lorry",
    }
    assert logistics.slot(first) is None
    [event] = mine(logistics.details("TransportCancelled"), first["id"])
    assert (event["cancelled_by"], event["reason"]) == (trade.buyer.id, "Found a closer lorry")
    assert set(notices_of(logistics, first["id"], "cancelled")) == {trade.farmer.id, transporter.id}

    second = logistics.book(trade, transporter, status="accepted")
    done = logistics.step(second["id"], "cancel", trade.farmer).expect(200).json
    assert (done["status"], done["cancelled_by"], done.get("reason")) == ("cancelled", trade.farmer.id, None)
    assert mine(logistics.details("TransportCancelled"), second["id"])[0]["reason"] == ""


def test_the_transporter_cancels_an_accepted_job_but_declines_a_requested_one(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    requested = logistics.book(trade, transporter)
    with logistics.table.unchanged():
        logistics.step(requested["id"], "cancel", transporter).expect(409, "BOOKING_NOT_ACCEPTED")
    logistics.step(requested["id"], "accept", transporter).expect(200)
    done = (
        logistics.step(requested["id"], "cancel", transporter, {"reason": "Lorry broke down"})
        .expect(200)
        .json
    )
    assert (done["status"], done["cancelled_by"]) == ("cancelled", transporter.id)
    assert set(notices_of(logistics, requested["id"], "cancelled")) == {trade.buyer.id, trade.farmer.id}


def test_an_admin_cancels_any_active_booking_with_a_reason_in_the_audit_log(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter, status="picked_up")
    admin = new_user("admin")
    with logistics.table.unchanged():
        logistics.step(booking["id"], "cancel", admin).expect(422, "REASON_REQUIRED")
        logistics.step(booking["id"], "cancel", admin, {"reason": ""}).expect(422)
        logistics.step(booking["id"], "cancel", admin, {"reason": "x" * 301}).expect(422)
        logistics.step(booking["id"], "cancel", admin, {"reason": "ok", "extra": 1}).expect(422)
        logistics.step(booking["id"], "cancel", trade.buyer).expect(409, "BOOKING_ALREADY_PICKED_UP")
        logistics.step(booking["id"], "cancel", transporter).expect(409, "BOOKING_ALREADY_PICKED_UP")
    done = (
        logistics.step(booking["id"], "cancel", admin, {"reason": "Reported stolen vehicle"}).expect(200).json
    )
    assert (done["status"], done["cancelled_by"]) == ("cancelled", admin.id)
    [action] = [a for a in logistics.details("AdminActionTaken") if a["target_id"] == booking["id"]]
    assert (action["admin_id"], action["action"], action["reason"]) == (
        admin.id,
        "booking.cancel",
        "Reported stolen vehicle",
    )
    assert set(notices_of(logistics, booking["id"], "cancelled")) == {
        trade.buyer.id,
        trade.farmer.id,
        transporter.id,
    }


# ---------------------------------------------------------------------------- wrong party, wrong state
def test_only_the_right_party_moves_each_step(logistics: Logistics, transporter: User) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter)
    bid = booking["id"]
    stranger, other_transporter, admin = new_user("buyer"), new_user("transporter"), new_user("admin")
    with logistics.table.unchanged():
        for step in ("accept", "decline", "pickup"):
            logistics.step(bid, step, trade.buyer).expect(403, "FORBIDDEN")
            logistics.step(bid, step, trade.farmer).expect(403, "FORBIDDEN")
            logistics.step(bid, step, admin).expect(403, "FORBIDDEN")
            logistics.step(bid, step, stranger).expect(404, "BOOKING_NOT_FOUND")
            logistics.step(bid, step, other_transporter).expect(404, "BOOKING_NOT_FOUND")
            logistics.step("01JNOSUCHBOOKING0000000000", step, transporter).expect(404, "BOOKING_NOT_FOUND")
        logistics.step(bid, "deliver", trade.farmer, {"pin": "123456"}).expect(403, "FORBIDDEN")
        logistics.step(bid, "deliver", stranger, {"pin": "123456"}).expect(404, "BOOKING_NOT_FOUND")
        logistics.step(bid, "cancel", stranger).expect(404, "BOOKING_NOT_FOUND")
        logistics.api.post(f"/transport/bookings/{bid}/accept").expect(401)


def test_each_step_from_the_wrong_state_is_a_409_that_says_why(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    bid = logistics.book(trade, transporter)["id"]
    with logistics.table.unchanged():
        logistics.step(bid, "pickup", transporter).expect(409, "BOOKING_NOT_ACCEPTED")
        logistics.step(bid, "deliver", transporter, {"pin": "123456"}).expect(409, "BOOKING_NOT_PICKED_UP")
    logistics.step(bid, "accept", transporter).expect(200)
    with logistics.table.unchanged():
        reply = logistics.step(bid, "accept", transporter).expect(409, "BOOKING_NOT_REQUESTED")
        assert reply.error["details"] == {"status": "accepted", "requested": "accepted"}
        logistics.step(bid, "decline", transporter).expect(409, "BOOKING_NOT_REQUESTED")
        logistics.step(bid, "deliver", transporter, {"pin": "123456"}).expect(409, "BOOKING_NOT_PICKED_UP")
    logistics.step(bid, "cancel", trade.buyer).expect(200)
    with logistics.table.unchanged():
        for step in ("accept", "decline", "pickup", "cancel"):
            logistics.step(bid, step, transporter if step != "cancel" else trade.buyer).expect(
                409, "BOOKING_NOT_ACTIVE"
            )
        logistics.step(bid, "deliver", transporter, {"pin": "123456"}).expect(409, "BOOKING_NOT_ACTIVE")


def test_bad_bodies_are_422(logistics: Logistics, transporter: User) -> None:
    trade = logistics.trade()
    bid = logistics.book(trade, transporter, status="picked_up")["id"]
    with logistics.table.unchanged(), logistics.market_table.unchanged():
        for body in ({}, {"pin": "12345"}, {"pin": "abcdef"}, {"pin": 123456}, {"pin": "123456", "x": 1}):
            logistics.step(bid, "deliver", transporter, body).expect(422)


# ---------------------------------------------------------------------------- racing
def test_two_steps_racing_on_one_booking_one_wins_and_the_other_is_told_why(
    logistics: Logistics, transporter: User
) -> None:
    """Both read the booking requested; the accept writes first; the cancel's write is conditioned on
    the status and version it read, so it fails and says what the booking is now."""
    trade = logistics.trade()
    bid = logistics.book(trade, transporter)["id"]
    dal = StepsDal(logistics.table.name)
    stale = dal.booking(bid)

    class Racing(StepsDal):
        """Its first read is the snapshot both racers took; later reads are the table's."""

        first = True

        def booking(self, booking_id: str) -> dict[str, Any] | None:
            if self.first:
                self.first = False
                return dict(stale or {})
            return super().booking(booking_id)

    buyer = Caller(user_id=trade.buyer.id, role="buyer", email="b@example.com")
    mover = Caller(user_id=transporter.id, role="transporter", email="t@example.com")
    won = steps.accept(mover, bid, steps.StepDeps(store=Racing(logistics.table.name)))
    with pytest.raises(steps.BookingNotRequested):
        steps.decline(mover, bid, steps.StepDeps(store=Racing(logistics.table.name)))
    with pytest.raises(Conflict) as lost:
        steps.cancel(buyer, bid, "changed my mind", steps.StepDeps(store=Racing(logistics.table.name)))

    assert won.status == "accepted"
    assert lost.value.status == 409
    stored = logistics.booking(bid)
    assert (stored["status"], stored["version"], len(stored["audit"])) == ("accepted", 2, 2)
    assert len(mine(logistics.details("TransportAccepted"), bid)) == 1
    assert mine(logistics.details("TransportCancelled"), bid) == []


# ---------------------------------------------------------------------------- the answer timer
def booked_event(booking: dict[str, Any]) -> dict[str, Any]:
    detail = {
        "booking_id": booking["id"],
        "order_id": booking["order_id"],
        "transporter_id": booking["transporter_id"],
        "buyer_id": booking["buyer_id"],
        "farmer_id": booking["farmer_id"],
        "fare_ugx": booking["fare_ugx"],
        "vehicle_id": booking["vehicle_id"],
        "booked_by": booking["booked_by"],
        "pickup_day": booking["pickup_day"],
        "pickup_district": "Masaka",
        "dropoff_district": "Kampala",
        "distance_km": 131.5,
        "weight_kg": 30.0,
        "event_id": f"booked-{booking['id']}",
        "occurred_at": booking["created_at"],
    }
    return eventbridge_event("soko.logistics", "TransportBooked", detail)


def test_an_unanswered_booking_expires_when_its_timer_fires_and_a_late_accept_is_refused(
    logistics: Logistics, transporter: User, at: Any
) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter)
    bid = booking["id"]
    for _ in range(2):  # redelivered: the same timer, once
        assert logistics.consume("LogisticsEventsConsumerFunction", booked_event(booking)) == {
            "batchItemFailures": []
        }
    name = f"booking.{bid}.expire"
    assert logistics.schedule(name)["ScheduleExpression"] == f"at({booking['answer_by'][:-1]})"

    at(moment(booking["answer_by"]) - timedelta(seconds=1))  # fired early: retried, never expired
    with pytest.raises(BatchProcessingError, match="has not passed"):
        logistics.fire(name)
    assert logistics.booking(bid)["status"] == "requested"

    at(moment(booking["answer_by"]))
    with logistics.table.unchanged():  # the time to answer has passed, even before the timer
        logistics.step(bid, "accept", transporter).expect(409, "BOOKING_EXPIRED")
    assert logistics.fire(name) == {"batchItemFailures": []}
    stored = logistics.booking(bid)
    assert (stored["status"], stored["audit"][-1]["by"]) == ("expired", "system")
    assert logistics.slot(booking) is None
    assert logistics.order_transport(trade.order["id"])["status"] == "expired"  # type: ignore[index]
    assert len(mine(logistics.details("TransportExpired"), bid)) == 1
    assert set(notices_of(logistics, bid, "expired")) == {trade.buyer.id, trade.farmer.id}

    assert logistics.fire(name) == {"batchItemFailures": []}  # again: nothing more
    assert len(mine(logistics.details("TransportExpired"), bid)) == 1
    with logistics.table.unchanged():
        logistics.step(bid, "accept", transporter).expect(409, "BOOKING_EXPIRED")


def test_a_timer_after_the_transporter_answered_does_nothing(
    logistics: Logistics, transporter: User, at: Any
) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter)
    logistics.consume("LogisticsEventsConsumerFunction", booked_event(booking))
    logistics.step(booking["id"], "accept", transporter).expect(200)
    at(moment(booking["answer_by"]) + timedelta(minutes=5))
    with logistics.table.unchanged():
        assert logistics.fire(f"booking.{booking['id']}.expire") == {"batchItemFailures": []}
    assert logistics.booking(booking["id"])["status"] == "accepted"


# ---------------------------------------------------------------------------- the order's end
def test_an_order_the_farmer_rejects_cancels_its_booking_once(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade(paid=False)
    booking = logistics.book(trade, transporter, status="accepted")
    logistics.api.patch(
        f"/orders/{trade.order['id']}/status", {"new_status": "rejected"}, user=trade.farmer
    ).expect(200)
    rejected = logistics.outbox_event(logistics.market_table, "OrderRejected")
    assert rejected["detail"]["order_id"] == trade.order["id"]

    for _ in range(2):
        assert logistics.consume("LogisticsEventsConsumerFunction", rejected) == {"batchItemFailures": []}
    stored = logistics.booking(booking["id"])
    assert (stored["status"], stored["cancelled_by"], stored["reason"]) == (
        "cancelled",
        "system",
        "the farmer rejected the order",
    )
    assert logistics.slot(booking) is None
    [event] = mine(logistics.details("TransportCancelled"), booking["id"])
    assert event["cancelled_by"] == "system"
    assert set(notices_of(logistics, booking["id"], "cancelled")) == {
        trade.buyer.id,
        trade.farmer.id,
        transporter.id,
    }


@pytest.mark.parametrize(
    ("detail_type", "extra"), [("OrderCancelled", {}), ("OrderExpired", {"reason": "unpaid"})]
)
def test_an_order_that_ends_cancels_its_active_booking(
    logistics: Logistics, transporter: User, detail_type: str, extra: dict[str, Any]
) -> None:
    trade = logistics.trade(paid=False)
    booking = logistics.book(trade, transporter)
    detail = order_detail(trade.order["id"], buyer_id=trade.buyer.id, farmer_id=trade.farmer.id, **extra)
    event = eventbridge_event("soko.orders", detail_type, detail)
    for _ in range(2):
        assert logistics.consume("LogisticsEventsConsumerFunction", event) == {"batchItemFailures": []}
    assert logistics.booking(booking["id"])["status"] == "cancelled"
    assert len(mine(logistics.details("TransportCancelled"), booking["id"])) == 1


def test_a_completed_order_delivers_its_picked_up_booking(logistics: Logistics, transporter: User) -> None:
    trade = logistics.trade()
    booking = logistics.book(trade, transporter, status="picked_up")
    oid = trade.order["id"]
    logistics.api.patch(f"/orders/{oid}/status", {"new_status": "delivered"}, user=trade.farmer).expect(200)
    logistics.api.post(f"/orders/{oid}/receipt", user=trade.buyer).expect(200)
    completed = logistics.outbox_event(logistics.market_table, "OrderCompleted")
    assert completed["detail"]["order_id"] == oid

    for _ in range(2):
        assert logistics.consume("LogisticsEventsConsumerFunction", completed) == {"batchItemFailures": []}
    stored = logistics.booking(booking["id"])
    assert (stored["status"], stored["audit"][-1]["by"], stored["audit"][-1]["note"]) == (
        "delivered",
        "system",
        "order_completed",
    )
    assert logistics.slot(booking) is not None  # a delivered job keeps its day
    [event] = mine(logistics.details("TransportDelivered"), booking["id"])
    assert event["by"] == "order_completed"


def test_a_malformed_order_event_fails_its_record_alone(logistics: Logistics) -> None:
    bad = eventbridge_event("soko.orders", "OrderCancelled", {"order_id": "x"})
    good = eventbridge_event("soko.orders", "OrderCancelled", order_detail("01JNOBOOKINGFORTHISORDER00"))
    reply = logistics.consume("LogisticsEventsConsumerFunction", bad, good)
    assert len(reply["batchItemFailures"]) == 1


# ---------------------------------------------------------------------------- the handover
def test_the_buyers_pin_hands_it_over_completes_the_order_and_releases_escrow(
    logistics: Logistics, transporter: User
) -> None:
    trade = logistics.trade()
    oid = trade.order["id"]
    assert trade.pin is not None
    bid = logistics.book(trade, transporter, status="accepted")["id"]
    logistics.step(bid, "pickup", transporter).expect(200)
    wrong = f"{(int(trade.pin) + 1) % 1_000_000:06d}"

    reply = logistics.step(bid, "deliver", transporter, {"pin": wrong}).expect(403, "WRONG_DELIVERY_PIN")

    assert reply.error["details"] == {"tries_left": 4}
    assert logistics.booking(bid)["status"] == "picked_up"
    assert logistics.order(oid)["status"] == "confirmed"  # paid and confirmed: the transporter may hand over

    done = logistics.step(bid, "deliver", transporter, {"pin": trade.pin}).expect(200).json

    assert (done["status"], done["audit"][-1]["by"], done["audit"][-1]["note"]) == (
        "delivered",
        transporter.id,
        "pin",
    )
    order = logistics.order(oid)
    assert (order["status"], order["released_by"]) == ("completed", "pin")
    [completed] = [
        d for d in logistics.details("OrderCompleted", logistics.market_table) if d["order_id"] == oid
    ]
    assert completed["released_by"] == "pin"  # payments releases the escrow on it, as for the farmer's PIN
    [delivered] = mine(logistics.details("TransportDelivered"), bid)
    assert delivered["by"] == "pin"
    assert logistics.order_transport(oid)["status"] == "delivered"  # type: ignore[index]
    assert set(notices_of(logistics, bid, "delivered")) == {trade.buyer.id, trade.farmer.id}

    # the market's OrderCompleted reaches logistics too: nothing more happens
    with logistics.table.unchanged():
        event = eventbridge_event("soko.orders", "OrderCompleted", completed)
        assert logistics.consume("LogisticsEventsConsumerFunction", event) == {"batchItemFailures": []}
    logistics.step(bid, "deliver", transporter, {"pin": trade.pin}).expect(409, "BOOKING_NOT_ACTIVE")


def test_five_wrong_pins_lock_the_handover(logistics: Logistics, transporter: User) -> None:
    trade = logistics.trade()
    assert trade.pin is not None
    bid = logistics.book(trade, transporter, status="picked_up")["id"]
    wrong = f"{(int(trade.pin) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1, 0):
        reply = logistics.step(bid, "deliver", transporter, {"pin": wrong}).expect(403, "WRONG_DELIVERY_PIN")
        assert reply.error["details"]["tries_left"] == left
    logistics.step(bid, "deliver", transporter, {"pin": trade.pin}).expect(409, "DELIVERY_PIN_LOCKED")
    assert logistics.booking(bid)["status"] == "picked_up"
    assert logistics.order(trade.order["id"])["status"] == "confirmed"


def test_an_unpaid_order_has_no_pin_to_hand_over_with(logistics: Logistics, transporter: User) -> None:
    trade = logistics.trade(paid=False)
    bid = logistics.book(trade, transporter, status="picked_up")["id"]
    with logistics.table.unchanged(), logistics.market_table.unchanged():
        logistics.step(bid, "deliver", transporter, {"pin": "123456"}).expect(409, "ILLEGAL_TRANSITION")


def test_a_transporter_without_the_produce_is_not_the_orders_carrier(
    logistics: Logistics, transporter: User
) -> None:
    """The market accepts the PIN only from the transporter of the order's picked-up booking: the
    farmer's endpoint still refuses anyone else, and the transporter cannot use it."""
    trade = logistics.trade()
    assert trade.pin is not None
    logistics.book(trade, transporter, status="picked_up")
    with logistics.market_table.unchanged():
        logistics.api.post(
            f"/orders/{trade.order['id']}/delivery-pin", {"pin": trade.pin}, user=transporter
        ).expect(404, "ORDER_NOT_FOUND")


# ---------------------------------------------------------------------------- notifications
def test_the_notifications_consumer_delivers_a_transport_notice(
    logistics: Logistics, transporter: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifications_deps, "configured_sender", lambda: None)
    trade = logistics.trade()
    bid = logistics.book(trade, transporter)["id"]
    logistics.step(bid, "accept", transporter).expect(200)
    notice = notices_of(logistics, bid, "accepted")[trade.buyer.id]
    event = eventbridge_event("soko.logistics", "TransportNoticeIssued", notice)
    for _ in range(2):
        assert logistics.consume("NotificationsConsumerFunction", event) == {"batchItemFailures": []}
    items = logistics.api.get("/notifications/", user=trade.buyer).expect(200).json["items"]
    [mine_] = [i for i in items if i["data"].get("booking_id") == bid]
    assert (mine_["type"], mine_["category"], mine_["title"]) == ("notice", "orders", "Transport accepted")
