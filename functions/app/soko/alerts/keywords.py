"""SMS keywords (pure): ``PRICE MAIZE LIRA`` (English) or ``BBEEYI KASOOLI LIRA`` (Luganda)
subscribes, optionally ``ABOVE 1500`` / ``BELOW 900`` (``WAGGULU`` / ``WANSI``); ``STOP`` ends every
alert of the phone, ``STOP MAIZE`` one crop's. Anything else is a request for help. The reply's
language is the one the sender wrote in: a Luganda keyword, rule word or crop name makes it Luganda.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from soko.ml.public import find_crop, find_market, market_for_district
from soko.shared import crops

SUBSCRIBE_EN = {"PRICE", "PRICES"}
SUBSCRIBE_LG = {"BBEEYI", "EBBEEYI", "BEEYI"}
STOP_EN = {"STOP", "END", "UNSUBSCRIBE"}
STOP_LG = {"KOMYA", "YIMIRIZA"}
ABOVE = {"ABOVE": "en", "OVER": "en", "WAGGULU": "lg"}
BELOW = {"BELOW": "en", "UNDER": "en", "WANSI": "lg"}
MAX_PRICE = 10_000_000


@dataclass(frozen=True)
class Subscribe:
    crop: str
    market: str
    language: Literal["en", "lg"]
    above: int | None = None
    below: int | None = None


@dataclass(frozen=True)
class Stop:
    crop: str | None
    language: Literal["en", "lg"]


@dataclass(frozen=True)
class Help:
    language: Literal["en", "lg"]


type Command = Subscribe | Stop | Help


def _words(text: str) -> list[str]:
    return re.sub(r"[^A-Za-z0-9' ]+", " ", text).upper().split()


def _is_luganda_crop(words: list[str], crop_id: str) -> bool:
    crop = crops.by_id(crop_id)
    return crop is not None and " ".join(words).lower() == crop.luganda.lower()


def _market(words: list[str]) -> str | None:
    if not words:
        return None
    text = " ".join(words)
    market = find_market(text)
    if market is not None:
        return market.id
    try:
        return market_for_district(text.title()).id
    except Exception:  # not a district either
        return None


def _stop(head: str, rest: list[str]) -> Command:
    language: Literal["en", "lg"] = "lg" if head in STOP_LG else "en"
    if not rest:
        return Stop(None, language)
    crop = find_crop(" ".join(rest))
    if crop is None:
        return Help(language)
    return Stop(crop, "lg" if _is_luganda_crop(rest, crop) else language)


def _threshold(rest: list[str]) -> tuple[list[str], int | None, int | None, str | None]:
    """The words before a trailing ``ABOVE 1500`` / ``WANSI 900``, its amounts and its language."""
    if len(rest) < 3 or not rest[-1].isdigit() or not (rest[-2] in ABOVE or rest[-2] in BELOW):
        return rest, None, None, None
    amount = min(int(rest[-1]), MAX_PRICE + 1)
    if rest[-2] in ABOVE:
        return rest[:-2], amount, None, ABOVE[rest[-2]]
    return rest[:-2], None, amount, BELOW[rest[-2]]


def _subscribe(head: str, rest: list[str]) -> Command:
    language: Literal["en", "lg"] = "lg" if head in SUBSCRIBE_LG else "en"
    rest, above, below, rule_language = _threshold(rest)
    if rule_language == "lg":
        language = "lg"
    if any(amount is not None and not 1 <= amount <= MAX_PRICE for amount in (above, below)):
        return Help(language)
    for split in range(1, len(rest)):
        crop = find_crop(" ".join(rest[:split]))
        market = _market(rest[split:]) if crop else None
        if crop and market:
            if _is_luganda_crop(rest[:split], crop):
                language = "lg"
            return Subscribe(crop, market, language, above, below)
    return Help(language)


def parse(text: str) -> Command:
    words = _words(text)[:12]
    if not words:
        return Help("en")
    head, rest = words[0], words[1:]
    if head in STOP_EN or head in STOP_LG:
        return _stop(head, rest)
    if head in SUBSCRIBE_EN or head in SUBSCRIBE_LG:
        return _subscribe(head, rest)
    return Help("lg" if head in STOP_LG or head in SUBSCRIBE_LG else "en")
