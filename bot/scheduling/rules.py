"""A subscription's rule as pure time math, and the parsing of what an admin types.

Everything here is a function of its arguments: no clock, no store, no APScheduler. The
rule's slots are the instants APScheduler's `CronTrigger` fires for the same fields (a test
holds the two together), so recovery and `schedule show` agree with the live jobs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.content.normalize import nfkc

DAY_CODES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS: tuple[str, ...] = DAY_CODES[:5]
WEEKENDS: tuple[str, ...] = DAY_CODES[5:]


@dataclass(frozen=True)
class Slot:
    """One scheduled post: the subscription's local date, and the instant it is due."""

    day: date
    at: datetime  # aware, in the subscription's zone


@dataclass(frozen=True)
class Rule:
    hour: int
    minute: int
    timezone: str
    days: tuple[str, ...]

    @classmethod
    def of(cls, time: str, timezone: str, days: tuple[str, ...]) -> Rule:
        hour, minute = parse_time(time)
        return cls(hour, minute, timezone, days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def runs_on(self, day: date) -> bool:
        return DAY_CODES[day.weekday()] in self.days

    def local_date(self, when: datetime) -> date:
        return when.astimezone(self.zone).date()

    def slot(self, day: date) -> Slot:
        """`day`'s post. A wall time that a DST jump skips resolves with the offset before the
        jump (02:30 becomes 03:30), a repeated one to its first occurrence: both are the
        instants CronTrigger fires first, and the local date is `day` either way."""
        wall = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=self.zone)
        return Slot(day, wall.astimezone(UTC).astimezone(self.zone))

    def latest_at_or_before(self, now: datetime) -> Slot | None:
        """The most recent slot due at or before `now`, or None if the rule has no days."""
        today = self.local_date(now)
        for back in range(9):
            day = today - timedelta(days=back)
            if self.runs_on(day):
                slot = self.slot(day)
                if slot.at <= now:
                    return slot
        return None

    def upcoming(self, after: datetime, count: int = 3) -> list[Slot]:
        """The next `count` slots strictly after `after`."""
        if not self.days:
            return []
        found: list[Slot] = []
        day = self.local_date(after) - timedelta(days=1)
        while len(found) < count:
            if self.runs_on(day):
                slot = self.slot(day)
                if slot.at > after:
                    found.append(slot)
            day += timedelta(days=1)
        return found


class RuleError(ValueError):
    """Input that is not a time, a zone or a day. `code` picks the catalog message."""

    def __init__(self, code: str, value: str, suggestion: str | None = None) -> None:
        super().__init__(f"{code}: {value!r}")
        self.code = code
        self.value = value
        self.suggestion = suggestion


_TIME_COLON = re.compile(r"(\d{1,2}):(\d{2})")
_TIME_KANJI = re.compile(r"(\d{1,2})時(?:(\d{1,2})分|(半))?")


def looks_like_time(token: str) -> bool:
    return bool(re.match(r"\d", nfkc(token).strip()))


def parse_time(text: str) -> tuple[int, int]:
    """`07:30`, `7:30`, `０７：３０`, `7時`, `7時30分`, `7時半` → (hour, minute)."""
    s = nfkc(text).strip()
    if m := _TIME_COLON.fullmatch(s):
        hour, minute = int(m.group(1)), int(m.group(2))
    elif m := _TIME_KANJI.fullmatch(s):
        hour = int(m.group(1))
        minute = 30 if m.group(3) else int(m.group(2) or 0)
    else:
        raise RuleError("time_format", text)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise RuleError("time_range", text)
    return hour, minute


# Abbreviations people type for a zone; they are not IANA names (and are ambiguous), so they
# are refused with the likely zone as a suggestion rather than guessed.
_ABBREVIATIONS = {
    "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul",
    "ist": "Asia/Kolkata",
    "est": "America/New_York",
    "edt": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "bst": "Europe/London",
    "cet": "Europe/Paris",
    "cest": "Europe/Paris",
    "aest": "Australia/Sydney",
    "nzst": "Pacific/Auckland",
    "nzdt": "Pacific/Auckland",
}


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    names = (z for z in available_timezones() if not z.startswith(("posix/", "right/")))
    return {z.lower(): z for z in names}


def looks_like_zone(token: str) -> bool:
    s = token.strip()
    return "/" in s or s.lower() in _ABBREVIATIONS or s.lower() in _zones()


def parse_zone(text: str) -> str:
    """An IANA zone name, matched case-insensitively and returned in its canonical spelling."""
    s = nfkc(text).strip()
    canonical = _zones().get(s.lower())
    if canonical is not None:
        try:
            ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return canonical
    suggestion = _ABBREVIATIONS.get(s.lower())
    if suggestion is None:
        close = difflib.get_close_matches(s.lower(), list(_zones()), n=1, cutoff=0.75)
        suggestion = _zones()[close[0]] if close else None
    raise RuleError("zone_unknown", text, suggestion)


_DAY_WORDS: dict[str, tuple[str, ...]] = {
    "daily": DAY_CODES,
    "everyday": DAY_CODES,
    "毎日": DAY_CODES,
    "weekdays": WEEKDAYS,
    "平日": WEEKDAYS,
    "weekends": WEEKENDS,
    "週末": WEEKENDS,
    "土日": WEEKENDS,
}
_ENGLISH_DAYS = {
    name: code
    for code, full in zip(
        DAY_CODES,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
    for name in (code, full, full[:3])
}
_JAPANESE_DAYS = dict(zip("月火水木金土日", DAY_CODES, strict=True))
_RANGE = re.compile(r"(.+?)\s*[-〜~～]\s*(.+)")
_SEPARATORS = re.compile(r"[,、・\s]+")


def _one_day(part: str) -> str | None:
    if part in _ENGLISH_DAYS:
        return _ENGLISH_DAYS[part]
    bare = part.removesuffix("曜日").removesuffix("曜")
    return _JAPANESE_DAYS.get(bare) if len(bare) == 1 else None


def _days_of(part: str) -> list[str]:
    if day := _one_day(part):
        return [day]
    if m := _RANGE.fullmatch(part):
        first, last = _one_day(m.group(1)), _one_day(m.group(2))
        if first is None:
            raise RuleError("day_unknown", m.group(1))
        if last is None:
            raise RuleError("day_unknown", m.group(2))
        i, j = DAY_CODES.index(first), DAY_CODES.index(last)
        span = range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)]
        return [DAY_CODES[k] for k in span]
    # Japanese run-together days: 月水金, 月曜水曜, 月曜日・水曜日 (the last via _SEPARATORS).
    bare = part.replace("曜日", "").replace("曜", "")
    if bare and all(c in _JAPANESE_DAYS for c in bare):
        return [_JAPANESE_DAYS[c] for c in bare]
    raise RuleError("day_unknown", part)


def parse_days(text: str) -> tuple[str, ...]:
    """`daily`, `weekdays`, `weekends`, `mon,wed,fri`, `mon-fri`, `月,水,金`, `月水金`, `平日` …
    → day codes in week order (`("mon", "wed", "fri")`)."""
    s = nfkc(text).strip().lower()
    if s in _DAY_WORDS:
        return _DAY_WORDS[s]
    parts = [p for p in _SEPARATORS.split(s) if p]
    if not parts:
        raise RuleError("day_unknown", text)
    chosen: set[str] = set()
    for part in parts:
        chosen.update(_DAY_WORDS.get(part) or _days_of(part))
    return tuple(d for d in DAY_CODES if d in chosen)


def format_days_code(days: tuple[str, ...]) -> str:
    """The stored form (`mon,wed,fri`), which is also CronTrigger's `day_of_week`."""
    return ",".join(d for d in DAY_CODES if d in days)
