"""Warm worker processes (soko_local.pool and soko_local.worker), with real processes running a
tiny handler module written to tmp_path."""

from __future__ import annotations

import os
import py_compile
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from soko_local.pool import WorkerPool
from soko_local.worker import WorkerSpec, compile_code

HANDLER = textwrap.dedent(
    """
    import json
    import os
    import sys
    import time

    VERSION = "v1"


    class OutOfStock(Exception):
        pass


    def handler(event, context):
        op = event["op"]
        if op == "echo":
            return {"event": event, "version": VERSION}
        if op == "pid":
            return os.getpid()
        if op == "env":
            return {"environ": dict(os.environ), "cwd": os.getcwd()}
        if op == "context":
            return {
                "function_name": context.function_name,
                "arn": context.invoked_function_arn,
                "request_id": context.aws_request_id,
                "memory": context.memory_limit_in_mb,
                "remaining": context.get_remaining_time_in_millis(),
                "log_group": context.log_group_name,
            }
        if op == "raise":
            raise OutOfStock("no maize left")
        if op == "value_error":
            raise ValueError("bad input")
        if op == "sleep":
            started = time.time()
            time.sleep(event["seconds"])
            return {"pid": os.getpid(), "start": started, "end": time.time()}
        if op == "unserialisable":
            return {"tags": {"a", "b"}}
        if op == "exit":
            os._exit(3)
        raise AssertionError(op)
    """
)


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "code"
    directory.mkdir()
    (directory / "app.py").write_text(HANDLER)
    return directory


@pytest.fixture
def spec(code_dir: Path) -> WorkerSpec:
    return WorkerSpec(
        logical_id="OrdersFunction",
        function_name="soko-local-OrdersFunction",
        handler="app.handler",
        code_dir=str(code_dir),
        environment={"STAGE": "local", "TABLE_NAME": "orders"},
        timeout_seconds=10,
        memory_mb=256,
        region="us-east-1",
        account_id="123456789012",
    )


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    pool = WorkerPool(max_per_function=2, max_total=8)
    try:
        yield pool
    finally:
        pool.close()


def invoke_ok(pool: WorkerPool, spec: WorkerSpec, event: dict[str, Any], **kwargs: Any) -> Any:
    result = pool.invoke(spec, event, **kwargs)
    assert result.ok, result.error
    return result.payload


def wait_until_dead(pid: int, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_invoke_returns_the_payload(pool: WorkerPool, spec: WorkerSpec) -> None:
    event = {"op": "echo", "items": [1, 2], "nested": {"a": None}}

    result = pool.invoke(spec, event)

    assert result.ok
    assert result.error is None
    assert result.payload == {"event": event, "version": "v1"}
    assert result.duration_ms > 0


def test_handler_gets_a_lambda_context(pool: WorkerPool, spec: WorkerSpec) -> None:
    first = invoke_ok(pool, spec, {"op": "context"})
    second = invoke_ok(pool, spec, {"op": "context"})

    assert first["function_name"] == "soko-local-OrdersFunction"
    assert first["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:soko-local-OrdersFunction"
    assert first["memory"] == 256
    assert first["log_group"] == "/aws/lambda/soko-local-OrdersFunction"
    assert 0 < first["remaining"] <= 10_000
    assert first["request_id"] != second["request_id"]


@pytest.mark.parametrize(
    ("op", "error_type", "message"),
    [
        ("raise", "OutOfStock", "no maize left"),
        ("value_error", "ValueError", "bad input"),
    ],
)
def test_handler_exception_is_reported_with_its_class_name(
    pool: WorkerPool, spec: WorkerSpec, op: str, error_type: str, message: str
) -> None:
    result = pool.invoke(spec, {"op": op})

    assert not result.ok
    assert result.payload is None
    assert result.error is not None
    assert result.error["errorType"] == error_type
    assert result.error["errorMessage"] == message
    assert any(message in line for line in result.error["stackTrace"])


def test_worker_survives_a_handler_exception(pool: WorkerPool, spec: WorkerSpec) -> None:
    before = invoke_ok(pool, spec, {"op": "pid"})
    assert not pool.invoke(spec, {"op": "raise"}).ok

    assert invoke_ok(pool, spec, {"op": "pid"}) == before


@pytest.mark.parametrize(
    ("source", "handler"),
    [
        ("import not_a_real_module_xyz\n", "broken.handler"),
        ("raise RuntimeError('bad config at import')\n", "broken.handler"),
        (None, "missing_module.handler"),
    ],
)
def test_import_failure_is_runtime_import_module_error(
    pool: WorkerPool, spec: WorkerSpec, code_dir: Path, source: str | None, handler: str
) -> None:
    if source is not None:
        (code_dir / "broken.py").write_text(source)
    broken = replace(spec, handler=handler)

    first = pool.invoke(broken, {"op": "echo"})
    second = pool.invoke(broken, {"op": "echo"})

    for result in (first, second):  # reported on every invocation, as Lambda does
        assert result.error is not None
        assert result.error["errorType"] == "Runtime.ImportModuleError"
    assert first.init_ms is not None
    assert second.init_ms is None


def test_missing_handler_function_is_handler_not_found(
    pool: WorkerPool, spec: WorkerSpec, code_dir: Path
) -> None:
    (code_dir / "nohandler.py").write_text("def other(event, context):\n    return 1\n")

    result = pool.invoke(replace(spec, handler="nohandler.handler"), {"op": "echo"})

    assert result.error is not None
    assert result.error["errorType"] == "Runtime.HandlerNotFound"


def test_timeout_is_sandbox_timedout_and_the_worker_is_replaced(pool: WorkerPool, spec: WorkerSpec) -> None:
    before = invoke_ok(pool, spec, {"op": "pid"})

    started = time.monotonic()
    result = pool.invoke(spec, {"op": "sleep", "seconds": 30}, timeout=0.5)
    elapsed = time.monotonic() - started

    assert result.error is not None
    assert result.error["errorType"] == "Sandbox.Timedout"
    assert "0.50 seconds" in result.error["errorMessage"]
    assert result.duration_ms == 500
    assert elapsed < 5
    assert wait_until_dead(before), "the timed-out worker is still running"
    after = pool.invoke(spec, {"op": "pid"})
    assert after.ok
    assert after.payload != before
    assert after.init_ms is not None  # a cold start


def test_spec_timeout_applies_without_an_explicit_one(pool: WorkerPool, spec: WorkerSpec) -> None:
    short = replace(spec, timeout_seconds=1)

    result = pool.invoke(short, {"op": "sleep", "seconds": 30})

    assert result.error is not None
    assert result.error["errorType"] == "Sandbox.Timedout"


def test_unserialisable_result_is_runtime_marshal_error(pool: WorkerPool, spec: WorkerSpec) -> None:
    result = pool.invoke(spec, {"op": "unserialisable"})

    assert result.payload is None
    assert result.error is not None
    assert result.error["errorType"] == "Runtime.MarshalError"
    assert "set" in result.error["errorMessage"]


def test_worker_exit_is_reported_and_the_worker_replaced(pool: WorkerPool, spec: WorkerSpec) -> None:
    before = invoke_ok(pool, spec, {"op": "pid"})

    result = pool.invoke(spec, {"op": "exit"})

    assert result.error is not None
    assert result.error["errorType"] == "Runtime.ExitError"
    assert invoke_ok(pool, spec, {"op": "pid"}) != before


def test_warm_reuse(pool: WorkerPool, spec: WorkerSpec) -> None:
    cold = pool.invoke(spec, {"op": "pid"})
    warm = pool.invoke(spec, {"op": "pid"})

    assert cold.init_ms is not None
    assert cold.init_ms >= 0
    assert warm.init_ms is None
    assert warm.payload == cold.payload
    assert cold.payload != os.getpid()
    assert pool.stats() == {"OrdersFunction": {"idle": 1, "busy": 0}}


def test_environment_is_isolated(
    pool: WorkerPool, spec: WorkerSpec, code_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOKO_PARENT_SENTINEL", "leaked")

    seen = invoke_ok(pool, spec, {"op": "env"})

    assert seen["environ"] == {"STAGE": "local", "TABLE_NAME": "orders"}
    assert "SOKO_PARENT_SENTINEL" not in seen["environ"]
    assert "AWS_ACCESS_KEY_ID" not in seen["environ"]  # set in the parent by conftest
    assert seen["cwd"] == str(code_dir)


def test_a_different_spec_for_the_same_function_gets_a_new_worker(pool: WorkerPool, spec: WorkerSpec) -> None:
    first = invoke_ok(pool, spec, {"op": "env"})
    first_pid = invoke_ok(pool, spec, {"op": "pid"})
    changed = replace(spec, environment={"STAGE": "other"})

    second = invoke_ok(pool, changed, {"op": "env"})

    assert first["environ"]["STAGE"] == "local"
    assert second["environ"] == {"STAGE": "other"}
    assert invoke_ok(pool, changed, {"op": "pid"}) != first_pid


def test_code_changed_loads_new_code(pool: WorkerPool, spec: WorkerSpec, code_dir: Path) -> None:
    old_pid = invoke_ok(pool, spec, {"op": "pid"})
    assert invoke_ok(pool, spec, {"op": "echo"})["version"] == "v1"
    (code_dir / "app.py").write_text(HANDLER.replace('VERSION = "v1"', 'VERSION = "version-2"'))

    assert invoke_ok(pool, spec, {"op": "echo"})["version"] == "v1"  # still warm on the old code
    pool.code_changed()
    result = pool.invoke(spec, {"op": "echo"})

    assert result.payload["version"] == "version-2"
    assert result.init_ms is not None
    assert wait_until_dead(old_pid)


def test_code_changed_retires_a_busy_worker_when_it_finishes(
    pool: WorkerPool, spec: WorkerSpec, code_dir: Path
) -> None:
    with ThreadPoolExecutor(1) as executor:
        running = executor.submit(pool.invoke, spec, {"op": "sleep", "seconds": 0.5})
        time.sleep(0.3)  # the worker is busy, not idle
        (code_dir / "app.py").write_text(HANDLER.replace('VERSION = "v1"', 'VERSION = "version-2"'))
        pool.code_changed()
        old_pid = running.result().payload["pid"]

    assert invoke_ok(pool, spec, {"op": "echo"})["version"] == "version-2"
    assert wait_until_dead(old_pid)


def test_code_changed_within_the_same_second(pool: WorkerPool, spec: WorkerSpec, code_dir: Path) -> None:
    source = code_dir / "app.py"
    saved_at = 1_750_000_000.0
    os.utime(source, (saved_at, saved_at))
    assert invoke_ok(pool, spec, {"op": "echo"})["version"] == "v1"
    # The .pyc the worker writes on import (written here too, in case PYTHONDONTWRITEBYTECODE is set).
    py_compile.compile(str(source), invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    source.write_text(HANDLER.replace('VERSION = "v1"', 'VERSION = "v2"'))  # same size
    os.utime(source, (saved_at + 0.5, saved_at + 0.5))  # saved again half a second later

    compile_code(str(code_dir))  # what the runtime does on a change, before retiring the workers
    pool.code_changed()

    assert invoke_ok(pool, spec, {"op": "echo"})["version"] == "v2"


def test_max_per_function_is_respected(spec: WorkerSpec) -> None:
    pool = WorkerPool(max_per_function=2, max_total=8)
    try:
        with ThreadPoolExecutor(6) as executor:
            futures = [executor.submit(pool.invoke, spec, {"op": "sleep", "seconds": 0.3}) for _ in range(6)]
            results = [future.result() for future in futures]
    finally:
        pool.close()

    assert all(r.ok for r in results), [r.error for r in results]
    runs = [r.payload for r in results]
    assert len({run["pid"] for run in runs}) == 2
    events = sorted([(run["start"], 1) for run in runs] + [(run["end"], -1) for run in runs])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    assert peak == 2


def test_close_stops_workers_and_refuses_new_invocations(spec: WorkerSpec) -> None:
    pool = WorkerPool()
    other = replace(spec, logical_id="OtherFunction")
    pids = [invoke_ok(pool, spec, {"op": "pid"}), invoke_ok(pool, other, {"op": "pid"})]

    pool.close()

    assert all(wait_until_dead(pid) for pid in pids)
    with pytest.raises(RuntimeError, match="closed"):
        pool.invoke(spec, {"op": "pid"})


def test_evict_idle(spec: WorkerSpec) -> None:
    pool = WorkerPool(idle_seconds=0)
    try:
        pid = invoke_ok(pool, spec, {"op": "pid"})
        time.sleep(0.01)

        assert pool.evict_idle() == 1
        assert wait_until_dead(pid)
        result = pool.invoke(spec, {"op": "pid"})
        assert result.payload != pid
        assert result.init_ms is not None
    finally:
        pool.close()


def test_max_total_evicts_the_least_recently_used_idle_worker(spec: WorkerSpec) -> None:
    pool = WorkerPool(max_per_function=2, max_total=2)
    try:
        a = invoke_ok(pool, replace(spec, logical_id="A"), {"op": "pid"})
        b = invoke_ok(pool, replace(spec, logical_id="B"), {"op": "pid"})
        invoke_ok(pool, replace(spec, logical_id="A"), {"op": "pid"})  # A is now the most recent

        invoke_ok(pool, replace(spec, logical_id="C"), {"op": "pid"})

        assert wait_until_dead(b)
        assert not wait_until_dead(a, seconds=0.2)
        assert set(pool.stats()) >= {"A", "C"}
        assert pool.stats().get("B", {"idle": 0})["idle"] == 0
    finally:
        pool.close()
