"""Price alerts' rules (no boto3 here): subscriptions (at most ``MAX_SUBSCRIPTIONS`` per subscriber),
and firing. A price alert fires from a pair's new observation (``PricesObserved``: above/below a
threshold) or its new model (``ModelTrained``: the 4-week forecast moves more than N%); an event reads
only the subscriptions of its pair (the pair index). Each rule fires at most once per ISO week: the
notice's id is ``alert:<subscription>:<rule>:<week>`` and a claim on it (a conditional put with a TTL)
comes before the publish, released if the publish fails, so a repeated or late event sends nothing
twice. A price older than the stale threshold never fires as if current.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from soko.alerts import texts
from soko.alerts.dal import AlertNotFound
from soko.alerts.events import PriceAlertTriggered, PriceDigestCompiled
from soko.alerts.models import MAX_SUBSCRIPTIONS, Alert, AlertCreate, AlertPage, Subscription
from soko.ml.events import ModelTrained, PricesObserved
from soko.ml.public import freshness
from soko.shared import clock, ids
from soko.shared.events import EventDetail
from soko.shared.identity import Caller
from soko.shared.notices import Notice

CLAIM_SECONDS = 35 * 24 * 3600  # longer than a period (a week) plus the queues' redrives
EAT = timedelta(hours=3)


class Store(Protocol):
    def create(self, sub: dict[str, Any], limit: int) -> None: ...
    def delete(self, owner: str, sub_id: str) -> None: ...
    def page(self, owner: str, limit: int, cursor: str | None) -> Any: ...
    def owned(self, owner: str) -> list[dict[str, Any]]: ...
    def of_pair(self, crop: str, market: str) -> Iterable[dict[str, Any]]: ...
    def claim(self, key: str, ttl_seconds: int, **fields: Any) -> bool: ...
    def release(self, key: str) -> None: ...


class Prices(Protocol):
    """The price layer's reads (soko.ml.public.PriceReader)."""

    def latest_price(self, market: str, crop: str) -> float | None: ...
    def forecast(self, market: str, crop: str, weeks_ahead: int = 4) -> Any: ...


class Publisher(Protocol):
    def publish(self, events: Iterable[EventDetail]) -> None: ...


def today() -> date:
    """Today in East Africa Time."""
    return (clock.now() + EAT).date()


@dataclass
class Alerts:
    store: Store


@dataclass
class Firing:
    store: Store
    prices: Prices
    publisher: Publisher
    stale_after_days: int = 60
    today: date = field(default_factory=today)


def user_owner(user_id: str) -> str:
    return f"USER#{user_id}"


def phone_owner(phone: str) -> str:
    return f"PHONE#{phone}"


def week(day: date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def _alert(item: dict[str, Any]) -> Alert:
    sub = Subscription.model_validate(item)
    return Alert(
        **sub.model_dump(exclude={"owner", "user_id", "phone", "language"}),
        crop_name=texts.crop_name(sub.crop, "en"),
        market_name=texts.market_name(sub.market),
    )


# ------------------------------------------------------------------ subscriptions
def subscribe(
    owner: str,
    request: AlertCreate,
    deps: Alerts,
    *,
    user_id: str | None = None,
    phone: str | None = None,
    language: str | None = None,
    channel: str = "app",
) -> Alert:
    sub = Subscription(
        id=ids.ulid(),
        owner=owner,
        user_id=user_id,
        phone=phone,
        language=language,
        crop=request.crop,
        market=request.market_id,
        channel=channel,
        created_at=clock.now_iso(),
        **request.model_dump(include={"above_ugx", "below_ugx", "forecast_move_pct", "digest"}),
    )
    deps.store.create(sub.model_dump(exclude_none=True), MAX_SUBSCRIPTIONS)
    return _alert(sub.model_dump())


def create(caller: Caller, request: AlertCreate, deps: Alerts) -> Alert:
    return subscribe(user_owner(caller.user_id), request, deps, user_id=caller.user_id)


def mine(caller: Caller, limit: int, cursor: str | None, deps: Alerts) -> AlertPage:
    page = deps.store.page(user_owner(caller.user_id), limit, cursor)
    return AlertPage(items=[_alert(i) for i in page.items], next_cursor=page.next_cursor)


def remove(caller: Caller, alert_id: str, deps: Alerts) -> None:
    if not ids.is_ulid(alert_id):
        raise AlertNotFound("No such alert.")
    deps.store.delete(user_owner(caller.user_id), alert_id)


def owned(owner: str, deps: Alerts) -> list[Subscription]:
    return [Subscription.model_validate(i) for i in deps.store.owned(owner)]


def stop(owner: str, crop: str | None, deps: Alerts) -> int:
    """End a subscriber's alerts (all, or one crop's): how many ended."""
    ended = 0
    for sub in owned(owner, deps):
        if crop is None or sub.crop == crop:
            try:
                deps.store.delete(owner, sub.id)
                ended += 1
            except AlertNotFound:  # ended meanwhile
                pass
    return ended


# ------------------------------------------------------------------ firing
def _notice(
    contract: type[Notice],
    sub: Subscription,
    notice_id: str,
    *,
    category: str,
    words: dict[str, Any],
    data: dict[str, str | int],
) -> Notice:
    recipient: dict[str, Any] = (
        {"user_id": sub.user_id} if sub.user_id else {"phone": sub.phone, "language": sub.language}
    )
    return contract(notice_id=notice_id, category=category, data=data, **recipient, **words)


def _publish_claimed(notices: list[Notice], deps: Firing) -> int:
    """Claim each notice's id, publish the claimed ones; release the claims if publishing fails."""
    claimed = [n for n in notices if deps.store.claim(n.notice_id, CLAIM_SECONDS)]
    if not claimed:
        return 0
    try:
        deps.publisher.publish(claimed)
    except Exception:
        for notice in claimed:
            deps.store.release(notice.notice_id)
        raise
    return len(claimed)


def _subs(crop: str, market: str, deps: Firing) -> Iterator[Subscription]:
    return (Subscription.model_validate(i) for i in deps.store.of_pair(crop, market))


def on_prices_observed(event: PricesObserved, deps: Firing) -> int:
    """Threshold rules of the pair: how many alerts were published."""
    fresh = freshness(event.day, deps.today, deps.stale_after_days)
    if fresh.stale:  # an old month loaded late is history, not the current price
        return 0
    period = week(event.day)
    notices: list[Notice] = []
    for sub in _subs(event.crop, event.market, deps):
        for direction, limit in (("above", sub.above_ugx), ("below", sub.below_ugx)):
            if limit is None:
                continue
            if (direction == "above" and event.price_ugx >= limit) or (
                direction == "below" and event.price_ugx <= limit
            ):
                words = texts.threshold(
                    sub.crop,
                    sub.market,
                    price=event.price_ugx,
                    limit=limit,
                    direction=direction,
                    day=event.day,
                    today=deps.today,
                )
                notices.append(
                    _notice(
                        PriceAlertTriggered,
                        sub,
                        f"alert:{sub.id}:{direction}:{period}",
                        category="alerts",
                        words=words,
                        data={
                            "alert_id": sub.id,
                            "crop": sub.crop,
                            "market": sub.market,
                            "rule": direction,
                            "price_ugx": event.price_ugx,
                            "day": event.day.isoformat(),
                        },
                    )
                )
    return _publish_claimed(notices, deps)


def on_model_trained(event: ModelTrained, deps: Firing) -> int:
    """Forecast-move rules of the pair: the latest price against the forecast 4 weeks ahead."""
    subs = [s for s in _subs(event.crop, event.market, deps) if s.forecast_move_pct]
    if not subs:
        return 0
    forecast = deps.prices.forecast(event.market, event.crop, 4)
    now = deps.prices.latest_price(event.market, event.crop)
    if forecast is None or not forecast.predictions or not now:
        return 0
    fresh = freshness(forecast.data_through, deps.today, deps.stale_after_days)
    if fresh.stale or forecast.data_through is None:  # a stale forecast is not the coming weeks' price
        return 0
    ahead = float(forecast.predictions[-1].price)
    pct = round((ahead - now) / now * 100)
    period = week(deps.today)
    notices: list[Notice] = []
    for sub in subs:
        if abs(pct) > (sub.forecast_move_pct or 100):
            words = texts.forecast_move(
                sub.crop,
                sub.market,
                now=now,
                ahead=ahead,
                pct=pct,
                data_through=forecast.data_through,
                today=deps.today,
            )
            notices.append(
                _notice(
                    PriceAlertTriggered,
                    sub,
                    f"alert:{sub.id}:move:{period}",
                    category="alerts",
                    words=words,
                    data={
                        "alert_id": sub.id,
                        "crop": sub.crop,
                        "market": sub.market,
                        "rule": "move",
                        "move_pct": pct,
                        "data_through": forecast.data_through.isoformat(),
                    },
                )
            )
    return _publish_claimed(notices, deps)


# ------------------------------------------------------------------ the weekly digest
@dataclass
class PairOutlook:
    price: float | None
    ahead: float | None
    data_through: date | None
    stale: bool


def _outlook(crop: str, market: str, deps: Firing, cache: dict[tuple[str, str], PairOutlook]) -> PairOutlook:
    if (crop, market) not in cache:
        forecast = deps.prices.forecast(market, crop, 4)
        price = deps.prices.latest_price(market, crop) if forecast is not None else None
        through = forecast.data_through if forecast is not None else None
        fresh = freshness(through, deps.today, deps.stale_after_days)
        last = forecast.predictions[-1] if forecast is not None and forecast.predictions else None
        ahead = float(last.price) if last is not None else None
        cache[(crop, market)] = PairOutlook(price, ahead, through, fresh.stale)
    return cache[(crop, market)]


def compile_digest(
    owner: str, deps: Firing, store_owned: list[dict[str, Any]], cache: dict[tuple[str, str], PairOutlook]
) -> Notice | None:
    subs = [Subscription.model_validate(i) for i in store_owned]
    subs = [s for s in subs if s.digest]
    if not subs:
        return None
    lines: dict[str, list[str]] = {"en": [], "lg": []}
    for sub in subs:
        o = _outlook(sub.crop, sub.market, deps, cache)
        for language in ("en", "lg"):
            lines[language].append(
                texts.digest_line(
                    sub.crop,
                    sub.market,
                    price=o.price,
                    ahead=o.ahead,
                    data_through=o.data_through,
                    stale=o.stale,
                    today=deps.today,
                    language=language,
                )
            )
    return _notice(
        PriceDigestCompiled,
        subs[0],
        f"digest:{owner}:{week(deps.today)}",
        category="digest",
        words=texts.digest(lines),
        data={"alerts": len(subs)},
    )


def digests(owners: list[str], deps: Firing) -> int:
    """Compile and publish the digest of each owner (once per owner and week)."""
    cache: dict[tuple[str, str], PairOutlook] = {}
    notices = [n for owner in owners if (n := compile_digest(owner, deps, deps.store.owned(owner), cache))]
    return _publish_claimed(notices, deps)
