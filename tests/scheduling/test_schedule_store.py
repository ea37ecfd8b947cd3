"""The subscriptions store: claims decide, outcomes stick, failures count, on a real file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from scheduling_support import CHANNEL, spec

from bot.storage.database import Database
from bot.storage.subscriptions import SqliteSubscriptionStore

NOW = datetime(2025, 6, 1, 22, 0, tzinfo=UTC)
DAY = date(2025, 6, 2)


def repos(
    path: Path,
) -> tuple[Database, Database, SqliteSubscriptionStore, SqliteSubscriptionStore]:
    a, b = Database(path), Database(path)
    return a, b, SqliteSubscriptionStore(a), SqliteSubscriptionStore(b)


def test_one_claim_per_subscription_and_local_date_across_connections(db_path: Path) -> None:
    a, b, ra, rb = repos(db_path)
    try:
        sub = ra.upsert(CHANNEL, spec(), "admin", NOW)
        assert ra.claim(sub.id, DAY, "a", NOW) is True
        assert rb.claim(sub.id, DAY, "b", NOW) is False
        assert ra.claim(sub.id, DAY, "a", NOW) is False
        assert rb.claim(sub.id, DAY + timedelta(days=1), "b", NOW) is True
        record = rb.delivery(sub.id, DAY)
        assert record is not None and (record.status, record.claimed_by) == ("claimed", "a")
    finally:
        a.close()
        b.close()


def test_taking_over_an_abandoned_claim_is_won_once(db_path: Path) -> None:
    a, b, ra, rb = repos(db_path)
    try:
        sub = ra.upsert(CHANNEL, spec(), "admin", NOW)
        ra.claim(sub.id, DAY, "dead", NOW)
        [claim] = ra.pending_claims()
        later = NOW + timedelta(minutes=15)
        assert ra.take_over(claim, "a", later) is True
        assert rb.take_over(claim, "b", later) is False  # the claim it read has changed
        [now_held] = rb.pending_claims()
        assert now_held.claimed_by == "a" and now_held.claimed_at == later
    finally:
        a.close()
        b.close()


def test_release_only_by_the_holder_and_outcomes_stick(db_path: Path) -> None:
    db = Database(db_path)
    try:
        repo = SqliteSubscriptionStore(db)
        sub = repo.upsert(CHANNEL, spec(), "admin", NOW)
        repo.claim(sub.id, DAY, "a", NOW)
        assert repo.release(sub.id, DAY, "b") is False
        assert repo.release(sub.id, DAY, "a") is True
        assert repo.delivery(sub.id, DAY) is None
        repo.claim(sub.id, DAY, "a", NOW)
        repo.mark_sent(sub.id, DAY, message_id="m1", excerpt_index=0, late=False, now=NOW)
        # A sent day can be neither skipped, re-claimed nor released.
        assert repo.mark_skipped(sub.id, DAY, "admin", "U1", NOW) is False
        assert repo.claim(sub.id, DAY, "b", NOW) is False
        assert repo.release(sub.id, DAY, "a") is False
        record = repo.delivery(sub.id, DAY)
        assert record is not None and (record.status, record.message_id) == ("sent", "m1")
        assert repo.pending_claims() == []
    finally:
        db.close()


def test_failures_count_and_pause_at_the_limit(db_path: Path) -> None:
    db = Database(db_path)
    try:
        repo = SqliteSubscriptionStore(db)
        sub = repo.upsert(CHANNEL, spec(), "admin", NOW)
        tallies = []
        for i in range(4):
            day = DAY + timedelta(days=i)
            repo.claim(sub.id, day, "a", NOW)
            tallies.append(repo.mark_failed(sub.id, day, "channel_not_found: gone", NOW, 3))
        assert [(t.failures, t.paused) for t in tallies] == [
            (1, False), (2, False), (3, True), (4, False)
        ]  # fmt: skip
        after = repo.get(sub.id)
        assert after is not None and after.paused and after.paused_reason == "failures"
        assert after.last_error == "channel_not_found: gone"
        assert [d.status for d in repo.deliveries(sub.id)] == ["failed"] * 4
        assert repo.resume(sub.id, "U1", NOW) is True
        resumed = repo.get(sub.id)
        assert resumed is not None and (resumed.paused, resumed.failures) == (False, 0)
    finally:
        db.close()


def test_upsert_keeps_history_and_pause_state(db_path: Path) -> None:
    db = Database(db_path)
    try:
        repo = SqliteSubscriptionStore(db)
        first = repo.upsert(CHANNEL, spec("07:30"), "U1", NOW)
        repo.pause(first.id, "admin", "U1", NOW)
        later = NOW + timedelta(days=1)
        second = repo.upsert(CHANNEL, spec("08:00", "Asia/Kolkata"), "U2", later)
        assert second.id == first.id
        assert (second.time, second.timezone, second.paused) == ("08:00", "Asia/Kolkata", True)
        assert (second.created_by, second.created_at) == ("U1", NOW)
        assert (second.updated_by, second.updated_at) == ("U2", later)
        assert [s.id for s in repo.list()] == [first.id]
        repo.claim(first.id, DAY, "a", NOW)
        assert repo.delete(first.id) is True
        assert repo.get(first.id) is None and repo.deliveries(first.id) == []
    finally:
        db.close()
