"""The admin domain's dependencies (cheap per call: config and clients cache themselves)."""

from __future__ import annotations

from soko.admin.audit import Audit
from soko.admin.dal import AuditDal
from soko.admin.models import AuditConfig, QueuesConfig
from soko.admin.queues import Queues
from soko.admin.sqs_store import SqsQueues
from soko.shared.config import load


def audit() -> Audit:
    config = load(AuditConfig)
    return Audit(config=config, store=AuditDal(config.audit_table_name))


def queues() -> Queues:
    config = load(QueuesConfig)
    return Queues(config=config, audit=AuditDal(config.audit_table_name), queues=SqsQueues())
