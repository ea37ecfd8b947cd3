"""Daily excerpts on each channel's own schedule. The only package that imports APScheduler
(in `scheduler.py`); the rest is pure time math and the store-backed daily job."""

from bot.scheduling.poster import (
    CLAIM_LEASE,
    LATE_AFTER,
    DailyPoster,
    Outcome,
    PostResult,
    RecoveryReport,
    rule_of,
)
from bot.scheduling.rules import DAY_CODES, Rule, RuleError, Slot
from bot.scheduling.scheduler import JobInfo, Scheduler

__all__ = [
    "CLAIM_LEASE",
    "DAY_CODES",
    "LATE_AFTER",
    "DailyPoster",
    "JobInfo",
    "Outcome",
    "PostResult",
    "RecoveryReport",
    "Rule",
    "RuleError",
    "Scheduler",
    "Slot",
    "rule_of",
]
