"""The timers: one APScheduler cron job per subscription, derived from the store.

The only module that imports APScheduler. The store is the source of truth: `start()`
rebuilds every job from it and `sync()` re-derives one job when a subscription changes.
The jobs only say *when* to look; `DailyPoster` decides what, if anything, to post, so a
job firing twice (a DST fold, a coalesced misfire, a second process) never posts twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import Settings
from bot.core.clock import Clock
from bot.scheduling.poster import DailyPoster, Outcome, PostResult, RecoveryReport, rule_of
from bot.scheduling.rules import format_days_code
from bot.storage.interface import SubscriptionStore
from bot.storage.records import Subscription

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=10)
_DAILY = "subscription:{}"
_RETRY = "retry:{}"
_RECHECK = "recover"


@dataclass(frozen=True)
class JobInfo:
    """A subscription's live job, described without APScheduler types."""

    job_id: str
    # CronTrigger fields that were set, e.g. {"hour": "7", ...}; empty for one-off jobs.
    fields: dict[str, str]
    timezone: str
    next_run_time: datetime | None
    coalesce: bool
    max_instances: int
    misfire_grace_time: int | None


def _info(job: Any) -> JobInfo:
    trigger = job.trigger
    fields = getattr(trigger, "fields", ())
    return JobInfo(
        job_id=str(job.id),
        fields={f.name: str(f) for f in fields if not f.is_default},
        timezone=str(getattr(trigger, "timezone", "")),
        next_run_time=getattr(job, "next_run_time", None),
        coalesce=bool(job.coalesce),
        max_instances=int(job.max_instances),
        misfire_grace_time=job.misfire_grace_time,
    )


def cron_trigger(subscription: Subscription) -> Any:
    rule = rule_of(subscription)
    return CronTrigger(
        hour=rule.hour,
        minute=rule.minute,
        day_of_week=format_days_code(rule.days),
        timezone=ZoneInfo(rule.timezone),
    )


class Scheduler:
    def __init__(
        self,
        subscriptions: SubscriptionStore,
        poster: DailyPoster,
        settings: Settings,
        clock: Clock,
        *,
        fire_jobs: bool = True,
        retry_delay: timedelta = RETRY_DELAY,
    ) -> None:
        """`fire_jobs=False` builds the jobs but never lets their timers fire (for tests,
        whose `ManualClock` APScheduler cannot follow)."""
        self._subs = subscriptions
        self._poster = poster
        self._clock = clock
        self._fire_jobs = fire_jobs
        self._retry_delay = retry_delay
        grace = int(timedelta(hours=settings.schedule.grace_hours).total_seconds())
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                # A slow loop or a sleeping laptop runs a missed job once, not once per miss,
                # and a late run is still allowed within the grace period.
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": max(1, grace),
            },
        )
        self._aps.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return bool(self._aps.running)

    async def start(self) -> RecoveryReport:
        """Rebuild the jobs from the store, then recover what a crash or downtime left."""
        if not self._aps.running:
            self._aps.start(paused=not self._fire_jobs)
        for sub in self._subs.list():
            self._schedule(sub)
        return await self._recover()

    def shutdown(self) -> None:
        """Stop the timers. A post in flight is cancelled; its claim is recovered next start."""
        if self._aps.running:
            self._aps.shutdown(wait=False)
        for task in self._tasks:
            task.cancel()

    def sync(self, subscription_id: int) -> None:
        """Re-derive one subscription's job after it changed (or was deleted)."""
        sub = self._subs.get(subscription_id)
        if sub is None:
            for job_id in (_DAILY.format(subscription_id), _RETRY.format(subscription_id)):
                self._remove(job_id)
            log.info("subscription %d: job removed", subscription_id)
        else:
            self._schedule(sub)

    def job(self, subscription_id: int) -> JobInfo | None:
        """The subscription's daily job, or None if it has none."""
        job = self._aps.get_job(_DAILY.format(subscription_id))
        return None if job is None else _info(job)

    def jobs(self) -> list[JobInfo]:
        """Every live job: daily jobs, pending retries and the recovery recheck."""
        return [_info(job) for job in self._aps.get_jobs()]

    # -- internals -----------------------------------------------------------------------

    def _schedule(self, sub: Subscription) -> None:
        try:
            trigger = cron_trigger(sub)
        except Exception:
            log.exception("subscription %d (%s): cannot build its trigger", sub.id, sub.channel)
            return
        self._aps.add_job(
            self._run,
            trigger,
            args=[sub.id],
            id=_DAILY.format(sub.id),
            name=f"daily excerpt {sub.channel}",
            replace_existing=True,
        )
        log.info(
            "subscription %d (%s): %s %s %s",
            sub.id,
            sub.channel,
            sub.time,
            sub.timezone,
            format_days_code(sub.days),
        )

    def _remove(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._aps.remove_job(job_id)

    async def _run(self, subscription_id: int) -> None:
        try:
            result = await self._poster.run_due(subscription_id)
        except Exception:
            log.exception("subscription %d: the daily job failed", subscription_id)
            return
        self._follow_up(result)

    async def _recover(self) -> RecoveryReport:
        try:
            report = await self._poster.recover()
        except Exception:
            log.exception("recovery failed")
            return RecoveryReport(())
        for result in report.results:
            self._follow_up(result)
        if report.recheck_at is not None:
            self._aps.add_job(
                self._recover,
                "date",
                run_date=report.recheck_at,
                id=_RECHECK,
                name="recover abandoned claims",
                replace_existing=True,
            )
        if report.posted:
            log.info("recovery posted %d late excerpt(s)", len(report.posted))
        return report

    def _follow_up(self, result: PostResult) -> None:
        if result.outcome is Outcome.RETRY:
            self._aps.add_job(
                self._run,
                "date",
                run_date=self._clock.now() + self._retry_delay,
                args=[result.subscription_id],
                id=_RETRY.format(result.subscription_id),
                name=f"retry subscription {result.subscription_id}",
                replace_existing=True,
            )
        elif result.outcome is Outcome.GONE:
            self.sync(result.subscription_id)

    def _on_missed(self, event: JobExecutionEvent) -> None:
        # APScheduler dropped a run past the grace period (the host slept, the loop hung):
        # let the poster record the day as skipped, so it is never silently lost.
        prefix = _DAILY.format("")
        if not str(event.job_id).startswith(prefix):
            return
        subscription_id = int(str(event.job_id).removeprefix(prefix))
        task = asyncio.get_running_loop().create_task(self._run(subscription_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
