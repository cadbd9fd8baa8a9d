"""GET /analytics/market (public): a crop's weekly traded kilograms and kg-weighted median price, in
a district or everywhere, next to WFP's observation nearest each week; no user id in the answer;
precise 422s for unknown crops, districts and week counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from metrics_support import envelope, feed, order

from soko.analytics.market_intel import weighted_median
from soko.market import events as me
from soko.ml.dal import MlDal
from soko.ml.models import Observation
from soko.ml.public import market_for_district
from soko.shared import clock
from soko_local.provision import Deployment
from support.gateway import Api
from support.lambda_env import Invoke
from support.tables import Table


def week_of(day: datetime) -> str:
    year, week, _ = (day + timedelta(hours=3)).isocalendar()
    return f"{year}-W{week:02d}"


def test_weekly_volume_and_median_by_district_and_everywhere(
    api: Api, invoke: Invoke, deployment: Deployment, analytics_table: Table, operations: list[str]
) -> None:
    now = clock.now().astimezone(UTC).replace(microsecond=0) - timedelta(hours=1)
    last_week = now - timedelta(days=7)
    trades = [  # (when, district, kg, price)
        (now, "Gulu", "100.000", 1_000),
        (now, "Gulu", "300.000", 1_200),
        (now, "Gulu", "50.000", 900),
        (now, "Lira", "500.000", 700),
        (last_week, "Gulu", "10.000", 1_500),
    ]
    events = []
    for n, (at, district, kg, price) in enumerate(trades):
        fields = {
            "buyer_id": f"SECRET-BUYER-{n}",
            "farmer_id": f"SECRET-FARMER-{n}",
            "crop": "maize_grain",
            "district": district,
            "quantity_kg": kg,
            "price_per_kg_ugx": price,
            "total_ugx": int(Decimal(kg) * price),
        }
        events.append(envelope(order(f"OM{n}", me.OrderCompleted, **fields), at))
    assert feed(invoke, events + events) == []
    market = market_for_district("Gulu").id
    MlDal(deployment.physical["MlTable"]).add_observation(
        Observation(
            market=market,
            crop="maize_grain",
            day=(now + timedelta(hours=3)).date(),
            price=Decimal(1_111),
            source="wfp",
            pricetype="retail",
        )
    )

    operations.clear()
    answer = (
        api.get("/analytics/market", query={"crop": "maize", "district": "gulu", "weeks": "2"})
        .expect(200)
        .json
    )
    assert [o for o in operations if o == "Query" or o == "Scan"].count("Scan") == 0
    assert answer["crop"] == "maize_grain" and answer["district"] == "Gulu" and answer["market"] == market
    weeks = {w["week"]: w for w in answer["weeks"]}
    assert list(weeks) == [week_of(last_week), week_of(now)]
    this = weeks[week_of(now)]
    assert (this["orders"], this["kg"]) == (3, 450.0)
    assert (
        this["median_price_ugx"] == 1_200
    )  # 50 kg at 900, 100 at 1,000, 300 at 1,200: half (225) is at 1,200
    assert this["wfp_price_ugx"] == 1_111
    assert weeks[week_of(last_week)]["median_price_ugx"] == 1_500

    everywhere = api.get("/analytics/market", query={"crop": "maize_grain", "weeks": "1"}).expect(200).json
    assert everywhere["district"] is None and everywhere["market"] is None
    assert everywhere["weeks"][0]["orders"] == 4 and everywhere["weeks"][0]["kg"] == 950.0
    assert everywhere["weeks"][0]["median_price_ugx"] == 700  # 500 of 950 kg at 700
    assert everywhere["weeks"][0]["wfp_price_ugx"] is None
    assert "SECRET" not in str(answer) + str(everywhere)
    assert not any("SECRET" in str(i) for i in analytics_table.with_prefix("MARKET#"))


def test_market_inputs_are_validated(api: Api) -> None:
    api.get("/analytics/market", query={}).expect(422)
    reply = api.get("/analytics/market", query={"crop": "unobtainium"}).expect(422)
    assert "crop" in str(reply.json)
    reply = api.get("/analytics/market", query={"crop": "maize", "district": "Atlantis"}).expect(422)
    assert "district" in str(reply.json)
    for bad in ("0", "53", "many"):
        api.get("/analytics/market", query={"crop": "maize", "weeks": bad}).expect(422)
    empty = api.get("/analytics/market", query={"crop": "beans"}).expect(200).json
    assert len(empty["weeks"]) == 12 and all(
        w["orders"] == 0 and w["median_price_ugx"] is None for w in empty["weeks"]
    )


def test_weighted_median() -> None:
    assert weighted_median({}) is None
    assert weighted_median({1_000: 1.0}) == 1_000
    assert weighted_median({900: 1.0, 1_000: 1.0}) == 900
    assert weighted_median({900: 1.0, 1_000: 3.0}) == 1_000
