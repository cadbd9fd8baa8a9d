"""Matching's event contracts (source ``soko.ml``)."""

from __future__ import annotations

from typing import ClassVar, Literal

from soko.shared.events import EventDetail


class CoverageGap(EventDetail):
    """Someone asked where to sell a crop we have no prices for: what to collect data on next."""

    SOURCE: ClassVar[str] = "soko.ml"
    DETAIL_TYPE: ClassVar[str] = "CoverageGap"

    crop: str
    reason: Literal["unsupported_crop", "no_prices"]
    district: str | None = None
    lat: float | None = None
    lon: float | None = None
    quantity_kg: float
