"""A worker process: one warm "Lambda instance" running one function's handler.

The parent sends ``(event, request_id, deadline_epoch)`` over a pipe; the worker answers
``{"ok": payload}`` or ``{"error": {"errorType", "errorMessage", "stackTrace"}}`` with the
exception's class name as ``errorType``, as Lambda reports it (so Step Functions Retry/Catch on a
named error behave as on AWS).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to become one function."""

    logical_id: str
    function_name: str
    handler: str
    code_dir: str
    environment: dict[str, str]
    timeout_seconds: int
    memory_mb: int
    region: str
    account_id: str
    extra_paths: tuple[str, ...] = field(default_factory=tuple)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"


class LambdaContext:
    """The subset of Lambda's context object that handlers and Powertools use."""

    def __init__(self, spec: WorkerSpec, request_id: str, deadline: float):
        self.function_name = spec.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.function_name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


class HandlerNotFound(Exception):
    pass


def _load_handler(spec: WorkerSpec) -> Any:
    module_name, _, function_name = spec.handler.rpartition(".")
    module = importlib.import_module(module_name.replace("/", "."))
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise HandlerNotFound(f"Handler '{function_name}' missing on module '{module_name}'") from None


def compile_code(directory: str) -> None:
    """Byte-compile a code directory with hash-checked .pyc: workers then start without compiling
    (about 0.7 s each), and a .pyc is never trusted over a changed source file."""
    import compileall  # noqa: PLC0415
    import py_compile  # noqa: PLC0415

    compileall.compile_dir(
        directory, quiet=1, force=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    )


def serve(conn: Connection, spec: WorkerSpec) -> None:
    """Entry point of the worker process."""
    # Ctrl-C reaches the whole process group; the parent stops workers through the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.clear()
    os.environ.update(spec.environment)
    # The runtime compiles the code directories with hash-checked .pyc (see compile_code), so a
    # save within the same second as the last compile still loads the new code.
    sys.dont_write_bytecode = True
    for path in reversed((spec.code_dir, *spec.extra_paths)):
        sys.path.insert(0, path)
    os.chdir(spec.code_dir)
    init_started = time.perf_counter()
    try:
        handler = _load_handler(spec)
        init_error = None
    except HandlerNotFound as exc:  # reported on every invocation, as Lambda does
        handler, init_error = None, _error(exc, "Runtime.HandlerNotFound")
    except Exception as exc:
        handler, init_error = None, _error(exc, "Runtime.ImportModuleError")
    conn.send({"ready": True, "init_ms": (time.perf_counter() - init_started) * 1000})
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        event, request_id, deadline = message
        if init_error is not None:
            conn.send({"error": init_error})
            continue
        conn.send(_invoke(handler, event, LambdaContext(spec, request_id, deadline)))
        sys.stdout.flush()
        sys.stderr.flush()


def _invoke(handler: Any, event: Any, context: LambdaContext) -> dict[str, Any]:
    try:
        result = handler(event, context)
    except Exception as exc:
        traceback.print_exception(exc, file=sys.stderr)
        return {"error": _error(exc)}
    try:
        # Lambda serialises the result as JSON; a result that cannot be is a runtime error.
        return {"ok": json.loads(json.dumps(result))}
    except (TypeError, ValueError) as exc:
        return {"error": _error(exc, "Runtime.MarshalError")}
