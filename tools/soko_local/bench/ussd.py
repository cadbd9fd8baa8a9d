"""``make bench`` section 8: USSD replies through the local Function URL, as Africa's Talking would
get them, and the cold import of the USSD handler."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import TYPE_CHECKING

import requests

from soko_local.bench.core import (
    ROOT,
    Bench,
    BenchError,
    Figure,
    Section,
    function_environment,
    median,
    ms_list,
    ms_since,
    p95,
    run_probe,
)

if TYPE_CHECKING:
    pass

USSD_RUNS = 40

USSD_IMPORT_RUNS = 5

USSD_REPLY_TARGET_MS = 1000.0  # docs/providers.md: well under 1 s, a cold start included

USSD_IMPORT_TARGET_MS = 300.0

USSD_FORBIDDEN_MODULES = ("pandas", "prophet", "numpy", "soko.payments", "soko.providers.pesapal")


def _ussd_cold_imports() -> tuple[list[float], list[str]]:
    """The USSD handler module's import in fresh interpreters, and the heavy modules it loaded."""
    code_dir = ROOT / "functions" / "app"
    env = function_environment()
    times = [run_probe(code_dir, "soko.ussd.handler", env)[0] for _ in range(USSD_IMPORT_RUNS)]
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import soko.ussd.handler; "
        f"print(','.join(m for m in {USSD_FORBIDDEN_MODULES!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-P", "-c", probe, str(code_dir)],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return times, [m for m in done.stdout.strip().split(",") if m]


def measure(bench: Bench) -> Section:
    """Replies through the gateway and the Function URL, as Africa's Talking would get them."""
    runtime = bench.runtime
    section = Section("8. USSD: replies through the local Function URL, and the handler's cold import")
    url = runtime.endpoints()["function_urls"]["UssdFunction"]
    table = runtime.client("dynamodb")
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 2 * 86400))
    table.put_item(
        TableName=runtime.deployment.physical["MlTable"],
        Item={
            "pk": {"S": "OBS#Kisenyi_Kampala#maize_grain"},
            "sk": {"S": f"{day}#wfp#retail"},
            "date": {"S": day},
            "price": {"N": "1000"},
            "source": {"S": "wfp"},
            "pricetype": {"S": "retail"},
            "status": {"S": "accepted"},
        },
    )
    screens: dict[str, list[float]] = {"main menu (text '')": [], "1*1*1 (forecast)": []}
    first_ms: float | None = None
    with requests.Session() as http:
        for run in range(USSD_RUNS):
            session = f"ATUid_bench_{run}"
            for samples, text in zip(screens.values(), ("", "1*1*1"), strict=True):
                form = {
                    "sessionId": session,
                    "phoneNumber": "+256772999000",
                    "networkCode": "99999",
                    "text": text,
                }
                started = time.perf_counter()
                reply = http.post(url, data=form, timeout=30)
                elapsed = ms_since(started)
                if reply.status_code != 200 or not reply.text.startswith(("CON ", "END ")):
                    raise BenchError(f"USSD answered {reply.status_code}: {reply.text[:100]!r}")
                if first_ms is None:
                    first_ms = elapsed
                else:
                    samples.append(elapsed)
    imports, heavy = _ussd_cold_imports()
    for label, samples in screens.items():
        section.figures.append(
            Figure(
                f"reply p50, {label}",
                median(samples),
                "ms",
                USSD_REPLY_TARGET_MS,
                f"p95 {p95(samples):.0f} ms over {len(samples)} requests (HTTP to the gateway, worker warm)",
            )
        )
    section.figures += [
        Figure("first reply (worker cold start included)", first_ms, "ms", USSD_REPLY_TARGET_MS),
        Figure(
            f"cold import of soko.ussd.handler (median of {USSD_IMPORT_RUNS} fresh interpreters)",
            median(imports),
            "ms",
            USSD_IMPORT_TARGET_MS,
            f"runs {ms_list(imports)}",
        ),
    ]
    section.notes.append(
        "heavy modules loaded by the USSD handler: "
        + (", ".join(heavy) if heavy else "none")
        + f" (checked: {', '.join(USSD_FORBIDDEN_MODULES)}); the marketplace and price logic load on "
        "the first screen that needs them."
    )
    return section
