"""Load the WFP price series the project ships (``data/wfp/``) into the ML table.

``python -m soko_tools.wfp --stack soko-dev`` loads a deployed stack (its MlTableName output); the
local runtime's ``make ingest-wfp`` calls :func:`load_wfp` against the embedded AWS. Loading twice
changes nothing: an observation's key is its (market, crop, date, source, price type).
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from soko.ml import crops, markets
from soko.ml.dal import MlDal
from soko.ml.models import Observation
from soko_tools.stacks import output

WFP_FILE = Path(__file__).resolve().parents[2] / "data" / "wfp" / "wfp_uganda_prices.csv"
# Where a market has both, "Maize (white)" is the series WFP continued; "Maize" fills older months.
_PREFERRED = {"Maize (white)": 0, "Maize": 1}


def read_wfp(path: Path = WFP_FILE) -> list[Observation]:
    by_market = {m.wfp_market: m.id for m in markets.MARKETS if m.wfp_market}
    by_commodity = {c: crop for crop, names in crops.WFP_COMMODITIES.items() for c in names}
    chosen: dict[tuple[str, str, str, str], tuple[int, Observation]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            market, crop = by_market.get(row["market"]), by_commodity.get(row["commodity"])
            if market is None or crop is None:
                continue
            observation = Observation(
                market=market,
                crop=crop,
                day=date.fromisoformat(row["date"]),
                price=Decimal(row["price_ugx_per_kg"]),
                source="wfp",
                pricetype=row["pricetype"].lower(),
            )
            key = (market, crop, observation.pricetype, row["date"])
            rank = _PREFERRED.get(row["commodity"], 0)
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


def load_wfp(table_name: str, path: Path = WFP_FILE) -> int:
    return MlDal(table_name).load_observations(read_wfp(path), counter="wfp_count")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="a deployed stack's name (its MlTableName output is used)")
    where.add_argument("--table", help="the ML table's name")
    args = parser.parse_args(argv)
    count = load_wfp(args.table or output(args.stack, "MlTableName"))
    sys.stdout.write(f"loaded {count} WFP observations\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
