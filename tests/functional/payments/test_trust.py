"""Issue 14's money, through the template's functions against the sandbox providers: disputes
freeze and resolve the escrow (the dispute consumer), refunds are recorded before the provider is
called and never submitted twice, a MoMo request-to-pay that timed out after MoMo accepted it is
reconciled, attempts expire by their timer, and the admin endpoints (mismatches, resolve, ledger)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from payments_support import sqs_event
from test_payments import TOTAL, deliver, initiate, ipn, paid_order, status

from soko.shared import clock
from soko_local import timers as local_timers
from soko_local.provision import Deployment
from support import events
from support.events import order_detail
from support.gateway import http_event
from support.lambda_env import Invoke, make_invoker
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user

ADMIN = User("01JD00000000000000000ADMIN", "admin")


def order_event(detail_type: str, order_id: str, **fields: Any) -> dict[str, Any]:
    detail = {
        "schema_version": 1,
        "event_id": uuid.uuid4().hex,
        "occurred_at": "2026-11-21T09:30:00Z",
        **order_detail(order_id, **fields),
    }
    return {"source": "soko.orders", "detail_type": detail_type, "detail": json.dumps(detail)}


def disputed(order_id: str, dispute_id: str = "D1") -> dict[str, Any]:
    return order_event(
        "OrderDisputed",
        order_id,
        dispute_id=dispute_id,
        reason="not as described",
        details="wet maize",
        opened_at="2026-11-21T09:30:00Z",
    )


def resolved(order_id: str, outcome: str, to_buyer: int, total: int = TOTAL, **extra: Any) -> dict[str, Any]:
    detail = {
        "schema_version": 1,
        "event_id": uuid.uuid4().hex,
        "occurred_at": "2026-11-22T09:30:00Z",
        "dispute_id": "D1",
        "order_id": order_id,
        "buyer_id": "B1",
        "farmer_id": "F1",
        "outcome": outcome,
        "total_ugx": total,
        "buyer_amount_ugx": to_buyer,
        "farmer_amount_ugx": total - to_buyer,
        "reason": "a third was wet",
        "resolved_by": ADMIN.id,
        "resolved_at": "2026-11-22T09:30:00Z",
        **extra,
    }
    return {"source": "soko.disputes", "detail_type": "DisputeResolved", "detail": json.dumps(detail)}


def balanced(tables: Tables) -> dict[str, int]:
    balances = tables.balances()
    assert sum(balances.values()) == 0, balances
    return balances


def call(run: Invoke, function: str, method: str, path: str, user: User, **kw: Any) -> tuple[int, Any]:
    result = run(function, http_event(function, method, path, context=user.context, **kw))
    return result["statusCode"], json.loads(result["body"]) if result.get("body") else None


def underpaid(run: Invoke, server: SandboxServer, tables: Tables) -> tuple[User, str, dict[str, Any]]:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    _, payment = initiate(run, buyer, order_id)
    server.sandbox.payments.pesapal.transactions[payment["order_tracking_id"]].update(
        status_code=1, amount=TOTAL + 500, confirmation_code=f"OVER{order_id[-6:]}"
    )  # PesaPal collected 500 more than asked
    assert ipn(run, payment["order_tracking_id"])[1]["status"] == 200
    assert status(run, buyer, payment["payment_id"])[1]["status"] == "disputed"
    return buyer, order_id, payment


# ---------------------------------------------------------------------------- disputes
def test_a_dispute_freezes_the_escrow_and_a_split_resolves_it_once(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, 100_001)
    _, payment = initiate(run, buyer, order_id)
    server.post(f"/pesapal/{payment['order_tracking_id']}/complete", {"payment_method": "Visa"})  # a card

    deliver(run, "PaymentsOrderEventsConsumerFunction", [disputed(order_id)])
    assert status(run, buyer, payment["payment_id"])[1]["escrow"] == "frozen"
    completed = order_event("OrderCompleted", order_id, completed_at="2026-11-21T10:00:00Z")
    deliver(run, "PaymentsOrderEventsConsumerFunction", [completed])
    assert tables.outbox("PayoutScheduled") == []  # a frozen escrow is never paid out

    split = resolved(order_id, "split", 49_991, total=100_001)
    deliver(run, "PaymentsDisputeEventsConsumerFunction", [split])
    deliver(run, "PaymentsDisputeEventsConsumerFunction", [split])  # redelivered
    replay = resolved(order_id, "split", 49_991, total=100_001)  # the same resolution, another event id
    deliver(run, "PaymentsDisputeEventsConsumerFunction", [replay])

    seen = status(run, buyer, payment["payment_id"])[1]
    assert seen["escrow"] == "split"
    [scheduled] = tables.outbox("PayoutScheduled")
    payout = json.loads(scheduled["detail"])
    assert (payout["gross_ugx"], payout["fee_ugx"], payout["net_ugx"]) == (50_010, 2_501, 47_509)  # half up
    refunds = server.sandbox.payments.pesapal.refunds
    assert len(refunds) == 1 and float(refunds[0]["amount"]) == 49_991
    assert tables.refund(payment["payment_id"])["status"] == "submitted"
    balances = balanced(tables)
    assert balances[f"escrow:{order_id}"] == 0 and balances[f"refund:{payment['payment_id']}"] == 0
    assert balances[f"buyer:{buyer.id}"] == -50_010 and balances["platform:fees"] == 2_501


@pytest.mark.parametrize(("outcome", "to_buyer"), [("release", 0), ("refund", TOTAL)])
def test_release_and_refund_leave_the_ledger_at_zero(
    run: Invoke, server: SandboxServer, tables: Tables, outcome: str, to_buyer: int
) -> None:
    buyer, farmer, order_id, _ = paid_order(run, server, tables)
    deliver(run, "PaymentsOrderEventsConsumerFunction", [disputed(order_id)])
    deliver(run, "PaymentsDisputeEventsConsumerFunction", [resolved(order_id, outcome, to_buyer)])
    deliver(run, "PaymentsDisputeEventsConsumerFunction", [resolved(order_id, outcome, to_buyer)])
    balances = balanced(tables)
    assert balances[f"escrow:{order_id}"] == 0
    if outcome == "refund":
        assert balances[f"buyer:{buyer.id}"] == 0 and len(server.sandbox.payments.pesapal.refunds) == 1
        assert tables.outbox("PayoutScheduled") == []
    else:
        assert balances[f"farmer:{farmer.id}"] == 114_000 and server.sandbox.payments.pesapal.refunds == []
        assert len(tables.outbox("PayoutScheduled")) == 1


def test_a_resolution_off_its_contract_fails_alone(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    _, _, order_id, _ = paid_order(run, server, tables)
    good = resolved(order_id, "release", 0)
    wrong_sum = resolved(order_id, "split", 10, farmer_amount_ugx=5)  # the parts do not add up
    batch = sqs_event([wrong_sum, good])
    result = run("PaymentsDisputeEventsConsumerFunction", batch)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [batch["Records"][0]["messageId"]]
    assert len(tables.outbox("PayoutScheduled")) == 1 and balanced(tables)[f"escrow:{order_id}"] == 0


def test_a_mobile_money_split_the_provider_refuses_opens_a_case(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, _, order_id, payment = paid_order(run, server, tables)  # mobile money: refunds in full only
    deliver(run, "PaymentsOrderEventsConsumerFunction", [disputed(order_id)])
    deliver(run, "PaymentsDisputeEventsConsumerFunction", [resolved(order_id, "split", 20_000)])
    assert tables.refund(payment["payment_id"])["status"] == "refused"
    assert balanced(tables)[f"refund:{payment['payment_id']}"] == 20_000
    code, page = call(run, "PaymentsAdminMismatchesFunction", "GET", "/admin/payments/mismatches", ADMIN)
    assert code == 200 and [(c["payment_id"], c["kind"]) for c in page["items"]] == [
        (payment["payment_id"], "refund_refused")
    ]
    path = f"/admin/payments/{payment['payment_id']}/resolve"
    code, done = call(
        run,
        "PaymentsAdminResolveFunction",
        "POST",
        path,
        ADMIN,
        params={"id": payment["payment_id"]},
        body={"action": "accept", "reason": "refunded by MoMo disbursement"},
    )
    assert code == 200 and done["refund_status"] == "settled_outside", done
    assert balanced(tables)[f"buyer:{buyer.id}"] == -100_000


# ---------------------------------------------------------------------------- refunds, record first
def test_a_refund_whose_answer_was_lost_reaches_the_provider_once(
    run: Invoke, server: SandboxServer, tables: Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    buyer, _, order_id, payment = paid_order(run, server, tables)
    server.post("/pesapal/_faults", {"refund": "lost_answer"})  # PesaPal accepts; its answer is lost
    deliver(run, "PaymentsOrderEventsConsumerFunction", [order_event("OrderCancelled", order_id)])
    refund = tables.refund(payment["payment_id"])
    assert (refund["status"], int(refund["attempts"])) == ("requested", 1)
    assert balanced(tables)[f"refund:{payment['payment_id']}"] == TOTAL  # recorded before the call

    moment = clock.now() + timedelta(minutes=5)
    monkeypatch.setattr(clock, "now", lambda: moment)
    summary = run("PaymentsReconciliationFunction", {})
    assert summary["refunds"] == 1 and summary["errors"] == 0
    assert len(server.sandbox.payments.pesapal.refunds) == 1  # asked again, answered "already requested"
    refund = tables.refund(payment["payment_id"])
    assert (refund["status"], int(refund["attempts"])) == ("submitted", 2)
    assert balanced(tables)[f"buyer:{buyer.id}"] == 0
    assert run("PaymentsReconciliationFunction", {})["refunds"] == 0


# ---------------------------------------------------------------------------- MoMo: record first
@pytest.fixture
def momo(server: SandboxServer, deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """The template's functions with PaymentProvider=momo, against the sandbox MoMo."""
    return make_invoker(
        deployment,
        overrides=lambda: {**server.provider_urls(), "PAYMENT_PROVIDER": "momo"},
        setenv=monkeypatch.setenv,
    )


def test_a_request_to_pay_that_timed_out_after_momo_accepted_it_is_reconciled(
    momo: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    server.post("/momo/_faults", {"requesttopay": "timeout_after_accept"})
    code, payment = initiate(momo, buyer, order_id)
    assert code == 201, payment  # read back: MoMo has it, the prompt is on the handset
    reference = payment["order_tracking_id"]
    assert reference in server.sandbox.payments.momo.requests
    assert [h["note"] for h in payment["history"]][:2] == [
        "recorded before submission",
        "accepted (its answer was lost; status read back)",
    ]
    server.post(f"/momo/{reference}/complete")  # no callback URL: nothing tells us
    summary = momo("PaymentsReconciliationFunction", {})
    assert summary["changed"] == 1
    assert status(momo, buyer, payment["payment_id"])[1]["status"] == "completed"
    assert balanced(tables)[f"escrow:{order_id}"] == TOTAL


def test_momo_cannot_refund_so_the_refund_waits_for_an_admin(
    momo: Invoke, server: SandboxServer, tables: Tables
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    _, payment = initiate(momo, buyer, order_id)
    server.post(f"/momo/{payment['order_tracking_id']}/complete")
    momo("PaymentsReconciliationFunction", {})
    deliver(momo, "PaymentsOrderEventsConsumerFunction", [order_event("OrderRejected", order_id)])
    assert tables.refund(payment["payment_id"])["status"] == "refused"
    [case] = tables.mismatches()
    assert case["kind"] == "refund_refused" and case["status"] == "open"
    assert balanced(tables)[f"refund:{payment['payment_id']}"] == TOTAL


# ---------------------------------------------------------------------------- attempts expire
@pytest.fixture
def fire(deployment: Deployment) -> Iterator[Any]:
    def client(service: str) -> Any:
        return boto3.client(service, region_name="us-east-1")

    def fire_at(moment: datetime) -> dict[str, Any]:
        """Fire the payments timers due at ``moment``; the timer queue's messages as an SQS batch."""
        local_timers.fire_due(client, list(deployment.schedule_groups.values()), moment)
        url = deployment.physical["PaymentTimerQueue"]
        got = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return {
            "Records": [
                {**events.sqs_event({})["Records"][0], "messageId": m["MessageId"], "body": m["Body"]}
                for m in got
            ]
        }

    yield fire_at


def test_an_attempt_expires_by_its_timer_and_late_money_is_still_honoured(
    run: Invoke, server: SandboxServer, tables: Tables, fire: Any
) -> None:
    buyer, farmer = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, farmer, TOTAL)
    _, first = initiate(run, buyer, order_id)
    now = datetime.now(UTC)
    assert fire(now + timedelta(minutes=29))["Records"] == []  # PaymentAttemptTtlMinutes: 30
    batch = fire(now + timedelta(minutes=31))
    assert [json.loads(r["body"])["subject"] for r in batch["Records"]] == [first["payment_id"]]
    result = run("PaymentsAttemptTimersConsumerFunction", batch)
    assert result["batchItemFailures"] == []
    assert run("PaymentsAttemptTimersConsumerFunction", batch)["batchItemFailures"] == []  # twice: no-op
    assert status(run, buyer, first["payment_id"])[1]["status"] == "expired"
    assert len(tables.outbox("PaymentExpired")) == 1

    code, second = initiate(run, buyer, order_id)  # the buyer tries again
    assert code == 201, second
    server.post(f"/pesapal/{first['order_tracking_id']}/complete")  # the first one's money arrives late
    late = status(run, buyer, first["payment_id"])[1]
    assert (late["status"], late["escrow"]) == ("completed", "refunded")  # another attempt holds the order
    assert len(server.sandbox.payments.pesapal.refunds) == 1
    server.post(f"/pesapal/{second['order_tracking_id']}/complete")
    assert status(run, buyer, second["payment_id"])[1]["escrow"] == "held"
    balances = balanced(tables)
    assert balances[f"escrow:{order_id}"] == TOTAL and balances[f"buyer:{buyer.id}"] == -TOTAL


def test_a_timer_message_that_is_not_ours_fails_alone(
    run: Invoke, server: SandboxServer, tables: Tables
) -> None:
    good = {"timer": "payment.X.expire", "kind": "payment.expire", "subject": "NO-SUCH-PAYMENT"}
    batch = events.sqs_event(good, {"timer": "t", "kind": "order.expire", "subject": "O1"}, {"junk": True})
    result = run("PaymentsAttemptTimersConsumerFunction", batch)
    assert sorted(f["itemIdentifier"] for f in result["batchItemFailures"]) == sorted(
        r["messageId"] for r in batch["Records"][1:]
    )


# ---------------------------------------------------------------------------- admin endpoints
def test_the_admin_endpoints_are_for_admins_only(run: Invoke, server: SandboxServer, tables: Tables) -> None:
    _, _, payment = underpaid(run, server, tables)
    for user in (new_user("buyer"), new_user("farmer"), new_user("both")):
        assert (
            call(run, "PaymentsAdminMismatchesFunction", "GET", "/admin/payments/mismatches", user)[0] == 403
        )
        assert (
            call(
                run,
                "PaymentsAdminResolveFunction",
                "POST",
                f"/admin/payments/{payment['payment_id']}/resolve",
                user,
                params={"id": payment["payment_id"]},
                body={"action": "refund", "reason": "I want it back"},
            )[0]
            == 403
        )
        code, _ = call(
            run,
            "PaymentsAdminLedgerFunction",
            "GET",
            "/admin/ledger/platform:fees",
            user,
            params={"account": "platform:fees"},
        )
        assert code == 403
    assert server.sandbox.payments.pesapal.refunds == [] and tables.outbox("AdminActionTaken") == []


def test_an_admin_lists_and_resolves_a_mismatch(run: Invoke, server: SandboxServer, tables: Tables) -> None:
    cases = [underpaid(run, server, tables) for _ in range(3)]
    code, first = call(
        run,
        "PaymentsAdminMismatchesFunction",
        "GET",
        "/admin/payments/mismatches",
        ADMIN,
        query={"limit": "2"},
    )
    assert code == 200 and len(first["items"]) == 2 and first["next_cursor"]
    code, rest = call(
        run,
        "PaymentsAdminMismatchesFunction",
        "GET",
        "/admin/payments/mismatches",
        ADMIN,
        query={"limit": "2", "cursor": first["next_cursor"]},
    )
    assert code == 200 and len(rest["items"]) == 1 and rest["next_cursor"] is None
    listed = {c["payment_id"] for c in [*first["items"], *rest["items"]]}
    assert listed == {p["payment_id"] for _, _, p in cases}
    bad = call(
        run,
        "PaymentsAdminMismatchesFunction",
        "GET",
        "/admin/payments/mismatches",
        ADMIN,
        query={"cursor": "x"},
    )
    assert bad[0] == 400 and bad[1]["error"]["code"] == "INVALID_CURSOR"

    buyer, _, payment = cases[0]

    def resolve(body: Any, payment_id: str = payment["payment_id"]) -> tuple[int, Any]:
        path = f"/admin/payments/{payment_id}/resolve"
        return call(
            run, "PaymentsAdminResolveFunction", "POST", path, ADMIN, params={"id": payment_id}, body=body
        )

    for wrong in (
        {"action": "refund"},  # no reason
        {"action": "refund", "reason": ""},
        {"action": "refund", "reason": "x" * 501},
        {"action": "cancel", "reason": "because"},
        {"action": "refund", "reason": "because", "amount": 5},
    ):
        assert resolve(wrong)[0] == 422, wrong
    assert resolve({"action": "refund", "reason": "because"}, payment_id="NO-SUCH-PAYMENT")[0] == 404

    code, done = resolve({"action": "refund", "reason": "the buyer paid 500 too much"})
    assert code == 200, done
    assert done["case"]["status"] == "resolved" and done["refund_status"] == "submitted"
    assert float(server.sandbox.payments.pesapal.refunds[0]["amount"]) == TOTAL + 500  # what it collected
    code, again = resolve({"action": "accept", "reason": "changed my mind"})
    assert (code, again["error"]["code"]) == (409, "NO_OPEN_MISMATCH")
    [action] = tables.outbox("AdminActionTaken")
    detail = json.loads(action["detail"])
    assert (detail["action"], detail["target_id"], detail["admin_id"]) == (
        "payment.mismatch.refund",
        payment["payment_id"],
        ADMIN.id,
    )
    assert detail["reason"] == "the buyer paid 500 too much"

    _, other_order, other = cases[1]
    code, accepted = call(
        run,
        "PaymentsAdminResolveFunction",
        "POST",
        f"/admin/payments/{other['payment_id']}/resolve",
        ADMIN,
        params={"id": other["payment_id"]},
        body={"action": "accept", "reason": "the buyer rounded up; the farmer keeps it"},
    )
    assert code == 200 and accepted["payment"]["status"] == "completed", accepted
    assert accepted["payment"]["amount_ugx"] == TOTAL + 500
    balances = balanced(tables)
    assert balances[f"escrow:{other_order}"] == TOTAL + 500 and balances[f"buyer:{buyer.id}"] == 0

    # The ledger of an account, paged, with its balance.
    account = f"buyer:{buyer.id}"
    code, ledger = call(
        run,
        "PaymentsAdminLedgerFunction",
        "GET",
        f"/admin/ledger/{account}",
        ADMIN,
        params={"account": account},
        query={"limit": "1"},
    )
    assert code == 200 and ledger["balance"] == 0 and len(ledger["items"]) == 1 and ledger["next_cursor"]
    code, more = call(
        run,
        "PaymentsAdminLedgerFunction",
        "GET",
        f"/admin/ledger/{account}",
        ADMIN,
        params={"account": account},
        query={"limit": "1", "cursor": ledger["next_cursor"]},
    )
    assert code == 200 and {ledger["items"][0]["kind"], more["items"][0]["kind"]} == {"collected", "refunded"}
    for bad_account, expected in (("bank:1", 422), ("escrow:NO-SUCH-ORDER", 404), ("escrow%3A", 422)):
        code, body = call(
            run,
            "PaymentsAdminLedgerFunction",
            "GET",
            f"/admin/ledger/{bad_account}",
            ADMIN,
            params={"account": bad_account},
        )
        assert code == expected, (bad_account, body)
    wrong_list = call(
        run,
        "PaymentsAdminLedgerFunction",
        "GET",
        f"/admin/ledger/{account}",
        ADMIN,
        params={"account": account},
        query={"cursor": first["next_cursor"]},  # a cursor of another list
    )
    assert wrong_list[0] == 400


def test_resolving_needs_an_open_case(run: Invoke, server: SandboxServer, tables: Tables) -> None:
    _, _, _, payment = paid_order(run, server, tables)
    code, body = call(
        run,
        "PaymentsAdminResolveFunction",
        "POST",
        f"/admin/payments/{payment['payment_id']}/resolve",
        ADMIN,
        params={"id": payment["payment_id"]},
        body={"action": "accept", "reason": "nothing to see"},
    )
    assert (code, body["error"]["code"]) == (409, "NO_OPEN_MISMATCH")
