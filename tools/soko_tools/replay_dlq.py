"""See and replay the application's dead letters from the command line (``make replay-dlq``).

    python -m soko_tools.replay_dlq                              # the queues and their dead letters
    python -m soko_tools.replay_dlq QUEUE --reason "fixed in 1.4.1"          # the local runtime
    python -m soko_tools.replay_dlq QUEUE --reason "..." --stack soko-dev     # a deployed stack

``QUEUE`` is a queue's name, its label (its logical id, e.g. ``MarketPaymentsQueue``) or its
dead-letter queue's name, as ``GET /admin/queues`` shows them. It runs the same code as
``POST /admin/queues/{name}/replay`` with boto3: against the running local runtime's moto (found
through ``/_local/endpoints``) or a deployed stack (your AWS credentials; the audit table is the
stack's ``AuditTable`` resource, the queues those named ``<stack>-...``). The replay is recorded in
the admin audit log first, as the operator (the local user, or the caller's IAM ARN), with the reason.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from soko.admin import queues
from soko.admin.dal import AuditDal
from soko.admin.models import QueuesConfig, ReplayRequest
from soko.admin.sqs_store import SqsQueues
from soko.shared import aws
from soko.shared.errors import SokoError
from soko.shared.identity import Caller
from soko_local.local_aws import use_local_runtime


def _local(port: int) -> tuple[str, str]:
    """(the local stack's name, the operator) after pointing boto3 at the runtime's moto."""
    endpoints = use_local_runtime(port)
    aws.reset()
    return str(endpoints["stack_name"]), f"operator:{getpass.getuser()}"


def _deployed() -> str:
    return "iam:" + str(aws.client("sts").get_caller_identity()["Arn"])


def deps_for(stack: str, *, local: bool) -> queues.Queues:
    table = aws.client("cloudformation").describe_stack_resource(
        StackName=stack, LogicalResourceId="AuditTable"
    )
    config = QueuesConfig(
        stage="local" if local else "dev",
        audit_table_name=table["StackResourceDetail"]["PhysicalResourceId"],
        queue_name_prefix=f"{stack}-",
    )
    return queues.Queues(config=config, audit=AuditDal(config.audit_table_name), queues=SqsQueues())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("queue", nargs="?", help="the queue to replay (none: list the queues)")
    parser.add_argument("--reason", default="", help="why (required to replay; kept in the audit log)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--port", type=int, default=3000, help="the local runtime's port (default)")
    where.add_argument("--stack", help="a deployed stack's name (e.g. soko-dev)")
    args = parser.parse_args(argv)
    if args.stack:
        stack, operator, local = args.stack, _deployed(), False
    else:
        (stack, operator), local = _local(args.port), True
    admin = Caller(user_id=operator, role="admin", email="")
    deps = deps_for(stack, local=local)
    try:
        if not args.queue:
            listed = queues.list_queues(admin, deps)
            for item in listed.items:
                dead = item.dead_letters.messages if item.dead_letters else "-"
                print(f"{item.label:32} {item.messages:>6} queued {dead:>6} dead  {item.name}")
            print(f"dead letters in all: {listed.dead_letters_total}")
            return 0
        result = queues.replay(admin, args.queue, ReplayRequest(reason=args.reason), deps)
    except SokoError as err:
        print(f"error: {err.message} {err.details or ''}", file=sys.stderr)
        return 1
    except ValueError as err:  # the request model: a missing or too short reason
        print(f"error: give a --reason of 3 to 500 characters ({err.__class__.__name__})", file=sys.stderr)
        return 2
    print(result.model_dump_json(indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
