"""POST /reports, GET /reports and GET /reports/{id} through the template's functions on moto:
every bad input a precise 4xx, the owner (or an admin) only, a page at a time newest first, the
Idempotency-Key honoured, a queued message per report, and the worker's partial batch failures
and its failed report with a user-safe message."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from soko.analytics.dal.reports import ReportsBucket, ReportsDal
from soko.analytics.deps import reports as wiring
from soko.analytics.reports import GENERIC_FAILURE, ReportsDeps
from soko.shared import clock
from soko_local.provision import Deployment
from support import events
from support.gateway import http_event
from support.lambda_env import Invoke
from support.users import User, new_user

TODAY = clock.now().astimezone(clock.EAT).date()
BODY = {
    "kind": "sales",
    "format": "csv",
    "from_date": (TODAY - timedelta(days=6)).isoformat(),
    "to_date": TODAY.isoformat(),
}


def create(
    invoke: Invoke, user: User, body: Any = None, key: str | None = None
) -> tuple[int, dict[str, Any]]:
    headers = {"idempotency-key": key} if key else None
    event = http_event("ReportsCreateFunction", "POST", "/reports", body=BODY if body is None else body,
                       context=user.context, headers=headers)  # fmt: skip
    result = invoke("ReportsCreateFunction", event)
    return result["statusCode"], json.loads(result["body"])


def get(invoke: Invoke, user: User, report_id: str) -> tuple[int, dict[str, Any]]:
    event = http_event(
        "ReportsGetFunction", "GET", f"/reports/{report_id}", params={"id": report_id}, context=user.context
    )
    result = invoke("ReportsGetFunction", event)
    return result["statusCode"], json.loads(result["body"])


def listing(invoke: Invoke, user: User, **query: Any) -> tuple[int, dict[str, Any]]:
    event = http_event("ReportsListFunction", "GET", "/reports", query=query, context=user.context)
    result = invoke("ReportsListFunction", event)
    return result["statusCode"], json.loads(result["body"])


def queued(deployment: Deployment) -> list[str]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=deployment.physical["ReportsQueue"].rsplit("/", 1)[-1])["QueueUrl"]
    found: list[str] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return found
        found += [json.loads(m["Body"])["report_id"] for m in got]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "everything"}, 422, "kind"),
        ({"format": "xlsx"}, 422, "format"),
        ({"from_date": "2026-13-01"}, 422, "from_date"),
        ({"from_date": (TODAY - timedelta(days=366)).isoformat()}, 422, None),  # 367 days
        ({"from_date": TODAY.isoformat(), "to_date": (TODAY - timedelta(days=1)).isoformat()}, 422, None),
        ({"to_date": (TODAY + timedelta(days=1)).isoformat()}, 400, "to_date"),
        ({"crop": "unobtainium"}, 422, "crop"),
        ({"district": "Atlantis"}, 422, "district"),
        ({"owner": "someone"}, 422, "owner"),
        ({"kind": "market_prices"}, 400, "crop"),
    ],
)
def test_bad_requests_are_precise_4xx(
    invoke: Invoke, deployment: Deployment, change: dict[str, Any], status: int, field: str | None
) -> None:
    code, body = create(invoke, new_user("farmer"), {**BODY, **change})
    assert code == status, body
    assert body["error"]["code"] and body["error"]["message"]
    if field:
        assert field in json.dumps(body["error"].get("details", {}))
    assert queued(deployment) == []


def test_missing_fields_roles_and_bodies(invoke: Invoke, deployment: Deployment) -> None:
    code, body = create(invoke, new_user("farmer"), {"kind": "sales"})
    assert code == 422 and "from_date" in json.dumps(body)
    code, body = create(invoke, new_user("farmer"), "not json")
    assert code == 400, body
    code, body = create(invoke, new_user("buyer"))
    assert code == 403, body
    code, body = create(invoke, new_user("admin"), {**BODY, "kind": "payouts"})
    assert code == 202 and body["kind"] == "payouts", body  # every farmer's, from the lake
    event = http_event("ReportsCreateFunction", "POST", "/reports", body=BODY)  # no caller
    assert invoke("ReportsCreateFunction", event)["statusCode"] == 401


def test_a_report_is_queued_and_only_its_owner_or_an_admin_sees_it(
    invoke: Invoke, deployment: Deployment
) -> None:
    farmer, other = new_user("farmer"), new_user("farmer")
    code, report = create(invoke, farmer, {**BODY, "crop": "matooke", "district": "mbarara"})
    assert code == 202, report
    assert report["status"] == "queued" and report["owner"] == farmer.id
    assert (report["crop"], report["district"]) == ("matoke", "Mbarara")
    assert "download_url" not in report
    assert queued(deployment) == [report["id"]]

    assert get(invoke, farmer, report["id"])[0] == 200
    assert get(invoke, new_user("admin"), report["id"])[0] == 200
    code, body = get(invoke, other, report["id"])
    assert code == 404 and body["error"]["code"] == "REPORT_NOT_FOUND"
    assert get(invoke, farmer, "01JD0000000000000000000000")[0] == 404
    assert get(invoke, farmer, "not*an*id")[0] == 422
    assert listing(invoke, other)[1]["items"] == []


def test_the_idempotency_key_returns_the_first_report(invoke: Invoke, deployment: Deployment) -> None:
    farmer = new_user("farmer")
    first = create(invoke, farmer, key="report-key-0001")
    again = create(invoke, farmer, key="report-key-0001")
    assert first[0] == again[0] == 202 and first[1]["id"] == again[1]["id"]
    assert queued(deployment) == [first[1]["id"]]
    code, body = create(invoke, farmer, {**BODY, "format": "pdf"}, key="report-key-0001")
    assert code == 422 and body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_the_list_is_newest_first_a_page_at_a_time(invoke: Invoke) -> None:
    farmer = new_user("farmer")
    made = [create(invoke, farmer)[1]["id"] for _ in range(3)]
    code, page = listing(invoke, farmer, limit=2)
    assert code == 200 and [r["id"] for r in page["items"]] == made[::-1][:2] and page["next_cursor"]
    code, rest = listing(invoke, farmer, limit=2, cursor=page["next_cursor"])
    assert [r["id"] for r in rest["items"]] == made[:1]
    assert listing(invoke, farmer, cursor="tampered")[0] == 400
    assert listing(invoke, new_user("farmer"), cursor=page["next_cursor"])[0] == 400  # another list's
    assert listing(invoke, farmer, limit=0)[0] == 422
    assert listing(invoke, farmer, owner="admins")[0] == 403


def test_the_weekly_schedule_queues_the_admins_report_once(invoke: Invoke, deployment: Deployment) -> None:
    first = invoke("ReportsWeeklyFunction", events.sqs_event() | {"detail": {}})
    again = invoke("ReportsWeeklyFunction", {"detail": {}})
    assert first["reports"] == again["reports"] and len(first["reports"]) == 2
    assert sorted(queued(deployment)) == sorted(first["reports"])
    code, page = listing(invoke, new_user("admin"), owner="admins")
    assert code == 200 and {r["format"] for r in page["items"]} == {"pdf", "csv"}
    assert {r["owner"] for r in page["items"]} == {"admins"}


def test_the_worker_fails_a_bad_record_alone_and_marks_a_broken_report_failed(
    invoke: Invoke, deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    farmer = new_user("farmer")
    report = create(invoke, farmer)[1]

    def broken() -> Any:
        raise RuntimeError("engine detail that must not reach the user")

    deps = ReportsDeps(
        store=ReportsDal(deployment.physical["AnalyticsTable"]),
        files=ReportsBucket(deployment.physical["ReportsBucket"]),
        lake=broken,
    )
    monkeypatch.setattr(wiring, "worker", lambda: deps)
    batch = events.sqs_event(
        {"report_id": report["id"]}, {"not": "a report"}, {"report_id": "NO-SUCH-REPORT"}
    )
    result = invoke("ReportsWorkerFunction", batch)
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert failed == [r["messageId"] for r in batch["Records"][:2]]  # the unknown report: nothing to do
    assert get(invoke, farmer, report["id"])[1]["status"] == "queued"  # retried by the queue

    batch = events.sqs_event({"report_id": report["id"]})
    batch["Records"][0]["attributes"]["ApproximateReceiveCount"] = "3"  # the last attempt
    assert invoke("ReportsWorkerFunction", batch)["batchItemFailures"] == []
    found = get(invoke, farmer, report["id"])[1]
    assert (found["status"], found["error"], found.get("download_url")) == ("failed", GENERIC_FAILURE, None)
