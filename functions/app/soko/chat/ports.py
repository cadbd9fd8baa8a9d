"""What chat's rules need from the world, as narrow ports: the chat table, the users, the trades
between two users (and who listed a listing) and the live connections. The deployed functions plug
in the chat table's data access and the owners' public read interfaces (:mod:`soko.chat.deps`);
unit tests plug in in-memory fakes."""

from __future__ import annotations

from typing import Any, Protocol

from soko.shared.dynamo import Page
from soko.shared.events import EventDetail


class Person(Protocol):
    """A user as chat needs them (``soko.identity.public.UserView`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def role(self) -> str: ...


class People(Protocol):
    def get(self, user_id: str) -> Person | None: ...


class Trades(Protocol):
    """The marketplace as chat needs it (``soko.market.public.MarketReads`` is one)."""

    def trade_confirmed(self, user_a: str, user_b: str) -> bool: ...

    def listing_farmer(self, listing_id: str) -> str | None:
        """The farmer who listed ``listing_id``, or None when there is no such listing."""


class ChatStore(Protocol):
    """The chat table (:class:`soko.chat.dal.ChatDal`)."""

    def count_message(self, sender_id: str, minute: str, limit: int, now: int, retry_after: int) -> None:
        """Count one message in the sender's minute; raise ``MessageRateLimited`` past ``limit``."""

    def put_message(
        self, message: dict[str, Any], members: tuple[str, str], inquiry: EventDetail | None = None
    ) -> None: ...

    def has_inquired(self, buyer_id: str, farmer_id: str) -> bool: ...

    def members(self, conversation_id: str) -> list[str] | None: ...

    def messages(self, conversation_id: str, limit: int, cursor: str | None) -> Page: ...

    def conversations(self, user_id: str, limit: int, cursor: str | None) -> Page: ...
