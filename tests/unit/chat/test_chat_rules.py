"""Chat's rules against in-memory fakes of its ports (no moto): masking gated on a confirmed trade,
the per-minute limit, conversation membership, and the first-inquiry signal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from soko.chat import logic
from soko.chat.dal import MessageRateLimited
from soko.chat.models import ChatConfig, MessageSend
from soko.shared import clock
from soko.shared.dynamo import Page
from soko.shared.errors import Unprocessable
from soko.shared.events import EventDetail
from soko.shared.identity import Caller

FARMER = Caller(user_id="F1", role="farmer", email="f@example.com")
BUYER = Caller(user_id="B1", role="buyer", email="b@example.com")
STRANGER = Caller(user_id="S1", role="buyer", email="s@example.com")
ADMIN = Caller(user_id="A1", role="admin", email="a@example.com")
CONTACT = "call me on 0772 123 456 or mail grace@example.com"


@dataclass(frozen=True)
class Person:
    id: str
    role: str


@dataclass
class FakeStore:
    """The chat table in memory, with the rate limit's condition."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    stored: list[dict[str, Any]] = field(default_factory=list)
    inquiries: list[EventDetail] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)

    def count_message(self, sender_id: str, minute: str, limit: int, now: int, retry_after: int) -> None:
        sent = self.counts.get((sender_id, minute), 0)
        if sent >= limit:
            raise MessageRateLimited("too many", retry_after_seconds=retry_after)
        self.counts[(sender_id, minute)] = sent + 1

    def put_message(
        self, message: dict[str, Any], members: tuple[str, str], inquiry: EventDetail | None = None
    ) -> None:
        self.stored.append(message)
        self.meta.setdefault(message["conversation_id"], list(members))
        if inquiry is not None:
            self.inquiries.append(inquiry)

    def has_inquired(self, buyer_id: str, farmer_id: str) -> bool:
        return any(
            getattr(i, "buyer_id", None) == buyer_id and getattr(i, "farmer_id", None) == farmer_id
            for i in self.inquiries
        )

    def members(self, conversation_id: str) -> list[str] | None:
        return self.meta.get(conversation_id)

    def messages(self, conversation_id: str, limit: int, cursor: str | None) -> Page:
        items = [m for m in reversed(self.stored) if m["conversation_id"] == conversation_id]
        return Page(items=items[:limit], next_cursor=None)

    def conversations(self, user_id: str, limit: int, cursor: str | None) -> Page:
        return Page(items=[], next_cursor=None)


@dataclass
class FakePeople:
    people: dict[str, Person]

    def get(self, user_id: str) -> Person | None:
        return self.people.get(user_id)


@dataclass
class FakeTrades:
    deals: set[frozenset[str]] = field(default_factory=set)
    listings: dict[str, str] = field(default_factory=lambda: {"L-F1": "F1", "L-F2": "F2"})  # id: farmer

    def trade_confirmed(self, user_a: str, user_b: str) -> bool:
        return frozenset((user_a, user_b)) in self.deals

    def listing_farmer(self, listing_id: str) -> str | None:
        return self.listings.get(listing_id)


@dataclass
class FakeConnections:
    posted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def of_user(self, user_id: str, now: int) -> list[str]:
        return [f"conn-{user_id}"]

    def post(self, connection_id: str, payload: dict[str, Any]) -> bool:
        self.posted.append((connection_id, payload))
        return True

    def remove(self, user_id: str, connection_id: str) -> None:  # pragma: no cover
        raise AssertionError("no connection goes away here")


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The clock, settable: ``at[0]`` is now."""
    moment = [datetime(2026, 3, 2, 9, 15, 40, tzinfo=UTC)]
    monkeypatch.setattr(clock, "now", lambda: moment[0])
    return moment


@pytest.fixture
def deps(at: list[datetime]) -> logic.Chat:
    people = {p.id: p for p in (Person("F1", "farmer"), Person("B1", "buyer"), Person("S1", "buyer"))}
    return logic.Chat(
        config=ChatConfig(chat_table_name="chat", messages_per_minute=3),
        dal=FakeStore(),
        users=FakePeople(people),
        market=FakeTrades(),
        connections=FakeConnections(),
    )


def send(deps: logic.Chat, caller: Caller, to: str, text: str = "hello") -> Any:
    return logic.send_message(caller, MessageSend(to_user_id=to, text=text), deps)


def test_contacts_are_masked_until_the_two_have_a_confirmed_trade(deps: logic.Chat) -> None:
    before = send(deps, BUYER, "F1", CONTACT)
    assert before.masked and "123 456" not in before.text and "grace@" not in before.text
    assert before.text.startswith("call me on 0772")
    assert deps.dal.stored[-1]["original_text"] == CONTACT  # type: ignore[attr-defined]

    deps.market.deals.add(frozenset(("B1", "F1")))  # type: ignore[attr-defined]
    after = send(deps, FARMER, "B1", CONTACT)
    assert not after.masked and after.text == CONTACT
    assert "original_text" not in deps.dal.stored[-1]  # type: ignore[attr-defined]
    # a trade between two others unmasks nothing
    assert send(deps, STRANGER, "F1", CONTACT).masked


def test_only_admins_see_what_was_typed(deps: logic.Chat) -> None:
    sent = send(deps, BUYER, "F1", CONTACT)
    conversation = sent.conversation_id
    assert logic.get_conversation(BUYER, conversation, 10, None, deps).items[0].original_text is None
    assert logic.get_conversation(ADMIN, conversation, 10, None, deps).items[0].original_text == CONTACT


def test_the_per_minute_limit_counts_per_sender_and_minute(deps: logic.Chat, at: list[datetime]) -> None:
    for _ in range(3):
        send(deps, BUYER, "F1")
    with pytest.raises(MessageRateLimited) as refused:
        send(deps, BUYER, "F1")
    assert refused.value.retry_after_seconds == 20  # 60 - the 40 seconds of the minute gone
    send(deps, STRANGER, "F1")  # another sender has their own count
    at[0] = at[0].replace(minute=16, second=0)
    send(deps, BUYER, "F1")  # the next minute starts afresh
    assert len(deps.dal.stored) == 5  # type: ignore[attr-defined]


def test_a_conversation_exists_only_for_its_members_and_admins(deps: logic.Chat) -> None:
    conversation = send(deps, BUYER, "F1").conversation_id
    assert conversation == logic.conversation_id("F1", "B1")
    for member in (BUYER, FARMER, ADMIN):
        assert len(logic.get_conversation(member, conversation, 10, None, deps).items) == 1
    for outsider, which in ((STRANGER, conversation), (BUYER, "0" * 32)):
        with pytest.raises(logic.ConversationNotFound):
            logic.get_conversation(outsider, which, 10, None, deps)


def test_a_message_is_about_a_real_listing_of_one_of_the_two(deps: logic.Chat) -> None:
    def about(caller: Caller, to: str, listing_id: str) -> Any:
        return logic.send_message(caller, MessageSend(to_user_id=to, text="hi", listing_id=listing_id), deps)

    assert about(BUYER, "F1", "L-F1").listing_id == "L-F1"
    assert about(FARMER, "B1", "L-F1").listing_id == "L-F1"
    with pytest.raises(logic.ListingNotFound):
        about(BUYER, "F1", "0772123456")
    with pytest.raises(Unprocessable) as foreign:
        about(BUYER, "F1", "L-F2")  # a real listing, of someone else
    assert foreign.value.code == "LISTING_NOT_IN_CONVERSATION"
    assert len(deps.dal.stored) == 2 and deps.dal.counts == {
        ("B1", "202603020915"): 1,
        ("F1", "202603020915"): 1,
    }  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "listing_id", ["0772 123 456", "0772,123,456", "+256772123456", "", "a" * 65, "x@y.ug"]
)
def test_a_listing_id_is_an_id_not_free_text(listing_id: str) -> None:
    with pytest.raises(ValidationError):
        MessageSend(to_user_id="F1", text="hi", listing_id=listing_id)


def test_a_free_text_listing_id_stored_before_the_check_is_masked_on_reading(deps: logic.Chat) -> None:
    conversation = logic.conversation_id("B1", "F1")
    old = {"conversation_id": conversation, "sender_id": "B1", "recipient_id": "F1", "masked": False}
    deps.dal.stored += [  # type: ignore[attr-defined]
        {
            **old,
            "id": "M1",
            "text": "hi",
            "listing_id": "call 0772 123 456",
            "created_at": "2026-01-01T00:00:00Z",
        },
        {
            **old,
            "id": "M2",
            "text": "hi",
            "listing_id": "01JDQ3T5S8M2V7X4N6P9R1K0ZB",
            "created_at": "2026-01-02T00:00:00Z",
        },
    ]
    deps.dal.meta[conversation] = ["B1", "F1"]  # type: ignore[attr-defined]
    seen = {m.id: m.listing_id for m in logic.get_conversation(FARMER, conversation, 10, None, deps).items}
    assert seen == {"M1": "call 0772••••••", "M2": "01JDQ3T5S8M2V7X4N6P9R1K0ZB"}
    admin = {m.id: m.listing_id for m in logic.get_conversation(ADMIN, conversation, 10, None, deps).items}
    assert admin["M1"] == "call 0772 123 456"


def test_who_may_write_to_whom(deps: logic.Chat) -> None:
    with pytest.raises(logic.RecipientNotFound):
        send(deps, BUYER, "nobody")
    with pytest.raises(Exception, match="yourself"):
        send(deps, BUYER, "B1")
    assert deps.dal.stored == [] and deps.dal.counts == {}  # type: ignore[attr-defined]


def test_a_buyers_first_message_to_a_farmer_is_one_inquiry_and_is_pushed(deps: logic.Chat) -> None:
    send(deps, BUYER, "F1")
    send(deps, BUYER, "F1")
    send(deps, FARMER, "B1")  # a farmer writing to a buyer is no inquiry
    send(deps, BUYER, "S1")  # nor is a buyer writing to a buyer
    inquiries = deps.dal.inquiries  # type: ignore[attr-defined]
    assert [(i.buyer_id, i.farmer_id) for i in inquiries] == [("B1", "F1")]
    posted = deps.connections.posted  # type: ignore[attr-defined]
    assert [c for c, _ in posted] == ["conn-F1", "conn-F1", "conn-B1", "conn-S1"]
    assert posted[0][1]["type"] == "message" and posted[0][1]["message"]["sender_id"] == "B1"
