"""Transport fares through the template's functions (issue 17), against moto and the sandbox
PesaPal: the buyer pays the booked fare with the order, the completed order pays the farmer and
the delivered transporter in the settlement batch with the ledger at zero, an undelivered fare is
refunded, and the transporter reads the fare in their statement and earnings."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from payments_support import sqs_event
from test_payments import deliver, initiate
from test_statements_endpoints import completed, get, statement

from soko.payments import statements
from soko_local.provision import Deployment
from support.lambda_env import Invoke
from support.logistics_money import TRANSPORTER_ID, put_order_transport, transport_event
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user

CONSUMER = "PaymentsOrderEventsConsumerFunction"
TOTAL, FARE = 120_000, 15_000


@pytest.fixture
def logistics(deployment: Deployment) -> str:
    return deployment.physical["LogisticsTable"]


def paid_with_transport(
    run: Invoke,
    server: SandboxServer,
    tables: Tables,
    logistics: str,
    status: str = "accepted",
    method: str | None = None,
) -> tuple[User, User, str, dict[str, Any]]:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    put_order_transport(logistics, order_id, status=status, buyer_id=buyer.id)
    code, payment = initiate(run, buyer, order_id)
    assert code == 201, payment
    body = {"payment_method": method} if method else None
    done = server.post(f"/pesapal/{payment['order_tracking_id']}/complete", body)
    assert json.loads(done["ipn"]["body"])["status"] == 200, done
    return buyer, farmer, order_id, payment


def balanced(tables: Tables) -> dict[str, int]:
    balances = {k: v for k, v in tables.balances().items() if v}
    assert sum(balances.values()) == 0, balances
    return balances


def test_a_booked_fare_is_paid_with_the_order_and_to_the_transporter_when_it_completes(
    run: Invoke, server: SandboxServer, tables: Tables, logistics: str
) -> None:
    buyer, farmer, order_id, payment = paid_with_transport(run, server, tables, logistics)
    assert (payment["amount_ugx"], payment["fare_ugx"]) == (TOTAL + FARE, FARE)
    assert payment["transport_booking_id"] == "01BOOKING00000000000000001"
    [paid] = tables.outbox("PaymentCompleted")
    assert json.loads(paid["detail"])["fare_ugx"] == FARE
    assert balanced(tables) == {f"buyer:{buyer.id}": -(TOTAL + FARE), f"escrow:{order_id}": TOTAL + FARE}

    put_order_transport(logistics, order_id, status="delivered", buyer_id=buyer.id)  # the PIN handed it over
    deliver(run, CONSUMER, [completed(order_id, 101)])
    deliver(run, CONSUMER, [completed(order_id, 101)])  # redelivered: nothing twice
    [farmer_payout] = [json.loads(i["detail"]) for i in tables.outbox("PayoutScheduled")]
    [fare_payout] = [json.loads(i["detail"]) for i in tables.outbox("FarePayoutScheduled")]
    assert (farmer_payout["gross_ugx"], farmer_payout["fee_ugx"], farmer_payout["net_ugx"]) == (
        TOTAL,
        6_000,
        114_000,
    )
    assert (fare_payout["transporter_id"], fare_payout["net_ugx"], fare_payout["from_buyer_ugx"]) == (
        TRANSPORTER_ID,
        FARE,
        FARE,
    )
    assert f"escrow:{order_id}" not in balanced(tables)
    assert server.sandbox.payments.pesapal.refunds == []

    summary = run("PaymentsSettlementFunction", {})
    assert (summary["settled"], summary["settled_ugx"]) == (2, 114_000 + FARE)
    assert json.loads(tables.outbox("FarePayoutSent")[0]["detail"])["net_ugx"] == FARE
    assert balanced(tables) == {
        f"buyer:{buyer.id}": -(TOTAL + FARE),
        f"settled:{farmer.id}": 114_000,
        f"settled:{TRANSPORTER_ID}": FARE,
        "platform:fees": 6_000,
    }

    # The transporter reads the fare like a farmer reads a sale: statement (CSV) and earnings.
    transporter = new_user("transporter")
    transporter.id = TRANSPORTER_ID
    month = statements.this_month().strftime("%Y-%m")
    found = statement(run, transporter, month)
    assert found["statusCode"] == 200, found
    rows = list(csv.DictReader(io.StringIO(found["body"])))
    assert [(r["kind"], r["order_id"], r["net_ugx"]) for r in rows[1:-1]] == [
        ("fare", order_id, str(FARE)),
        ("paid_out", order_id, str(-FARE)),
    ]
    assert rows[-1]["balance_ugx"] == "0"
    earned = get(run, "PaymentsEarningsFunction", "/payments/earnings", transporter)
    assert earned["statusCode"] == 200, earned
    body = json.loads(earned["body"])
    assert (body["payee"], body["net_ugx"], body["paid_out_ugx"], body["fees_ugx"]) == (
        "transporter",
        FARE,
        FARE,
        0,
    )
    assert statement(run, buyer, month)["statusCode"] == 403  # buyers still have none


def test_a_fare_that_was_not_delivered_is_refunded_to_the_buyer(
    run: Invoke, server: SandboxServer, tables: Tables, logistics: str
) -> None:
    """Paid by card: PesaPal refunds a card payment in part (mobile money only in full, see the
    next test)."""
    buyer, farmer, order_id, payment = paid_with_transport(run, server, tables, logistics, method="Visa")
    put_order_transport(logistics, order_id, status="cancelled", buyer_id=buyer.id)
    deliver(run, CONSUMER, [completed(order_id, 102)])
    [farmer_payout] = [json.loads(i["detail"]) for i in tables.outbox("PayoutScheduled")]
    assert farmer_payout["net_ugx"] == 114_000 and tables.outbox("FarePayoutScheduled") == []
    [refund] = server.sandbox.payments.pesapal.refunds
    assert float(refund["amount"]) == FARE
    assert tables.refund(payment["payment_id"])["status"] == "submitted"
    assert tables.payment(payment["payment_id"])["fare_state"] == "refunded"
    run("PaymentsSettlementFunction", {})
    assert balanced(tables) == {
        f"buyer:{buyer.id}": -TOTAL,
        f"settled:{farmer.id}": 114_000,
        "platform:fees": 6_000,
    }


def test_a_partial_fare_refund_of_mobile_money_goes_to_an_admin(
    run: Invoke, server: SandboxServer, tables: Tables, logistics: str
) -> None:
    """PesaPal refunds mobile money in full only: the unused fare's refund is refused and opens a
    ``refund_refused`` case (as a dispute's split does); the ledger keeps it in ``refund:<payment>``."""
    buyer, _, order_id, payment = paid_with_transport(run, server, tables, logistics)
    put_order_transport(logistics, order_id, status="expired", buyer_id=buyer.id)
    deliver(run, CONSUMER, [completed(order_id, 105)])
    assert tables.refund(payment["payment_id"])["status"] == "refused"
    [case] = tables.mismatches()
    assert (case["kind"], case["status"]) == ("refund_refused", "open")
    assert balanced(tables)[f"refund:{payment['payment_id']}"] == FARE


def test_a_fare_on_the_road_is_held_and_paid_when_the_booking_is_delivered(
    run: Invoke, server: SandboxServer, tables: Tables, logistics: str
) -> None:
    buyer, _, order_id, payment = paid_with_transport(run, server, tables, logistics, "picked_up")
    deliver(run, CONSUMER, [completed(order_id, 103)])  # the buyer confirmed receipt first
    assert balanced(tables)[f"escrow:{order_id}"] == FARE
    assert tables.payment(payment["payment_id"])["fare_state"] == "held"
    put_order_transport(logistics, order_id, status="delivered", buyer_id=buyer.id)
    event = transport_event(order_id, "TransportDelivered", "01JD0000000000000000000T01")
    deliver(run, CONSUMER, [event])
    deliver(run, CONSUMER, [event])
    assert len(tables.outbox("FarePayoutScheduled")) == 1
    assert f"escrow:{order_id}" not in balanced(tables)
    run("PaymentsSettlementFunction", {})
    assert balanced(tables)[f"settled:{TRANSPORTER_ID}"] == FARE
    # A logistics event off its contract fails its record alone and moves no money.
    before = tables.balances()
    good = transport_event(order_id, "TransportPickedUp", "01JD0000000000000000000T02")  # not acted on
    bad = transport_event(order_id, "TransportDelivered", "01JD0000000000000000000T03", fare_ugx="lots")
    batch = sqs_event([good, bad])
    result = run(CONSUMER, batch)
    assert result["batchItemFailures"] == [{"itemIdentifier": batch["Records"][1]["messageId"]}]
    assert tables.balances() == before


def test_a_cancelled_order_refunds_the_fare_with_everything_else(
    run: Invoke, server: SandboxServer, tables: Tables, logistics: str
) -> None:
    _, _, order_id, _ = paid_with_transport(run, server, tables, logistics)
    cancel = completed(order_id, 104) | {"detail_type": "OrderCancelled"}
    cancel["detail"] = cancel["detail"].replace(', "completed_at": "2026-11-21T09:30:00Z"', "")
    deliver(run, CONSUMER, [cancel])
    [refund] = server.sandbox.payments.pesapal.refunds
    assert float(refund["amount"]) == TOTAL + FARE
    assert balanced(tables) == {}
