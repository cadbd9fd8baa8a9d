"""``make bench`` section 5: identity - access-token verification (in-process and the authorizer
warm), argon2id hashing and its memory, and sign-in over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from soko_local.bench.core import (
    GATEWAY_WARMUP,
    Bench,
    BenchError,
    Figure,
    InvokeLog,
    Samples,
    Section,
    Signer,
    authorizer_route,
    concrete_path,
    fmt,
    function_environment,
    median,
    ms_since,
    p95,
    progress,
    runtime_signer,
    sample,
    timed_invoke,
    timed_request,
    ulid,
    worker_rss,
)

if TYPE_CHECKING:
    from soko_local.runtime import LocalRuntime

TOKEN_RUNS = 2000

TOKEN_WARMUP = 100

TOKEN_TARGET_US = 2000.0

AUTHORIZER_RUNS = 200

AUTHORIZER_TARGET_MS = 2.0

ARGON2_RUNS = 10

LOGIN_RUNS = 20

LOGIN_FUNCTION = "LoginFunction"

PASSWORD_FUNCTIONS = ("LoginFunction", "RegisterFunction", "PasswordResetFunction")  # they run argon2id

BENCH_PASSWORD = "Bench-sign-in-2026!"  # noqa: S105  (throwaway accounts in the bench's own runtime)


def _token_verify_us(signer: Signer) -> list[float]:
    from soko.shared.auth import verify_access_token  # noqa: PLC0415

    token = signer.token(ulid(), "buyer", "bench-verify@example.com")
    for _ in range(TOKEN_WARMUP):
        verify_access_token(token, secret=signer.secret, issuer=signer.issuer, audience=signer.audience)
    samples = []
    for _ in range(TOKEN_RUNS):
        started = time.perf_counter()
        verify_access_token(token, secret=signer.secret, issuer=signer.issuer, audience=signer.audience)
        samples.append((time.perf_counter() - started) * 1_000_000)
    return samples


def _authorizer_samples(runtime: LocalRuntime, signer: Signer) -> tuple[str, list[float], int]:
    """(authorizer function, warm invoke ms, how many were not authorized) for a valid token."""
    from soko_local.payload import IncomingRequest, authorizer_event  # noqa: PLC0415

    api, route_key, authorizer = authorizer_route(runtime)
    method, _, path = route_key.partition(" ")
    concrete, params = concrete_path(path)
    bearer = f"Bearer {signer.token(ulid(), 'buyer', 'bench-authorizer@example.com')}"
    host = runtime.base_url.removeprefix("http://")
    headers = [("host", host), ("authorization", bearer)]
    event = authorizer_event(
        IncomingRequest(method, concrete, "", headers, b"", "127.0.0.1", host),
        route_key=route_key,
        path_parameters=params,
        api_id=api.logical_id.lower(),
        account_id=runtime.account_id,
        region=runtime.region,
        identity_source=[bearer],
    )
    for _ in range(GATEWAY_WARMUP):  # the first call also reads the secret from Secrets Manager
        runtime.invoke(authorizer.function, event)
    samples, denied = [], 0
    for _ in range(AUTHORIZER_RUNS):
        ms, result = timed_invoke(runtime, authorizer.function, event)
        samples.append(ms)
        payload = result.payload if result.ok and isinstance(result.payload, dict) else {}
        denied += payload.get("isAuthorized") is not True
    return authorizer.function, samples, denied


@dataclass
class _Argon2:
    hash_ms: list[float]
    verify_ms: list[float]
    memory_kib: int  # the parameters the app's hasher stores in its hashes
    time_cost: int
    parallelism: int
    rss_mb: tuple[float, float]  # (before, peak after) one hash in a fresh interpreter


_ARGON2_PROBE = """\
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from soko.identity import passwords
def status(field):  # Linux; elsewhere getrusage's peak (which Linux carries over from the parent)
    try:
        with open("/proc/self/status") as lines:
            return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
passwords.verify_password("not-a-hash", "x")  # builds the hasher without hashing
before = status("VmRSS:")
passwords.hash_password(sys.argv[2])
print(json.dumps({"before": before, "after": status("VmHWM:")}))
"""


def _argon2_rss_mb(code_dir: Path) -> tuple[float, float]:
    """(RSS before, peak RSS after) one hash_password in a fresh interpreter, in MB."""
    done = subprocess.run(
        [sys.executable, "-P", "-c", _ARGON2_PROBE, str(code_dir), BENCH_PASSWORD],
        cwd=code_dir,
        env=function_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"the argon2 memory probe failed:\n{done.stderr[-2000:]}")
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    return float(reply["before"]) / 2**20, float(reply["after"]) / 2**20


def _argon2(code_dir: Path) -> _Argon2:
    from argon2 import extract_parameters  # noqa: PLC0415

    from soko.identity import passwords  # noqa: PLC0415

    stored = passwords.hash_password(BENCH_PASSWORD)  # unmeasured: the first use builds the hasher
    hash_ms, verify_ms = [], []
    for _ in range(ARGON2_RUNS):
        started = time.perf_counter()
        stored = passwords.hash_password(BENCH_PASSWORD)
        hash_ms.append(ms_since(started))
        started = time.perf_counter()
        valid = passwords.verify_password(stored, BENCH_PASSWORD)
        verify_ms.append(ms_since(started))
        if not valid:
            raise BenchError("verify_password rejected the password just hashed")
    parameters = extract_parameters(stored)
    return _Argon2(
        hash_ms,
        verify_ms,
        parameters.memory_cost,
        parameters.time_cost,
        parameters.parallelism,
        _argon2_rss_mb(code_dir),
    )


def _login_samples(runtime: LocalRuntime, session: requests.Session) -> Samples:
    """Register one account, then sign in with it LOGIN_RUNS times (after one unmeasured sign-in)."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    _, registered = timed_request(
        session,
        "POST",
        f"{runtime.base_url}/auth/register",
        json={"email": email, "password": BENCH_PASSWORD, "role": "buyer"},
    )
    if registered.status_code != 201:
        raise BenchError(f"POST /auth/register returned {registered.status_code}: {registered.text[:300]}")
    url, body = f"{runtime.base_url}/auth/login", {"email": email, "password": BENCH_PASSWORD}
    timed_request(session, "POST", url, json=body)
    return sample(200, LOGIN_RUNS, lambda: timed_request(session, "POST", url, json=body), budget_s=None)


def _memory_sizes(runtime: LocalRuntime) -> str:
    """MemorySize of the functions that run argon2id, from the translated template."""
    resources = runtime.app.cfn["Resources"]
    return ", ".join(
        f"{logical_id} {resources[logical_id]['Properties'].get('MemorySize', '?')} MB"
        for logical_id in PASSWORD_FUNCTIONS
        if logical_id in resources
    )


@dataclass
class _Identity:
    verify_us: list[float]
    authorizer: str
    authorizer_ms: list[float]
    denied: int
    argon2: _Argon2
    logins: Samples
    login_invocations_ms: list[float]  # LoginFunction's own invocations during the sign-ins


def _measure_identity(runtime: LocalRuntime, log: InvokeLog) -> _Identity:
    signer = runtime_signer(runtime)
    progress(f"access-token verification ({TOKEN_RUNS} in-process, {AUTHORIZER_RUNS} authorizer invokes)")
    verify_us = _token_verify_us(signer)
    authorizer, authorizer_ms, denied = _authorizer_samples(runtime, signer)
    progress(f"argon2id ({ARGON2_RUNS} hashes and verifies, one memory probe)")
    argon2 = _argon2(runtime.app.functions[LOGIN_FUNCTION].code_dir)
    progress(f"sign-in over HTTP ({LOGIN_RUNS} x POST /auth/login)")
    mark = len(log.calls)
    with requests.Session() as session:
        logins = _login_samples(runtime, session)
    inside = [ms for logical_id, ms in log.calls[mark:] if logical_id == LOGIN_FUNCTION]
    return _Identity(verify_us, authorizer, authorizer_ms, denied, argon2, logins, inside)


def measure(bench: Bench) -> Section:
    runtime, log = bench.runtime, bench.log
    section = Section("5. Identity: access tokens, argon2id and sign-in (warm)")
    found = _measure_identity(runtime, log)
    argon2, logins = found.argon2, found.logins
    login_ms = median(found.login_invocations_ms) if found.login_invocations_ms else None
    section.figures += [
        Figure(
            f"verify_access_token in-process (median of {TOKEN_RUNS})",
            median(found.verify_us),
            "µs",
            TOKEN_TARGET_US,
            f"p95 {p95(found.verify_us):.0f} µs; max {max(found.verify_us) / 1000:.1f} ms",
        ),
        Figure(
            f"{found.authorizer} warm, valid token (median of {AUTHORIZER_RUNS})",
            median(found.authorizer_ms),
            "ms",
            AUTHORIZER_TARGET_MS,
            f"p95 {p95(found.authorizer_ms):.1f} ms; runtime.invoke; "
            + (f"{found.denied} not authorized" if found.denied else "all authorized"),
        ),
        Figure(
            f"argon2id hash_password (median of {ARGON2_RUNS})",
            median(argon2.hash_ms),
            "ms",
            None,
            f"max {max(argon2.hash_ms):.0f} ms; memory_cost {argon2.memory_kib // 1024} MiB, "
            f"time_cost {argon2.time_cost}, parallelism {argon2.parallelism}",
        ),
        Figure(
            f"argon2id verify_password (median of {ARGON2_RUNS})",
            median(argon2.verify_ms),
            "ms",
            None,
            f"max {max(argon2.verify_ms):.0f} ms",
        ),
        Figure(
            "memory of one hash (peak RSS rise)",
            argon2.rss_mb[1] - argon2.rss_mb[0],
            "MB",
            None,
            f"RSS {argon2.rss_mb[0]:.0f} MB -> peak {argon2.rss_mb[1]:.0f} MB in a fresh interpreter",
        ),
        Figure(
            f"POST /auth/login over HTTP (p50 of {logins.statuses.total()})",
            logins.p50,
            "ms",
            None,
            f"{logins.detail()}; {LOGIN_FUNCTION} invocation {fmt(login_ms, 'ms')}; worker RSS "
            f"{fmt(worker_rss(LOGIN_FUNCTION), 'MB')}",
        ),
    ]
    verify = median(argon2.verify_ms)
    share = f"~{min(verify / login_ms, 1) * 100:.0f}% of" if login_ms else "most of"
    section.notes += [
        "tokens are signed with the runtime's JwtSigningSecret (read from the embedded Secrets "
        "Manager); the authorizer figure is runtime.invoke with a REQUEST event carrying the token, "
        "so it includes the pipe round trip to the warm worker",
        f"sign-in is dominated by argon2id: one verify_password ({verify:.0f} ms in this process) is "
        f"{share} {LOGIN_FUNCTION}'s median invocation ({fmt(login_ms, 'ms')}). The template sizes "
        f"{_memory_sizes(runtime)} (MemorySize in the translated template); Lambda allots CPU in "
        "proportion to memory (one vCPU at 1,769 MB), so on AWS hashing takes longer than on this "
        "machine, whose workers have no CPU limit",
        "memory of one hash: peak RSS after one hash_password (/proc VmHWM: on Linux getrusage's "
        "ru_maxrss also counts the parent's RSS at fork) minus RSS before it (VmRSS), the hasher "
        "already built; argon2id fills memory_cost "
        f"({argon2.memory_kib // 1024} MiB) for the duration of each hash",
    ]
    return section
