"""Payments through the template's functions against the sandbox PesaPal: the IPN is never
trusted, replays credit once, one live attempt per order, and the ledger balances through
payment, payout, settlement and refund."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from payments_support import sqs_event
from werkzeug.wrappers import Request, Response

from support.events import order_detail
from support.gateway import http_event
from support.lambda_env import Invoke
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user

TOTAL = 120_000


def initiate(run: Invoke, buyer: User, order_id: str, key: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"idempotency-key": key} if key else {}
    event = http_event(
        "PaymentsInitiateFunction",
        "POST",
        "/payments/initiate",
        body={"order_id": order_id, "phone": "0772123456"},
        context=buyer.context,
        headers=headers,
    )
    result = run("PaymentsInitiateFunction", event)
    return result["statusCode"], json.loads(result["body"])


def status(run: Invoke, user: User, payment_id: str) -> tuple[int, dict[str, Any]]:
    path = f"/payments/{payment_id}/status"
    event = http_event("PaymentsStatusFunction", "GET", path, context=user.context, params={"id": payment_id})
    result = run("PaymentsStatusFunction", event)
    return result["statusCode"], json.loads(result["body"])


def ipn(
    run: Invoke, tracking_id: str, reference: str = "", method: str = "GET"
) -> tuple[int, dict[str, Any]]:
    fields = {
        "OrderTrackingId": tracking_id,
        "OrderMerchantReference": reference,
        "OrderNotificationType": "IPNCHANGE",
    }
    if method == "GET":
        event = http_event("PesapalIpnGetFunction", "GET", "/webhook/pesapal", query=fields)
        result = run("PesapalIpnGetFunction", event)
    else:
        event = http_event("PesapalIpnPostFunction", "POST", "/webhook/pesapal", body=fields)
        result = run("PesapalIpnPostFunction", event)
    return result["statusCode"], json.loads(result["body"])


def paid_order(
    run: Invoke, server: SandboxServer, tables: Tables, total: int = TOTAL
) -> tuple[User, User, str, dict[str, Any]]:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, total)
    code, payment = initiate(run, buyer, order_id)
    assert code == 201, payment
    done = server.post(f"/pesapal/{payment['order_tracking_id']}/complete")
    assert done["ipn"]["status"] == 200 and json.loads(done["ipn"]["body"])["status"] == 200, done
    return buyer, farmer, order_id, payment


def deliver(run: Invoke, function: str, items: list[dict[str, Any]]) -> None:
    result = run(function, sqs_event(items))
    assert result["batchItemFailures"] == [], result


def test_a_forged_or_early_ipn_leaves_the_payment_pending(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    code, payment = initiate(run, buyer, order_id)
    assert code == 201, payment
    assert payment["status"] == "pending"
    # The sandbox's own checkout page, on the origin the adapter called (PesaPal's is its hosted page).
    assert payment["redirect_url"] == f"{server.url}/_sandbox/pesapal/checkout/{payment['order_tracking_id']}"
    assert payment["merchant_reference"] == payment["payment_id"]

    # Early (the buyer has not paid yet) and forged (claims completion in fields PesaPal never sends).
    assert ipn(run, payment["order_tracking_id"], payment["merchant_reference"]) == (
        200,
        {
            "orderNotificationType": "IPNCHANGE",
            "orderTrackingId": payment["order_tracking_id"],
            "orderMerchantReference": payment["merchant_reference"],
            "status": 200,
        },
    )
    forged = http_event(
        "PesapalIpnPostFunction",
        "POST",
        "/webhook/pesapal",
        body={
            "OrderTrackingId": payment["order_tracking_id"],
            "status_code": 1,
            "status": "COMPLETED",
            "amount": TOTAL,
        },
    )
    assert run("PesapalIpnPostFunction", forged)["statusCode"] == 200
    # Unknown tracking ids and junk: acknowledged with status 500, never a 5xx.
    assert ipn(run, "00000000-0000-0000-0000-000000000000")[1]["status"] == 500
    junk = run(
        "PesapalIpnPostFunction",
        http_event("PesapalIpnPostFunction", "POST", "/webhook/pesapal", body="{not json"),
    )
    assert junk["statusCode"] == 200 and json.loads(junk["body"])["status"] == 500

    assert status(run, buyer, payment["payment_id"])[1]["status"] == "pending"
    assert tables.outbox("PaymentCompleted") == [] and tables.balances() == {}


def test_replayed_ipns_credit_once_and_the_parties_see_the_history(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer, order_id, payment = paid_order(run, server, tables)
    for method in ("GET", "POST", "GET"):
        assert (
            ipn(run, payment["order_tracking_id"], payment["merchant_reference"], method)[1]["status"] == 200
        )
    server.post(f"/pesapal/{payment['order_tracking_id']}/complete")  # PesaPal repeats its IPN

    assert len(tables.outbox("PaymentCompleted")) == 1
    assert tables.balances() == {f"buyer:{buyer.id}": -TOTAL, f"escrow:{order_id}": TOTAL}
    for party in (buyer, farmer):
        code, seen = status(run, party, payment["payment_id"])
        assert code == 200 and seen["status"] == "completed" and seen["escrow"] == "held"
        assert [(h["status"], h["note"]) for h in seen["history"]][:2] == [
            ("pending", "recorded before submission"),  # record first, then call the provider
            ("pending", "submitted"),
        ]
        assert [h["status"] for h in seen["history"]][2:] == ["completed"]
    assert status(run, new_user("buyer"), payment["payment_id"])[0] == 404
    detail = json.loads(tables.outbox("PaymentCompleted")[0]["detail"])
    assert detail["buyer_id"] == buyer.id and detail["amount_ugx"] == TOTAL

    # The market shows it on the order (its own consumer of the payment event), once, never backwards.
    deliver(run, "MarketPaymentsConsumerFunction", tables.outbox("PaymentCompleted"))
    assert tables.order(order_id)["payment_status"] == "paid (escrow)"
    late_failure = [
        {
            **tables.outbox("PaymentCompleted")[0],
            "detail_type": "PaymentFailed",
            "detail": json.dumps({**detail, "event_id": "01JD00000000000000000000ZZ", "reason": "x"}),
        }
    ]
    deliver(run, "MarketPaymentsConsumerFunction", late_failure)
    assert tables.order(order_id)["payment_status"] == "paid (escrow)"


def test_an_underpayment_or_a_failure_is_not_paid_and_a_new_attempt_may_follow(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    _, first = initiate(run, buyer, order_id)
    server.post(f"/pesapal/{first['order_tracking_id']}/complete", {"amount": TOTAL - 1})
    assert status(run, buyer, first["payment_id"])[1]["status"] == "failed"
    assert len(tables.outbox("PaymentFailed")) == 1 and tables.balances() == {}

    code, second = initiate(run, buyer, order_id)
    assert code == 201 and second["merchant_reference"] != first["merchant_reference"]
    server.post(f"/pesapal/{second['order_tracking_id']}/complete")
    assert status(run, buyer, second["payment_id"])[1]["status"] == "completed"
    code, again = initiate(run, buyer, order_id)
    assert (code, again["error"]["code"]) == (409, "ORDER_ALREADY_PAID")


def test_concurrent_initiates_for_one_order_create_one_live_attempt(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda n: initiate(run, buyer, order_id, key=f"attempt-key-{n}"), range(6)))
    codes = sorted(code for code, _ in results)
    assert codes == [201, 409, 409, 409, 409, 409], results
    assert {body["error"]["code"] for code, body in results if code == 409} == {"PAYMENT_IN_PROGRESS"}
    payments = [i for i in tables.all_payments_items() if str(i["pk"]).startswith("PAYMENT#")]
    assert len(payments) == 1
    # The same Idempotency-Key again returns the first attempt, not a 409.
    winner = next(n for n, (code, _) in enumerate(results) if code == 201)
    assert initiate(run, buyer, order_id, key=f"attempt-key-{winner}") == results[winner]


def test_who_may_initiate(run: Invoke, server: SandboxServer, tables: Tables) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    pending = tables.put_order(buyer, farmer, TOTAL, status="pending")
    assert initiate(run, buyer, pending)[1]["error"]["code"] == "ORDER_NOT_PAYABLE"
    confirmed = tables.put_order(buyer, farmer, TOTAL)
    assert initiate(run, farmer, confirmed)[0] == 403
    assert initiate(run, new_user("buyer"), confirmed)[0] == 404
    bad = http_event(
        "PaymentsInitiateFunction",
        "POST",
        "/payments/initiate",
        body={"order_id": confirmed, "phone": "12"},
        context=buyer.context,
    )
    assert run("PaymentsInitiateFunction", bad)["statusCode"] == 422
    assert tables.all_payments_items() == [] or not any(
        str(i["pk"]).startswith("PAYMENT#") for i in tables.all_payments_items()
    )


def test_payouts_and_refunds_balance_the_ledger(run: Invoke, server: SandboxServer, tables: Tables) -> None:
    def balanced() -> dict[str, int]:
        balances = tables.balances()
        assert sum(balances.values()) == 0, balances
        return balances

    _, farmer, delivered, _ = paid_order(run, server, tables)
    balanced()
    completed = {
        "source": "soko.orders",
        "detail_type": "OrderCompleted",
        "detail": json.dumps(
            {
                "schema_version": 1,
                "event_id": "01JD0000000000000000000C01",
                "occurred_at": "2026-11-21T09:30:00Z",
                **order_detail(delivered, completed_at="2026-11-21T09:30:00Z"),
            }
        ),
    }
    deliver(run, "PaymentsOrderEventsConsumerFunction", [completed])
    deliver(run, "PaymentsOrderEventsConsumerFunction", [completed])  # redelivered: no second payout
    [scheduled] = tables.outbox("PayoutScheduled")
    payout = json.loads(scheduled["detail"])
    assert (payout["gross_ugx"], payout["fee_ugx"], payout["net_ugx"]) == (TOTAL, 6_000, 114_000)
    assert balanced()[f"escrow:{delivered}"] == 0

    summary = run("PaymentsSettlementFunction", {})
    assert (summary["settled"], summary["settled_ugx"]) == (1, 114_000)
    [sent] = tables.outbox("PayoutSent")
    assert json.loads(sent["detail"])["net_ugx"] == 114_000
    assert run("PaymentsSettlementFunction", {})["settled"] == 0
    after = balanced()
    assert after[f"farmer:{farmer.id}"] == 0 and after[f"settled:{farmer.id}"] == 114_000
    assert after["platform:fees"] == 6_000

    # A paid order that is cancelled: a full refund, once, at the provider too.
    buyer2, _, cancelled, payment2 = paid_order(run, server, tables, total=50_001)
    cancel = {
        "source": "soko.orders",
        "detail_type": "OrderCancelled",
        "detail": json.dumps(
            {
                "schema_version": 1,
                "event_id": "01JD0000000000000000000C02",
                "occurred_at": "2026-11-21T09:30:00Z",
                **order_detail(cancelled),
            }
        ),
    }
    deliver(run, "PaymentsOrderEventsConsumerFunction", [cancel])
    deliver(
        run,
        "PaymentsOrderEventsConsumerFunction",
        [{**cancel, "detail": cancel["detail"].replace("C02", "C03")}],
    )
    final = balanced()
    assert final[f"escrow:{cancelled}"] == 0 and final[f"buyer:{buyer2.id}"] == 0
    assert len(tables.outbox("RefundRequested")) == 1
    refunds = server.sandbox.payments.pesapal.refunds
    assert len(refunds) == 1 and float(refunds[0]["amount"]) == 50_001
    assert status(run, buyer2, payment2["payment_id"])[1]["escrow"] == "refunded"
    # A refunded order's payout never happens; a paid-out order's refund never happens.
    deliver(
        run,
        "PaymentsOrderEventsConsumerFunction",
        [{**completed, "detail": completed["detail"].replace(delivered, cancelled).replace("C01", "C04")}],
    )
    deliver(
        run,
        "PaymentsOrderEventsConsumerFunction",
        [{**cancel, "detail": cancel["detail"].replace(cancelled, delivered).replace("C02", "C05")}],
    )
    assert balanced() == final and len(tables.outbox("PayoutScheduled")) == 1


def test_reconciliation_applies_what_an_ipn_missed_and_flags_mismatches(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    _, payment = initiate(run, buyer, order_id)
    tx = server.sandbox.payments.pesapal.transactions[payment["order_tracking_id"]]
    tx.update(status_code=1, confirmation_code="LOST-IPN")  # paid, but the IPN never came

    summary = run("PaymentsReconciliationFunction", {})
    assert (summary["checked"], summary["changed"], summary["mismatches"]) == (1, 1, 0)
    assert status(run, buyer, payment["payment_id"])[1]["status"] == "completed"

    tx.update(status_code=2)  # the provider now disagrees with a payment we credited
    summary = run("PaymentsReconciliationFunction", {})
    assert summary["mismatches"] == 1
    assert status(run, buyer, payment["payment_id"])[1]["status"] == "completed"


def test_a_completed_status_for_another_amount_or_reference_is_not_paid(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    _, other = initiate(run, buyer, tables.put_order(buyer, farmer, TOTAL))
    server.sandbox.payments.pesapal.transactions[other["order_tracking_id"]].update(
        status_code=1, merchant_reference="SOMEONE-ELSE", confirmation_code="X1"
    )
    assert ipn(run, other["order_tracking_id"])[1]["status"] == 200
    assert status(run, buyer, other["payment_id"])[1]["status"] == "pending"

    short_order = tables.put_order(buyer, farmer, TOTAL)
    _, short = initiate(run, buyer, short_order)
    server.sandbox.payments.pesapal.transactions[short["order_tracking_id"]].update(
        status_code=1, amount=TOTAL - 1000, confirmation_code="X2"
    )
    assert ipn(run, short["order_tracking_id"])[1]["status"] == 200
    seen = status(run, buyer, short["payment_id"])[1]
    assert seen["status"] == "disputed" and seen["escrow"] == "none"
    assert seen["history"][-1]["note"] == f"provider collected {TOTAL - 1000} UGX"
    assert tables.balances() == {}  # nothing credited to escrow
    assert [m["note"] for m in tables.mismatches()] == [
        f"amount or currency mismatch: {seen['history'][-1]['note']}"
    ]
    # The provider holds the buyer's money: no second attempt until an operator settles it.
    code, reply = initiate(run, buyer, short_order)
    assert (code, reply["error"]["code"]) == (409, "PAYMENT_IN_PROGRESS")

    # An amount PesaPal writes as a decimal string is the same amount.
    _, exact = initiate(run, buyer, tables.put_order(buyer, farmer, TOTAL))
    server.sandbox.payments.pesapal.transactions[exact["order_tracking_id"]].update(
        status_code=1, amount=f"{TOTAL}.00", confirmation_code="X3"
    )
    assert ipn(run, exact["order_tracking_id"])[1]["status"] == 200
    assert status(run, buyer, exact["payment_id"])[1]["status"] == "completed"


def _outage(server: SandboxServer, operation: str) -> Callable[[], None]:
    """PesaPal's ``operation`` answers like a failing gateway (HTML, 502) until the returned undo."""
    dispatch = server.sandbox.payments.dispatch

    def broken(request: Request, path: str) -> Response | None:
        if operation in path:
            return Response("<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html")
        return dispatch(request, path)

    server.sandbox.payments.dispatch = broken  # type: ignore[method-assign]
    return lambda: setattr(server.sandbox.payments, "dispatch", dispatch)


def test_a_provider_outage_is_never_a_5xx_and_never_blocks_the_order(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)

    undo = _outage(server, "SubmitOrderRequest")
    code, reply = initiate(run, buyer, order_id)
    assert (code, reply["error"]["code"]) == (503, "PAYMENT_PROVIDER_UNAVAILABLE")
    undo()
    code, payment = initiate(run, buyer, order_id)  # the failed attempt did not keep the order
    assert code == 201, payment

    undo = _outage(server, "GetTransactionStatus")
    assert ipn(run, payment["order_tracking_id"]) == (
        200,
        {
            "orderNotificationType": "IPNCHANGE",
            "orderTrackingId": payment["order_tracking_id"],
            "orderMerchantReference": "",
            "status": 500,  # PesaPal will send it again
        },
    )
    code, again = initiate(run, buyer, order_id)  # the live attempt cannot be checked: it stays live
    assert (code, again["error"]["code"]) == (409, "PAYMENT_IN_PROGRESS")
    assert run("PaymentsReconciliationFunction", {})["errors"] >= 1
    undo()
    done = server.post(f"/pesapal/{payment['order_tracking_id']}/complete")
    assert json.loads(done["ipn"]["body"])["status"] == 200
    assert status(run, buyer, payment["payment_id"])[1]["status"] == "completed"


@pytest.mark.parametrize(("ended", "expected"), [("rejected", "refunded"), ("completed", "released")])
def test_a_payment_completing_after_its_order_ended_is_refunded_or_paid_out(
    run: Invoke, server: SandboxServer, tables: Tables, ended: str, expected: str
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    code, payment = initiate(run, buyer, order_id)
    assert code == 201, payment
    # The farmer ends the order while the buyer is still confirming on the handset: the order
    # event finds nothing paid yet.
    tables.set_order_status(order_id, ended)
    detail_type = "OrderRejected" if ended == "rejected" else "OrderCompleted"
    event = {
        "source": "soko.orders",
        "detail_type": detail_type,
        "detail": json.dumps(
            {
                "schema_version": 1,
                "event_id": f"01JD00000000000000000{ended[:5].upper()}",
                "occurred_at": "2026-11-21T09:30:00Z",
                **order_detail(order_id, completed_at="2026-11-21T09:30:00Z"),
            }
        ),
    }
    deliver(run, "PaymentsOrderEventsConsumerFunction", [event])
    assert tables.balances() == {}

    done = server.post(f"/pesapal/{payment['order_tracking_id']}/complete")
    assert json.loads(done["ipn"]["body"])["status"] == 200

    seen = status(run, buyer, payment["payment_id"])[1]
    assert (seen["status"], seen["escrow"]) == ("completed", expected)
    balances = tables.balances()
    assert sum(balances.values()) == 0 and balances[f"escrow:{order_id}"] == 0
    if ended == "rejected":
        assert len(server.sandbox.payments.pesapal.refunds) == 1 and balances[f"buyer:{buyer.id}"] == 0
        assert len(tables.outbox("RefundRequested")) == 1
    else:
        assert len(tables.outbox("PayoutScheduled")) == 1 and balances[f"farmer:{farmer.id}"] > 0
    deliver(run, "PaymentsOrderEventsConsumerFunction", [event])  # late redelivery: nothing twice
    assert tables.balances() == balances


def test_an_event_off_its_producers_contract_fails_alone_and_moves_no_money(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    _, _, delivered, _ = paid_order(run, server, tables)
    balances = tables.balances()

    def order_event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        full = {"schema_version": 1, "event_id": uuid.uuid4().hex, "occurred_at": "2026-11-21T09:30:00Z"}
        return {"source": "soko.orders", "detail_type": detail_type, "detail": json.dumps({**full, **detail})}

    good = order_event("OrderPlaced", order_detail(delivered))  # not one payments acts on
    no_total = order_event(
        "OrderCompleted", {k: v for k, v in order_detail(delivered).items() if k != "total_ugx"}
    )
    wrong_type = order_event("OrderCancelled", order_detail(delivered, quantity_kg="lots"))
    batch = sqs_event([good, no_total, wrong_type])
    result = run("PaymentsOrderEventsConsumerFunction", batch)
    failed = [r["messageId"] for r in batch["Records"][1:]]
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == sorted(failed)  # to the DLQ
    assert tables.balances() == balances and tables.outbox("PayoutScheduled") == []


def test_a_payment_event_off_its_contract_leaves_the_order_as_it_was(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    failed_order, broken_order = (
        tables.put_order(buyer, farmer, TOTAL),
        tables.put_order(buyer, farmer, TOTAL),
    )
    payment = {
        "schema_version": 1,
        "payment_id": "P1",
        "buyer_id": buyer.id,
        "farmer_id": farmer.id,
        "amount_ugx": TOTAL,
        "currency": "UGX",
        "provider": "pesapal",
    }
    failed = {**payment, "event_id": uuid.uuid4().hex, "order_id": failed_order, "reason": "declined"}
    broken = {
        "schema_version": 1,
        "event_id": uuid.uuid4().hex,
        "order_id": broken_order,
        "amount_ugx": TOTAL,
    }
    batch = sqs_event(
        [
            {"source": "soko.payments", "detail_type": "PaymentFailed", "detail": json.dumps(failed)},
            {"source": "soko.payments", "detail_type": "PaymentCompleted", "detail": json.dumps(broken)},
        ]
    )
    result = run("MarketPaymentsConsumerFunction", batch)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [batch["Records"][1]["messageId"]]
    assert tables.order(failed_order)["payment_status"] == "payment failed"
    assert tables.order(broken_order)["payment_status"] == "unpaid"
