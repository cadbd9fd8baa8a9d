"""Scoring against hand-computed cases, and boosts: caps and the 30-day half-life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soko.matching import boosts, scoring
from soko.matching.models import BuyerFeatures, FarmerFeatures

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def test_a_farmer_scored_for_a_buyer_by_hand() -> None:
    buyer = BuyerFeatures(id="b", district="Lira", interests=["maize_grain", "sorghum", "millet"])
    farmer = FarmerFeatures(
        id="f",
        district="lira",
        specialties=["maize_grain", "sorghum", "coffee"],
        rating_sum=23,
        rating_count=5,  # 4.6
        completed=9,
        rejected=1,  # 0.9
    )
    scored = scoring.farmer_parts(buyer, farmer, boost=0.05)

    # 0.35 * 2/3 + 0.20 + 0.20 * 4.6/5 + 0.15 * 0.9 + 0.05 = 0.2333 + 0.2 + 0.184 + 0.135 + 0.05
    assert scored.score == pytest.approx(0.802, abs=1e-3)
    assert scored.parts == {
        "crop_overlap": 0.2333,
        "district": 0.2,
        "rating": 0.184,
        "fulfillment": 0.135,
        "boost": 0.05,
    }
    assert scored.explanation.startswith("grows 2 of your 3 crops · same district · rated 4.6")
    assert "fulfils 90% of orders" in scored.reasons


def test_a_new_farmer_gets_no_credit_for_unknown_history() -> None:
    buyer = BuyerFeatures(id="b", district="Gulu", interests=["beans"])
    farmer = FarmerFeatures(id="f", district="Lira", specialties=["beans"])
    scored = scoring.farmer_parts(buyer, farmer)
    assert scored.score == 0.35
    assert scored.reasons == ["grows 1 of your 1 crop", "not rated yet"]


def test_a_buyer_scored_for_a_farmer_by_hand() -> None:
    farmer = FarmerFeatures(id="f", district="Gulu", specialties=["maize_grain", "sorghum"])
    buyers = [
        BuyerFeatures(
            id="b1",
            district="Gulu",
            interests=["sorghum"],
            payments_completed=3,
            payments_failed=1,
            spend_ugx=500_000,
        ),
        BuyerFeatures(id="b2", district="Lira", interests=["maize_grain", "sorghum"], spend_ugx=1_000_000),
    ]
    ranked = scoring.rank_buyers(farmer, buyers, {"b1": 0.0}, top_n=5)

    # b2: 0.35 * 2/2 + 0 + 0 + 0.20 * 1.0 = 0.55 ; b1: 0.35 * 1/2 + 0.20 + 0.25 * 0.75 + 0.20 * 0.5 = 0.6625
    assert [(s.id, s.score) for s in ranked] == [("b1", 0.662), ("b2", 0.55)]
    assert (
        ranked[0].explanation
        == "buys 1 of your 2 crops · same district · pays reliably (75%) · has bought 500,000 UGX so far"
    )


def test_ranking_excludes_the_user_and_breaks_ties_by_id() -> None:
    buyer = BuyerFeatures(id="x", interests=["beans"])
    farmers = [FarmerFeatures(id=i, specialties=["beans"]) for i in ("c", "a", "x", "b")]
    assert [s.id for s in scoring.rank_farmers(buyer, farmers, {}, top_n=2)] == ["a", "b"]


def test_fast_scores_agree_with_the_explained_scores() -> None:
    buyer = BuyerFeatures(id="b", district="Lira", interests=["maize_grain", "sorghum"])
    farmers = [
        FarmerFeatures(id="1", district="Lira", specialties=["sorghum"], rating_sum=8, rating_count=2),
        FarmerFeatures(
            id="2", district="Gulu", specialties=["maize_grain", "sorghum"], completed=1, rejected=1
        ),
    ]
    static = [0.2 * (f.rating or 0) / 5 + 0.15 * (f.fulfillment_rate or 0) for f in farmers]
    fast = scoring.fast_farmer_scores(
        set(buyer.interests),
        buyer.district,
        [frozenset(f.specialties) for f in farmers],
        [f.district for f in farmers],
        static,
    )
    assert fast == pytest.approx([scoring.farmer_parts(buyer, f).score for f in farmers], abs=1e-3)


def test_boosts_add_up_and_are_capped_at_020() -> None:
    value, at = boosts.add(0.0, None, boosts.INCREMENTS["purchase_completed"], T0)
    assert (value, at) == (0.10, T0)
    value, at = boosts.add(value, at, boosts.INCREMENTS["high_rating"], T0)
    assert value == pytest.approx(0.18)
    value, at = boosts.add(value, at, boosts.INCREMENTS["buyer_inquiry"], T0)
    assert value == boosts.CAP == 0.20


def test_boosts_halve_every_30_days() -> None:
    assert boosts.decayed(0.16, T0, T0 + timedelta(days=30)) == pytest.approx(0.08)
    assert boosts.decayed(0.16, T0, T0 + timedelta(days=60)) == pytest.approx(0.04)
    assert boosts.decayed(0.16, T0, T0 - timedelta(days=5)) == pytest.approx(0.16)  # never grows
    # a decayed boost has room again: 0.20 after 30 days is 0.10, plus a view 0.02
    value, _ = boosts.add(0.20, T0, boosts.INCREMENTS["farmer_viewed"], T0 + timedelta(days=30))
    assert value == pytest.approx(0.12)


def test_a_late_interaction_adds_its_own_decayed_increment() -> None:
    value, at = boosts.add(0.05, T0, 0.10, T0 - timedelta(days=30))
    assert (value, at) == (pytest.approx(0.10), T0)


def test_the_recommender_beats_random_and_popularity_on_a_small_population() -> None:
    from soko_tools import evaluate_recs as evaluate  # noqa: PLC0415

    world = evaluate.generate(seed=3, farmers=300, buyers=40)
    candidates = evaluate._candidates(world)
    ours = evaluate.evaluate(world, lambda b: [s.id for s in scoring.rank_farmers(b, candidates(b), {}, 5)])
    popular = sorted(world.farmers, key=lambda f: -(f.rating_count * (f.rating or 0)))[:5]
    baseline = evaluate.evaluate(world, lambda b: [f.id for f in popular])
    assert ours["precision@5"] > 0.3 > baseline["precision@5"]
    assert ours["ndcg@5"] > baseline["ndcg@5"] and ours["coverage"] > baseline["coverage"]


def test_candidate_keys_carry_the_static_score_so_a_partition_reads_best_first() -> None:
    from soko.matching import dal  # noqa: PLC0415

    farmer = FarmerFeatures(id="f", rating_sum=23, rating_count=5, completed=9, rejected=1)
    # 0.20 * 4.6/5 + 0.15 * 0.9 = 0.184 + 0.135: the parts of the hand-computed case no buyer changes
    assert scoring.farmer_static(farmer) == pytest.approx(0.319)
    assert dal.farmer_sk(farmer) == "03190#f"
    assert dal.farmer_sk(FarmerFeatures(id="new")) == "00000#new"
    buyer = BuyerFeatures(id="b", payments_completed=3, payments_failed=1, spend_ugx=1_000_000)
    # 0.25 * 0.75 + 0.20 * 1e6 / (1e6 + 1e6)
    assert scoring.buyer_static(buyer) == pytest.approx(0.2875)
    assert dal.buyer_sk(buyer) == "02875#b"
    keys = [dal.candidate_sk(s, i) for s, i in ((0.35, "z"), (0.05, "a"), (0.3, "b"), (0.0, "c"))]
    assert sorted(keys, reverse=True) == ["03500#z", "03000#b", "00500#a", "00000#c"]
    # more spend or more reliability never lowers a buyer's key
    assert scoring.buyer_static(buyer.model_copy(update={"spend_ugx": 2_000_000})) > scoring.buyer_static(
        buyer
    )
