"""Load price observations: the WFP series the project ships (``make ingest-wfp``).

``python -m soko.ml.ingest --stack soko-dev`` loads a deployed stack (its MlTableName output);
the local runtime's ``make ingest-wfp`` calls :func:`load_wfp` against the embedded AWS. Loading
twice changes nothing: an observation's key is its (market, crop, date, source, price type).
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from soko.ml import crops, markets
from soko.shared import aws, dynamo

WFP_FILE = Path(__file__).resolve().parents[4] / "data" / "wfp" / "wfp_uganda_prices.csv"
# Where a market has both, "Maize (white)" is the series WFP continued; "Maize" fills older months.
_PREFERRED = {"Maize (white)": 0, "Maize": 1}


@dataclass(frozen=True)
class Observation:
    market: str
    crop: str
    day: date
    price: Decimal
    source: str  # wfp | order | synthetic
    pricetype: str  # retail | wholesale | trade

    def item(self) -> dict[str, Any]:
        return {
            "pk": f"OBS#{self.market}#{self.crop}",
            "sk": f"{self.day.isoformat()}#{self.source}#{self.pricetype}",
            "market": self.market,
            "crop": self.crop,
            "date": self.day.isoformat(),
            "price": self.price,
            "source": self.source,
            "pricetype": self.pricetype,
            "status": "accepted",
        }


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


def load(table_name: str, observations: list[Observation], *, counter: str) -> int:
    """Write observations and set the per-pair coverage count ``counter`` (e.g. ``wfp_count``)."""
    table = dynamo.table(table_name)
    counts: dict[tuple[str, str], int] = {}
    with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for observation in observations:
            batch.put_item(Item=observation.item())
            counts[(observation.crop, observation.market)] = (
                counts.get((observation.crop, observation.market), 0) + 1
            )
    for (crop, market), count in counts.items():
        table.update_item(
            Key={"pk": "COVERAGE", "sk": f"{crop}#{market}"},
            UpdateExpression="SET #c = :n, crop = :crop, market = :market",
            ExpressionAttributeNames={"#c": counter},
            ExpressionAttributeValues={":n": count, ":crop": crop, ":market": market},
        )
    return len(observations)


def load_wfp(table_name: str, path: Path = WFP_FILE) -> int:
    return load(table_name, read_wfp(path), counter="wfp_count")


def _table_from_stack(stack: str) -> str:
    outputs = aws.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    return next(str(o["OutputValue"]) for o in outputs if o["OutputKey"] == "MlTableName")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack")
    where.add_argument("--table")
    args = parser.parse_args(argv)
    count = load_wfp(args.table or _table_from_stack(args.stack))
    sys.stdout.write(f"loaded {count} WFP observations\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
