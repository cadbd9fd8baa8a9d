"""A cooperative's pooled order paid out to its members and the coop's fee (issue 18), through the
template's functions against moto and the sandbox PesaPal: OrderCompleted (and a dispute's split)
schedules one payout per member and one for the coop's fee instead of the farmer's, every shilling
accounted in the ledger, the settlement batch pays each, and a split not recorded yet is retried.

The coop's read (``soko.coops.public.CoopReads.payout_split``) is the coops part's; here a test
double answers it from ``SPLITS``."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from payments_support import sqs_event

from soko.coops.public import CoopReads, MemberShare, PayoutSplit
from support.events import order_detail
from support.gateway import http_event
from support.lambda_env import Invoke
from support.payments import Tables
from support.sandbox import SandboxServer
from support.users import User, new_user

COMMISSION = Decimal(5)  # the template's CommissionPercent (the local default)


@pytest.fixture
def splits(monkeypatch: pytest.MonkeyPatch) -> dict[str, PayoutSplit]:
    """The test double of the coops' read: order id -> its split (absent: not allocated yet)."""
    known: dict[str, PayoutSplit] = {}
    asked: list[str] = []

    def payout_split(self: CoopReads, order_id: str) -> PayoutSplit | None:
        assert self.table_name, "COOPS_TABLE_NAME is set for the function"
        asked.append(order_id)
        return known.get(order_id)

    monkeypatch.setattr(CoopReads, "payout_split", payout_split)
    return known


def pooled_paid_order(
    run: Invoke, server: SandboxServer, tables: Tables, total: int, coop_id: str | None = "COOP1"
) -> tuple[User, User, str, dict[str, Any]]:
    buyer, manager = new_user("buyer"), new_user("farmer")
    order_id = tables.put_order(buyer, manager, total)
    if coop_id:
        boto3.resource("dynamodb", region_name="us-east-1").Table(tables.market_name).update_item(
            Key={"pk": f"ORDER#{order_id}", "sk": "ORDER"},
            UpdateExpression="SET coop_id = :c",
            ExpressionAttributeValues={":c": coop_id},
        )
    event = http_event(
        "PaymentsInitiateFunction",
        "POST",
        "/payments/initiate",
        body={"order_id": order_id, "phone": "0772123456"},
        context=buyer.context,
    )
    result = run("PaymentsInitiateFunction", event)
    assert result["statusCode"] == 201, result
    payment = json.loads(result["body"])
    done = server.post(f"/pesapal/{payment['order_tracking_id']}/complete")
    assert done["ipn"]["status"] == 200, done
    return buyer, manager, order_id, payment


def completed_event(order_id: str) -> dict[str, Any]:
    detail = {
        "schema_version": 1,
        "event_id": uuid.uuid4().hex,
        "occurred_at": "2026-12-03T09:30:00Z",
        **order_detail(order_id, completed_at="2026-12-03T09:30:00Z"),
    }
    return {"source": "soko.orders", "detail_type": "OrderCompleted", "detail": json.dumps(detail)}


def split_of(
    order_id: str, manager: User, fee_percent: str, grams: list[int], payee: str | None = None
) -> Any:
    members = [MemberShare(member_id=f"member-{order_id}-{i}", grams=g) for i, g in enumerate(grams)]
    return PayoutSplit(
        coop_id="COOP1",
        order_id=order_id,
        fee_percent=Decimal(fee_percent),
        fee_payee_id=payee or manager.id,
        shares=members,
    )


def payouts_of(tables: Tables, order_id: str) -> list[dict[str, Any]]:
    details = [json.loads(i["detail"]) for i in tables.outbox("PayoutScheduled")]
    return [d for d in details if d["order_id"] == order_id]


def balanced(tables: Tables) -> dict[str, int]:
    balances = tables.balances()
    assert sum(balances.values()) == 0, balances
    return balances


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), "ROUND_HALF_UP"))


@pytest.mark.parametrize(
    ("total", "fee_percent", "grams"),
    [
        (2_000_000, "3", [400_000, 400_000, 400_000, 400_000, 400_000]),  # 2 t from 5 members
        (100_003, "2.5", [333, 333, 334]),
        (999_999, "7.77", [1, 2, 3, 5, 7, 11, 13]),
        (10_001, "0", [1, 1, 1]),
        (77, "50", [999_999, 1]),
        (1_234_567, "3.33", list(range(1, 16))),  # the most members one transaction pays
    ],
)
def test_a_completed_pooled_order_pays_each_member_and_the_coop_to_the_shilling(
    run: Invoke,
    server: SandboxServer,
    tables: Tables,
    splits: dict[str, PayoutSplit],
    total: int,
    fee_percent: str,
    grams: list[int],
) -> None:
    _, manager, order_id, _ = pooled_paid_order(run, server, tables, total)
    split = split_of(order_id, manager, fee_percent, grams)
    splits[order_id] = split
    run_ok(run, "PaymentsOrderEventsConsumerFunction", [completed_event(order_id)])
    run_ok(run, "PaymentsOrderEventsConsumerFunction", [completed_event(order_id)])  # again: once only

    commission = half_up(Decimal(total) * COMMISSION / 100)
    net = total - commission
    fee = half_up(Decimal(net) * Decimal(fee_percent) / 100)
    payouts = payouts_of(tables, order_id)
    by_part = {(p["coop_payee"], p["farmer_id"]): p["net_ugx"] for p in payouts}
    assert all(p["coop_id"] == "COOP1" for p in payouts)
    assert by_part.get(("fee", manager.id), 0) == fee
    member_pay = [by_part.get(("member", s.member_id), 0) for s in split.shares]
    assert sum(member_pay) + fee + commission == total  # every shilling of the order
    pool = net - fee
    for share, paid in zip(split.shares, member_pay, strict=True):
        assert abs(Decimal(paid) - Decimal(pool) * share.grams / sum(grams)) < 1
    assert ("farmer", manager.id) not in by_part  # no payout of the whole to the manager

    balances = balanced(tables)
    assert balances[f"escrow:{order_id}"] == 0
    assert balances[f"farmer:{manager.id}"] == fee
    summary = run("PaymentsSettlementFunction", {})
    assert summary["settled_ugx"] >= total - commission
    after = balanced(tables)
    assert after[f"farmer:{manager.id}"] == 0 and after.get(f"settled:{manager.id}", 0) == fee
    for share, paid in zip(split.shares, member_pay, strict=True):
        assert after.get(f"farmer:{share.member_id}", 0) == 0
        assert after.get(f"settled:{share.member_id}", 0) == paid


def test_a_fee_paid_to_someone_else_and_a_manager_who_is_a_member(
    run: Invoke, server: SandboxServer, tables: Tables, splits: dict[str, PayoutSplit]
) -> None:
    _, manager, order_id, _ = pooled_paid_order(run, server, tables, 120_000)
    treasurer = new_user("farmer")
    split = split_of(order_id, manager, "10", [1, 1], payee=treasurer.id)
    split = split.model_copy(
        update={"shares": [MemberShare(member_id=manager.id, grams=1), MemberShare(member_id="m2", grams=1)]}
    )
    splits[order_id] = split
    run_ok(run, "PaymentsOrderEventsConsumerFunction", [completed_event(order_id)])
    # 120000 - 6000 commission = 114000; fee 11400; 102600 shared: 51300 each
    payouts = {(p["coop_payee"], p["farmer_id"]): p["net_ugx"] for p in payouts_of(tables, order_id)}
    assert payouts == {
        ("fee", treasurer.id): 11_400,
        ("member", manager.id): 51_300,
        ("member", "m2"): 51_300,
    }
    balances = balanced(tables)
    assert (balances[f"farmer:{manager.id}"], balances["farmer:m2"], balances[f"farmer:{treasurer.id}"]) == (
        51_300,
        51_300,
        11_400,
    )


def test_a_split_not_recorded_yet_is_retried_and_pays_once_it_is(
    run: Invoke, server: SandboxServer, tables: Tables, splits: dict[str, PayoutSplit]
) -> None:
    _, manager, order_id, payment = pooled_paid_order(run, server, tables, 50_000)
    before = balanced(tables)
    event = completed_event(order_id)
    with pytest.raises(BatchProcessingError, match="processing"):  # the batch fails: SQS redelivers
        run("PaymentsOrderEventsConsumerFunction", sqs_event([event]))
    assert balanced(tables) == before and not payouts_of(tables, order_id)
    assert tables.payment(payment["payment_id"])["escrow"] == "held"
    splits[order_id] = split_of(order_id, manager, "5", [3, 1])
    run_ok(run, "PaymentsOrderEventsConsumerFunction", [event])  # the redelivery
    assert len(payouts_of(tables, order_id)) == 3
    assert tables.payment(payment["payment_id"])["escrow"] == "released"


def test_more_members_than_one_transaction_pays_fail_loudly_and_move_nothing(
    run: Invoke, server: SandboxServer, tables: Tables, splits: dict[str, PayoutSplit]
) -> None:
    _, manager, order_id, payment = pooled_paid_order(run, server, tables, 50_000)
    splits[order_id] = split_of(order_id, manager, "5", [1] * 16)
    before = balanced(tables)
    with pytest.raises(BatchProcessingError, match="processing"):  # retried, then the DLQ (alarmed)
        run("PaymentsOrderEventsConsumerFunction", sqs_event([completed_event(order_id)]))
    assert balanced(tables) == before and not payouts_of(tables, order_id)
    assert tables.payment(payment["payment_id"])["escrow"] == "held"


def test_an_order_without_a_coop_never_asks_the_coops(
    run: Invoke, server: SandboxServer, tables: Tables, splits: dict[str, PayoutSplit]
) -> None:
    _, farmer, order_id, _ = pooled_paid_order(run, server, tables, 40_000, coop_id=None)
    run_ok(run, "PaymentsOrderEventsConsumerFunction", [completed_event(order_id)])
    [payout] = payouts_of(tables, order_id)
    assert (payout["farmer_id"], payout["net_ugx"], payout["coop_id"]) == (farmer.id, 38_000, None)


def test_a_disputes_split_pays_the_farmer_part_to_the_members(
    run: Invoke, server: SandboxServer, tables: Tables, splits: dict[str, PayoutSplit]
) -> None:
    buyer, manager, order_id, _ = pooled_paid_order(run, server, tables, 90_001)
    splits[order_id] = split_of(order_id, manager, "4", [2, 1])
    detail = {
        "schema_version": 1,
        "event_id": uuid.uuid4().hex,
        "occurred_at": "2026-12-03T09:30:00Z",
        "dispute_id": "D1",
        "order_id": order_id,
        "buyer_id": buyer.id,
        "farmer_id": manager.id,
        "outcome": "split",
        "total_ugx": 90_001,
        "buyer_amount_ugx": 30_000,
        "farmer_amount_ugx": 60_001,
        "reason": "a third was wet",
        "resolved_by": new_user("admin").id,
        "resolved_at": "2026-12-03T09:30:00Z",
    }
    resolved = {"source": "soko.disputes", "detail_type": "DisputeResolved", "detail": json.dumps(detail)}
    run_ok(run, "PaymentsDisputeEventsConsumerFunction", [resolved])
    commission = half_up(Decimal(60_001) * COMMISSION / 100)  # 3000.05 -> 3000
    fee = half_up(Decimal(60_001 - commission) * 4 / 100)  # 57001 x 4% = 2280.04 -> 2280
    payouts = payouts_of(tables, order_id)
    assert sum(p["net_ugx"] for p in payouts) == 60_001 - commission
    assert {p["coop_payee"] for p in payouts} == {"fee", "member"}
    assert next(p["net_ugx"] for p in payouts if p["coop_payee"] == "fee") == fee
    members = sorted((p["net_ugx"] for p in payouts if p["coop_payee"] == "member"), reverse=True)
    assert members == [36_481, 18_240]  # 54721 by 2:1 = 36480.67, 18240.33: the larger fraction gets 1
    balances = balanced(tables)
    assert balances[f"escrow:{order_id}"] == 0


def run_ok(run: Invoke, function: str, items: list[dict[str, Any]]) -> None:
    result = run(function, sqs_event(items))
    assert result["batchItemFailures"] == [], result


def _earned(run: Invoke, user: User) -> tuple[int, int, int]:
    """The user's earnings this month (their GET /payments/earnings): gross, net, due."""
    event = http_event("PaymentsEarningsFunction", "GET", "/payments/earnings", context=user.context)
    result = run("PaymentsEarningsFunction", event)
    assert result["statusCode"] == 200, result
    row = json.loads(result["body"])["months"][-1]
    return row["gross_ugx"], row["net_ugx"], row["due_ugx"]


def test_each_member_sees_their_share_in_their_earnings_and_the_manager_only_the_fee(
    run: Invoke, server: SandboxServer, tables: Tables, splits: dict[str, PayoutSplit]
) -> None:
    total, fee_percent, grams = 100_003, "2.5", [333, 333, 334]
    _, manager, order_id, _ = pooled_paid_order(run, server, tables, total)
    split = split_of(order_id, manager, fee_percent, grams)
    splits[order_id] = split
    run_ok(run, "PaymentsOrderEventsConsumerFunction", [completed_event(order_id)])
    by_part = {(p["coop_payee"], p["farmer_id"]): p["net_ugx"] for p in payouts_of(tables, order_id)}

    for share in split.shares:
        paid = by_part[("member", share.member_id)]
        assert _earned(run, User(share.member_id, "farmer")) == (paid, paid, paid)
    fee = by_part[("fee", manager.id)]
    commission = half_up(Decimal(total) * COMMISSION / 100)
    # the manager sold the whole (gross less Soko's commission), passed the members' shares on
    assert _earned(run, manager) == (total, fee, fee)
    assert fee + commission + sum(by_part[("member", s.member_id)] for s in split.shares) == total
