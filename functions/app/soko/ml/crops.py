"""The crops the price layer forecasts, and the WFP commodities that feed them."""

from __future__ import annotations

from soko.shared import crops as catalogue

ML_CROPS = (
    "maize_grain",
    "yellow_beans",
    "irish_potatoes",
    "tomatoes",
    "matoke",
    "cassava_chips",
    "sorghum",
    "millet",
)
# Crops with a real WFP series (see README: the others have none and use synthetic or order data).
WFP_COMMODITIES: dict[str, tuple[str, ...]] = {
    crop_id: crop.wfp_commodities
    for crop_id in ML_CROPS
    if (crop := catalogue.by_id(crop_id)) is not None and crop.wfp_commodities
}


def find(text: str) -> str | None:
    crop = catalogue.find(text)
    return crop.id if crop is not None and crop.id in ML_CROPS else None
