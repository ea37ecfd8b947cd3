"""The real AsyncIOScheduler: jobs derived from the store, replaced and removed at run time.

APScheduler keeps its own wall clock, so these tests check the jobs it holds (trigger
fields, zone, next run time) rather than waiting for one to fire; what a firing does is
`DailyPoster.run_due`, tested with a ManualClock elsewhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from scheduling_support import CHANNEL, World, spec

from bot.core.incoming import ChannelKey
from bot.core.transport import DeliveryFailure
from bot.scheduling import Scheduler
from bot.scheduling.rules import DAY_CODES


@pytest.fixture
async def scheduler(world: World) -> AsyncIterator[Scheduler]:
    s = Scheduler(world.subs, world.poster, world.settings, world.clock, fire_jobs=False)
    yield s
    s.shutdown()
    await asyncio.sleep(0)


async def test_start_builds_a_cron_job_per_subscription(world: World, scheduler: Scheduler) -> None:
    sub = world.subs.upsert(
        CHANNEL, spec("07:30", "Asia/Kolkata", ("mon", "wed", "fri")), "admin", world.clock.now()
    )
    await scheduler.start()
    job = scheduler.job(sub.id)
    assert job is not None
    assert job.fields == {"day_of_week": "mon,wed,fri", "hour": "7", "minute": "30"}
    assert job.timezone == "Asia/Kolkata"
    assert (job.coalesce, job.max_instances) == (True, 1)
    assert job.misfire_grace_time == 6 * 3600
    # The next run is APScheduler's, on the real clock: 07:30 in Kolkata on a Mon/Wed/Fri.
    assert job.next_run_time is not None
    local = job.next_run_time.astimezone(ZoneInfo("Asia/Kolkata"))
    assert (local.hour, local.minute) == (7, 30)
    assert DAY_CODES[local.weekday()] in ("mon", "wed", "fri")
    real_now = datetime.now(UTC)
    assert real_now < job.next_run_time <= real_now + timedelta(days=7)


async def test_sync_replaces_and_removes_the_job(world: World, scheduler: Scheduler) -> None:
    await scheduler.start()
    assert scheduler.jobs() == []
    sub = world.subs.upsert(CHANNEL, spec("07:30"), "admin", world.clock.now())
    scheduler.sync(sub.id)
    first = scheduler.job(sub.id)
    assert first is not None and first.fields["hour"] == "7"
    world.subs.upsert(
        CHANNEL, spec("21:05", "America/New_York", ("sat",)), "admin", world.clock.now()
    )
    scheduler.sync(sub.id)
    changed = scheduler.job(sub.id)
    assert changed is not None
    assert changed.fields == {"day_of_week": "sat", "hour": "21", "minute": "5"}
    assert changed.timezone == "America/New_York"
    assert [j.job_id for j in scheduler.jobs()] == [f"subscription:{sub.id}"]
    world.subs.delete(sub.id)
    scheduler.sync(sub.id)
    assert scheduler.job(sub.id) is None and scheduler.jobs() == []


async def test_one_job_per_subscription_across_channels(world: World, scheduler: Scheduler) -> None:
    now = world.clock.now()
    ids = [
        world.subs.upsert(ChannelKey("console", "ws", name), spec(), "admin", now).id
        for name in ("a", "b", "c")
    ]
    await scheduler.start()
    assert sorted(j.job_id for j in scheduler.jobs()) == [f"subscription:{i}" for i in ids]


async def test_a_transient_failure_schedules_a_retry(world: World, scheduler: Scheduler) -> None:
    sub = world.subs.upsert(CHANNEL, spec("07:30"), "admin", world.clock.now())
    world.clock.set(datetime(2025, 6, 2, 7, 45, tzinfo=ZoneInfo("Asia/Tokyo")))
    world.transport.fail_with = DeliveryFailure.TRANSIENT
    await scheduler.start()  # recovery tries the 07:30 post and fails transiently
    retry = {j.job_id: j for j in scheduler.jobs()}.get(f"retry:{sub.id}")
    assert retry is not None and retry.next_run_time == world.clock.now() + timedelta(minutes=10)
