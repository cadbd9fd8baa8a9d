"""``make eval-recs``: offline evaluation of farmers-for-buyer on a generated population whose true
preferences are hidden from the recommender.

Each buyer's true utility for a farmer mixes crop fit, distance, the farmer's latent quality and
personal taste noise; the relevant farmers are the buyer's 10 best by that utility. The recommender
only sees what the feature store holds (noisy ratings from a few orders, fulfilment, specialties,
district) and ranks the candidates from its crop and district partitions. Baselines: random
farmers, and the globally most popular (most rated, best rated). Reports Precision@5, Recall@5,
NDCG@5, catalogue coverage and intra-list diversity (1 - mean Jaccard of specialties).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from soko.matching import scoring
from soko.matching.models import BuyerFeatures, FarmerFeatures
from soko.shared import places
from soko.shared.crops import CATALOGUE

K, RELEVANT = 5, 10


@dataclass
class World:
    farmers: list[FarmerFeatures]
    buyers: list[BuyerFeatures]
    quality: dict[str, float]
    relevant: dict[str, list[str]]


def generate(seed: int = 7, farmers: int = 2000, buyers: int = 300) -> World:
    rng = random.Random(seed)  # noqa: S311  (a reproducible population, not a secret)
    crops = [c.id for c in CATALOGUE]
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(crops))]
    districts = sorted(places.DISTRICTS)[:30]

    def pick(n: int) -> list[str]:
        chosen: set[str] = set()
        while len(chosen) < n:
            chosen.add(rng.choices(crops, popularity)[0])
        return sorted(chosen)

    quality: dict[str, float] = {}
    farmer_list = []
    for i in range(farmers):
        fid = f"F{i:05d}"
        q = rng.betavariate(4, 2)
        quality[fid] = q
        orders = rng.randint(0, 12)
        ratings = [
            min(5, max(1, round(1 + 4 * q + rng.gauss(0, 0.7)))) for _ in range(rng.randint(0, orders))
        ]
        completed = sum(rng.random() < 0.5 + 0.5 * q for _ in range(orders))
        farmer_list.append(
            FarmerFeatures(
                id=fid,
                district=rng.choice(districts),
                specialties=pick(rng.randint(1, 4)),
                rating_sum=sum(ratings),
                rating_count=len(ratings),
                completed=completed,
                rejected=orders - completed,
            )
        )
    buyer_list = [
        BuyerFeatures(id=f"B{i:04d}", district=rng.choice(districts), interests=pick(rng.randint(1, 4)))
        for i in range(buyers)
    ]
    relevant = {}
    for buyer in buyer_list:
        here = places.DISTRICTS[buyer.district or districts[0]]
        utility = {}
        for farmer in farmer_list:
            fit = len(set(buyer.interests) & set(farmer.specialties)) / len(buyer.interests)
            km = places.haversine_km(here, places.DISTRICTS[farmer.district or districts[0]])
            near = math.exp(-km / 100)
            utility[farmer.id] = 0.45 * fit + 0.25 * near + 0.30 * quality[farmer.id] + rng.gauss(0, 0.05)
        relevant[buyer.id] = sorted(utility, key=lambda f: -utility[f])[:RELEVANT]
    return World(farmer_list, buyer_list, quality, relevant)


def _candidates(world: World) -> Callable[[BuyerFeatures], list[FarmerFeatures]]:
    by_key: dict[str, list[FarmerFeatures]] = {}
    for farmer in world.farmers:
        for crop in farmer.specialties:
            by_key.setdefault(f"CROP#{crop}", []).append(farmer)
        by_key.setdefault(f"DIST#{(farmer.district or '').lower()}", []).append(farmer)

    def candidates(buyer: BuyerFeatures) -> list[FarmerFeatures]:
        keys = [f"CROP#{c}" for c in buyer.interests] + [f"DIST#{(buyer.district or '').lower()}"]
        return list({f.id: f for k in keys for f in by_key.get(k, [])}.values())

    return candidates


def _ndcg(ranked: Sequence[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, f in enumerate(ranked[:K]) if f in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return dcg / ideal if ideal else 0.0


def evaluate(world: World, recommend: Callable[[BuyerFeatures], list[str]]) -> dict[str, float]:
    specialties = {f.id: set(f.specialties) for f in world.farmers}
    precision = recall = ndcg = diversity = 0.0
    shown: set[str] = set()
    for buyer in world.buyers:
        ranked = recommend(buyer)[:K]
        relevant = set(world.relevant[buyer.id])
        hits = len(set(ranked) & relevant)
        precision += hits / K
        recall += hits / len(relevant)
        ndcg += _ndcg(ranked, relevant)
        shown |= set(ranked)
        pairs = [(a, b) for i, a in enumerate(ranked) for b in ranked[i + 1 :]]
        if pairs:
            jaccard = [
                len(specialties[a] & specialties[b]) / len(specialties[a] | specialties[b]) for a, b in pairs
            ]
            diversity += 1 - sum(jaccard) / len(jaccard)
    n = len(world.buyers)
    return {
        "precision@5": precision / n,
        "recall@5": recall / n,
        "ndcg@5": ndcg / n,
        "coverage": len(shown) / len(world.farmers),
        "diversity": diversity / n,
    }


def run(seed: int = 7) -> dict[str, dict[str, float]]:
    world = generate(seed)
    candidates = _candidates(world)
    rng = random.Random(seed + 1)  # noqa: S311
    popular = [
        f.id
        for f in sorted(world.farmers, key=lambda f: (-(f.rating_count * (f.rating or 0)), f.id))[: K * 2]
    ]
    return {
        "soko": evaluate(world, lambda b: [s.id for s in scoring.rank_farmers(b, candidates(b), {}, K)]),
        "random": evaluate(world, lambda b: [f.id for f in rng.sample(world.farmers, K)]),
        "popularity": evaluate(world, lambda b: popular[:K]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    results = run(args.seed)
    metrics = list(next(iter(results.values())))
    sys.stdout.write(f"{'recommender':<12}" + "".join(f"{m:>14}" for m in metrics) + "\n")
    for name, figures in results.items():
        sys.stdout.write(f"{name:<12}" + "".join(f"{figures[m]:>14.3f}" for m in metrics) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
