"""AWS schedule expressions (``rate(...)`` and six-field ``cron(...)``) for the local scheduler.

Supported in cron fields: ``*``, ``?``, lists, ranges, steps and month/day names. ``L``, ``W``
and ``#`` are refused with a clear error rather than approximated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
_DAYS = {d: i + 1 for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split())}  # AWS: 1 = Sunday
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    if text in ("*", "?"):
        return frozenset(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, None) if step_text else 1
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = _number(first, names), _number(last, names)
        else:
            start = _number(base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise ScheduleError(f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _number(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if any(c in text.upper() for c in "LW#"):
        raise ScheduleError(f"cron feature in {text!r} is not supported by the local scheduler")
    if not text.isdigit():
        raise ScheduleError(f"cron value {text!r} is not a number")
    return int(text)


@dataclass(frozen=True)
class Schedule:
    expression: str
    interval: timedelta | None = None
    minutes: frozenset[int] = frozenset()
    hours: frozenset[int] = frozenset()
    days: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    years: frozenset[int] | None = None
    any_day: bool = True  # day-of-month is '?' or '*'
    any_weekday: bool = True

    def due(self, when: datetime, last_run: datetime | None) -> bool:
        """Should a run start at minute ``when`` (UTC, seconds ignored)?"""
        if self.interval is not None:
            return last_run is None or when - last_run >= self.interval
        in_time = when.minute in self.minutes and when.hour in self.hours and when.month in self.months
        in_year = self.years is None or when.year in self.years
        return in_time and in_year and self._day_matches(when)

    def _day_matches(self, when: datetime) -> bool:
        weekday = (when.isoweekday() % 7) + 1  # Sunday -> 1
        day_ok = when.day in self.days
        weekday_ok = weekday in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return weekday_ok
        if self.any_weekday:
            return day_ok
        return day_ok and weekday_ok


def parse(expression: str) -> Schedule:
    expression = expression.strip()
    if rate := _RATE.match(expression):
        amount, written = int(rate.group(1)), rate.group(2)
        unit = written.rstrip("s")
        if amount < 1:
            raise ScheduleError("a rate must be at least 1")
        if (amount == 1) != (written == unit):
            raise ScheduleError(
                f"write rate({amount} {unit if amount == 1 else unit + 's'}), as AWS requires"
            )
        return Schedule(expression, interval=timedelta(seconds=amount * _UNIT_SECONDS[unit]))
    if cron := _CRON.match(expression):
        fields = cron.group(1).split()
        if len(fields) != 6:
            raise ScheduleError("cron() takes six fields: minutes hours day-of-month month day-of-week year")
        minute, hour, day, month, weekday, year = fields
        if (day == "?") == (weekday == "?"):
            raise ScheduleError(
                "cron() needs '?' in exactly one of day-of-month and day-of-week (as AWS does)"
            )
        return Schedule(
            expression,
            minutes=_field(minute, 0, 59),
            hours=_field(hour, 0, 23),
            days=_field(day, 1, 31),
            months=_field(month, 1, 12, _MONTHS),
            weekdays=_field(weekday, 1, 7, _DAYS),
            years=None if year in ("*", "?") else _field(year, 1970, 2199),
            any_day=day in ("*", "?"),
            any_weekday=weekday in ("*", "?"),
        )
    raise ScheduleError(f"not a schedule expression: {expression!r} (expected rate(...) or cron(...))")
