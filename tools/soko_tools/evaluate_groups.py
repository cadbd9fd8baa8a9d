"""``make eval-groups``: offline evaluation of the group recommendations (GET /groups/recommended's
logic, ``soko.groups.recommend``) on a GENERATED population of buyers with planted segments.

THE POPULATION IS GENERATED, not observed: six planted segments (what, where, how much, how often:
weekly beans traders around Lira, monthly maize bulk buyers around Mbale, ...), each buyer
ordering mostly their segment's crop near home, sometimes another crop. Twelve weeks of orders
train the clusters (k-means, k by silhouette, exactly as the weekly training does); the next four
weeks are held out. A recommendation (join an open group, or start one on a tiered listing) is
**accepted** when in the held-out weeks the buyer bought that crop within ``NEAR_KM`` of the
listing's district. Figures, over buyers, at k = 5:

- precision@5: the share of the top 5 that would be accepted;
- acceptance: the share of buyers who would accept at least one of their top 5;
- savings: the UGX a buyer saves on average (held-out kilograms of the accepted crop bought near
  the listing x list price x the recommended tier's discount; the best accepted one per buyer).

Baselines: random (5 of every group and tiered listing, seeded) and popularity (the groups and
listings of the most bought crops overall, the same for everyone). These figures show the
recommender finds planted structure; they say nothing yet about how real Ugandan traders behave.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from soko.groups import clusters
from soko.groups.clusters_features import Behaviour
from soko.groups.models import Group, GroupRecommendation
from soko.groups.recommend import NEAR_KM, Sources, km, recommend
from soko.market.public import ListingCard, ListingTerms, PriceTier
from soko.shared.identity import Caller

K = 5
TRAIN_WEEKS, HELD_OUT_WEEKS = 12, 4
START = date(2026, 8, 3)  # a Monday


@dataclass(frozen=True)
class Segment:
    name: str
    crop: str
    districts: tuple[str, ...]
    kg: tuple[int, int]
    every_weeks: int
    size: int


SEGMENTS = (
    Segment("weekly beans traders", "yellow_beans", ("Lira", "Apac", "Gulu"), (300, 700), 1, 60),
    Segment("monthly maize bulk buyers", "maize_grain", ("Mbale", "Tororo", "Soroti"), (2000, 5000), 4, 40),
    Segment("weekly matoke retailers", "matoke", ("Kampala", "Wakiso", "Mukono"), (40, 150), 1, 70),
    Segment(
        "fortnightly potato traders", "irish_potatoes", ("Kabale", "Kisoro", "Mbarara"), (300, 900), 2, 45
    ),
    Segment("monthly cassava buyers", "cassava_chips", ("Arua", "Nebbi", "Koboko"), (800, 2000), 4, 35),
    Segment("fortnightly onion traders", "onions", ("Masaka", "Kampala", "Mukono"), (150, 400), 2, 50),
)
OTHER_CROP_SHARE = 0.2


@dataclass
class Buyer:
    id: str
    segment: Segment
    home: str
    train: Behaviour
    held_out: list[tuple[str, str, int]] = field(default_factory=list)  # (crop, district, grams)


@dataclass
class World:
    buyers: list[Buyer]
    listings: dict[str, ListingTerms]
    groups: list[Group]
    crop_grams: dict[str, int]


def _orders(rng: random.Random, seg: Segment, home: str, weeks: range) -> list[tuple[date, str, str, int]]:
    crops = [s.crop for s in SEGMENTS]
    orders = []
    phase = rng.randrange(seg.every_weeks)
    for week in weeks:
        if (week + phase) % seg.every_weeks or rng.random() < 0.1:
            continue
        other = rng.random() < OTHER_CROP_SHARE
        crop = rng.choice([c for c in crops if c != seg.crop]) if other else seg.crop
        district = home if rng.random() < 0.8 else rng.choice(seg.districts)
        kg = rng.randint(*seg.kg) // (3 if other else 1)
        orders.append((START + timedelta(weeks=week, days=rng.randrange(5)), crop, district, kg * 1000))
    return orders


def _behaviour(buyer_id: str, orders: list[tuple[date, str, str, int]]) -> Behaviour:
    crop_grams: dict[str, int] = {}
    district_orders: dict[str, int] = {}
    for _, crop, district, grams in orders:
        crop_grams[crop] = crop_grams.get(crop, 0) + grams
        district_orders[district] = district_orders.get(district, 0) + 1
    return Behaviour(
        buyer_id=buyer_id,
        orders=len(orders),
        grams=sum(o[3] for o in orders),
        crop_grams=crop_grams,
        district_orders=district_orders,
        days=sorted({o[0].isoformat() for o in orders}),
        generated=True,
    )


def generate(seed: int = 18) -> World:
    rng = random.Random(seed)  # noqa: S311  (a reproducible population, not a secret)
    buyers = []
    for seg in SEGMENTS:
        for i in range(seg.size):
            home = rng.choice(seg.districts)
            bid = f"{seg.crop[:4].upper()}{i:03d}"
            train = _orders(rng, seg, home, range(TRAIN_WEEKS))
            held = _orders(rng, seg, home, range(TRAIN_WEEKS, TRAIN_WEEKS + HELD_OUT_WEEKS))
            buyers.append(Buyer(bid, seg, home, _behaviour(bid, train), [(c, d, g) for _, c, d, g in held]))
    districts = sorted({d for s in SEGMENTS for d in s.districts})
    listings: dict[str, ListingTerms] = {}
    for seg in SEGMENTS:
        for district in districts:
            lid = f"L-{seg.crop}-{district}"
            first = rng.choice((500, 1000, 2000))
            tiers = [
                PriceTier(min_kg=Decimal(first), discount_percent=rng.randint(2, 4)),
                PriceTier(min_kg=Decimal(first * 3), discount_percent=rng.randint(5, 9)),
            ]
            listings[lid] = ListingTerms(
                id=lid,
                farmer_id=f"F-{district}",
                title=f"{seg.crop} from {district}",
                crop=seg.crop,
                district=district,
                price_per_kg=rng.randint(800, 4000),
                quantity_g=first * 6 * 1000,
                status="active",
                price_tiers=tiers,
            )
    groups = []
    for n, lid in enumerate(rng.sample(sorted(listings), len(listings) // 3)):
        terms = listings[lid]
        target = terms.price_tiers[-1].min_kg
        groups.append(
            Group(
                id=f"G{n:03d}",
                listing_id=lid,
                crop=terms.crop,
                title=terms.title,
                district=terms.district,
                farmer_id=terms.farmer_id,
                starter_id="STARTER",
                target_kg=target,
                filled_kg=(target * Decimal(rng.randint(20, 80)) / 100).quantize(Decimal(1)),
                members=rng.randint(1, 8),
                deadline=datetime(2026, 11, 2, 12, tzinfo=UTC),
                status="open",
                list_price_per_kg=terms.price_per_kg,
                tiers=terms.price_tiers,
                tier=None,
                price_per_kg=terms.price_per_kg,
                created_at="2026-10-20T08:00:00Z",
                updated_at="2026-10-20T08:00:00Z",
            )
        )
    crop_grams: dict[str, int] = {}
    for b in buyers:
        for crop, grams in b.train.crop_grams.items():
            crop_grams[crop] = crop_grams.get(crop, 0) + grams
    return World(buyers, listings, groups, crop_grams)


class _Memory:
    """The recommender's ports over the generated world."""

    def __init__(self, world: World, model: dict[str, Any]):
        self.world, self.model = world, model
        self.by_id = {b.id: b.train for b in world.buyers}

    def current_model(self) -> dict[str, Any] | None:
        return self.model

    def behaviour(self, buyer_id: str) -> Behaviour | None:
        return self.by_id.get(buyer_id)

    def open_groups_by_crop(self, crop: str, limit: int = 50) -> list[Group]:
        return [g for g in self.world.groups if g.crop == crop][:limit]

    def crop_listings(self, crop: str, limit: int) -> list[ListingCard]:
        found = sorted(
            (t for t in self.world.listings.values() if t.crop == crop), key=lambda t: t.price_per_kg
        )
        return [
            ListingCard(
                id=t.id,
                farmer_id=t.farmer_id,
                title=t.title,
                district=t.district,
                price_per_kg=t.price_per_kg,
            )
            for t in found[:limit]
        ]

    def listing_terms(self, listing_id: str) -> ListingTerms | None:
        return self.world.listings.get(listing_id)


@dataclass(frozen=True)
class Pick:
    """A recommendation as judged: the listing's crop and district and the discount offered."""

    listing_id: str
    crop: str
    district: str
    saving_percent: int


def _judge(world: World, buyer: Buyer, picks: list[Pick]) -> tuple[float, bool, float]:
    """(precision@K, accepted any, UGX saved) of one buyer's top K."""
    accepted, best = 0, 0.0
    for pick in picks[:K]:
        grams = sum(g for c, d, g in buyer.held_out if c == pick.crop and km(d, pick.district) <= NEAR_KM)
        if grams:
            accepted += 1
            price = world.listings[pick.listing_id].price_per_kg
            best = max(best, grams / 1000 * price * pick.saving_percent / 100)
    return accepted / K, accepted > 0, best


def _all_picks(world: World) -> list[Pick]:
    picks = [Pick(g.listing_id, g.crop, g.district, _best_tier(g.tiers, g.target_kg)) for g in world.groups]
    grouped = {g.listing_id for g in world.groups}
    picks += [
        Pick(t.id, t.crop, t.district, t.price_tiers[0].discount_percent)
        for t in world.listings.values()
        if t.id not in grouped
    ]
    return picks


def _best_tier(tiers: list[PriceTier], kg: Decimal) -> int:
    reached = [t for t in tiers if kg >= t.min_kg]
    return reached[-1].discount_percent if reached else 0


def evaluate(world: World, recommender: Callable[[Buyer], list[Pick]]) -> dict[str, float]:
    precision = accepted = savings = 0.0
    for buyer in world.buyers:
        p, any_accepted, saved = _judge(world, buyer, recommender(buyer))
        precision += p
        accepted += any_accepted
        savings += saved
    n = len(world.buyers)
    return {"precision@5": precision / n, "acceptance": accepted / n, "savings_ugx": savings / n}


def _as_pick(r: GroupRecommendation) -> Pick:
    return Pick(r.listing_id, r.crop, r.district, r.saving_percent)


def run(seed: int = 18) -> tuple[dict[str, dict[str, float]], dict[str, Any]]:
    world = generate(seed)
    model = clusters.train([b.train for b in world.buyers], f"eval-{seed}", "2026-11-02T03:00:00Z", seed=seed)
    memory = _Memory(world, model)
    sources = Sources(models=memory, behaviours=memory, groups=memory, listings=memory)

    def model_picks(buyer: Buyer) -> list[Pick]:
        caller = Caller(user_id=buyer.id, role="buyer", email=f"{buyer.id}@example.com")
        return [_as_pick(r) for r in recommend(caller, None, "en", K, sources).items]

    everything = _all_picks(world)
    rng = random.Random(seed + 1)  # noqa: S311
    popular_crops = sorted(world.crop_grams, key=lambda c: (-world.crop_grams[c], c))
    popular = sorted(everything, key=lambda p: (popular_crops.index(p.crop), -p.saving_percent, p.listing_id))
    results = {
        "clusters": evaluate(world, model_picks),
        "random": evaluate(world, lambda b: rng.sample(everything, K)),
        "popularity": evaluate(world, lambda b: popular[:K]),
    }
    return results, model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    results, model = run(args.seed)
    out = sys.stdout
    out.write(
        "THE POPULATION IS GENERATED (planted segments, seed "
        f"{args.seed}): {sum(s.size for s in SEGMENTS)} buyers in {len(SEGMENTS)} segments, "
        f"{TRAIN_WEEKS} weeks to train on, {HELD_OUT_WEEKS} held out.\n"
    )
    out.write(
        f"clusters found: k = {model['k']} (silhouette {model['silhouette']:.3f}; "
        f"by k: {model['silhouettes']})\n"
    )
    for c in model["clusters"]:
        out.write(f"  {c['label']['en']:<36} {c['size']:>4} buyers, {c['kg_per_order']:>7} kg an order\n")
    metrics = list(next(iter(results.values())))
    out.write(f"\n{'recommender':<12}" + "".join(f"{m:>14}" for m in metrics) + "\n")
    for name, figures in results.items():
        out.write(
            f"{name:<12}"
            + "".join(f"{figures[m]:>14.3f}" for m in metrics[:-1])
            + f"{figures[metrics[-1]]:>14,.0f}\n"
        )
    out.write("\nThese figures show the recommender finds planted structure, not how real traders behave.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
