"""Subscriptions (a channel's daily schedule) and the deliveries claimed against them.

A delivery row is keyed by (subscription, local date): inserting it is the claim, so
whichever process inserts first posts that day and every other attempt sees the row. The
row's status then records what happened: `claimed` (being posted, or left by a crash),
`sent` (the platform confirmed), `skipped` (paused, missed past the grace period, skipped
by an admin, plan finished…) or `failed` (the channel is unreachable; counted towards
pausing). Every method is one short transaction.
"""

from __future__ import annotations

import builtins
import sqlite3
from datetime import UTC, date, datetime
from typing import cast

from bot.core.incoming import ChannelKey
from bot.storage.database import Database
from bot.storage.records import (
    PAUSED_BY_FAILURES,
    AtEnd,
    DeliveryRecord,
    DeliveryStatus,
    FailureTally,
    Subscription,
    SubscriptionSpec,
)


def _ts(when: datetime) -> str:
    # One fixed-width UTC form, so stored timestamps also compare correctly as text.
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=int(row["id"]),
        channel=ChannelKey(row["platform"], row["workspace"], row["channel"]),
        document=row["document"],
        time=row["time"],
        timezone=row["timezone"],
        days=tuple(d for d in str(row["days"]).split(",") if d),
        excerpt_min=int(row["excerpt_min"]),
        excerpt_max=int(row["excerpt_max"]),
        thread=bool(row["thread"]),
        at_end=cast(AtEnd, row["at_end"]),
        paused=bool(row["paused"]),
        paused_reason=row["paused_reason"],
        failures=int(row["failures"]),
        last_error=row["last_error"],
        created_by=row["created_by"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_by=row["updated_by"],
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _delivery(row: sqlite3.Row) -> DeliveryRecord:
    index = row["excerpt_index"]
    return DeliveryRecord(
        subscription_id=int(row["subscription_id"]),
        local_date=date.fromisoformat(row["local_date"]),
        status=cast(DeliveryStatus, row["status"]),
        excerpt_index=None if index is None else int(index),
        claimed_at=datetime.fromisoformat(row["claimed_at"]),
        claimed_by=row["claimed_by"],
        sent_at=_dt(row["sent_at"]),
        message_id=row["message_id"],
        late=bool(row["late"]),
        note=row["note"],
    )


class SqliteSubscriptionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- subscriptions -------------------------------------------------------------------

    def upsert(
        self, channel: ChannelKey, spec: SubscriptionSpec, by: str, now: datetime
    ) -> Subscription:
        """Create the channel's subscription or change it; pause state and failures are kept."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO subscriptions (platform, workspace, channel, document, time,"
                " timezone, days, excerpt_min, excerpt_max, thread, at_end,"
                " created_by, created_at, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, workspace, channel) DO UPDATE SET"
                " document = excluded.document, time = excluded.time,"
                " timezone = excluded.timezone, days = excluded.days,"
                " excerpt_min = excluded.excerpt_min, excerpt_max = excluded.excerpt_max,"
                " thread = excluded.thread, at_end = excluded.at_end,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (
                    channel.platform,
                    channel.workspace,
                    channel.channel,
                    spec.document,
                    spec.time,
                    spec.timezone,
                    ",".join(spec.days),
                    spec.excerpt_min,
                    spec.excerpt_max,
                    int(spec.thread),
                    spec.at_end,
                    by,
                    _ts(now),
                    by,
                    _ts(now),
                ),
            )
            row = conn.execute(
                "SELECT * FROM subscriptions WHERE platform = ? AND workspace = ? AND channel = ?",
                (channel.platform, channel.workspace, channel.channel),
            ).fetchone()
        return _subscription(row)

    def get(self, subscription_id: int) -> Subscription | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM subscriptions WHERE id = ?", (subscription_id,)
            ).fetchone()
        return _subscription(row) if row else None

    def for_channel(self, channel: ChannelKey) -> Subscription | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM subscriptions WHERE platform = ? AND workspace = ? AND channel = ?",
                (channel.platform, channel.workspace, channel.channel),
            ).fetchone()
        return _subscription(row) if row else None

    def list(self) -> list[Subscription]:
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM subscriptions ORDER BY id").fetchall()
        return [_subscription(r) for r in rows]

    def delete(self, subscription_id: int) -> bool:
        """Remove a subscription and its delivery history (the reading position is kept)."""
        with self._db.write() as conn:
            conn.execute("DELETE FROM deliveries WHERE subscription_id = ?", (subscription_id,))
            cur = conn.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
        return cur.rowcount > 0

    def pause(self, subscription_id: int, reason: str, by: str, now: datetime) -> bool:
        """Pause; False if it was already paused (the first reason is kept)."""
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE subscriptions SET paused = 1, paused_reason = ?,"
                " updated_by = ?, updated_at = ? WHERE id = ? AND paused = 0",
                (reason, by, _ts(now), subscription_id),
            )
        return cur.rowcount > 0

    def resume(self, subscription_id: int, by: str, now: datetime) -> bool:
        """Resume and forget past failures; False if it was not paused."""
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE subscriptions SET paused = 0, paused_reason = NULL, failures = 0,"
                " last_error = NULL, updated_by = ?, updated_at = ? WHERE id = ? AND paused = 1",
                (by, _ts(now), subscription_id),
            )
        return cur.rowcount > 0

    # -- deliveries ----------------------------------------------------------------------

    def claim(self, subscription_id: int, local_date: date, claimed_by: str, now: datetime) -> bool:
        """Claim the subscription's post for `local_date`. The primary key decides: exactly one
        caller, in any process sharing the database, gets True."""
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT INTO deliveries (subscription_id, local_date, status, claimed_at,"
                " claimed_by) VALUES (?, ?, 'claimed', ?, ?)"
                " ON CONFLICT (subscription_id, local_date) DO NOTHING",
                (subscription_id, local_date.isoformat(), _ts(now), claimed_by),
            )
        return cur.rowcount > 0

    def pending_claims(self) -> builtins.list[DeliveryRecord]:
        """Claims without an outcome: a post in flight, or one a crash left behind."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM deliveries WHERE status = 'claimed'"
                " ORDER BY claimed_at, subscription_id"
            ).fetchall()
        return [_delivery(r) for r in rows]

    def take_over(self, claim: DeliveryRecord, claimed_by: str, now: datetime) -> bool:
        """Adopt an abandoned claim. Compare-and-swap on the claim as it was read, so of
        several processes recovering at once exactly one gets True."""
        with self._db.write() as conn:
            cur = conn.execute(
                "UPDATE deliveries SET claimed_by = ?, claimed_at = ?"
                " WHERE subscription_id = ? AND local_date = ? AND status = 'claimed'"
                " AND claimed_by = ? AND claimed_at = ?",
                (
                    claimed_by,
                    _ts(now),
                    claim.subscription_id,
                    claim.local_date.isoformat(),
                    claim.claimed_by,
                    _ts(claim.claimed_at),
                ),
            )
        return cur.rowcount > 0

    def release(self, subscription_id: int, local_date: date, claimed_by: str) -> bool:
        """Give a claim back after a transient failure, so a retry can claim the date again."""
        with self._db.write() as conn:
            cur = conn.execute(
                "DELETE FROM deliveries WHERE subscription_id = ? AND local_date = ?"
                " AND status = 'claimed' AND claimed_by = ?",
                (subscription_id, local_date.isoformat(), claimed_by),
            )
        return cur.rowcount > 0

    def mark_sent(
        self,
        subscription_id: int,
        local_date: date,
        *,
        message_id: str,
        excerpt_index: int | None,
        late: bool,
        now: datetime,
        note: str | None = None,
    ) -> None:
        """The platform confirmed the post: record it and reset the failure count."""
        with self._db.write() as conn:
            conn.execute(
                "UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?,"
                " excerpt_index = ?, late = ?, note = ?"
                " WHERE subscription_id = ? AND local_date = ?",
                (
                    _ts(now),
                    message_id,
                    excerpt_index,
                    int(late),
                    note,
                    subscription_id,
                    local_date.isoformat(),
                ),
            )
            conn.execute(
                "UPDATE subscriptions SET failures = 0, last_error = NULL WHERE id = ?",
                (subscription_id,),
            )

    def mark_skipped(
        self, subscription_id: int, local_date: date, note: str, by: str, now: datetime
    ) -> bool:
        """Record the date as skipped: a new row, or the outcome of a claim. A date that
        already has an outcome keeps it (False)."""
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT INTO deliveries (subscription_id, local_date, status, claimed_at,"
                " claimed_by, note) VALUES (?, ?, 'skipped', ?, ?, ?)"
                " ON CONFLICT (subscription_id, local_date) DO UPDATE SET"
                " status = 'skipped', note = excluded.note WHERE status = 'claimed'",
                (subscription_id, local_date.isoformat(), _ts(now), by, note),
            )
        return cur.rowcount > 0

    def mark_failed(
        self,
        subscription_id: int,
        local_date: date,
        error: str,
        now: datetime,
        max_failures: int,
    ) -> FailureTally:
        """The channel could not be reached: count a consecutive failure and pause the
        subscription once `max_failures` is reached."""
        with self._db.write() as conn:
            conn.execute(
                "UPDATE deliveries SET status = 'failed', note = ?, sent_at = NULL"
                " WHERE subscription_id = ? AND local_date = ?",
                (error, subscription_id, local_date.isoformat()),
            )
            row = conn.execute(
                "UPDATE subscriptions SET failures = failures + 1, last_error = ?"
                " WHERE id = ? RETURNING failures, paused",
                (error, subscription_id),
            ).fetchone()
            if row is None:
                return FailureTally(0, False)
            failures, already_paused = int(row["failures"]), bool(row["paused"])
            pausing = failures >= max_failures and not already_paused
            if pausing:
                conn.execute(
                    "UPDATE subscriptions SET paused = 1, paused_reason = ? WHERE id = ?",
                    (PAUSED_BY_FAILURES, subscription_id),
                )
        return FailureTally(failures, pausing)

    def note_error(self, subscription_id: int, error: str) -> None:
        """Remember a transient error for `schedule show` without counting it as a failure."""
        with self._db.write() as conn:
            conn.execute(
                "UPDATE subscriptions SET last_error = ? WHERE id = ?", (error, subscription_id)
            )

    def delivery(self, subscription_id: int, local_date: date) -> DeliveryRecord | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM deliveries WHERE subscription_id = ? AND local_date = ?",
                (subscription_id, local_date.isoformat()),
            ).fetchone()
        return _delivery(row) if row else None

    def last_delivery(
        self, subscription_id: int, status: DeliveryStatus | None = None
    ) -> DeliveryRecord | None:
        """The latest delivery by local date (with `status`, if given)."""
        query = "SELECT * FROM deliveries WHERE subscription_id = ?"
        params: tuple[object, ...] = (subscription_id,)
        if status is not None:
            query += " AND status = ?"
            params += (status,)
        with self._db.read() as conn:
            row = conn.execute(query + " ORDER BY local_date DESC LIMIT 1", params).fetchone()
        return _delivery(row) if row else None

    def deliveries(self, subscription_id: int) -> builtins.list[DeliveryRecord]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM deliveries WHERE subscription_id = ? ORDER BY local_date",
                (subscription_id,),
            ).fetchall()
        return [_delivery(r) for r in rows]
