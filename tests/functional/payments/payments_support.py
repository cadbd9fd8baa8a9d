"""Helpers of the payments functional suite beyond ``support``: the handlers run in-process against
moto resources provisioned from template.yaml and talk over real HTTP to the sandbox PesaPal/MoMo
(``support.sandbox.SandboxServer``, which also serves ``/webhook/pesapal`` by invoking the
template's IPN functions, as the local runtime does); SQS batches built from outbox items; direct
reads and writes of the payments and market tables (``support.payments.Tables``)."""

from __future__ import annotations

from typing import Any

from support import events


def sqs_event(items: list[dict[str, Any]]) -> dict[str, Any]:
    """SQS records holding EventBridge events built from outbox items."""
    return events.sqs_event(*(events.from_outbox(item) for item in items))
