"""The marketplace's dependencies (cheap per request: config, clients and secrets cache themselves)."""

from __future__ import annotations

from dataclasses import replace

from soko.market.dal import MarketDal, ModerationDal
from soko.market.events import SearchCameUpEmpty
from soko.market.models import BuyerContactConfig, MarketConfig, MoneyTrailConfig
from soko.market.moderation import Moderation
from soko.market.ports import Market
from soko.payments.public import PaymentsReads
from soko.shared.bus import EventPublisher
from soko.shared.config import BusConfig, load
from soko.shared.media import S3Media
from soko.shared.observability import logger


def market() -> Market:
    config = load(MarketConfig)
    return Market(config=config, dal=MarketDal(config.market_table_name), media=S3Media())


def _searched_empty(event: SearchCameUpEmpty) -> None:
    """Publish it, best effort: a search answers even when the bus does not."""
    try:
        EventPublisher(load(BusConfig).event_bus_name).publish([event])
    except Exception:
        logger.warning("SearchCameUpEmpty not published", exc_info=True)


def market_with_search_events() -> Market:
    """The market that reports empty filtered searches (GET /listings/)."""
    return replace(market(), searched_empty=_searched_empty)


def market_with_money() -> Market:
    """The market plus each order's money trail (GET /orders/{id})."""
    reads = PaymentsReads(load(MoneyTrailConfig).payments_table_name)
    return replace(market(), money_trail=reads.money_trail)


def aggregation_store() -> MarketDal:
    """The market table as the pooled listings' and group orders' consumer writes it
    (soko.market.aggregation.AggregationStore)."""
    return MarketDal(load(MarketConfig).market_table_name)


def payment_in_flight(order_id: str) -> bool:
    """True while the order has a payment attempt pending (payments' money trail): a group's
    re-pricing leaves such an order at the price its attempt is for."""
    reads = PaymentsReads(load(MoneyTrailConfig).payments_table_name)
    return reads.money_trail(order_id).payment_status == "pending"


def moderation() -> Moderation:
    """Hidden listings (admin takedowns, suspended farmers): soko.market.moderation."""
    deps = market()
    return Moderation(market=deps, store=ModerationDal(deps.config.market_table_name))


# The delivery PIN's adapters (soko.market.delivery_pin takes them as arguments), shared by the
# payments consumer that issues the first PIN and the endpoint that resends it. Imported on use: only
# those two functions load identity's reads, argon2 and the SMS provider.
def buyer_contact(user_id: str) -> tuple[str | None, str]:
    """The buyer's verified phone (identity's read interface texts only a verified one) and language."""
    from soko.identity.public import Users  # noqa: PLC0415

    user = Users(load(BuyerContactConfig).users_table_name).get(user_id)
    return (user.phone, user.language) if user else (None, "en")


def hash_pin(pin: str) -> str:
    from soko.identity.public import hash_secret  # noqa: PLC0415

    return hash_secret(pin)


def send_sms(to: str, message: str) -> object:
    from soko.providers.sms import configured_sender  # noqa: PLC0415

    return configured_sender().send_one(to, message)
