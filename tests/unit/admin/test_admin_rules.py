"""The admin domain's rules against in-memory stores: the audit log's entries and query plans, and
the dead letters (which queue a name means, the move task in AWS and bounded batches locally)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from soko.admin import audit, queues
from soko.admin.events import AdminActionTaken
from soko.admin.models import AuditConfig, QueuesConfig, ReplayRequest
from soko.admin.ports import MoveUnsupported, QueueState
from soko.shared.dynamo import Page
from soko.shared.errors import Forbidden
from soko.shared.identity import Caller

ADMIN = Caller(user_id="adm", role="admin", email="a@example.com")
PREFIX = "soko-dev-"


@dataclass
class Log:
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    queries: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def append(self, entry: dict[str, Any]) -> bool:
        if entry["pk"] in self.entries:
            return False
        self.entries[entry["pk"]] = entry
        return True

    def page(
        self,
        index: str,
        partition: str,
        filters: dict[str, str],
        *,
        limit: int,
        cursor: str | None,
        scope: str,
    ) -> Page:
        self.queries.append((index, partition, filters))
        found = [
            e
            for e in self.entries.values()
            if e[f"{index}pk"] == partition and all(e[k] == v for k, v in filters.items())
        ]
        found.sort(key=lambda e: e[f"{index}sk"], reverse=True)
        return Page(items=found[:limit], next_cursor=None)


def action(**fields: Any) -> AdminActionTaken:
    defaults: dict[str, Any] = {
        "admin_id": "adm",
        "action": "queue.replay",
        "target_type": "queue",
        "target_id": "q",
        "reason": "fixed",
        "at": "2026-11-21T09:00:00Z",
    }
    return AdminActionTaken(**{**defaults, **fields})


# ---------------------------------------------------------------------------- the audit log
def test_an_entry_is_keyed_by_its_event_id_and_indexed_for_every_filter() -> None:
    taken = action(occurred_at=datetime(2026, 11, 21, 9, 0, 5, tzinfo=UTC))
    item = audit.entry_item(taken, "soko.admin")
    order = f"2026-11-21T09:00:05Z#{taken.event_id}"
    assert (item["pk"], item["sk"]) == (f"EVENT#{taken.event_id}", "EVENT")
    assert [(item[f"gsi{n}pk"], item[f"gsi{n}sk"]) for n in range(1, 5)] == [
        ("ALL", order),
        ("ADMIN#adm", order),
        ("TARGET#q", order),
        ("ACTION#queue.replay", order),
    ]


def test_recording_twice_keeps_the_first_entry() -> None:
    deps = audit.Audit(AuditConfig(audit_table_name="t"), Log())
    first = action()
    assert audit.record(first, "soko.admin", deps) is True
    again = first.model_copy(update={"reason": "another story"})
    assert audit.record(again, "soko.admin", deps) is False
    assert [e["reason"] for e in deps.store.entries.values()] == ["fixed"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("filters", "plan"),
    [
        (audit.AuditFilters(), ("gsi1", "ALL", {})),
        (audit.AuditFilters(admin_id="a"), ("gsi2", "ADMIN#a", {})),
        (audit.AuditFilters(target="t"), ("gsi3", "TARGET#t", {})),
        (audit.AuditFilters(action="x.y"), ("gsi4", "ACTION#x.y", {})),
        (audit.AuditFilters(admin_id="a", target="t"), ("gsi3", "TARGET#t", {"admin_id": "a"})),
        (audit.AuditFilters(admin_id="a", action="x.y"), ("gsi2", "ADMIN#a", {"action": "x.y"})),
        (
            audit.AuditFilters(admin_id="a", target="t", action="x.y"),
            ("gsi3", "TARGET#t", {"admin_id": "a", "action": "x.y"}),
        ),
    ],
)
def test_each_filter_is_served_by_its_index(
    filters: audit.AuditFilters, plan: tuple[str, str, dict[str, str]]
) -> None:
    log = Log()
    audit.list_entries(ADMIN, filters, 20, None, audit.Audit(AuditConfig(audit_table_name="t"), log))
    assert log.queries == [plan]


@pytest.mark.parametrize("role", ["farmer", "buyer", "both"])
def test_only_admins_read_the_log(role: str) -> None:
    caller = Caller(user_id="u", role=role, email="u@example.com")  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        audit.list_entries(
            caller, audit.AuditFilters(), 20, None, audit.Audit(AuditConfig(audit_table_name="t"), Log())
        )


# ---------------------------------------------------------------------------- dead letters
def arn(name: str) -> str:
    return f"arn:aws:sqs:us-east-1:1:{name}"


def state(name: str, messages: int = 0, dlq: str | None = None) -> QueueState:
    return QueueState(
        url=f"https://sqs/1/{name}",
        name=name,
        arn=arn(name),
        messages=messages,
        in_flight=0,
        dead_letter_arn=arn(dlq) if dlq else None,
    )


@dataclass
class Sqs:
    states: list[QueueState]
    supports_move: bool = True
    moves: list[tuple[str, str]] = field(default_factory=list)
    batches: list[tuple[str, str, int]] = field(default_factory=list)

    def queues(self, prefix: str) -> list[QueueState]:
        return [s for s in self.states if s.name.startswith(prefix)]

    def start_move(self, source_arn: str, destination_arn: str) -> str:
        if not self.supports_move:
            raise MoveUnsupported
        self.moves.append((source_arn, destination_arn))
        return "handle-1"

    def move_batch(self, source_url: str, destination_url: str, max_messages: int) -> int:
        self.batches.append((source_url, destination_url, max_messages))
        return 2


APP = [
    state(
        "soko-dev-MarketStack-1AB-MarketPaymentsQueue-XYZ",
        1,
        "soko-dev-MarketStack-1AB-MarketPaymentsDLQ-QQQ",
    ),
    state("soko-dev-MarketStack-1AB-MarketPaymentsDLQ-QQQ", 4),
    state("soko-dev-OutboxRelayDLQ-RRR", 2),
    state("soko-dev-IdentityStack-9-RatingsQueue-A", 0, "soko-dev-IdentityStack-9-RatingsDLQ-B"),
    state("soko-dev-IdentityStack-9-RatingsDLQ-B", 0),
    state("other-app-MarketPaymentsQueue-X", 0, "other-app-MarketPaymentsDLQ-Y"),
]


def deps(sqs: Sqs, stage: str = "dev") -> tuple[queues.Queues, Log]:
    log = Log()
    config = QueuesConfig(stage=stage, audit_table_name="t", queue_name_prefix=PREFIX)  # type: ignore[arg-type]
    return queues.Queues(config=config, audit=log, queues=sqs), log


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("soko-dev-MarketStack-1AB-MarketPaymentsQueue-XYZ", "MarketPaymentsQueue"),  # nested, deployed
        ("soko-dev-OutboxRelayDLQ-RRR", "OutboxRelayDLQ"),
        ("soko-local-RatingsQueue-84JHRJ", "RatingsQueue"),  # the local runtime's flat stack
        ("unrelated", "unrelated"),
    ],
)
def test_a_queues_label_is_its_logical_id(name: str, label: str) -> None:
    prefix = "soko-local-" if name.startswith("soko-local-") else PREFIX
    assert queues.label(name, prefix) == label


def test_the_list_pairs_each_queue_with_its_dead_letter_queue() -> None:
    listed = queues.list_queues(ADMIN, deps(Sqs(APP))[0])
    by_label = {i.label: i for i in listed.items}
    assert set(by_label) == {"MarketPaymentsQueue", "OutboxRelayDLQ", "RatingsQueue"}
    assert by_label["MarketPaymentsQueue"].dead_letters is not None
    assert by_label["MarketPaymentsQueue"].dead_letters.messages == 4
    assert by_label["OutboxRelayDLQ"].dead_letters is None
    assert listed.dead_letters_total == 4


def test_in_aws_a_replay_is_an_sqs_move_task_recorded_first() -> None:
    sqs = Sqs(APP)
    admin_deps, log = deps(sqs)
    result = queues.replay(ADMIN, "MarketPaymentsQueue", ReplayRequest(reason="fixed in 1.4.1"), admin_deps)
    assert sqs.moves == [(APP[1].arn, APP[0].arn)]
    assert sqs.batches == []
    assert (result.mode, result.task_handle, result.moved, result.remaining) == (
        "move_task",
        "handle-1",
        None,
        4,
    )
    [entry] = log.entries.values()
    assert (entry["action"], entry["target_id"], entry["source"]) == (
        "queue.replay",
        APP[0].name,
        "soko.admin",
    )


def test_without_move_tasks_a_replay_moves_bounded_batches() -> None:
    sqs = Sqs(APP, supports_move=False)
    result = queues.replay(ADMIN, "MarketPaymentsQueue", ReplayRequest(reason="fixed"), deps(sqs)[0])
    assert sqs.batches == [(APP[1].url, APP[0].url, 500)]
    assert (result.mode, result.moved, result.remaining) == ("batches", 2, 2)


def test_locally_a_replay_moves_batches_without_trying_a_move_task() -> None:
    sqs = Sqs(APP)
    queues.replay(ADMIN, "RatingsQueue", ReplayRequest(reason="fixed"), deps(sqs, "local")[0])
    assert sqs.moves == []
    assert len(sqs.batches) == 1


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("NoSuchQueue", queues.QueueNotFound),
        ("other-app-MarketPaymentsQueue-X", queues.QueueNotFound),  # another application's
        ("OutboxRelayDLQ", queues.NotReplayable),  # nobody's dead-letter queue, and none of its own
    ],
)
def test_names_that_cannot_be_replayed(name: str, error: type[Exception]) -> None:
    sqs = Sqs(APP)
    admin_deps, log = deps(sqs)
    with pytest.raises(error):
        queues.replay(ADMIN, name, ReplayRequest(reason="fixed"), admin_deps)
    assert (log.entries, sqs.moves, sqs.batches) == ({}, [], [])


def test_only_admins_replay() -> None:
    sqs = Sqs(APP)
    with pytest.raises(Forbidden):
        queues.replay(
            Caller(user_id="f", role="farmer", email="f@example.com"),
            "RatingsQueue",
            ReplayRequest(reason="fixed"),
            deps(sqs)[0],
        )
    assert sqs.moves == []
