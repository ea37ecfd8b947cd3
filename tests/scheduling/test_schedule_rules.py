"""The rule's time math in real zones, and what an admin may type for a time, a zone, days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.scheduling.rules import (
    DAY_CODES,
    Rule,
    RuleError,
    parse_days,
    parse_time,
    parse_zone,
)

NY = ZoneInfo("America/New_York")
DAILY = DAY_CODES


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- daylight saving: the local time and the local date hold ---------------------------------


def test_new_york_spring_forward_keeps_local_time() -> None:
    rule = Rule(7, 30, "America/New_York", DAILY)
    # 2025-03-09 is the switch day: 07:30 EST was 12:30Z the day before, 07:30 EDT is 11:30Z.
    before = rule.latest_at_or_before(utc(2025, 3, 8, 13, 0))
    on = rule.latest_at_or_before(utc(2025, 3, 9, 12, 0))
    assert before is not None and on is not None
    assert before.at.astimezone(UTC) == utc(2025, 3, 8, 12, 30)
    assert on.at.astimezone(UTC) == utc(2025, 3, 9, 11, 30)
    assert (on.day, on.at.hour, on.at.minute) == (date(2025, 3, 9), 7, 30)
    # At 11:00Z on the switch day it is 07:00 EDT: today's post is not due yet.
    assert rule.latest_at_or_before(utc(2025, 3, 9, 11, 0)) == before


def test_new_york_fall_back_keeps_local_time() -> None:
    rule = Rule(7, 30, "America/New_York", DAILY)
    slots = rule.upcoming(utc(2025, 11, 1, 12, 0), 2)
    assert [s.at.astimezone(UTC) for s in slots] == [
        utc(2025, 11, 2, 12, 30),
        utc(2025, 11, 3, 12, 30),
    ]
    assert [(s.at.hour, s.at.minute) for s in slots] == [(7, 30), (7, 30)]


def test_a_wall_time_skipped_by_dst_posts_once_that_day() -> None:
    rule = Rule(2, 30, "America/New_York", DAILY)
    # 02:30 does not exist on 2025-03-09; it is posted at 03:30 EDT, still on the 9th.
    slots = rule.upcoming(utc(2025, 3, 8, 12, 0), 3)
    assert [s.day for s in slots] == [date(2025, 3, 9), date(2025, 3, 10), date(2025, 3, 11)]
    assert slots[0].at.astimezone(UTC) == utc(2025, 3, 9, 7, 30)
    assert (slots[0].at.hour, slots[0].at.minute) == (3, 30)


def test_a_wall_time_repeated_by_dst_is_one_slot() -> None:
    rule = Rule(1, 30, "America/New_York", DAILY)
    slots = rule.upcoming(utc(2025, 11, 1, 12, 0), 2)
    # 01:30 happens twice on 2025-11-02: one slot, the first (EDT).
    assert [s.day for s in slots] == [date(2025, 11, 2), date(2025, 11, 3)]
    assert slots[0].at.astimezone(UTC) == utc(2025, 11, 2, 5, 30)
    # During the second 01:30 the most recent slot is still the first one: same local date.
    latest = rule.latest_at_or_before(utc(2025, 11, 2, 6, 40))
    assert latest is not None and latest.day == date(2025, 11, 2)


def test_half_hour_zone() -> None:
    rule = Rule(7, 0, "Asia/Kolkata", DAILY)
    slot = rule.latest_at_or_before(utc(2025, 6, 2, 2, 0))
    assert slot is not None
    assert slot.at.astimezone(UTC) == utc(2025, 6, 2, 1, 30)
    assert slot.day == date(2025, 6, 2)


def test_local_date_is_the_subscriptions_not_utcs() -> None:
    # 18:00Z on June 1 is already 06:00 on June 2 in Auckland (NZST, +12) ...
    auckland = Rule(6, 0, "Pacific/Auckland", DAILY).latest_at_or_before(utc(2025, 6, 1, 18, 0))
    assert auckland is not None and auckland.day == date(2025, 6, 2)
    # ... and 19:30Z on June 1 is 01:00 on June 2 in Kolkata.
    kolkata = Rule(1, 0, "Asia/Kolkata", DAILY).latest_at_or_before(utc(2025, 6, 1, 19, 30))
    assert kolkata is not None and kolkata.day == date(2025, 6, 2)
    # Across the date line in the other direction: 05:00Z on June 2 is still June 1 in Honolulu.
    honolulu = Rule(18, 0, "Pacific/Honolulu", DAILY).latest_at_or_before(utc(2025, 6, 2, 5, 0))
    assert honolulu is not None and honolulu.day == date(2025, 6, 1)


def test_auckland_dst_switch() -> None:
    rule = Rule(7, 0, "Pacific/Auckland", DAILY)
    # NZDT (+13) ends on 2025-04-06 at 03:00: 07:00 is 18:00Z before and 19:00Z after.
    slots = rule.upcoming(utc(2025, 4, 4, 12, 0), 3)
    assert [s.day for s in slots] == [date(2025, 4, 5), date(2025, 4, 6), date(2025, 4, 7)]
    assert [s.at.astimezone(UTC) for s in slots] == [
        utc(2025, 4, 4, 18, 0),
        utc(2025, 4, 5, 19, 0),
        utc(2025, 4, 6, 19, 0),
    ]


def test_days_of_the_week_are_local() -> None:
    rule = Rule(6, 0, "Pacific/Auckland", ("mon", "wed", "fri"))
    # Sunday 2025-06-01 19:00Z is Monday 07:00 in Auckland: Monday's post is the latest.
    latest = rule.latest_at_or_before(utc(2025, 6, 1, 19, 0))
    assert latest is not None and latest.day == date(2025, 6, 2)
    upcoming = rule.upcoming(utc(2025, 6, 1, 19, 0), 3)
    assert [s.day.isoformat() for s in upcoming] == ["2025-06-04", "2025-06-06", "2025-06-09"]


@pytest.mark.parametrize(
    ("zone", "hour", "minute"),
    [
        ("America/New_York", 2, 30),
        ("America/New_York", 1, 30),
        ("America/New_York", 7, 30),
        ("Asia/Kolkata", 6, 45),
        ("Pacific/Auckland", 2, 15),
        ("Europe/London", 1, 0),
        ("Asia/Tokyo", 0, 0),
    ],
)
def test_rule_agrees_with_apschedulers_cron_trigger(zone: str, hour: int, minute: int) -> None:
    """Recovery and `show` compute slots themselves; they must be the instants the live job
    fires (taking the first of a DST-repeated time: the claim absorbs the second)."""
    days = ("mon", "tue", "thu", "sat", "sun")
    rule = Rule(hour, minute, zone, days)
    trigger = CronTrigger(
        hour=hour, minute=minute, day_of_week=",".join(days), timezone=ZoneInfo(zone)
    )
    start = utc(2025, 1, 1)
    fired: dict[date, datetime] = {}
    previous: datetime | None = None
    now = start
    while now < utc(2026, 1, 1):
        nxt = trigger.get_next_fire_time(previous, now)
        local = nxt.astimezone(ZoneInfo(zone))
        fired.setdefault(local.date(), nxt.astimezone(UTC))
        previous = now = nxt
    ours = {
        s.day: s.at.astimezone(UTC) for s in rule.upcoming(start - timedelta(seconds=1), len(fired))
    }
    assert ours == fired


# -- parsing what an admin types --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", (7, 30)),
        ("7:30", (7, 30)),
        ("０７：３０", (7, 30)),
        ("23:59", (23, 59)),
        ("0:00", (0, 0)),
        ("7時", (7, 0)),
        ("7時5分", (7, 5)),
        ("19時半", (19, 30)),
    ],
)
def test_parse_time(text: str, expected: tuple[int, int]) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [("25:00", "time_range"), ("7:60", "time_range"), ("24:00", "time_range"),
     ("730", "time_format"), ("7.30", "time_format"), ("7:5", "time_format"),
     ("seven", "time_format")],
)  # fmt: skip
def test_parse_time_rejects(text: str, code: str) -> None:
    with pytest.raises(RuleError) as e:
        parse_time(text)
    assert e.value.code == code and e.value.value == text


def test_parse_zone() -> None:
    assert parse_zone("Asia/Tokyo") == "Asia/Tokyo"
    assert parse_zone("asia/kolkata") == "Asia/Kolkata"
    assert parse_zone("UTC") == "UTC"
    with pytest.raises(RuleError) as e:
        parse_zone("Asia/Tokio")
    assert (e.value.code, e.value.suggestion) == ("zone_unknown", "Asia/Tokyo")
    with pytest.raises(RuleError) as e:
        parse_zone("JST")
    assert e.value.suggestion == "Asia/Tokyo"
    with pytest.raises(RuleError) as e:
        parse_zone("Mars/Olympus_Mons")
    assert e.value.code == "zone_unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("daily", DAY_CODES),
        ("毎日", DAY_CODES),
        ("weekdays", ("mon", "tue", "wed", "thu", "fri")),
        ("平日", ("mon", "tue", "wed", "thu", "fri")),
        ("weekends", ("sat", "sun")),
        ("土日", ("sat", "sun")),
        ("mon,wed,fri", ("mon", "wed", "fri")),
        ("Fri,MON", ("mon", "fri")),
        ("monday,wednesday", ("mon", "wed")),
        ("mon-fri", ("mon", "tue", "wed", "thu", "fri")),
        ("fri-mon", ("mon", "fri", "sat", "sun")),
        ("月,水,金", ("mon", "wed", "fri")),
        ("月水金", ("mon", "wed", "fri")),
        ("月、水、金", ("mon", "wed", "fri")),
        ("月曜日・木曜日", ("mon", "thu")),
        ("月〜金", ("mon", "tue", "wed", "thu", "fri")),
    ],
)
def test_parse_days(text: str, expected: tuple[str, ...]) -> None:
    assert parse_days(text) == expected


@pytest.mark.parametrize(("text", "bad"), [("mon,xyz", "xyz"), ("tues", "tues"), ("月曜,星", "星")])
def test_parse_days_names_the_bad_day(text: str, bad: str) -> None:
    with pytest.raises(RuleError) as e:
        parse_days(text)
    assert e.value.code == "day_unknown" and e.value.value == bad
