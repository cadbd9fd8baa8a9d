"""GET /analytics/me: a farmer's completed orders by month and crop (fed through the counters
consumer) next to WFP's observed and our forecast prices in the market nearest their district,
their buyers and ratings; roles and inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from metrics_support import envelope, feed, order

from soko.market import events as me
from soko.ml.dal import MlDal
from soko.ml.models import ModelDocument, Observation, WeeklyPrice
from soko.ml.public import market_for_district
from soko.shared import clock
from soko_local.provision import Deployment
from support.gateway import Api
from support.lambda_env import REGION, Invoke
from support.users import new_user


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def put_farmer(deployment: Deployment, user_id: str, district: str) -> None:
    table = boto3.resource("dynamodb", region_name=REGION).Table(deployment.physical["UsersTable"])
    table.put_item(
        Item={
            "pk": f"USER#{user_id}",
            "sk": "PROFILE",
            "id": user_id,
            "role": "farmer",
            "district": district,
            "created_at": clock.now_iso(),
            "updated_at": clock.now_iso(),
        }
    )


def test_a_farmer_sees_sales_by_month_and_crop_against_the_market(
    api: Api, invoke: Invoke, deployment: Deployment
) -> None:
    farmer = new_user("farmer")
    put_farmer(deployment, farmer.id, "Lira")
    market = market_for_district("Lira").id
    today = clock.now().astimezone(clock.EAT).date()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    ml = MlDal(deployment.physical["MlTable"])
    for day, price in ((last_month + timedelta(days=9), 1_000), (last_month + timedelta(days=20), 1_100)):
        ml.add_observation(
            Observation(
                market=market,
                crop="maize_grain",
                day=day,
                price=Decimal(price),
                source="wfp",
                pricetype="retail",
            )
        )
    ml.put_forecast(
        ModelDocument(
            market=market,
            crop="maize_grain",
            model_version="v1",
            method="ets",
            series="wfp",
            data_through=str(last_month),
            trained_at=clock.now_iso(),
            inner_backtest_mape=0.1,
            inner_backtest_naive_mape=0.2,
            inner_backtest_candidates={"ets": 0.1},
            data_from="2024-01-15",
            predictions=[
                WeeklyPrice(
                    week_start=this_month + timedelta(days=7 * k), price=1_300, lower=1_200, upper=1_400
                )
                for k in range(3)
            ],
        )
    )
    noon = lambda d: datetime(d.year, d.month, d.day, 9, tzinfo=UTC)  # noqa: E731
    sales = [
        (last_month + timedelta(days=3), "B1", "maize_grain", "100.000", 1_000),
        (last_month + timedelta(days=5), "B1", "maize_grain", "300.000", 1_200),
        (this_month, "B2", "maize_grain", "50.000", 1_250),
        (this_month, "B3", "matoke", "200.000", 800),
    ]
    events = []
    for n, (day, buyer, crop, kg, price) in enumerate(sales):
        total = int(Decimal(kg) * price)
        fields = {
            "buyer_id": buyer,
            "farmer_id": farmer.id,
            "crop": crop,
            "district": "Lira",
            "quantity_kg": kg,
            "price_per_kg_ugx": price,
            "total_ugx": total,
        }
        events.append(envelope(order(f"OF{n}", me.OrderCompleted, **fields), noon(day)))
        if n < 3:
            review = me.ReviewSubmitted(
                order_id=f"OF{n}",
                buyer_id=buyer,
                farmer_id=farmer.id,
                rating=3 + n % 3,
                farmer_rating_sum=0,
                farmer_rating_count=0,
                farmer_fulfillment_rate=None,
            )
            events.append(envelope(review, noon(day)))
    other = {
        "buyer_id": "B9",
        "farmer_id": "someone-else",
        "crop": "maize_grain",
        "district": "Lira",
        "quantity_kg": "10.000",
        "price_per_kg_ugx": 1,
        "total_ugx": 10,
    }
    events.append(envelope(order("OX", me.OrderCompleted, **other), noon(this_month)))
    assert feed(invoke, events + events[:2]) == []

    answer = api.get("/analytics/me", user=farmer, query={"months": "2"}).expect(200).json
    assert answer["farmer_id"] == farmer.id and answer["market"] == market
    rows = {(r["month"], r["crop"]): r for r in answer["months"]}
    assert set(rows) == {
        (month_of(last_month), "maize_grain"),
        (month_of(this_month), "maize_grain"),
        (month_of(this_month), "matoke"),
    }
    old = rows[(month_of(last_month), "maize_grain")]
    assert (old["orders"], old["kg"], old["revenue_ugx"]) == (2, 400.0, 100_000 + 360_000)
    assert old["average_price_ugx"] == 1_150
    assert old["market_price_ugx"] == 1_050 and old["forecast_price_ugx"] is None
    new = rows[(month_of(this_month), "maize_grain")]
    assert new["forecast_price_ugx"] == 1_300 and new["market_price_ugx"] is None
    assert rows[(month_of(this_month), "matoke")]["market_price_ugx"] is None  # matoke is not priced
    assert answer["totals"] == {
        "crop": "all",
        "orders": 4,
        "kg": 650.0,
        "gmv_ugx": 100_000 + 360_000 + 62_500 + 160_000,
    }
    assert answer["buyers"] == {"total": 3, "repeat": 1}
    ratings = {r["month"]: r for r in answer["ratings"]}
    assert ratings[month_of(last_month)] == {"month": month_of(last_month), "count": 2, "average": 3.5}
    assert "someone-else" not in str(answer)

    one = api.get("/analytics/me", user=farmer, query={"months": "1"}).expect(200).json
    assert {r["month"] for r in one["months"]} == {month_of(this_month)}


def test_a_farmer_without_sales_or_district(api: Api) -> None:
    farmer = new_user("farmer")
    answer = api.get("/analytics/me", user=farmer).expect(200).json
    assert answer == {
        "farmer_id": farmer.id,
        "market": None,
        "totals": None,
        "months": [],
        "buyers": {"total": 0, "repeat": 0},
        "ratings": [],
    }


def test_analytics_me_roles_and_inputs(api: Api) -> Any:
    api.get("/analytics/me", user=new_user("buyer")).expect(403)
    api.get("/analytics/me", user=new_user("admin")).expect(403)
    api.get("/analytics/me", user=new_user("both")).expect(200)
    farmer = new_user("farmer")
    for bad in ("0", "25", "x", "1.5"):
        reply = api.get("/analytics/me", user=farmer, query={"months": bad}).expect(422)
        assert "months" in str(reply.json)
