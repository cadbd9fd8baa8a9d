"""Warm worker processes per function: started lazily, reused, capped, evicted when idle,
and retired when the code they loaded has changed."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from soko_local.worker import WorkerSpec, serve

log = logging.getLogger("soko_local.pool")
_ctx = multiprocessing.get_context("spawn")
_START_TIMEOUT_SECONDS = 60


@dataclass
class InvokeResult:
    payload: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    init_ms: float | None = None  # set on a cold start

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(eq=False)
class _Worker:
    spec: WorkerSpec
    process: BaseProcess
    conn: Connection
    generation: int
    init_ms: float
    last_used: float = field(default_factory=time.monotonic)
    fresh: bool = True

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=1)
        self.conn.close()


class WorkerPool:
    """Runs invocations on warm workers, like Lambda's execution environments."""

    def __init__(self, *, max_per_function: int = 4, max_total: int = 24, idle_seconds: float = 600):
        self.max_per_function = max_per_function
        self.max_total = max_total
        self.idle_seconds = idle_seconds
        self.generation = 0
        self._idle: dict[str, list[_Worker]] = {}
        self._busy: dict[str, int] = {}
        self._cond = threading.Condition()
        self._closed = False

    # ------------------------------------------------------------------ public
    def invoke(self, spec: WorkerSpec, event: Any, *, timeout: float | None = None) -> InvokeResult:
        worker = self._acquire(spec)
        cold_init = worker.init_ms if worker.fresh else None
        worker.fresh = False
        limit = float(timeout if timeout is not None else spec.timeout_seconds)
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        healthy = False
        try:
            worker.conn.send((event, request_id, time.time() + limit))
            if not worker.conn.poll(limit):
                return InvokeResult(
                    error={
                        "errorType": "Sandbox.Timedout",
                        "errorMessage": f"Task timed out after {limit:.2f} seconds",
                    },
                    duration_ms=limit * 1000,
                    init_ms=cold_init,
                )
            reply = worker.conn.recv()
            healthy = True
        except (EOFError, OSError) as exc:
            return InvokeResult(
                error={"errorType": "Runtime.ExitError", "errorMessage": f"worker exited: {exc}"},
                init_ms=cold_init,
            )
        finally:
            self._release(worker, healthy)
        duration = (time.perf_counter() - started) * 1000
        if "error" in reply:
            return InvokeResult(error=reply["error"], duration_ms=duration, init_ms=cold_init)
        return InvokeResult(payload=reply["ok"], duration_ms=duration, init_ms=cold_init)

    def code_changed(self) -> None:
        """Retire every worker: the next invocation starts one on the new code."""
        with self._cond:
            self.generation += 1
            stale = [w for workers in self._idle.values() for w in workers]
            self._idle.clear()
        for worker in stale:
            worker.stop()

    def evict_idle(self) -> int:
        cutoff = time.monotonic() - self.idle_seconds
        with self._cond:
            expired = [w for ws in self._idle.values() for w in ws if w.last_used < cutoff]
            for worker in expired:
                self._idle[worker.spec.logical_id].remove(worker)
        for worker in expired:
            worker.stop()
        return len(expired)

    def stats(self) -> dict[str, dict[str, int]]:
        with self._cond:
            names = set(self._idle) | set(self._busy)
            return {n: {"idle": len(self._idle.get(n, [])), "busy": self._busy.get(n, 0)} for n in names}

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = [w for ws in self._idle.values() for w in ws]
            self._idle.clear()
            self._cond.notify_all()
        for worker in workers:  # ask every worker to exit first, then wait for them together
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)
        for worker in workers:
            worker.stop()

    # ------------------------------------------------------------------ internals
    def _total(self) -> int:
        return sum(len(ws) for ws in self._idle.values()) + sum(self._busy.values())

    def _acquire(self, spec: WorkerSpec) -> _Worker:
        name = spec.logical_id
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("worker pool is closed")
                idle = self._idle.setdefault(name, [])
                while idle:
                    worker = idle.pop()
                    if worker.generation == self.generation and worker.spec == spec:
                        self._busy[name] = self._busy.get(name, 0) + 1
                        return worker
                    threading.Thread(target=worker.stop, daemon=True).start()
                if self._busy.get(name, 0) < self.max_per_function and self._make_room():
                    self._busy[name] = self._busy.get(name, 0) + 1
                    generation = self.generation
                    break
                self._cond.wait(timeout=1)
        try:
            return self._start(spec, generation)
        except BaseException:
            with self._cond:
                self._busy[name] -= 1
                self._cond.notify_all()
            raise

    def _make_room(self) -> bool:
        """With the lock held: make room for one more worker, evicting the least recently used
        idle worker of any function if the pool is full."""
        if self._total() < self.max_total:
            return True
        idle = [w for ws in self._idle.values() for w in ws]
        if not idle:
            return False
        victim = min(idle, key=lambda w: w.last_used)
        self._idle[victim.spec.logical_id].remove(victim)
        threading.Thread(target=victim.stop, daemon=True).start()
        return True

    def _start(self, spec: WorkerSpec, generation: int) -> _Worker:
        parent, child = _ctx.Pipe()
        process = _ctx.Process(target=serve, args=(child, spec), name=f"fn-{spec.logical_id}", daemon=True)
        process.start()
        child.close()
        if not parent.poll(_START_TIMEOUT_SECONDS):
            process.kill()
            raise RuntimeError(f"worker for {spec.logical_id} did not start")
        hello = parent.recv()
        log.debug("started worker for %s (init %.0f ms)", spec.logical_id, hello["init_ms"])
        return _Worker(spec, process, parent, generation, hello["init_ms"])

    def _release(self, worker: _Worker, healthy: bool) -> None:
        name = worker.spec.logical_id
        with self._cond:
            self._busy[name] -= 1
            keep = healthy and not self._closed and worker.generation == self.generation
            if keep:
                worker.last_used = time.monotonic()
                self._idle.setdefault(name, []).append(worker)
            self._cond.notify_all()
        if not keep:
            threading.Thread(target=worker.stop, daemon=True).start()
