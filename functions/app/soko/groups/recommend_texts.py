"""Group recommendations' words in English (``en``) and Luganda (``lg``): cluster labels and the
plain-language explanation of each recommendation. Pure Python (shared by the training function and
the request-serving recommender)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from soko.shared import crops

Language = Literal["en", "lg"]

CADENCE: dict[str, dict[str, str]] = {
    "weekly": {"en": "every week", "lg": "buli wiiki"},
    "fortnightly": {"en": "every two weeks", "lg": "buli wiiki bbiri"},
    "monthly": {"en": "every month", "lg": "buli mwezi"},
}
_ADJECTIVE = {"weekly": "weekly", "fortnightly": "fortnightly", "monthly": "monthly"}

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "peers": "{n} traders near {district} buy {crop} {cadence}",
        "peer": "1 trader near {district} buys {crop} {cadence}",
        "join": "{peers}; this group has {room} left: join with {kg} and together you reach the {tier} tier "
        "and save {pct}%.",
        "join_no_tier": "{peers}; this group has {room} left: join with {kg} and help it reach a price tier.",
        "start": "{peers}; start a group on this listing: together you reach the {tier} tier and save "
        "{pct}%.",
        "label": "{cadence} {crop} buyers",
    },
    "lg": {
        "peers": "Abasuubuzi {n} okumpi ne {district} bagula {crop} {cadence}",
        "peer": "Omusuubuzi 1 okumpi ne {district} agula {crop} {cadence}",
        "join": "{peers}; ekibiina kino kisigazza {room}: yingira ne {kg}, bwe mugulira wamu mutuuka ku "
        "{tier} ne mukekkereza {pct}%.",
        "join_no_tier": "{peers}; ekibiina kino kisigazza {room}: yingira ne {kg} mutuuke ku bbeeyi entono.",
        "start": "{peers}; tandika ekibiina ku kino: bwe mugulira wamu mutuuka ku {tier} ne mukekkereza "
        "{pct}%.",
        "label": "Abagula {crop} {cadence}",
    },
}


def crop_name(crop_id: str, lang: Language) -> str:
    crop = crops.by_id(crop_id)
    if crop is None:
        return crop_id.replace("_", " ")
    return crop.luganda if lang == "lg" else crop.name.lower()


def quantity(kg: Decimal | int | float) -> str:
    """``2 t``, ``1.5 t`` from 1 000 kg up, else ``750 kg``."""
    value = Decimal(str(kg))
    if value >= 1000:
        tonnes = (value / 1000).quantize(Decimal("0.1")).normalize()
        return f"{tonnes:f} t"
    return f"{value.quantize(Decimal('1')):f} kg"


def cluster_label(crop_id: str, rhythm: str, lang: Language | str) -> str:
    language: Language = "lg" if lang == "lg" else "en"
    words = _TEXTS[language]["label"]
    cadence = _ADJECTIVE[rhythm] if language == "en" else CADENCE[rhythm]["lg"]
    return words.format(cadence=cadence, crop=crop_name(crop_id, language))


def explanation(
    lang: Language,
    *,
    action: Literal["join", "start"],
    peers: int,
    district: str,
    crop_id: str,
    rhythm: str,
    tier_kg: Decimal | None,
    pct: int,
    room_kg: Decimal | None = None,
    kg: Decimal | None = None,
) -> str:
    texts = _TEXTS[lang]
    who = (texts["peer"] if peers == 1 else texts["peers"]).format(
        n=peers, district=district, crop=crop_name(crop_id, lang), cadence=CADENCE[rhythm][lang]
    )
    if action == "start":
        return texts["start"].format(peers=who, tier=quantity(tier_kg or 0), pct=pct)
    key = "join" if tier_kg is not None else "join_no_tier"
    return texts[key].format(
        peers=who, room=quantity(room_kg or 0), kg=quantity(kg or 0), tier=quantity(tier_kg or 0), pct=pct
    )
