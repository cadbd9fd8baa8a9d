"""Price alerts' rules with in-memory fakes: thresholds fire at or beyond their limit, once per rule
and ISO week; a stale price never fires; forecast moves compare the latest price with the forecast 4
weeks ahead; a failed publish releases its claims; digests compile each subscriber's pairs once per
week; every SMS fits (160 characters for alerts, 306 for digests) with the longest names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from soko.alerts import logic, texts
from soko.alerts.dal import AlertNotFound, TooManyAlerts
from soko.alerts.models import MAX_SUBSCRIPTIONS, AlertCreate
from soko.ml.events import ModelTrained, PricesObserved
from soko.ml.models import Forecast, WeeklyPrice
from soko.ml.public import FORECAST_CROPS, MARKETS
from soko.shared.events import EventDetail
from soko.shared.notices import SMS_LIMIT, SMS_TWO_PARTS

TODAY = date(2026, 11, 23)  # a Monday


@dataclass
class FakeStore:
    subs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    claims: set[str] = field(default_factory=set)
    pair_reads: list[tuple[str, str]] = field(default_factory=list)

    def create(self, sub: dict[str, Any], limit: int) -> None:
        if len(self.owned(sub["owner"])) >= limit:
            raise TooManyAlerts("too many")
        self.subs[(sub["owner"], sub["id"])] = sub

    def delete(self, owner: str, sub_id: str) -> None:
        if self.subs.pop((owner, sub_id), None) is None:
            raise AlertNotFound("no")

    def page(self, owner: str, limit: int, cursor: str | None) -> Any:
        return SimpleNamespace(items=self.owned(owner)[:limit], next_cursor=None)

    def owned(self, owner: str) -> list[dict[str, Any]]:
        return [s for (o, _), s in self.subs.items() if o == owner]

    def of_pair(self, crop: str, market: str) -> Iterable[dict[str, Any]]:
        self.pair_reads.append((crop, market))
        return [s for s in self.subs.values() if (s["crop"], s["market"]) == (crop, market)]

    def claim(self, key: str, ttl_seconds: int, **fields: Any) -> bool:
        if key in self.claims:
            return False
        self.claims.add(key)
        return True

    def release(self, key: str) -> None:
        self.claims.discard(key)


@dataclass
class FakePrices:
    latest: float | None = 1000.0
    weeks: tuple[int, ...] = (1020, 1050, 1100, 1250)
    through: date | None = TODAY - timedelta(days=5)

    def latest_price(self, market: str, crop: str) -> float | None:
        return self.latest

    def forecast(self, market: str, crop: str, weeks_ahead: int = 4) -> Forecast | None:
        if self.through is None:
            return None
        weeks = [
            WeeklyPrice(week_start=TODAY + timedelta(weeks=i), price=p, lower=p, upper=p)
            for i, p in enumerate(self.weeks)
        ]
        return Forecast(
            market=market, crop=crop, predictions=weeks, source="model", data_through=self.through
        )


@dataclass
class FakePublisher:
    events: list[EventDetail] = field(default_factory=list)
    down: bool = False

    def publish(self, events: Iterable[EventDetail]) -> None:
        if self.down:
            raise RuntimeError("bus down")
        self.events += list(events)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def firing(store: FakeStore) -> logic.Firing:
    return logic.Firing(store=store, prices=FakePrices(), publisher=FakePublisher(), today=TODAY)


def sub(store: FakeStore, owner: str = "USER#u1", **rules: Any) -> str:
    request = AlertCreate(crop="maize", market="Lira", **rules)
    user = owner.removeprefix("USER#") if owner.startswith("USER#") else None
    phone = owner.removeprefix("PHONE#") if owner.startswith("PHONE#") else None
    return logic.subscribe(
        owner, request, logic.Alerts(store), user_id=user, phone=phone, language="lg" if phone else None
    ).id


def observed(price: int, day: date = TODAY, market: str = "Lira") -> PricesObserved:
    return PricesObserved(market=market, crop="maize_grain", source="wfp", day=day, price_ugx=price)


def published(firing: logic.Firing) -> list[Any]:
    return firing.publisher.events  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(
    ("rules", "price", "fires"),
    [
        ({"above_ugx": 1000}, 1000, True),
        ({"above_ugx": 1000}, 999, False),
        ({"below_ugx": 900}, 900, True),
        ({"below_ugx": 900}, 901, False),
        ({"above_ugx": 1500, "below_ugx": 900}, 1200, False),
        ({"digest": True}, 1, False),
        ({"forecast_move_pct": 5}, 99999, False),  # forecast rules do not fire on observations
    ],
)
def test_thresholds(
    store: FakeStore, firing: logic.Firing, rules: dict[str, Any], price: int, fires: bool
) -> None:
    sub(store, **rules)
    assert logic.on_prices_observed(observed(price), firing) == int(fires)


def test_once_per_rule_and_week(store: FakeStore, firing: logic.Firing) -> None:
    alert_id = sub(store, below_ugx=900)
    assert logic.on_prices_observed(observed(800), firing) == 1
    assert logic.on_prices_observed(observed(700, TODAY + timedelta(days=6)), firing) == 0  # same ISO week
    firing.today = TODAY + timedelta(days=7)
    assert logic.on_prices_observed(observed(700, TODAY + timedelta(days=7)), firing) == 1  # next week
    assert [n.notice_id for n in published(firing)] == [
        f"alert:{alert_id}:below:2026-W48",
        f"alert:{alert_id}:below:2026-W49",
    ]


def test_only_the_pair_is_read(store: FakeStore, firing: logic.Firing) -> None:
    sub(store, below_ugx=900)
    logic.on_prices_observed(observed(800, market="Gulu"), firing)
    assert store.pair_reads == [("maize_grain", "Gulu")] and published(firing) == []


def test_a_stale_price_never_fires(store: FakeStore, firing: logic.Firing) -> None:
    sub(store, below_ugx=900)
    assert logic.on_prices_observed(observed(500, TODAY - timedelta(days=61)), firing) == 0
    assert logic.on_prices_observed(observed(500, TODAY - timedelta(days=60)), firing) == 1


def test_a_failed_publish_releases_its_claims(store: FakeStore, firing: logic.Firing) -> None:
    sub(store, below_ugx=900)
    firing.publisher.down = True  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError):
        logic.on_prices_observed(observed(800), firing)
    assert store.claims == set()
    firing.publisher.down = False  # type: ignore[attr-defined]
    assert logic.on_prices_observed(observed(800), firing) == 1


def test_phone_only_notices_carry_phone_and_language(store: FakeStore, firing: logic.Firing) -> None:
    sub(store, owner="PHONE#+256772123456", below_ugx=900)
    logic.on_prices_observed(observed(800), firing)
    [notice] = published(firing)
    assert notice.phone == "+256772123456" and notice.language == "lg" and notice.user_id is None


def trained() -> ModelTrained:
    return ModelTrained(
        market="Lira",
        crop="maize_grain",
        model_version="v",
        method="ets",
        data_through="2026-11-18",
        observations=9,
    )


@pytest.mark.parametrize(
    ("pct", "weeks", "fires"),
    [(20, (1250,), True), (25, (1250,), False), (20, (750,), True), (30, (750,), False)],
)
def test_forecast_moves(
    store: FakeStore, firing: logic.Firing, pct: int, weeks: tuple[int, ...], fires: bool
) -> None:
    sub(store, forecast_move_pct=pct)
    firing.prices = FakePrices(weeks=weeks)
    assert logic.on_model_trained(trained(), firing) == int(fires)
    if fires:
        [notice] = published(firing)
        word = "up" if weeks[0] > 1000 else "down"
        assert f"{word} 25%" in notice.sms.en and "5 days old" in notice.sms.en


def test_a_stale_forecast_or_no_prices_never_fires(store: FakeStore, firing: logic.Firing) -> None:
    sub(store, forecast_move_pct=5)
    firing.prices = FakePrices(through=TODAY - timedelta(days=90))
    assert logic.on_model_trained(trained(), firing) == 0
    firing.prices = FakePrices(through=None)
    assert logic.on_model_trained(trained(), firing) == 0
    firing.prices = FakePrices(latest=None)
    assert logic.on_model_trained(trained(), firing) == 0


def test_digests_once_per_subscriber_and_week(store: FakeStore, firing: logic.Firing) -> None:
    sub(store, digest=True)
    logic.subscribe(
        "USER#u1", AlertCreate(crop="beans", market="Gulu", digest=True), logic.Alerts(store), user_id="u1"
    )
    sub(store, owner="USER#u2", below_ugx=900)  # no digest
    assert logic.digests(["USER#u1", "USER#u2"], firing) == 1
    assert logic.digests(["USER#u1"], firing) == 0
    [notice] = published(firing)
    assert notice.notice_id == "digest:USER#u1:2026-W48" and notice.category == "digest"
    assert "Maize Lira: 1,000 (18 Nov 2026, 5 days old), 4 wks 1,250" in notice.sms.en
    assert "Ebijanjaalo Gulu" in notice.sms.lg


def test_a_stale_pair_in_the_digest_says_old_and_shows_no_outlook(
    store: FakeStore, firing: logic.Firing
) -> None:
    sub(store, digest=True)
    firing.prices = FakePrices(through=TODAY - timedelta(days=400))
    logic.digests(["USER#u1"], firing)
    [notice] = published(firing)
    assert "old)" in notice.sms.en and "4 wks" not in notice.sms.en and "nkadde" in notice.sms.lg


def test_limit_and_stop(store: FakeStore) -> None:
    deps = logic.Alerts(store)
    for _ in range(MAX_SUBSCRIPTIONS):
        sub(store, below_ugx=900)
    with pytest.raises(TooManyAlerts):
        sub(store, below_ugx=900)
    assert logic.stop("USER#u1", "yellow_beans", deps) == 0
    assert logic.stop("USER#u1", None, deps) == MAX_SUBSCRIPTIONS
    assert store.owned("USER#u1") == []


LONGEST_MARKET = max((m.id for m in MARKETS), key=lambda m: len(texts.market_name(m)))


@pytest.mark.parametrize("crop", FORECAST_CROPS)
def test_every_alert_sms_fits_one_message(crop: str) -> None:
    big = 9_999_999
    day = TODAY - timedelta(days=59)
    for direction in ("above", "below"):
        words = texts.threshold(
            crop, LONGEST_MARKET, price=big, limit=big, direction=direction, day=day, today=TODAY
        )
        assert len(words["sms"].en) <= SMS_LIMIT and len(words["sms"].lg) <= SMS_LIMIT
        assert "STOP" in words["sms"].en and "STOP" in words["sms"].lg  # never cut off
    words = texts.forecast_move(
        crop, LONGEST_MARKET, now=big, ahead=1, pct=-100, data_through=day, today=TODAY
    )
    assert len(words["sms"].en) <= SMS_LIMIT and len(words["sms"].lg) <= SMS_LIMIT
    assert "STOP" in words["sms"].en and "STOP" in words["sms"].lg
    for reply in (
        texts.subscribed(crop, LONGEST_MARKET, "at or above UGX 9,999,999", "waggulu wa UGX 9,999,999"),
        texts.already(crop, LONGEST_MARKET),
        texts.stopped(3, crop),
        texts.stopped(0, None),
        texts.too_many(20),
        texts.HELP,
    ):
        assert len(reply.en) <= SMS_LIMIT and len(reply.lg) <= SMS_LIMIT, reply


def test_a_full_digest_fits_two_parts_and_says_how_many_more() -> None:
    lines = {
        lang: [
            texts.digest_line(
                c,
                m.id,
                price=9_999_999,
                ahead=9_999_999,
                data_through=TODAY,
                stale=False,
                today=TODAY,
                language=lang,
            )
            for c in FORECAST_CROPS
            for m in MARKETS[:3]
        ][:20]
        for lang in ("en", "lg")
    }
    words = texts.digest(lines)
    assert len(words["sms"].en) <= SMS_TWO_PARTS and len(words["sms"].lg) <= SMS_TWO_PARTS
    assert "more in app" in words["sms"].en and "endala" in words["sms"].lg
    assert words["body"].en.count("\n") == 20
