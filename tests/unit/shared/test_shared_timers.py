"""One-time timers: soko.shared.timers sets EventBridge Scheduler schedules, soko_local.timers fires
the due ones to their queue as the scheduler would (then deletes them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from soko.shared import aws
from soko.shared.timers import SchedulerTimers, TimerConfig, TimerMessage, at_expression, timer_name
from soko_local import timers as local_timers

REGION = "us-east-1"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _client(service: str):  # type: ignore[no-untyped-def]
    return boto3.client(service, region_name=REGION)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[SchedulerTimers, str]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws.reset()
    with mock_aws():
        _client("scheduler").create_schedule_group(Name="orders-timers")
        url = _client("sqs").create_queue(QueueName="order-timers")["QueueUrl"]
        arn = _client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        config = TimerConfig(
            timer_group="orders-timers",
            timer_queue_arn=arn,
            timer_role_arn="arn:aws:iam::123456789012:role/timers",
        )
        yield SchedulerTimers(config), url
    aws.reset()


def _messages(url: str) -> list[dict[str, object]]:
    got = _client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in got]


def test_a_due_timer_is_sent_to_its_queue_once_and_deleted(world: tuple[SchedulerTimers, str]) -> None:
    timers, url = world
    due = NOW + timedelta(minutes=5)
    timers.set("order.1.expire", due, kind="order.expire", subject="1", reason="unpaid")

    assert local_timers.fire_due(_client, ["orders-timers"], NOW + timedelta(minutes=4)) == []
    fired = local_timers.fire_due(_client, ["orders-timers"], NOW + timedelta(minutes=5))

    assert [f.name for f in fired] == ["order.1.expire"]
    body = _messages(url)
    assert body == [{"timer": "order.1.expire", "kind": "order.expire", "subject": "1", "reason": "unpaid"}]
    assert TimerMessage.model_validate(body[0]).reason == "unpaid"  # type: ignore[attr-defined]
    assert local_timers.fire_due(_client, ["orders-timers"], NOW + timedelta(days=1)) == []


def test_setting_a_timer_twice_keeps_the_first_and_cancel_tolerates_missing(
    world: tuple[SchedulerTimers, str],
) -> None:
    timers, url = world
    timers.set("t", NOW + timedelta(minutes=1), kind="k", subject="s", n=1)
    timers.set("t", NOW + timedelta(minutes=9), kind="k", subject="s", n=2)  # a retry: no-op

    fired = local_timers.fire_due(_client, ["orders-timers"], NOW + timedelta(minutes=1))
    assert [f.due for f in fired] == [NOW + timedelta(minutes=1)]
    assert [m["n"] for m in _messages(url)] == [1]

    timers.set("u", NOW + timedelta(minutes=1), kind="k", subject="s")
    timers.cancel("u")
    timers.cancel("u")  # already gone: fine
    assert local_timers.fire_due(_client, ["orders-timers"], NOW + timedelta(hours=1)) == []


def test_names_and_expressions() -> None:
    assert timer_name("order", "01J/X Y", "expire") == "order.01J-X-Y.expire"
    assert len(timer_name("x" * 100)) == 64
    assert at_expression(datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == "at(2026-01-02T03:04:05)"
    assert local_timers.due_time("at(2026-01-02T03:04:05)") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert local_timers.due_time("rate(1 hour)") is None


def test_the_runtime_reads_each_schedule_once_not_every_tick(world: tuple[SchedulerTimers, str]) -> None:
    timers, url = world
    reads: list[str] = []

    class Counting:
        def __init__(self, inner: object) -> None:
            self._inner = inner

        def get_schedule(self, **kwargs: str) -> object:
            reads.append(kwargs["Name"])
            return self._inner.get_schedule(**kwargs)  # type: ignore[attr-defined]

        def __getattr__(self, name: str) -> object:
            return getattr(self._inner, name)

    def client(service: str):  # type: ignore[no-untyped-def]
        return Counting(_client(service)) if service == "scheduler" else _client(service)

    seen: dict[tuple[str, str], tuple[datetime | None, dict[str, object]]] = {}
    timers.set("a", NOW + timedelta(minutes=5), kind="k", subject="a")
    timers.set("b", NOW + timedelta(minutes=5), kind="k", subject="b")
    for minute in range(3):  # not due yet: read on the first tick only
        assert local_timers.fire_due(client, ["orders-timers"], NOW + timedelta(minutes=minute), seen) == []
    assert sorted(reads) == ["a", "b"]

    timers.cancel("b")
    fired = local_timers.fire_due(client, ["orders-timers"], NOW + timedelta(minutes=5), seen)
    assert [f.name for f in fired] == ["a"] and seen == {}
    assert [m["subject"] for m in _messages(url)] == ["a"]
