"""The canonical crop catalogue: every crop a user types is normalised against it.

It holds the ML layer's crops, the food commodities of the WFP Uganda price series (with the WFP
names they map from), and other common Ugandan produce, each with English and Luganda names and
the synonyms people type. ``normalize`` accepts exact names and small typos (``maze`` -> maize,
``matooke`` -> matoke) and refuses what it cannot place, with suggestions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from soko.shared.errors import Unprocessable


@dataclass(frozen=True)
class Crop:
    id: str
    name: str
    luganda: str
    category: str  # grains | legumes | tubers | fruit_veg | flours | animal | processed | cash
    synonyms: tuple[str, ...] = ()
    wfp_commodities: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id.replace("_", " "), self.name, self.luganda, *self.synonyms)


CATALOGUE: tuple[Crop, ...] = (
    # the ML layer's crops
    Crop(
        "maize_grain",
        "Maize (grain)",
        "Kasooli",
        "grains",
        ("maize", "corn", "maize grain", "white maize", "dry maize", "mahindi"),
        ("Maize", "Maize (white)"),
    ),
    Crop(
        "yellow_beans",
        "Beans",
        "Ebijanjaalo",
        "legumes",
        ("beans", "yellow beans", "nambale", "bijanjaalo", "dry beans", "maharagwe"),
        ("Beans",),
    ),
    Crop("irish_potatoes", "Irish potatoes", "Obumonde", "tubers", ("potatoes", "potato", "irish potato")),
    Crop("tomatoes", "Tomatoes", "Ennyaanya", "fruit_veg", ("tomato", "nyanya", "nyaanya")),
    Crop(
        "matoke",
        "Matoke (cooking banana)",
        "Matooke",
        "fruit_veg",
        ("matooke", "plantain", "plantains", "cooking banana", "green banana"),
        ("Plantains",),
    ),
    Crop("cassava_chips", "Cassava chips", "Mutere", "tubers", ("dried cassava", "cassava chip", "mutere")),
    Crop("sorghum", "Sorghum", "Omugusa", "grains", ("mugusa", "sorghum grain"), ("Sorghum",)),
    Crop("millet", "Millet", "Obulo", "grains", ("finger millet", "bulo", "millet grain"), ("Millet",)),
    # the other food commodities of the WFP series
    Crop(
        "maize_flour",
        "Maize flour",
        "Obuwunga bwa kasooli",
        "flours",
        ("posho", "maize meal", "unga", "posho flour"),
        ("Maize flour",),
    ),
    Crop("cassava_flour", "Cassava flour", "Obuwunga bwa muwogo", "flours", (), ("Cassava flour",)),
    Crop("millet_flour", "Millet flour", "Obuwunga bw'obulo", "flours", (), ("Millet flour",)),
    Crop(
        "cassava_fresh",
        "Cassava (fresh)",
        "Muwogo",
        "tubers",
        ("cassava", "fresh cassava", "muhogo"),
        ("Cassava (fresh)",),
    ),
    Crop("rice", "Rice", "Omuceere", "grains", ("paddy", "upland rice"), ("Rice",)),
    Crop(
        "leafy_vegetables",
        "Leafy vegetables",
        "Enva endiirwa",
        "fruit_veg",
        ("greens", "sukuma", "sukuma wiki", "dodo", "nakati", "amaranth"),
        ("Leafy vegetables",),
    ),
    Crop(
        "dry_fish",
        "Fish (dry)",
        "Makayabu",
        "animal",
        ("dried fish", "mukene", "silver fish"),
        ("Fish (dry)",),
    ),
    Crop("fresh_milk", "Milk (fresh)", "Amata", "animal", ("milk",), ("Milk (fresh)",)),
    Crop(
        "vegetable_oil", "Vegetable oil", "Butto", "processed", ("cooking oil", "oil"), ("Oil (vegetable)",)
    ),
    # other common produce
    Crop("groundnuts", "Groundnuts", "Ebinyeebwa", "legumes", ("peanuts", "g-nuts", "gnuts")),
    Crop("sweet_potatoes", "Sweet potatoes", "Lumonde", "tubers", ("sweet potato",)),
    Crop("sesame", "Sesame (simsim)", "Entungo", "cash", ("simsim",)),
    Crop("soybeans", "Soybeans", "Soya", "legumes", ("soya", "soy beans")),
    Crop("coffee", "Coffee", "Emmwanyi", "cash", ("robusta", "arabica", "kiboko")),
    Crop("onions", "Onions", "Obutungulu", "fruit_veg", ("onion",)),
    Crop("cabbage", "Cabbage", "Emboga", "fruit_veg", ("cabbages",)),
    Crop("sunflower", "Sunflower", "Sunflower", "cash", ("sunflower seed",)),
    Crop("pineapples", "Pineapples", "Enanansi", "fruit_veg", ("pineapple",)),
)
CATEGORIES = tuple(sorted({c.category for c in CATALOGUE}))
_BY_ID = {c.id: c for c in CATALOGUE}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("_", " ")).split())


@cache
def _names() -> dict[str, str]:
    return {_key(name): crop.id for crop in CATALOGUE for name in crop.names}


def distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), stopping early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _allowed_typos(text: str) -> int:
    return 0 if len(text) <= 3 else 1 if len(text) <= 6 else 2


def find(text: str) -> Crop | None:
    """The crop ``text`` names, allowing small typos; None when it is unknown or ambiguous."""
    key = _key(text)
    if not key:
        return None
    names = _names()
    if key in names:
        return _BY_ID[names[key]]
    allowed = _allowed_typos(key)
    scored = sorted((distance(key, name, allowed), crop_id) for name, crop_id in names.items())
    best = [crop_id for score, crop_id in scored if score == scored[0][0] and score <= allowed]
    return _BY_ID[best[0]] if best and len(set(best)) == 1 else None


def suggestions(text: str, count: int = 3) -> list[str]:
    key = _key(text)
    ranked = sorted((distance(key, name, 4), crop_id) for name, crop_id in _names().items())
    unique: list[str] = []
    for _, crop_id in ranked:
        if crop_id not in unique:
            unique.append(crop_id)
    return unique[:count]


def catalogue_id(value: str) -> str:
    """A request's crop name as its catalogue id (a pydantic validator: ValueError with suggestions)."""
    crop = find(value)
    if crop is None:
        raise ValueError(f"'{value}' is not a crop we know; try one of {', '.join(suggestions(value))}")
    return crop.id


def normalize(text: str, *, field_name: str = "crop") -> Crop:
    """The crop ``text`` names, or a 422 that says what is known and what was probably meant."""
    crop = find(text)
    if crop is None:
        hints = suggestions(text)
        raise Unprocessable(
            f"'{text}' is not a crop we know. Did you mean {', '.join(hints)}?",
            code="UNKNOWN_CROP",
            details={"field": field_name, "suggestions": hints},
        )
    return crop


def by_id(crop_id: str) -> Crop | None:
    return _BY_ID.get(crop_id)
