"""The groups' rules with in-memory fakes: the drop-out recompute (THE rule of docs/aggregation.md),
the refusals' messages, the deadline timer's guard, and the notices' lengths."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from soko.groups import logic
from soko.groups.notices import TEXTS, notice
from soko.shared.events import EventDetail
from soko.shared.notices import SMS_LIMIT
from soko.shared.timers import TimerMessage

TIERS = [{"min_kg": "1000", "discount_percent": 5}, {"min_kg": "2000", "discount_percent": 10}]


class FakeStore:
    def __init__(self, group: dict[str, Any], members: list[dict[str, Any]]):
        self.item = group
        self.member_items = members

    def group(self, group_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.item) if group_id == self.item["id"] else None

    def members(self, group_id: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.member_items)

    def reprice(self, group: dict[str, Any], changes: dict[str, Any], pending: dict[str, Any]) -> bool:
        if group["version"] != self.item["version"]:
            return False
        self.item.update(changes, version=self.item["version"] + 1)
        self.item["pending"][pending["key"]] = pending
        return True

    def published(self, group_id: str, key: str) -> None:
        self.item["pending"].pop(key)


class FakeBus:
    def __init__(self) -> None:
        self.events: list[EventDetail] = []

    def publish(self, events: Iterable[EventDetail]) -> None:
        self.events.extend(events)


def completed(active_kg: int, price: int = 3420) -> dict[str, Any]:
    return {
        "id": "G1",
        "listing_id": "L1",
        "title": "Beans",
        "status": "completed",
        "tiers": TIERS,
        "list_price_per_kg": 3800,
        "price_per_kg": price,
        "active_g": active_kg * 1000,
        "filled_g": 2_000_000,
        "target_g": 2_000_000,
        "pay_by": "2026-12-05T10:00:00Z",
        "version": 7,
        "pending": {},
        "deadline": "2026-12-04T10:00:00Z",
    }


MEMBERS = [
    {"buyer_id": "A", "grams": 1_000_000, "status": "paid"},
    {"buyer_id": "B", "grams": 600_000, "status": "ordered"},
    {"buyer_id": "C", "grams": 400_000, "status": "dropped"},
]


@pytest.mark.parametrize(
    ("active_kg", "price", "expected"),
    [
        (2000, 3420, None),  # still the 10% tier: nothing changes
        (1600, 3420, "3610"),  # down to the 5% tier
        (1000, 3420, "3610"),  # exactly the 5% tier's minimum
        (999, 3420, "3800"),  # below every tier: the list price
        (1600, 3610, None),  # already re-priced (a redelivery): nothing twice
    ],
)
def test_the_drop_out_recompute(active_kg: int, price: int, expected: str | None) -> None:
    store, bus = FakeStore(completed(active_kg, price), MEMBERS), FakeBus()
    deps = logic.GroupDeps(store=store, publisher=bus)  # type: ignore[arg-type]
    assert logic.recompute("G1", deps) == expected
    repriced = [e for e in bus.events if e.DETAIL_TYPE == "GroupRepriced"]
    told = [e for e in bus.events if e.DETAIL_TYPE == "GroupNoticeIssued"]
    if expected is None:
        assert bus.events == []
    else:
        assert [e.model_dump()["price_per_kg"] for e in repriced] == [int(expected)]
        assert [n.model_dump()["user_id"] for n in told] == ["B"]  # only who has not paid
        assert store.item["pending"] == {}


def test_an_open_group_is_never_repriced() -> None:
    store = FakeStore({**completed(500), "status": "open"}, MEMBERS)
    deps = logic.GroupDeps(store=store, publisher=FakeBus())  # type: ignore[arg-type]
    assert logic.recompute("G1", deps) is None


def test_a_deadline_timer_before_the_deadline_is_retried() -> None:
    store = FakeStore({**completed(500), "status": "open", "deadline": "2999-01-01T00:00:00Z"}, [])
    deps = logic.GroupDeps(store=store, publisher=FakeBus())  # type: ignore[arg-type]
    message = TimerMessage(timer="group.G1.deadline", kind=logic.DEADLINE_KIND, subject="G1")
    with pytest.raises(logic.TimerEarly):
        logic.on_timer(message, deps)
    with pytest.raises(ValueError, match="unknown group timer kind"):
        logic.on_timer(TimerMessage(timer="x", kind="group.other", subject="G1"), deps)


def test_an_overfill_says_the_room_left() -> None:
    with pytest.raises(logic.WouldOverfill) as refused:
        logic._refuse("overfill", {"target_g": 2_000_000, "filled_g": 1_999_500})
    assert refused.value.details == {"room_kg": "0.500"}


@pytest.mark.parametrize("step", sorted(TEXTS))
def test_every_notice_is_one_sms_in_both_languages_at_its_longest(step: str) -> None:
    group = {
        **completed(1_000_000),
        "title": "W" * 60,
        "filled_g": 999_999_999_999,
        "target_g": 1_000_000_000_000,
        "price_per_kg": 999_999,
    }
    made = notice(step, group, "01JD0000000000000000000000", grams=999_999_999_999)
    assert made.sms.en.startswith("Soko: ") and made.sms.lg.startswith("Soko: ")
    assert len(made.sms.en) <= SMS_LIMIT and len(made.sms.lg) <= SMS_LIMIT, (made.sms.en, made.sms.lg)
    assert made.title.lg and made.body.lg != made.body.en
