"""Synthetic weekly price series for pairs with no real data (``make generate-data``).

Clearly labelled (``source = synthetic``, price type ``synthetic``) and used only where no real
series exists: a crop's typical price, a market factor (Kampala dearer, producing areas cheaper),
the same bimodal season the fallback assumes, and AR(1) noise. Deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from soko.ml import markets
from soko.ml.models import Observation

# Typical retail prices (UGX/kg) for the crops WFP does not cover; ballpark, for demos only.
BASE_PRICES = {"irish_potatoes": 1500.0, "tomatoes": 2500.0, "cassava_chips": 1100.0}
MARKET_FACTORS = {
    "Kisenyi_Kampala": 1.12,
    "Gulu": 0.95,
    "Mbarara": 0.92,
    "Mbale": 0.97,
    "Lira": 0.94,
    "Masaka": 1.0,
}
SEASON = {1: 1.08, 2: 1.10, 6: 0.93, 7: 0.92, 11: 0.94, 12: 0.92}


def series(market: str, crop: str, weeks: int, end: date, seed: int = 2026) -> list[Observation]:
    rng = random.Random(f"{seed}:{market}:{crop}")  # noqa: S311  (demo data, not security)
    level = math.log(BASE_PRICES[crop] * MARKET_FACTORS.get(market, 1.0))
    noise = 0.0
    start = end - timedelta(weeks=weeks - 1)
    out = []
    for k in range(weeks):
        day = start + timedelta(weeks=k)
        noise = 0.8 * noise + rng.gauss(0, 0.03)
        price = math.exp(level + noise) * SEASON.get(day.month, 1.0)
        out.append(
            Observation(
                market=market,
                crop=crop,
                day=day,
                price=Decimal(round(price)),
                source="synthetic",
                pricetype="synthetic",
            )
        )
    return out


def generate(end: date, weeks: int = 156) -> list[Observation]:
    seeded = [m.id for m in markets.MARKETS if m.seed]
    return [o for crop in BASE_PRICES for market in seeded for o in series(market, crop, weeks, end)]
