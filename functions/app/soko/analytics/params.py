"""The analytics endpoints' validated query parameters (a 422 naming the field when invalid)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from soko.shared import crops, places


def _district(value: str) -> str:
    try:
        return places.district(value)
    except Exception as err:
        raise ValueError(f"'{value}' is not a Ugandan district we know") from err


CropId = Annotated[str, Field(min_length=1, max_length=60), AfterValidator(crops.catalogue_id)]
District = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_district)]
