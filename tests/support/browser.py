"""Browser tests' helpers: Debian's Chromium driven by Playwright (no browser download), a fresh
profile per test, and the API calls that set up a world faster than clicking through it."""

from __future__ import annotations

import itertools
import os
import shutil
import time
from pathlib import Path
from typing import Any

import requests

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Chromium as root in a container, headless, and quiet on a closed network (no background calls).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
_SEQ = itertools.count(1)


def chromium_path() -> str:
    explicit = os.environ.get("SOKO_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no Chromium: `make test` installs Debian's chromium package (apt-get install)")


def unique_phone() -> str:
    """A Ugandan mobile number no other test uses (MTN 077x range)."""
    return f"+25677{int(time.time() * 1000) % 10_000_000 + next(_SEQ):07d}"[:13]


def unique_email(prefix: str) -> str:
    return f"{prefix}.{time.time_ns()}@example.ug"


def register(base_url: str, role: str, *, name: str, phone: str | None = None) -> dict[str, Any]:
    """Open an account through the API and sign in: the account's email, password, id and tokens."""
    email = unique_email(role)
    password = "Correct-Horse-9-Battery"  # a test account's password
    body: dict[str, Any] = {"email": email, "password": password, "role": role, "full_name": name}
    if phone:
        body["phone"] = phone
    answer = requests.post(f"{base_url}/auth/register", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    login = requests.post(f"{base_url}/auth/login", json={"email": email, "password": password}, timeout=30)
    assert login.status_code == 200, login.text
    return {**body, **answer.json(), **login.json()}


def auth(account: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {account['access_token']}"}
