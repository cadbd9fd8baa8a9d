"""Transport fares through the escrow (in memory, issue 17): the buyer pays an active booking's fare
with the order; completion pays the delivered transporter (from the buyer's fare, else the farmer's
proceeds), holds the fare while the booking is on the road, refunds an unused fare; the ledger sums
to zero and the order's escrow ends at zero; transporter payouts settle in the farmer's batch."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from payments_world import BUYER, FARMER, TOTAL, World

from soko.logistics.events import TransportCancelled, TransportDelivered
from soko.market.events import OrderCancelled, OrderCompleted
from soko.payments import batch, ledger
from soko.payments import events as ev

FARE = 15_000
TRANSPORTER = "T1"


@dataclass(frozen=True)
class Transport:
    """An order's transport as soko.logistics.public.OrderTransport shows it (the fields payments reads)."""

    booking_id: str
    transporter_id: str
    fare_ugx: int
    status: str


@pytest.fixture
def transports(world: World) -> dict[str, Transport]:
    found: dict[str, Transport] = {}
    world.deps.transport = found.get
    return found


def book(transports: dict[str, Transport], order_id: str, status: str = "accepted", fare: int = FARE) -> None:
    transports[order_id] = Transport("BK1", TRANSPORTER, fare, status)


def ended(world: World, order_id: str, contract: type[TransportDelivered | TransportCancelled]) -> None:
    extra = {"by": "pin"} if contract is TransportDelivered else {"cancelled_by": "system", "reason": "order"}
    world.deliver(
        contract(
            booking_id="BK1",
            order_id=order_id,
            transporter_id=TRANSPORTER,
            buyer_id=BUYER.user_id,
            farmer_id=FARMER.user_id,
            fare_ugx=FARE,
            **extra,
        )
    )


def payouts(world: World) -> dict[str, tuple[int, int, int]]:
    """payee id -> (gross, fee, net) of each payout."""
    return {
        str(p.get("transporter_id") or p["farmer_id"]): (p["gross_ugx"], p["fee_ugx"], p["net_ugx"])
        for p in world.store.payouts.values()
    }


def settle_all(world: World) -> dict[str, int]:
    batch.settle(world.deps)
    balances = world.balanced()
    assert not any(k.startswith(("escrow:", "farmer:", "transporter:", "refund:")) for k in balances), (
        balances
    )
    return balances


def test_the_buyer_pays_the_fare_and_the_delivered_transporter_is_paid_from_it(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    book(transports, order_id)
    payment = world.paid(order_id)
    assert (payment["amount_ugx"], payment["fare_ugx"], payment["transport_booking_id"]) == (
        TOTAL + FARE,
        FARE,
        "BK1",
    )
    assert world.provider.submitted[-1][1] == TOTAL + FARE
    book(transports, order_id, "delivered")
    world.order_event(OrderCompleted, order_id)
    world.order_event(OrderCompleted, order_id)  # redelivered: nothing twice
    assert payouts(world) == {FARMER.user_id: (TOTAL, 6_000, 114_000), TRANSPORTER: (FARE, 0, FARE)}
    assert f"escrow:{order_id}" not in world.balanced()
    assert world.provider.refunds == []
    [fare_event] = [e for e in world.store.events if isinstance(e, ev.FarePayoutScheduled)]
    assert (fare_event.from_buyer_ugx, fare_event.from_farmer_ugx, fare_event.net_ugx) == (FARE, 0, FARE)
    assert settle_all(world) == {
        f"buyer:{BUYER.user_id}": -(TOTAL + FARE),
        f"settled:{FARMER.user_id}": 114_000,
        f"settled:{TRANSPORTER}": FARE,
        ledger.FEES: 6_000,
    }
    assert [type(e) for e in world.store.events].count(ev.FarePayoutSent) == 1


def test_a_fare_paid_but_not_delivered_goes_back_to_the_buyer(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    book(transports, order_id)
    payment = world.paid(order_id)
    book(transports, order_id, "cancelled")
    world.order_event(OrderCompleted, order_id)
    assert payouts(world) == {FARMER.user_id: (TOTAL, 6_000, 114_000)}
    assert world.provider.refunds == [(payment["confirmation_code"], FARE)]
    stored = world.store.payments[str(payment["id"])]
    assert (stored["escrow"], stored["fare_state"]) == ("released", "refunded")
    assert world.store.refunds[str(payment["id"])]["full"] is False
    assert settle_all(world) == {
        f"buyer:{BUYER.user_id}": -TOTAL,
        f"settled:{FARMER.user_id}": 114_000,
        ledger.FEES: 6_000,
    }


def test_without_transport_nothing_changes(world: World, transports: dict[str, Transport]) -> None:
    order_id = world.order()
    payment = world.paid(order_id)
    assert (payment["amount_ugx"], payment["fare_ugx"]) == (TOTAL, 0)
    world.order_event(OrderCompleted, order_id)
    assert payouts(world) == {FARMER.user_id: (TOTAL, 6_000, 114_000)}
    assert "fare_state" not in world.store.payments[str(payment["id"])]


def test_a_booking_made_after_paying_is_paid_out_of_the_farmers_proceeds(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    world.paid(order_id)
    book(transports, order_id, "delivered")
    world.order_event(OrderCompleted, order_id)
    assert payouts(world) == {FARMER.user_id: (TOTAL, 6_000, 99_000), TRANSPORTER: (FARE, 0, FARE)}
    assert settle_all(world) == {
        f"buyer:{BUYER.user_id}": -TOTAL,
        f"settled:{FARMER.user_id}": 99_000,
        f"settled:{TRANSPORTER}": FARE,
        ledger.FEES: 6_000,
    }


def test_a_fare_above_the_farmers_net_is_paid_up_to_the_net(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order(total=10_000)
    world.paid(order_id)
    book(transports, order_id, "delivered", fare=12_000)
    world.order_event(OrderCompleted, order_id)
    farmer_payout = next(p for p in world.store.payouts.values() if p["payee"] == "farmer")
    fare_payout = next(p for p in world.store.payouts.values() if p["payee"] == "transporter")
    assert (farmer_payout["net_ugx"], farmer_payout["status"]) == (0, "settled")  # nothing to send
    assert (fare_payout["net_ugx"], fare_payout["fare_unpaid_ugx"]) == (9_500, 2_500)
    assert settle_all(world)[f"settled:{TRANSPORTER}"] == 9_500


def test_a_fare_on_the_road_at_completion_is_held_then_paid_when_delivered(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    book(transports, order_id, "picked_up")
    payment = world.paid(order_id)
    world.order_event(OrderCompleted, order_id)
    stored = world.store.payments[str(payment["id"])]
    assert (stored["fare_state"], stored["fare_held_ugx"]) == ("held", FARE)
    assert world.balanced()[f"escrow:{order_id}"] == FARE
    assert payouts(world) == {FARMER.user_id: (TOTAL, 6_000, 114_000)}
    ended(world, order_id, TransportDelivered)
    ended(world, order_id, TransportDelivered)  # replayed (another event id): paid once
    assert payouts(world)[TRANSPORTER] == (FARE, 0, FARE)
    assert world.store.payments[str(payment["id"])]["fare_state"] == "paid"
    assert settle_all(world)[f"settled:{TRANSPORTER}"] == FARE


def test_a_held_fare_whose_transport_is_cancelled_goes_back_to_who_paid_it(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    world.paid(order_id)  # no transport yet: the buyer pays no fare
    book(transports, order_id, "accepted")  # booked after paying: the farmer's proceeds pay it
    world.order_event(OrderCompleted, order_id)
    assert world.balanced()[f"escrow:{order_id}"] == FARE  # the farmer's part, held
    assert payouts(world) == {FARMER.user_id: (TOTAL, 6_000, 99_000)}
    ended(world, order_id, TransportCancelled)
    farmer_payouts = sorted(p["net_ugx"] for p in world.store.payouts.values() if p["payee"] == "farmer")
    assert farmer_payouts == [FARE, 99_000] and world.provider.refunds == []
    assert settle_all(world) == {
        f"buyer:{BUYER.user_id}": -TOTAL,
        f"settled:{FARMER.user_id}": 114_000,
        ledger.FEES: 6_000,
    }


def test_a_booking_that_ends_while_the_escrow_is_open_moves_the_payments_version(
    world: World, transports: dict[str, Transport]
) -> None:
    """So a completion that read the booking on the road just before, and writes after, fails its
    version check and reads the transport again (delivered): the fare is never held by mistake."""
    order_id = world.order()
    book(transports, order_id, "picked_up")
    payment = world.paid(order_id)
    before = world.store.payments[str(payment["id"])]["version"]
    book(transports, order_id, "delivered")
    ended(world, order_id, TransportDelivered)
    assert world.store.payments[str(payment["id"])]["version"] == before + 1
    world.order_event(OrderCompleted, order_id)
    assert payouts(world)[TRANSPORTER] == (FARE, 0, FARE)


def test_a_cancelled_order_refunds_everything_paid_the_fare_included(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    book(transports, order_id)
    payment = world.paid(order_id)
    world.order_event(OrderCancelled, order_id)
    assert world.provider.refunds == [(payment["confirmation_code"], TOTAL + FARE)]
    assert world.store.refunds[str(payment["id"])]["full"] is True
    assert world.balanced() == {} and world.store.payouts == {}


def test_a_disputes_split_is_of_the_produce_and_a_delivered_transporter_keeps_the_fare(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    book(transports, order_id)
    payment = world.paid(order_id)
    book(transports, order_id, "delivered")
    world.disputed(order_id)
    world.resolved(order_id, "split", buyer_amount=40_000)
    assert payouts(world) == {FARMER.user_id: (80_000, 4_000, 76_000), TRANSPORTER: (FARE, 0, FARE)}
    assert world.provider.refunds == [(payment["confirmation_code"], 40_000)]
    assert settle_all(world) == {
        f"buyer:{BUYER.user_id}": -(TOTAL + FARE - 40_000),
        f"settled:{FARMER.user_id}": 76_000,
        f"settled:{TRANSPORTER}": FARE,
        ledger.FEES: 4_000,
    }


def test_a_disputes_refund_with_an_undelivered_transport_returns_the_fare_too(
    world: World, transports: dict[str, Transport]
) -> None:
    order_id = world.order()
    book(transports, order_id)
    payment = world.paid(order_id)
    world.disputed(order_id)
    world.resolved(order_id, "refund")  # the booking is still accepted: it counts as not delivered
    assert world.provider.refunds == [(payment["confirmation_code"], TOTAL + FARE)]
    assert world.balanced() == {} and world.store.payouts == {}
