"""The daily job as a user would notice it: what gets posted, when, once, and what is recorded."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scheduling_support import (
    CHANNEL,
    DOC_ID,
    FakeTransport,
    World,
    catalog,
    make_settings,
    make_world,
    plan_total,
    spec,
)

from bot.core.transport import DeliveryFailure, Transport
from bot.scheduling import CLAIM_LEASE, Outcome
from bot.storage.subscriptions import Subscription

TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = date(2025, 6, 2)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = TOKYO) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def subscribe(world: World, **kwargs: object) -> Subscription:
    return world.subs.upsert(CHANNEL, spec(**kwargs), "admin", world.clock.now())  # type: ignore[arg-type]


def position(world: World) -> int:
    return world.positions.get(CHANNEL, DOC_ID)[0]


async def test_posts_at_the_time_once(world: World) -> None:
    sub = subscribe(world)
    world.clock.set(at(MONDAY, 7, 30))
    first = await world.poster.run_due(sub.id)
    again = await world.poster.run_due(sub.id)
    assert first.outcome is Outcome.SENT and not first.late
    assert first.local_date == MONDAY and first.excerpt_index == 0
    assert again.outcome is Outcome.ALREADY_DONE
    assert len(world.transport.posts) == 1
    post = world.transport.posts[0]
    assert post.channel == CHANNEL
    assert post.reply.title is not None and "1" in post.reply.title
    assert catalog().text("excerpt.late", "ja") not in post.reply.blocks
    record = world.subs.delivery(sub.id, MONDAY)
    assert record is not None and record.status == "sent" and record.message_id == "m1"
    assert position(world) == 1


async def test_nothing_is_due_before_the_first_time(world: World) -> None:
    sub = subscribe(world)  # set at 06:00; yesterday's 07:30 was before the schedule existed
    result = await world.poster.run_due(sub.id)
    assert result.outcome is Outcome.NOT_DUE
    assert world.transport.posts == [] and world.subs.deliveries(sub.id) == []


async def test_late_within_grace_says_so(world: World) -> None:
    sub = subscribe(world)
    world.clock.set(at(MONDAY, 9, 0))
    result = await world.poster.run_due(sub.id)
    assert result.outcome is Outcome.SENT and result.late
    assert world.transport.posts[0].reply.blocks[0] == catalog().text("excerpt.late", "ja")
    record = world.subs.delivery(sub.id, MONDAY)
    assert record is not None and record.late


async def test_past_grace_is_skipped_logged_and_the_plan_does_not_move(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    sub = subscribe(world)
    world.clock.set(at(MONDAY, 13, 31))  # 6 h 1 min after 07:30
    with caplog.at_level(logging.WARNING):
        result = await world.poster.run_due(sub.id)
    assert result.outcome is Outcome.MISSED
    assert world.transport.posts == []
    record = world.subs.delivery(sub.id, MONDAY)
    assert record is not None and (record.status, record.note) == ("skipped", "missed")
    assert position(world) == 0
    assert "grace" in caplog.text and "skipped" in caplog.text


async def test_zero_grace_posts_on_time_and_never_late(db_path: Path) -> None:
    world = make_world(db_path, at(MONDAY, 6, 0), settings=make_settings(grace_hours=0))
    try:
        sub = subscribe(world)
        world.clock.set(at(MONDAY, 7, 30) + timedelta(milliseconds=20))
        assert (await world.poster.run_due(sub.id)).outcome is Outcome.SENT
        world.clock.set(at(MONDAY + timedelta(days=1), 7, 32))
        assert (await world.poster.run_due(sub.id)).outcome is Outcome.MISSED
        assert len(world.transport.posts) == 1
    finally:
        world.close()


async def test_paused_days_are_recorded_as_skipped(world: World) -> None:
    sub = subscribe(world)
    world.subs.pause(sub.id, "admin", "admin", world.clock.now())
    world.clock.set(at(MONDAY, 7, 30))
    result = await world.poster.run_due(sub.id)
    assert result.outcome is Outcome.PAUSED
    assert world.transport.posts == []
    record = world.subs.delivery(sub.id, MONDAY)
    assert record is not None and (record.status, record.note) == ("skipped", "paused")


async def test_transient_failure_releases_the_claim_for_a_retry(world: World) -> None:
    sub = subscribe(world)
    world.clock.set(at(MONDAY, 7, 30))
    world.transport.fail_with = DeliveryFailure.TRANSIENT
    failed = await world.poster.run_due(sub.id)
    assert failed.outcome is Outcome.RETRY
    assert world.subs.delivery(sub.id, MONDAY) is None  # released
    after = world.subs.get(sub.id)
    assert after is not None and after.failures == 0 and after.last_error is not None
    world.transport.fail_with = None
    world.clock.advance(timedelta(minutes=10))
    retried = await world.poster.run_due(sub.id)
    assert retried.outcome is Outcome.SENT and retried.late
    assert len(world.transport.posts) == 1 and position(world) == 1
    healed = world.subs.get(sub.id)
    assert healed is not None and healed.last_error is None


async def test_three_consecutive_failures_pause_with_a_reason(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    sub = subscribe(world)
    world.transport.fail_with = DeliveryFailure.CHANNEL_NOT_FOUND
    results = []
    with caplog.at_level(logging.WARNING):
        for offset in range(3):
            world.clock.set(at(MONDAY + timedelta(days=offset), 7, 30))
            results.append(await world.poster.run_due(sub.id))
    assert [r.outcome for r in results] == [Outcome.FAILED] * 3
    assert [r.paused for r in results] == [False, False, True]
    paused = world.subs.get(sub.id)
    assert paused is not None and paused.paused and paused.paused_reason == "failures"
    assert paused.failures == 3 and "channel_not_found" in (paused.last_error or "")
    assert "paused after 3 consecutive failures" in caplog.text
    # From then on nothing is attempted: the days are recorded as skipped (paused).
    world.clock.set(at(MONDAY + timedelta(days=3), 7, 30))
    assert (await world.poster.run_due(sub.id)).outcome is Outcome.PAUSED
    assert world.transport.posts == [] and position(world) == 0


async def test_a_success_resets_the_failure_count(world: World) -> None:
    sub = subscribe(world)
    outcomes = []
    for offset, failure in enumerate(
        [DeliveryFailure.MISSING_PERMISSION, DeliveryFailure.MISSING_PERMISSION, None,
         DeliveryFailure.MISSING_PERMISSION]
    ):  # fmt: skip
        world.transport.fail_with = failure
        world.clock.set(at(MONDAY + timedelta(days=offset), 7, 30))
        outcomes.append((await world.poster.run_due(sub.id)).outcome)
    assert outcomes == [Outcome.FAILED, Outcome.FAILED, Outcome.SENT, Outcome.FAILED]
    after = world.subs.get(sub.id)
    assert after is not None and after.failures == 1 and not after.paused


async def test_stop_at_the_end_posts_one_finished_notice(world: World) -> None:
    sub = subscribe(world, at_end="stop")
    total = plan_total()
    outcomes = []
    for offset in range(total + 3):
        world.clock.set(at(MONDAY + timedelta(days=offset), 7, 30))
        outcomes.append((await world.poster.run_due(sub.id)).outcome)
    assert outcomes == [Outcome.SENT] * (total + 1) + [Outcome.FINISHED] * 2
    posts = world.transport.posts
    assert len(posts) == total + 1
    assert posts[-1].reply.title == catalog().text("schedule.finished.title", "ja")
    assert world.positions.get(CHANNEL, DOC_ID) == (total, True)
    last = world.subs.last_delivery(sub.id, "sent")
    assert last is not None and last.note == "finished" and last.excerpt_index is None


async def test_loop_at_the_end_starts_over(world: World) -> None:
    sub = subscribe(world, at_end="loop")
    total = plan_total()
    indexes = []
    for offset in range(total + 2):
        world.clock.set(at(MONDAY + timedelta(days=offset), 7, 30))
        indexes.append((await world.poster.run_due(sub.id)).excerpt_index)
    assert indexes == [*range(total), 0, 1]
    assert position(world) == 2


async def test_thread_flag_asks_for_a_thread(world: World) -> None:
    sub = subscribe(world, thread=True)
    world.clock.set(at(MONDAY, 7, 30))
    await world.poster.run_due(sub.id)
    assert world.transport.posts[0].reply.thread is not None


@pytest.mark.parametrize(
    ("zone", "time", "now_utc", "local"),
    [
        ("Pacific/Auckland", "06:00", datetime(2025, 6, 1, 18, 0, tzinfo=UTC), date(2025, 6, 2)),
        ("Asia/Kolkata", "01:00", datetime(2025, 6, 1, 19, 30, tzinfo=UTC), date(2025, 6, 2)),
        ("Pacific/Honolulu", "18:00", datetime(2025, 6, 2, 4, 0, tzinfo=UTC), date(2025, 6, 1)),
        ("America/New_York", "07:30", datetime(2025, 3, 9, 11, 30, tzinfo=UTC), date(2025, 3, 9)),
        ("America/New_York", "07:30", datetime(2025, 11, 2, 12, 30, tzinfo=UTC), date(2025, 11, 2)),
    ],
)
async def test_the_claim_uses_the_subscriptions_local_date(
    db_path: Path, zone: str, time: str, now_utc: datetime, local: date
) -> None:
    world = make_world(db_path, now_utc - timedelta(days=2))
    try:
        sub = subscribe(world, time=time, timezone=zone)
        world.clock.set(now_utc)
        result = await world.poster.run_due(sub.id)
        assert result.outcome is Outcome.SENT and not result.late
        assert [d.local_date for d in world.subs.deliveries(sub.id)] == [local]
        # An hour early (the other side of the DST switch, for New York) nothing is due yet.
        world.clock.set(now_utc + timedelta(days=1) - timedelta(hours=1))
        assert (await world.poster.run_due(sub.id)).outcome is Outcome.ALREADY_DONE
    finally:
        world.close()


async def test_dst_repeated_hour_posts_once(db_path: Path) -> None:
    world = make_world(db_path, datetime(2025, 11, 1, 12, 0, tzinfo=UTC))
    try:
        sub = subscribe(world, time="01:30", timezone="America/New_York")
        # APScheduler fires at both 01:30s of 2025-11-02 (05:30Z EDT, 06:30Z EST).
        world.clock.set(datetime(2025, 11, 2, 5, 30, tzinfo=UTC))
        first = await world.poster.run_due(sub.id)
        world.clock.set(datetime(2025, 11, 2, 6, 30, tzinfo=UTC))
        second = await world.poster.run_due(sub.id)
        assert (first.outcome, second.outcome) == (Outcome.SENT, Outcome.ALREADY_DONE)
        assert len(world.transport.posts) == 1
    finally:
        world.close()


async def test_two_posters_on_one_database_post_once(db_path: Path) -> None:
    start = at(MONDAY, 6, 0)
    a = make_world(db_path, start, transport=FakeTransport(prefix="a"))
    b = make_world(db_path, start, transport=FakeTransport(prefix="b"))
    try:
        sub = subscribe(a)
        for w in (a, b):
            w.clock.set(at(MONDAY, 7, 30))
        results = await asyncio.gather(a.poster.run_due(sub.id), b.poster.run_due(sub.id))
        assert sorted(r.outcome.value for r in results) == ["already_done", "sent"]
        assert len(a.transport.posts) + len(b.transport.posts) == 1
        assert position(a) == 1
        # Both recovering at once after the fact changes nothing.
        await asyncio.gather(a.poster.recover(), b.poster.recover())
        assert len(a.transport.posts) + len(b.transport.posts) == 1
    finally:
        a.close()
        b.close()


async def test_the_claim_decides_between_posters_racing_past_the_precheck(db_path: Path) -> None:
    start = at(MONDAY, 7, 30)
    a = make_world(db_path, start, transport=FakeTransport(prefix="a"))
    b = make_world(db_path, start, transport=FakeTransport(prefix="b"))
    try:
        sub = a.subs.upsert(CHANNEL, spec(), "admin", start - timedelta(hours=1))
        results = await asyncio.gather(
            a.poster.post(sub, MONDAY, late=False), b.poster.post(sub, MONDAY, late=False)
        )
        assert sorted(r.outcome.value for r in results) == ["already_done", "sent"]
        assert len(a.transport.posts) + len(b.transport.posts) == 1
    finally:
        a.close()
        b.close()


async def test_now_posts_without_a_claim_and_the_schedule_continues(world: World) -> None:
    sub = subscribe(world)
    now_result = await world.poster.post_now(sub)
    assert now_result.outcome is Outcome.SENT and now_result.excerpt_index == 0
    assert world.subs.deliveries(sub.id) == []  # today's claim is untouched
    assert position(world) == 1
    world.clock.set(at(MONDAY, 7, 30))
    scheduled = await world.poster.run_due(sub.id)
    assert scheduled.outcome is Outcome.SENT and scheduled.excerpt_index == 1
    assert position(world) == 2


async def test_now_and_the_timer_at_once_never_post_the_same_excerpt(world: World) -> None:
    sub = subscribe(world)
    world.clock.set(at(MONDAY, 7, 30))
    results = await asyncio.gather(world.poster.run_due(sub.id), world.poster.post_now(sub))
    assert [r.outcome for r in results] == [Outcome.SENT, Outcome.SENT]
    assert sorted(r.excerpt_index for r in results if r.excerpt_index is not None) == [0, 1]
    assert position(world) == 2


async def test_an_adapter_not_attached_yet_is_retried_not_lost(db_path: Path) -> None:
    transports: dict[str, Transport] = {}  # the core fills this as adapters attach
    world = make_world(db_path, at(MONDAY, 6, 0), transports=transports)
    try:
        sub = subscribe(world)
        world.clock.set(at(MONDAY, 7, 30))
        result = await world.poster.run_due(sub.id)
        assert result.outcome is Outcome.RETRY and result.detail == "no_transport"
        assert world.subs.delivery(sub.id, MONDAY) is None and position(world) == 0
        noted = world.subs.get(sub.id)
        assert noted is not None and noted.last_error == "no_transport: console"
        transports[world.transport.platform] = world.transport
        world.clock.advance(timedelta(minutes=10))
        retried = await world.poster.run_due(sub.id)
        assert retried.outcome is Outcome.SENT and retried.late
        assert len(world.transport.posts) == 1 and position(world) == 1
    finally:
        world.close()


async def test_recovery_resumes_an_abandoned_claim_once_late(world: World) -> None:
    sub = subscribe(world)
    world.subs.claim(sub.id, MONDAY, "dead-host:1:x", at(MONDAY, 7, 30))
    world.clock.set(at(MONDAY, 7, 30) + CLAIM_LEASE + timedelta(seconds=1))
    report = await world.poster.recover()
    assert [(r.outcome, r.local_date, r.late) for r in report.posted] == [
        (Outcome.SENT, MONDAY, True)
    ]
    assert len(world.transport.posts) == 1 and position(world) == 1
    assert world.transport.posts[0].reply.blocks[0] == catalog().text("excerpt.late", "ja")
    again = await world.poster.recover()
    assert again.posted == () and len(world.transport.posts) == 1


async def test_recovery_leaves_a_fresh_claim_to_its_owner_and_rechecks(world: World) -> None:
    sub = subscribe(world)
    world.subs.claim(sub.id, MONDAY, "other:2:y", at(MONDAY, 7, 30))
    world.clock.set(at(MONDAY, 7, 32))
    report = await world.poster.recover()
    assert report.posted == () and world.transport.posts == []
    assert report.recheck_at == at(MONDAY, 7, 30) + CLAIM_LEASE


async def test_recovery_skips_an_abandoned_claim_past_grace(world: World) -> None:
    sub = subscribe(world)
    world.subs.claim(sub.id, MONDAY, "dead:1:z", at(MONDAY, 7, 30))
    world.clock.set(at(MONDAY, 14, 0))
    report = await world.poster.recover()
    assert report.posted == () and world.transport.posts == []
    record = world.subs.delivery(sub.id, MONDAY)
    assert record is not None and (record.status, record.note) == ("skipped", "abandoned")
    assert position(world) == 0
