"""Reports' data access: the report items of the analytics table, the files in the reports bucket
and the messages on the reports queue (the only reports code that touches boto3).

Items (layout in :mod:`soko.analytics.dal`): ``REPORT#<id>`` / ``REPORT``, with gsi1
``REPORTS#<owner>`` / ``<created_at>#<id>`` for an owner's list, newest first. Status changes are
conditional: ``queued`` -> ``running`` (or a ``running`` one abandoned longer than the queue's
visibility timeout), ``running`` -> ``ready`` or ``failed``, so a redelivered message never builds a
report twice nor overwrites a ready one.
"""

from __future__ import annotations

import json
from typing import Any

from soko.analytics.dal import report_key
from soko.analytics.reports import StoredReport
from soko.shared import aws, dynamo

_FIELDS = set(StoredReport.model_fields) - {"download_url"}
_LIST_KEYS = frozenset({"pk", "sk", "gsi1pk", "gsi1sk"})


def _report(item: dict[str, Any]) -> StoredReport:
    return StoredReport.model_validate({k: v for k, v in item.items() if k in _FIELDS})


class ReportsDal(dynamo.TableDal):
    def create(self, report: StoredReport) -> bool:
        """Store a new report; False when one with this id exists (the weekly schedule ran twice)."""
        item = {
            **report.model_dump(mode="json", exclude_none=True, exclude={"download_url"}),
            **report_key(report.id),
            "gsi1pk": f"REPORTS#{report.owner}",
            "gsi1sk": f"{report.created_at}#{report.id}",
        }
        return self._put_if(item, "attribute_not_exists(pk)")

    def get(self, report_id: str) -> StoredReport | None:
        key = report_key(report_id)
        item = self._get(key["pk"], key["sk"])
        return _report(item) if item else None

    def page(self, owner: str, limit: int, cursor: str | None) -> tuple[list[StoredReport], str | None]:
        page = dynamo.query_page(
            self._table,
            scope=f"reports:{owner}",
            key_names=_LIST_KEYS,
            limit=limit,
            cursor_token=cursor,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :o",
            ExpressionAttributeValues={":o": f"REPORTS#{owner}"},
            ScanIndexForward=False,
        )
        return [_report(dynamo.plain(i)) for i in page.items], page.next_cursor

    def claim(self, report_id: str, now: str, stale_before: str) -> bool:
        return self._update_if(
            report_key(report_id),
            "SET #s = :running, started_at = :now",
            condition="#s = :queued OR (#s = :running AND started_at < :stale)",
            names={"#s": "status"},
            values={":running": "running", ":queued": "queued", ":now": now, ":stale": stale_before},
        )

    def finish(self, report_id: str, rows: int, total_ugx: int, now: str) -> bool:
        return self._update_if(
            report_key(report_id),
            "SET #s = :ready, ready_at = :now, #rows = :rows, total_ugx = :total",
            condition="#s = :running",
            names={"#s": "status", "#rows": "rows"},
            values={
                ":ready": "ready",
                ":running": "running",
                ":now": now,
                ":rows": rows,
                ":total": total_ugx,
            },
        )

    def fail(self, report_id: str, message: str, now: str) -> bool:
        return self._update_if(
            report_key(report_id),
            "SET #s = :failed, #e = :message, failed_at = :now",
            condition="#s = :running",
            names={"#s": "status", "#e": "error"},
            values={":failed": "failed", ":running": "running", ":message": message, ":now": now},
        )

    def requeue(self, report_id: str) -> None:
        """A build that failed for a passing reason: queued again for the queue's next delivery."""
        self._update_if(
            report_key(report_id),
            "SET #s = :queued",
            condition="#s = :running",
            names={"#s": "status"},
            values={":queued": "queued", ":running": "running"},
        )


class ReportsBucket:
    """The built files: ``reports/<owner>/<id>.<ext>`` (private; read through presigned URLs)."""

    def __init__(self, bucket: str):
        self.bucket = bucket

    def put(self, key: str, body: bytes, content_type: str, filename: str) -> None:
        aws.client("s3").put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ContentDisposition=f'attachment; filename="{filename}"',
        )

    def url(self, key: str, filename: str, seconds: int) -> str:
        return str(
            aws.client("s3").generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": key,
                    "ResponseContentDisposition": f'attachment; filename="{filename}"',
                },
                ExpiresIn=seconds,
            )
        )


class ReportsQueue:
    def __init__(self, queue_url: str):
        self.queue_url = queue_url

    def send(self, report_id: str) -> None:
        aws.client("sqs").send_message(
            QueueUrl=self.queue_url, MessageBody=json.dumps({"report_id": report_id})
        )
