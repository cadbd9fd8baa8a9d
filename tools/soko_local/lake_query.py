"""``make lake-query Q=gmv_by_day ARGS="2026-12-01 2026-12-31"``: run one of the lake's SQL files
(``soko/analytics/lake/sql/<Q>.sql``) with DuckDB over the running local runtime's lake bucket, as
the functions do locally, and print the rows as JSON lines. Parameters that are all digits are
passed as integers, the others as text."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import boto3
import requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m soko_local.lake_query", description=__doc__)
    parser.add_argument("query", help="the SQL file's name, e.g. gmv_by_day")
    parser.add_argument("params", nargs="*", help="its parameters, in order")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    try:
        endpoints = requests.get(f"http://{args.host}:{args.port}/_local/endpoints", timeout=30).json()
    except requests.ConnectionError:
        where = f"{args.host}:{args.port}"
        print(f"error: no local runtime at {where}; start it with `make dev`", file=sys.stderr)
        return 1
    from soko.analytics.dal.lake_duckdb import DuckDbLake  # noqa: PLC0415
    from soko.analytics.lake import SQL_DIR  # noqa: PLC0415

    known = sorted(p.stem for p in SQL_DIR.glob("*.sql"))
    if args.query not in known:
        print(f"error: no lake query {args.query!r}; there are: {', '.join(known)}", file=sys.stderr)
        return 2
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoints["aws_endpoint"],
        region_name=endpoints["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106  (moto's fake keys)
    )
    params: list[str | int] = [int(p) if p.isdigit() else p for p in args.params]
    with tempfile.TemporaryDirectory(prefix="soko-lake-query-") as folder:
        lake = DuckDbLake(endpoints["outputs"]["LakeBucketName"], s3, cache_dir=Path(folder))
        for row in lake.query(args.query, params):
            print(json.dumps(row, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
