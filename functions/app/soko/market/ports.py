"""What the marketplace's rules need from storage and media: narrow ports, so the rules (order
transitions, reviews, listings) run against :class:`soko.market.dal.MarketDal` in a function and
against in-memory fakes in unit tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from soko.shared.dynamo import Page
from soko.shared.events import EventDetail
from soko.shared.media import MediaStore

if TYPE_CHECKING:
    from soko.logistics.public import OrderTransport
    from soko.market.dal import BrowseQuery
    from soko.market.events import SearchCameUpEmpty
    from soko.market.models import MarketConfig
    from soko.payments.public import MoneyTrail

type Item = dict[str, Any]
type OrderRecord = tuple[Item, list[Item], Item | None]  # the order, its audit trail, its review


class ListingStore(Protocol):
    def get_listing(self, listing_id: str) -> Item | None: ...
    def create_listing(self, item: Item, events: Sequence[EventDetail]) -> None: ...
    def update_listing(
        self, listing_id: str, version: int, sets: Item, removes: Sequence[str], events: Sequence[EventDetail]
    ) -> None: ...
    def browse(self, query: BrowseQuery, limit: int, cursor: str | None, scope: str) -> Page: ...
    def record_view(
        self, listing_id: str, viewer_id: str, day: str, ttl: int, events: Sequence[EventDetail]
    ) -> bool: ...


class OrderStore(Protocol):
    """Orders, their transitions and reviews (the stock a listing has is part of placing one)."""

    def get_listing(self, listing_id: str) -> Item | None: ...
    def get_order(self, order_id: str) -> OrderRecord | None: ...
    def buyer_stats(self, buyer_id: str) -> tuple[int, int]: ...
    def place_order(
        self,
        order: Item,
        *,
        audit: Item,
        hour: str,
        rate_limit: int,
        rate_ttl: int,
        flag: Item | None,
        events: Sequence[EventDetail],
        open_room: int | None = None,
    ) -> None: ...
    def open_quantity(self, listing_id: str, buyer_id: str) -> int: ...
    def committed_quantity(self, listing_id: str) -> int: ...
    def release_open_when_paid(self, order: Item) -> bool: ...
    def issue_pin(self, order_id: str, pin_hash: str, max_attempts: int, now: str) -> bool: ...
    def pin_sent(self, order_id: str, now: str) -> None: ...
    def count_pin_attempt(self, order_id: str, max_attempts: int) -> bool: ...
    def resend_pin(self, order_id: str, pin_hash: str, max_resends: int, paid: str, now: str) -> bool: ...
    def uncount_pin_resend(self, order_id: str, pin_hash: str) -> None: ...
    def transition(
        self,
        order: Item,
        *,
        to_status: str,
        audit: Item,
        now: str,
        restock: bool,
        stats: dict[str, int],
        events: Sequence[EventDetail],
        deal: int = 0,
        sets: Item | None = None,
        release_open: bool = False,
        condition: tuple[str, Item] | None = None,
    ) -> None: ...
    def list_orders(self, index: str, partition: str, limit: int, cursor: str | None, scope: str) -> Page: ...
    def list_flags(self, limit: int, cursor: str | None) -> Page: ...
    def farmer_stats(self, farmer_id: str) -> Item: ...
    def put_review(
        self, review: Item, order: Item, stats_version: int | None, events: Sequence[EventDetail]
    ) -> None: ...
    def set_payment_status(self, order_id: str, status: str, rank: int, now: str) -> bool: ...


class MarketStore(ListingStore, OrderStore, Protocol):
    """The whole market table (MarketDal)."""


@dataclass
class Market:
    """What the marketplace's logic needs, built per request by ``soko.market.deps.market``."""

    config: MarketConfig
    dal: MarketStore
    media: MediaStore
    # the order's money trail (payments' public read); only GET /orders/{id} is given one
    money_trail: Callable[[str], MoneyTrail] | None = None
    # the order's booked transport (logistics' public read): only logistics' handover is given one, so
    # the order's transporter may enter the buyer's delivery PIN (soko.market.delivery_pin.enter)
    order_transport: Callable[[str], OrderTransport | None] | None = None
    # tells analytics a filtered search came up empty (GET /listings/ only; best effort)
    searched_empty: Callable[[SearchCameUpEmpty], None] | None = None
