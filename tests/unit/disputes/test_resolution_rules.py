"""The dispute rules against an in-memory store (no moto): what each outcome pays whom (the two
amounts always add up to the order's total), which amounts each outcome refuses, who may read and
resolve a case, that a case is resolved once (also when two admins race), and the events a
resolution writes with it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fakes.media import InMemoryMedia

from soko.disputes import logic
from soko.disputes.events import AdminActionTaken, DisputeResolved
from soko.disputes.models import DisputeResolveRequest
from soko.market.events import OrderDisputed
from soko.shared.dynamo import Page
from soko.shared.errors import Conflict, Forbidden
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from support.events import order_detail

ADMIN = Caller(user_id="A1", role="admin", email="a@example.com")
BUYER = Caller(user_id="B1", role="buyer", email="b@example.com")
FARMER = Caller(user_id="F1", role="farmer", email="f@example.com")
STRANGER = Caller(user_id="S1", role="both", email="s@example.com")


class InMemoryDisputes:
    """The DisputeStore port: cases by id, and the events each resolution wrote with it."""

    def __init__(self) -> None:
        self.cases: dict[str, dict[str, Any]] = {}
        self.events: list[EventDetail] = []
        self.before_resolve: Any = None  # runs inside resolve() before its condition is checked

    def create(self, case: dict[str, Any]) -> bool:
        if case["id"] in self.cases:
            return False
        self.cases[case["id"]] = copy.deepcopy(case)
        return True

    def get(self, dispute_id: str) -> dict[str, Any] | None:
        case = self.cases.get(dispute_id)
        return copy.deepcopy(case) if case else None

    def page(self, status: str, newest_first: bool, limit: int, cursor: str | None) -> Page:
        cases = sorted(
            (c for c in self.cases.values() if c["status"] == status), key=lambda c: c["opened_at"]
        )
        return Page(items=(cases[::-1] if newest_first else cases)[:limit], next_cursor=None)

    def by_order(self, order_id: str) -> list[dict[str, Any]]:
        return [c for c in self.cases.values() if c["order_id"] == order_id]

    def resolve(self, case: dict[str, Any], resolved: dict[str, Any], events: list[EventDetail]) -> bool:
        if self.before_resolve:
            self.before_resolve()
        stored = self.cases[case["id"]]
        if stored["status"] != "open" or stored["version"] != case["version"]:
            return False
        stored.update(status="resolved", version=case["version"] + 1, **resolved)
        self.events += events
        return True


@pytest.fixture
def store() -> InMemoryDisputes:
    return InMemoryDisputes()


@pytest.fixture
def deps(store: InMemoryDisputes) -> logic.Disputes:
    return logic.Disputes(dal=store, photos=InMemoryMedia())


def disputed(total_ugx: int = 120_000, dispute_id: str = "D1", **fields: Any) -> OrderDisputed:
    dispute = {
        "dispute_id": dispute_id,
        "reason": "quality",
        "details": "wet bags",
        "photos": ["disputes/O1/D1/1.jpg"],
        "opened_at": "2026-11-21T09:30:00Z",
    }
    return OrderDisputed.model_validate(order_detail("O1", total_ugx=total_ugx, **{**dispute, **fields}))


def resolution(outcome: str, buyer_amount_ugx: int | None = None) -> DisputeResolveRequest:
    body: dict[str, Any] = {"outcome": outcome, "reason": "checked the photos"}
    if buyer_amount_ugx is not None:
        body["buyer_amount_ugx"] = buyer_amount_ugx
    return DisputeResolveRequest.model_validate(body)


# ---------------------------------------------------------------------------- amounts
@pytest.mark.parametrize(
    ("outcome", "given", "expected"),
    [
        ("release", None, (0, 1000)),
        ("release", 0, (0, 1000)),
        ("refund", None, (1000, 0)),
        ("refund", 1000, (1000, 0)),
        ("split", 1, (1, 999)),
        ("split", 400, (400, 600)),
        ("split", 999, (999, 1)),
    ],
)
def test_each_outcome_pays_the_whole_total_between_the_parties(
    outcome: Any, given: int | None, expected: tuple[int, int]
) -> None:
    buyer, farmer = logic.amounts(outcome, 1000, given)

    assert (buyer, farmer) == expected
    assert buyer + farmer == 1000


@pytest.mark.parametrize(
    ("outcome", "given", "total"),
    [
        ("release", 1, 1000),
        ("release", 1000, 1000),
        ("refund", 0, 1000),
        ("refund", 999, 1000),
        ("refund", 1001, 1000),
        ("split", None, 1000),
        ("split", 0, 1000),
        ("split", 1000, 1000),
        ("split", 5000, 1000),
        ("split", 1, 1),  # a one-shilling order cannot be split
    ],
)
def test_amounts_that_do_not_fit_the_outcome_are_refused(outcome: Any, given: int | None, total: int) -> None:
    with pytest.raises(logic.InvalidResolutionAmount) as refused:
        logic.amounts(outcome, total, given)

    assert refused.value.status == 422 and refused.value.details["field"] == "buyer_amount_ugx"


@pytest.mark.parametrize("total", [2, 3, 120_000, 99_999_999])
def test_every_split_adds_up(total: int) -> None:
    for given in {1, total // 2, total - 1}:
        buyer, farmer = logic.amounts("split", total, given)
        assert buyer + farmer == total and buyer >= 1 and farmer >= 1


# ---------------------------------------------------------------------------- cases
def test_a_case_is_opened_once_per_dispute(deps: logic.Disputes, store: InMemoryDisputes) -> None:
    assert logic.open_case(disputed(), deps) is True
    assert logic.open_case(disputed(details="again"), deps) is False

    assert store.cases["D1"]["details"] == "wet bags" and store.cases["D1"]["status"] == "open"


@pytest.mark.parametrize(("outcome", "given"), [("release", None), ("refund", None), ("split", 30_000)])
def test_a_resolution_writes_both_events_with_the_same_amounts(
    deps: logic.Disputes, store: InMemoryDisputes, outcome: str, given: int | None
) -> None:
    logic.open_case(disputed(), deps)

    view = logic.resolve(ADMIN, "D1", resolution(outcome, given), deps)

    resolved, action = store.events
    assert isinstance(resolved, DisputeResolved) and isinstance(action, AdminActionTaken)
    assert view.resolution is not None
    assert (resolved.buyer_amount_ugx, resolved.farmer_amount_ugx) == (
        view.resolution.buyer_amount_ugx,
        view.resolution.farmer_amount_ugx,
    )
    assert resolved.buyer_amount_ugx + resolved.farmer_amount_ugx == resolved.total_ugx == 120_000
    assert (action.action, action.target_id, action.admin_id) == ("dispute.resolve", "D1", "A1")
    assert action.details["buyer_amount_ugx"] == resolved.buyer_amount_ugx
    assert store.cases["D1"]["status"] == "resolved" and view.version == 2


def test_a_resolved_case_is_not_resolved_again(deps: logic.Disputes, store: InMemoryDisputes) -> None:
    logic.open_case(disputed(), deps)
    logic.resolve(ADMIN, "D1", resolution("release"), deps)

    with pytest.raises(logic.DisputeAlreadyResolved):
        logic.resolve(ADMIN, "D1", resolution("refund"), deps)

    assert len(store.events) == 2


def test_the_admin_who_loses_a_race_gets_409(deps: logic.Disputes, store: InMemoryDisputes) -> None:
    logic.open_case(disputed(), deps)

    def other_admin_first() -> None:
        store.before_resolve = None
        logic.resolve(
            Caller(user_id="A2", role="admin", email="a2@example.com"), "D1", resolution("refund"), deps
        )

    store.before_resolve = other_admin_first
    with pytest.raises(logic.DisputeAlreadyResolved):
        logic.resolve(ADMIN, "D1", resolution("release"), deps)

    assert [e.resolved_by for e in store.events if isinstance(e, DisputeResolved)] == ["A2"]


def test_a_concurrent_change_to_an_open_case_is_a_conflict(
    deps: logic.Disputes, store: InMemoryDisputes
) -> None:
    logic.open_case(disputed(), deps)
    store.before_resolve = lambda: store.cases["D1"].update(version=7)

    with pytest.raises(Conflict) as refused:
        logic.resolve(ADMIN, "D1", resolution("release"), deps)

    assert refused.value.code == "CONCURRENT_UPDATE" and store.events == []


@pytest.mark.parametrize("caller", [BUYER, FARMER, STRANGER])
def test_only_admins_resolve_list_and_read_the_admin_view(
    deps: logic.Disputes, store: InMemoryDisputes, caller: Caller
) -> None:
    logic.open_case(disputed(), deps)

    with pytest.raises(Forbidden):
        logic.resolve(caller, "D1", resolution("refund"), deps)
    with pytest.raises(Forbidden):
        logic.get_case(caller, "D1", deps)
    with pytest.raises(Forbidden):
        logic.list_cases(caller, deps, status="open", newest_first=True, limit=20, cursor=None)
    assert store.events == []


def test_the_parties_see_their_case_without_the_admin_and_others_do_not(deps: logic.Disputes) -> None:
    logic.open_case(disputed(), deps)
    logic.resolve(ADMIN, "D1", resolution("split", 1), deps)

    for party in (BUYER, FARMER):
        view = logic.get_own_case(party, "D1", deps)
        assert view.resolution is not None and view.resolution.farmer_amount_ugx == 119_999
        assert "resolved_by" not in view.model_dump()["resolution"]
        assert [p.url for p in view.photos] == ["https://media.example/disputes/O1/D1/1.jpg"]
    with pytest.raises(logic.DisputeNotFound):
        logic.get_own_case(STRANGER, "D1", deps)
    with pytest.raises(logic.DisputeNotFound):
        logic.get_own_case(BUYER, "nope", deps)
    with pytest.raises(logic.DisputeNotFound):
        logic.get_own_case(BUYER, "D" * 65, deps)


def test_only_dispute_photos_are_shown(deps: logic.Disputes) -> None:
    logic.open_case(disputed(photos=["disputes/O1/a.jpg", "listings/L1/b.jpg", "posts/P1/c.pdf"]), deps)

    view = logic.get_case(ADMIN, "D1", deps)

    assert [p.url for p in view.photos] == ["https://media.example/disputes/O1/a.jpg"]


def test_the_list_is_by_status(deps: logic.Disputes) -> None:
    logic.open_case(disputed(dispute_id="D1"), deps)
    logic.open_case(disputed(dispute_id="D2", opened_at="2026-11-21T10:00:00Z"), deps)
    logic.resolve(ADMIN, "D1", resolution("release"), deps)

    open_page = logic.list_cases(ADMIN, deps, status="open", newest_first=True, limit=20, cursor=None)
    resolved = logic.list_cases(ADMIN, deps, status="resolved", newest_first=True, limit=20, cursor=None)

    assert [c.id for c in open_page.items] == ["D2"]
    assert [(c.id, c.outcome) for c in resolved.items] == [("D1", "release")]
