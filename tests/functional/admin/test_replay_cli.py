"""``make replay-dlq`` (``python -m soko_tools.replay_dlq``) against a stack by its name: the same
replay as the endpoint, through boto3 with the stack's resources (here the template in moto, as a
deployed stack would be read)."""

from __future__ import annotations

from typing import Any

import pytest
from admin_support import drain

from soko_local.provision import Deployment
from soko_tools import replay_dlq
from support.tables import Table


def test_the_cli_lists_the_queues_and_their_dead_letters(
    deployment: Deployment, sqs: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs.send_message(QueueUrl=deployment.physical["RatingsDLQ"], MessageBody="x")

    assert replay_dlq.main(["--stack", deployment.stack_name]) == 0

    out = capsys.readouterr().out
    [line] = [row for row in out.splitlines() if row.startswith("RatingsQueue ")]
    assert line.split()[1:5] == ["0", "queued", "1", "dead"]
    assert "dead letters in all: 1" in out


def test_the_cli_replays_a_queue_and_records_the_operator(
    deployment: Deployment, sqs: Any, audit_table: Table, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs.send_message(QueueUrl=deployment.physical["RatingsDLQ"], MessageBody="x")

    code = replay_dlq.main(["RatingsQueue", "--reason", "ratings fixed", "--stack", deployment.stack_name])

    assert code == 0, capsys.readouterr().err
    assert [m["Body"] for m in drain(sqs, deployment.physical["RatingsQueue"])] == ["x"]
    [entry] = audit_table.items()
    assert entry["admin_id"].startswith("iam:arn:aws:")
    assert (entry["action"], entry["reason"]) == ("queue.replay", "ratings fixed")


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["RatingsQueue"], 2),
        (["RatingsQueue", "--reason", "no"], 2),
        (["NoSuchQueue", "--reason", "fixed"], 1),
    ],
)
def test_the_cli_refuses_without_a_reason_or_a_queue(
    deployment: Deployment, audit_table: Table, argv: list[str], code: int
) -> None:
    assert replay_dlq.main([*argv, "--stack", deployment.stack_name]) == code
    assert audit_table.items() == []
