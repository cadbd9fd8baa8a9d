"""Markets the price layer knows: the seed's six with their aliases, and the other WFP markets.

Coordinates are the WFP market locations (Kisenyi/Owino share central Kampala's). Lookups are
case-insensitive and accept aliases (``Kampala``, ``Owino`` -> ``Kisenyi_Kampala``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from soko.shared import places


@dataclass(frozen=True)
class Market:
    id: str
    name: str
    district: str
    lat: float
    lon: float
    wfp_market: str | None
    aliases: tuple[str, ...] = ()
    seed: bool = False  # one of the six markets every client knows

    @property
    def coordinates(self) -> tuple[float, float]:
        return (self.lat, self.lon)


MARKETS: tuple[Market, ...] = (
    Market(
        "Kisenyi_Kampala",
        "Kampala (Kisenyi / Owino)",
        "Kampala",
        0.32,
        32.57,
        "Owino",
        ("kampala", "owino", "kisenyi", "st balikuddembe", "kisenyi kampala"),
        seed=True,
    ),
    Market("Gulu", "Gulu", "Gulu", 2.77, 32.31, "Gulu", seed=True),
    Market("Mbarara", "Mbarara", "Mbarara", -0.61, 30.65, "Mbarara", seed=True),
    Market("Mbale", "Mbale", "Mbale", 1.07, 34.18, "Mbale", seed=True),
    Market("Lira", "Lira", "Lira", 2.23, 32.91, "Lira", seed=True),
    Market("Masaka", "Masaka", "Masaka", -0.35, 31.74, "Masaka", seed=True),
    Market("Jinja", "Jinja", "Jinja", 0.42, 33.20, "Jinja"),
    Market("Iganga", "Iganga", "Iganga", 0.61, 33.47, "Iganga"),
    Market("Busia", "Busia", "Busia", 0.47, 34.09, "Busia"),
    Market("Arua", "Arua", "Arua", 3.02, 30.91, "Arua"),
    Market("Hoima", "Hoima", "Hoima", 1.43, 31.35, "Hoima"),
    Market("Masindi", "Masindi", "Masindi", 1.69, 31.71, "Masindi"),
    Market("Soroti", "Soroti", "Soroti", 1.71, 33.62, "Soroti"),
    Market("Tororo", "Tororo", "Tororo", 0.69, 34.18, "Tororo"),
    Market("Kasese", "Kasese", "Kasese", 0.17, 30.07, "Kasese"),
    Market("Fort_Portal", "Fort Portal", "Kabarole", 0.66, 30.28, "Fort Portal", ("fort portal",)),
    Market("Kabale", "Kabale", "Kabale", -1.25, 29.99, "Kabale"),
    Market("Mukono", "Mukono", "Mukono", 0.36, 32.75, "Mukono"),
    Market("Kapchorwa", "Kapchorwa", "Kween", 1.38, 34.52, "Kapchorwa"),
)
_BY_KEY: dict[str, Market] = {}
for _market in MARKETS:
    for _name in (_market.id, _market.name, *_market.aliases):
        _BY_KEY[" ".join(re.sub(r"[^a-z]+", " ", _name.lower()).split())] = _market


def find(text: str) -> Market | None:
    return _BY_KEY.get(" ".join(re.sub(r"[^a-z]+", " ", text.lower()).split()))


def by_id(market_id: str) -> Market:
    return next(m for m in MARKETS if m.id == market_id)


def nearest(lat: float, lon: float, candidates: tuple[Market, ...] = MARKETS) -> Market:
    return min(candidates, key=lambda m: places.haversine_km((lat, lon), m.coordinates))


def for_district(district: str) -> Market:
    """The market nearest to a district's main town (where an order's price is observed)."""
    return nearest(*places.coordinates(district))
