"""The application's queues and their dead letters: listing them with their depths, and replaying
a dead-letter queue into its source queue after a fix.

How the application knows its queues: every queue of the application is named by CloudFormation
``<stack>-<LogicalId>-<suffix>`` and a nested stack's name starts with its root's, so the queues
are those whose name starts with the root stack's name (``QUEUE_NAME_PREFIX``, from the root's
``AWS::StackName``); a queue's dead-letter queue is the target of its ``RedrivePolicy``. New
queues in any stack are found without being listed anywhere.

A replay is recorded first (the admin domain's own ``AdminActionTaken``, written straight into
its audit table), then the dead letters are moved: by an SQS message move task where SQS has one
(AWS), else here in bounded batches (the local runtime's moto), and a replay stays idempotent
because every consumer deduplicates on the event id.
"""

from __future__ import annotations

from dataclasses import dataclass

from soko.admin import audit
from soko.admin.events import AdminActionTaken
from soko.admin.models import DeadLetters, QueueInfo, QueueList, QueuesConfig, ReplayRequest, ReplayResult
from soko.admin.ports import AuditStore, MoveUnsupported, QueueState, QueueStore
from soko.shared import clock
from soko.shared.errors import Conflict, NotFound
from soko.shared.identity import Caller


class QueueNotFound(NotFound):
    code = "QUEUE_NOT_FOUND"


class NotReplayable(Conflict):
    code = "QUEUE_HAS_NO_DEAD_LETTER_QUEUE"


@dataclass
class Queues:
    config: QueuesConfig
    audit: AuditStore
    queues: QueueStore


def label(name: str, prefix: str) -> str:
    """The queue's logical id, read from its name (``<stack>-<LogicalId>-<suffix>``)."""
    parts = name[len(prefix) :].strip("-").split("-") if name.startswith(prefix) else name.split("-")
    return parts[-2] if len(parts) >= 2 else parts[0]


def _dead_letters(state: QueueState, by_arn: dict[str, QueueState]) -> DeadLetters | None:
    dlq = by_arn.get(state.dead_letter_arn or "")
    if dlq is None:
        return None
    return DeadLetters(name=dlq.name, arn=dlq.arn, messages=dlq.messages, in_flight=dlq.in_flight)


def queue_infos(states: list[QueueState], prefix: str) -> list[QueueInfo]:
    """The queues among ``states`` that are not themselves dead-letter queues, with their DLQ's depth."""
    by_arn = {s.arn: s for s in states}
    dead_letter_arns = {s.dead_letter_arn for s in states if s.dead_letter_arn}
    return [
        QueueInfo(
            name=s.name,
            label=label(s.name, prefix),
            arn=s.arn,
            messages=s.messages,
            in_flight=s.in_flight,
            dead_letters=_dead_letters(s, by_arn),
        )
        for s in states
        if s.arn not in dead_letter_arns
    ]


def list_queues(caller: Caller, deps: Queues) -> QueueList:
    """Every queue of the application that is not itself a dead-letter queue, with its DLQ's depth."""
    caller.require("admin")
    prefix = deps.config.queue_name_prefix
    items = queue_infos(deps.queues.queues(prefix), prefix)
    return QueueList(
        items=items, dead_letters_total=sum(i.dead_letters.messages for i in items if i.dead_letters)
    )


def _find(name: str, states: list[QueueState], prefix: str) -> tuple[QueueState, QueueState]:
    """The source queue named ``name`` (its name, its label, or its dead-letter queue's) and its DLQ."""
    by_arn = {s.arn: s for s in states}
    named = [s for s in states if name in (s.name, label(s.name, prefix))]
    if not named:
        raise QueueNotFound("No queue of this application has that name.", details={"name": name})
    sources = [s for s in named if s.dead_letter_arn]
    if not sources:  # a dead-letter queue named: replay it into the queue it serves
        arns = {s.arn for s in named}
        sources = [s for s in states if s.dead_letter_arn in arns]
    if len(sources) != 1 or by_arn.get(sources[0].dead_letter_arn or "") is None:
        raise NotReplayable(
            "That queue has no dead-letter queue of its own to replay (or the name is ambiguous).",
            details={"name": name},
        )
    source = sources[0]
    return source, by_arn[source.dead_letter_arn or ""]


def replay(caller: Caller, name: str, request: ReplayRequest, deps: Queues) -> ReplayResult:
    caller.require("admin")
    prefix = deps.config.queue_name_prefix
    source, dlq = _find(name, deps.queues.queues(prefix), prefix)
    mode = "batches" if deps.config.is_local else "move_task"
    action = AdminActionTaken(
        admin_id=caller.user_id,
        action="queue.replay",
        target_type="queue",
        target_id=source.name,
        reason=request.reason,
        at=clock.now_iso(),
        details={"dead_letter_queue": dlq.name, "dead_letters": dlq.messages},
    )
    audit.record(action, AdminActionTaken.SOURCE, audit.Audit(deps.config, deps.audit))
    handle, moved = None, None
    if mode == "move_task":
        try:
            handle = deps.queues.start_move(dlq.arn, source.arn)
        except MoveUnsupported:
            mode = "batches"
    if mode == "batches":
        moved = deps.queues.move_batch(dlq.url, source.url, deps.config.replay_max_messages)
    remaining = max(dlq.messages - (moved or 0), 0) if moved is not None else dlq.messages
    return ReplayResult(
        queue=source.name,
        dead_letter_queue=dlq.name,
        mode="move_task" if handle else "batches",
        moved=moved,
        remaining=remaining,
        task_handle=handle,
        audit_event_id=action.event_id,
    )
