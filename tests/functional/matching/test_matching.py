"""Matching in-process against moto resources built from template.yaml: events through the feature
store's consumer, recommendations (scores, reasons, identity, caching and invalidation), boosts,
routing, discovery, coverage and gaps, and the bootstrap tasks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from soko.chat.events import BuyerInquired
from soko.payments.events import PaymentCompleted, PaymentFailed
from soko.shared import clock
from soko.shared.events import EventDetail
from soko_local.provision import Deployment
from support.events import eventbridge_event, sqs_event
from support.gateway import http_event

FARMER, FARMER2, BUYER, OTHER, ADMIN = "F1", "F2", "B1", "B9", "A1"
CONSUMER = "MatchFeaturesConsumerFunction"


def sqs(*events: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    return sqs_event(
        *(
            eventbridge_event(
                source,
                detail_type,
                {"schema_version": 1, "event_id": uuid.uuid4().hex, **detail},
                time=clock.now_iso(),
            )
            for source, detail_type, detail in events
        )
    )


def contract_event(detail: EventDetail) -> tuple[str, str, dict[str, Any]]:
    """A producer's real event (its contract, as it goes on the bus) for :func:`sqs`."""
    return detail.SOURCE, detail.DETAIL_TYPE, detail.model_dump(mode="json")


def http(
    method: str,
    path: str,
    *,
    user: str | None = None,
    role: str = "buyer",
    body: Any = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    context = {"userId": user, "role": role, "email": "a@b.c"} if user else None
    return http_event(None, method, path, query=query, body=body, context=context)


def answer(result: dict[str, Any]) -> tuple[int, Any]:
    return result["statusCode"], json.loads(result["body"])


def registered(user_id: str, role: str, district: str, crops: list[str]) -> tuple[str, str, dict[str, Any]]:
    field = "specialties" if role == "farmer" else "interests"
    return (
        "soko.users",
        "UserRegistered",
        {"user_id": user_id, "role": role, "district": district, field: crops},
    )


@pytest.fixture
def world(invoke: Any) -> Any:
    result = invoke(
        CONSUMER,
        sqs(
            registered(FARMER, "farmer", "Lira", ["maize", "sorghum"]),
            registered(FARMER2, "farmer", "Gulu", ["Sorghum", "millet", "beans"]),
            registered("F3", "farmer", "Kabale", ["coffee"]),  # no overlap, other district: not a candidate
            registered(BUYER, "buyer", "Lira", ["maize", "sorghum", "millet"]),
            registered(OTHER, "buyer", "Gulu", ["sorghum"]),
        ),
    )
    assert result["batchItemFailures"] == []
    return invoke


def farmers_for(invoke: Any, buyer: str, caller: str | None = None, role: str = "buyer", **query: str) -> Any:
    path = f"/ml/recommend/farmers-for-buyer/{buyer}"
    event = http("GET", path, user=caller or buyer, role=role, query=query or None)
    event["pathParameters"] = {"buyer_id": buyer}
    return answer(invoke("FarmersForBuyerFunction", event))


def test_a_new_buyer_gets_farmers_scored_and_explained(world: Any) -> None:
    status, body = farmers_for(world, BUYER)

    assert status == 200, body
    assert [m["id"] for m in body["items"]] == [FARMER, FARMER2]
    first, second = body["items"]
    # F1: 0.35 * 2/3 + 0.20 (Lira) = 0.433 ; F2: 0.35 * 2/3 = 0.233 (no rating or fulfilment yet)
    assert (first["matchScore"], second["matchScore"]) == (0.433, 0.233)
    assert first["explanation"] == "grows 2 of your 3 crops · same district · not rated yet"
    assert first["crops"] == ["maize_grain", "sorghum"] and first["district"] == "Lira"
    assert body["cached"] is False


def test_only_the_user_or_an_admin_reads_recommendations(world: Any) -> None:
    assert farmers_for(world, BUYER, caller=OTHER)[0] == 403
    assert farmers_for(world, BUYER, caller=ADMIN, role="admin")[0] == 200
    status, body = farmers_for(world, "NOBODY")
    assert status == 404 and body["error"]["code"] == "BUYER_NOT_FOUND"
    assert farmers_for(world, BUYER, top_n="0")[0] == 422
    assert farmers_for(world, BUYER, top_n="51")[0] == 422
    assert len(farmers_for(world, BUYER, top_n="1")[1]["items"]) == 1


def test_the_legacy_path_answers_the_same(world: Any) -> None:
    event = http("GET", f"/recommendations/farmers-for-buyer/{BUYER}", user=BUYER)
    event["pathParameters"] = {"buyer_id": BUYER}
    status, body = answer(world("FarmersForBuyerFunction", event))
    assert status == 200 and body["items"][0]["id"] == FARMER


def test_a_list_cached_in_an_older_shape_is_never_served(world: Any, deployment: Deployment) -> None:
    """Lists cached before the tiers carried other users' figures: the answer's version is part of
    what a cached list was computed from, so one without it is stale."""
    assert farmers_for(world, BUYER)[1]["cached"] is False
    table = boto3.resource("dynamodb").Table(deployment.physical["MatchTable"])
    key = {"pk": f"CACHE#farmers-for-buyer#{BUYER}", "sk": "TOP"}
    item = table.get_item(Key=key)["Item"]
    assert item["deps"]["ANSWER_VERSION"] == 2
    old = {k: v for k, v in item["deps"].items() if k != "ANSWER_VERSION"}
    table.put_item(Item={**item, "deps": old})
    assert farmers_for(world, BUYER)[1]["cached"] is False
    assert farmers_for(world, BUYER)[1]["cached"] is True


def test_the_cache_serves_until_an_event_changes_a_candidate(world: Any) -> None:
    assert farmers_for(world, BUYER)[1]["cached"] is False
    assert farmers_for(world, BUYER)[1]["cached"] is True

    review = {
        "order_id": "O1",
        "buyer_id": OTHER,
        "farmer_id": FARMER2,
        "rating": 5,
        "farmer_rating_sum": 10,
        "farmer_rating_count": 2,
        "farmer_fulfillment_rate": 1.0,
    }
    assert world(CONSUMER, sqs(("soko.orders", "ReviewSubmitted", review)))["batchItemFailures"] == []

    _, body = farmers_for(world, BUYER)
    assert body["cached"] is False
    f2 = next(m for m in body["items"] if m["id"] == FARMER2)
    assert f2["rating"] == 5.0 and f2["score_parts"]["rating"] == 0.2
    assert farmers_for(world, BUYER)[1]["cached"] is True
    # a farmer outside the buyer's crops and district changing does not invalidate the list
    world(
        CONSUMER,
        sqs(
            (
                "soko.users",
                "ProfileUpdated",
                {"user_id": "F3", "role": "farmer", "district": "Kabale", "specialties": ["coffee", "tea"]},
            )
        ),
    )
    assert farmers_for(world, BUYER)[1]["cached"] is True


def _match_table(deployment: Deployment) -> Any:
    return boto3.resource("dynamodb").Table(deployment.physical["MatchTable"])


def _partition(deployment: Deployment, pk: str) -> list[dict[str, Any]]:
    query = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": pk}}
    return list(_match_table(deployment).query(**query)["Items"])


def rated(farmer_id: str, total: int, count: int) -> tuple[str, str, dict[str, Any]]:
    detail = {"order_id": f"O-{farmer_id}", "buyer_id": "RATER", "farmer_id": farmer_id, "rating": 3}
    return (
        "soko.orders",
        "ReviewSubmitted",
        {**detail, "farmer_rating_sum": total, "farmer_rating_count": count, "farmer_fulfillment_rate": None},
    )


def test_a_request_reads_a_bounded_number_of_candidates_strongest_first(
    invoke: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from soko.matching import dal  # noqa: PLC0415
    from soko.shared import dynamo  # noqa: PLC0415

    growers = [f"G{n}" for n in range(6)]
    events = [registered(f, "farmer", "Gulu", ["cassava"]) for f in growers]
    events += [rated(f, n, 1) for n, f in enumerate(growers)]  # G5 rated 5 ... G0 rated 0
    events.append(registered("B5", "buyer", "Kabale", ["cassava"]))
    assert invoke(CONSUMER, sqs(*events))["batchItemFailures"] == []

    reads: list[tuple[str, int | None, int]] = []

    class CountingTable:
        def __init__(self, table: Any) -> None:
            self.table = table

        def query(self, **request: Any) -> Any:
            page = self.table.query(**request)
            partition = request["ExpressionAttributeValues"][":p"]
            if partition.startswith("FARMERS#"):
                reads.append((partition, request.get("Limit"), len(page["Items"])))
            return page

        def __getattr__(self, name: str) -> Any:
            return getattr(self.table, name)

    monkeypatch.setattr(dal, "CANDIDATES_PER_PARTITION", 3)
    monkeypatch.setattr(
        dal.MatchDal, "_table", property(lambda self: CountingTable(dynamo.table(self.table_name)))
    )
    status, body = farmers_for(invoke, "B5")

    assert status == 200, body
    # six growers in the crop partition, three read: the best three by rating
    assert reads == [("FARMERS#CROP#cassava_fresh", 3, 3), ("FARMERS#DIST#kabale", 3, 0)]
    # 0.35 (1 of 1 crop) + 0.20 * rating/5
    assert [(m["id"], m["matchScore"]) for m in body["items"]] == [("G5", 0.55), ("G4", 0.51), ("G3", 0.47)]


def test_a_changed_static_score_moves_the_candidate_items(world: Any, deployment: Deployment) -> None:
    partitions = [
        "FARMERS#CROP#sorghum",
        "FARMERS#CROP#millet",
        "FARMERS#CROP#yellow_beans",
        "FARMERS#DIST#gulu",
    ]
    for pk in partitions:
        assert [i["sk"] for i in _partition(deployment, pk) if i["id"] == FARMER2] == ["00000#F2"]

    assert world(CONSUMER, sqs(rated(FARMER2, 10, 2)))["batchItemFailures"] == []

    for pk in partitions:  # rated 5: 0.20 static; the old items are gone, in the same transaction
        assert [i["sk"] for i in _partition(deployment, pk) if i["id"] == FARMER2] == ["02000#F2"]
    record = _match_table(deployment).get_item(Key={"pk": f"FARMER#{FARMER2}", "sk": "FEATURES"})["Item"]
    assert record["candidate_sk"] == "02000#F2"


def test_items_keyed_the_old_way_move_on_the_next_save(world: Any, deployment: Deployment) -> None:
    """Candidate items written before the keys carried the score (sk = the id) are replaced the
    next time the record is saved, even by an event (or a bootstrap) that changes nothing else."""
    table = _match_table(deployment)
    key = {"pk": "FARMER#F3", "sk": "FEATURES"}
    record = table.get_item(Key=key)["Item"]
    table.update_item(Key=key, UpdateExpression="REMOVE candidate_sk")
    for pk in ("FARMERS#CROP#coffee", "FARMERS#DIST#kabale"):
        (item,) = _partition(deployment, pk)
        table.delete_item(Key={"pk": pk, "sk": item["sk"]})
        table.put_item(Item={**item, "sk": "F3"})

    again = registered("F3", "farmer", "Kabale", ["coffee"])
    assert world(CONSUMER, sqs(again))["batchItemFailures"] == []

    for pk in ("FARMERS#CROP#coffee", "FARMERS#DIST#kabale"):
        assert [i["sk"] for i in _partition(deployment, pk)] == ["00000#F3"]
    assert table.get_item(Key=key)["Item"]["version"] == record["version"] + 1


def test_interactions_boost_the_pair_once_per_event(world: Any) -> None:
    view = (
        "soko.listings",
        "ListingViewed",
        {
            "listing_id": "L1",
            "farmer_id": FARMER2,
            "viewer_id": BUYER,
            "crop": "sorghum",
            "day": "2026-11-21",
        },
    )
    inquiry = BuyerInquired(buyer_id=BUYER, farmer_id=FARMER2, listing_id="L1", conversation_id="C1")
    events = sqs(view, contract_event(inquiry))
    assert world(CONSUMER, events)["batchItemFailures"] == []
    world(CONSUMER, events)  # redelivered: idempotent on the event id

    f2 = next(m for m in farmers_for(world, BUYER)[1]["items"] if m["id"] == FARMER2)
    assert f2["score_parts"]["boost"] == pytest.approx(0.07, abs=1e-3)  # 0.02 view + 0.05 inquiry
    assert "you have dealt with each other recently (+0.07)" in f2["reasons"]

    order = {
        "order_id": "O3",
        "listing_id": "L1",
        "buyer_id": BUYER,
        "farmer_id": FARMER2,
        "crop": "sorghum",
        "district": "Gulu",
        "quantity_kg": "10.000",
        "price_per_kg_ugx": 900,
        "total_ugx": 9000,
    }
    completed = {**order, "completed_at": "2026-11-21T10:00:00Z"}
    world(
        CONSUMER,
        sqs(
            ("soko.orders", "OrderCompleted", completed),
            ("soko.orders", "OrderCompleted", {**completed, "order_id": "O4"}),
        ),
    )
    f2 = next(m for m in farmers_for(world, BUYER)[1]["items"] if m["id"] == FARMER2)
    assert f2["score_parts"]["boost"] == pytest.approx(0.20, abs=1e-3)  # 0.07 + 0.10 + 0.10, capped
    assert f2["score_parts"]["fulfillment"] == 0.15  # 2 completed, 0 rejected: high
    assert f2["fulfillment_tier"] == "high" and "fulfils nearly every order" in f2["reasons"]


def test_a_buyers_first_message_is_the_inquiry_boost_and_an_order_request_is_not(world: Any) -> None:
    placed = {
        "order_id": "O2",
        "listing_id": "L1",
        "buyer_id": BUYER,
        "farmer_id": FARMER2,
        "crop": "sorghum",
        "district": "Gulu",
        "quantity_kg": "10.000",
        "price_per_kg_ugx": 900,
        "total_ugx": 9000,
    }
    assert world(CONSUMER, sqs(("soko.orders", "OrderPlaced", placed)))["batchItemFailures"] == []
    f2 = next(m for m in farmers_for(world, BUYER)[1]["items"] if m["id"] == FARMER2)
    assert f2["score_parts"]["boost"] == 0.0

    inquiry = sqs(contract_event(BuyerInquired(buyer_id=BUYER, farmer_id=FARMER2, conversation_id="C1")))
    for _ in range(3):  # redelivered (a new SQS message, the same event): applied once
        inquiry["Records"][0]["messageId"] = str(uuid.uuid4())
        assert world(CONSUMER, inquiry)["batchItemFailures"] == []

    _, body = farmers_for(world, BUYER)
    f2 = next(m for m in body["items"] if m["id"] == FARMER2)
    assert f2["score_parts"]["boost"] == pytest.approx(0.05, abs=1e-3)
    assert body["cached"] is False  # the boost invalidated the cached list
    status, body = answer(world("BuyersForFarmerFunction", _buyers_for(FARMER2)))
    assert status == 200
    b1 = next(m for m in body["items"] if m["id"] == BUYER)
    assert b1["score_parts"]["boost"] == pytest.approx(0.05, abs=1e-3)  # both sides see the pair


def test_boosts_decay_with_a_30_day_half_life(world: Any, deployment: Deployment) -> None:
    table = boto3.resource("dynamodb").Table(deployment.physical["MatchTable"])
    month_ago = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    for pk, sk in ((f"BOOST#B#{BUYER}", FARMER2), (f"BOOST#F#{FARMER2}", BUYER)):
        table.put_item(Item={"pk": pk, "sk": sk, "value": "0.2", "as_of": month_ago, "version": 1})
    f2 = next(m for m in farmers_for(world, BUYER)[1]["items"] if m["id"] == FARMER2)
    assert f2["score_parts"]["boost"] == pytest.approx(0.10, abs=2e-3)


def _buyers_for(farmer: str) -> dict[str, Any]:
    event = http("GET", f"/ml/recommend/buyers-for-farmer/{farmer}", user=farmer, role="farmer")
    event["pathParameters"] = {"farmer_id": farmer}
    return event


def _payment(payment_id: str, buyer: str) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "order_id": "O1",
        "buyer_id": buyer,
        "farmer_id": "F3",
        "amount_ugx": 9000,
        "currency": "UGX",
        "provider": "mtn_momo",
    }


def test_buyers_for_a_farmer_use_payments_and_spend(world: Any) -> None:
    payment = _payment("P1", OTHER)
    world(
        CONSUMER,
        sqs(
            contract_event(PaymentCompleted(**payment, confirmation_code="MP1")),
            (
                "soko.orders",
                "OrderCompleted",
                {
                    "order_id": "O5",
                    "listing_id": "L",
                    "buyer_id": OTHER,
                    "farmer_id": "F3",
                    "crop": "sorghum",
                    "district": "Gulu",
                    "quantity_kg": "1",
                    "price_per_kg_ugx": 900,
                    "total_ugx": 90000,
                    "completed_at": "2026-11-21T10:00:00Z",
                },
            ),
        ),
    )
    event = _buyers_for(FARMER2)
    status, body = answer(world("BuyersForFarmerFunction", event))

    assert status == 200, body
    # B9 (Gulu): 0.35 * 1/3 + 0.20 + 0.25 * high (1 of 1 paid) + 0.20 * low (90,000 UGX: 1/3) = 0.633
    # B1: 0.35 * 2/3 = 0.233
    assert [(m["id"], m["matchScore"]) for m in body["items"]] == [(OTHER, 0.633), (BUYER, 0.233)]
    b9 = body["items"][0]
    assert (
        b9["explanation"] == "buys 1 of your 3 crops · same district · pays reliably · buys in small volumes"
    )
    assert (b9["payment_reliability_tier"], b9["spend_tier"], b9["fulfillment_tier"]) == ("high", "low", None)
    # the buyer's figures are nowhere in what the farmer reads: tiers only
    assert "90000" not in json.dumps(body) and "90,000" not in json.dumps(body)
    assert "100%" not in json.dumps(body)
    assert set(b9) == {
        "id",
        "full_name",
        "role",
        "district",
        "crops",
        "rating",
        "rating_count",
        "active_listings",
        "fulfillment_tier",
        "payment_reliability_tier",
        "spend_tier",
        "matchScore",
        "explanation",
        "reasons",
        "score_parts",
    }
    event["requestContext"]["authorizer"]["lambda"]["userId"] = FARMER
    assert answer(world("BuyersForFarmerFunction", event))[0] == 403


def test_payment_events_are_read_through_the_payments_contract(world: Any) -> None:
    completed = PaymentCompleted(**_payment("P1", OTHER), confirmation_code="MP1")
    failed = PaymentFailed(**_payment("P2", OTHER), reason="insufficient funds")
    result = world(CONSUMER, sqs(contract_event(completed), contract_event(failed)))
    assert result["batchItemFailures"] == []

    _, body = answer(world("BuyersForFarmerFunction", _buyers_for(FARMER2)))
    b9 = next(m for m in body["items"] if m["id"] == OTHER)
    assert b9["score_parts"]["payment_reliability"] == 0.0833  # 0.25 * low (1 paid of 2 attempts)
    assert b9["payment_reliability_tier"] == "low" and "payments often fail" in b9["reasons"]

    broken = ("soko.payments", "PaymentFailed", {"payment_id": "P3", "order_id": "O1"})  # no buyer
    batch = sqs(broken, contract_event(PaymentCompleted(**_payment("P4", OTHER), confirmation_code="MP4")))
    failures = world(CONSUMER, batch)["batchItemFailures"]
    assert failures == [{"itemIdentifier": batch["Records"][0]["messageId"]}]  # off contract: to the DLQ


# ---------------------------------------------------------------------- routing, discovery, coverage
def _ml(deployment: Deployment) -> Any:
    return boto3.resource("dynamodb").Table(deployment.physical["MlTable"])


def test_route_tier_1_ranks_markets_by_forecast_minus_transport(invoke: Any, deployment: Deployment) -> None:
    ml = _ml(deployment)
    week = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    for market, count, price in (
        ("Lira", 60, 1000),
        ("Gulu", 80, 1100),
        ("Kisenyi_Kampala", 200, 1400),
        ("Mbale", 10, 5000),
    ):
        ml.put_item(
            Item={
                "pk": "COVERAGE",
                "sk": f"maize_grain#{market}",
                "crop": "maize_grain",
                "market": market,
                "wfp_count": count,
            }
        )
        ml.put_item(
            Item={
                "pk": f"FORECAST#{market}#maize_grain",
                "sk": "LATEST",
                "predictions": [{"week_start": week, "price": price, "lower": price, "upper": price}],
            }
        )
    status, body = answer(
        invoke(
            "LocationRouteFunction",
            http("POST", "/location/route", body={"crop": "maize", "quantity_kg": 100, "district": "Lira"}),
        )
    )

    assert status == 200, body
    assert body["tier"] == 1
    options = body["options"]
    # Lira 1000 - 0 km; Kampala 1400 - 2 x ~215 km; Gulu 1100 - 2 x ~89 km; Mbale has 10 prices only
    assert [o["market"] for o in options] == ["Lira", "Kisenyi_Kampala", "Gulu"]
    lira = next(o for o in options if o["market"] == "Lira")
    assert lira["distance_km"] < 5 and lira["net_per_kg"] == 1000 - lira["transport_per_kg"]
    for option in options:  # transport is 2 UGX per kg per km by default
        assert abs(option["transport_per_kg"] - 2.0 * option["distance_km"]) <= 1
        assert option["net_total_ugx"] == option["net_per_kg"] * 100
    nets = [o["net_per_kg"] for o in options]
    assert nets == sorted(nets, reverse=True)


def test_route_tier_2_uses_cross_market_prices(invoke: Any, deployment: Deployment) -> None:
    ml = _ml(deployment)
    for market, price in (("Gulu", 800), ("Lira", 1000), ("Mbale", 1200)):
        ml.put_item(
            Item={
                "pk": "COVERAGE",
                "sk": f"sorghum#{market}",
                "crop": "sorghum",
                "market": market,
                "order_count": 3,
            }
        )
        ml.put_item(
            Item={
                "pk": f"OBS#{market}#sorghum",
                "sk": "2026-11-01#order#x",
                "price": price,
                "status": "accepted",
                "date": "2026-11-01",
            }
        )
    status, body = answer(
        invoke(
            "LocationRouteFunction",
            http(
                "POST",
                "/location/route",
                body={"crop": "sorghum", "quantity_kg": 10, "lat": 2.25, "lon": 32.9},
            ),
        )
    )
    assert status == 200, body
    assert body["tier"] == 2 and len(body["options"]) == 3
    assert {o["price_per_kg"] for o in body["options"]} == {1000}  # the median across markets
    assert body["options"][0]["market"] == "Lira"


def route_crop(invoke: Any, crop: str, district: str = "Mukono") -> tuple[int, Any]:
    body = {"crop": crop, "quantity_kg": 5, "district": district}
    return answer(invoke("LocationRouteFunction", http("POST", "/location/route", body=body)))


def gap_summary(invoke: Any, **query: str) -> tuple[int, Any]:
    return answer(invoke("GapsSummaryFunction", http("GET", "/gaps/summary", query=query or None)))


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    from soko.matching import deps  # noqa: PLC0415

    sent: list[Any] = []
    monkeypatch.setattr(deps, "_publish", sent.extend)
    return sent


def test_route_tier_3_counts_the_gap(invoke: Any, published: list[Any]) -> None:
    for district in ("Kabale", "Kabale", "Mbale"):
        status, body = route_crop(invoke, "coffee", district)
        assert status == 200 and body["tier"] == 3 and body["options"] == []
    status, body = route_crop(invoke, "vanilla")
    assert (status, body["tier"], body["crop"]) == (200, 3, "vanilla")
    assert "no prices for vanilla" in body["suggestion"]

    status, gaps = gap_summary(invoke)
    assert status == 200
    assert [(g["crop"], g["requests"]) for g in gaps["items"]] == [("coffee", 3), ("other", 1)]
    assert gaps["items"][0]["districts"] == ["Kabale", "Mbale"]
    assert gaps["next_cursor"] is None
    # a catalogue crop is an event; a name the catalogue does not know is not
    assert [(e.crop, e.reason) for e in published] == [("coffee", "unsupported_crop")] * 3


def test_unknown_crop_names_cannot_grow_the_gap_counters(invoke: Any, deployment: Deployment) -> None:
    for n in range(12):
        assert route_crop(invoke, f"junk-{n}-{uuid.uuid4().hex}")[1]["tier"] == 3

    gaps = _ml(deployment).query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": "GAP"})[
        "Items"
    ]
    assert [(g["sk"], int(g["requests"])) for g in gaps] == [("other", 12)]


def test_gaps_summary_pages_most_demanded_first(invoke: Any) -> None:
    asked = {"coffee": 3, "rice": 2, "onions": 2, "sesame": 1, "cabbage": 1}
    for crop, times in asked.items():
        for _ in range(times):
            route_crop(invoke, crop)

    seen: list[tuple[str, int]] = []
    status, page = gap_summary(invoke, limit="2")
    while True:
        assert status == 200 and len(page["items"]) <= 2
        seen += [(g["crop"], g["requests"]) for g in page["items"]]
        if not page["next_cursor"]:
            break
        status, page = gap_summary(invoke, limit="2", cursor=page["next_cursor"])
    assert seen == [("coffee", 3), ("onions", 2), ("rice", 2), ("cabbage", 1), ("sesame", 1)]

    status, body = gap_summary(invoke, cursor="not-a-cursor")
    assert status == 400 and body["error"]["code"] == "INVALID_CURSOR"
    assert gap_summary(invoke, limit="0")[0] == 422
    assert gap_summary(invoke, limit="101")[0] == 422


def test_route_rejects_bad_input(invoke: Any) -> None:
    for body in (
        {"crop": "maize", "quantity_kg": 5},
        {"crop": "maize", "quantity_kg": -1, "district": "Lira"},
        {"crop": "maize", "quantity_kg": 5, "district": "Atlantis"},
    ):
        assert answer(invoke("LocationRouteFunction", http("POST", "/location/route", body=body)))[0] == 422


def test_route_refuses_a_blank_district_without_coordinates_and_says_why(invoke: Any) -> None:
    """Found by fuzzing: a blank district with no longitude was a 500."""
    fuzzed = {"crop": "0", "district": "", "lat": 0.0, "lon": None, "quantity_kg": 5e-324}
    status, body = answer(invoke("LocationRouteFunction", http("POST", "/location/route", body=fuzzed)))
    assert status == 422, body
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert "give a district, or both lat and lon" in json.dumps(body["error"])


def test_route_with_a_blank_district_uses_the_coordinates(invoke: Any, published: list[Any]) -> None:
    body = {"crop": "0", "district": "", "lat": 0.3, "lon": 32.6, "quantity_kg": 5e-324}
    status, answered = answer(invoke("LocationRouteFunction", http("POST", "/location/route", body=body)))
    assert status == 200, answered
    assert (answered["tier"], answered["crop"], answered["options"]) == (3, "0", [])
    assert published == []  # a name the catalogue does not know publishes nothing


def test_a_buyer_interested_in_categories_overlaps_the_farmers_of_their_crops(world: Any) -> None:
    """The seed's own example of a buyer's interests is categories: each stands for its crops."""
    assert (
        world(CONSUMER, sqs(registered("BC", "buyer", "Kabale", ["Grains", "Legumes"])))["batchItemFailures"]
        == []
    )
    status, body = farmers_for(world, "BC")
    assert status == 200, body
    by_id = {m["id"]: m for m in body["items"]}
    assert set(by_id) == {FARMER, FARMER2, "F3"}  # not only the farmer of the same district
    # F2 grows sorghum, millet and beans: 3 of the buyer's 7 crops (4 grains, 3 legumes)
    assert by_id[FARMER2]["score_parts"]["crop_overlap"] > 0
    assert by_id[FARMER]["score_parts"]["crop_overlap"] > 0
    assert by_id["F3"]["score_parts"]["crop_overlap"] == 0


def test_coverage_says_which_pairs_are_model_ready(invoke: Any, deployment: Deployment) -> None:
    ml = _ml(deployment)
    ml.put_item(
        Item={
            "pk": "COVERAGE",
            "sk": "maize_grain#Gulu",
            "crop": "maize_grain",
            "market": "Gulu",
            "wfp_count": 50,
            "order_count": 2,
        }
    )
    ml.put_item(
        Item={
            "pk": "COVERAGE",
            "sk": "beans#Lira",
            "crop": "yellow_beans",
            "market": "Lira",
            "synthetic_count": 51,
        }
    )
    status, body = answer(invoke("CoverageFunction", http("GET", "/coverage")))
    assert status == 200
    assert [(i["crop"], i["market"], i["observations"], i["model_ready"]) for i in body["items"]] == [
        ("maize_grain", "Gulu", 52, True),
        ("yellow_beans", "Lira", 51, False),
    ]


def test_discover_lists_nearby_farmers_nearest_first(invoke: Any, deployment: Deployment) -> None:
    market = boto3.resource("dynamodb").Table(deployment.physical["MarketTable"])
    for n, (farmer, district, price, status) in enumerate(
        (
            ("FA", "Lira", 900, "active"),
            ("FB", "Apac", 850, "active"),
            ("FA", "Lira", 800, "active"),
            ("FC", "Kabale", 700, "active"),
            ("FD", "Lira", 600, "sold_out"),
        )
    ):
        market.put_item(
            Item={
                "pk": f"LISTING#L{n}",
                "sk": "LISTING",
                "id": f"L{n}",
                "farmer_id": farmer,
                "district": district,
                "price_per_kg": price,
                "quantity_g": 5000,
                "title": "x",
                "status": status,
                "crop": "sorghum",
                "gsi1pk": "CROP#sorghum",
                "gsi1sk": f"{price:012d}#L{n}",
            }
        )
    status, body = answer(
        invoke(
            "LocationDiscoverFunction",
            http(
                "POST",
                "/location/discover",
                body={"crop": "Sorghum", "lat": 2.25, "lon": 32.9, "radius_km": 80},
            ),
        )
    )
    assert status == 200, body
    assert [f["farmer_id"] for f in body["items"]] == ["FA", "FB"]  # FC too far, FD not active
    assert [x["price_per_kg"] for x in body["items"][0]["listings"]] == [800, 900]
    assert body["items"][0]["listings"][0]["quantity_kg"] == "5.000"
    assert (
        answer(
            invoke(
                "LocationDiscoverFunction",
                http("POST", "/location/discover", body={"crop": "unobtainium", "lat": 2.25, "lon": 32.9}),
            )
        )[0]
        == 422
    )


# ---------------------------------------------------------------------- bootstrap
def test_bootstrap_rebuilds_features_from_the_sources_of_truth(invoke: Any, deployment: Deployment) -> None:
    users = boto3.resource("dynamodb").Table(deployment.physical["UsersTable"])
    market = boto3.resource("dynamodb").Table(deployment.physical["MarketTable"])
    for uid, role, district, crops in (
        ("U1", "farmer", "Lira", ["maize"]),
        ("U2", "buyer", "Lira", ["maize"]),
    ):
        field = "specialties" if role == "farmer" else "interests"
        users.put_item(
            Item={
                "pk": f"USER#{uid}",
                "sk": f"DIR#{role}",
                "gsi1pk": f"DIR#{role}",
                "gsi1sk": f"lira#{uid}",
                "id": uid,
                "full_name": f"User {uid}",
                "role": role,
                "district": district,
                field: crops,
            }
        )
    market.put_item(
        Item={
            "pk": "FARMER#U1",
            "sk": "STATS",
            "rating_sum": 9,
            "rating_count": 2,
            "completed": 3,
            "rejected": 1,
        }
    )
    market.put_item(
        Item={
            "pk": "ORDER#O1",
            "sk": "ORDER",
            "gsi1pk": "BUYER#U2",
            "gsi1sk": "2026#O1",
            "status": "completed",
            "total_ugx": 50000,
        }
    )

    for role in ("farmer", "buyer"):
        page = invoke("BootstrapPageFunction", {"role": role, "cursor": None, "total": 0})
        assert page["rebuilt"] == 1 and page["cursor"] is None
    assert invoke("BootstrapResetFunction", {}) == {"caches": "reset"}

    status, body = farmers_for(invoke, "U2")
    assert status == 200, body
    top = body["items"][0]
    assert (top["id"], top["full_name"], top["rating"]) == ("U1", "User U1", 4.5)
    # 0.35 + 0.20 + 0.20 * 4.5/5 + 0.15 * medium (0.75 fulfilled: 2/3) = 0.83
    assert top["matchScore"] == pytest.approx(0.83, abs=1e-3)
    assert top["fulfillment_tier"] == "medium"


def test_bootstrap_endpoints_are_for_admins(invoke: Any) -> None:
    assert answer(invoke("BootstrapStartFunction", http("POST", "/ingest/bootstrap", user=BUYER)))[0] == 403
    assert (
        answer(invoke("BootstrapStatusFunction", http("GET", "/ingest/bootstrap/status", user=BUYER)))[0]
        == 403
    )
    status, body = answer(
        invoke("BootstrapStatusFunction", http("GET", "/ingest/bootstrap/status", user=ADMIN, role="admin"))
    )
    assert (status, body["status"]) == (200, "NONE")
    status, started = answer(
        invoke("BootstrapStartFunction", http("POST", "/ingest/bootstrap", user=ADMIN, role="admin"))
    )
    assert status == 202 and ":execution:" in started["execution_id"]
    status, body = answer(
        invoke("BootstrapStatusFunction", http("GET", "/ingest/bootstrap/status", user=ADMIN, role="admin"))
    )
    assert status == 200 and body["execution_id"] == started["execution_id"]
