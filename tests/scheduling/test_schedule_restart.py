"""Restarts, crashes and a second process, on a real SQLite file: exactly one post a day."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scheduling_support import CHANNEL, DOC_ID, World, catalog, make_world, spec

from bot.scheduling import CLAIM_LEASE, Outcome, RecoveryReport, Scheduler

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = date(2025, 6, 2)
CHILD = Path(__file__).resolve().parent / "schedule_child.py"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TOKYO)


async def run_bot(db_path: Path, now: datetime) -> tuple[World, RecoveryReport]:
    """One bot lifetime: open the store, start the scheduler (recovery), stop it."""
    world = make_world(db_path, now)
    scheduler = Scheduler(world.subs, world.poster, world.settings, world.clock, fire_jobs=False)
    report = await scheduler.start()
    assert scheduler.job(1) is not None
    scheduler.shutdown()
    await asyncio.sleep(0)  # let APScheduler's shutdown callback run on the loop
    world.close()
    return world, report


def subscribe_at(db_path: Path, now: datetime) -> None:
    world = make_world(db_path, now)
    world.subs.upsert(CHANNEL, spec("07:30", "Asia/Tokyo"), "admin", now)
    world.close()


async def test_restart_across_the_hour_posts_once_late_and_past_grace_skips(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    subscribe_at(db_path, at(MONDAY, 6, 0))
    # Up before the hour: nothing to do.
    before, report = await run_bot(db_path, at(MONDAY, 7, 0))
    assert report.posted == () and before.transport.posts == []
    # Down at 07:30, back at 08:00: one post, late, saying so.
    after, report = await run_bot(db_path, at(MONDAY, 8, 0))
    assert len(after.transport.posts) == 1 and len(report.posted) == 1
    assert report.posted[0].late and report.posted[0].local_date == MONDAY
    assert after.transport.posts[0].reply.blocks[0] == catalog().text("excerpt.late", "ja")
    # Restarting right after does not post it again.
    again, report = await run_bot(db_path, at(MONDAY, 8, 5))
    assert again.transport.posts == [] and report.posted == ()
    # Down all of Tuesday morning, back at 14:00 (past 07:30 + 6 h): skipped and logged.
    with caplog.at_level(logging.WARNING):
        tuesday, report = await run_bot(db_path, at(MONDAY + timedelta(days=1), 14, 0))
    assert tuesday.transport.posts == []
    assert [r.outcome for r in report.results] == [Outcome.MISSED]
    assert "past the grace period" in caplog.text
    check = make_world(db_path, at(MONDAY + timedelta(days=2), 7, 30))
    try:
        record = check.subs.delivery(1, MONDAY + timedelta(days=1))
        assert record is not None and (record.status, record.note) == ("skipped", "missed")
        assert check.positions.get(CHANNEL, DOC_ID) == (1, False)  # not advanced by the skip
        # Wednesday posts the excerpt Tuesday would have had.
        result = await check.poster.run_due(1)
        assert result.outcome is Outcome.SENT and result.excerpt_index == 1
    finally:
        check.close()


async def run_child(*args: str) -> tuple[int, str]:
    """Run schedule_child.py as a separate process; (exit status, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), *args, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err.decode(errors="replace")


async def test_kill_between_claim_and_send_is_posted_once_at_the_next_start(
    db_path: Path,
) -> None:
    subscribe_at(db_path, at(MONDAY, 6, 0))
    status, err = await run_child("crash", str(db_path), at(MONDAY, 7, 30).isoformat())
    assert status == -signal.SIGKILL, err
    world = make_world(db_path, at(MONDAY, 7, 31))
    try:
        claim = world.subs.delivery(1, MONDAY)
        assert claim is not None and claim.status == "claimed"
        assert world.positions.get(CHANNEL, DOC_ID) == (0, False)
        # Restarted a minute later: the claim may still be a live process mid-send, so it is
        # left alone until its lease runs out, and a recheck is scheduled for then.
        scheduler = Scheduler(
            world.subs, world.poster, world.settings, world.clock, fire_jobs=False
        )
        report = await scheduler.start()
        assert report.posted == () and world.transport.posts == []
        assert report.recheck_at == claim.claimed_at + CLAIM_LEASE
        assert "recover" in {job.job_id for job in scheduler.jobs()}
        scheduler.shutdown()
        await asyncio.sleep(0)
        # At the recheck the abandoned claim is posted once, late.
        world.clock.set(claim.claimed_at + CLAIM_LEASE)
        report = await world.poster.recover()
        assert [(r.outcome, r.local_date, r.late) for r in report.posted] == [
            (Outcome.SENT, MONDAY, True)
        ]
        assert len(world.transport.posts) == 1
        record = world.subs.delivery(1, MONDAY)
        assert record is not None and record.status == "sent" and record.late
        assert world.positions.get(CHANNEL, DOC_ID) == (1, False)
        # Any further start, and the day's own timer, post nothing more.
        assert (await world.poster.recover()).posted == ()
        assert (await world.poster.run_due(1)).outcome is Outcome.ALREADY_DONE
        assert len(world.transport.posts) == 1
    finally:
        world.close()


async def test_two_processes_on_one_database_post_once(db_path: Path, tmp_path: Path) -> None:
    subscribe_at(db_path, at(MONDAY, 6, 0))
    out = tmp_path / "posts.txt"
    now = at(MONDAY, 7, 30).isoformat()
    # Two bot processes at the same time, each recovering and running the due post.
    results = await asyncio.gather(
        *(run_child("post", str(db_path), now, str(out)) for _ in range(2))
    )
    assert [status for status, _ in results] == [0, 0], results
    assert len(out.read_text(encoding="utf-8").split()) == 1
    world = make_world(db_path, at(MONDAY, 7, 31))
    try:
        assert [d.status for d in world.subs.deliveries(1)] == ["sent"]
        assert world.positions.get(CHANNEL, DOC_ID) == (1, False)
    finally:
        world.close()


async def test_two_schedulers_starting_together_post_once(db_path: Path) -> None:
    subscribe_at(db_path, at(MONDAY, 6, 0))
    worlds = [make_world(db_path, at(MONDAY, 8, 0)) for _ in range(2)]
    schedulers = [Scheduler(w.subs, w.poster, w.settings, w.clock, fire_jobs=False) for w in worlds]
    try:
        reports = await asyncio.gather(*(s.start() for s in schedulers))
        assert sum(len(r.posted) for r in reports) == 1
        assert sum(len(w.transport.posts) for w in worlds) == 1
    finally:
        for s in schedulers:
            s.shutdown()
        await asyncio.sleep(0)
        for w in worlds:
            w.close()
