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

    # 0.35 * 2/3 + 0.20 + 0.20 * 4.6/5 + 0.15 * high (0.9 fulfilled) + 0.05
    # = 0.2333 + 0.2 + 0.184 + 0.15 + 0.05
    assert scored.score == pytest.approx(0.817, abs=1e-3)
    assert scored.parts == {
        "crop_overlap": 0.2333,
        "district": 0.2,
        "rating": 0.184,
        "fulfillment": 0.15,
        "boost": 0.05,
    }
    assert scored.explanation.startswith("grows 2 of your 3 crops · same district · rated 4.6")
    assert "fulfils nearly every order" in scored.reasons
    assert scored.tiers == {"fulfillment": "high"}


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

    # b1: 0.35 * 1/2 + 0.20 + 0.25 * medium (3 of 4 paid: 2/3) + 0.20 * medium (500,000 UGX: 2/3)
    #   = 0.175 + 0.2 + 0.1667 + 0.1333 = 0.675
    # b2: 0.35 * 2/2 + 0 + 0 (no payments yet) + 0.20 * medium (1,000,000 UGX: 2/3) = 0.4833
    assert [(s.id, s.score) for s in ranked] == [("b1", 0.675), ("b2", 0.483)]
    assert (
        ranked[0].explanation
        == "buys 1 of your 2 crops · same district · usually pays · buys in medium volumes"
    )
    assert ranked[0].tiers == {"payment_reliability": "medium", "spend": "medium"}
    assert ranked[1].tiers == {"payment_reliability": None, "spend": "medium"}


@pytest.mark.parametrize(
    ("rate", "tier"),
    [
        (None, None),
        (0.0, "low"),
        (0.69, "low"),
        (0.7, "medium"),
        (0.899, "medium"),
        (0.9, "high"),
        (1.0, "high"),
    ],
)
def test_rates_become_tiers(rate: float | None, tier: str | None) -> None:
    assert scoring.rate_tier(rate) == tier


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        (0, None),
        (1, "low"),
        (499_999, "low"),
        (500_000, "medium"),
        (4_999_999, "medium"),
        (5_000_000, "high"),
    ],
)
def test_spend_becomes_a_tier(spend: int, tier: str | None) -> None:
    assert scoring.spend_tier(spend) == tier


def test_two_buyers_of_one_tier_are_indistinguishable_to_a_farmer() -> None:
    """The score, its parts and its reasons depend on the tiers only: two buyers whose exact spend and
    reliability differ within the same tiers read exactly alike, and no figure of theirs appears."""
    farmer = FarmerFeatures(id="f", district="Gulu", specialties=["sorghum"])
    a = BuyerFeatures(
        id="a",
        district="Gulu",
        interests=["sorghum"],
        payments_completed=19,
        payments_failed=1,
        spend_ugx=612_345,
    )
    b = a.model_copy(
        update={"id": "b", "payments_completed": 47, "payments_failed": 3, "spend_ugx": 4_321_000}
    )
    sa, sb = scoring.buyer_parts(farmer, a), scoring.buyer_parts(farmer, b)
    assert (sa.score, sa.parts, sa.reasons, sa.tiers) == (sb.score, sb.parts, sb.reasons, sb.tiers)
    shown = repr((sa.parts, sa.reasons, sb.parts, sb.reasons))
    for figure in ("612", "345", "4,321", "4321", "95%", "94%", "0.95", "0.94"):
        assert figure not in shown


def test_a_farmers_fulfilment_is_a_tier_too() -> None:
    buyer = BuyerFeatures(id="b", interests=["beans"])
    farmers = [
        FarmerFeatures(id=i, specialties=["beans"], completed=c, rejected=r)
        for i, c, r in (("x", 8, 2), ("y", 78, 22))
    ]
    sx, sy = (scoring.farmer_parts(buyer, f) for f in farmers)
    assert sx.parts == sy.parts and sx.reasons == sy.reasons == [
        "grows 1 of your 1 crop",
        "not rated yet",
        "fulfils most orders",
    ]
    assert "80%" not in repr(sx.reasons) and "78%" not in repr(sy.reasons)


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
    static = [scoring.farmer_static(f) for f in farmers]
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
    # 0.20 * 4.6/5 + 0.15 * high = 0.184 + 0.15: the parts of the hand-computed case no buyer changes
    assert scoring.farmer_static(farmer) == pytest.approx(0.334)
    assert dal.farmer_sk(farmer) == "03340#f"
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
