"""Time in one format: ISO 8601, UTC, with Z, to the second; shown to people in East Africa Time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

EAT = timezone(timedelta(hours=3), "EAT")  # Uganda: UTC+3 all year, no daylight saving


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_iso() -> str:
    return iso(now())


def epoch() -> int:
    return int(now().timestamp())


def eat_text(moment_iso: str) -> str:
    """An ISO time as people in Uganda read it: ``2 Dec 2026, 14:05 EAT``."""
    moment = datetime.fromisoformat(moment_iso.replace("Z", "+00:00")).astimezone(EAT)
    return f"{moment.day} {moment:%b %Y, %H:%M} EAT"
