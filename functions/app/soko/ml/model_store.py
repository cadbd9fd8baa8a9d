"""Price-layer data access: the models bucket (S3).

| object | key |
|---|---|
| a training run's snapshot of every monthly series | ``snapshots/<ulid>.json`` |
| a trained pair's model document | ``models/<market>/<crop>/<model version>.json`` |

A snapshot is ``{"series": [{"market", "crop", "kind", "prices": {"<month index>": price}}]}``, so
every pair of one run trains on the same data.
"""

from __future__ import annotations

import json

from soko.ml.models import ModelDocument
from soko.ml.series import Panel, SeriesKey
from soko.shared import aws, ids

SNAPSHOT_PREFIX = "snapshots/"
MODEL_PREFIX = "models/"
JSON = "application/json"


def dump(panel: Panel) -> bytes:
    return json.dumps(
        {
            "series": [
                {
                    "market": k.market,
                    "crop": k.crop,
                    "kind": k.kind,
                    "prices": {str(m): p for m, p in v.items()},
                }
                for k, v in sorted(panel.items())
            ]
        }
    ).encode()


def parse(body: bytes) -> Panel:
    document = json.loads(body)
    return {
        SeriesKey(s["market"], s["crop"], s["kind"]): {int(m): float(p) for m, p in s["prices"].items()}
        for s in document["series"]
    }


def model_key(market: str, crop: str, model_version: str) -> str:
    return f"{MODEL_PREFIX}{market}/{crop}/{model_version}.json"


class ModelStore:
    def __init__(self, bucket_name: str):
        self.bucket_name = bucket_name

    def put_snapshot(self, panel: Panel) -> str:
        """Store a run's panel; returns its key."""
        key = f"{SNAPSHOT_PREFIX}{ids.ulid()}.json"
        aws.client("s3").put_object(Bucket=self.bucket_name, Key=key, Body=dump(panel), ContentType=JSON)
        return key

    def snapshot(self, key: str) -> Panel:
        body = aws.client("s3").get_object(Bucket=self.bucket_name, Key=key)["Body"].read()
        return parse(body)

    def put_model(self, document: ModelDocument) -> None:
        aws.client("s3").put_object(
            Bucket=self.bucket_name,
            Key=model_key(document.market, document.crop, document.model_version),
            Body=document.model_dump_json().encode(),
            ContentType=JSON,
        )
