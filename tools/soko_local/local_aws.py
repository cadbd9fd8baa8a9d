"""Command-line tools against the running local runtime (``make dev``): its endpoints, with this
process's boto3 pointed at its embedded moto."""

from __future__ import annotations

import os
from typing import Any

import requests


def use_local_runtime(port: int) -> dict[str, Any]:
    """``/_local/endpoints`` of the runtime on ``port``; AWS calls of this process go to its moto
    (its endpoint and region; test credentials unless some are set). Exits with a hint when no runtime
    answers."""
    try:
        endpoints: dict[str, Any] = requests.get(
            f"http://127.0.0.1:{port}/_local/endpoints", timeout=10
        ).json()
    except requests.ConnectionError:
        raise SystemExit(f"error: no local runtime on port {port}; start it with `make dev`") from None
    os.environ["AWS_ENDPOINT_URL"] = endpoints["aws_endpoint"]
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ["AWS_DEFAULT_REGION"] = endpoints["region"]  # moto serves the runtime's region only
    return endpoints
