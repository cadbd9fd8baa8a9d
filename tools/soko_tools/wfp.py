"""Load the WFP price series the project ships (``data/wfp/``) into the ML table.

``python -m soko_tools.wfp --stack soko-dev`` loads a deployed stack (its MlTableName output); the
local runtime's ``make ingest-wfp`` calls :func:`load_wfp` against the embedded AWS. Loading twice
changes nothing: an observation's key is its (market, crop, date, source, price type).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from soko.ml import wfp
from soko.ml.dal import MlDal
from soko.ml.models import Observation
from soko_tools.stacks import output

WFP_FILE = Path(__file__).resolve().parents[2] / "data" / "wfp" / "wfp_uganda_prices.csv"


def read_wfp(path: Path = WFP_FILE) -> list[Observation]:
    """The shipped file's observations (the same parser as the scheduled feed: soko.ml.wfp)."""
    with path.open(newline="") as handle:
        return wfp.parse(handle)


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
