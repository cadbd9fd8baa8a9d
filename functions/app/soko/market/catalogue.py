"""The crop catalogue and the districts as clients pick them (``GET /catalogue``).

Both are code (``soko.shared.crops``, ``soko.shared.places``), the same for every caller and
changed only by a deploy, so the answer is built once per process and may be cached by clients
and CDNs.
"""

from __future__ import annotations

from functools import cache

from soko.market.models import Catalogue, CatalogueCrop, CatalogueDistrict
from soko.shared import crops, places

MAX_AGE_SECONDS = 3600  # an hour: a new crop or district reaches clients within one


@cache
def catalogue() -> Catalogue:
    return Catalogue(
        crops=[
            CatalogueCrop(id=c.id, name=c.name, luganda=c.luganda, category=c.category)
            for c in crops.CATALOGUE
        ],
        districts=[
            CatalogueDistrict(name=name, lat=lat, lon=lon)
            for name, (lat, lon) in sorted(places.DISTRICTS.items())
        ],
    )
