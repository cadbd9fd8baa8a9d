"""AWS schedule expressions for the local scheduler (soko_local.schedules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soko_local.schedules import ScheduleError, parse

# 2025-06-02 is a Monday.
MONDAY = datetime(2025, 6, 2, tzinfo=UTC)


def at(day: int, hour: int, minute: int, *, month: int = 6, year: int = 2025, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# ---------------------------------------------------------------------------- rate()
@pytest.mark.parametrize(
    ("expression", "interval"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(12 hours)", timedelta(hours=12)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(7 days)", timedelta(days=7)),
        ("  rate(2 hours)  ", timedelta(hours=2)),
    ],
)
def test_rate_intervals(expression: str, interval: timedelta) -> None:
    assert parse(expression).interval == interval


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "rate(-1 minutes)",
        "rate(five minutes)",
        "rate(5 seconds)",
        "rate(5 weeks)",
        "rate(5)",
        "rate()",
        "rate(1.5 hours)",
        "rate 5 minutes",
        "every 5 minutes",
        "",
    ],
)
def test_invalid_rates(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse(expression)


@pytest.mark.parametrize("expression", ["rate(5 minute)", "rate(1 minutes)", "rate(2 day)", "rate(1 hours)"])
def test_rate_unit_must_agree_with_the_number(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse(expression)


def test_rate_due() -> None:
    schedule = parse("rate(5 minutes)")
    last = at(2, 10, 0)

    assert schedule.due(at(2, 10, 0), None) is True  # never ran: due now
    assert schedule.due(at(2, 10, 4), last) is False
    assert schedule.due(at(2, 10, 5), last) is True
    assert schedule.due(at(2, 11, 0), last) is True


# ---------------------------------------------------------------------------- cron() fields
@pytest.mark.parametrize(
    ("expression", "attribute", "values"),
    [
        ("cron(0 * * * ? *)", "minutes", {0}),
        ("cron(0,15,30,45 * * * ? *)", "minutes", {0, 15, 30, 45}),
        ("cron(10-14 * * * ? *)", "minutes", set(range(10, 15))),
        ("cron(*/15 * * * ? *)", "minutes", {0, 15, 30, 45}),
        ("cron(5/20 * * * ? *)", "minutes", {5, 25, 45}),
        ("cron(0-30/10 * * * ? *)", "minutes", {0, 10, 20, 30}),
        ("cron(0 * * * ? *)", "hours", set(range(24))),
        ("cron(0 8-17 * * ? *)", "hours", set(range(8, 18))),
        ("cron(0 0,12 * * ? *)", "hours", {0, 12}),
        ("cron(0 0 1,15 * ? *)", "days", {1, 15}),
        ("cron(0 0 1-31 * ? *)", "days", set(range(1, 32))),
        ("cron(0 0 1 JAN ? *)", "months", {1}),
        ("cron(0 0 1 jan,Jul,DEC ? *)", "months", {1, 7, 12}),
        ("cron(0 0 1 MAR-MAY ? *)", "months", {3, 4, 5}),
        ("cron(0 0 1 1-3,10 ? *)", "months", {1, 2, 3, 10}),
        ("cron(0 0 1 */3 ? *)", "months", {1, 4, 7, 10}),
        ("cron(0 0 ? * MON-FRI *)", "weekdays", {2, 3, 4, 5, 6}),  # AWS: 1 = Sunday
        ("cron(0 0 ? * SUN,SAT *)", "weekdays", {1, 7}),
        ("cron(0 0 ? * 1 *)", "weekdays", {1}),
        ("cron(0 0 ? * 2-6 *)", "weekdays", {2, 3, 4, 5, 6}),
        ("cron(0 0 ? * thu *)", "weekdays", {5}),
        ("cron(0 0 * * ? 2025)", "years", {2025}),
        ("cron(0 0 * * ? 2025-2027)", "years", {2025, 2026, 2027}),
        ("cron(0 0 * * ? 2024,2030)", "years", {2024, 2030}),
    ],
)
def test_cron_fields(expression: str, attribute: str, values: set[int]) -> None:
    assert set(getattr(parse(expression), attribute)) == values


@pytest.mark.parametrize("year", ["*", "?"])
def test_any_year_is_none(year: str) -> None:
    assert parse(f"cron(0 0 * * ? {year})").years is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 0 L * ? *)", "'L'"),
        ("cron(0 0 15W * ? *)", "'15W'"),
        ("cron(0 0 LW * ? *)", "'LW'"),
        ("cron(0 0 ? * 6L *)", "'6L'"),
        ("cron(0 0 ? * 2#1 *)", "'2#1'"),
        ("cron(0 0 ? * MON#2 *)", "'MON#2'"),
        ("cron(0 0 1,L * ? *)", "'L'"),
    ],
)
def test_unsupported_cron_features_are_refused_with_a_clear_message(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match="not supported by the local scheduler") as error:
        parse(expression)

    assert message in str(error.value)


@pytest.mark.parametrize(
    ("expression", "attribute", "values"),
    [
        ("cron(0 0 1 JUL ? *)", "months", {7}),
        ("cron(0 0 ? * WED *)", "weekdays", {4}),
        ("cron(0 0 ? * MON,WED,FRI *)", "weekdays", {2, 4, 6}),
        ("cron(0 0 1 APR-JUL ? *)", "months", {4, 5, 6, 7}),
    ],
)
def test_upper_case_names_containing_l_or_w(expression: str, attribute: str, values: set[int]) -> None:
    assert set(getattr(parse(expression), attribute)) == values


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 0 * *)", "six fields"),
        ("cron(0 0 * * ? * *)", "six fields"),
        ("cron()", "not a schedule expression"),
        ("0 0 * * ? *", "not a schedule expression"),
        ("cron(60 0 * * ? *)", "out of range 0-59"),
        ("cron(0 24 * * ? *)", "out of range 0-23"),
        ("cron(0 0 0 * ? *)", "out of range 1-31"),
        ("cron(0 0 32 * ? *)", "out of range 1-31"),
        ("cron(0 0 1 13 ? *)", "out of range 1-12"),
        ("cron(0 0 ? * 8 *)", "out of range 1-7"),
        ("cron(0 0 ? * 0 *)", "out of range 1-7"),
        ("cron(0 0 * * ? 1969)", "out of range 1970-2199"),
        ("cron(*/0 0 * * ? *)", "out of range"),
        ("cron(0 0 1 FOO ? *)", "'FOO' is not a number"),
        ("cron(0 0 ? * MONDAY *)", "'MONDAY' is not a number"),
        ("cron(a 0 * * ? *)", "'a' is not a number"),
        ("cron(5- 0 * * ? *)", "'' is not a number"),
    ],
)
def test_invalid_cron(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(")):
        parse(expression)


def test_non_numeric_step_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError):
        parse("cron(*/x 0 * * ? *)")


# ---------------------------------------------------------------------------- cron() due
@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(2, 3, 0), True),  # Monday 03:00
        (at(2, 3, 0, second=42), True),  # seconds are ignored
        (at(2, 3, 1), False),
        (at(2, 4, 0), False),
        (at(3, 3, 0), False),  # Tuesday
        (at(1, 3, 0), False),  # Sunday
        (at(9, 3, 0), True),  # next Monday
    ],
)
def test_monday_at_three(when: datetime, expected: bool) -> None:
    assert parse("cron(0 3 ? * MON *)").due(when, None) is expected


@pytest.mark.parametrize(
    ("expression", "when", "expected"),
    [
        # weekdays by name range
        ("cron(30 9 ? * MON-FRI *)", at(6, 9, 30), True),  # Friday
        ("cron(30 9 ? * MON-FRI *)", at(7, 9, 30), False),  # Saturday
        ("cron(30 9 ? * MON-FRI *)", at(8, 9, 30), False),  # Sunday
        ("cron(0 12 ? * SUN *)", at(8, 12, 0), True),
        ("cron(0 12 ? * 7 *)", at(7, 12, 0), True),  # 7 = Saturday
        # day of month, any weekday
        ("cron(0 0 1 * ? *)", at(1, 0, 0, month=7), True),
        ("cron(0 0 1 * ? *)", at(2, 0, 0, month=7), False),
        ("cron(0 0 31 * ? *)", at(30, 0, 0), False),  # June has no 31st
        ("cron(0 0 29 FEB ? *)", at(29, 0, 0, month=2, year=2028), True),
        # months by name
        ("cron(0 6 15 JAN ? *)", at(15, 6, 0, month=1), True),
        ("cron(0 6 15 JAN ? *)", at(15, 6, 0, month=2), False),
        ("cron(0 6 15 jan-mar ? *)", at(15, 6, 0, month=3), True),
        # steps and lists
        ("cron(*/15 * * * ? *)", at(2, 7, 45), True),
        ("cron(*/15 * * * ? *)", at(2, 7, 46), False),
        ("cron(0 8,20 * * ? *)", at(2, 20, 0), True),
        ("cron(0 8,20 * * ? *)", at(2, 14, 0), False),
        # every minute
        ("cron(* * * * ? *)", at(2, 13, 37), True),
        # year field
        ("cron(0 0 1 1 ? 2026)", at(1, 0, 0, month=1, year=2026), True),
        ("cron(0 0 1 1 ? 2026)", at(1, 0, 0, month=1, year=2027), False),
        ("cron(0 0 1 1 ? 2026-2028)", at(1, 0, 0, month=1, year=2028), True),
        # day-of-month '?' with day-of-week '*': any day
        ("cron(0 0 ? * * *)", at(4, 0, 0), True),
    ],
)
def test_cron_due(expression: str, when: datetime, expected: bool) -> None:
    assert parse(expression).due(when, None) is expected


def test_cron_due_ignores_last_run() -> None:
    schedule = parse("cron(0 3 ? * MON *)")

    assert schedule.due(at(2, 3, 0), last_run=at(2, 3, 0)) is True
    assert schedule.due(at(2, 3, 1), last_run=at(1, 3, 0)) is False


@pytest.mark.parametrize(
    ("name", "offset"),
    [("MON", 0), ("TUE", 1), ("wed", 2), ("THU", 3), ("FRI", 4), ("SAT", 5), ("SUN", 6)],
)
def test_each_day_name_matches_only_its_day(name: str, offset: int) -> None:
    # "wed" in lower case: names are case-insensitive
    schedule = parse(f"cron(0 0 ? * {name} *)")

    matching = [d for d in range(7) if schedule.due(MONDAY + timedelta(days=d), None)]

    assert matching == [offset]


@pytest.mark.parametrize(
    ("expression", "due_on", "not_due_on"),
    [
        ("cron(0 0 15 * ? *)", at(15, 0, 0), at(16, 0, 0)),  # day-of-month decides
        ("cron(0 0 ? * TUE *)", at(3, 0, 0), at(4, 0, 0)),  # day-of-week decides
        ("cron(0 0 * * ? *)", at(4, 0, 0), at(4, 0, 1)),
    ],
)
def test_question_mark_leaves_the_other_day_field_in_charge(
    expression: str, due_on: datetime, not_due_on: datetime
) -> None:
    schedule = parse(expression)

    assert schedule.due(due_on, None) is True
    assert schedule.due(not_due_on, None) is False


@pytest.mark.parametrize("expression", ["cron(0 0 1 * MON *)", "cron(0 0 * * MON *)", "cron(0 0 * * * *)"])
def test_day_of_month_and_day_of_week_cannot_both_be_set(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse(expression)
