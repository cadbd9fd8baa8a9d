"""The price layer's tasks against the running local runtime: ``make ingest-wfp``."""

from __future__ import annotations

import argparse
import os
import sys

import requests


def _local(port: int) -> dict[str, str]:
    try:
        endpoints = requests.get(f"http://127.0.0.1:{port}/_local/endpoints", timeout=10).json()
    except requests.ConnectionError:
        raise SystemExit(f"error: no local runtime on port {port}; start it with `make dev`") from None
    os.environ["AWS_ENDPOINT_URL"] = endpoints["aws_endpoint"]
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", endpoints["region"])
    return dict(endpoints["outputs"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("task", choices=["ingest-wfp"])
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    outputs = _local(args.port)
    from soko.ml.ingest import load_wfp  # noqa: PLC0415  (after AWS_ENDPOINT_URL points at the runtime)

    print(f"loaded {load_wfp(outputs['MlTableName'])} WFP observations into {outputs['MlTableName']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
