"""The admin domain's models: its configuration, requests and responses."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from soko.shared.config import BaseConfig


class AuditConfig(BaseConfig):
    """The audit log's functions (the consumer that records, the list that reads)."""

    audit_table_name: str = Field(min_length=1)


class QueuesConfig(AuditConfig):
    """The dead-letter functions: the audit table (a replay is recorded there) and the prefix every
    queue of the application's name starts with (the root stack's name and a dash: CloudFormation
    names a queue ``<stack>-<LogicalId>-<suffix>``, and a nested stack's name starts with its
    parent's)."""

    queue_name_prefix: str = Field(min_length=2, max_length=80)
    replay_max_messages: int = Field(default=500, ge=1, le=10_000)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Reason = Annotated[str, Field(min_length=3, max_length=500, description="why (kept in the audit log)")]


class ReplayRequest(_Input):
    reason: Reason


class AuditLogEntry(BaseModel):
    event_id: str
    source: str = Field(description="the domain that took the action, e.g. soko.users")
    admin_id: str
    action: str
    target_type: str
    target_id: str
    reason: str
    at: str
    details: dict[str, Any] = Field(default_factory=dict)
    recorded_at: str


class AuditLogPage(BaseModel):
    items: list[AuditLogEntry]
    next_cursor: str | None


class DeadLetters(BaseModel):
    name: str
    arn: str
    messages: int = Field(description="visible messages (approximate)")
    in_flight: int = Field(description="messages received and not yet deleted (approximate)")


class QueueInfo(BaseModel):
    name: str = Field(description="the queue's name: what POST /admin/queues/{name}/replay takes")
    label: str = Field(description="the queue's logical id in the template, when its name shows it")
    arn: str
    messages: int
    in_flight: int
    dead_letters: DeadLetters | None = Field(description="its dead-letter queue (null: it has none)")


class QueueList(BaseModel):
    items: list[QueueInfo]
    dead_letters_total: int


class ReplayResult(BaseModel):
    queue: str
    dead_letter_queue: str
    mode: Literal["move_task", "batches"] = Field(
        description="move_task: SQS moves the messages itself (asynchronously); batches: moved here, "
        "at most a bounded number per call (call again while `remaining` > 0)"
    )
    moved: int | None = Field(description="messages moved by this call (null for a move task)")
    remaining: int = Field(description="dead letters still waiting (approximate)")
    task_handle: str | None = None
    audit_event_id: str
