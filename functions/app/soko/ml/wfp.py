"""WFP's Uganda food prices as observations: the one parser of the WFP CSV (the shipped copy in
``data/wfp/`` through ``soko_tools.wfp``, and HDX's published file through the scheduled feed).

Two layouts are read:

- HDX's ``wfp_food_prices_uga.csv``: a header row, then a row of HXL tags (``#date,#adm1+name,...``,
  skipped), then ``date, admin1, admin2, market, market_id, latitude, longitude, category,
  commodity, commodity_id, unit, priceflag, pricetype, currency, price, usdprice``. Only actual
  (``priceflag``) prices in UGX per kg (units ``KG`` or ``<n> KG``) above zero are kept; a price per
  ``<n> KG`` is divided by n.
- the project's trimmed copy (``data/wfp/README.md``): ``date, market, commodity, pricetype,
  price_ugx_per_kg, ...``, already filtered that way.

Then, for both: only the markets and commodities Soko forecasts, and where a market has "Maize
(white)" and "Maize" for a month, white; "Maize" only before the series' first white month.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation

from soko.ml import crops, markets
from soko.ml.models import Observation

# Where a market has both, "Maize (white)" is the series WFP continued; "Maize" fills older months.
_PREFERRED = {"Maize (white)": 0, "Maize": 1}


def _per_kg(unit: str, price: str) -> Decimal | None:
    """The price of one kg, or None when the unit is not a weight in kg."""
    words = unit.strip().upper().split()
    if not words or words[-1] != "KG" or len(words) > 2:
        return None
    try:
        amount = Decimal(words[0]) if len(words) == 2 else Decimal(1)
        value = Decimal(price) / amount
    except (InvalidOperation, ZeroDivisionError):
        return None
    return value.quantize(Decimal("0.01")).normalize() if len(words) == 2 else value


def _rows(lines: Iterable[str]) -> Iterator[tuple[str, str, str, str, Decimal]]:
    """(date, market, commodity, pricetype, UGX per kg) of every usable row of either layout."""
    for row in csv.DictReader(lines):
        day = (row.get("date") or "").strip()
        if not day or day.startswith("#"):  # HDX's HXL tag row
            continue
        if "price_ugx_per_kg" in row:  # the trimmed copy
            price: Decimal | None = Decimal(row["price_ugx_per_kg"])
        else:
            if (row.get("priceflag") or "actual").strip().lower() != "actual":
                continue
            if (row.get("currency") or "UGX").strip().upper() != "UGX":
                continue
            price = _per_kg(row.get("unit") or "", row.get("price") or "")
        if price is None or price <= 0:
            continue
        yield day[:10], row["market"].strip(), row["commodity"].strip(), row["pricetype"].strip(), price


def parse(lines: Iterable[str]) -> list[Observation]:
    """The observations of a WFP CSV (either layout), sorted by market, crop, price type and date."""
    by_market = {m.wfp_market: m.id for m in markets.MARKETS if m.wfp_market}
    by_commodity = {c: crop for crop, names in crops.WFP_COMMODITIES.items() for c in names}
    chosen: dict[tuple[str, str, str, str], tuple[int, Observation]] = {}
    for day, market_name, commodity, pricetype, price in _rows(lines):
        market, crop = by_market.get(market_name), by_commodity.get(commodity)
        if market is None or crop is None:
            continue
        observation = Observation(
            market=market,
            crop=crop,
            day=date.fromisoformat(day),
            price=price,
            source="wfp",
            pricetype=pricetype.lower(),
        )
        key = (market, crop, observation.pricetype, day)
        rank = _PREFERRED.get(commodity, 0)
        if key not in chosen or rank < chosen[key][0]:
            chosen[key] = (rank, observation)
    # "Maize" only before the first "Maize (white)" month of the series: the two differ in level and
    # move differently, so mixing them after white starts adds noise (docs/research/REPORT.md).
    preferred_from: dict[tuple[str, str, str], date] = {}
    for rank, o in chosen.values():
        if rank == 0:
            series = (o.market, o.crop, o.pricetype)
            preferred_from[series] = min(o.day, preferred_from.get(series, o.day))
    kept = (
        o
        for rank, o in chosen.values()
        if rank == 0 or o.day < preferred_from.get((o.market, o.crop, o.pricetype), date.max)
    )
    return sorted(kept, key=lambda o: (o.market, o.crop, o.pricetype, o.day))


def parse_text(text: str) -> list[Observation]:
    return parse(io.StringIO(text, newline=""))
